"""Composition root: settings -> store -> sync client -> view-models -> screens.

One Python process is one tablet: the view-models are built once and shared by every browser
session (in web mode a reload or a second tab shows the same team, drafts and outbox).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import flet as ft

from field_app.settings import Settings, device_id
from field_app.store import EvidenceStore, Store, open_store
from field_app.sync.client import SyncClient
from field_app.viewmodels import CaseList, SyncPanel, TeamSession, VisitEditor
from field_app.views.cases_screen import cases_screen
from field_app.views.outbox_screen import outbox_screen
from field_app.views.shell import Shell
from field_app.views.team_screen import team_screen
from field_app.views.visit_screen import visit_screen

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
SCREENS = {"team": team_screen, "cases": cases_screen, "visit": visit_screen, "outbox": outbox_screen}


@dataclass
class AppModel:
    """Everything the screens read and call."""

    store: Store
    evidence: EvidenceStore
    client: SyncClient
    team: TeamSession
    cases: CaseList
    visit: VisitEditor
    outbox: SyncPanel


def build_model(settings: Settings) -> AppModel:
    """Open the tablet's store and wire the view-models."""
    store = open_store(settings.data_dir)
    evidence = EvidenceStore(settings.data_dir / "evidence")
    tablet = device_id(settings.data_dir)
    client = SyncClient(settings.server_url, device_id=tablet)
    team = TeamSession(store, client, tablet)
    return AppModel(store, evidence, client, team, CaseList(store, client, team),
                    VisitEditor(store, evidence, team), SyncPanel(store, evidence, client, team))


def make_main(model: AppModel):
    """The Flet entry point for one browser session."""

    def main(page: ft.Page) -> None:
        page.title = "社会救助入户核查"
        page.fonts = {"cjk": "fonts/cjk.ttf"}
        page.theme = ft.Theme(font_family="cjk")
        page.padding = 0
        shell = Shell(page, model, SCREENS)
        shell.go("cases" if model.team.members else "team")

    return main


def run(settings: Settings) -> None:
    """Serve the app in web mode on 127.0.0.1, offline (no CDN)."""
    model = build_model(settings)
    ft.run(make_main(model), view=ft.AppView.WEB_BROWSER, host="127.0.0.1", port=settings.port,
           assets_dir=str(ASSETS_DIR), no_cdn=True)
