"""The sync server: receives sealed survey records and their evidence, merges them into cases,
and serves the reviewer and township web console.

Layers: `api/` and `console/` are HTTP; `tables/queries.py`, `accounts/auth.py`, `evidence/disk_store.py` do
I/O and never commit; `casework/merge.py`, `accounts/passwords.py`, `casework/deadlines.py`,
`office/id_numbers.py` hold the pure decisions. The packages group by domain: office/, accounts/,
evidence/, casework/, transparency/ (the audit log), edge/, ops/ (see ARCHITECTURE.md).
"""
