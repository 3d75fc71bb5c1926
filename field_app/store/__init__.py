"""The tablet's storage: SQLite tables (`open_store`), evidence files (`EvidenceStore`), keys."""
from field_app.store.db import Store, open_store
from field_app.store.evidence import EvidenceStore
from field_app.store.tables import OutboxStatus

__all__ = ["EvidenceStore", "OutboxStatus", "Store", "open_store"]
