"""Case summaries kept as data (issue 9): right after ingest, a review return and an acceptance, a refused
visit, an intake change, a rolled-back change and a holiday notice; and the backfill computes the same rows
as the live upkeep on a fixture with several cases."""
from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from schemas.workdays import YearNotice
from sync_server.casework import summaries
from sync_server.casework.deadlines import save_notice
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Case, CaseSummary, Record
from tests.sync_server.bulk import add_cases, insert_records, record_rows, templates
from tests.sync_server.finding_helpers import acknowledge_all
from tests.sync_server.helpers import Clock, FieldTeam, home_visit, refused_visit
from tests.sync_server.test_review_api import entrust, neighbour

C = f"/api/v1/cases/{DEMO_CASE_ID}"
FIELDS = [f for f in CaseSummary.model_fields if f != "updated_at"]


def kept(app: FastAPI, case_id: str = DEMO_CASE_ID) -> dict:
    with app.state.services.session() as session:
        row = session.get(CaseSummary, case_id)
        assert row is not None, f"no summary for {case_id}"
        return {f: getattr(row, f) for f in FIELDS}


def recomputed(app: FastAPI, case_id: str = DEMO_CASE_ID) -> dict:
    """The summary computed from scratch by the same rules, for comparison."""
    with app.state.services.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        table = app.state.services.holidays(session)
        row = summaries.summary_of(session, case, table, app.state.services.clock())
        return {f: getattr(row, f) for f in FIELDS}


def review(team: FieldTeam, **body: str):
    return team.client.post(f"{C}/review", json=body, headers=team.headers["wangfang"])


def test_ingest_a_return_and_an_acceptance_rewrite_the_summary_in_their_transaction(team: FieldTeam, app: FastAPI,
                                                                                   clock: Clock):
    entrust(app, "home_visit")
    before = kept(app)
    assert (before["records"], before["checklist_status"], before["review_status"]) == (0, "incomplete", "pending")
    assert team.submit(home_visit()).status_code == 200
    after = kept(app)
    assert after == recomputed(app)
    assert (after["records"], after["home_visits"], after["checklist_status"], after["missing"]) == \
        (1, 1, "incomplete", 1)  # issue 16: the photos' findings are not yet acknowledged
    assert after["last_record_at"] is not None
    assert acknowledge_all(team) > 0
    seen = kept(app)  # the acknowledgements rewrite the summary in their transaction
    assert (seen["checklist_status"], seen["missing"]) == ("complete", 0) and seen == recomputed(app)
    assert review(team, action="return", target="rec-hv-000001", reason="卧室照片模糊").status_code == 200
    returned = kept(app)
    assert (returned["review_status"], returned["open_returns"], returned["checklist_status"]) == \
        ("returned", 1, "incomplete")
    assert returned == recomputed(app)
    clock.advance(minutes=5)
    assert team.submit(home_visit("rec-hv-000002")).status_code == 200  # the answer to the return
    assert acknowledge_all(team) > 0
    assert review(team, action="accept", reason="").status_code == 200
    accepted = kept(app)
    assert (accepted["review_status"], accepted["open_returns"], accepted["records"]) == ("accepted", 0, 2)
    assert accepted == recomputed(app)


def test_a_refused_visit_makes_the_case_refused_return_and_counts_the_refusal(team: FieldTeam, app: FastAPI):
    entrust(app, "home_visit")
    assert team.submit(refused_visit()).status_code == 200
    summary = kept(app)
    assert (summary["refused"], summary["checklist_status"]) == (1, "refused_return")
    assert summary == recomputed(app)
    found = team.client.get("/api/v1/review/cases", params={"status": "refused_return"},
                            headers=team.headers["wangfang"]).json()
    assert [r["id"] for r in found["rows"]] == [DEMO_CASE_ID]


def test_neighbour_interviews_and_an_intake_change_are_counted(team: FieldTeam, app: FastAPI):
    entrust(app, "home_visit", "neighbour_interview")
    assert team.submit(neighbour("rec-nb-000001", "邻居甲")).status_code == 200
    assert (kept(app)["neighbour_interviews"], kept(app)["checklist_status"]) == (1, "incomplete")
    assert acknowledge_all(team) == 1  # issue 16: the interview came with no position fix
    entrust(app, "neighbour_interview")  # the case row changes: its checklist does too
    assert kept(app) == recomputed(app) and kept(app)["checklist_status"] == "complete"


def test_a_rolled_back_change_leaves_the_summary_as_it_was(team: FieldTeam, app: FastAPI):
    before = kept(app)
    with app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        assert case is not None
        case.entrustment_recorded = False
        session.add(case)
        session.flush()
        session.rollback()
    assert kept(app) == before


def test_a_holiday_notice_moves_every_deadline(team: FieldTeam, app: FastAPI):
    before = kept(app)["deadline"]
    with app.state.services.session() as session:
        holidays = [date(2026, 11, d) for d in range(17, 28) if date(2026, 11, d).weekday() < 5]
        save_notice(session, YearNotice(year=2026, holidays=holidays, workdays=[]), app.state.services.clock())
        session.commit()
    after = kept(app)["deadline"]
    assert after > before and after == recomputed(app)["deadline"]


@pytest.mark.both_databases
def test_the_backfill_computes_what_the_live_upkeep_kept(team: FieldTeam, app: FastAPI):
    """Several cases: the demo case after ingest, a return and a refusal; bulk cases of 3 to 7 records."""
    entrust(app, "home_visit", "neighbour_interview")
    assert team.submit(refused_visit()).status_code == 200
    assert team.submit(neighbour("rec-nb-000001", "邻居甲")).status_code == 200
    assert review(team, action="return", target="rec-nb-000001", reason="请补充第二位邻居").status_code == 200
    kinds = templates()
    with app.state.services.session() as session:
        for n in range(5):
            add_cases(session, n, 1, 3 + n, kinds)
    with app.state.services.session() as session:
        live = {r.case_id: {f: getattr(r, f) for f in FIELDS} for r in session.exec(select(CaseSummary))}
    assert len(live) >= 7 and live[DEMO_CASE_ID]["review_status"] == "returned"
    with app.state.services.session() as session:
        for row in session.exec(select(CaseSummary)):
            session.delete(row)
        session.commit()
    with app.state.services.session() as session:
        assert summaries.fill_missing(session) == len(live)
        kept_after_fill = dict(session.info.get("case_summaries.checklists", {}))
        session.commit()
    assert kept_after_fill == {}  # a backfill of every case keeps no checklist in memory for an answer
    with Session(app.state.services.engine) as session:
        backfilled = {r.case_id: {f: getattr(r, f) for f in FIELDS} for r in session.exec(select(CaseSummary))}
    assert backfilled == live


@pytest.mark.both_databases
def test_two_writers_into_one_case_at_once_leave_a_summary_counting_both(app: FastAPI, monkeypatch):
    """Two transactions merge a record into one case at the same moment. Each would compute the summary over
    its own snapshot (PostgreSQL, READ COMMITTED) and the second commit would drop the first's record; the
    case row is locked first, so the second waits and counts both. Both are held once they have inserted, so
    that both hold the lock an insert takes on the case it references (a FOR UPDATE then deadlocked on
    PostgreSQL), and again just before they compute, to make them meet there if the lock lets them. On SQLite
    the second writer's insert already waits for the first's write lock, within a 5 s busy timeout: the first
    is held 2 × 0.5 s there, not 2 × 2 s, which a busy machine pushed past those 5 s (a CI run)."""
    kinds, compute = templates(), summaries.summary_of
    inserted, meet = threading.Barrier(2), threading.Barrier(2)
    held_s = 0.5 if app.state.services.engine.dialect.name == "sqlite" else 2.0

    def wait(barrier: threading.Barrier) -> None:
        # the other writer waits for a lock this one holds: as it should on SQLite, or here
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=held_s)

    def held_summary_of(*args, **kwargs):  # type: ignore[no-untyped-def]
        wait(meet)
        return compute(*args, **kwargs)

    monkeypatch.setattr(summaries, "summary_of", held_summary_of)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with app.state.services.session() as session:
                insert_records(session, *record_rows(DEMO_CASE_ID, 0, 1, kinds, first=n))
                wait(inserted)
                summaries.refresh(session, [DEMO_CASE_ID])
                session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.state.services.session() as session:
        assert session.get(CaseSummary, DEMO_CASE_ID).records == 2


def test_the_answer_to_a_record_carries_the_checklist_its_summary_was_kept_with(team: FieldTeam, app: FastAPI):
    """POST /records answers with the checklist computed once, as the summary was refreshed in the commit;
    it is the case's checklist as read afterwards, for a new record and for one already merged. The row
    keeps the respondent's name the checklist counts (no sealed record parsed)."""
    entrust(app, "home_visit")
    visit = home_visit()
    for status in ("merged", "already_merged"):
        answer = team.submit(visit)
        assert answer.status_code == 200 and answer.json()["status"] == status, answer.text
        case = team.client.get(C, headers=team.headers["wangfang"]).json()
        assert answer.json()["completeness"] == case["completeness"]
        assert case["completeness"]["status"] == "incomplete"  # issue 16: until its findings are acknowledged
    with app.state.services.session() as session:
        row = session.get(Record, visit.record.id)
        assert row is not None and row.respondent_name == visit.record.respondent.name != ""
