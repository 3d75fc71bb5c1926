"""The reviewer and township web console, server-rendered in Chinese at /console."""
from functools import cache

from fastapi import APIRouter

from sync_server.console.archive_pages import archive_router
from sync_server.console.review_pages import review_router
from sync_server.console.routes import console_router as _base_router


@cache
def console_router() -> APIRouter:
    """Every /console page: sign-in and case pages, and the office side (review, rounds, letters).
    Built once per process, as `sync_server.api.api_router`."""
    router = APIRouter()
    router.include_router(review_router())
    router.include_router(archive_router(), prefix="/console")  # disposal appraisal, last check (issue 17)
    router.include_router(_base_router())
    return router


__all__ = ["console_router"]
