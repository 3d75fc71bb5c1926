"""Beijing time (Asia/Shanghai): the only way the product shows a time or takes "today".

Times are stored and sent in UTC; people in Chongqing read them in Beijing time. A reviewer who finds
"16:44" on a photo, "08:44" in the console and "2026-11-16" in a PDF written at 01:00 can no longer
tell what happened when, so every screen, page and document formats times here, and nowhere else
(tests/test_beijing_time.py fails on a time formatted anywhere else in the console or the documents).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # a device without a time zone database: the same offset since 1992
        return timezone(timedelta(hours=8), "北京时间")


BEIJING = _zone()
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


def as_beijing(moment: datetime) -> datetime:
    """An aware time in Beijing time; a naive one (EXIF without offset) is read as Beijing time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def beijing_text(moment: datetime | None, empty: str = "", *, seconds: bool = False) -> str:
    """A time as shown everywhere: Beijing time, to the minute (or second); `empty` when unknown."""
    return as_beijing(moment).strftime(SECONDS if seconds else MINUTES) if moment else empty


def beijing_date(moment: datetime) -> date:
    """The calendar day a moment falls on in Beijing (a visit at 01:00 Beijing is not "yesterday")."""
    return as_beijing(moment).date()


def beijing_today(now: datetime | None = None) -> date:
    """Today in Beijing (the default of a date a clerk enters), from `now` or the clock."""
    return beijing_date(now if now is not None else datetime.now(BEIJING))
