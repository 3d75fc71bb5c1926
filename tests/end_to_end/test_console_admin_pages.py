"""The administrator's console pages (issue 18) in Chromium on a machine without Chinese system fonts:
every new page is screenshot into test-artifacts/screens/; every select names the bundled face and draws
real glyphs (two different characters drawn in the select's own font differ; .notdef boxes would not);
every checkbox and radio sits right before its words. Also the accounts page's post boxes (fixed here)."""
from __future__ import annotations

import subprocess

import pytest

from sync_server.ops.seed import DEMO_ACCOUNTS, DEMO_CASE_ID
from tests.end_to_end.flet_browser import shot, unexpected_requests
from tests.end_to_end.flows import console_sign_in
from tests.end_to_end.product import Product

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
CASE = f"/console/cases/{DEMO_CASE_ID}"
PAGES = {  # screenshot name -> path
    "admin-hub": "/console/admin", "admin-organisations": "/console/admin/organisations",
    "admin-teams": "/console/admin/teams", "admin-posts": "/console/admin/posts", "admin-keys": "/console/admin/keys",
    "admin-sign-in": "/console/admin/sign-in", "admin-holidays": "/console/admin/holidays",
    "admin-case-team": f"{CASE}/team", "admin-case-matching": f"{CASE}/matching",
    "admin-case-retention": f"{CASE}/disposal", "admin-accounts": "/console/accounts",
}
FONTS_READY = """() => document.fonts.ready.then(() =>
    [...document.fonts].filter(f => f.family.includes('HeCha CJK')).map(f => f.status))"""
# Each select's computed face, and whether two different characters of its options, drawn on a canvas in the
# select's own computed font, come out different (a missing font draws the same empty box for both).
SELECTS = """() => [...document.querySelectorAll('select')].map(s => {
  const style = getComputedStyle(s);
  const text = [...s.options].map(o => o.text).join('').replace(/[\\x00-\\x7f（）、]/g, '');
  const chars = [...new Set(text)];
  const draw = ch => { const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = `40px ${style.fontFamily}`; g.fillText(ch, 4, 48);
    return Array.from(g.getImageData(0, 0, 64, 64).data).join(','); };
  const g = document.createElement('canvas').getContext('2d'); g.font = `40px ${style.fontFamily}`;
  return {name: s.name, family: style.fontFamily, chars: chars.length,
          distinct: chars.length < 2 || draw(chars[0]) !== draw(chars[1]),
          width: chars.length ? g.measureText(chars[0]).width : 0};
})"""
CONTROLS = """() => [...document.querySelectorAll('select, input, button, textarea')].filter(e => e.type !== 'hidden')
    .map(e => getComputedStyle(e).fontFamily)"""
# Each checkbox / radio: the gap to the first letter of its label's words, and the difference of their middles.
BOXES = """() => [...document.querySelectorAll('input[type=checkbox], input[type=radio]')].map(box => {
  const label = box.closest('label'); const node = box.nextSibling;
  const range = document.createRange(); range.selectNodeContents(node);
  const words = range.getBoundingClientRect(); const own = box.getBoundingClientRect();
  return {name: box.name, label: !!label, text: node.textContent.trim(), gap: words.left - own.right,
          dy: Math.abs((words.top + words.bottom) / 2 - (own.top + own.bottom) / 2)};
})"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, agency):
    running = Product(tmp_path_factory.mktemp("admin-console"), agency)
    running.start_server()
    yield running
    running.stop()


def test_this_machine_has_no_chinese_system_font():
    """The proof below means something only where the system could not draw Chinese on its own."""
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=True).stdout
    assert listed.strip() == ""


def test_every_admin_page_renders_chinese_in_its_controls_and_keeps_labels_with_boxes(server, browser):
    context, page = console_sign_in(browser, server, "admin", PASSWORDS["admin"],
                                    viewport={"width": 1280, "height": 900})
    checked_selects = 0
    for name, path in PAGES.items():
        page.goto(f"{server.server_url}{path}")
        assert page.evaluate(FONTS_READY) == ["loaded"], name
        assert "无法完成" not in page.content(), name
        for family in page.evaluate(CONTROLS):
            assert family.startswith('"HeCha CJK"'), (name, family)
        for select in page.evaluate(SELECTS):
            assert select["family"].startswith('"HeCha CJK"'), (name, select)
            if select["chars"] >= 2:
                assert select["distinct"] and select["width"] > 20, (name, select)
                checked_selects += 1
        for box in page.evaluate(BOXES):
            assert box["label"] and box["text"], (name, box)
            assert 0 <= box["gap"] < 16 and box["dy"] < 8, (name, box)
        shot(page, f"console-{name}", settle_ms=0)
    assert checked_selects >= 8
    assert unexpected_requests(page.blocked_requests) == []
    context.close()


def test_a_select_shows_its_chinese_option_in_the_bundled_face(server, browser):
    """The drop-down itself, opened: its options are drawn with the web font (the screenshot shows them)."""
    context, page = console_sign_in(browser, server, "admin", PASSWORDS["admin"],
                                    viewport={"width": 1280, "height": 900})
    page.goto(f"{server.server_url}/console/admin/organisations")
    assert page.evaluate(FONTS_READY) == ["loaded"]
    page.select_option("#org-kind", index=2)
    chosen = page.eval_on_selector("#org-kind", "s => s.options[s.selectedIndex].text")
    assert chosen and all("\u4e00" <= ch <= "\u9fff" for ch in chosen.replace("（", "").replace("）", ""))
    assert page.evaluate("t => document.fonts.check('18px \"HeCha CJK\"', t)", chosen)
    page.focus("#org-kind")
    shot(page, "console-admin-select-chinese", settle_ms=0)
    context.close()
