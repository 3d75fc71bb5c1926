"""The process and proof material of a case in its dossier (R20, §4.5.2; issue 17): the case and its
subjects, every intake document (委托书, 授权书, 身份证明) with its kind and subject, the township's uploads,
each conformity check, each letter with its follow-ups and answer, each review decision, each
re-verification round with its objection and result, each report version, each record and each sealer's key.

Each is an *item* of the manifest: `{id, type, files}`, its first file a JSON description (RFC 8785-free
plain JSON, read by people and by `dossier_verify`), the next the scan or answer it describes, whose
SHA-256 the description names. An item's id is the `subject` its audit-log entries carry, so the log
entries about it are found and proven with it (docs/DOSSIER.md, "Items").
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from schemas.beijing import beijing_date, beijing_text
from schemas.letters import CHANNEL_LABELS
from schemas.office import AUTHORIZATION_FORM_NAMES, DOCUMENT_NAMES, AuthorizationForm, DocumentKind
from sync_server.casework import rounds
from sync_server.evidence.disk_store import BlobStore
from sync_server.office import conformity, intake, letters
from sync_server.tables import Case, Entrustment, PublishedForm, Record, ReportVersion, ReviewEntry, queries

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/heif": "heif",
              "image/webp": "webp", "audio/mp4": "m4a", "audio/x-m4a": "m4a", "audio/m4a": "m4a",
              "audio/aac": "m4a", "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav",
              "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav", "audio/ogg": "ogg",
              "audio/opus": "opus", "audio/webm": "weba", "video/mp4": "mp4", "video/quicktime": "mov",
              "video/webm": "webm", "application/pdf": "pdf", "application/json": "json"}
FOLDERS = {DocumentKind.ENTRUSTMENT.value: "intake/entrustment",
           DocumentKind.AUTHORIZATION.value: "intake/authorization",
           DocumentKind.ID_PROOF.value: "intake/id_proof", DocumentKind.TOWNSHIP_EVIDENCE.value: "township"}
TYPE_NAMES = {"case": "案件与委托名单", "intake_document": "委托材料", "township_upload": "乡镇上传材料",
              "conformity_check": "符合性审核", "letter": "信函索证", "review_decision": "审核决定",
              "round": "复核轮次", "report": "核查结果报告", "record": "调查记录", "key": "调查人员签名密钥",
              "form_version": "表单版本"}


def extension_of(media_type: str) -> str:
    """The file name extension of a media type (`bin` only for a type the server never accepts)."""
    return EXTENSIONS.get(media_type.split(";")[0].strip().lower(), "bin")


def json_bytes(data: object) -> bytes:
    """Readable, stable JSON (sorted keys, Chinese kept as is)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


@dataclass
class Item:
    """One thing of the case: what it is, its files in the dossier, a Chinese line for the index."""

    id: str
    type: str
    files: list[str]
    label: str
    log: list[int]

    def manifest(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "files": self.files, "log": self.log}


AddBytes = Callable[[str, bytes], None]
AddStored = Callable[[str, Path, str, int], None]


class Collector:
    """Adds the items' files through the dossier's file list (zip order) and keeps the items."""

    def __init__(self, add: AddBytes, add_stored: AddStored, blobs: BlobStore) -> None:
        self.add, self.add_stored, self.blobs = add, add_stored, blobs
        self.items: list[Item] = []

    def item(self, item_id: str, kind: str, meta_path: str, meta: dict[str, Any], label: str,
             stored: tuple[str, str, str, int] | None = None) -> None:
        """An item: its description, and the stored file it names (path, sha256, media type, size) if any.
        A file missing from the store is left out: the verifier names it from the description."""
        files = [meta_path]
        if stored is not None:
            path, sha, media, size = stored
            meta = {**meta, "file": path, "sha256": sha, "media_type": media, "size": size}
        self.add(meta_path, json_bytes({"id": item_id, "type": kind, **meta}))
        if stored is not None:
            files.append(stored[0])
            if self.blobs.has(stored[1]):
                self.add_stored(stored[0], self.blobs.local_path(stored[1]), stored[1], stored[3])
        self.items.append(Item(item_id, kind, files, label, []))


def collect(session: Session, case: Case, blobs: BlobStore, add: AddBytes, add_stored: AddStored) -> list[Item]:
    """Add every process item of the case (the records, keys and reports are added by the caller)."""
    out = Collector(add, add_stored, blobs)
    subjects = {s.id: s for s in queries.case_subjects(session, case.id)}
    _case(session, case, subjects, out)
    for d in intake.documents_of(session, case.id):
        kind = DocumentKind(d.kind)
        subject = subjects.get(d.subject_id or "")
        township = kind == DocumentKind.TOWNSHIP_EVIDENCE
        base = f"{FOLDERS[d.kind]}/{d.id}"
        meta = {"kind": d.kind, "kind_name": DOCUMENT_NAMES[kind], "case_id": d.case_id,
                "subject_id": d.subject_id, "subject_name": subject.name if subject else "",
                "form": d.form, "form_name": AUTHORIZATION_FORM_NAMES[AuthorizationForm(d.form)] if d.form else "",
                "guardian_name": d.guardian_name, "guardian_relation": d.guardian_relation, "note": d.note,
                "uploaded_by": d.uploaded_by, "uploaded_at": d.uploaded_at.isoformat()}
        who = f"（{subject.name}）" if subject else ""
        out.item(d.id, "township_upload" if township else "intake_document", f"{base}.json", meta,
                 f"{DOCUMENT_NAMES[kind]}{who}，{d.uploaded_by} 于 {beijing_text(d.uploaded_at)} 上传",
                 (f"{base}.{extension_of(d.media_type)}", d.sha256, d.media_type, d.size))
    for c in conformity.checks_of(session, case.id):
        out.item(c.id, "conformity_check", f"conformity/{c.id}.json",
                 {"case_id": c.case_id, "round": c.round, "checker": c.checker, "checked_at": c.checked_at.isoformat(),
                  "passed": c.passed, "verdict": "通过" if c.passed else "不通过，退回委托单位", "reasons": c.reasons},
                 f"第 {c.round} 次提交的符合性审核：{c.checker}，{'通过' if c.passed else '不通过：' + c.reasons}")
    _letters(session, case, out)
    _decisions(session, case, out)
    for r in rounds.rounds_of(session, case.id):
        out.item(f"{case.id}/round/{r.number}", "round", f"rounds/round-{r.number}.json",
                 {"case_id": r.case_id, "number": r.number, "objection": {
                     "objected_by": r.objected_by, "objector_name": r.objector_name, "grounds": r.grounds,
                     "objected_on": r.objected_on.isoformat()}, "methods": list(r.methods),
                  "opened_on": r.opened_on.isoformat(), "opened_by": r.opened_by,
                  "result": {"result": r.result, "fed_back_to": r.fed_back_to,
                             "fed_back_on": r.fed_back_on.isoformat() if r.fed_back_on else None,
                             "closed_by": r.closed_by, "closed_at": r.closed_at.isoformat() if r.closed_at else None}},
                 f"第 {r.number} 轮复核：{r.objector_name} 提出异议（{r.grounds}）；"
                 f"{'结果：' + r.result if r.result else '尚未办结'}")
    return out.items


def form_items(session: Session, rows: list[Record], out: Collector) -> list[str]:
    """Each form version the office published that a record of the case was sealed on (issue 20), as the
    tablets received it (`body`, its SHA-256): the questions a record was judged by travel with it. The
    versions the software ships are in its source; returns the items' ids (subjects of `form.published`)."""
    used = {(r.form_id, r.form_version) for r in rows}
    ids = []
    for row in session.exec(select(PublishedForm).order_by(col(PublishedForm.id))):
        if (row.form_id, row.version) not in used:
            continue
        item_id = f"form/{row.form_id}/v{row.version}"
        out.item(item_id, "form_version", f"forms/{row.form_id}.v{row.version}.json",
                 {"form_id": row.form_id, "version": row.version, "body": row.body, "sha256": row.sha256,
                  "source_name": row.source_name, "source_sha256": row.source_sha256,
                  "published_by": row.published_by, "published_at": row.published_at.isoformat()},
                 f"本单位发布的表单 {row.form_id} 第 {row.version} 版（{row.published_by} 于 "
                 f"{beijing_text(row.published_at)} 发布）")
        ids.append(item_id)
    return ids


def _case(session: Session, case: Case, subjects: dict, out: Collector) -> None:
    entrustment = session.get(Entrustment, case.id)
    out.item(case.id, "case", "case/case.json", {
        "title": case.title, "entrusting_unit": case.entrusting_unit, "address": case.address,
        "accepted_on": case.accepted_on.isoformat(), "methods": list(case.required_checks),
        "re_verification": case.re_verification, "team_id": case.team_id, "agency_id": case.agency_id,
        "entrustment": None if entrustment is None else {
            "contact": entrustment.contact, "phone": entrustment.phone,
            "entrusted_on": entrustment.entrusted_on.isoformat(), "status": entrustment.status,
            "submissions": entrustment.round, "created_by": entrustment.created_by,
            "created_at": entrustment.created_at.isoformat(),
            "released_at": entrustment.released_at.isoformat() if entrustment.released_at else None},
        "subjects": [{"id": s.id, "position": s.position, "name": s.name, "id_number": s.id_number,
                      "relation": s.relation, "household_address": s.household_address, "note": s.note}
                     for s in subjects.values()]},
        f"{case.title}（{case.entrusting_unit}委托，{len(subjects)} 名核查对象）")


def _letters(session: Session, case: Case, out: Collector) -> None:
    for letter in letters.letters_of(session, case.id):
        meta = json.loads(letter.model_dump_json())
        stored = None
        if letter.answer_sha256:
            stored = (f"letters/{letter.id}/answer.{extension_of(letter.answer_media_type)}", letter.answer_sha256,
                      letter.answer_media_type, letter.answer_size)
        for k in ("answer_sha256", "answer_media_type", "answer_size"):
            meta.pop(k, None)
        out.item(letter.id, "letter", f"letters/{letter.id}/letter.json", {**meta, "answered": bool(stored)},
                 f"致{letter.addressee_unit}（{CHANNEL_LABELS[letter.channel]}，{beijing_date(letter.sent_at)}）："
                 f"跟进 {len(letter.follow_ups)} 次，{'已回函' if stored else '未回函'}", stored)


def _decisions(session: Session, case: Case, out: Collector) -> None:
    query = select(ReviewEntry).where(ReviewEntry.case_id == case.id)
    for e in session.exec(query.order_by(col(ReviewEntry.at), col(ReviewEntry.id))):
        out.item(f"{case.id}/review/{e.id}", "review_decision", f"review/decision-{e.id}.json",
                 {"case_id": e.case_id, "round": e.round, "action": e.action, "target": e.target,
                  "reason": e.reason, "by": e.by, "at": e.at.isoformat()},
                 f"{beijing_text(e.at)} {e.by}：{e.action} {e.target} {e.reason}".strip())


def report_item(case: Case, r: ReportVersion) -> Item:
    """An issued report version: its content, its seal and its PDF (added by documents/bundle.py)."""
    return Item(f"{case.id}/report/{r.version}", "report",
                [f"reports/v{r.version}/content.json", f"reports/v{r.version}/seal.json",
                 f"pdf/report-v{r.version}.pdf"],
                f"第 {r.version} 版核查结果报告 {r.number}（{r.issued_by}，{beijing_text(r.issued_at)}）", [])
