"""An office publishes its own form version from an XLSForm in the console; tablets download it; records
sealed on it merge and are judged by it, and records sealed on the previous version still merge (issue 20)."""
from __future__ import annotations

import io
import json
import re
import zipfile

from fastapi import FastAPI
from sqlmodel import select

from dossier_verify.__main__ import run as verify_cli
from schemas.forms.office import OfficeForm
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditEntry, PublishedForm
from tests.sync_server.console_client import console_login, form_token
from tests.sync_server.dossier_helpers import agency_key_id, export
from tests.sync_server.helpers import FieldTeam, problem_of
from tests.sync_server.test_review_api import entrust, neighbour
from tests.sync_server.testclient import TestClient
from tests.sync_server.xlsform_books import V2_ANSWERS, neighbour_v2, with_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_book(client: TestClient, book: bytes, form_id: str = "neighbour_interview"):  # type: ignore[no-untyped-def]
    token = form_token(client, "/console/forms")
    return client.post("/console/forms/import", data={"form_id": form_id, "csrf": token},
                       files={"file": ("邻里访问v2.xlsx", book, XLSX)})


def publish_from(client: TestClient, preview_html: str, **override: str):  # type: ignore[no-untyped-def]
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_0-9]+)" value="([^"]*)">', preview_html))
    return client.post("/console/forms/publish", data={**fields, **override}, follow_redirects=False)


def published(app: FastAPI) -> list[PublishedForm]:
    with app.state.services.session() as session:
        return list(session.exec(select(PublishedForm)))


def test_an_administrator_previews_then_publishes_and_tablets_download_it(client: TestClient, app: FastAPI,
                                                                         team: FieldTeam):
    console_login(client, "admin")
    preview = import_book(client, neighbour_v2())
    assert preview.status_code == 200, preview.text
    assert "发布为第 2 版" in preview.text and "主要收入来源" in preview.text and "新增多选题" in preview.text
    assert "收入情况" in preview.text  # the removed question is named
    assert published(app) == []  # a preview publishes nothing
    answer = publish_from(client, preview.text)
    assert answer.status_code == 303, answer.text
    listing = client.get(answer.headers["location"])
    assert "已发布 neighbour_interview.v2" in listing.text and "第 2 版（当前）" in listing.text
    [row] = published(app)
    assert (row.form_id, row.version, row.published_by, row.source_name) == ("neighbour_interview", 2, "admin",
                                                                             "邻里访问v2.xlsx")
    with app.state.services.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.kind == "form.published")).one()
    assert entry.subject == "form/neighbour_interview/v2" and entry.actor == "admin"
    offered = client.get("/api/v1/forms", headers=team.headers["zhangwei"])
    assert offered.status_code == 200, offered.text
    [form] = [OfficeForm.model_validate(f).form() for f in offered.json()]
    assert form.version == 2 and "income_sources" in {f.id for f in form.fields()}


def test_records_on_the_office_version_and_on_the_previous_one_both_merge(client: TestClient, app: FastAPI,
                                                                         team: FieldTeam):
    entrust(app, "home_visit", "neighbour_interview")
    console_login(client, "admin")
    assert publish_from(client, import_book(client, neighbour_v2()).text).status_code == 303
    old = neighbour("rec-nb-v1-0001", "邻居甲")
    assert team.submit(old).json()["status"] == "merged"
    new = neighbour("rec-nb-v2-0001", "邻居乙")
    new.record.form_version, new.record.answers = 2, dict(V2_ANSWERS)
    response = team.submit(new)
    assert response.status_code == 200, response.text
    assert set(team.merged_ids()) == {"rec-nb-v1-0001", "rec-nb-v2-0001"}
    page = client.get(f"/console/cases/{DEMO_CASE_ID}?record=rec-nb-v2-0001")
    assert "务工、其他" in page.text and "车辆情况" in page.text  # laid out by the office's version


def test_a_record_on_the_office_version_is_held_to_its_rules(client: TestClient, app: FastAPI, team: FieldTeam):
    entrust(app, "home_visit", "neighbour_interview")
    console_login(client, "admin")
    publish_from(client, import_book(client, neighbour_v2()).text)
    visit = neighbour("rec-nb-v2-0002", "邻居丙")
    visit.record.form_version = 2
    visit.record.answers = {k: v for k, v in V2_ANSWERS.items() if k != "other_income_source"}
    problem = problem_of(team.submit(visit))
    assert problem["code"] == "record.incomplete"
    assert "answer.other_income_source" in problem["data"]["codes"]  # 其他 ticked: its question is required
    visit.record.answers = {**V2_ANSWERS, "known_years": 300}
    problem = problem_of(team.submit(visit))
    assert problem["code"] == "record.incomplete" and "answer.known_years" in problem["data"]["codes"]


def test_a_workbook_with_problems_lists_them_and_publishes_nothing(client: TestClient, app: FastAPI):
    console_login(client, "admin")
    answer = import_book(client, with_rows(("image", "photo", "照片"), ("text", "Bad", "名")))
    assert answer.status_code == 422
    assert "证据步骤" in answer.text and "name 须以小写字母开头" in answer.text
    assert published(app) == []


def test_a_preview_overtaken_by_another_publish_is_refused(client: TestClient, app: FastAPI):
    console_login(client, "admin")
    first, second = import_book(client, neighbour_v2()), import_book(client, with_rows(("text", "q", "题")))
    assert publish_from(client, first.text).status_code == 303
    late = publish_from(client, second.text)
    assert late.status_code == 409 and "新版本" in late.text
    assert [r.version for r in published(app)] == [2]


def test_only_administrators_manage_forms(client: TestClient, app: FastAPI):
    console_login(client, "wangfang")
    assert client.get("/console/forms").status_code == 403
    token = form_token(client, "/console/cases")
    refused = client.post("/console/forms/import", data={"form_id": "neighbour_interview", "csrf": token},
                          files={"file": ("x.xlsx", neighbour_v2(), XLSX)})
    assert refused.status_code == 403 and published(app) == []


def test_a_tampered_staged_workbook_is_not_published(client: TestClient, app: FastAPI):
    console_login(client, "admin")
    preview = import_book(client, neighbour_v2())
    staged = next((app.state.services.settings.data_dir / "forms-staged").glob("*.xlsx"))
    staged.write_bytes(with_rows(("text", "q", "题")))
    answer = publish_from(client, preview.text)
    assert answer.status_code == 409 and published(app) == []


def test_the_dossier_carries_the_office_version_its_records_were_judged_by(client: TestClient, app: FastAPI,
                                                                          team: FieldTeam, tmp_path):
    entrust(app, "home_visit", "neighbour_interview")
    console_login(client, "admin")
    publish_from(client, import_book(client, neighbour_v2()).text)
    visit = neighbour("rec-nb-v2-0003", "邻居丁")
    visit.record.form_version, visit.record.answers = 2, dict(V2_ANSWERS)
    assert team.submit(visit).status_code == 200
    dossier = export(team, DEMO_CASE_ID)
    with zipfile.ZipFile(io.BytesIO(dossier)) as z:
        manifest = json.loads(z.read("manifest.json"))
        described = json.loads(z.read("forms/neighbour_interview.v2.json"))
        index = z.read("index.html").decode()
    [item] = [i for i in manifest["items"] if i["type"] == "form_version"]
    assert item["id"] == "form/neighbour_interview/v2" and len(item["log"]) == 1  # its form.published entry
    assert json.loads(described["body"])["version"] == 2 and described["published_by"] == "admin"
    assert "本单位发布的表单 neighbour_interview 第 2 版" in index
    path = tmp_path / "dossier.zip"
    path.write_bytes(dossier)
    assert verify_cli([str(path), "--agency-key-id", agency_key_id(team)]) == 0
