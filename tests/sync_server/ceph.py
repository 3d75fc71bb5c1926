"""A throwaway Ceph RADOS Gateway (a real S3 server) for the object-store tests: scripts/ceph_rgw_up.sh
on free ports under a temp dir (one mon, one memstore OSD, one radosgw, no mgr), stopped by
scripts/ceph_rgw_down.sh using the PIDs it recorded. The packages come from `make system-deps`."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sync_server.evidence.s3_store import S3Location
from tests.field_app.helpers import closed_port

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


class CephError(RuntimeError):
    """The gateway could not be started."""


@dataclass
class CephRgw:
    base: Path
    started_in: float = 0.0
    location: S3Location | None = None

    def start(self) -> CephRgw:
        """Start the daemons and wait until S3 answers (the script waits); raises CephError."""
        env = {**os.environ, "CEPH_BASE": str(self.base), "RGW_PORT": str(closed_port()),
               "MON_V2_PORT": str(closed_port()), "MON_V1_PORT": str(closed_port()), "WITH_MGR": "0", "SKIP_APT": "1",
               "MEMSTORE_BYTES": str(1024 ** 3)}
        began = time.monotonic()
        result = subprocess.run(["bash", str(SCRIPTS / "ceph_rgw_up.sh")], env=env, capture_output=True,
                                text=True, timeout=600, check=False)
        self.started_in = time.monotonic() - began
        if result.returncode != 0:
            self.stop()
            raise CephError(result.stdout[-2000:] + result.stderr[-2000:])
        values = dict(line.removeprefix("export ").split("=", 1)
                      for line in (self.base / "s3.env").read_text().splitlines() if "=" in line)
        self.location = S3Location(values["S3_ENDPOINT"], "evidence-test", values["AWS_ACCESS_KEY_ID"],
                                   values["AWS_SECRET_ACCESS_KEY"])
        return self

    def stop(self) -> None:
        """Stop the daemons this instance started and delete its data."""
        subprocess.run(["bash", str(SCRIPTS / "ceph_rgw_down.sh")], capture_output=True, timeout=120,
                       env={**os.environ, "CEPH_BASE": str(self.base)}, check=False)
