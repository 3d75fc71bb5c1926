"""Audio and video on the visit's evidence pages: the interview recorder (start, pause, resume, stop,
elapsed time, level, size), an optional whole-visit recording, and video clips picked from files.

The view only renders `Recorder` state and calls it. In web mode the recorder streams PCM16 to
Python (`on_stream`); on a device it writes a compressed file whose path `stop_recording` returns.
What a form turns off (`Form.audio`, `video`, `whole_visit_audio`) is not shown.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import flet as ft
import flet_audio_recorder as far

from field_app.errors import FieldAppError
from field_app.viewmodels.clips import VIDEO_EXTENSIONS, add_video
from field_app.viewmodels.recording import Recorder, RecState
from field_app.views.context import SessionContext
from field_app.views.player import clip_rows
from field_app.views.video_screen import open_video
from field_app.views.widgets import DANGER, big_button, note, tagged, toast
from schemas.records import EvidenceKind, Role

STATE_TEXT = {RecState.IDLE: "未在录音", RecState.RECORDING: "正在录音", RecState.PAUSED: "已暂停"}


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


@dataclass(frozen=True)
class Meter:
    """The controls the stream updates in place while recording (elapsed time, level, size)."""

    elapsed: ft.Text
    level: ft.ProgressBar
    size: ft.Text


def _service(ctx: SessionContext, recorder: Recorder, live: Meter) -> far.AudioRecorder:
    """This session's AudioRecorder (a service), streaming to the view-model."""
    service = ctx.services.recorder
    if service is None:
        service = ctx.services.recorder = far.AudioRecorder(configuration=far.AudioRecorderConfiguration(
            encoder=far.AudioEncoder.PCM16BITS, sample_rate=recorder.requested.rate,
            channels=recorder.requested.channels))
    last = [0.0]

    def on_stream(e: far.AudioRecorderStreamEvent) -> None:
        recorder.feed(e.chunk)
        if time.monotonic() - last[0] > 0.25:  # a meter, not a re-render per chunk
            last[0] = time.monotonic()
            live.elapsed.value = _clock(recorder.elapsed_s)
            live.level.value = recorder.level
            live.size.value = _size(recorder.size)
            for control in (live.elapsed, live.level, live.size):
                control.update()

    service.on_stream = ctx.guard(on_stream) if ctx.page.web else None
    return service


def audio_block(ctx: SessionContext) -> ft.Control:
    """The interview recorder and the record's audio files (R10)."""
    recorder = ctx.model.recorder
    form = ctx.open_visit()[1]
    if recorder is None or form.audio == "off" and form.whole_visit_audio == "off":
        return ft.Container()
    live = Meter(ft.Text(_clock(recorder.elapsed_s), size=28), ft.ProgressBar(value=recorder.level, width=240),
                 ft.Text(_size(recorder.size), size=16))
    service = _service(ctx, recorder, live)

    async def start(e: ft.Event, what: str = "interview") -> None:
        if not await service.has_permission():
            toast(ctx.page, "没有麦克风权限，请在系统设置中允许录音", error=True)
            return
        if not ctx.act(lambda: recorder.start(what)):
            return
        path = None if ctx.page.web else str(recorder.pointer_dir / f"{uuid.uuid4().hex}.m4a")
        config = None if ctx.page.web else far.AudioRecorderConfiguration(encoder=far.AudioEncoder.AACLC)
        if not await service.start_recording(output_path=path, configuration=config):
            recorder.cancel()
            toast(ctx.page, "无法开始录音", error=True)
        ctx.render()

    async def start_whole(e: ft.Event) -> None:
        await start(e, "whole_visit")

    async def pause(e: ft.Event) -> None:
        await service.pause_recording()
        recorder.pause()
        ctx.render()

    async def resume(e: ft.Event) -> None:
        await service.resume_recording()
        recorder.resume()
        ctx.render()

    async def stop(e: ft.Event) -> None:
        where = await service.stop_recording()
        deadline = time.monotonic() + 1.5  # chunks already on their way are still recorded:
        while ctx.page.web and time.monotonic() < deadline and recorder.quiet_s() < 0.3:  # until the stream is quiet
            await asyncio.sleep(0.05)
        if where and not ctx.page.web:
            ctx.act(lambda: recorder.stop_with_file(where), "录音已保存")
        else:
            ctx.act(lambda: recorder.stop(), "录音已保存")
        ctx.render()

    state = recorder.state
    if state == RecState.IDLE:
        buttons = []
        if form.audio != "off":
            buttons.append(big_button("开始录音", start, "audio-start", icon=ft.Icons.MIC))
        if form.whole_visit_audio != "off":
            buttons.append(big_button("全程录音", start_whole, "audio-whole-visit",
                                      icon=ft.Icons.RADIO_BUTTON_CHECKED, primary=False))
    else:
        buttons = [big_button("暂停", pause, "audio-pause", icon=ft.Icons.PAUSE, primary=False)
                   if state == RecState.RECORDING else
                   big_button("继续", resume, "audio-resume", icon=ft.Icons.PLAY_ARROW, primary=False),
                   big_button("结束录音", stop, "audio-stop", icon=ft.Icons.STOP)]
    rows: list[ft.Control] = [
        ft.Row([note("访谈录音" + ("（必需）" if form.audio == "required" else "（可选）"), size=18), *buttons],
               wrap=True),
    ]
    if state != RecState.IDLE:
        rows.append(ft.Row([tagged("audio-state", ft.Text(STATE_TEXT[state], size=18)), live.elapsed,
                            live.level, live.size], wrap=True, spacing=16))
    files = clip_rows(ctx)
    rows += files
    if not files:
        rows.append(note("尚无录音", DANGER if form.audio == "required" else None))
    return ft.Column(rows, spacing=10)


def video_block(ctx: SessionContext, role: Role, identifier: str, title: str) -> ft.Control:
    """Video clips of one role (R12 cannot sign, R13 refusal, scenes), picked from files and checked by content."""
    editor = ctx.model.visit
    if ctx.open_visit()[1].video == "off" and role == Role.SCENE:
        return ft.Container()

    async def add(e: ft.Event) -> None:
        files = await ctx.services.picker.pick_files(allow_multiple=True, with_data=True,
                                                     file_type=ft.FilePickerFileType.CUSTOM,
                                                     allowed_extensions=VIDEO_EXTENSIONS)
        for f in files or []:
            try:
                await asyncio.to_thread(add_video, editor, f.bytes or b"", f.name, role)
            except FieldAppError as error:
                toast(ctx.page, error.message, error=True)
        await asyncio.to_thread(ctx.render)

    try:
        editor.check_capture()
        blocked = ""
    except FieldAppError as error:
        blocked = error.message
    async def record(e: ft.Event) -> None:
        await open_video(ctx, role)

    rows: list[ft.Control] = [ft.Row([note(title, size=18), big_button(
        "录像", record, f"{identifier}-record", icon=ft.Icons.VIDEOCAM, disabled=bool(blocked)), big_button(
        "添加视频（导入）", add, identifier, icon=ft.Icons.VIDEO_FILE, primary=False, disabled=bool(blocked))],
        wrap=True)]
    for ref in editor.evidence_of(role):
        if ref.kind == EvidenceKind.VIDEO:
            rows.append(tagged(f"{identifier}-file", note(
                f"🎬 {ref.filename}　{_size(ref.size)}" + (f"　{_clock(ref.duration_s)}" if ref.duration_s else ""))))
    return ft.Column(rows, spacing=10)
