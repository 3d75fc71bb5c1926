"""Position fixes from the tablet's GPS (flet-geolocator): at the start of a visit and at sealing.

No fix (permission refused, no signal, timeout) is not an error that stops the team: the record
keeps the reason, and the reviewer sees it (VisitEditor.record_fix).
"""
from __future__ import annotations

import asyncio
import logging

import flet as ft
import flet_geolocator as ftg

from field_app.views.context import SessionContext
from field_app.views.widgets import DANGER, OK, WARN, note, tagged
from schemas.evidence_checks import beijing_text
from schemas.findings import label_of
from schemas.records import Location, LocationFix

log = logging.getLogger(__name__)
FIX_TIMEOUT_S = 15.0


async def current_location(ctx: SessionContext, timeout_s: float = FIX_TIMEOUT_S) -> tuple[Location | None, str]:
    """The tablet's position now, or None and the reason there is none."""
    config = ftg.GeolocatorConfiguration(accuracy=ftg.GeolocatorPositionAccuracy.HIGH)
    try:
        position = await asyncio.wait_for(ctx.services.locator.get_current_position(config), timeout_s)
    except TimeoutError:
        return None, f"定位超时（{timeout_s:.0f} 秒内未取得位置）"
    except Exception as error:  # noqa: BLE001 - permission refused, service off: recorded as the reason
        log.info("no position fix: %s", error)
        return None, f"无法定位：{str(error)[:120] or '定位服务不可用'}"
    if position.latitude is None or position.longitude is None:
        return None, "定位服务未返回位置"
    mocked = getattr(position, "mocked", None)  # Android reports a mock-location provider (issue 16)
    return Location(lat=float(position.latitude), lon=float(position.longitude),
                    accuracy_m=None if position.accuracy is None else float(position.accuracy),
                    mock=None if mocked is None else bool(mocked)), ""


async def take_fix(ctx: SessionContext, moment: str) -> None:
    """Take a fix and keep it in the open record ("start" or "seal")."""
    editor = ctx.model.visit
    record_id = editor.record.id if editor.record else None
    location, reason = await current_location(ctx)
    if editor.record is not None and editor.record.id == record_id:  # still the same visit
        await asyncio.to_thread(ctx.act, lambda: editor.record_fix(moment, location, reason))


def fix_line(title: str, fix: LocationFix | None, identifier: str) -> ft.Control:
    """One line: where the tablet was, how far from the household, and any flag or reason."""
    if fix is None:
        return tagged(identifier, note(f"{title}：尚未定位", size=15))
    if fix.location is None:
        text = f"{title}：未取得定位（{fix.reason}）"
    else:
        accuracy = f"，精度约 {fix.location.accuracy_m:.0f} 米" if fix.location.accuracy_m is not None else ""
        away = f"，距登记住址 {fix.distance_m:.0f} 米" if fix.distance_m is not None else ""
        text = f"{title}：{beijing_text(fix.at)}{accuracy}{away}"
    flags = "；".join(label_of(f) for f in fix.flags)
    if fix.location is not None and fix.distance_m is None:  # issue 16: not possible, never shown as passed
        text, colour = f"{text}，案件未登记家庭位置，距离无法核对", WARN
    else:
        colour = DANGER if fix.flags else OK
    return tagged(identifier, note(text + (f"（{flags}）" if flags else ""), colour, 15))
