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

# Each page module's router is included in the app itself, in this order: FastAPI 0.165 checks a router
# included without a prefix by building the dependency state of every route nested in it, which the app then
# builds again for its own use (0.1 s of every start, issue 19); a module's router holds its routes directly.
PAGE_ROUTERS: tuple[APIRouter, ...] = tuple(
    pages.router for pages in (review_pages, finding_pages, archive_pages, signin_pages, case_pages,
                               documents_pages, intake_pages, admin_pages, form_pages, exchange_pages,
                               device_pages, dashboard_pages, export_pages,
                               org_pages, security_pages, holiday_pages, case_admin_pages, password_pages,  # issue 18
                               cross_pages,  # R36 at both levels, the hierarchy (issues 18, 20)
                               unit_cert_pages))  # the units' client certificates (issue 20)


def install_console(app: FastAPI, data_dir: Path) -> None:
    """Every /console page, behind the guard; a page that needs a sign-in redirects to the login."""
    install_console_guard(app, data_dir)
    app.add_exception_handler(SignInRequired, to_login)
    for router in PAGE_ROUTERS:
        app.include_router(router)


__all__ = ["PAGE_ROUTERS", "install_console"]
