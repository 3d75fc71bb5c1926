"""The sync server: receives sealed survey records and their evidence, merges them into cases,
and serves the reviewer and township web console.

Layers: `api/` and `console/` are HTTP; `queries.py`, `auth.py`, `blobs.py` do I/O and never commit;
`merge.py`, `passwords.py`, `deadlines.py`, `id_numbers.py` hold the pure decisions.
"""
