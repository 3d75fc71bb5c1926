"""The reviewer and township web console, server-rendered in Chinese at /console.

Each page module holds its own module-level router; `install_console` adds them to the app with the
console guard (security headers, CSRF) and the one redirect to the login (console/deps.py)."""
from pathlib import Path

from fastapi import APIRouter, FastAPI

from sync_server.console import (
    admin_pages,
    archive_pages,
    case_admin_pages,
    case_pages,
    cross_pages,
    dashboard_pages,
    device_pages,
    documents_pages,
    exchange_pages,
    export_pages,
    finding_pages,
    form_pages,
    holiday_pages,
    intake_pages,
    org_pages,
    password_pages,
    review_pages,
    security_pages,
    signin_pages,
    unit_cert_pages,
)
from sync_server.console.deps import SignInRequired, to_login
from sync_server.console.guard import install_console_guard

console_router = APIRouter(include_in_schema=False)
for _pages in (review_pages, finding_pages, archive_pages, signin_pages, case_pages, documents_pages, intake_pages,
               admin_pages, form_pages, exchange_pages, device_pages, dashboard_pages, export_pages):
    console_router.include_router(_pages.router)
for _pages in (org_pages, security_pages, holiday_pages, case_admin_pages, password_pages):  # issue 18
    console_router.include_router(_pages.router)
console_router.include_router(cross_pages.router)  # R36 at both levels, the hierarchy (issues 18, 20)
console_router.include_router(unit_cert_pages.router)  # the units' client certificates (issue 20)


def install_console(app: FastAPI, data_dir: Path) -> None:
    """Every /console page, behind the guard; a page that needs a sign-in redirects to the login."""
    install_console_guard(app, data_dir)
    app.add_exception_handler(SignInRequired, to_login)
    app.include_router(console_router)


__all__ = ["console_router", "install_console"]
