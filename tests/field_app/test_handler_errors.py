"""Every event handler's error reaches the team as a Chinese message (field_app.errors.guarded): a refused
edit shows its own message, a bug shows a plain sentence and is logged; nothing vanishes in a handler
thread, and no Flet session crashes (Flet 1.0.5 ends the session on an unhandled handler error)."""
from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from field_app.errors import INTERNAL_ERROR, guarded
from field_app.viewmodels import VisitEditor
from schemas.records import VisitKind
from tests.field_app.helpers import case_summary


@pytest.fixture
def editor(editor: VisitEditor) -> VisitEditor:
    """With a home visit open."""
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    return editor


def test_a_refused_view_model_call_in_a_handler_shows_its_chinese_message(editor):
    shown: list[str] = []
    handler = guarded(lambda e: editor.set_refusal_note("很" * 100_000), lambda message, args: shown.append(message))
    assert handler(object()) is None
    assert shown and shown[0].startswith("内容过长") and editor.record.refusal_note == ""


def test_a_bug_in_an_async_handler_is_logged_and_shown_in_chinese(caplog):
    shown: list[str] = []

    async def broken(e: object) -> None:
        await asyncio.sleep(0)
        raise KeyError("step")

    handler = guarded(broken, lambda message, args: shown.append(message))
    with caplog.at_level(logging.ERROR):
        asyncio.run(handler(object()))
    assert shown == [INTERNAL_ERROR]
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)
    assert guarded(handler, lambda *a: None) is handler  # wrapping twice is wrapping once


def test_a_view_button_toasts_on_the_events_page(editor):
    from field_app.views.widgets import safe

    dialogs: list[object] = []
    page = SimpleNamespace(show_dialog=dialogs.append, update=lambda: None)
    handler = safe(lambda e: editor.set_notification("no-such-item", True))
    assert handler is not None
    handler(SimpleNamespace(page=page))
    [snack] = dialogs
    assert snack.content.value == "表单中没有告知事项 no-such-item"  # type: ignore[attr-defined]


def test_every_handler_a_view_gives_flet_is_guarded():
    """Static check over field_app/views: each `on_*=` (keyword or attribute) is `safe(...)`, `*.guard(...)`
    or None, so a new handler cannot slip past the one place errors are shown."""
    import ast
    from pathlib import Path

    views = Path(__file__).resolve().parents[2] / "field_app" / "views"

    def ok(value: ast.expr) -> bool:
        if isinstance(value, ast.Constant) and value.value is None:
            return True
        if isinstance(value, ast.IfExp):
            return ok(value.body) and ok(value.orelse)
        if isinstance(value, ast.Call):
            name = value.func.attr if isinstance(value.func, ast.Attribute) else getattr(value.func, "id", "")
            return name in ("safe", "guard")
        return False

    unguarded = []
    for path in sorted(views.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            pairs: list[tuple[str, ast.expr]] = []
            if isinstance(node, ast.Call):
                pairs = [(k.arg, k.value) for k in node.keywords if k.arg and k.arg.startswith("on_")]
            elif isinstance(node, ast.Assign):
                pairs = [(t.attr, node.value) for t in node.targets
                         if isinstance(t, ast.Attribute) and t.attr.startswith("on_")]
            unguarded += [f"{path.name}:{value.lineno} {name}" for name, value in pairs if not ok(value)]
    assert unguarded == []
