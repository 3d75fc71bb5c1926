"""Where a stored file is cited: which case, which record, document, letter or credential (issue 17).

A backup or a check that finds a file missing or altered names it by hash, case and record, so the
office knows which record's photo or which subject's 授权书 is gone. Plain SQL on a connection: it runs
on the live database and on a backup's copy alike. Files destroyed by a disposal (`disposed_files`) are
no longer cited: nothing expects them any more.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, text

from schemas.office import DOCUMENT_NAMES, DocumentKind


@dataclass(frozen=True)
class Citation:
    """One place a file is cited."""

    case_id: str | None
    item: str  # "record R1", "document D1", "letter L1", "credential C1"
    what: str  # the kind, in Chinese first

    def as_json(self) -> dict[str, str | None]:
        return {"case_id": self.case_id, "item": self.item, "what": self.what}

    def line(self) -> str:
        return f"案件 {self.case_id or '—'} {self.item}（{self.what}）"


def _document_name(kind: str) -> str:
    try:
        return DOCUMENT_NAMES[DocumentKind(kind)]
    except ValueError:
        return kind


def where_cited(connection: Connection) -> dict[str, list[Citation]]:
    """Every stored file's citations, by hash."""
    cited: dict[str, list[Citation]] = defaultdict(list)
    rows = connection.execute(text("SELECT re.sha256, r.case_id, re.record_id, re.kind FROM record_evidence re "
                                   "JOIN records r ON r.id = re.record_id"))
    for sha, case_id, record_id, kind in rows:
        cited[sha].append(Citation(case_id, f"record {record_id}", f"调查记录留证 {kind}"))
    for sha, case_id, doc_id, kind in connection.execute(text("SELECT sha256, case_id, id, kind FROM case_documents")):
        cited[sha].append(Citation(case_id, f"document {doc_id}", _document_name(kind)))
    for sha, case_id, letter_id in connection.execute(text(
            "SELECT answer_sha256, case_id, id FROM letter_requests WHERE answer_sha256 IS NOT NULL")):
        cited[sha].append(Citation(case_id, f"letter {letter_id}", "信函回复"))
    for sha, username, cred_id in connection.execute(text("SELECT sha256, username, id FROM staff_credentials")):
        cited[sha].append(Citation(None, f"credential {cred_id}", f"{username} 的承诺书或培训记录"))
    return dict(cited)


def expected_files(connection: Connection) -> list[str]:
    """The hashes of every stored file the database expects to exist (disposed ones excepted), in order."""
    return [row[0] for row in connection.execute(text(
        "SELECT sha256 FROM evidence_files WHERE sha256 NOT IN (SELECT sha256 FROM disposed_files) "
        "ORDER BY sha256"))]


@dataclass(frozen=True)
class Damage:
    """A stored file that is missing or whose bytes no longer hash to its name."""

    sha256: str
    problem: str  # "missing" | "altered"
    cited: tuple[Citation, ...]
    detail: str = ""

    def as_json(self) -> dict:
        return {"sha256": self.sha256, "problem": self.problem, "detail": self.detail,
                "cited_by": [c.as_json() for c in self.cited]}

    def line(self) -> str:
        where = "；".join(c.line() for c in self.cited) or "无引用 / not cited"
        problem = {"missing": "缺失 / missing", "altered": "内容与哈希不符 / altered"}.get(self.problem, self.problem)
        return f"{self.sha256} {problem}: {where}{' — ' + self.detail if self.detail else ''}"
