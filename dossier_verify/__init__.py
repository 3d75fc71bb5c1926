"""Offline verifier of case dossiers and sealed records, written from docs/SEALS.md and docs/DOSSIER.md.

Depends only on the standard library, `cryptography` and `rfc8785`: it imports nothing of field_app,
sync_server or schemas, so it can be copied out and run years later on its own.
"""
