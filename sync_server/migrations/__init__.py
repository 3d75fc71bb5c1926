"""The server's schema migrations (Alembic). `upgrade(engine)` brings any database to head; see
README "Schema migrations" for adding a revision."""
