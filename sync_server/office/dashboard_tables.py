"""The dashboard's figures as named tables (issue 20): the page shows each under its chart, and the same
rows go into its XLSX download, so what a director reads and what they analyse are one thing.

Rates are percentages rounded to one decimal (None when nothing was counted: shown as "—", an empty
cell in the workbook); averages are working days rounded to one decimal."""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from schemas.findings import LABELS as FINDING_LABELS
from sync_server.office.dashboard import Figures, PersonTally, Tally

Cell = str | int | float | None
TALLY_HEADERS = ["受理案件", "办结案件", "按期办结", "逾期", "按期率（%）", "平均办理工作日"]


@dataclass(frozen=True)
class Table:
    name: str  # the key in URLs: weeks, agencies, ...
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def tally_cells(tally: Tally) -> list[Cell]:
    return [tally.received, tally.done, tally.on_time, tally.overdue, percent(tally.on_time_rate),
            one_decimal(tally.average_working_days)]


def person_cells(username: str, person: PersonTally) -> list[Cell]:
    return [person.name, username, person.records, person.refused, person.returned, percent(person.return_rate),
            *tally_cells(person)]


def tables(out: Figures) -> dict[str, Table]:
    """Every table of the dashboard, in page order."""
    found: list[Table] = [
        Table("summary", "总体情况", ["指标", "数值"], [
            ["受理案件", out.total.received], ["办结案件", out.total.done], ["按期办结", out.total.on_time],
            ["逾期", out.total.overdue], ["按期率（%）", percent(out.total.on_time_rate)],
            ["平均办理工作日", one_decimal(out.total.average_working_days)],
            ["调查记录", out.records], ["退回记录", out.returned_records], ["退回次数", out.returns],
            ["每份记录退回次数", None if not out.records else round(out.returns / out.records, 3)],
            ["拒绝入户（记录）", out.refused], ["拒绝率（%）", percent(out.rate(out.refused, out.records))],
            ["无法签字（记录）", out.cannot_sign], ["无法签字率（%）", percent(out.rate(out.cannot_sign, out.records))],
            ["复核轮次：开启", out.rounds_opened], ["复核轮次：已办结", out.rounds_closed],
            ["复核轮次：已反馈委托单位", out.rounds_fed_back]]),
        Table("weeks", "按周趋势（按受理周）", ["周起始日", *TALLY_HEADERS],
              [[week.isoformat(), *tally_cells(t)] for week, t in out.by_week.items()]),
        Table("agencies", "按核查机构", ["核查机构", *TALLY_HEADERS],
              [[name, *tally_cells(t)] for name, t in sorted(out.by_agency.items())]),
        Table("teams", "按调查小组", ["调查小组", *TALLY_HEADERS],
              [[name, *tally_cells(t)] for name, t in sorted(out.by_team.items())]),
        Table("units", "按委托单位", ["委托单位", *TALLY_HEADERS],
              [[name, *tally_cells(t)] for name, t in sorted(out.by_unit.items())]),
        Table("people", "按人员（过程与时效，§4.3.5）",
              ["姓名", "账号", "签章记录", "拒绝入户", "被退回记录", "退回率（%）", *TALLY_HEADERS],
              [person_cells(u, p) for u, p in out.by_person.items()]),
        Table("reasons", "退回原因（前十）", ["退回原因", "次数"], [[r, n] for r, n in out.reasons]),
        Table("findings", "留证发现（按类型）", ["发现类型", "代码", "记录数"],
              [[FINDING_LABELS[code], code, n] for code, n in out.findings.items()]),
    ]
    return {t.name: t for t in found}


def workbook(chosen: list[Table], out: Figures) -> bytes:
    """The tables as one XLSX, a sheet each, the period in the first row (openpyxl, write-only)."""
    from openpyxl import Workbook  # loaded when a workbook is asked for

    book = Workbook(write_only=True)
    for table in chosen:
        sheet = book.create_sheet(title=table.title[:31].replace("/", "／"))
        sheet.append([f"统计期间：{out.period_from.isoformat()} 至 {out.period_to.isoformat()}"])
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
