"""The console's one Jinja2 environment and `page()`, shared by every console route.

Templates get `csrf_field()`: a hidden input carrying the CSRF token of the current request
(see `guard.py`). Every console form includes `{{ csrf_field() }}` and is protected by that alone.
"""
from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from schemas.masking import masked_id_number
from sync_server.casework.presentation import local_time

HERE = Path(__file__).parent
CSRF_FIELD = "csrf"
ROLE_NAMES = {"reviewer": "审核人员", "township": "乡镇（街道）工作人员", "admin": "管理员",
              "surveyor": "调查人员"}
# Set by the console guard for each /console request; a sync route sees it (threadpools copy the context).
current_csrf_token: ContextVar[str] = ContextVar("current_csrf_token", default="")


def csrf_field() -> Markup:
    """The hidden form field with this request's CSRF token."""
    token = current_csrf_token.get()
    if not token:
        raise RuntimeError("csrf_field() used outside a /console request")
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
templates.filters["masked"] = masked_id_number
templates.filters["beijing"] = local_time
templates.globals["csrf_field"] = csrf_field
templates.globals["role_names"] = ROLE_NAMES


def page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    """A console template rendered as an HTML response."""
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)
