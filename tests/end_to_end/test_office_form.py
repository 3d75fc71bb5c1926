"""An office's own form on the real UIs (issue 20): an administrator imports the neighbour interview v2
XLSForm in the console, reads the preview and its changes, publishes it; the tablet downloads it with its
cases, the team fills its several-choice question, the question it reveals and a table row, seals and
syncs; the server merges the record on version 2."""
from __future__ import annotations

from tests.end_to_end.flet_browser import fill_field, shot, tap, wait_checked, wait_text
from tests.end_to_end.flows import CASE, console_sign_in, open_tablet, scroll_to
from tests.sync_server.xlsform_books import NEIGHBOUR_V2


def _tick(tablet, identifier: str) -> None:
    scroll_to(tablet, identifier)
    tap(tablet.page, identifier)
    wait_checked(tablet.page, identifier)


def _publish_v2(browser, product) -> None:
    context, page = console_sign_in(browser, product, "admin", "Keep$Records2026")
    page.goto(f"{product.server_url}/console/forms")
    page.select_option("#form-id", "neighbour_interview")
    page.set_input_files("#form-file", str(NEIGHBOUR_V2))
    page.click("#import-button")
    page.wait_for_selector("#publish-button")
    assert "新增多选题" in page.inner_text("#form-changes")
    shot(page, "office-form-01-preview")
    page.click("#publish-button")
    page.wait_for_selector("text=已发布 neighbour_interview.v2")
    shot(page, "office-form-02-published")
    context.close()


def test_a_form_published_in_the_console_is_filled_on_the_tablet_and_merges(product, browser):
    product.entrust(CASE, ["home_visit", "neighbour_interview"])
    _publish_v2(browser, product)

    context, page, tablet = open_tablet(browser, product, "office-form")
    tablet.sign_in_team()
    tap(page, "go-cases")
    tablet.start_visit(f"start-neighbour_interview-{CASE}", shown="已告知自愿原则")
    assert tablet.wait_start_fix() == "开始位置：未取得定位"  # no location permission in this browser
    tablet.notify(["work_id_shown", "purpose_explained", "voluntary_confirmed"])
    tablet.next_step()
    fill_field(page, "姓名", "赵桂芬")
    tablet.next_step()

    wait_text(page, "认识年数")  # section 受访人情况 of version 2
    fill_field(page, "与核查对象家庭的关系 *", "对门邻居")
    fill_field(page, "认识年数 *", "12")
    _tick(tablet, "answer-contact_frequency-经常")
    tablet.shot("relationship")
    tablet.next_step()

    wait_text(page, "主要收入来源 *")
    fill_field(page, "家庭基本情况 *", "三口之家")
    _tick(tablet, "answer-income_sources-务工")
    _tick(tablet, "answer-income_sources-其他")  # reveals 其他收入来源
    fill_field(page, "其他收入来源 *", "低保金")
    tablet.shot("several-choices")
    _tick(tablet, "answer-has_vehicle-是")  # reveals the vehicles table
    scroll_to(tablet, "vehicles-add-row")
    tap(page, "vehicles-add-row")
    _tick(tablet, "cell-vehicles-0-vehicle_kind-摩托车")
    for label, text in (("财产情况 *", "旧房一套"), ("支出情况 *", "药费"), ("日常实际生活状况 *", "节俭")):
        fill_field(page, label, text)
    tablet.shot("vehicles-row")

    tablet.go_step("team_sign")
    tablet.sign_team()
    tablet.next_step()
    wait_text(page, "记录完整，可以封存")
    tablet.seal()
    tap(page, "nav-outbox")
    tap(page, "sync-button")
    wait_text(page, "已上传 1 份", timeout=60_000)
    tablet.shot("synced")
    context.close()

    api = product.api("wangfang", "Review!Case2026")
    try:
        [merged] = api.get(f"/cases/{CASE}").json()["records"]
    finally:
        api.close()
    record = merged["sealed"]["record"]
    assert (record["form_id"], record["form_version"]) == ("neighbour_interview", 2)
    assert record["answers"]["income_sources"] == ["务工", "其他"]
    assert record["answers"]["other_income_source"] == "低保金"
    assert record["answers"]["vehicles"] == [{"vehicle_kind": "摩托车"}]
    assert all(s["valid"] for s in merged["seals"])
