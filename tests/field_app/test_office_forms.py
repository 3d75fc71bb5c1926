"""The tablet downloads the office's own form versions at sync, starts new visits on the newest, keeps a
draft on the version it was started on, and both records merge on the real server (issue 20)."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from field_app.store.office_forms import registry, save_forms
from schemas.forms.office import OfficeForm, form_body
from schemas.records import Role, VisitKind
from sync_server.forms.published import publish, stage
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Case
from tests.field_app.helpers import strokes
from tests.field_app.live_server import PINS
from tests.sync_server.xlsform_books import V2_ANSWERS, neighbour_v2

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def publish_v2(server) -> None:
    """What the administrator's 发布 does (the console flow has its own tests)."""
    with server.app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        case.required_checks = ["home_visit", "neighbour_interview"]
        session.add(case)
        publish(session, stage(session, "neighbour_interview", neighbour_v2()), "admin", "v2.xlsx", NOW)
        session.commit()


def fill_v2(editor) -> None:
    for key, value in V2_ANSWERS.items():
        if key == "vehicles":
            continue
        editor.set_answer(key, value)
    editor.add_row("vehicles")
    for column, value in V2_ANSWERS["vehicles"][0].items():  # type: ignore[index]
        editor.set_cell("vehicles", 0, column, value)


def seal_neighbour(editor, answers) -> object:
    for item in editor.form.notification:
        editor.set_notification(item.id, True)
    editor.set_respondent("赵大妈", "邻居")
    answers(editor)
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="zhangwei")
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(2), surveyor="lina")
    return editor.seal({u: PINS[u] for u in ("zhangwei", "lina")})


def test_a_draft_keeps_its_version_new_visits_take_the_office_version_and_both_merge(tablet, server):
    team, cases, editor, sync = tablet["team"], tablet["cases"], tablet["editor"], tablet["sync"]
    with server.app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        case.required_checks = ["home_visit", "neighbour_interview"]
        session.add(case)
        session.commit()
    for username in ("zhangwei", "lina"):
        team.sign_in(username, PINS[username])
    cases.refresh()
    editor.start(cases.get(DEMO_CASE_ID), VisitKind.NEIGHBOUR_INTERVIEW)
    assert editor.form.version == 1
    old_id = editor.record.id

    publish_v2(server)
    cases.refresh()
    assert cases.notice == ""
    editor.resume(old_id)
    assert editor.form.version == 1  # a draft keeps the version it was started on
    sealed_v1 = seal_neighbour(editor, lambda e: [e.set_answer(f.id, "如实回答") for f in e.form.fields()])
    assert sealed_v1.record.form_version == 1

    editor.start(cases.get(DEMO_CASE_ID), VisitKind.NEIGHBOUR_INTERVIEW)
    assert editor.form.version == 2 and "income_sources" in {f.id for f in editor.form.fields()}
    sealed_v2 = seal_neighbour(editor, fill_v2)
    assert sealed_v2.record.answers["income_sources"] == ["务工", "其他"]

    results = sync.sync()
    assert [r.status.value for r in results] == ["synced", "synced"], results
    detail = server.api("GET", f"/cases/{DEMO_CASE_ID}", server.staff_token()).json()
    versions = {m["sealed"]["record"]["id"]: m["sealed"]["record"]["form_version"] for m in detail["records"]}
    assert versions == {sealed_v1.record.id: 1, sealed_v2.record.id: 2}


def test_a_form_whose_bytes_do_not_match_its_digest_is_not_kept(store):
    from schemas.forms import form_for

    form = form_for(VisitKind.NEIGHBOUR_INTERVIEW).model_copy(update={"version": 9})
    body = form_body(form)
    honest = OfficeForm(form_id=form.id, version=9, body=body, sha256=hashlib.sha256(body.encode()).hexdigest())
    forged = honest.model_copy(update={"body": body.replace("邻里访问", "邻里访谈")})
    shipped = honest.model_copy(update={"version": 1})
    with store.transaction() as s:
        refused = save_forms(s, [forged, shipped], NOW)
    assert refused == ["neighbour_interview v9", "neighbour_interview v1"]
    with store.transaction() as s:
        assert save_forms(s, [honest, honest], NOW) == []
    with store.reading() as s:
        assert registry(s).form("neighbour_interview").version == 9
    with store.transaction() as s:  # the same version under other bytes later: the first is kept
        other = form_body(form.model_copy(update={"title": "改过的"}))
        swapped = OfficeForm(form_id=form.id, version=9, body=other, sha256=hashlib.sha256(other.encode()).hexdigest())
        assert save_forms(s, [swapped], NOW) == ["neighbour_interview v9"]
    with store.reading() as s:
        assert registry(s).form("neighbour_interview").title == form.title


def test_with_nothing_published_the_tablet_keeps_the_shipped_forms(tablet, server, store):
    team = tablet["team"]
    for username in ("zhangwei", "lina"):
        team.sign_in(username, PINS[username])
    tablet["cases"].refresh()
    assert tablet["cases"].notice == ""
    with store.reading() as s:
        assert registry(s).form("neighbour_interview").version == 1
