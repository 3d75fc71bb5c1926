"""GET /cases: who sees which case, and the deadline each shows (R3)."""
from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from schemas.protocol import API_PREFIX, CASES_PAGE, AccountRole
from schemas.workdays import YearNotice
from sync_server.accounts.auth import create_account
from sync_server.casework.deadlines import save_notice
from sync_server.office import intake
from sync_server.ops.seed import DEMO_CASE_ID, DEMO_TEAM_ID, DEMO_UNIT, UNAUTHORIZED_CASE_ID
from sync_server.tables import Account, Case, Team
from sync_server.tables.queries import visible_cases
from tests.sync_server.bulk import add_cases, templates
from tests.sync_server.helpers import Clock, FieldTeam, password_login, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]

BOTH = [DEMO_CASE_ID, UNAUTHORIZED_CASE_ID]


def case_ids(team: FieldTeam, headers: dict[str, str]) -> list[str]:
    response = team.client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()]


def add_case(app: FastAPI, case_id: str, accepted_on: date) -> None:
    with app.state.services.session() as session:
        session.add(Case(id=case_id, title="测试案件", entrusting_unit=DEMO_UNIT, address="重庆市渝北区",
                         authorization_recorded=True, entrustment_recorded=True, accepted_on=accepted_on,
                         required_checks=["home_visit"], team_id=DEMO_TEAM_ID))
        session.commit()


def test_a_surveyor_sees_the_cases_of_their_team_with_subjects_and_team(team: FieldTeam):
    cases = team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()
    assert [c["id"] for c in cases] == BOTH
    demo = cases[0]
    assert [s["relation"] for s in demo["subjects"]] == ["户主", "配偶", "子女"]
    team_members = [(p["name"], p["work_id"]) for p in demo["team"]]
    assert team_members == [("李娜", "YB-2026-023"), ("张伟", "YB-2026-017")]
    assert (demo["authorization_recorded"], cases[1]["authorization_recorded"]) == (True, False)


def test_a_surveyor_of_another_team_sees_none_of_them(team: FieldTeam, outsider):
    headers, _key = outsider
    assert case_ids(team, headers) == []
    problem = problem_of(team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=headers))
    assert problem["code"] == "case.not_assigned"


def test_reviewers_see_every_case_and_township_staff_their_units(app: FastAPI, team: FieldTeam):
    with app.state.services.session() as session:
        create_account(session, username="hefang", name="何芳", role=AccountRole.TOWNSHIP,
                       password="Other#Street2026", unit="渝北区双凤桥街道办事处")
        session.commit()
    assert case_ids(team, team.headers["wangfang"]) == BOTH
    assert case_ids(team, password_login(team.client, "chenjing")) == BOTH
    other_street = password_login(team.client, "hefang", "Other#Street2026")
    assert case_ids(team, other_street) == []
    assert problem_of(team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=other_street))["code"] == \
        "auth.forbidden"


def test_the_deadline_is_ten_working_days_after_acceptance(team: FieldTeam):
    """R3: accepted Monday 16 Nov 2026; ten working days later is Monday 30 Nov."""
    demo = team.client.get(f"/api/v1/cases/{DEMO_CASE_ID}", headers=team.headers["lina"]).json()["case"]
    dates = (demo["accepted_on"], demo["deadline"], demo["deadline_warning"])
    assert dates == ("2026-11-16", "2026-11-30", "")


def test_a_deadline_in_a_year_without_a_notice_carries_a_warning(app: FastAPI, team: FieldTeam, clock: Clock):
    """R3: years whose official arrangement is not entered are counted by weekends, and say so."""
    add_case(app, "case-yb-2026-0099", date(2026, 12, 24))
    add_case(app, "case-yb-2031-0001", date(2031, 5, 6))
    cases = {c["id"]: c for c in team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()}
    assert cases["case-yb-2026-0099"]["deadline"] == "2027-01-07"
    assert "2027" in cases["case-yb-2026-0099"]["deadline_warning"]
    assert "2031" in cases["case-yb-2031-0001"]["deadline_warning"]
    with app.state.services.session() as session:
        save_notice(session, YearNotice(year=2027, holidays=[date(2027, 1, 1)], source="测试通知"), clock.now)
        session.commit()
    case = team.client.get("/api/v1/cases/case-yb-2026-0099", headers=team.headers["zhangwei"]).json()["case"]
    assert (case["deadline"], case["deadline_warning"]) == ("2027-01-08", "")


def test_a_case_nobody_created_is_unknown(team: FieldTeam):
    problem = problem_of(team.client.get("/api/v1/cases/case-nope", headers=team.headers["wangfang"]))
    assert (problem["code"], problem["status"]) == ("case.unknown", 404)


def test_a_county_of_cases_comes_in_pages_each_once_in_order(app: FastAPI, team: FieldTeam):
    """A request costs the same for a county as for a team: at most CASES_PAGE cases per answer, a `Link`
    header (rel="next") to the rest, every case once, in the server's listing order (cases made in one
    statement, with one listing number, by id: the page boundary falls among them)."""
    with app.state.services.session() as session:
        add_cases(session, 0, 2 * CASES_PAGE + 50, 0, templates())
        everything = [c.id for c in visible_cases(session, session.get(Account, "wangfang"))]
    pages: list[list[str]] = []
    url = f"{API_PREFIX}/cases"
    while url:
        response = team.client.get(url, headers=team.headers["wangfang"])
        assert response.status_code == 200, response.text
        pages.append([c["id"] for c in response.json()])
        url = response.links.get("next", {}).get("url", "")
    assert [len(p) for p in pages] == [CASES_PAGE, CASES_PAGE, len(everything) - 2 * CASES_PAGE]
    assert [i for p in pages for i in p] == everything and len(set(everything)) == len(everything)
    small = team.client.get(f"{API_PREFIX}/cases?limit=7", headers=team.headers["wangfang"])
    assert len(small.json()) == 7 and "limit=7" in small.links["next"]["url"]


def _pages(team: FieldTeam, headers: dict[str, str], limit: int, between=lambda: None) -> list[list[str]]:
    """Every page of GET /cases, following `Link: rel="next"`; `between` runs after the first page."""
    pages: list[list[str]] = []
    url = f"{API_PREFIX}/cases?limit={limit}"
    while url:
        response = team.client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append([c["id"] for c in response.json()])
        url = response.links.get("next", {}).get("url", "")
        if len(pages) == 1:
            between()
    return pages


def test_a_case_created_or_given_to_the_team_while_a_tablet_pages_comes_on_a_later_page(
        app: FastAPI, team: FieldTeam):
    """A case accepted earlier than every listed one, with the smallest id, created between two pages; and
    a case of another team given to this one then: both come on the next pages (before the listing order,
    both sorted before the cursor and were skipped until the next refresh)."""
    with app.state.services.session() as session:
        session.add(Team(id="team-yb-09", name="渝北区第九调查小组"))
        session.commit()
    add_case(app, "case-b-moved", date(2026, 1, 2))
    with app.state.services.session() as session:
        session.get(Case, "case-b-moved").team_id = "team-yb-09"
        session.commit()
    add_case(app, "case-later-1", date(2026, 11, 20))
    add_case(app, "case-later-2", date(2026, 11, 21))

    def meanwhile() -> None:
        add_case(app, "case-a-backdated", date(2026, 1, 1))
        with app.state.services.session() as session:
            intake.assign_team(session, session.get(Account, "wangfang"), session.get(Case, "case-b-moved"),
                               DEMO_TEAM_ID)
            session.commit()
    pages = _pages(team, team.headers["zhangwei"], 2, meanwhile)
    listed = [i for p in pages for i in p]
    assert listed[:2] == BOTH and sorted(listed) == sorted([*BOTH, "case-later-1", "case-later-2",
                                                            "case-a-backdated", "case-b-moved"])
    assert listed[-2:] == ["case-a-backdated", "case-b-moved"]  # after the cases listed before them


@pytest.mark.parametrize("query", ["after_seq=yesterday", "after_seq=-1", f"limit={CASES_PAGE + 1}", "limit=0"])
def test_a_malformed_page_position_is_refused(team: FieldTeam, query: str):
    response = team.client.get(f"{API_PREFIX}/cases?{query}", headers=team.headers["wangfang"])
    assert response.status_code == 422 and problem_of(response)["code"] == "request.invalid"
