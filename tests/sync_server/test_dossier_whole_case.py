"""The whole case in its dossier (R20, R22–R28, issue 17): a case from intake to its second report holds every
item of its process; the verifier names each item whose file is removed or altered, each an insider holding
the agency key drops or rewrites and re-signs over, and still accepts the previous format (v1)."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from dossier_verify.dossier import verify
from dossier_verify.findings import Failure
from sync_server.transparency.agency_key import load_or_create
from tests.sync_server.dossier_helpers import agency_key_id, export
from tests.sync_server.test_dossier_tamper import Entries, replace, resign, rezip, unzip
from tests.sync_server.whole_case import whole_case

DESCRIBED = ["case", "intake_document", "township_upload", "conformity_check", "letter", "review_decision", "round"]


@pytest.fixture
def dossier(team, clock, app):  # type: ignore[no-untyped-def]
    case = whole_case(team, clock)
    return case, unzip(export(team, case.case_id)), agency_key_id(team), load_or_create(
        app.state.services.settings.data_dir)


def manifest_of(entries: Entries) -> dict:
    return json.loads(dict(entries)["manifest.json"])


def findings(entries: Entries, pinned: str) -> list[tuple[str, str]]:
    report = verify(rezip(entries), trusted_key_id=pinned)
    return [(f.where, f.what) for f in report.findings]


def test_the_dossier_holds_the_whole_case_with_its_log_and_index(dossier):
    case, entries, pinned, _agency = dossier
    report = verify(rezip(entries), trusted_key_id=pinned)
    assert report.ok, [str(f) for f in report.findings]
    manifest = manifest_of(entries)
    assert manifest["format"] == "field-evidence/dossier/v2"
    counts = Counter(i["type"] for i in manifest["items"])
    assert counts == {"case": 1, "intake_document": 6, "township_upload": 1, "conformity_check": 3, "letter": 1,
                      "review_decision": 3, "round": 1, "report": 2, "record": 4, "key": 2}, counts
    files = dict(entries)
    intake = [json.loads(files[i["files"][0]]) for i in manifest["items"] if i["type"] == "intake_document"]
    assert Counter(d["kind"] for d in intake) == {"entrustment": 2, "authorization": 2, "id_proof": 2}
    child = next(d for d in intake if d["kind"] == "authorization" and d["subject_name"] == "孙小雨")
    assert (child["guardian_name"], child["form"]) == ("孙立", "paper")  # R22: a guardian signs for a minor
    checks = sorted((c["round"], c["checker"], c["passed"]) for c in
                    (json.loads(files[i["files"][0]]) for i in manifest["items"] if i["type"] == "conformity_check"))
    assert checks == [(1, "wangfang", False), (2, "wangfang", True), (2, "zhoumin", True)]
    letter = next(i for i in manifest["items"] if i["type"] == "letter")
    described = json.loads(files[letter["files"][0]])
    assert described["follow_ups"][0]["note"] == "电话催办，对方称已寄出" and letter["files"][1].endswith("answer.pdf")
    round_2 = json.loads(files["rounds/round-2.json"])
    assert round_2["objection"]["grounds"] == "收入认定有误，本人已失业" and round_2["result"]["result"] == "复核维持原结论"
    names = [n for n, _ in entries]
    assert not [n for n in names if n.endswith(".bin")]
    assert any(n.startswith("evidence/audio/") and n.endswith(".m4a") for n in names)
    assert any(n.startswith("evidence/video/") and n.endswith(".mp4") for n in names)
    by_id = {i["id"]: i for i in manifest["items"]}
    assert all(by_id[r]["log"] for r in case.records)  # each record's ingest entry, proven
    assert by_id[f"{case.case_id}/report/2"]["log"]
    unlogged = {i["type"] for i in by_id.values() if not i["log"]}  # every process item has its log entries
    assert unlogged <= {"key", "case"}, unlogged
    page = files["index.html"].decode("utf-8")
    assert "案件档案包目录" in page and "授权书（孙小雨）" in page and "第 2 轮复核" in page


def test_each_removed_or_altered_file_is_named_with_its_item(dossier):
    _case, entries, pinned, _agency = dossier
    items = manifest_of(entries)["items"]
    missed = []
    for item in items:
        where = f"{item['type']} {item['id']}"
        for path in item["files"]:
            removed = [(n, c) for n, c in entries if n != path]
            content = dict(entries)[path]
            altered = replace(entries, path, content[:-1] + bytes([content[-1] ^ 1]))
            for trial, what in ((removed, f"{path} missing"), (altered, f"{path} altered")):
                if (where, what) not in findings(trial, pinned):
                    missed.append((where, what))
    assert not missed, missed
    assert len(items) == 24


def drop_item(entries: Entries, item: dict) -> Entries:
    files = dict(entries)
    manifest = json.loads(files["manifest.json"])
    manifest["items"] = [i for i in manifest["items"] if i["id"] != item["id"]]
    kept = [(n, c) for n, c in entries if n not in item["files"]]
    return replace(kept, "manifest.json", json.dumps(manifest).encode())


def test_an_insider_who_drops_an_item_and_re_signs_is_named_item_by_item(dossier):
    """The export's own log entry lists the items: dropping one (files and manifest line) and re-signing with
    the agency key leaves the log naming it."""
    _case, entries, pinned, agency = dossier
    items = manifest_of(entries)["items"]
    dropped = [next(i for i in items if i["type"] == kind) for kind in DESCRIBED]
    dropped += [i for i in items if i["type"] in ("report", "key")][:2]
    for item in dropped:
        found = findings(resign(drop_item(entries, item), agency), pinned)
        assert (item["id"], "exported (the log's export entry lists it) but not in the dossier") in found, found
    two = resign(drop_item(drop_item(entries, dropped[1]), dropped[3]), agency)
    assert {dropped[1]["id"], dropped[3]["id"]} <= {w for w, _ in findings(two, pinned)}  # every one, not the first


def test_an_insider_who_rewrites_a_check_or_swaps_a_scan_is_caught(dossier):
    _case, entries, pinned, agency = dossier
    files = dict(entries)
    manifest = manifest_of(entries)
    passing = next(i for i in manifest["items"] if i["type"] == "conformity_check"
                   and json.loads(files[i["files"][0]])["passed"])
    check = json.loads(files[passing["files"][0]])
    check["passed"] = False
    flipped = findings(resign(replace(entries, passing["files"][0], json.dumps(check).encode()), agency), pinned)
    assert any("lacks the two passing conformity checks" in what for _, what in flipped), flipped
    scans = [i for i in manifest["items"] if i["type"] == "intake_document"]
    swapped = replace(entries, scans[0]["files"][1], files[scans[1]["files"][1]])
    found = findings(resign(swapped, agency), pinned)
    where = f"intake_document {scans[0]['id']}"
    assert any(w == where and "is not the file its description names" in what for w, what in found), found
    extra = resign(entries[:-1] + [("intake/authorization/doc-forged.png", files[scans[1]["files"][1]]),
                                   entries[-1]], agency)
    assert ("intake/authorization/doc-forged.png", "extra: not a file of any item of the case") in findings(extra, pinned)


def test_a_dossier_of_the_previous_format_still_verifies(dossier):
    """v1 had no items, no index and no process material: such a dossier is checked as v1 was."""
    _case, entries, pinned, agency = dossier
    v1_dirs = ("case/", "intake/", "township/", "conformity/", "letters/", "review/", "rounds/", "index.html")
    old = [(n, c) for n, c in entries if not n.startswith(v1_dirs)]
    manifest = manifest_of(old)
    manifest["format"] = "field-evidence/dossier/v1"
    del manifest["items"], manifest["index"]
    report = verify(rezip(resign(replace(old, "manifest.json", json.dumps(manifest).encode()), agency)),
                    trusted_key_id=pinned)
    assert report.ok, [str(f) for f in report.findings]
    tampered = replace(old, old[5][0], old[5][1] + b" ")
    assert verify(rezip(tampered), trusted_key_id=pinned).exit_code & Failure.FILES
