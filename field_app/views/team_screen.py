"""调查小组登录: each surveyor signs in with their own account and PIN (R4, R7)."""
from __future__ import annotations

from collections.abc import Callable

import flet as ft

from field_app.views.context import SessionContext
from field_app.views.widgets import DANGER, OK, big_button, heading, note


def team_screen(ctx: SessionContext) -> ft.Control:
    """Sign-in form on the left, the signed-in team on the right."""
    team = ctx.model.team
    username = ft.TextField(label="账号", width=360, text_size=20, autofocus=True)
    pin = ft.TextField(label="PIN 码", width=360, text_size=20, password=True, can_reveal_password=True,
                       keyboard_type=ft.KeyboardType.NUMBER, max_length=6)

    def sign_in(e: ft.Event) -> None:
        if ctx.act(lambda: team.sign_in((username.value or "").strip(), pin.value or "")):
            ctx.render()

    pin.on_submit = ctx.guard(sign_in)
    def sign_out(username: str) -> Callable[[ft.Event], None]:
        def tapped(e: ft.Event) -> None:
            team.sign_out(username)
            ctx.render()

        return tapped

    members = [ft.Row([
        ft.Icon(ft.Icons.VERIFIED_USER if m.online else ft.Icons.WIFI_OFF, color=OK),
        note(f"{m.name}（{m.username}，工作证 {m.work_id}）" + ("" if m.online else " 离线登录"), size=18),
        big_button("退出", sign_out(m.username), f"sign-out-{m.username}", primary=False),
    ], wrap=True) for m in team.members]
    ready = len(team.members) >= 2
    status = note("两名调查人员均已登录，可以开始工作" if ready
                  else "入户调查、邻里访问须至少两名调查人员同行（每人用自己的账号登录）",
                  OK if ready else DANGER)
    sign_in_form = ft.Column([heading("调查人员登录"), username, pin,
                              big_button("登录", sign_in, "sign-in-button", icon=ft.Icons.LOGIN, width=360)],
                             spacing=16, col={"xs": 12, "lg": 5})
    signed_in = ft.Column([heading("本机已登录的调查小组"), *members, status,
                           big_button("进入核查案件", lambda e: _enter_cases(ctx), "go-cases",
                                      disabled=not team.members)], spacing=16, col={"xs": 12, "lg": 7})
    return ft.ResponsiveRow([sign_in_form, signed_in], spacing=32, run_spacing=32)  # side by side in landscape


def _enter_cases(ctx: SessionContext) -> None:
    """Download the team's cases on the way in (offline, the cached ones are shown with a notice)."""
    ctx.model.cases.refresh()
    ctx.go("cases")
