"""The case list at scale (issue 19), on SQLite and PostgreSQL: the search by name or ID number over the
summary rows finds exactly the cases a plain reading of the subjects finds, and follows a subject's change
in the same commit; on PostgreSQL the pg_trgm indexes answer Chinese names and ID digits; the count stops
a few pages ahead and says "more"; the filter options equal a DISTINCT over the cases."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import Session, col, select

from sync_server.casework import reviewer_list
from sync_server.casework.reviewer_list import COUNT_AHEAD, PAGE_SIZE, Filters
from sync_server.tables import Account, Case, Subject
from tests.sync_server.bulk_cases import add_bare_cases
from tests.sync_server.helpers import FieldTeam

pytestmark = pytest.mark.both_databases
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
QUERIES = ["王建国", "张伟", "之子", "伟之", "秀", "5001", "500112197", "x", "%", "不存在的人"]


def listed(session: Session, account: Account, **filters: str) -> list[str]:
    """Every case id the list gives for these filters, page by page."""
    ids, number = [], 1
    while True:
        page = reviewer_list.case_page(session, account, Filters(page=number, **filters), NOW)  # type: ignore[arg-type]
        ids += [row.id for row in page.rows]
        if page.page >= page.pages:
            return ids
        number += 1


def expected(session: Session, query: str) -> set[str]:
    """The cases whose subjects match, read plainly: a name holding the query, or (4+) an ID number."""
    query = query.strip().upper()
    return {s.case_id for s in session.exec(select(Subject))
            if query in s.name or (len(query) >= 4 and query in s.id_number.upper())}


def test_the_search_finds_what_the_subjects_say_and_follows_their_changes(team: FieldTeam, app: FastAPI):
    with app.state.services.session() as session:
        add_bare_cases(session, 300)
        reviewer = session.exec(select(Account).where(Account.username == "wangfang")).one()
        for query in QUERIES:
            assert set(listed(session, reviewer, q=query)) == expected(session, query), query
        subject = session.get(Subject, "case-bare-000007-s1")
        assert subject is not None
        subject.name, subject.id_number = "欧阳娜娜", "50011219850101777X"
        session.add(subject)
        session.commit()
        assert listed(session, reviewer, q="欧阳娜") == ["case-bare-000007"]
        assert listed(session, reviewer, q="777x") == ["case-bare-000007"]  # ID numbers in any case
        assert listed(session, reviewer, q="777") == []  # under 4 characters: names only


def test_the_count_stops_ahead_and_says_more(team: FieldTeam, app: FastAPI):
    with app.state.services.session() as session:
        add_bare_cases(session, 300)
        reviewer = session.exec(select(Account).where(Account.username == "wangfang")).one()
        everything = session.exec(select(Case.id).where(reviewer_list.queries.visible(reviewer))).all()
        first = reviewer_list.case_page(session, reviewer, Filters(), NOW)
        assert (first.total, first.more, first.pages) == (COUNT_AHEAD, True, COUNT_AHEAD // PAGE_SIZE)
        far = reviewer_list.case_page(session, reviewer, Filters(page=14), NOW)
        assert (far.total, far.more, far.page) == (len(everything), False, 14)
        assert sorted(listed(session, reviewer)) == sorted(everything)
    shown = team.client.get("/api/v1/review/cases", headers=team.headers["wangfang"]).json()
    assert shown["more"] is True and shown["total"] == COUNT_AHEAD


def test_the_filter_options_are_the_distinct_values(team: FieldTeam, app: FastAPI):
    with app.state.services.session() as session:
        add_bare_cases(session, 50)
        for account in session.exec(select(Account)):
            where = reviewer_list.queries.visible(account)
            units = list(session.exec(select(Case.entrusting_unit).where(where).distinct()
                                      .order_by(col(Case.entrusting_unit))))
            teams = list(session.exec(select(Case.team_id).where(where).distinct().order_by(col(Case.team_id))))
            assert reviewer_list.choices(session, account) == {"townships": units, "teams": teams}, account.username


def test_the_search_reads_the_summaries_alone_from_trigram_indexes_on_postgres(team: FieldTeam, app: FastAPI,
                                                                              backend: str):
    """PostgreSQL: pg_trgm makes trigrams of Chinese names and ID digits, and the GIN indexes answer the LIKE;
    SQLite: the plain path, one pass over the summary rows and no other table."""
    with app.state.services.session() as session:
        add_bare_cases(session, 300)
        for query, column in (("王建国", "search_names"), ("500112", "search_ids")):
            like = f"SELECT case_id FROM case_summaries WHERE {column} LIKE :q"
            if backend == "sqlite":
                plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {like}"),
                                                                    {"q": f"%{query}%"}))
                assert plan == "SCAN case_summaries", plan
                continue
            assert len(session.execute(text("SELECT show_trgm(:q)"), {"q": query}).scalar_one()) >= 3
            session.execute(text("ANALYZE case_summaries"))
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(session.execute(text(f"EXPLAIN {like}"), {"q": f"%{query}%"}).scalars())
            assert f"ix_case_summaries_{column}_trgm" in plan, plan
