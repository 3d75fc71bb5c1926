"""Forms are kept per published version (R9): records are judged by the version they were filled on."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.completeness import missing_items
from schemas.forms import FORMS_DIR, FormRegistry, FormVersionUnknown, form_for, form_of, load_form
from schemas.records import VisitKind
from tests.schemas.factories import complete_record

EXTRA = {"id": "monthly_utility_bill", "label": "近三个月水电费（元）", "type": "number", "required": True}


def registry_with_v2(directory: Path) -> FormRegistry:
    """The published forms plus the next home visit version (v2 before it shipped, now v3) that asks one
    more required question."""
    for path in FORMS_DIR.glob("*.v*.json"):
        (directory / path.name).write_bytes(path.read_bytes())
    current = load_form("home_visit")
    data = json.loads((FORMS_DIR / f"home_visit.v{current.version}.json").read_text(encoding="utf-8"))
    data["version"] = current.version + 1
    data["sections"][0]["fields"].append(EXTRA)
    (directory / f"home_visit.v{current.version + 1}.json").write_text(json.dumps(data, ensure_ascii=False),
                                                                       encoding="utf-8")
    return FormRegistry(directory)


def test_every_published_form_file_is_named_after_its_id_and_version():
    files = sorted(FORMS_DIR.glob("*.json"))
    assert files, "no forms published"
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert path.name == f"{data['id']}.v{data['version']}.json"
        assert load_form(data["id"], data["version"]).title == data["title"]


def test_the_current_form_is_the_highest_published_version():
    for kind in VisitKind:
        if FormRegistry(FORMS_DIR).versions(kind.value):
            assert form_for(kind).version == max(FormRegistry(FORMS_DIR).versions(kind.value))


def test_a_record_filled_on_v1_is_judged_by_v1_after_v2_ships_r9(tmp_path, monkeypatch):
    """Completeness uses the record's own form version: the next version's question is not asked of a v1
    record (the next version is one more than the published ones: v3 once v2 shipped)."""
    monkeypatch.setattr("schemas.forms.REGISTRY", registry_with_v2(tmp_path))
    v1, v2 = load_form("home_visit", 1), load_form("home_visit")
    assert v2.version == FormRegistry(FORMS_DIR).versions("home_visit")[-1] + 1
    assert EXTRA["id"] in {f.id for f in v2.fields()}
    record = complete_record(v1)
    assert form_of(record) == v1
    assert missing_items(form_of(record), record) == []
    assert f"answer.{EXTRA['id']}" in [m.code for m in missing_items(v2, record)]


def test_an_unpublished_version_or_form_is_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setattr("schemas.forms.REGISTRY", registry_with_v2(tmp_path))
    record = complete_record(load_form("home_visit", 1))
    with pytest.raises(FormVersionUnknown):
        form_of(record.model_copy(update={"form_version": 9}))
    with pytest.raises(FormVersionUnknown):
        form_of(record.model_copy(update={"form_id": "no_such_form"}))
    with pytest.raises(FormVersionUnknown):  # a form of another kind of visit
        form_of(record.model_copy(update={"kind": VisitKind.NEIGHBOUR_INTERVIEW}))
    with pytest.raises(KeyError):
        load_form("no_such_form")


def test_a_file_that_lies_about_its_version_is_not_loaded(tmp_path):
    data = json.loads((FORMS_DIR / "home_visit.v1.json").read_text(encoding="utf-8"))
    (tmp_path / "home_visit.v3.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="declares home_visit v1"):
        FormRegistry(tmp_path).form("home_visit", 3)
