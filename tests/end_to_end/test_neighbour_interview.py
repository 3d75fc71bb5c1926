"""A neighbour interview on a tablet held upright (800x1280), sealed and synced while online (R14–R16)."""
from __future__ import annotations

from schemas.forms import form_for
from schemas.records import VisitKind
from tests.end_to_end.flet_browser import fill_field, new_tablet_page, open_flet, tap, wait_text
from tests.end_to_end.tablet import Tablet

CASE = "case-yb-2026-0001"
NEIGHBOUR = form_for(VisitKind.NEIGHBOUR_INTERVIEW)


def test_a_voluntary_neighbour_interview_needs_no_neighbour_signature(product, browser):
    """R15: the voluntariness step comes first; R16: the two surveyors sign; the neighbour need not.
    R23: the case entrusts neighbour interviews (the demo case entrusts only the home visit)."""
    product.entrust(CASE, ["home_visit", "neighbour_interview"])
    context, page = new_tablet_page(browser, landscape=False)
    open_flet(page, product.app_url)
    tablet = Tablet(page, "neighbour-portrait")
    tablet.sign_in_team()
    tablet.shot("team")
    tap(page, "go-cases")
    tap(page, f"start-neighbour_interview-{CASE}")
    wait_text(page, "已告知自愿原则")
    assert tablet.wait_start_fix() == "开始位置：未取得定位"  # no location permission in this browser
    tablet.notify([n.id for n in NEIGHBOUR.notification])
    tablet.shot("notification")
    tablet.next_step()
    fill_field(page, "姓名", "赵桂芬")
    fill_field(page, "与核查对象家庭的关系", "对门邻居")
    tablet.next_step()
    for section in NEIGHBOUR.sections:
        tablet.answer_section(NEIGHBOUR, section.id)
        tablet.shot(f"section-{section.id}")
        tablet.next_step()
    tablet.go_step("team_sign")
    tablet.sign_team()
    tablet.next_step()
    wait_text(page, "记录完整，可以封存")
    tablet.shot("ready")
    tablet.seal()
    tap(page, "nav-outbox")
    tap(page, "sync-button")
    wait_text(page, "已上传 1 份", timeout=60_000)
    wait_text(page, "邻里访问（赵桂芬）")
    tablet.shot("synced")
    context.close()

    api = product.api("wangfang", "Review!Case2026")
    try:
        records = api.get(f"/cases/{CASE}").json()["records"]
    finally:
        api.close()
    [merged] = records
    record = merged["sealed"]["record"]
    assert record["kind"] == "neighbour_interview" and record["notification"]["voluntary_confirmed"] is True
    assert record["respondent"]["name"] == "赵桂芬" and all(s["valid"] for s in merged["seals"])
