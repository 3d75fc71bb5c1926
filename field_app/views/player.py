"""The record's recordings with a player (view of `AudioPlayback`): play/pause, position, duration, size
and a small loudness waveform per clip. flet-audio's `Audio` service plays the decrypted bytes
handed to it as its source (over the app's WebSocket in web mode; never a plain file on disk)."""
from __future__ import annotations

import flet as ft
import flet_audio as fta

from field_app.viewmodels.playback import AudioPlayback, clock_text, size_text
from field_app.views.context import SessionContext
from field_app.views.widgets import PRIMARY, tagged


def _load(ctx: SessionContext, playback: AudioPlayback, data: bytes) -> fta.Audio:
    """The session's player with `data` as its source. The service is made with its first source: the
    Flutter side refuses an Audio service without one (\"Audio must have src specified\")."""
    player = ctx.services.player
    if player is not None:
        player.src = data
        player.update()
        return player

    def state(e: fta.AudioStateChangeEvent) -> None:
        playback.playing(e.state.value)
        ctx.render()

    def position(e: fta.AudioPositionChangeEvent) -> None:
        playback.position(e.position)
        ctx.render()

    def duration(e: fta.AudioDurationChangeEvent) -> None:
        playback.duration(float(e.duration.in_milliseconds))
        ctx.render()

    player = ctx.services.player = fta.Audio(src=data, on_state_change=ctx.guard(state),
                                             on_position_change=ctx.guard(position),
                                             on_duration_change=ctx.guard(duration))
    ctx.page.update()  # sends the new service to the client before any call to it
    return player


def clip_rows(ctx: SessionContext) -> list[ft.Control]:
    """One row per recording: play/pause, position / duration, size, waveform."""
    playback = ctx.playback

    def toggle(sha: str):
        async def tapped(e: ft.Event) -> None:
            action = [""]
            if not ctx.act(lambda: action.__setitem__(0, playback.toggle(sha))):
                return
            if action[0] == "load":
                data = [b""]
                if not ctx.act(lambda: data.__setitem__(0, playback.source(sha))):
                    return
                # resume(), not play(): flet-audio 1.0.5's play() seeks to 0 first and that call never
                # completes in the web client here (it times out after 30 s); resume() plays the new source
                await _load(ctx, playback, data[0]).resume()
            elif ctx.services.player is None:
                return  # no clip loaded in this session yet
            elif action[0] == "pause":
                await ctx.services.player.pause()
            else:
                await ctx.services.player.resume()
            ctx.render()
        return tapped

    rows: list[ft.Control] = []
    for i, clip in enumerate(playback.clips()):
        button, where = playback.state_of(clip.sha)
        icon = ft.Icons.PAUSE if button == "暂停" else ft.Icons.PLAY_ARROW
        bars: list[ft.Control] = [ft.Container(width=3, height=max(2, 28 * v), bgcolor=PRIMARY, border_radius=1)
                for v in playback.levels(clip.sha)]
        rows.append(tagged("audio-file", ft.Row([
            tagged(f"audio-play-{i}", ft.FilledButton(content=ft.Text(button, size=18), icon=icon, height=56,
                                                      on_click=ctx.guard(toggle(clip.sha)))),
            ft.Text(clip.label, size=16),
            tagged(f"audio-position-{i}", ft.Text(where, size=16)),
            ft.Text(f"{size_text(clip.size)}　{clock_text(clip.duration_s)}", size=16),
            ft.Row(bars, spacing=1, vertical_alignment=ft.CrossAxisAlignment.CENTER, height=30),
        ], wrap=True, spacing=16, vertical_alignment=ft.CrossAxisAlignment.CENTER)))
    return rows
