"""Wire models of the disposal appraisal (R35, issue 17): a proposal with its reason, a second person's
decision with theirs, and the disposal certificate that remains once the archive is destroyed."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from schemas.text import WireModel

CERTIFICATE_FORMAT = "field-evidence/disposal-certificate/v1"


class AppraisalProposal(WireModel):
    """Why the archive should be destroyed (鉴定意见)."""

    reason: str = Field(min_length=1, max_length=1000)


class AppraisalDecision(WireModel):
    """A second person's decision on a proposal, with the reason."""

    approve: bool
    note: str = Field(min_length=1, max_length=1000)


class AppraisalInfo(WireModel):
    id: str
    case_id: str
    proposed_by: str
    proposed_at: datetime
    reason: str
    decision: str = ""  # "" open, "approved", "rejected"
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
