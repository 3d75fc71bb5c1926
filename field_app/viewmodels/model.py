"""The tablet's view-models as one typed bundle (built by field_app/app.py, read by field_app/views/).

It lives here, not in app.py, so the views can name its type without importing the composition root:
one Python process is one tablet, and these view-models are shared by every browser session (a reload
or a second tab shows the same team, drafts and outbox); each session subscribes on its own."""
from __future__ import annotations

from dataclasses import dataclass

from field_app.store import EvidenceStore, Store
from field_app.sync.client import SyncClient
from field_app.viewmodels.camera import CameraSession
from field_app.viewmodels.cases import CaseList
from field_app.viewmodels.device import DeviceGuard, Provisioner
from field_app.viewmodels.idle_lock import IdleLock
from field_app.viewmodels.outbox import AutoResume, SyncPanel
from field_app.viewmodels.photo_batch import PhotoBatch
from field_app.viewmodels.recording import Recorder
from field_app.viewmodels.removal import EvidenceRemoval
from field_app.viewmodels.team import TeamSession
from field_app.viewmodels.visit import VisitEditor


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
    photos: PhotoBatch  # the batch of photos being checked (progress per file)
    camera: CameraSession  # the shots taken on the camera screen
    recorder: Recorder | None = None  # interview audio (views/recorder.py)
    idle: IdleLock | None = None  # one lock per tablet (process), shared by every session
    auto_resume: AutoResume | None = None  # lets a cut-off upload go on once the network is back
    removal: EvidenceRemoval | None = None  # the last 移除, undoable for a few seconds (views/evidence_grid.py)
    provisioner: Provisioner | None = None  # the enrolment QR code: first screen and settings (issue 18)
    device: DeviceGuard | None = None  # the server's wipe order ("设备丢失")
