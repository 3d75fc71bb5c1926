"""The tablet against the REAL sync server (uvicorn on 127.0.0.1): sign-in, keys, cases, upload.

Offline is real too: the server is stopped, and connections are refused."""
from __future__ import annotations

import pytest

from field_app.errors import SignInError
from field_app.store import queries as q
from field_app.sync.client import ServerProblem
from field_app.sync.outbox import UploadStatus, upload_outbox
from field_app.viewmodels import SyncPanel, TeamSession, VisitEditor
from schemas.protocol import (
    CASES_PAGE,
    EVIDENCE_BATCH,
    PROTOCOL_HEADER,
    SMALL_FILE_BYTES,
    CaseDetail,
    parse_batch_header,
)
from schemas.records import Role, SealedRecord, VisitKind
from schemas.seal import sign_record
from sync_server.ops.seed import DEMO_CASE_ID, UNAUTHORIZED_CASE_ID
from tests.field_app.helpers import answer_all, photo, strokes, vault_for
from tests.field_app.live_server import PINS
from tests.sync_server.bulk import add_cases, templates


def _sign_in_team(tablet) -> TeamSession:
    team = tablet["team"]
    for username in ("zhangwei", "lina"):
        team.sign_in(username, PINS[username])
    tablet["cases"].refresh()
    return team


def _seal_home_visit(tablet, scene: str = "gps/DSCN0010.jpg", seed: int = 0) -> SealedRecord:
    editor: VisitEditor = tablet["editor"]
    case = tablet["cases"].get(DEMO_CASE_ID)
    editor.start(case, VisitKind.HOME_VISIT)
    for item in editor.form.notification:
        editor.set_notification(item.id, True)
    editor.set_respondent("王建国", "户主", f"{DEMO_CASE_ID}-s1")
    answer_all(editor, editor.form)
    editor.add_photo(photo(scene), scene.rsplit("/", 1)[-1])
    editor.sign(Role.RESPONDENT_SIGNATURE, strokes(seed))
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(seed + 1), surveyor="zhangwei")
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(seed + 2), surveyor="lina")
    return editor.seal({u: PINS[u] for u in ("zhangwei", "lina")})


def _case_detail(server, team: TeamSession) -> CaseDetail:
    return CaseDetail.model_validate_json(server.api("GET", f"/cases/{DEMO_CASE_ID}", team.token()).content)


def test_first_sign_in_on_a_tablet_makes_a_personal_key_and_registers_it_r4(tablet, server, store):
    team = tablet["team"]
    member = team.sign_in("zhangwei", PINS["zhangwei"])
    assert member.online and member.name == "张伟" and member.team_id == "team-yb-01"
    with store.reading() as s:
        account = q.get_account(s, "zhangwei")
    assert account.key_registered and account.token
    keys = server.api("GET", "/accounts/zhangwei/keys", server.staff_token()).json()
    assert [k["key_id"] for k in keys] == [account.key_id]

    team.sign_out("zhangwei")
    team.sign_in("zhangwei", PINS["zhangwei"])  # the same tablet again: the same key, not a new one
    with store.reading() as s:
        assert q.get_account(s, "zhangwei").key_id == account.key_id
    assert len(server.api("GET", "/accounts/zhangwei/keys", server.staff_token()).json()) == 1


def test_online_a_wrong_pin_gets_the_servers_chinese_message(tablet, server):
    with pytest.raises(SignInError, match="账号或 PIN 码不正确"):
        tablet["team"].sign_in("zhangwei", "000000")
    assert tablet["team"].members == []


def test_after_one_online_sign_in_a_surveyor_can_sign_in_offline(tablet, server):
    team = tablet["team"]
    team.sign_in("lina", PINS["lina"])
    team.sign_out("lina")
    server.stop()
    with pytest.raises(SignInError, match="从未在本平板登录"):
        team.sign_in("zhangwei", PINS["zhangwei"])
    with pytest.raises(SignInError, match="PIN 码不正确"):
        team.sign_in("lina", "000000")
    assert team.sign_in("lina", PINS["lina"]).online is False


def test_the_team_cases_are_downloaded_and_kept_for_offline_work_r1(tablet, server):
    _sign_in_team(tablet)
    cases = tablet["cases"]
    assert {c.id for c in cases.cases} == {DEMO_CASE_ID, UNAUTHORIZED_CASE_ID}
    assert cases.offline is False and cases.notice == ""
    assert cases.blockers(cases.get(DEMO_CASE_ID)) == []
    assert any("授权书" in b for b in cases.blockers(cases.get(UNAUTHORIZED_CASE_ID)))
    server.stop()
    cases.refresh()
    assert cases.offline is True and "离线" in cases.notice and len(cases.cases) == 2


def test_a_team_with_more_cases_than_a_page_downloads_every_one_r1(tablet, server, transport):
    with server.app.state.services.session() as session:
        add_cases(session, 0, CASES_PAGE + 30, 0, templates())  # the demo team's
    _sign_in_team(tablet)
    cases = tablet["cases"]
    assert len(cases.cases) == len({c.id for c in cases.cases}) == CASES_PAGE + 30 + 2
    assert len(transport.calls("GET", "/cases")) == 2  # two pages: the second asked for by the Link header


def test_a_sealed_visit_uploads_files_then_the_record_and_merges_r10_r11(tablet, server, transport):
    team = _sign_in_team(tablet)
    sealed = _seal_home_visit(tablet)
    progress = []
    panel: SyncPanel = tablet["sync"]
    panel.subscribe(lambda: progress.append(panel.progress))
    assert panel.pending == 1
    [outcome] = panel.sync()
    assert outcome.status == UploadStatus.SYNCED and outcome.record_id == sealed.record.id
    assert (panel.pending, panel.synced, panel.progress) == (0, 1, 1.0)
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert "已上传 1 份" in panel.notice

    files = {e.sha256 for e in sealed.record.evidence}
    assert len(transport.calls("POST", "/evidence/missing")) == 1  # one question for the record's files
    small = [e.sha256 for e in sealed.record.evidence if e.size <= SMALL_FILE_BYTES]
    assert len(small) >= 4  # three signatures (and their strokes), the photo
    [batch] = transport.calls("POST", "/evidence/batch")  # the small files: one request
    assert [sha for sha, _ in parse_batch_header(batch.headers[EVIDENCE_BATCH])] == small
    patches = transport.calls("PATCH", "/uploads/")
    assert sorted(p.url.path.rsplit("/", 1)[1] for p in patches) == sorted(files - set(small))
    for patch in patches:
        assert "content-length" in patch.headers and patch.headers["upload-checksum"].startswith("sha256 ")
    assert all(r.headers[PROTOCOL_HEADER] == "1" for r in transport.requests)

    [merged] = _case_detail(server, team).records
    assert merged.sealed == sealed and all(s.valid for s in merged.seals)


def test_resyncing_is_a_no_op_and_a_resent_record_counts_as_synced(tablet, server, transport, store):
    team = _sign_in_team(tablet)
    sealed = _seal_home_visit(tablet)
    tablet["sync"].sync()
    posts = len(transport.calls("POST", "/records"))
    assert tablet["sync"].sync() == [] and len(transport.calls("POST", "/records")) == posts
    assert tablet["sync"].notice == "没有需要上传的记录"

    with store.transaction() as s:  # as if the answer to the first upload had been lost
        s.delete(q.receipt(s, sealed.record.id))
        q.add_to_outbox(s, sealed)
    puts = len(transport.calls("PATCH", "/uploads/"))
    [again] = tablet["sync"].sync()
    assert again.status == UploadStatus.SYNCED  # the server answered already_merged
    assert len(transport.calls("PATCH", "/uploads/")) == puts  # files it has are not sent again
    assert len(_case_detail(server, team).records) == 1


def test_server_down_keeps_everything_queued_then_back_up_it_syncs(tablet, server, store):
    _sign_in_team(tablet)
    first = _seal_home_visit(tablet, "gps/DSCN0012.jpg", 0)
    second = _seal_home_visit(tablet, "mobile/jolla.jpg", 5)
    server.stop()
    panel: SyncPanel = tablet["sync"]
    results = panel.sync()  # never raises for offline
    assert [r.status for r in results] == [UploadStatus.UNREACHABLE] * 2
    assert "无法连接服务器" in panel.notice and panel.queued == 2 and panel.syncing is False
    with store.reading() as s:
        assert {i.status for i in q.outbox_items(s)} == {"queued"}

    server.start()
    results = panel.sync()
    assert {r.record_id: r.status for r in results} == {first.record.id: UploadStatus.SYNCED,
                                                         second.record.id: UploadStatus.SYNCED}
    assert (panel.queued, panel.problems, panel.synced) == (0, 0, 2)


def test_a_refused_record_is_a_problem_with_a_chinese_message_and_the_rest_still_sync(
        tablet, server, store, evidence, clock):
    team = _sign_in_team(tablet)
    original = _seal_home_visit(tablet, "gps/DSCN0021.jpg", 0)
    tablet["sync"].sync()
    # another record under the same id with different content (what a buggy tablet would send)
    changed = original.record.model_copy(update={"refusal_note": "改动过的内容"})
    twin = SealedRecord(record=changed, seals=[sign_record(changed, u, team.unlock(u, PINS[u]))
                                               for u in ("zhangwei", "lina")])
    other_tablet_dir = store.data_dir.parent / "other-tablet"
    from field_app.store import open_store
    other = open_store(other_tablet_dir, vault_for(other_tablet_dir))
    with other.transaction() as s:
        q.save_cases(s, "team-yb-01", [tablet["cases"].get(DEMO_CASE_ID)], clock())
        q.add_to_outbox(s, twin)
    later = _seal_home_visit(tablet, "gps/DSCN0025.jpg", 7)

    other_panel = SyncPanel(other, evidence, tablet["sync"].client, team, clock)
    [conflict] = other_panel.sync()
    assert conflict.status == UploadStatus.PROBLEM and conflict.code == "record.conflict"
    assert conflict.message.startswith("同一编号下已有内容不同的调查记录")
    assert other_panel.problems == 1 and "有问题" in other_panel.notice
    assert other_panel.problem_messages()[original.record.id] == conflict.message
    other.close()

    [ok] = tablet["sync"].sync()
    assert ok.record_id == later.record.id and ok.status == UploadStatus.SYNCED


def test_the_client_reads_problems_and_unknown_files(online_client, server, tmp_path):
    with pytest.raises(ServerProblem) as refused:
        online_client.list_cases("not-a-token")
    assert refused.value.code.startswith("auth.") and refused.value.status == 401
    session = online_client.device_login("zhangwei", PINS["zhangwei"], "tablet-yb-01")
    [unknown] = online_client.missing_evidence(session.token, ["0" * 64])
    assert (unknown.offset, online_client.upload_offset(session.token, "0" * 64)) == (0, 0)
    with pytest.raises(ServerProblem) as mismatch:
        online_client.append_chunk(session.token, "0" * 64, 0, 14, b"evidence bytes")
    assert mismatch.value.code == "evidence.hash_mismatch"


def test_without_any_valid_token_the_panel_explains_and_keeps_the_records(tablet, server, clock):
    _sign_in_team(tablet)
    _seal_home_visit(tablet)
    clock.advance(days=40)  # every token has expired
    assert tablet["sync"].sync() == []
    assert "联网登录" in tablet["sync"].notice and tablet["sync"].queued == 1


def test_upload_progress_counts_every_evidence_byte_of_the_batch(tablet, server, store, evidence):
    team = _sign_in_team(tablet)
    first = _seal_home_visit(tablet, "mobile/HMD_Nokia_8.3_5G.jpg", 0)
    second = _seal_home_visit(tablet, "heic/samplefilehub.heif", 4)
    total = sum(e.size for s in (first, second) for e in s.record.evidence)
    calls: list[tuple[int, int, str]] = []
    file_calls: list[tuple[str, int, int]] = []
    outcomes = upload_outbox(store, evidence, tablet["sync"].client, team.token(),
                             lambda done, all_, rid: calls.append((done, all_, rid)),
                             on_file=lambda sha, sent, size: file_calls.append((sha, sent, size)))
    assert [o.status for o in outcomes] == [UploadStatus.SYNCED] * 2
    assert {c[1] for c in calls} == {total} and calls[-1] == (total, total, "")
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert {c[2] for c in calls} == {first.record.id, second.record.id, ""}
    assert any(0 < sent < size for _, sent, size in file_calls)  # the 2 MB photo reports chunk by chunk
