"""100k cases, fast: the case list at scale (bench/console_scale.py --bare, tests of the search index).

`add_bare_cases` writes cases shaped as tests/sync_server/bulk.py's (same units, names, ID numbers, checks,
acceptance dates) but with no records, so a 100k-case database takes seconds, not the hour its records
would. Their summaries are computed by the code that keeps them (summaries.refresh) for the first 240
cases, one per (checks, acceptance date) pair, and copied to the others with the same pair (a case with
no records has the same summary as its pair's, but for its id and its subjects' search text)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, select

from sync_server.casework import case_search, summaries
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_AGENCY, DEMO_TEAM_ID
from sync_server.tables import Case, CaseSummary, Subject
from tests.sync_server.bulk import CHECKS, NAMES, UNITS

PATTERN = 240  # n % 3 (checks) and n % 80 (acceptance date) repeat every 240 cases


def case_rows(n: int, prefix: str) -> tuple[dict, list[dict]]:
    """The case row of number n and its two subjects, as bulk.add_cases makes them."""
    case_id = f"{prefix}-{n:06d}"
    case = {"id": case_id, "title": f"{NAMES[n % len(NAMES)]}家庭经济状况核查", "entrusting_unit": UNITS[n % 4],
            "address": f"重庆市渝北区松石北路 {n} 号", "lat": 29.58, "lon": 106.53, "authorization_recorded": True,
            "entrustment_recorded": True, "accepted_on": date(2026, 9, 1) + timedelta(days=n % 80),
            "re_verification": False, "required_checks": CHECKS[n % 3], "team_id": DEMO_TEAM_ID,
            "agency_id": DEMO_AGENCY, "listed_seq": n}
    subjects = [{"id": f"{case_id}-s{p}", "case_id": case_id, "position": p,
                 "name": NAMES[(n + p) % len(NAMES)] + ("" if p == 0 else "之子"),
                 "id_number": make_id_number("500112", date(1960 + p * 25, 1 + n % 12, 1 + n % 28), n % 900 + 1,
                                             p == 1),
                 "relation": "本人" if p == 0 else "子女", "household_address": "", "note": ""} for p in range(2)]
    return case, subjects


def add_bare_cases(session: Session, count: int, prefix: str = "case-bare", batch: int = 5000) -> None:
    """`count` record-less cases of the demo team and agency with their subjects and summaries. Committed."""
    first = min(count, PATTERN)
    rows = [case_rows(n, prefix) for n in range(first)]
    session.execute(insert(Case), [c for c, _ in rows])
    session.execute(insert(Subject), [s for _, subjects in rows for s in subjects])
    summaries.refresh(session, [c["id"] for c, _ in rows])
    session.flush()
    kept = {s.case_id: s for s in session.exec(select(CaseSummary).where(
        col(CaseSummary.case_id).in_([c["id"] for c, _ in rows])))}
    patterns = [kept[c["id"]].model_dump() for c, _ in rows]
    session.commit()
    for start in range(first, count, batch):
        cases, subjects, summary_rows = [], [], []
        for n in range(start, min(start + batch, count)):
            case, its_subjects = case_rows(n, prefix)
            names, ids = case_search.search_texts(Subject(**s) for s in its_subjects)
            cases.append(case)
            subjects += its_subjects
            summary_rows.append(patterns[n % PATTERN] | {"case_id": case["id"], "search_names": names,
                                                          "search_ids": ids})
        session.execute(insert(Case), cases)
        session.execute(insert(Subject), subjects)
        session.execute(insert(CaseSummary), summary_rows)
        session.commit()
