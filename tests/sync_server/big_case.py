"""The case the documents are proven on: 6 family members, 8 sealed home visits, 40 distinct photos."""
from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from schemas.records import EvidenceKind, Role
from schemas.signed import seal_v2
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Subject
from tests.media import PHOTOS
from tests.sync_server.helpers import FieldTeam, Visit, home_visit

SOURCES = sorted((PHOTOS / "gps").glob("*.jpg")) + sorted((PHOTOS / "orientation").glob("*.jpg"))
EXTRA_MEMBERS = [("王小红", "子女", date(2012, 4, 3), True), ("王德福", "父亲", date(1942, 1, 20), False),
                 ("李桂芳", "母亲", date(1945, 6, 8), True)]
CAPTIONS = ["客厅", "厨房", "卧室", "卫生间", "阳台", "药品与病历", "户口簿", "家电"]


def distinct_photos(count: int, side: int = 720) -> list[bytes]:
    """`count` different JPEGs cut from the shared real photos (each under the test server's size limit)."""
    out = []
    for i in range(count):
        with Image.open(SOURCES[i % len(SOURCES)]) as image:
            rgb = image.convert("RGB")
        w, h = rgb.size
        shift = (i // len(SOURCES)) * 7 + 1
        crop = rgb.crop((shift, shift, w - shift, h - shift))
        crop.thumbnail((side, side))
        buffer = io.BytesIO()
        crop.save(buffer, "JPEG", quality=70 + i % 20)
        out.append(buffer.getvalue())
    return out


def add_members(app: object) -> None:
    """Three more members: the demo family becomes six."""
    with app.state.services.session() as session:  # type: ignore[attr-defined]
        for n, (name, relation, born, female) in enumerate(EXTRA_MEMBERS, start=4):
            session.add(Subject(id=f"{DEMO_CASE_ID}-s{n}", case_id=DEMO_CASE_ID, position=n, name=name,
                                relation=relation, id_number=make_id_number("500112", born, 50 + n, female)))
        session.commit()


def submit_records(team: FieldTeam, records: int = 8, photos_each: int = 5) -> list[Visit]:
    """`records` sealed (v2) home visits of `photos_each` photos each, all merged."""
    photos = distinct_photos(records * photos_each)
    visits = []
    for r in range(records):
        visit = home_visit(f"rec-big-{r:04d}")
        shared = {e.sha256 for e in visit.record.evidence if e.kind == EvidenceKind.PHOTO}
        visit.record.evidence = [e for e in visit.record.evidence if e.sha256 not in shared]
        visit.files = {sha: data for sha, data in visit.files.items() if sha not in shared}
        visit.record.started_at += timedelta(days=r % 3, hours=r)
        visit.record.answers["survey_conclusion"] = f"第 {r + 1} 次走访：家庭生活困难情况属实，未发现隐瞒收入。"
        for p in range(photos_each):
            visit.add(photos[r * photos_each + p], EvidenceKind.PHOTO, Role.SCENE, "zhangwei", "image/jpeg",
                      CAPTIONS[(r + p) % len(CAPTIONS)])
        team.upload(visit.files)
        response = team.post(seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors}))
        assert response.status_code == 200, response.text
        visits.append(visit)
    return visits
