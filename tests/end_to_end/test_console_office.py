"""The office side in Debian's Chromium against the real server process (R1, R4, R22–R26): a township
clerk enters a case and its materials, two reviewers release it, an administrator's accounts page,
and a clerk of another township who sees nothing."""
from __future__ import annotations

from datetime import date

import pytest

from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import scan_png
from tests.end_to_end.flows import console_sign_in, server_only
from tests.end_to_end.product import Product
from tests.sync_server.helpers import CREDENTIALS


@pytest.fixture
def server(tmp_path, agency):
    with server_only(tmp_path, agency) as running:
        yield running


def sign_in(browser, server: Product, username: str, password: str | None = None):
    _context, page = console_sign_in(browser, server, username, password or CREDENTIALS[username].password)
    return page


def test_a_clerk_enters_a_case_and_two_reviewers_release_it_in_chromium(browser, server: Product, tmp_path):
    clerk = sign_in(browser, server, "chenjing")
    clerk.click("text=录入委托书")
    clerk.fill("input[name=title]", "钱芳家庭经济状况核查（临时救助）")
    clerk.fill("input[name=phone]", "023-67801234")
    clerk.check("input[name=methods][value=home_visit]")
    clerk.click("button:has-text('创建案件')")
    clerk.wait_for_selector("#intake-status:has-text('录入中')")
    number = make_id_number("500112", date(1960, 5, 5), 7, True)
    roster = tmp_path / "委托名单.csv"
    roster.write_text(f"序号,姓名,身份证号码,户籍地址,备注\n1,钱芳,{number},重庆市渝北区龙溪街道,\n", encoding="utf-8")
    clerk.set_input_files("form[action$='/roster'] input[type=file]", str(roster))
    clerk.click("form[action$='/roster'] button")
    clerk.wait_for_selector("text=已导入委托名单 1 人")
    scans = {}
    for name in ("entrustment", "authorization", "id_proof"):
        scans[name] = tmp_path / f"{name}.png"
        scans[name].write_bytes(scan_png(name))
    upload_form = "form[action$='/document']:has(select[name=kind])"
    clerk.select_option(f"{upload_form} select[name=kind]", "entrustment")
    clerk.set_input_files(f"{upload_form} input[type=file]", str(scans["entrustment"]))
    clerk.click(f"{upload_form} button")
    clerk.wait_for_selector("text=已上传委托书")
    for kind in ("authorization", "id_proof"):
        clerk.select_option(f"{upload_form} select[name=kind]", kind)
        clerk.select_option(f"{upload_form} select[name=subject_id]", label="1. 钱芳")
        if kind == "authorization":
            clerk.select_option(f"{upload_form} select[name=form]", "paper")
        else:
            clerk.select_option(f"{upload_form} select[name=form]", "")
        clerk.set_input_files(f"{upload_form} input[type=file]", str(scans[kind]))
        clerk.click(f"{upload_form} button")
        clerk.wait_for_selector("text=已上传" + ("授权书" if kind == "authorization" else "公安部门出具的身份证明"))
    clerk.click("button:has-text('提交符合性审核')")
    clerk.wait_for_selector("#intake-status:has-text('待符合性审核')")
    case_url = clerk.url.rsplit("/", 1)[0]
    for reviewer in ("wangfang", "zhoumin"):
        page = sign_in(browser, server, reviewer)
        page.goto(case_url)
        page.click("button:has-text('记录审核结果')")
        page.wait_for_selector("text=审核已记录")
    page.wait_for_selector("#intake-status:has-text('已下达调查')")
    page.screenshot(path=str(tmp_path / "released.png"))


def test_the_administrator_sees_accounts_and_another_township_sees_no_case_in_chromium(browser, server: Product):
    admin = sign_in(browser, server, "admin")
    admin.click("text=系统管理")  # the administrator's pages are listed there, the bar stays short
    admin.click("a[href='/console/accounts']")
    admin.wait_for_selector("#accounts >> text=张伟（YB-2026-017）")
    assert admin.locator("#accounts >> text=✓ 有效").count() >= 2
    api = server.api("admin", CREDENTIALS["admin"].password)
    try:
        assert api.post("/organisations", json={"id": "yb-shuangfeng", "name": "渝北区双凤桥街道办事处",
                                                "kind": "township"}).status_code == 201
        assert api.post("/accounts", json={"username": "hefang", "name": "何芳", "work_id": "SF-01",
                                           "role": "township", "org_id": "yb-shuangfeng",
                                           "password": "Other#Street2026"}).status_code == 201
    finally:
        api.close()
    other = sign_in(browser, server, "hefang", "Other#Street2026")
    other.wait_for_selector("text=暂无可查看的案件")
    other.goto(f"{server.server_url}/console/cases/case-yb-2026-0001")
    other.wait_for_selector("text=当前账号无权进行此操作")
