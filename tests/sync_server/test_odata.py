"""The OData v4 feed (issue 20): service document, $metadata (CSDL XML with keys), entity sets with $top,
$skip, $filter, $count, $select, $orderby and next links (options it does not apply refused by name), read with the console cookie or a staff token, refused to anyone
else; the same rows and masking as the exports."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from sqlmodel import select

from sync_server.tables import Case
from tests.sync_server.bulk import UNITS, templates
from tests.sync_server.console_client import console_login
from tests.sync_server.dashboard_seed import SeededCase, seed_year
from tests.sync_server.helpers import FieldTeam, password_login, problem_of

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


@pytest.fixture
def seeded(app: FastAPI) -> list[SeededCase]:
    with app.state.services.session() as session:
        return seed_year(session, 40, templates())


def test_service_document_and_metadata(team: FieldTeam, seeded: list[SeededCase]):
    headers = password_login(team.client, "admin")
    service = team.client.get("/odata/v1/", headers=headers)
    assert service.status_code == 200 and service.headers["odata-version"] == "4.0"
    names = [s["name"] for s in service.json()["value"]]
    assert names == ["Cases", "Records", "Answers", "TableCells", "Evidence", "ReviewDecisions"]
    assert service.json()["@odata.context"].endswith("/odata/v1/$metadata")
    root = ET.fromstring(team.client.get("/odata/v1/$metadata", headers=headers).content)
    types = {t.get("Name"): t for t in root.iter(f"{EDM}EntityType")}
    assert [r.get("Name") for r in types["Case"].iter(f"{EDM}PropertyRef")] == ["case_id"]
    props = {p.get("Name"): p.get("Type") for p in types["Case"].iter(f"{EDM}Property")}
    assert props["accepted_on"] == "Edm.Date" and props["records"] == "Edm.Int64"
    assert {s.get("Name") for s in root.iter(f"{EDM}EntitySet")} == set(names)


def test_entity_sets_page_filter_and_count(team: FieldTeam, app: FastAPI, seeded: list[SeededCase]):
    headers = password_login(team.client, "admin")
    with app.state.services.session() as session:
        every = sorted(session.exec(select(Case.id)).all())
    assert len(every) > len(seeded)  # the demo cases too
    everything = team.client.get("/odata/v1/Cases?$count=true&$top=7", headers=headers).json()
    assert everything["@odata.count"] == len(every) and len(everything["value"]) == 7
    assert "@odata.nextLink" not in everything  # $top asked for seven
    ids, url, pages = [], "/odata/v1/Cases?$top=25", 0
    while url:  # the client follows the next links, ten at a time as it prefers
        page = team.client.get(url, headers={**headers, "Prefer": "odata.maxpagesize=10"}).json()
        ids += [v["case_id"] for v in page["value"]]
        url, pages = page.get("@odata.nextLink", ""), pages + 1
    assert ids == every[:25] and pages == 3
    skipped = team.client.get("/odata/v1/Cases?$skip=5&$top=3", headers=headers).json()["value"]
    assert [v["case_id"] for v in skipped] == every[5:8]
    rest = team.client.get(f"/odata/v1/Cases?$skip={len(every) - 2}", headers=headers).json()
    assert [v["case_id"] for v in rest["value"]] == every[-2:] and "@odata.nextLink" not in rest
    unit = UNITS[2]
    filtered = team.client.get(f"/odata/v1/Cases?$filter=entrusting_unit eq '{unit}' and accepted_on ge "
                               f"{seeded[10].accepted_on.isoformat()}&$count=true", headers=headers).json()
    want = [c for c in seeded if c.unit == unit and c.accepted_on >= seeded[10].accepted_on]
    assert filtered["@odata.count"] == len(want) == len(filtered["value"]) > 0
    assert team.client.get(f"/odata/v1/Cases/$count?$filter=entrusting_unit eq '{unit}'",
                           headers=headers).text == str(sum(1 for c in seeded if c.unit == unit))
    case = seeded[3]
    records = team.client.get(f"/odata/v1/Records?$filter=case_id eq '{case.id}'", headers=headers).json()
    assert sorted(v["record_id"] for v in records["value"]) == sorted(case.records)
    refused = team.client.get("/odata/v1/Records?$filter=outcome eq 'refused'&$count=true", headers=headers).json()
    assert refused["@odata.count"] == sum(len(c.refused) for c in seeded)
    bad = team.client.get("/odata/v1/Cases?$filter=title contains 'x'", headers=headers)
    assert bad.status_code == 422 and problem_of(bad)["code"] == "request.invalid" and "$filter" in bad.text
    assert team.client.get("/odata/v1/Nothing", headers=headers).status_code == 404


def test_who_may_read_the_feed(team: FieldTeam, app: FastAPI, seeded: list[SeededCase]):
    with app.state.services.session() as session:
        every = session.exec(select(Case.id)).all()
    assert team.client.get("/odata/v1/Cases").status_code == 401
    assert team.client.get("/odata/v1/Cases", headers=team.headers["zhangwei"]).status_code == 401  # a tablet
    clerk = password_login(team.client, "chenjing")
    assert team.client.get("/odata/v1/Cases", headers=clerk).status_code == 403
    console_login(team.client, "wangfang")  # the console's cookie: the reviewer's agency only
    assert team.client.get("/odata/v1/Cases").status_code == 401  # the cookie is the console's only
    mine = team.client.get("/console/odata/v1/Cases?$count=true").json()
    assert mine["@odata.context"].endswith("/console/odata/v1/$metadata#Cases")
    assert mine["@odata.count"] == len(every) - sum(1 for c in seeded if c.agency_id != "yb-hdzx")
    assert all("*" not in v["subjects"] for v in mine["value"])  # reviewers see ID numbers in full


def test_select_orderby_and_options_it_does_not_apply(team: FieldTeam, app: FastAPI, seeded: list[SeededCase],
                                                      monkeypatch: pytest.MonkeyPatch):
    headers = password_login(team.client, "admin")
    with app.state.services.session() as session:
        cases = session.exec(select(Case.id, Case.accepted_on)).all()
    want = [case_id for case_id, _ in sorted(sorted(cases), key=lambda c: c[1], reverse=True)][:25]
    ids, url, pages = [], "/odata/v1/Cases?$orderby=accepted_on desc, case_id&$top=25&$select=case_id,accepted_on", 0
    while url:  # sorted across pages: each next link carries the order and the selection
        page = team.client.get(url, headers={**headers, "Prefer": "odata.maxpagesize=10"}).json()
        assert page["@odata.context"].endswith("$metadata#Cases(case_id,accepted_on)")
        assert all(set(v) == {"case_id", "accepted_on"} for v in page["value"])
        ids += [v["case_id"] for v in page["value"]]
        url, pages = page.get("@odata.nextLink", ""), pages + 1
    assert ids == want and pages == 3
    units = team.client.get("/odata/v1/Cases?$select=entrusting_unit&$orderby=entrusting_unit", headers=headers)
    got = [v["entrusting_unit"] for v in units.json()["value"]]
    assert got == sorted(got, key=lambda u: (u is not None, u)) and len(got) == len(cases)  # nulls first
    for query, word in (("$select=nothing", "$select"), ("$orderby=case_id sideways", "$orderby"),
                        ("$expand=Records", "$expand"), ("$search=孙", "$search"), ("$format=xml", "$format")):
        refused = team.client.get(f"/odata/v1/Cases?{query}", headers=headers)
        assert refused.status_code == 422 and word in problem_of(refused)["detail"], query
    monkeypatch.setattr("sync_server.documents.odata.MAX_SORTED", 5)
    too_many = team.client.get("/odata/v1/Cases?$orderby=case_id", headers=headers)
    assert too_many.status_code == 422 and "$filter" in problem_of(too_many)["detail"]  # before any byte
    few = team.client.get(f"/odata/v1/Cases?$orderby=case_id desc&$filter=case_id eq '{want[0]}'", headers=headers)
    assert [v["case_id"] for v in few.json()["value"]] == [want[0]]
