"""This tablet as one device of the office's fleet (issue 18): its provisioning (the first screen and the
settings screen) and the server's wipe order ("设备丢失").

`Provisioner` turns a scanned or typed enrolment payload into a provisioned tablet (field_app/provisioning.py).
`DeviceGuard` reports the tablet's state before each upload and obeys a wipe order, whether it comes as
the answer to that report or as a `device.lost` problem on any request: when told to upload first it runs
one more upload of the outbox (the server lets a lost tablet's token upload, nothing else) and reports the
wipe; then it destroys the vault's keys and shreds the data folder, and tells the screens."""
from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from field_app.provisioning import APP_VERSION, Provisioning, ProvisioningRefused, decode_qr, load, provision
from field_app.store import Store
from field_app.store.wipe import shred_tree
from field_app.sync.client import SyncClient, SyncError
from field_app.viewmodels.base import Observable
from field_app.viewmodels.outbox import AutoResume, SyncPanel
from field_app.viewmodels.team import TeamSession
from schemas.devices import DeviceReport, PayloadInvalid, parse_payload
from schemas.forms import FORMS_DIR

log = logging.getLogger(__name__)
WIPED_MESSAGE = "本设备已被机构登记为丢失，本机的调查数据与密钥已全部清除。如需继续使用，请交回管理员重新登记。"


class Provisioner(Observable):
    """Whether and how this tablet is provisioned; provisions it from a payload."""

    def __init__(self, data_dir: Path, client: SyncClient) -> None:
        self.data_dir, self.client = Path(data_dir), client
        self.current: Provisioning | None = load(self.data_dir)
        self.error = ""

    @property
    def provisioned(self) -> bool:
        """Provisioned by QR code, or configured by environment (a server URL given at start)."""
        return self.current is not None or self.client.configured

    def submit(self, text: str) -> bool:
        """Provision from a scanned or typed payload; False with `error` set (Chinese) when refused."""
        try:
            self.current = provision(parse_payload(text), self.data_dir, self.client)
            self.error = ""
        except (PayloadInvalid, ProvisioningRefused) as refused:
            self.error = str(refused)
        self._notify()
        return not self.error

    def scan(self, frame: bytes) -> bool:
        """Provision from a camera frame holding the QR code."""
        try:
            text = self.read(frame)
        except ProvisioningRefused as refused:  # no decoder here
            self.error = str(refused)
            self._notify()
            return False
        if text is None:
            self.error = "画面中没有识别到二维码，请对准控制台上的登记二维码再试，或粘贴登记内容"
            self._notify()
            return False
        return self.submit(text)

    @staticmethod
    def read(frame: bytes) -> str | None:
        """The text of the QR code in one camera frame, None if there is none or the frame does not decode
        (a scan reads the next one); refused where this platform has no decoder."""
        try:
            return decode_qr(frame)
        except OSError:  # not an image (a frame cut short): the next frame may be whole
            log.warning("QR scan: a frame that is not an image (%d bytes)", len(frame))
            return None


class DeviceGuard(Observable):
    """Reports the tablet's state at each upload and obeys the server's wipe order, once."""

    def __init__(self, store: Store, data_dir: Path, vault: object, client: SyncClient, team: TeamSession,
                 outbox: SyncPanel, auto_resume: AutoResume | None = None) -> None:
        self.store, self.data_dir, self.vault, self.client = store, Path(data_dir), vault, client
        self.team, self.outbox, self.auto_resume = team, outbox, auto_resume
        self.wiped = False
        self.message = ""
        self._obeying = threading.Lock()
        self._started = False
        client.on_device_lost = self.ordered

    def report(self, token: str) -> None:
        """Tell the server this tablet's state (before an upload); obey a wipe order in the answer."""
        try:
            orders = self.client.report_device(token, self.state())
        except SyncError:
            return  # offline, or refused: the upload itself will say so (a device.lost calls `ordered`)
        if orders.wipe:
            self.ordered(orders.upload_first)

    def state(self, wiped: bool = False) -> DeviceReport:
        """What the fleet list shows of this tablet."""
        forms = sorted(p.stem for p in FORMS_DIR.glob("*.json"))
        return DeviceReport(app_version=APP_VERSION, form_versions=forms, outbox_backlog=self.outbox.pending,
                            free_bytes=shutil.disk_usage(self.data_dir).free, wiped=wiped)

    def ordered(self, upload_first: bool) -> None:
        """The server ordered a wipe: obey it on a thread of its own (the caller may be mid-upload), once."""
        with self._obeying:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self.obey, args=(upload_first,), name="wipe", daemon=True).start()

    def obey(self, upload_first: bool, after: Callable[[], None] | None = None) -> None:
        """Upload first if told so, report the wipe, then destroy the keys and shred the data folder."""
        if self.auto_resume is not None:
            self.auto_resume.stop()
        if upload_first:
            self._upload_then_report()
        with self.outbox.upload_lock:  # no upload is using the store any more
            self.store.shut()
            destroy = getattr(self.vault, "destroy", None)
            if callable(destroy):
                destroy()
            shred_tree(self.data_dir)
        self.team.forget_all()
        self.wiped, self.message = True, WIPED_MESSAGE
        log.warning("device wiped on the server's order (upload first: %s)", upload_first)
        self._notify()
        if after is not None:
            after()

    def _upload_then_report(self) -> None:
        token = self.team.token()
        try:
            self.outbox.sync()
            if token is not None:
                self.client.report_device(token, self.state(wiped=True))
        except Exception:  # noqa: BLE001 - whatever failed, the wipe goes on
            log.exception("upload before the wipe failed; wiping anyway")
