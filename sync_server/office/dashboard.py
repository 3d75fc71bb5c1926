"""The director's dashboard (统计, issue 20; §4.2.1, §4.3.5, R3, R37): what the office did over a period.

Every figure is counted in SQL over the cases accepted in the period (and the account's view of them,
`queries.visible`), grouped by agency, team, entrusting unit and person, with a trend by week:

- received: cases accepted in the period; done: cases with an issued report (its first version);
- on time: done on or before the working-day deadline the case list shows (case_summaries.deadline, R3);
  overdue: done after it, or not done and the deadline has passed (as of today);
- working days to report: the working days after acceptance up to the first report's date (the
  holiday table in force, schemas/workdays.py), averaged over the done cases;
- returns: the review decisions "return" on a record (per record: returned records / records);
- refusals and inability to sign: records refused (R13), records carrying a cannot-sign proof (R12);
- rounds: re-verification rounds opened (R19) and how many are closed and fed back;
- findings: records with each kind of evidence finding (record_findings, issue 16).

A person is credited with the records they sealed (record_surveyors: both surveyors of the pair, not only
the one whose tablet delivered it) and with the cases of those records: the sealed JSON is never parsed
here, so the cost stays one pass over the rows."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Date, and_, case, cast, func, select, text
from sqlmodel import Session, col

from schemas import findings as finding_codes
from schemas.beijing import beijing_date
from schemas.records import Outcome, Role
from schemas.review import ReviewActionKind
from schemas.workdays import HolidayTable
from sync_server.tables import (
    Account,
    Case,
    CaseSummary,
    Organisation,
    Record,
    RecordEvidence,
    RecordFindings,
    RecordSurveyor,
    ReportVersion,
    ReVerificationRound,
    ReviewEntry,
    Team,
    queries,
)

FINDING_CODES = tuple(finding_codes.LABELS)  # every kind of finding, with its Chinese label
TOP_REASONS = 10
WORK_MEM = "64MB"  # PostgreSQL's memory for the dashboard's groupings (figures())


@dataclass
class Tally:
    """The timeliness figures of one group of cases."""

    received: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    working_days: int = 0  # summed over the done cases

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.done if self.done else None

    @property
    def average_working_days(self) -> float | None:
        return self.working_days / self.done if self.done else None


@dataclass
class PersonTally(Tally):
    """A person's process figures besides the timeliness of their cases (§4.3.5)."""

    name: str = ""
    records: int = 0
    refused: int = 0
    returned: int = 0  # of their records, how many a reviewer returned

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.records if self.records else None


@dataclass
class Figures:
    period_from: date
    period_to: date
    today: date
    total: Tally = field(default_factory=Tally)
    by_agency: dict[str, Tally] = field(default_factory=dict)  # keyed by the agency's name
    by_team: dict[str, Tally] = field(default_factory=dict)  # the team's name
    by_unit: dict[str, Tally] = field(default_factory=dict)  # the entrusting unit
    by_week: dict[date, Tally] = field(default_factory=dict)  # the Monday of the acceptance week
    by_person: dict[str, PersonTally] = field(default_factory=dict)  # username
    records: int = 0
    refused: int = 0
    cannot_sign: int = 0
    returns: int = 0  # return decisions on records
    returned_records: int = 0  # distinct records returned
    reasons: list[tuple[str, int]] = field(default_factory=list)  # the most frequent return reasons
    rounds_opened: int = 0
    rounds_closed: int = 0
    rounds_fed_back: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # code -> records with it

    def rate(self, part: int, whole: int) -> float | None:
        return part / whole if whole else None


class WorkdayIndex:
    """Working days between two dates in O(1): a running count over the days of the span asked."""

    def __init__(self, first: date, last: date, table: HolidayTable) -> None:
        self.first, self.counts = first, [0]
        day = first
        while day <= last:
            day += timedelta(days=1)
            self.counts.append(self.counts[-1] + (1 if table.is_workday(day) else 0))

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (the day of acceptance is not counted)."""
        if end <= start:
            return 0
        return self.counts[(end - self.first).days] - self.counts[(start - self.first).days]


def period_cases(account: Account, period_from: date, period_to: date) -> ColumnElement[bool]:
    """The WHERE clause: cases the account may see, accepted in the period."""
    return and_(queries.visible(account), col(Case.accepted_on) >= period_from, col(Case.accepted_on) <= period_to)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def reported_day(db: Connection, issued_at: Any) -> ColumnElement[Any]:
    """The Beijing date of a stored UTC time, in SQL (Beijing keeps no daylight saving: UTC + 8 h)."""
    if db.dialect.name == "postgresql":
        return cast(issued_at + text("interval '8 hours'"), Date)
    return func.date(issued_at, "+8 hours")


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def figures(session: Session, account: Account, period_from: date, period_to: date, now: datetime,
            table: HolidayTable) -> Figures:
    """Every figure of the dashboard for the account's cases accepted in [period_from, period_to].

    The cases are counted in SQL grouped by what decides their figures (agency, team, unit, acceptance
    date, deadline, date of the first report): the rows that come back are far fewer than the cases. The
    records and refusals of those cases are summed from case_summaries in the same pass."""
    today = beijing_date(now)
    out = Figures(period_from, period_to, today)
    where = period_cases(account, period_from, period_to)
    db = session.connection()  # Core rows, not the ORM's: the figures are plain columns
    if db.dialect.name == "postgresql":
        # The groupings below hash a year of cases (tens of MB at 100k cases): with the default 4 MB PostgreSQL
        # sorts them through temporary files instead (EXPLAIN ANALYZE: external merge, 3x slower). For this
        # transaction only.
        db.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    reported = reported_day(db, col(ReportVersion.issued_at)).label("reported")
    keys = (col(Case.agency_id), col(Case.team_id), col(Case.entrusting_unit), col(Case.accepted_on),
            col(CaseSummary.deadline), reported)
    rows = db.execute(
        select(*keys, func.count(), func.sum(col(CaseSummary.records)), func.sum(col(CaseSummary.refused)))
        .select_from(Case).join(CaseSummary, col(CaseSummary.case_id) == col(Case.id))
        .outerjoin(ReportVersion, first_report()).where(where).group_by(*keys)).all()
    agencies: dict[str, str] = dict(db.execute(select(col(Organisation.id), col(Organisation.name))).all())
    teams: dict[str, str] = dict(db.execute(select(col(Team.id), col(Team.name))).all())
    last = max([today, period_to] + [r[4] for r in rows] + [_day(r[5]) or today for r in rows])
    index = WorkdayIndex(period_from - timedelta(days=1), last + timedelta(days=1), table)
    verdicts: dict[tuple[date, date, date | None], tuple[bool, bool, bool, int]] = {}
    for agency_id, team_id, unit, accepted_on, deadline, day, n, records, refused in rows:
        verdict = _judged(verdicts, index, accepted_on, deadline, _day(day), today)
        agency = agencies.get(agency_id or "", agency_id or "（未指定）")
        for group in (out.total, out.by_agency.setdefault(agency, Tally()),
                      out.by_team.setdefault(teams.get(team_id, team_id), Tally()),
                      out.by_unit.setdefault(unit, Tally()), out.by_week.setdefault(monday(accepted_on), Tally())):
            _count(group, n, *verdict)
        out.records += records or 0
        out.refused += refused or 0
    out.by_week = dict(sorted(out.by_week.items()))
    _cannot_sign(db, out, where)
    _people(db, out, where, reported, index, verdicts)
    _returns(db, out, where)
    _rounds(db, out, where)
    _findings(db, out, where)
    return out


def first_report() -> ColumnElement[bool]:
    """The join on a case's first report: its version 1 (issuing again adds version n+1, never a lower one)."""
    return and_(col(ReportVersion.case_id) == col(Case.id), col(ReportVersion.version) == 1)


def _judged(verdicts: dict[tuple[date, date, date | None], tuple[bool, bool, bool, int]], index: WorkdayIndex,
            accepted_on: date, deadline: date, reported: date | None, today: date) -> tuple[bool, bool, bool, int]:
    """The verdict of the cases with these dates, judged once for all the groups that share them."""
    key = (accepted_on, deadline, reported)
    if key not in verdicts:
        verdicts[key] = _verdict(index, accepted_on, deadline, reported, today)
    return verdicts[key]


def _verdict(index: WorkdayIndex, accepted_on: date, deadline: date, reported: date | None,
             today: date) -> tuple[bool, bool, bool, int]:
    """(done, on time, overdue, working days to the report) of a case."""
    done = reported is not None
    on_time = reported is not None and reported <= deadline
    overdue = (done and not on_time) or (not done and deadline < today)
    return done, on_time, overdue, index.between(accepted_on, reported) if reported is not None else 0


def _count(group: Tally, n: int, done: bool, on_time: bool, overdue: bool, days: int) -> None:
    """Add n cases of one verdict."""
    group.received += n
    group.done += n * done
    group.on_time += n * on_time
    group.overdue += n * overdue
    group.working_days += n * days


def _cannot_sign(db: Connection, out: Figures, where: ColumnElement[bool]) -> None:
    out.cannot_sign = db.execute(
        select(func.count(func.distinct(col(RecordEvidence.record_id))))
        .join(Record, col(Record.id) == col(RecordEvidence.record_id)).join(Case, col(Case.id) == col(Record.case_id))
        .where(col(RecordEvidence.role) == Role.CANNOT_SIGN_PROOF.value, where)
    ).scalar_one()


def _people(db: Connection, out: Figures, where: ColumnElement[bool], reported: ColumnElement[Any],
            index: WorkdayIndex, verdicts: dict[tuple[date, date, date | None], tuple[bool, bool, bool, int]]) -> None:
    """Each sealer's records and cases, straight from record_surveyors (its case_id is the record's, written
    with it): the records table is read only for the refusals and the returns, the few rows they are."""
    sealer = col(RecordSurveyor.username)
    keys = (col(Case.accepted_on), col(CaseSummary.deadline), reported, sealer)
    rows = db.execute(
        select(*keys, func.count(func.distinct(col(RecordSurveyor.case_id))), func.count()).select_from(RecordSurveyor)
        .join(Case, col(Case.id) == col(RecordSurveyor.case_id))
        .join(CaseSummary, col(CaseSummary.case_id) == col(Case.id))
        .outerjoin(ReportVersion, first_report()).where(where).group_by(*keys)).all()
    refused: dict[str, int] = dict(db.execute(
        select(sealer, func.count()).select_from(Record)
        .join(RecordSurveyor, col(RecordSurveyor.record_id) == col(Record.id))
        .join(Case, col(Case.id) == col(Record.case_id))
        .where(where, col(Record.outcome) == Outcome.REFUSED.value).group_by(sealer)).all())
    returned = db.execute(
        select(sealer, func.count(func.distinct(col(RecordSurveyor.record_id)))).select_from(ReviewEntry)
        .join(RecordSurveyor, col(RecordSurveyor.record_id) == col(ReviewEntry.target))
        .join(Case, col(Case.id) == col(RecordSurveyor.case_id))
        .where(where, col(ReviewEntry.action) == ReviewActionKind.RETURN.value).group_by(sealer)).all()
    names: dict[str, str] = dict(db.execute(select(col(Account.username), col(Account.name))
                              .where(col(Account.username).in_({r[3] for r in rows}))).all())
    for accepted_on, deadline, day, username, cases, count in rows:
        person = out.by_person.setdefault(username, PersonTally(name=names.get(username, username)))
        person.records += count
        _count(person, cases, *_judged(verdicts, index, accepted_on, deadline, _day(day), out.today))
    for username, person in out.by_person.items():
        person.refused = refused.get(username, 0)
    for username, count in returned:
        if username in out.by_person:
            out.by_person[username].returned = count
    out.by_person = dict(sorted(out.by_person.items()))


def _returns(db: Connection, out: Figures, where: ColumnElement[bool]) -> None:
    """The return decisions on records, one pass over them (a second statement for the distinct records
    costs more than counting them here): reasons that differ only by surrounding spaces are one reason."""
    on_records = (select(col(ReviewEntry.reason), col(ReviewEntry.target))
                  .join(Record, col(Record.id) == col(ReviewEntry.target))
                  .join(Case, col(Case.id) == col(ReviewEntry.case_id))
                  .where(where, col(ReviewEntry.action) == ReviewActionKind.RETURN.value))
    reasons: Counter[str] = Counter()
    targets = set()
    for reason, target in db.execute(on_records):
        reasons[reason.strip()] += 1
        targets.add(target)
    out.returns, out.returned_records = sum(reasons.values()), len(targets)
    out.reasons = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]  # ties: by the reason


def _rounds(db: Connection, out: Figures, where: ColumnElement[bool]) -> None:
    closed = func.sum(case((col(ReVerificationRound.result) != "", 1), else_=0))
    fed = func.sum(case((col(ReVerificationRound.fed_back_on).is_not(None), 1), else_=0))
    opened, closed_n, fed_n = db.execute(
        select(func.count(), closed, fed).select_from(ReVerificationRound)
        .join(Case, col(Case.id) == col(ReVerificationRound.case_id)).where(where)).one()
    out.rounds_opened, out.rounds_closed, out.rounds_fed_back = opened or 0, closed_n or 0, fed_n or 0


def _findings(db: Connection, out: Figures, where: ColumnElement[bool]) -> None:
    """Records with each finding: findings_json is json.dumps of the findings (casework/findings.py)."""
    sums = [func.sum(case((col(RecordFindings.findings_json).contains(f'"code": "{code}"'), 1), else_=0))
            for code in FINDING_CODES]
    counts = db.execute(select(*sums).join(Case, col(Case.id) == col(RecordFindings.case_id)).where(where)).one()
    out.findings = {code: n or 0 for code, n in zip(FINDING_CODES, counts, strict=True)}


def grouped(out: Figures) -> dict[str, dict[str, Tally]]:
    """The group tables in the order the page shows them."""
    return {"核查机构": dict(out.by_agency), "调查小组": dict(out.by_team), "委托单位": dict(out.by_unit)}

