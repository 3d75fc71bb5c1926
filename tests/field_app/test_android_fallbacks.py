"""An Android build has no pillow-heif (Flet's mobile package index builds none: docs/ANDROID.md). Without it
the tablet still starts, a JPEG from its camera is taken as before, and a HEIC file is refused with the same
clear message: this tablet cannot read HEIC. pillow-heif is made unimportable in a child process (None in
sys.modules: `import pillow_heif` raises ImportError there), as on a device."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

from tests.end_to_end.flet_browser import free_port, start_process, stop_process

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = Path("/work/shared/test-media/photos")
WITHOUT_HEIF = "import sys; sys.modules['pillow_heif'] = None\n"


def test_without_pillow_heif_a_jpeg_is_taken_and_a_heic_refused_clearly() -> None:
    script = WITHOUT_HEIF + textwrap.dedent(f"""
        from pathlib import Path
        from schemas import heif
        from field_app.capture.photo import NO_HEIF, ingest_photo
        from field_app.errors import PhotoRejected
        assert heif.AVAILABLE is False
        photo = ingest_photo(Path({str(PHOTOS / "Canon_40D.jpg")!r}).read_bytes())
        assert photo.media_type == "image/jpeg", photo.media_type
        try:
            ingest_photo(Path({str(PHOTOS / "heic/iphone_13_pro_max.HEIC")!r}).read_bytes(), "IMG_0001.HEIC")
        except PhotoRejected as rejected:
            assert rejected.reason == NO_HEIF, rejected.reason
            print("refused:", rejected.reason)
        else:
            raise AssertionError("a HEIC photo was taken without a HEIF decoder")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "refused:" in result.stdout


def test_with_pillow_heif_the_same_heic_is_taken() -> None:
    """The other side of the fallback: where pillow-heif is installed it is used (the test above can fail)."""
    from field_app.capture.photo import ingest_photo
    from schemas import heif

    assert heif.AVAILABLE
    assert ingest_photo((PHOTOS / "heic/iphone_13_pro_max.HEIC").read_bytes()).media_type == "image/heic"


def test_the_tablet_starts_without_pillow_heif(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    argv = ["main.py", "--port", str(port), "--server", "http://127.0.0.1:9", "--data-dir", str(tmp_path / "tablet"),
            "--key-dir", str(tmp_path / "keys")]
    script = WITHOUT_HEIF + f"import runpy; sys.argv = {argv!r}; runpy.run_path('main.py', run_name='__main__')"
    proc = start_process([sys.executable, "-c", script], cwd=ROOT, ready_url=url, timeout=90,
                         env={"FLET_PLATFORM": ""}, log_path=tmp_path / "tablet.log")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"flutter" in response.read().lower()
        assert (tmp_path / "tablet" / "device_id").is_file()
    finally:
        stop_process(proc)
