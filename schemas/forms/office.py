"""An office's own form version as it travels to the tablets (`GET /api/v1/forms`).

The tablet keeps the form only if `sha256` is the digest of `body`, the body parses as a form, and it
does not claim a version the app ships: what a record is judged by on the server is byte for byte what
the surveyors filled on the tablet."""
from __future__ import annotations

import hashlib
import json
from typing import Annotated

from pydantic import BaseModel, Field

from schemas.forms import Form
from schemas.records import SHA256_PATTERN
from schemas.text import NO_CONTROL, Identifier


def form_body(form: Form) -> str:
    """The form's JSON as stored and sent: sorted keys, no spaces, so its SHA-256 names it."""
    return json.dumps(form.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class OfficeForm(BaseModel):
    """One published version: its JSON text and that text's SHA-256."""

    form_id: Identifier
    version: int = Field(ge=1)
    body: Annotated[str, Field(max_length=1_000_000, pattern=NO_CONTROL)]
    sha256: Annotated[str, Field(max_length=64, pattern=SHA256_PATTERN)]

    def form(self) -> Form:
        """The form, after checking the digest and that it is the version it says (ValueError if not)."""
        if hashlib.sha256(self.body.encode()).hexdigest() != self.sha256:
            raise ValueError(f"{self.form_id} v{self.version}: digest does not match")
        form = Form.model_validate_json(self.body)
        if (form.id, form.version) != (self.form_id, self.version):
            raise ValueError(f"{self.form_id} v{self.version} declares {form.id} v{form.version}")
        return form
