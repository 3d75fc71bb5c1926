"""Wire models of staff administration (R4–R6, R27, R33, R34): organisations, accounts with posts and
scope, teams, pledges and training, hand-overs, password changes. Pure pydantic."""
from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from schemas.protocol import AccountRole
from schemas.text import WireModel, limit_strings


class OrgKind(str, Enum):
    """Who a staff member works for (R27, §5.3.1.2)."""

    TOWNSHIP = "township"  # 乡镇（街道）
    ASSISTANCE_DEPARTMENT = "assistance_department"  # 社会救助主管部门
    AGENCY = "agency"  # 核查机构
    THIRD_PARTY = "third_party"  # 具备资质的第三方机构


ORG_KIND_NAMES = {OrgKind.TOWNSHIP: "乡镇（街道）", OrgKind.ASSISTANCE_DEPARTMENT: "社会救助主管部门",
                  OrgKind.AGENCY: "核查机构", OrgKind.THIRD_PARTY: "第三方机构"}


class Post(str, Enum):
    """The standard's posts (§4.3.1, R33), held besides the account's role."""

    ACCEPTANCE = "acceptance"  # 受理岗
    INFORMATION_EXCHANGE = "information_exchange"  # 信息交换岗
    VERIFICATION = "verification"  # 核证岗
    REPORT = "report"  # 核查报告岗
    CONFIDENTIAL = "confidential"  # 机要岗
    DIRECTOR = "director"  # 机构负责人: assesses staff quality (§4.3.5, R37), issue 20


POST_NAMES = {Post.ACCEPTANCE: "受理岗", Post.INFORMATION_EXCHANGE: "信息交换岗", Post.VERIFICATION: "核证岗",
              Post.REPORT: "核查报告岗", Post.CONFIDENTIAL: "机要岗", Post.DIRECTOR: "机构负责人"}


QUALIFIED = r"\S"  # a qualification says something: not empty, not only spaces


class NewOrganisation(WireModel):
    """An organisation staff work for (R27); a third party must name its qualification (the schema says so)."""

    model_config = ConfigDict(json_schema_extra=lambda schema: _third_party_is_qualified(schema))

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    qualification: str = Field(default="", max_length=200, description="第三方机构的资质（R27）")

    @model_validator(mode="after")
    def _qualified(self) -> NewOrganisation:
        if self.kind == OrgKind.THIRD_PARTY and not re.search(QUALIFIED, self.qualification):
            raise ValueError("第三方机构须登记其资质（R27）")
        return self


def _third_party_is_qualified(schema: dict[str, Any]) -> None:
    limit_strings(schema)
    schema["if"] = {"properties": {"kind": {"const": OrgKind.THIRD_PARTY.value}}, "required": ["kind"]}
    schema["then"] = {"properties": {"qualification": {"pattern": QUALIFIED}}, "required": ["qualification"]}


class OrganisationView(NewOrganisation):
    pass


class NewAccount(WireModel):
    """A real-name account (R4) with its organisation (R27), role, posts (R33) and scope."""

    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{2,31}$")
    name: str = Field(min_length=1, max_length=50, description="真实姓名")
    work_id: str = Field(min_length=1, max_length=30, description="工作证号")
    role: AccountRole = Field(description="surveyor / township / reviewer / admin")
    org_id: str
    posts: list[Post] = Field(default_factory=list)
    team_id: str | None = None
    password: str
    pin: str = ""


class AccountView(WireModel):
    username: str
    name: str
    work_id: str
    role: str
    org_id: str | None
    org_name: str = ""
    posts: list[Post]
    team_id: str | None
    unit: str  # township scope
    active: bool
    must_change_password: bool
    cleared_for_field_work: bool
    clearance_problems: list[str]


class NewTeam(WireModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: str = Field(min_length=1, max_length=50)


class TeamMembership(WireModel):
    team_id: str | None


class CredentialKind(str, Enum):
    """Yearly confidentiality pledge (appendix A, R5) and training (R34)."""

    PLEDGE = "pledge"
    TRAINING = "training"


CREDENTIAL_NAMES = {CredentialKind.PLEDGE: "保密承诺书", CredentialKind.TRAINING: "岗前/年度培训"}


class CredentialView(WireModel):
    id: str
    username: str
    kind: CredentialKind
    valid_from: date
    valid_until: date
    sha256: str
    recorded_by: str
    recorded_at: datetime
    note: str = ""


class AccountClosing(WireModel):
    """Closing an account hands its open cases to a named colleague (R4)."""

    successor: str


class HandoverView(WireModel):
    id: str
    from_user: str
    to_user: str
    case_ids: list[str]
    created_by: str
    created_at: datetime
    device_ids: list[str] = []  # the tablets the leaver used, handed over with the cases (R40)
    confirmed_by_from: datetime | None = None
    confirmed_by_to: datetime | None = None


class PasswordChange(WireModel):
    username: str
    old_password: str
    new_password: str
