"""What every console page must show on a machine without Chinese system fonts (issue 18): the bundled face
loaded and named by every control, each select drawing real, different Chinese characters, and each
checkbox or radio beside its own words. Used by the console's browser tests."""
from __future__ import annotations

FONTS_READY = """() => document.fonts.ready.then(() =>
    [...document.fonts].filter(f => f.family.includes('HeCha CJK')).map(f => f.status))"""
# document.fonts.ready can resolve before a busy browser has laid the page out and asked for the face (it is
# then still "unloaded"): wait for the face itself, up to FONT_WAIT_MS, before the check above.
FONT_LOADED = """() => [...document.fonts].some(f => f.family.includes('HeCha CJK') && f.status === 'loaded')"""
FONT_WAIT_MS = 15_000
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


def check_console_page(page, name: str) -> int:
    """Assert the page keeps the rules above; how many selects held Chinese enough to be checked."""
    page.wait_for_function(FONT_LOADED, timeout=FONT_WAIT_MS)
    faces = page.evaluate(FONTS_READY)
    assert faces == ["loaded"], (name, faces)
    assert "无法完成" not in page.content(), name
    for family in page.evaluate(CONTROLS):
        assert family.startswith('"HeCha CJK"'), (name, family)
    checked = 0
    for select in page.evaluate(SELECTS):
        assert select["family"].startswith('"HeCha CJK"'), (name, select)
        if select["chars"] >= 2:
            assert select["distinct"] and select["width"] > 20, (name, select)
            checked += 1
    for box in page.evaluate(BOXES):
        assert box["label"] and box["text"], (name, box)
        assert 0 <= box["gap"] < 16 and box["dy"] < 8, (name, box)
    return checked
