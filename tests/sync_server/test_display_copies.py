"""Display copies of photos (issue 7, issue 9): watermarked with time, place, case and surveyors, made
once and cached, the original untouched; thumbnails on the case page, display copies in the record PDF,
a placeholder with a Chinese reason for what cannot be decoded."""
from __future__ import annotations

import hashlib
import io
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from PIL import Image, ImageChops, ImageOps, ImageStat

from schemas.records import EvidenceKind, Location, Role
from sync_server.app import create_app
from sync_server.display import DisplayCopies, Variant, WatermarkFacts
from sync_server.display.maker import make
from sync_server.display.watermark import draw_band, lines
from sync_server.settings import Settings
from tests.sync_server.console_client import console_login
from tests.sync_server.helpers import PHOTOS, FieldTeam, api_client, home_visit
from tests.sync_server.legacy import plant_legacy_record
from tests.sync_server.staff_gate_helpers import renew_credentials

FACTS = WatermarkFacts(datetime(2026, 11, 17, 1, 30, tzinfo=UTC), "北纬 29.71234，东经 106.63211",
                       "case-yb-2026-0001", ["张伟", "李娜"])


def upright_plain(data: bytes, side: int = 1280) -> Image.Image:
    """The original turned upright and shrunk, without any band (what a copy would be unstamped)."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    image.thumbnail((side, side))
    return image


def mean_difference(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.crop(box), b.crop(box))).mean) / 3


def photo_of(visit) -> tuple[str, bytes]:
    ref = next(e for e in visit.record.evidence if e.kind == EvidenceKind.PHOTO)
    return ref.sha256, visit.files[ref.sha256]


def test_the_band_says_when_where_which_case_and_who_in_chinese():
    assert lines(FACTS) == ["拍摄时间：2026-11-17 09:30（北京时间）", "地点：北纬 29.71234，东经 106.63211",
                            "案件编号：case-yb-2026-0001", "调查人员：张伟、李娜"]
    exif = datetime(2008, 10, 22, 16, 28)
    assert lines(WatermarkFacts(), exif)[0] == "拍摄时间：2008-10-22 16:28（相机记录时间）"
    assert lines(WatermarkFacts())[:2] == ["拍摄时间：时间不详", "地点：不详"]


@pytest.mark.parametrize("shade", [0, 255])
def test_the_band_is_legible_on_black_and_on_white(shade: int):
    """White text on a semi-opaque dark band: on a white wall the band darkens, on a night shot the text
    stands out; both ways bright text pixels sit on a darker ground."""
    photo = Image.new("RGB", (1280, 960), (shade, shade, shade))
    stamped = draw_band(photo, lines(FACTS)).convert("L")
    band = stamped.crop((0, 960 - 150, 1280, 960))
    histogram = band.histogram()
    bright, dark = sum(histogram[230:]), sum(histogram[:130])
    assert bright > 2000 and dark > 0.5 * band.width * band.height, (bright, dark)
    assert stamped.crop((0, 0, 1280, 400)).getextrema() == (shade, shade)  # the photo above is untouched


def test_the_console_shows_a_watermarked_copy_and_the_original_stays_byte_for_byte(team: FieldTeam, app: FastAPI):
    visit = home_visit()
    visit.record.evidence[0].location = Location(lat=29.71234, lon=106.63211)
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team.client, "wangfang")
    sha, original = photo_of(visit)
    response = team.client.get(f"/console/evidence/{sha}/preview?record={visit.record.id}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    copy = Image.open(io.BytesIO(response.content))
    plain = upright_plain(original)
    assert copy.format == "JPEG" and copy.size == plain.size and max(copy.size) <= 1280
    width, height = copy.size
    assert mean_difference(copy, plain, (0, 0, width, height // 2)) < 4  # the photo itself
    assert mean_difference(copy, plain, (0, height * 85 // 100, width, height)) > 25  # the band
    assert ImageStat.Stat(copy.convert("L").crop((0, height * 85 // 100, width, height))).extrema[0][1] > 230
    assert team.client.get(f"/console/evidence/{sha}").content == original  # 查看原件
    stored = app.state.services.blobs.local_path(sha).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == sha
    page = team.client.get("/console/cases/case-yb-2026-0001").text
    assert f'href="/console/evidence/{sha}">查看原件</a>' in page


def test_a_copy_is_made_once_and_then_served_without_decoding(team: FieldTeam, app: FastAPI,
                                                              monkeypatch: pytest.MonkeyPatch):
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team.client, "wangfang")
    display: DisplayCopies = app.state.services.display
    sha, _ = photo_of(visit)
    url = f"/console/evidence/{sha}/preview?record={visit.record.id}"
    first = team.client.get(url).content
    thumb = team.client.get(f"/console/evidence/{sha}/thumb?record={visit.record.id}").content
    assert display.made == 1  # one decode made both the display copy and the thumbnail
    assert max(Image.open(io.BytesIO(thumb)).size) <= 320

    def no_decoding(*args: object) -> None:
        raise AssertionError("the original was decoded again")

    monkeypatch.setattr("sync_server.display.copies.make", no_decoding)
    monkeypatch.setattr(Image, "open", no_decoding)
    assert team.client.get(url).content == first
    assert team.client.get(f"/console/evidence/{sha}/thumb?record={visit.record.id}").content == thumb
    assert display.made == 1


def test_a_photo_cited_by_two_records_gets_a_copy_per_record(team: FieldTeam, app: FastAPI):
    """The watermark belongs to the record (its team, its time): the same bytes in two records, two copies."""
    first, second = home_visit("rec-hv-000001"), home_visit("rec-hv-000002", surveyors=("lina", "zhangwei"))
    for visit in (first, second):
        assert team.submit(visit).json()["status"] == "merged"
    console_login(team.client, "wangfang")
    sha, _ = photo_of(first)
    a = team.client.get(f"/console/evidence/{sha}/preview?record=rec-hv-000001").content
    b = team.client.get(f"/console/evidence/{sha}/preview?record=rec-hv-000002").content
    assert a != b and app.state.services.display.made == 2
    assert team.client.get(f"/console/evidence/{sha}/preview").content == a  # no record named: the first by id
    # the makers' lock files are a fixed set shared by every photo, not one per copy made
    assert [p.name for p in (app.state.services.display.root / "locks").iterdir()] == [f"{sha[:2]}.lock"]


def test_a_heic_photo_gets_a_jpeg_display_copy(settings: Settings, clock, template):
    app = create_app(settings.replace(max_evidence_bytes=4_000_000), clock=clock)
    try:
        with api_client(app) as client:
            team = FieldTeam(client, dict(template.team.headers), dict(template.team.keys))
            visit = home_visit()
            heic = (PHOTOS / "heic" / "iphone_13_pro_max.HEIC").read_bytes()
            visit.add(heic, EvidenceKind.PHOTO, Role.SCENE, "zhangwei", "image/heic", "厨房")
            assert team.submit(visit).json()["status"] == "merged"
            console_login(client, "wangfang")
            sha = hashlib.sha256(heic).hexdigest()
            copy = client.get(f"/console/evidence/{sha}/preview?record={visit.record.id}")
            image = Image.open(io.BytesIO(copy.content))
            assert copy.headers["content-type"] == "image/jpeg" and image.format == "JPEG"
            assert max(image.size) == 1280 and image.height > image.width  # the phone held upright
            assert client.get(f"/console/evidence/{sha}").content == heic
    finally:
        app.state.services.engine.dispose()


def test_an_undecodable_photo_shows_a_placeholder_and_the_page_still_opens(team: FieldTeam, app: FastAPI):
    services = app.state.services
    broken = b"\xff\xd8\xff\xe0" + b"not really a picture " * 40
    shas = plant_legacy_record(services.engine, services.blobs, team, home_visit("rec-legacy-broken"),
                               {"broken.jpg": (broken, "image/jpeg", EvidenceKind.PHOTO)})
    console_login(team.client, "wangfang")
    assert team.client.get("/console/cases/case-yb-2026-0001").status_code == 200
    for variant in ("preview", "thumb"):
        response = team.client.get(f"/console/evidence/{shas['broken.jpg']}/{variant}")
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        grey = Image.open(io.BytesIO(response.content)).convert("L")
        assert grey.getpixel((grey.width - 5, grey.height - 5)) in range(80, 100)  # the grey card
    assert not make(services.blobs.local_path(shas["broken.jpg"]), FACTS).ok
    assert services.blobs.local_path(shas["broken.jpg"]).read_bytes() == broken


def test_ten_first_views_at_once_make_one_copy_and_all_get_it(team: FieldTeam, app: FastAPI):
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    sha, _ = photo_of(visit)
    url = f"/console/evidence/{sha}/preview?record={visit.record.id}"
    barrier, bodies, errors = threading.Barrier(10), [], []

    def view() -> None:
        try:
            with api_client(app) as client:
                console_login(client, "wangfang")
                barrier.wait(timeout=60)
                response = client.get(url)
                assert response.status_code == 200
                bodies.append(response.content)
        except BaseException as error:  # noqa: BLE001  (re-raised below)
            errors.append(error)

    threads = [threading.Thread(target=view) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert len(bodies) == 10 and len(set(bodies)) == 1
    assert Image.open(io.BytesIO(bodies[0])).format == "JPEG"
    assert app.state.services.display.made == 1
    assert not list(app.state.services.blobs.tmp.iterdir())  # no temporary file left behind


def test_copies_are_made_in_the_background_when_a_record_merges(settings: Settings, clock, template):
    app = create_app(settings.replace(display_warm_workers=1), clock=clock)
    try:
        with api_client(app) as client:
            team = FieldTeam(client, dict(template.team.headers), dict(template.team.keys))
            visit = home_visit()
            assert team.submit(visit).json()["status"] == "merged"
            display: DisplayCopies = app.state.services.display
            display.drain()
            photos = [e.sha256 for e in visit.record.evidence if e.kind == EvidenceKind.PHOTO]
            assert display.made == len(photos) == 2
            assert all(display.cached(sha, visit.record.id, Variant.THUMB) for sha in photos)
            console_login(client, "wangfang")
            for sha in photos:
                assert client.get(f"/console/evidence/{sha}/thumb?record={visit.record.id}").status_code == 200
            assert display.made == 2
    finally:
        app.state.services.engine.dispose()


def test_the_record_pdf_embeds_the_display_copy(team: FieldTeam, app: FastAPI):
    from sync_server.documents.bundle import record_pdfs
    from sync_server.tables import Case

    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    services = app.state.services
    with services.session() as session:
        case = session.get(Case, visit.record.case_id)
        [(name, pdf)] = record_pdfs(session, case, services)
    assert name == f"pdf/record-{visit.record.id}.pdf"
    for ref in visit.record.evidence:
        if ref.kind == EvidenceKind.PHOTO:
            copy = Path(services.display.path(ref.sha256, visit.record.id, Variant.DISPLAY)).read_bytes()
            assert copy in pdf  # the stamped JPEG itself, embedded as it is (DCT), not the original
            assert visit.files[ref.sha256] not in pdf
    assert services.display.made == 2


def test_disposing_of_a_case_deletes_its_display_copies_with_its_originals(team: FieldTeam, app: FastAPI, clock):
    """R35: a watermarked copy shows the photo as much as the original does; it goes when the case's archive does."""
    from tests.sync_server.disposal_helpers import appraise
    from tests.sync_server.helpers import password_login

    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team.client, "wangfang")
    display: DisplayCopies = app.state.services.display
    sha, _ = photo_of(visit)
    assert team.client.get(f"/console/evidence/{sha}/thumb?record={visit.record.id}").status_code == 200
    made = [display.path(sha, visit.record.id, v) for v in Variant]
    assert all(path.is_file() for path in made)
    api = f"/api/v1/cases/{visit.record.case_id}"
    headers = team.headers["wangfang"]
    assert team.client.put(f"{api}/retention", json={"retention_years": 1}, headers=headers).status_code == 200
    appraise(team)  # issue 17: a second person approves the disposal first
    clock.advance(days=366)
    renew_credentials(team.client, "wangfang")  # and the pledge and training, a year on (R41)
    assert team.client.post("/api/v1/auth/password", json={
        "username": "wangfang", "old_password": "Review!Case2026", "new_password": "Archive#Kept2027"}).status_code == 204
    headers = password_login(team.client, "wangfang", "Archive#Kept2027")
    assert team.client.post(f"{api}/disposal", json={"note": "保管期满，经鉴定销毁"}, headers=headers).status_code == 200
    assert not any(path.exists() for path in made)
