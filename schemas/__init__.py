"""The contract shared by the field app and the sync server.

Pure Python: imports no flet, fastapi, httpx or database session.
"""
