"""Freeing the tablet's storage: evidence files nothing on the tablet still needs (R21: personal
data does not linger on the device once the server holds it)."""
from __future__ import annotations

from field_app.store import queries as q
from field_app.store.db import Store
from field_app.store.evidence import EvidenceStore


def prune_evidence(store: Store, evidence: EvidenceStore, min_age_s: float = 600.0) -> list[str]:
    """Delete evidence files referenced by no draft and no unsynced record; returns their hashes."""
    with store.reading() as session:
        in_use = q.evidence_in_use(session)
    return evidence.prune(in_use, min_age_s=min_age_s)
