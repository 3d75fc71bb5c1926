"""Demo data: one team, its staff, an authorized case and one without the family's consent."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from sync_server.accounts.passwords import password_problems, pin_problems
from sync_server.db import make_engine
from sync_server.office.conformity import is_released
from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_CASE_ID, UNAUTHORIZED_CASE_ID, seed_demo
from sync_server.settings import Settings
from sync_server.tables import Account, Case, SessionToken, Subject, Team


def counts(session: Session) -> tuple[int, ...]:
    tables = (Team, Account, Case, Subject)
    return tuple(session.exec(select(func.count()).select_from(t)).one() for t in tables)


@pytest.mark.both_databases
def test_seeding_twice_adds_nothing_the_second_time(empty_database_url: str, tmp_path):
    """The demo goes through the API and intake: the ready case is released after two checks (R1, R26)."""
    settings = Settings(tmp_path, database_url=empty_database_url)
    assert seed_demo(settings, date(2026, 11, 16)) == 12  # the administrator's pledge and training too (R41)
    assert seed_demo(settings, date(2026, 11, 20)) == 0
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        assert counts(session) == (1, 6, 2, 4)
        assert is_released(session, DEMO_CASE_ID) and not is_released(session, UNAUTHORIZED_CASE_ID)
        assert session.exec(select(func.count()).select_from(SessionToken)).one() == 0  # signed out
        case = session.get(Case, DEMO_CASE_ID)
        assert case.accepted_on == date(2026, 11, 16) and (case.lat, case.lon) == (29.5893, 106.5318)
        assert case.authorization_recorded and case.entrustment_recorded
        assert not session.get(Case, UNAUTHORIZED_CASE_ID).authorization_recorded  # R1 shown on the tablet
        relations = [s.relation for s in session.exec(select(Subject).where(Subject.case_id == DEMO_CASE_ID))]
        assert sorted(relations) == sorted(["户主", "配偶", "子女"])
    engine.dispose()


def test_demo_secrets_pass_the_same_checks_as_real_ones():
    """R6: the printed demo passwords and PINs are strong."""
    for demo in DEMO_ACCOUNTS:
        assert password_problems(demo.password, demo.username) == []
        assert demo.pin == "" or pin_problems(demo.pin) == []
    assert {d.role.value for d in DEMO_ACCOUNTS} == {"surveyor", "township", "reviewer", "admin"}
