"""Deciding whether a sealed record may be merged into its case: one pure function, no I/O.

`decide` takes the record and the facts the server holds about it (`MergeFacts`), and either
returns a `Decision` or raises the `ProblemError` that explains the refusal. `ingest.py` loads
the facts, calls `decide`, and applies the decision in one transaction.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from schemas.completeness import missing_items, missing_seals
from schemas.evidence_types import ALLOWED, declared_matches
from schemas.forms import REGISTRY, Form, FormRegistry, FormVersionUnknown, form_of
from schemas.methods import METHOD_NAMES, Method
from schemas.problems import Code, ProblemError
from schemas.protocol import RecordStatus
from schemas.records import SealedRecord, SurveyRecord
from schemas.signed import BodyError, body_digest, seal_valid_over, signed_body


@dataclass(frozen=True)
class CaseFacts:
    """What the server knows of the record's case."""

    case_id: str
    team: frozenset[str]  # usernames of the active surveyors of the case's team
    authorized: bool
    entrusted: bool
    subject_ids: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()  # the entrusted methods (Method values, R23)
    released: bool = False  # the materials passed the conformity review (R1, R26)
    released_at: datetime | None = None  # when: a record sealed before it is refused (先授权、后核对)


@dataclass(frozen=True)
class KnownKey:
    """A registered public key and whose it is."""

    username: str
    public_raw: bytes
    revoked_at: datetime | None = None  # an administrator revoked it then (R11, R16)


@dataclass(frozen=True)
class MergeFacts:
    """Everything `decide` needs, loaded beforehand."""

    uploader: str
    case: CaseFacts | None
    keys: Mapping[str, KnownKey] = field(default_factory=dict)  # by key_id, for the record's seals
    stored: Mapping[str, int] = field(default_factory=dict)  # sha256 -> size, of files the uploader's team holds
    sniffed: Mapping[str, str | None] = field(default_factory=dict)  # sha256 -> what its bytes are (None: no
    # allowed format); see schemas.evidence_types.sniff_head and sync_server.evidence.sniffing
    existing_digest: str | None = None  # digest of a record already merged under the same id
    received_at: datetime | None = None  # now: when the record reaches the server
    forms: FormRegistry = REGISTRY  # the shipped forms, and the office's own versions when the record needs one


@dataclass(frozen=True)
class Decision:
    status: RecordStatus
    digest: str


def decide(sealed: SealedRecord, facts: MergeFacts, body: bytes | None = None) -> Decision:
    """Merge, recognise a repeat, or raise the problem that stops the record (see each check).

    `body` is the exact bytes the seals cover (`schemas.signed.signed_body`); by default taken from
    `sealed` itself (v1: from the parsed model, which is right only while the model is unchanged)."""
    record = sealed.record
    case = _check_case(record, facts)
    if body is None:
        try:
            body = signed_body(sealed)
        except BodyError as error:
            raise ProblemError(Code.RECORD_INVALID, str(error)) from None
    digest = body_digest(body)
    if facts.existing_digest is not None:
        if facts.existing_digest == digest:
            return Decision(RecordStatus.ALREADY_MERGED, digest)
        raise ProblemError(Code.RECORD_CONFLICT, record.id, record_id=record.id)
    if not (case.authorized and case.entrusted):
        raise ProblemError(Code.CASE_NOT_AUTHORIZED, case.case_id, authorization=case.authorized,
                           entrustment=case.entrusted)  # R1
    if not case.released:
        raise ProblemError(Code.CASE_NOT_RELEASED, case.case_id, case_id=case.case_id)  # R1, R26
    if case.released_at is not None and record.sealed_at is not None and record.sealed_at < case.released_at:
        raise ProblemError(Code.CASE_NOT_RELEASED_AT_VISIT,
                           f"签章于 {record.sealed_at:%Y-%m-%d %H:%M} UTC，"
                           f"案件下达于 {case.released_at:%Y-%m-%d %H:%M} UTC",
                           case_id=case.case_id, sealed_at=record.sealed_at.isoformat(),
                           released_at=case.released_at.isoformat())  # R1: 先授权、后核对
    if record.kind.value not in case.methods:  # R23, §4.1 b: no widening of scope
        raise ProblemError(Code.METHOD_NOT_ENTRUSTED, METHOD_NAMES[Method(record.kind.value)],
                           kind=record.kind.value, entrusted=sorted(case.methods))
    form = _check_form(record, case, facts.forms)
    _check_team(record, form, case)
    _check_seals(sealed, form, facts, body)
    missing = missing_items(form, record)
    if missing:
        raise ProblemError(Code.RECORD_INCOMPLETE, "；".join(m.label for m in missing),
                           missing=[m.label for m in missing], codes=[m.code for m in missing])
    absent = sorted({e.sha256 for e in record.evidence if facts.stored.get(e.sha256) != e.size})
    if absent:
        raise ProblemError(Code.EVIDENCE_MISSING, f"{len(absent)} 个文件", missing=absent)
    _check_types(record, facts)
    return Decision(RecordStatus.MERGED, digest)


def _check_types(record: SurveyRecord, facts: MergeFacts) -> None:
    """Issue 5 §2: every file is what it is declared to be, and a format its kind allows (R10)."""
    for ref in record.evidence:
        sniffed = facts.sniffed.get(ref.sha256)
        if not declared_matches(ref.kind, ref.media_type, sniffed):
            name = ref.filename or ref.caption or ref.sha256[:12]
            raise ProblemError(Code.EVIDENCE_TYPE_NOT_ALLOWED,
                               f"{name}：登记为 {ref.media_type}，实际为 {sniffed or '不允许的格式'}",
                               sha256=ref.sha256, filename=ref.filename, kind=ref.kind.value,
                               declared=ref.media_type, actual=sniffed,
                               allowed=sorted(ALLOWED[ref.kind]))


def _check_case(record: SurveyRecord, facts: MergeFacts) -> CaseFacts:
    if facts.case is None:
        raise ProblemError(Code.CASE_UNKNOWN, record.case_id, case_id=record.case_id)
    if facts.uploader not in facts.case.team:
        raise ProblemError(Code.CASE_NOT_ASSIGNED, facts.uploader, surveyor=facts.uploader)
    return facts.case


def _check_form(record: SurveyRecord, case: CaseFacts, forms: FormRegistry) -> Form:
    """The form version the record was sealed on judges it, not today's current version."""
    try:
        form = form_of(record, forms)
    except FormVersionUnknown:
        raise ProblemError(Code.FORM_UNKNOWN, f"{record.form_id} 第 {record.form_version} 版",
                           form_id=record.form_id, form_version=record.form_version) from None
    subject = record.respondent.subject_id
    if subject is not None and subject not in case.subject_ids:
        raise ProblemError(Code.RECORD_INVALID, f"调查对象 {subject} 不是本案核查对象")  # R2
    return form


def _check_team(record: SurveyRecord, form: Form, case: CaseFacts) -> None:
    """R7: enough distinct surveyors, all of the case's team."""
    team = list(dict.fromkeys(record.surveyors))
    if len(team) < form.min_surveyors:
        raise ProblemError(Code.TEAM_TOO_SMALL, f"{len(team)} 人", surveyors=team)
    strangers = [s for s in team if s not in case.team]
    if strangers:
        raise ProblemError(Code.CASE_NOT_ASSIGNED, "、".join(strangers), surveyors=strangers)


def _check_seals(sealed: SealedRecord, form: Form, facts: MergeFacts, body: bytes) -> None:
    """R11, R16: every surveyor seals with their own registered key, over this very record."""
    record = sealed.record
    outsiders = sorted({s.surveyor for s in sealed.seals} - set(record.surveyors))
    if outsiders:
        raise ProblemError(Code.RECORD_INVALID, f"签名人不在调查人员名单中：{'、'.join(outsiders)}")
    missing = missing_seals(form, sealed)
    if missing:
        raise ProblemError(Code.SIGNATURE_MISSING, "；".join(m.label for m in missing),
                           missing=[m.code.removeprefix("seal.") for m in missing])
    for seal in sealed.seals:
        key = facts.keys.get(seal.key_id)
        if key is None or key.username != seal.surveyor:
            raise ProblemError(Code.KEY_UNKNOWN, f"{seal.surveyor} / {seal.key_id}", surveyor=seal.surveyor,
                               key_id=seal.key_id)
        if key.revoked_at is not None and (facts.received_at is None or key.revoked_at <= facts.received_at):
            # revoked before this record reached the server: the tablet's clock (sealed_at) proves nothing
            raise ProblemError(Code.KEY_REVOKED,
                               f"{seal.surveyor} / {seal.key_id}，吊销于 {key.revoked_at:%Y-%m-%d %H:%M} UTC",
                               surveyor=seal.surveyor, key_id=seal.key_id, revoked_at=key.revoked_at.isoformat())
        if not seal_valid_over(sealed.seal_version, body, seal, key.public_raw):
            raise ProblemError(Code.SIGNATURE_INVALID, seal.surveyor, surveyor=seal.surveyor)
