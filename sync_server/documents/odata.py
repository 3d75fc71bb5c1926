"""An OData v4 feed of the exports (issue 20), so Excel ("从 OData 源") and Power BI read the office's data
as they read ODK Central's: a service document, $metadata (CSDL XML), and one entity set per dataset
(documents/exports.py) answering JSON with $top, $skip, $count, $select, $orderby and a small $filter.

$filter takes comparisons (eq, ne, gt, ge, lt, le) of a property with a literal ('text', 12, 2026-01-01,
true/false) joined by `and`. Comparisons on the case's own fields are pushed into SQL; the rest are
applied to the rows as they come. Pages hold at most MAX_PAGE entities; a longer answer carries
@odata.nextLink, which clients follow. Rows are the exports' rows: the same filters by role, the same
masking of ID numbers.

$select names the properties to send (the keys included or not, as asked). $orderby sorts by properties,
`asc` or `desc` (nulls first when ascending, as OData orders them); without it the rows come by case, as
the exports give them. A sorted answer is gathered whole before its first byte, so it is refused past
MAX_SORTED rows with a message to narrow it by $filter. Any other system query option ($expand, $search,
$apply, $compute …) is refused with its name: a client that asked for it never gets rows that ignore it."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import quoteattr

from sqlalchemy import ColumnElement
from sqlmodel import col

from schemas.problems import Code, ProblemError
from sync_server.documents.exports import DATASETS, Dataset, Value
from sync_server.tables import Case

NAMESPACE = "hecha"
MAX_PAGE = 1000
MAX_SORTED = 50_000  # rows a sorted answer may gather (a sort needs them all before the first is sent)
SUPPORTED = {"$top", "$skip", "$filter", "$count", "$select", "$orderby", "$format"}
# entity set -> (dataset, entity type, key properties)
ENTITY_SETS = {"Cases": ("cases", "Case", ("case_id",)), "Records": ("records", "Record", ("record_id",)),
               "Answers": ("answers", "Answer", ("record_id", "field")),
               "TableCells": ("table_cells", "TableCell", ("record_id", "table", "row", "column")),
               "Evidence": ("evidence", "EvidenceFile", ("record_id", "sha256")),
               "ReviewDecisions": ("reviews", "ReviewDecision", ("entry_id",))}
EDM = {"string": "Edm.String", "int": "Edm.Int64", "date": "Edm.Date", "bool": "Edm.Boolean",
       "datetime": "Edm.String"}  # times as Beijing text, as on screen
CASE_FIELDS = {"case_id": col(Case.id), "entrusting_unit": col(Case.entrusting_unit), "team_id": col(Case.team_id),
               "agency_id": col(Case.agency_id), "accepted_on": col(Case.accepted_on)}
_COMPARISON = re.compile(r"^\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+('(?:[^']|'')*'|\d{4}-\d{2}-\d{2}|-?\d+|true|false)\s*$")
_OPERATORS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
              "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b}


@dataclass(frozen=True)
class Comparison:
    name: str
    operator: str
    value: Any

    def holds(self, row: dict[str, Value]) -> bool:
        found = row.get(self.name)
        if found is None:
            return self.operator == "ne"
        try:
            return bool(_OPERATORS[self.operator](found, self.value))
        except TypeError:
            return False

    def sql(self) -> ColumnElement[bool]:
        column = CASE_FIELDS[self.name]
        return {"eq": column == self.value, "ne": column != self.value, "gt": column > self.value,
                "ge": column >= self.value, "lt": column < self.value, "le": column <= self.value}[self.operator]


def page_size(prefer: str, top: int | None) -> int:
    """Entities in one answer: MAX_PAGE, or less when the client prefers (`Prefer: odata.maxpagesize=n`),
    and never more than $top."""
    found = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", prefer)
    size = min(MAX_PAGE, int(found.group(1))) if found and int(found.group(1)) > 0 else MAX_PAGE
    return size if top is None else min(top, size)


def dataset_of(entity_set: str) -> Dataset:
    if entity_set not in ENTITY_SETS:
        raise ProblemError(Code.NOT_FOUND, f"没有名为“{entity_set}”的实体集")
    return DATASETS[ENTITY_SETS[entity_set][0]]


def parse_filter(text: str, dataset: Dataset) -> list[Comparison]:
    """`a eq 'x' and b ge 2026-01-01` → comparisons; anything else is a clear 400."""
    if not text.strip():
        return []
    kinds = {c.name: c.kind for c in dataset.columns}
    found = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _COMPARISON.match(part)
        if match is None:
            raise ProblemError(Code.VALIDATION, f"$filter 只支持“属性 eq|ne|gt|ge|lt|le 值”以 and 连接：{part[:80]}")
        name, operator, literal = match.groups()
        if name not in kinds:
            raise ProblemError(Code.VALIDATION, f"$filter 中没有属性“{name}”")
        found.append(Comparison(name, operator, _literal(literal, kinds[name])))
    return found


def refuse_unsupported(options: list[str], format_: str) -> None:
    """A clear 400 for a system query option this feed does not apply (rather than rows that ignore it)."""
    unknown = sorted({o for o in options if o.startswith("$") and o not in SUPPORTED})
    if unknown:
        raise ProblemError(Code.VALIDATION, f"本数据源不支持 {', '.join(unknown)}；支持 {', '.join(sorted(SUPPORTED))}")
    if format_ and format_.split(";")[0].strip().lower() not in ("json", "application/json"):
        raise ProblemError(Code.VALIDATION, f"$format 只支持 json：{format_[:40]}")


def parse_select(text: str, dataset: Dataset) -> list[str] | None:
    """`a,b` → the properties to send, in the entity's order; None (all) when empty or `*`."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names or names == ["*"]:
        return None
    known = [c.name for c in dataset.columns]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ProblemError(Code.VALIDATION, f"$select 中没有属性“{unknown[0][:60]}”")
    return [n for n in known if n in names]


def parse_orderby(text: str, dataset: Dataset) -> list[tuple[str, bool]]:
    """`a desc, b` → [(a, descending), (b, ascending)]; a clear 400 for anything else."""
    known = {c.name for c in dataset.columns}
    order = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        match = re.fullmatch(r"(\w+)(?:\s+(asc|desc))?", part)
        if match is None or match.group(1) not in known:
            raise ProblemError(Code.VALIDATION, f"$orderby 只支持“属性 [asc|desc]”以逗号分隔：{part[:80]}")
        order.append((match.group(1), match.group(2) == "desc"))
    return order


def sorted_entities(entities: Iterator[dict[str, Any]], order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """All the entities, sorted (stable, key by key from the last); refused past MAX_SORTED."""
    gathered = []
    for item in entities:
        gathered.append(item)
        if len(gathered) > MAX_SORTED:
            raise ProblemError(Code.VALIDATION,
                               f"排序的结果超过 {MAX_SORTED} 行，请先用 $filter 缩小范围（例如按受理日期）")
    for name, descending in reversed(order):  # nulls first when ascending (OData: null is the least)
        gathered.sort(key=lambda e: (e.get(name) is not None, e.get(name)), reverse=descending)
    return gathered


def projected(item: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    return item if select is None else {name: item[name] for name in select}


def _literal(literal: str, kind: str) -> Any:
    try:
        if literal.startswith("'"):
            return literal[1:-1].replace("''", "'")
        if literal in ("true", "false"):
            return literal == "true"
        if kind == "date":
            return date.fromisoformat(literal)
        return int(literal)
    except ValueError:
        raise ProblemError(Code.VALIDATION, f"$filter 的值无法识别：{literal}") from None


def pushed(comparisons: list[Comparison], dataset: Dataset) -> tuple[list[ColumnElement[bool]], list[Comparison]]:
    """(SQL conditions on the cases, comparisons left for the rows)."""
    names = {c.name for c in dataset.columns}
    sql = [c.sql() for c in comparisons if c.name in CASE_FIELDS and c.name in names]
    return sql, [c for c in comparisons if not (c.name in CASE_FIELDS and c.name in names)]


def entity(row: dict[str, Value], dataset: Dataset) -> dict[str, Any]:
    """A row as OData JSON: dates as ISO text, mixed answer values as text."""
    out: dict[str, Any] = {}
    for column in dataset.columns:
        value = row[column.name]
        if isinstance(value, date):
            value = value.isoformat()
        elif column.kind == "string" and value is not None and not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        out[column.name] = value
    return out


def matching(source: Iterator[dict[str, Value]], rest: list[Comparison]) -> Iterator[dict[str, Value]]:
    return (row for row in source if all(c.holds(row) for c in rest))


def service_document(base: str) -> dict[str, Any]:
    return {"@odata.context": f"{base}$metadata",
            "value": [{"name": name, "kind": "EntitySet", "url": name} for name in ENTITY_SETS]}


def metadata() -> str:
    """The CSDL of every entity set (OData v4, XML)."""
    types, sets = [], []
    for name, (dataset_name, type_name, keys) in ENTITY_SETS.items():
        dataset = DATASETS[dataset_name]
        refs = "".join(f"<PropertyRef Name={quoteattr(k)}/>" for k in keys)
        props = "".join(f"<Property Name={quoteattr(c.name)} Type={quoteattr(EDM[c.kind])}"
                        + (' Nullable="false"' if c.name in keys else "") + "/>" for c in dataset.columns)
        types.append(f"<EntityType Name={quoteattr(type_name)}><Key>{refs}</Key>{props}</EntityType>")
        sets.append(f"<EntitySet Name={quoteattr(name)} EntityType={quoteattr(f'{NAMESPACE}.{type_name}')}/>")
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>'
            f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">'
            + "".join(types) + '<EntityContainer Name="Container">' + "".join(sets) + "</EntityContainer>"
            "</Schema></edmx:DataServices></edmx:Edmx>")
