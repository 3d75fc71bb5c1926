"""POST /records after a new form version ships: queued records sealed on the old version still merge (R9)."""
from __future__ import annotations

import pytest

from schemas.forms import load_form
from schemas.problems import CHINESE, Code
from tests.schemas.test_form_versions import EXTRA, registry_with_v2
from tests.sync_server.helpers import FieldTeam, home_visit, problem_of


@pytest.fixture
def v2_current(tmp_path, monkeypatch) -> None:
    """The server now publishes home visit v2 with one more required question."""
    monkeypatch.setattr("schemas.forms.REGISTRY", registry_with_v2(tmp_path))
    assert load_form("home_visit").version > 1


def test_a_record_sealed_on_v1_merges_after_v2_is_current_r9(team: FieldTeam, v2_current):
    visit = home_visit()
    assert visit.record.form_version == 1 and EXTRA["id"] not in visit.record.answers
    response = team.submit(visit)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "merged"
    assert team.merged_ids() == [visit.record.id]
    page = team.client.get(f"/api/v1/cases/{visit.record.case_id}", headers=team.headers["wangfang"])
    assert page.json()["records"][0]["sealed"]["record"]["form_version"] == 1


def test_a_v2_record_is_held_to_the_v2_question(team: FieldTeam, v2_current):
    visit = home_visit()
    visit.record.form_version = load_form("home_visit").version
    problem = problem_of(team.submit(visit))
    assert problem["code"] == Code.RECORD_INCOMPLETE.value
    assert f"answer.{EXTRA['id']}" in problem["data"]["codes"]


def test_a_record_on_an_unpublished_form_version_is_refused_with_a_clear_problem(team: FieldTeam):
    """A tablet newer than the server: refused by name, nothing merged, the tablet keeps the record."""
    visit = home_visit()
    visit.record.form_version = 7
    response = team.submit(visit)
    problem = problem_of(response)
    assert response.status_code == 422
    assert problem["code"] == Code.FORM_UNKNOWN.value
    assert problem["title"] == CHINESE[Code.FORM_UNKNOWN]
    assert "home_visit 第 7 版" in problem["detail"]
    assert problem["data"] == {"form_id": "home_visit", "form_version": 7}
    assert team.merged_ids() == []
