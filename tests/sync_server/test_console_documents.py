"""The reviewer's one action for the dossier and the report's preview / edit / issue in the console (R20, R32)."""
from __future__ import annotations

import io

from dossier_verify.dossier import verify
from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.dossier_helpers import accept_review, agency_key_id, submit_both_versions

CASE = f"/console/cases/{DEMO_CASE_ID}"


def login(team, username: str) -> None:
    assert console_login(team.client, username).status_code == 303


def test_the_reviewer_exports_the_dossier_with_one_button(team):
    submit_both_versions(team)
    login(team, "wangfang")
    page = team.client.get(CASE).text
    assert "导出档案包" in page and f'action="{CASE}/dossier"' in page
    response = console_post(team.client, f"{CASE}/dossier", {}, page=CASE)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert verify(io.BytesIO(response.content), trusted_key_id=agency_key_id(team)).ok


def test_the_reviewer_previews_edits_and_issues_the_report(team):
    submit_both_versions(team)
    accept_review(team)
    login(team, "wangfang")
    page = team.client.get(f"{CASE}/report")
    assert page.status_code == 200 and "核查结果概述" in page.text and "补充调查信息" in page.text
    preview = console_post(team.client, f"{CASE}/report/preview", {"summary": "审核人员修改后的概述"}, page=f"{CASE}/report")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    issued = console_post(team.client, f"{CASE}/report/issue", {"summary": "审核人员修改后的概述"}, page=f"{CASE}/report",
                          follow_redirects=False)
    assert issued.status_code == 303
    page = team.client.get(f"{CASE}/report").text
    assert "第 1 版" in page
    pdf = team.client.get(f"{CASE}/reports/1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_township_staff_neither_export_nor_issue(team):
    submit_both_versions(team)
    login(team, "chenjing")
    assert "导出档案包" not in team.client.get(CASE).text
    assert console_post(team.client, f"{CASE}/dossier", {}, page=CASE).status_code == 403
    assert console_post(team.client, f"{CASE}/report/issue", {"summary": "x"}).status_code == 403
