"""待上传: sealed records waiting for the server, uploading them with progress and a result per record."""
from __future__ import annotations

import asyncio
import logging

import flet as ft

from field_app.viewmodels.outbox import AUTO_RESUME_NOTICE, SyncPanel, result_tone
from field_app.views.context import SessionContext
from field_app.views.widgets import DANGER, OK, big_button, heading, note, tagged

TONE_COLORS = {"ok": OK, "problem": DANGER}  # viewmodels.outbox.result_tone
WATCH_SECONDS = 2.0
log = logging.getLogger(__name__)


def watch_automatic_uploads(ctx: SessionContext, panel: SyncPanel) -> None:
    """Re-render the outbox screen when an upload finished that no tap started (AutoResume), and show
    its bytes while it runs."""
    seen = {"uploads": panel.finished_uploads, "syncing": panel.syncing}

    async def watch() -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                now = {"uploads": panel.finished_uploads, "syncing": panel.syncing}
                if now != seen and ctx.current == "outbox":
                    await asyncio.to_thread(ctx.render)  # never the session's lock on the loop's thread
                seen.update(now)
            except Exception:  # the session closed: stop watching this page
                log.debug("upload watcher stopped", exc_info=True)
                return

    ctx.page.run_task(watch)


def outbox_screen(ctx: SessionContext) -> ft.Control:
    """Counts, the upload button, a progress bar and the last results."""
    panel = ctx.model.outbox
    panel.refresh_counts()
    bar = ft.ProgressBar(value=panel.progress, height=14, border_radius=7)
    status = note(panel.notice, size=18)
    sent = note(panel.progress_text() if panel.syncing else "", size=16)

    def progress() -> None:  # called from the upload as bytes go out
        bar.value, status.value, sent.value = panel.progress, panel.notice, panel.progress_text()
        ctx.page.update()

    def upload(e: ft.Event) -> None:
        stop = panel.subscribe(progress)  # this session shows the bytes of the upload it started
        try:
            panel.sync()
        finally:
            stop()
        ctx.render()

    rows = [ft.Row([ft.Icon(ft.Icons.CIRCLE, color=TONE_COLORS.get(result_tone(r), ft.Colors.ORANGE_800), size=14),
                    note(f"{panel.describe(r.record_id)}：{r.message}", TONE_COLORS.get(result_tone(r)))])
            for r in panel.results]
    problems = [note(f"{panel.describe(rid)} 被服务器退回：{msg}", DANGER)
                for rid, msg in panel.problem_messages().items()
                if rid not in {r.record_id for r in panel.results}]
    return ft.Column([
        heading("待上传记录", 26),
        note(f"待上传 {panel.queued} 份，被退回 {panel.problems} 份，已上传 {panel.synced} 份", size=20),
        note("封存的记录保存在本机，断网、重启都不会丢失；联网后上传。", size=16),
        *([tagged("sync-auto", note(AUTO_RESUME_NOTICE, size=16))] if panel.waiting_for_network and panel.pending
          else []),
        big_button("立即上传", upload, "sync-button", icon=ft.Icons.CLOUD_UPLOAD, disabled=panel.syncing),
        tagged("sync-progress", bar), tagged("sync-status", status), tagged("sync-bytes", sent), *rows, *problems,
    ], spacing=14, scroll=ft.ScrollMode.AUTO, expand=True)
