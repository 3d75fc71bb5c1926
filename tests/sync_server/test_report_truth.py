"""What the office issues states only what was established (R18, R32, R42), read back with pdftotext:
rows nobody imported say 未查询, never 无; the report is refused (in Chinese) without field work, before the
review accepts, with an entrusted method still without result, or by someone without the 核查报告岗; a
returned record is neither counted nor printed in 六; the dates and the source unit are the right ones."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from sqlmodel import select

from sync_server.documents.appendix_d import SECTIONS
from sync_server.ops.seed import DEMO_CASE_ID, ORGANISATIONS
from sync_server.tables import Entrustment, Subject
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.dossier_helpers import accept_review, export
from tests.sync_server.helpers import FieldTeam, home_visit, password_login, problem_of
from tests.sync_server.pdf_checks import text_of
from tests.sync_server.test_review_api import entrust, neighbour

C = f"/api/v1/cases/{DEMO_CASE_ID}"
ROWS = sum(len(rows) for _title, rows in SECTIONS)
AGENCY_NAME = ORGANISATIONS[0].name


def flat(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return text_of(path)


def result_cells(text: str) -> list[str]:
    """The last cell of each 部门 / 项目 / 结果概述 line of sections 一–五."""
    start, end = text.index("一、家庭基本情况"), text.index("六、补充调查信息")
    return [re.split(r"\s{2,}", line.strip())[-1] for line in text[start:end].splitlines()
            if len(re.split(r"\s{2,}", line.strip())) >= 3 and "结果概述" not in line]


def issue(team: FieldTeam, who: str = "wangfang", summary: str = "概述"):
    return team.client.post(f"{C}/reports", json={"summary": summary}, headers=team.headers[who])


def test_nothing_imported_reads_not_queried_and_blocks_the_report(team: FieldTeam, app: FastAPI, tmp_path):
    """R42: with 信息核查 entrusted and nothing imported, every row says 未查询 (never 无), the checklist does not
    tick 信息核查, and the report is refused until the 信息交换岗 imports the results."""
    entrust(app, "information_check", "home_visit")
    assert team.submit(home_visit()).status_code == 200
    preview = team.client.post(f"{C}/report/preview", json={"summary": ""}, headers=team.headers["wangfang"])
    cells = result_cells(flat(preview.content, tmp_path, "preview"))
    assert len(cells) == ROWS and set(cells) == {"未查询"}, cells
    review = team.client.get(f"{C}/review", headers=team.headers["wangfang"]).json()
    line = next(i for i in review["checklist"]["items"] if i["code"] == "information_check")
    assert (line["ok"], line["detail"], review["checklist"]["complete"]) == (False, "尚未导入数据比对结果（未查询）", False)
    refused = issue(team)
    assert refused.status_code == 409 and problem_of(refused)["code"] == "report.method_without_result"
    assert problem_of(refused)["title"] == "委托的核查方式尚无结果，不能出具核查报告" and "信息核查" in problem_of(refused)["detail"]
    lines = [{"section": 1, "department": "公安", "item": "户籍信息", "summary": "户籍在渝北区龙溪街道"},
             {"section": 3, "department": "公安", "item": "车辆信息", "summary": "无"}]
    imported = team.client.post(f"{C}/matching-results", json=lines, headers=password_login(team.client, "zhoumin"))
    assert imported.status_code == 200, imported.text
    accept_review(team)
    assert issue(team).status_code == 200
    cells = result_cells(flat(team.client.get(f"{C}/reports/1.pdf", headers=team.headers["wangfang"]).content,
                              tmp_path, "issued"))
    assert "户籍在渝北区龙溪街道" in cells and cells.count("无") == 1  # only the line imported as 无
    assert cells.count("未查询") == ROWS - 2


def test_issuing_is_refused_without_field_work_before_acceptance_and_without_the_post(team: FieldTeam):
    """R18, R33, R42: each refusal has its stable code and a Chinese message; nothing is issued."""
    nothing = issue(team)
    assert nothing.status_code == 409 and problem_of(nothing)["code"] == "report.no_field_work"
    assert problem_of(nothing)["title"] == "本案尚无有效的外勤调查记录，不能出具核查报告"
    assert team.submit(home_visit()).status_code == 200
    pending = issue(team)
    assert pending.status_code == 409 and problem_of(pending)["code"] == "report.review_not_accepted"
    assert problem_of(pending)["title"] == "案件外勤留证尚未审核通过，不能出具核查报告"
    accept_review(team)
    admin = team.client.post(f"{C}/reports", json={"summary": "x"}, headers=password_login(team.client, "admin"))
    assert admin.status_code == 403 and problem_of(admin)["code"] == "staff.post_required"  # 机要岗 only
    assert "核查报告岗" in problem_of(admin)["detail"]
    assert team.client.get(f"{C}/reports", headers=team.headers["wangfang"]).json() == []
    assert issue(team).status_code == 200


def test_the_console_refuses_to_issue_before_acceptance_in_chinese(team: FieldTeam):
    assert team.submit(home_visit()).status_code == 200
    assert console_login(team.client, "wangfang").status_code == 303
    report = f"/console/cases/{DEMO_CASE_ID}/report"
    page = console_post(team.client, f"{report}/issue", {"summary": "x"}, page=report)
    assert page.status_code == 409 and "案件外勤留证尚未审核通过，不能出具核查报告" in page.text
    shown = team.client.get(report).text
    assert "尚未出具报告" in shown and "暂不能出具：案件外勤留证尚未审核通过" in shown  # said before the click
    accept_review(team)
    assert "暂不能出具" not in team.client.get(report).text


def test_a_returned_record_is_not_counted_nor_printed(team: FieldTeam, app: FastAPI, clock, tmp_path):
    """R42: 邻居乙's interview was returned and answered by 邻居丙's; the report counts 2 interviews, prints
    neither 邻居乙 nor its content, and the record's own PDF and the case page say it was returned."""
    entrust(app, "home_visit", "neighbour_interview")
    first, second = neighbour("rec-nb-000001", "邻居甲"), neighbour("rec-nb-000002", "邻居乙")
    for visit in (home_visit(), first, second):
        assert team.submit(visit).status_code == 200
    clock.advance(minutes=30)
    back = team.client.post(f"{C}/review", json={"action": "return", "target": "rec-nb-000002", "reason": "受访人未签名"},
                            headers=team.headers["wangfang"])
    assert back.status_code == 200, back.text
    assert console_login(team.client, "wangfang").status_code == 303
    case_page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    assert "已退回（待补充）：受访人未签名" in case_page
    clock.advance(minutes=30)
    assert team.submit(neighbour("rec-nb-000003", "邻居丙")).status_code == 200
    review = team.client.get(f"{C}/review", headers=team.headers["wangfang"]).json()
    line = next(i for i in review["checklist"]["items"] if i["code"] == "neighbour_interview")
    assert line["detail"].startswith("已访问 2 人")  # 甲 and 丙: the returned 乙 is not counted
    accept_review(team)
    assert issue(team, summary="").status_code == 200
    text = flat(team.client.get(f"{C}/reports/1.pdf", headers=team.headers["wangfang"]).content, tmp_path, "r")
    words = text.replace(" ", "")
    assert "邻里访问2次" in words and "邻居甲" in words and "邻居丙" in words
    assert "邻居乙" not in words
    z = zipfile.ZipFile(io.BytesIO(export(team, DEMO_CASE_ID)))
    returned = flat(z.read("pdf/record-rec-nb-000002.pdf"), tmp_path, "returned").replace(" ", "").replace("\n", "")
    assert "已退回，已由新记录替代（rec-nb-000003）：受访人未签名" in returned and "不计入核查报" in returned
    kept = flat(z.read("pdf/record-rec-nb-000001.pdf"), tmp_path, "kept").replace(" ", "").replace("\n", "")
    assert "已退回" not in kept and "已完成" in kept


def test_dates_source_unit_and_id_numbers_are_the_established_ones(team: FieldTeam, app: FastAPI, tmp_path):
    """R32: the 委托日期 is the entrustment's, the 受理日期 the agency's; 六's 数据来源单位 is the surveyors'
    organisation (R27), not the team's name; the persons carry full ID numbers (the unit needs them)."""
    with app.state.services.session() as session:
        entrustment = session.get(Entrustment, DEMO_CASE_ID)
        entrustment.entrusted_on = date(2026, 11, 10)
        session.add(entrustment)
        session.commit()
        numbers = [s.id_number for s in session.exec(select(Subject).where(Subject.case_id == DEMO_CASE_ID))]
    assert team.submit(home_visit()).status_code == 200
    accept_review(team)
    assert issue(team).status_code == 200
    text = flat(team.client.get(f"{C}/reports/1.pdf", headers=team.headers["wangfang"]).content, tmp_path, "d")
    words = text.replace(" ", "").replace("\n", "")
    assert "我中心于2026年11月10日受渝北区龙溪街道办事处委托" in words
    assert "委托日期：2026年11月10日" in words and "受理日期：2026年11月16日" in words
    assert f"数据来源单位：{AGENCY_NAME}" in words and "渝北区第一调查小组" not in words
    assert f"{AGENCY_NAME}（盖章）" in words
    assert numbers and all(n in text for n in numbers)
    assert console_login(team.client, "wangfang").status_code == 303
    screens = team.client.get(f"/console/cases/{DEMO_CASE_ID}/report").text + team.client.get(
        f"/console/cases/{DEMO_CASE_ID}").text
    assert not any(n in screens for n in numbers)  # the report and case pages keep masking them
