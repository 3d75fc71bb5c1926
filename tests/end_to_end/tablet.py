"""What a survey team does on the tablet, as steps over the real Flet UI in Chromium."""
from __future__ import annotations

import re
import time
from pathlib import Path

from schemas.forms import Form
from schemas.forms.rules import is_relevant
from tests.end_to_end.flet_browser import (
    WAIT_MS,
    draw_stroke,
    fill_field,
    locate,
    pick_files,
    shot,
    tap,
    text_locator,
    wait_checked,
    wait_text,
)

SURVEYORS = {"zhangwei": ("张伟", "480317"), "lina": ("李娜", "592046")}
SIGNATURE = [(0.1, 0.6), (0.2, 0.3), (0.3, 0.7), (0.45, 0.35), (0.6, 0.65), (0.75, 0.3), (0.9, 0.55)]
ANSWERS = {"number": "3", "integer": "2", "money": "1200", "date": "2015-06-01", "text": "已核对",
           "longtext": "经查看，情况属实。"}
STORED = {"number": 3, "integer": 2, "money": "1200.00"}  # what the typed answers are kept as


class Tablet:
    """One browser page on the field app; `shots` numbers the screenshots it saves."""

    def __init__(self, page, prefix: str) -> None:
        self.page, self.prefix, self.count = page, prefix, 0

    def shot(self, name: str) -> None:
        self.count += 1
        shot(self.page, f"{self.prefix}-{self.count:02d}-{name}")

    def sign_in_team(self) -> None:
        """Both surveyors sign in, each with their own account and PIN (R7)."""
        for username, (name, pin) in SURVEYORS.items():
            fill_field(self.page, "账号", username)
            fill_field(self.page, "PIN 码", pin)
            tap(self.page, "sign-in-button")
            wait_text(self.page, f"{name}（{username}")
        wait_text(self.page, "两名调查人员均已登录")

    def start_visit(self, identifier: str, shown: str = "请向调查对象出示工作证明") -> None:
        """Tap a start button until the visit opens: a tap landing while the case list is drawn again
        after a download can miss the button it aimed at (the list is replaced under the finger)."""
        for attempt in range(3):
            tap(self.page, identifier)
            try:
                wait_text(self.page, shown, timeout=WAIT_MS / 2)
                return
            except Exception:
                if attempt == 2:
                    raise

    def wait_start_fix(self, timeout_ms: float = WAIT_MS) -> str:
        """Wait until the visit's start position is recorded (a fix, or the reason there is none)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            for text in ("距登记住址", "开始位置：未取得定位"):
                found = self.page.get_by_text(text).or_(self.page.locator(f'[aria-label*="{text}"]'))
                if found.count():
                    return text
            if time.monotonic() > deadline:
                self.shot("no-start-fix")
                raise AssertionError("the start position was never recorded")
            self.page.wait_for_timeout(100)

    def _step_title(self) -> str:
        node = self.page.locator('[flt-semantics-identifier="step-title"]').first
        if not node.count():
            return ""
        return (node.get_attribute("aria-label") or "") + (node.text_content() or "")

    def next_step(self) -> None:
        """Tap 下一步 and wait until the next step is shown."""
        before = self._step_title()
        self.tap_until("step-next", lambda: self._step_title() != before, f"下一步 did not leave {before!r}")
        locate(self.page, "step-next")  # the new step's bottom row is drawn

    def go_step(self, step: str) -> None:
        """Tap a step on the rail and wait until that step is shown (its title, under the visit's title)."""
        item = self.page.locator(f'[flt-semantics-identifier="step-{step}"]').first

        def shown() -> bool:
            title = self._step_title()
            label = (item.get_attribute("aria-label") or "") + (item.text_content() or "") if item.count() else ""
            return bool(title) and title in label

        self.tap_until(f"step-{step}", shown, f"the step {step} was never shown")
        locate(self.page, "step-next")  # the step's bottom row is drawn

    def tap_until(self, button: str, done, failure: str) -> None:
        """Tap `button` until `done()`: a tap that landed while the screen was being drawn again (after a
        previous tap, or a save that redraws the rail) misses, and is repeated after 5 s."""
        deadline = time.monotonic() + WAIT_MS / 1000
        while time.monotonic() < deadline:
            tap(self.page, button)
            tapped = time.monotonic()
            while time.monotonic() - tapped < 5 and time.monotonic() < deadline:  # then tap again
                self.page.wait_for_timeout(100)
                if done():
                    return
        self.shot(f"stuck-{button}")
        raise AssertionError(failure)

    def has_text(self, text: str) -> bool:
        """Whether the text shows now (as text or in an accessibility label), without waiting."""
        return text_locator(self.page, text).count() > 0

    def download_cases(self) -> None:
        """Both surveyors sign in, then the team downloads its cases: done when the second demo case shows
        what blocks it (its family authorization is missing, R1)."""
        self.sign_in_team()
        tap(self.page, "go-cases")
        tap(self.page, "download-cases")
        wait_text(self.page, "缺少家庭授权书")

    def consent_at_door(self, start_button: str) -> None:
        """Open the visit, wait for its start position, and tick the notification a consenting family
        hears (R8): capture is allowed from here on."""
        self.start_visit(start_button)
        self.wait_start_fix()
        self.notify(["work_id_shown", "purpose_explained", "family_consents"])

    def refuse_at_door(self, start_button: str) -> None:
        """Open the visit, show the work IDs, record that the family refuses (R13) and go to that step:
        the rail leads to 拒绝情况 once the switch has taken effect."""
        self.start_visit(start_button)
        self.wait_start_fix()
        self.notify(["work_id_shown", "purpose_explained"])
        tap(self.page, "refusal-switch")
        wait_text(self.page, "拒绝情况")
        self.next_step()

    def notify(self, ids: list[str]) -> None:
        for item in ids:
            tap(self.page, f"notify-{item}")
            wait_checked(self.page, f"notify-{item}")  # saved and drawn again before the next tap

    def answer_section(self, form: Form, section_id: str) -> None:
        """Answer every question of one section the form asks (tables left without rows), by its own data."""
        section = next(s for s in form.sections if s.id == section_id)
        given: dict[str, object] = {}
        for field in section.fields:
            if field.type == "table" or not is_relevant(field, given):
                continue
            label = field.label + (" *" if field.required else "")
            if field.type in ("choice", "yesno"):
                chosen = field.options[0] if field.type == "choice" else "是"
                option = f"answer-{field.id}-{chosen}"
                tap(self.page, option)
                wait_checked(self.page, option)
                given[field.id] = chosen if field.type == "choice" else True
            else:
                fill_field(self.page, label, ANSWERS[field.type])  # checks the value stuck
                given[field.id] = STORED.get(field.type, ANSWERS[field.type])

    def rail_count(self, step: str) -> int:
        """The number of missing items the step rail shows beside a step (0: its tick)."""
        node = self.page.locator(f'[flt-semantics-identifier="step-{step}"]').first
        text = (node.get_attribute("aria-label") or "") + (node.text_content() or "")
        digits = re.findall(r"\d+", text)
        return int(digits[0]) if digits else 0

    def wait_rail(self, step: str, count: int, timeout_ms: float = WAIT_MS) -> None:
        """Wait until the rail shows `count` missing beside `step` (without any navigation)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.rail_count(step) != count:
            if time.monotonic() > deadline:
                self.shot(f"rail-{step}")
                raise AssertionError(f"rail {step}: {self.rail_count(step)} missing, expected {count}")
            self.page.wait_for_timeout(100)

    def add_photos(self, trigger: str, paths: list[Path]) -> None:
        """Pick photo files; the caller waits for the outcome it expects (added, or refused by name)."""
        pick_files(self.page, trigger, paths)

    def sign(self, pad: str) -> None:
        """Draw a signature with pointer events and confirm it."""
        draw_stroke(self.page, pad, SIGNATURE)
        draw_stroke(self.page, pad, [(0.2, 0.8), (0.5, 0.85), (0.8, 0.8)])
        tap(self.page, f"{pad}-confirm")
        wait_text(self.page, "签名已保存")
        locate(self.page, f"{pad}-again")  # the pad was drawn again as signed

    def sign_team(self) -> None:
        for username in SURVEYORS:
            self.sign(f"surveyor-pad-{username}")

    def seal(self, wrong_pin_first: bool = False) -> None:
        """Every surveyor confirms with their PIN; their own key signs the record (R11)."""
        tap(self.page, "seal-button")
        wait_text(self.page, "调查人员确认签名")
        for username, (name, pin) in SURVEYORS.items():
            fill_field(self.page, f"{name} 的 PIN 码", "000000" if wrong_pin_first and username == "lina" else pin)
        if wrong_pin_first:
            tap(self.page, "seal-confirm")
            wait_text(self.page, "PIN 码不正确")
            self.shot("seal-wrong-pin")
            fill_field(self.page, "李娜 的 PIN 码", SURVEYORS["lina"][1])
        tap(self.page, "seal-confirm")
        wait_text(self.page, "已封存，待上传")
