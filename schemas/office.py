"""Wire models of the office side: intake of a case (R1, R22–R26), accounts and staff gates (R4–R6,
R27, R33, R34), township uploads. Pure pydantic, shared by the API and the console."""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import Field

from schemas.methods import Method
from schemas.text import LineText, ShortText, Text, WireModel


class IntakeStatus(str, Enum):
    """Where the entrustment materials stand (§5.2.4–§5.2.6)."""

    DRAFT = "draft"  # being entered by the unit
    SUBMITTED = "submitted"  # waiting for the conformity review
    RETURNED = "returned"  # failed the review, back with the unit with reasons
    RELEASED = "released"  # passed twice, by two people: field work may start (R1)


INTAKE_STATUS_NAMES = {IntakeStatus.DRAFT: "录入中", IntakeStatus.SUBMITTED: "待符合性审核",
                       IntakeStatus.RETURNED: "已退回委托单位", IntakeStatus.RELEASED: "已下达调查"}


class DocumentKind(str, Enum):
    """What an uploaded scan is."""

    ENTRUSTMENT = "entrustment"  # 委托书 with the unit's seal (§5.2.2)
    AUTHORIZATION = "authorization"  # 授权书 of one subject (appendix B, R22)
    ID_PROOF = "id_proof"  # police-issued ID proof of one subject (§5.2.3 c, R24)
    TOWNSHIP_EVIDENCE = "township_evidence"  # scans, photos, PDFs a township clerk adds to the case


DOCUMENT_NAMES = {DocumentKind.ENTRUSTMENT: "委托书", DocumentKind.AUTHORIZATION: "授权书",
                  DocumentKind.ID_PROOF: "公安部门出具的身份证明", DocumentKind.TOWNSHIP_EVIDENCE: "乡镇上传材料"}


class AuthorizationForm(str, Enum):
    """How the subject authorized (§5.1.2)."""

    PAPER = "paper"  # 签名加盖手印的授权书
    ELECTRONIC = "electronic"  # “救助核查申请”电子授权
    EQUIVALENT = "equivalent"  # 同等法律效力的其他方式


AUTHORIZATION_FORM_NAMES = {AuthorizationForm.PAPER: "纸质授权书（签名、指模）",
                            AuthorizationForm.ELECTRONIC: "“救助核查申请”电子授权",
                            AuthorizationForm.EQUIVALENT: "同等法律效力的其他方式"}


class NewSubject(WireModel):
    """One line of the 委托名单 (appendix C) plus the relation to the head of household."""

    position: int = Field(ge=1, description="序号")
    name: LineText = Field(min_length=1, max_length=50, description="姓名")
    id_number: ShortText = Field(description="身份证号码（GB 11643，含校验码）")
    relation: ShortText = Field(default="", max_length=20, description="与户主关系")
    household_address: Text = Field(default="", max_length=200, description="户籍地址")
    note: Text = Field(default="", max_length=200, description="备注")


class NewCase(WireModel):
    """A case as the entrustment (委托书, appendix C) states it."""

    title: LineText = Field(min_length=1, max_length=100)
    entrusting_unit: LineText = Field(min_length=1, max_length=100, description="委托单位")
    contact: LineText = Field(min_length=1, max_length=50, description="联系人")
    phone: str = Field(max_length=20, pattern=r"^[0-9+\- ]{7,20}$", description="联系电话")
    entrusted_on: date = Field(description="委托书落款日期")
    accepted_on: date | None = Field(default=None, description=(
        "不再采用：受理日期由服务器在委托材料提交时记录（R3），更正由受理岗进行并记录理由"))
    methods: list[Method] = Field(min_length=1, description="委托的核查方式（R23）")
    address: Text = Field(default="", max_length=200, description="家庭住址（入户地点）")
    team_id: ShortText = Field(description="负责的调查小组")
    subjects: list[NewSubject] = Field(default_factory=list)
    case_no: str | None = Field(default=None, pattern=r"^case-[a-z0-9-]{3,40}$",
                                description="案件编号（不填则由服务器分配）")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class SubjectView(WireModel):
    id: ShortText
    position: int
    name: LineText
    id_number: ShortText
    sex: ShortText  # 男 / 女, derived from the ID number
    adult: bool
    relation: ShortText
    household_address: Text
    note: Text
    authorized: bool
    id_proof: bool


class DocumentView(WireModel):
    id: ShortText
    kind: DocumentKind
    subject_id: ShortText | None = None
    sha256: ShortText
    media_type: LineText
    size: int
    uploaded_by: ShortText
    uploaded_at: datetime
    form: AuthorizationForm | None = None
    guardian_name: LineText = ""
    guardian_relation: ShortText = ""
    note: Text = ""


class ConformityCheckView(WireModel):
    round: int
    checker: ShortText
    checked_at: datetime
    passed: bool
    reasons: Text = ""


class IntakeView(WireModel):
    """A case's entrustment materials, the review so far, and what is still missing."""

    case_id: ShortText
    title: LineText
    entrusting_unit: LineText
    contact: LineText
    phone: ShortText
    entrusted_on: date
    accepted_on: date
    deadline: date
    methods: list[Method]
    team_id: ShortText
    status: IntakeStatus
    round: int
    released_at: datetime | None = None
    returned_reasons: Text = ""
    subjects: list[SubjectView]
    documents: list[DocumentView]
    checks: list[ConformityCheckView]
    missing: list[Text]  # in Chinese: what keeps the materials from being complete


class ConformityDecision(WireModel):
    """One conformity check (§5.2.5): pass, or fail with the reasons the unit will read (§5.2.6)."""

    passed: bool
    reasons: Text = Field(default="", max_length=1000)


class TeamAssignment(WireModel):
    team_id: ShortText


class RowError(WireModel):
    row: int  # spreadsheet row number as the clerk sees it (header is row 1)
    message: Text


class AcceptanceCorrection(WireModel):
    """A 受理岗 reviewer's correction of the acceptance date (R3), kept in the log with its reason."""

    accepted_on: date = Field(description="受理日期：不早于委托日期，不晚于今天")
    reason: Text = Field(min_length=1, max_length=500, description="更正理由")


class ImportResult(WireModel):
    imported: int
    rejected: list[RowError] = Field(default_factory=list, description="未导入的行及原因（partial=true 时）")
    intake: IntakeView
