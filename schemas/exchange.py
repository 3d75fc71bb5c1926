"""Wire models of the exchange with the entrusting units' systems (issue 20, R38) and of cross-province
checks (R36). Pure pydantic: the server's /exchange/v1 routes and the example client share them.

A unit submits what its clerk would otherwise type in: the 委托书's fields, the 委托名单 and the family's
declared income and property (申报情况), under the unit's own reference; the scans follow one by one."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from pydantic import Field

from schemas.methods import Method
from schemas.office import DocumentKind, IntakeStatus, NewSubject
from schemas.text import LineText, ShortText, Text, WireModel

REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
KEY_HEADER = "Authorization"  # "Bearer <unit key>"
SIGNATURE_HEADER = "X-Exchange-Signature"  # "t=<unix seconds>,v1=<hex HMAC-SHA256 over f'{t}.' + body>"
EVENT_HEADER = "X-Exchange-Event"
SEQ_HEADER = "X-Exchange-Seq"


class DeclaredItem(WireModel):
    """One line of the family's declaration (申报情况): which part of the report it belongs to (appendix D
    二 income, 三 property, 四 spending), the item, the amount in yuan, and the matching item it is set against."""

    section: int = Field(ge=1, le=5, description="报告中的部分：2 收入，3 财产，4 支出（1、5 亦可）")
    item: LineText = Field(min_length=1, max_length=50, description="申报项目，如“工资性收入”“银行存款”")
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="申报金额（元）")
    period: ShortText = Field(default="", max_length=30, description="所属期间，如 2025 年")
    department: ShortText = Field(default="", max_length=30, description="对照的核查部门，如“银行”")
    matching_item: ShortText = Field(default="", max_length=30, description="对照的核查项目，如“存款”")
    subject_position: int | None = Field(default=None, ge=1, description="申报人在委托名单中的序号")


class Submission(WireModel):
    """An entrustment as a unit's system submits it; idempotent on `reference`."""

    reference: str = Field(pattern=REFERENCE, description="委托单位自己的业务编号（同一编号只建一个案件）")
    title: LineText = Field(min_length=1, max_length=100)
    contact: LineText = Field(min_length=1, max_length=50, description="联系人")
    phone: str = Field(max_length=20, pattern=r"^[0-9+\- ]{7,20}$", description="联系电话")
    entrusted_on: date = Field(description="委托书落款日期")
    methods: list[Method] = Field(min_length=1, description="委托的核查方式（R23）")
    address: Text = Field(default="", max_length=200, description="家庭住址（入户地点）")
    subjects: list[NewSubject] = Field(min_length=1, description="委托名单（附录 C）")
    declared: list[DeclaredItem] = Field(default_factory=list, description="家庭申报的收入、财产情况")


class SubmissionView(WireModel):
    """What the server made of a submission; `created` is false when the reference was already known."""

    reference: str
    case_id: ShortText
    created: bool
    status: IntakeStatus
    missing: list[str] = Field(description="尚缺的扫描件（中文）")


class ReportRef(WireModel):
    version: int
    number: ShortText
    issued_at: datetime
    content_sha256: ShortText
    pdf_url: str


class CaseResult(WireModel):
    """The case behind a reference as the unit may poll it."""

    reference: str
    case_id: ShortText
    status: IntakeStatus
    returned_reasons: Text = ""
    deadline: date
    reports: list[ReportRef] = Field(default_factory=list)
    declared_vs_verified: list[list[str]] = Field(
        default_factory=list, description="申报与核查对照：部分、项目、申报金额、核查结果（最新报告）")


class ResultMessage(WireModel):
    """The body of a pushed result (the webhook), signed with the unit's HMAC secret."""

    event: ShortText
    seq: int
    unit_id: ShortText
    reference: str
    case_id: ShortText
    report: ReportRef
    summary: Text
    declared_vs_verified: list[list[str]]


class DocumentUpload(WireModel):
    """What a scan is (sent as query parameters beside the bytes)."""

    kind: DocumentKind
    subject_position: int | None = None


class CrossStatus(str, Enum):
    """Where a cross-province check stands (R36)."""

    NEEDED = "needed"  # recorded at the lower agency: 3 working days to submit it upward
    SUBMITTED = "submitted"  # sent to (lower) / received by (higher) the higher agency
    CONFIRMED = "confirmed"  # the higher agency confirmed it takes the check
    ANSWERED = "answered"  # the higher agency returned the result: 3 working days to feed it back
    FED_BACK = "fed_back"  # the lower agency fed the result back into the case


CROSS_STATUS_NAMES = {CrossStatus.NEEDED: "待报送上级", CrossStatus.SUBMITTED: "已报送上级",
                      CrossStatus.CONFIRMED: "上级已确认", CrossStatus.ANSWERED: "上级已返回结果",
                      CrossStatus.FED_BACK: "已反馈"}


class NewCrossCheck(WireModel):
    """A case needs a check outside the province: which subjects, what to check."""

    subject_ids: list[ShortText] = Field(min_length=1)
    question: Text = Field(min_length=1, max_length=1000, description="需跨省核查的事项")


class CrossAnswer(WireModel):
    answer: Text = Field(min_length=1, max_length=4000, description="跨省核查结果")


class SignedPackage(WireModel):
    """A request or an answer between two agencies' servers: the payload's RFC 8785 bytes signed with the
    sender's agency key (Ed25519, transparency/agency_key.py)."""

    payload: dict
    key_id: ShortText
    signature: str = Field(max_length=200, description="Ed25519 签名（base64），覆盖 CONTEXT + RFC 8785(payload)")


class PackageState(str, Enum):
    """Where this server's last signed package of a check stands (R36): the step is taken whatever it says."""

    DELIVERED = "delivered"  # the other agency's server answered 2xx
    PENDING = "pending"  # not yet taken: sent again after 1, 2, 4 … × the back-off base
    REFUSED = "refused"  # the other server answered 4xx: not sent again until an administrator re-sends it
    HELD = "held"  # waits behind a refused package of the same check: a check's steps arrive in step order


class CrossPackageView(WireModel):
    """The last package this server signed for a check, and its delivery (`text`: as the console says it)."""

    id: ShortText
    kind: ShortText  # request, confirmed, answered
    state: PackageState
    signed_at: datetime  # the clerk's act: what the 3-working-day deadline is met by
    attempts: int  # attempts that did not deliver it
    next_attempt_at: datetime | None  # pending only
    delivered_at: datetime | None
    refused_at: datetime | None
    peer_answer: Text  # the other server's last answer when it was not 2xx (status, problem code and detail)
    text: Text
    behind: ShortText | None = None  # held: the refused package of the same check it waits behind


class CrossCheckView(WireModel):
    id: ShortText
    side: ShortText
    case_id: ShortText | None
    from_agency: ShortText
    to_agency: ShortText
    status: CrossStatus
    question: Text
    needed_on: date
    submit_due: date
    submitted_at: datetime | None
    confirmed_at: datetime | None
    answer: Text
    answered_at: datetime | None
    feedback_due: date | None
    fed_back_at: datetime | None
    package: CrossPackageView | None = None  # this server's last package of the check, if it sent one
