"""Making a merged record's display copies in the background, so the first view finds them made.

Called after ingest has committed; the job reads the record's facts in its own short session, closes
it, and only then decodes. When no background maker runs (settings.display_warm_workers = 0) or the
backlog is full, nothing is queued and each copy is made on its first view instead."""
from __future__ import annotations

from functools import partial

from sync_server.display.context import record_facts, stored_record
from sync_server.display.copies import Variant
from sync_server.display.watermark import WatermarkFacts
from sync_server.services import Services


def warm_record(services: Services, record_id: str) -> bool:
    """Queue the making of every photo copy of a merged record; False if it was not queued."""
    def job() -> None:
        with services.session() as session:
            record = stored_record(session, record_id)
            stamps = record_facts(session, record) if record is not None else {}
        for sha256, facts in stamps.items():
            if services.blobs.has(sha256):
                services.display.get(sha256, record_id, Variant.DISPLAY, partial(_same, facts))

    return services.display.warm(job)


def _same(facts: WatermarkFacts) -> WatermarkFacts:
    return facts
