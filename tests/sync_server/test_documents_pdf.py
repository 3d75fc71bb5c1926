"""The case leaves as documents (R20, R32): a survey-record PDF per record and the report (appendix D),
read back with poppler: the Chinese is there, tables whole, nothing off the page — for a case of
6 members, 8 records and 40 photos."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Subject
from tests.sync_server.big_case import add_members, submit_records
from tests.sync_server.dossier_helpers import accept_review, agency_key_id, export
from tests.sync_server.pdf_checks import pages_of, render, right_edge_blank, text_of, words_outside

API = f"/api/v1/cases/{DEMO_CASE_ID}"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "documents"


@pytest.fixture
def big_case(team, app):
    add_members(app)
    visits = submit_records(team)
    with app.state.services.session() as session:
        subjects = list(session.exec(select(Subject).where(Subject.case_id == DEMO_CASE_ID)))
    assert len(subjects) == 6 and sum(len([e for e in v.record.evidence if e.kind.value == "photo"])
                                      for v in visits) == 40
    accept_review(team)
    return visits, subjects


def check_layout(pdf: Path, tmp_path: Path) -> None:
    assert words_outside(pdf) == []
    pngs = render(pdf, tmp_path / "png")
    assert len(pngs) == pages_of(pdf)
    assert all(right_edge_blank(p) for p in pngs)
    render(pdf, ARTIFACTS, dpi=60)  # kept for a person to look at


def test_the_report_has_every_part_of_appendix_d(team, big_case, tmp_path):
    _visits, subjects = big_case
    headers = team.headers["wangfang"]
    summary = "经核查，申请人及相关人员共6人。审核人员补充：家庭收入与申报一致。"
    preview = team.client.post(f"{API}/report/preview", json={"summary": summary}, headers=headers)
    assert preview.status_code == 200 and preview.headers["content-type"] == "application/pdf"
    (tmp_path / "preview.pdf").write_bytes(preview.content)
    assert "预览稿" in text_of(tmp_path / "preview.pdf")
    issued = team.client.post(f"{API}/reports", json={"summary": summary}, headers=headers)
    assert issued.status_code == 200, issued.text
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(team.client.get(f"{API}/reports/1.pdf", headers=headers).content)
    text, flat = text_of(pdf), text_of(pdf).replace(" ", "")
    for needle in ("家庭经济状况核查结果报告", f"编号：{DEMO_CASE_ID}-01", "龙溪街道", "人员基本信息", "核查结果概述",
                   "一、家庭基本情况", "二、家庭收入情况", "三、家庭财产情况", "四、家庭支出情况", "五、其他信息类",
                   "六、补充调查信息", "未委托", "审核人员补充：家庭收入与申报一致", "电子签章", "一式2份"):
        assert needle in flat, needle
    for s in subjects:  # appendix D carries the full ID numbers: the unit needs them (R32, R42)
        assert s.name in text and s.id_number in text
        line = next(ln for ln in text.splitlines() if s.name in ln and s.id_number[-4:] in ln)
        assert ("男" if int(s.id_number[16]) % 2 else "女") in line
    assert f"本核查报告共{pages_of(pdf)}页" in flat
    for r in range(8):
        assert f"第{r + 1}次走访" in flat
    check_layout(pdf, tmp_path)


def test_issuing_again_freezes_a_new_version_and_never_overwrites(team, big_case):
    headers = team.headers["wangfang"]
    first = team.client.post(f"{API}/reports", json={"summary": "第一稿"}, headers=headers).json()
    v1 = team.client.get(f"{API}/reports/1.pdf", headers=headers).content
    second = team.client.post(f"{API}/reports", json={"summary": "第二稿"}, headers=headers).json()
    assert (first["version"], second["version"]) == (1, 2)
    assert team.client.get(f"{API}/reports/1.pdf", headers=headers).content == v1
    assert [r["version"] for r in team.client.get(f"{API}/reports", headers=headers).json()] == [1, 2]
    surveyor = team.client.post(f"{API}/reports", json={"summary": "x"}, headers=team.headers["zhangwei"])
    assert surveyor.status_code == 403


def test_each_record_pdf_shows_answers_evidence_signatures_and_seals(team, big_case, tmp_path):
    visits, _ = big_case
    team.client.post(f"{API}/reports", json={"summary": ""}, headers=team.headers["wangfang"])
    data = export(team, DEMO_CASE_ID)
    from dossier_verify.dossier import verify
    assert verify(io.BytesIO(data), trusted_key_id=agency_key_id(team)).ok
    z = zipfile.ZipFile(io.BytesIO(data))
    assert {"pdf/report-v1.pdf", "reports/v1/content.json", "reports/v1/seal.json"} <= set(z.namelist())
    for visit in visits:
        pdf = tmp_path / f"{visit.record.id}.pdf"
        pdf.write_bytes(z.read(f"pdf/record-{visit.record.id}.pdf"))
        flat = text_of(pdf).replace(" ", "").replace("\n", "")
        for needle in ("入户调查", "调查记录表", "王建国", "松石北路", "张伟", "李娜", "告知事项", "住房", "留证文件",
                       "照片缩略图", "签名", "签章核验", "通过", "审计记录摘要", "记录上传并通过核验", "无定位信息"):
            assert needle in flat, (visit.record.id, needle)
        assert "未通过" not in flat
        for ref in visit.record.evidence:
            assert ref.sha256[:32] in flat and ref.sha256[32:] in flat  # the evidence table is whole
        check_layout(pdf, tmp_path / visit.record.id)
