"""当前操作人: which signed-in member holds the tablet now. Photos, recordings and typed answers are
credited to them in the record's device audit trail (schemas.device_audit); without this switch every
entry of a two-surveyor visit read as the work of whoever signed in first."""
from __future__ import annotations

import flet as ft

from field_app.views.context import SessionContext
from field_app.views.widgets import note, tagged


def operator_switch(ctx: SessionContext) -> ft.Control:
    """One button per signed-in member, the operator's filled; nothing with a single member. Small, beside
    the visit's title: it must not push the signature pads down the screen."""
    team = ctx.model.team
    if len(team.members) < 2:
        return ft.Container()

    def choose(username: str) -> None:
        if ctx.act(lambda: team.set_operator(username)):
            ctx.render()

    buttons = [tagged(f"operator-{m.username}",
                      (ft.FilledButton if m.username == team.operator else ft.OutlinedButton)(
                          content=ft.Text(m.name, size=15), height=40,
                          tooltip="拍照、录音、填写记在当前操作人名下",
                          on_click=ctx.guard(lambda e, u=m.username: choose(u))))
               for m in team.members]
    return ft.Row([note("当前操作人：", size=15), *buttons], spacing=6, tight=True)
