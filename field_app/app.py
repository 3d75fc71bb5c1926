"""Composition root: settings -> store -> sync client -> view-models -> the views' router.

One Python process is one tablet: the view-models are built once and shared by every browser
session (in web mode a reload or a second tab shows the same team, drafts and outbox).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import flet as ft

from field_app import provisioning
from field_app.capture.audio_spool import POINTERS
from field_app.settings import Settings, device_id
from field_app.store import EvidenceStore, open_store
from field_app.store.cleanup import prune_evidence
from field_app.store.evidence import EVIDENCE_DIR
from field_app.store.vault import DirectoryVault, KeyVault, default_key_dir
from field_app.sync.client import SyncClient
from field_app.viewmodels import CaseList, SyncPanel, TeamSession, VisitEditor
from field_app.viewmodels.camera import CameraSession
from field_app.viewmodels.device import DeviceGuard, Provisioner
from field_app.viewmodels.idle_lock import IdleLock
from field_app.viewmodels.model import AppModel
from field_app.viewmodels.outbox import AutoResume
from field_app.viewmodels.photo_batch import PhotoBatch
from field_app.viewmodels.recording import Recorder
from field_app.viewmodels.recovery import recover_recordings
from field_app.viewmodels.removal import EvidenceRemoval
from field_app.views import router

__all__ = ["ASSETS_DIR", "AppModel", "build_model", "make_device_main", "make_main", "run"]
ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


def build_model(settings: Settings, vault: KeyVault | None = None) -> AppModel:
    """Open the tablet's encrypted store and wire the view-models. Without a vault (web mode), the
    keys live in `settings.key_dir`, outside the data folder; on a device pass a SecureStorageVault."""
    vault = vault or DirectoryVault(settings.key_dir or default_key_dir(), settings.data_dir)
    store = open_store(settings.data_dir, vault)
    evidence = EvidenceStore(settings.data_dir / EVIDENCE_DIR, vault)
    recordings = settings.data_dir / POINTERS
    recover_recordings(store, evidence, recordings)  # a recording cut by a kill: kept as a WAV, or discarded
    prune_evidence(store, evidence)  # files of records the server confirmed, or of discarded drafts
    tablet = device_id(settings.data_dir)
    provisioned = provisioning.load(settings.data_dir)  # the QR code's server and CA win over the environment
    server_url, ca_file = (provisioned.server_url, provisioned.ca_file(settings.data_dir)) if provisioned \
        else (settings.server_url, settings.ca_file)
    client = SyncClient(server_url, ca_file=ca_file, device_id=tablet)
    team = TeamSession(store, client, tablet)
    visit = VisitEditor(store, evidence, team)
    outbox = SyncPanel(store, evidence, client, team)
    resume = AutoResume(outbox, settings.auto_resume_seconds)
    device = DeviceGuard(store, settings.data_dir, vault, client, team, outbox, resume)
    outbox.before_upload = device.report
    return AppModel(store, evidence, client, team, CaseList(store, client, team),
                    visit, outbox, PhotoBatch(visit),
                    CameraSession(visit), Recorder(visit, recordings),
                    IdleLock(team, timedelta(seconds=settings.idle_lock_seconds)),
                    resume, EvidenceRemoval(visit), Provisioner(settings.data_dir, client), device)


def make_main(model: AppModel) -> Callable[[ft.Page], None]:
    """The Flet entry point for one browser session: the router sets up the page and its screens."""

    def main(page: ft.Page) -> None:
        router.start(page, model)

    return main


def make_device_main(settings: Settings) -> Callable[[ft.Page], Awaitable[None]]:
    """The Flet entry point on a real tablet (`flet build apk`): the keys come from the Android
    Keystore through flet-secure-storage, read once the page (and so the service) exists.
    Not exercised here (no Flutter client with a keystore on these machines)."""
    from flet_secure_storage import AndroidOptions, SecureStorage

    from field_app.store.secure_storage_vault import SecureStorageVault

    state: dict[str, AppModel] = {}

    async def main(page: ft.Page) -> None:
        if "model" not in state:
            # reset_on_error=False: a keystore error must not silently wipe the key (and so the data)
            storage = SecureStorage(android_options=AndroidOptions(reset_on_error=False))
            state["model"] = build_model(settings, await SecureStorageVault.open(storage))
        make_main(state["model"])(page)

    return main


def run(settings: Settings) -> None:
    """Serve the app in web mode on 127.0.0.1, offline (no CDN)."""
    model = build_model(settings)
    ft.run(make_main(model), view=ft.AppView.WEB_BROWSER, host="127.0.0.1", port=settings.port,
           assets_dir=str(ASSETS_DIR), no_cdn=True)
