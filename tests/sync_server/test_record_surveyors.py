"""Who sealed each record (record_surveyors, §4.3.5): ingest credits both surveyors of the pair, not only the
uploader, and records merged before the table existed are credited by the start-up backfill from their seals."""
from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import delete, select

from sync_server.casework import sealers
from sync_server.tables import Record, RecordSurveyor
from tests.sync_server.helpers import FieldTeam, home_visit


def credited(app: FastAPI) -> set[tuple[str, str]]:
    with app.state.services.session() as session:
        return {(r.record_id, r.username) for r in session.exec(select(RecordSurveyor))}


def test_ingest_credits_both_sealers_and_the_backfill_restores_them(team: FieldTeam, app: FastAPI):
    visit = home_visit("rec-pair-1")
    assert team.submit(visit, as_user="lina").json()["status"] == "merged"
    with app.state.services.session() as session:
        assert session.get(Record, "rec-pair-1").received_from == "lina"  # type: ignore[union-attr]
    assert credited(app) == {("rec-pair-1", "zhangwei"), ("rec-pair-1", "lina")}
    with app.state.services.session() as session:
        session.exec(delete(RecordSurveyor))  # type: ignore[call-overload]  (a record merged before revision 0021)
        assert sealers.fill_missing(session, batch=1) == 1
        session.commit()
    assert credited(app) == {("rec-pair-1", "zhangwei"), ("rec-pair-1", "lina")}
