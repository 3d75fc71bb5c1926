"""Who sees which case is one rule written twice: `queries.may_see` for one case in Python, and
`queries.visible` as the WHERE clause the case lists filter and page with in SQL. They must agree for
every role, including accounts without an agency, team or unit."""
from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import select

from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Account, Case, Team
from sync_server.tables.queries import may_see, visible_cases


def test_the_case_lists_where_clause_sees_exactly_what_may_see_allows(app: FastAPI):
    with app.state.services.session() as session:
        demo = session.get(Case, DEMO_CASE_ID)
        assert demo is not None
        session.add(Team(id="team-other", name="另一小组"))
        session.flush()
        session.add(Case(**{**demo.model_dump(), "id": "case-elsewhere", "team_id": "team-other",
                            "entrusting_unit": "别的街道", "agency_id": None}))
        session.commit()
        cases = list(session.exec(select(Case)))
        accounts = list(session.exec(select(Account)))
        assert {a.role for a in accounts} >= {"surveyor", "reviewer", "township", "admin"}
        variants = [Account(**{**a.model_dump(), **change}) for a in accounts
                    for change in ({}, {"org_id": None}, {"team_id": None}, {"unit": ""})]
        for account in variants:
            seen = {c.id for c in visible_cases(session, account)}
            assert seen == {c.id for c in cases if may_see(account, c)}, (account.role, account.username)
