"""Talking to the sync server: the HTTP client and the outbox upload."""
