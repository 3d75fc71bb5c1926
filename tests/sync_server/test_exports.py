"""Exports for analysis (issue 20; R21): the case list's filters, masking by role, records as one row each
with answers and table cells as long sheets (XLSX opened by openpyxl, recounted from the stored records),
CSV streamed, every export in the audit log, and no export for township clerks."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from fastapi import FastAPI
from sqlmodel import select

from sync_server.tables import AuditEntry, Record, RecordEvidence, ReviewEntry, Subject
from tests.sync_server.bulk import UNITS, templates
from tests.sync_server.console_client import console_login
from tests.sync_server.dashboard_seed import SeededCase, seed_year
from tests.sync_server.helpers import FieldTeam

UNIT = UNITS[1]


@pytest.fixture
def seeded(app: FastAPI) -> list[SeededCase]:
    with app.state.services.session() as session:
        return seed_year(session, 60, templates())


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_r21_the_case_export_follows_the_filters_and_masks_ids_by_role(team: FieldTeam, app: FastAPI,
                                                                        seeded: list[SeededCase]):
    console_login(team.client, "admin")  # administrators see every case, ID numbers masked
    response = team.client.get(f"/console/exports/cases.csv?township={UNIT}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = read_csv(response.text)
    assert table[0][:3] == ["案件编号", "标题", "委托单位"]
    assert sorted(r[0] for r in table[1:]) == sorted(c.id for c in seeded if c.unit == UNIT)
    with app.state.services.session() as session:
        number = session.exec(select(Subject.id_number).where(Subject.case_id == table[1][0])).one()
    assert number not in response.text and f"{number[:6]}********{number[-4:]}" in table[1][-1]
    console_login(team.client, "wangfang")  # a reviewer: their agency's cases, ID numbers in full
    shown = read_csv(team.client.get(f"/console/exports/cases.csv?township={UNIT}").text)
    assert sorted(r[0] for r in shown[1:]) == sorted(c.id for c in seeded if c.unit == UNIT
                                                     and c.agency_id == "yb-hdzx")
    with app.state.services.session() as session:
        full = session.exec(select(Subject.id_number).where(Subject.case_id == shown[1][0])).one()
    assert f"（{full}）" in shown[1][-1]
    with app.state.services.session() as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.kind == "export.downloaded")).all()
    assert [e.subject for e in logged] == ["cases.csv", "cases.csv"] and {e.actor for e in logged} == {
        "admin", "wangfang"}


def test_records_xlsx_has_one_row_per_record_and_long_sheets_recounted(team: FieldTeam, app: FastAPI,
                                                                       seeded: list[SeededCase]):
    console_login(team.client, "admin")
    response = team.client.get("/console/exports/records.xlsx?team=team-yb-09")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["调查记录", "记录答项（长表）", "记录表格（长表）"]
    ids = {c.id for c in seeded if c.team_id == "team-yb-09"}
    with app.state.services.session() as session:
        stored = [r for r in session.exec(select(Record)) if r.case_id in ids]
    answers = cells = 0
    for row in stored:
        for answer in json.loads(row.sealed_json)["record"]["answers"].values():
            if isinstance(answer, list):
                cells += sum(len(r) for r in answer)
            else:
                answers += 1
    records = list(book["调查记录"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in records) == sorted(r.id for r in stored) and len(records) > 10
    assert {r[3] for r in records} == {"completed", "refused"}
    assert book["记录答项（长表）"].max_row - 1 == answers > 0
    assert book["记录表格（长表）"].max_row - 1 == cells


def test_evidence_and_review_decisions_export_and_who_may_export(team: FieldTeam, app: FastAPI,
                                                                 seeded: list[SeededCase]):
    console_login(team.client, "admin")
    evidence = read_csv(team.client.get("/console/exports/evidence.csv").text)
    reviews = openpyxl.load_workbook(io.BytesIO(team.client.get("/console/exports/reviews.xlsx").content))
    with app.state.services.session() as session:
        links = session.exec(select(RecordEvidence)).all()
        decisions = session.exec(select(ReviewEntry)).all()
    assert len(evidence) - 1 == len(links) and {r[4] for r in evidence[1:]} >= {"cannot_sign_proof"}
    assert reviews["审核决定"].max_row - 1 == len(decisions) > 0
    assert team.client.get("/console/exports/nothing.xlsx").status_code == 404
    assert team.client.get("/console/exports").status_code == 200
    console_login(team.client, "chenjing")
    assert team.client.get("/console/exports/cases.csv").status_code == 403
