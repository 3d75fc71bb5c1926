"""Drive a Flet 1.0.5 web app from Playwright (sync API) with Debian's Chromium, offline.

Typical use::

    proc = start_process([sys.executable, "-m", "my_app"], env, url, timeout=30)
    try:
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            context, page = new_tablet_page(browser)
            open_flet(page, url)
            fill_field(page, "PIN", "123456")
            tap(page, "confirm-button")            # semantics identifier or button label
            wait_text(page, "已确认")
            assert unexpected_requests(page.blocked_requests) == []
    finally:
        stop_process(proc)

How Flet web maps to the DOM (after :func:`open_flet` turned semantics on):

- ``ft.TextField(label="PIN")`` -> ``input[aria-label="PIN"]`` (``textarea`` when multiline);
  ``.fill()`` fires the control's ``on_change``.
- ``ft.Button("确认")`` -> role ``button`` with accessible name ``确认``.
- ``ft.Text("x")`` -> findable with ``page.get_by_text("x")``.
- ``ft.Semantics(identifier="pad", content=...)`` -> ``[flt-semantics-identifier="pad"]`` with
  the bounding box of its content. A control's ``key=`` does not reach the DOM.

Each browser *tab* keeps its Flet session id in ``sessionStorage``: ``page.reload()``
reconnects to the same server session (``main()`` is NOT re-run, the UI state survives).
A new page or a new context gets a fresh session (``main()`` runs again).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# The Flet web client always tries this one (Rive animations); harmless unless Rive is used.
KNOWN_HARMLESS_REQUESTS = ("https://cdn.jsdelivr.net/npm/@rive-app/",)

REPO_ROOT = Path(__file__).resolve().parents[2]
# How long a step waits for its condition (a button to appear, a text to show) before failing. These are
# caps, not pauses: a step goes on as soon as its condition holds. 10 s was too short beside busy CPU
# loops (a form option not yet drawn after 下一步); E2E_WAIT_MS raises it on a slower machine.
WAIT_MS = float(os.environ.get("E2E_WAIT_MS", "30000"))
SCREENS_DIR = REPO_ROOT / "test-artifacts" / "screens"

FIRST_FRAME_JS = "document.querySelector('flutter-view') && !document.getElementById('loading')"
ENABLE_SEMANTICS_JS = (
    "(() => { const p = document.querySelector('flt-semantics-placeholder');"
    " if (p) { p.click(); return true; } return false; })()"
)


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(
    cmd: Sequence[str],
    env: dict[str, str] | None = None,
    ready_url: str | None = None,
    timeout: float = 30.0,
    cwd: str | os.PathLike | None = None,
    log_path: str | os.PathLike | None = None,
    ready_context: ssl.SSLContext | None = None,
) -> subprocess.Popen:
    """Start ``cmd`` in its own process group and wait until ``ready_url`` answers HTTP.

    ``env`` is merged over ``os.environ``. Output goes to ``log_path`` (default: a file under
    ``test-artifacts/logs/``), never to a pipe that could fill up. The returned Popen has
    ``.log_path`` and ``.ready_seconds`` attributes. ``ready_context`` verifies an https ``ready_url``. Raises ``RuntimeError`` (after killing
    the group) if the process dies or the URL is not ready in ``timeout`` seconds.
    """
    if log_path is None:
        logs = REPO_ROOT / "test-artifacts" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        scripts = [str(c) for c in cmd if str(c).endswith(".py")]
        stem = Path(scripts[0]).stem if scripts else Path(str(cmd[0])).name
        log_path = logs / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    t0 = time.monotonic()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            list(cmd),
            env=full_env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop_process kills children too
        )
    proc.log_path = log_path  # type: ignore[attr-defined]
    proc.ready_seconds = None  # type: ignore[attr-defined]
    if ready_url is None:
        return proc
    deadline = t0 + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{cmd!r} exited with {proc.returncode} before {ready_url} was ready:\n" + _tail(log_path)
            )
        try:
            with urllib.request.urlopen(ready_url, timeout=2, context=ready_context) as resp:
                resp.read(1)
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            stop_process(proc)
            raise RuntimeError(f"{ready_url} not ready after {timeout}s:\n" + _tail(log_path))
        time.sleep(0.1)  # plain process polling; no browser involved here
    proc.ready_seconds = time.monotonic() - t0  # type: ignore[attr-defined]
    return proc


def stop_process(proc: subprocess.Popen, timeout: float = 5.0) -> int | None:
    """SIGTERM the process group of ``proc`` (started by :func:`start_process`), then SIGKILL."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    else:  # leader gone: make sure no child of the group is left listening
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return Path(path).read_text(errors="replace")[-chars:]
    except OSError:
        return "<no log>"


# --------------------------------------------------------------------------- browser


def launch_browser(playwright, extra_args: Iterable[str] = (), **kwargs):
    """Launch Debian's Chromium headless with the flags that keep it offline and quiet.

    ``extra_args`` e.g. ``["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]``
    for a fake camera/microphone.
    """
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], **kwargs)


def new_tablet_page(browser, landscape: bool = True, **context_kwargs):
    """New context + page sized like a 10" tablet (1280x800 or 800x1280, touch enabled).

    Every request to a non-local host is aborted and its URL appended to
    ``page.blocked_requests`` (the same list is ``context.blocked_requests``; pages opened later
    in this context share it). Extra kwargs go to ``browser.new_context`` (e.g.
    ``permissions=["camera"]``, ``geolocation={...}``).
    """
    size = {"width": 1280, "height": 800} if landscape else {"width": 800, "height": 1280}
    opts = {"viewport": size, "has_touch": True, "locale": "zh-CN", **context_kwargs}
    context = browser.new_context(**opts)
    blocked: list[str] = []

    def guard(route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.blocked_requests = blocked
    page = context.new_page()
    page.blocked_requests = blocked
    return context, page


def unexpected_requests(blocked: Iterable[str]) -> list[str]:
    """The blocked non-local requests other than the known harmless Rive CDN one."""
    return [u for u in blocked if not u.startswith(KNOWN_HARMLESS_REQUESTS)]


def open_flet(page, url: str, timeout: float = 30_000) -> float:
    """Load a Flet web app, wait for its first frame and turn the semantics DOM on.

    Returns the seconds from navigation to semantics ready. Call it again after any
    ``page.reload()``/``goto`` (semantics must be enabled once per page load).
    """
    t0 = time.monotonic()
    page.goto(url, timeout=timeout)
    enable_semantics(page, timeout)
    return time.monotonic() - t0


def enable_semantics(page, timeout: float = 30_000) -> None:
    """Wait for Flutter's first frame, then click the hidden accessibility switch."""
    page.wait_for_function(FIRST_FRAME_JS, timeout=timeout)
    page.wait_for_function(ENABLE_SEMANTICS_JS, timeout=timeout)
    # the semantics tree appears asynchronously after the click
    page.wait_for_selector("flt-semantics", state="attached", timeout=timeout)


def _by_identifier(page, identifier: str):
    return page.locator(f'[flt-semantics-identifier="{identifier}"]')


def fill_field(page, label: str, text: str, timeout: float = WAIT_MS, attempts: int = 3) -> None:
    """Type ``text`` into the ``ft.TextField`` whose ``label`` is ``label`` (fires on_change).

    ``label`` may also be the field's ``hint_text`` (used as aria-label when there is no label),
    or the identifier of an ``ft.Semantics`` wrapped around the field. Works for
    ``password=True`` (``input[type=password]``) and ``multiline=True`` (``textarea``).

    Focus first, let Flutter take the field over, then fill and check the value stuck:
    a bare ``.fill()`` right after page load was lost about 1 time in 8 (Flutter's editing
    state reset the input to "" on focus).
    """
    found = page.locator(
        f'input[aria-label="{label}"], textarea[aria-label="{label}"], '
        f'[flt-semantics-identifier="{label}"] input, [flt-semantics-identifier="{label}"] textarea'
    ).first
    found.wait_for(state="attached", timeout=timeout)
    # a focused field appends its hint text to its aria-label: hold on to the element itself
    loc = found.element_handle(timeout=timeout)
    for _ in range(attempts):
        loc.click(timeout=timeout)
        page.wait_for_timeout(150)
        loc.fill(text, timeout=timeout)
        page.wait_for_timeout(100)
        if loc.input_value() == text:
            return
    raise AssertionError(f"field {label!r} did not keep {text!r} (has {loc.input_value()!r})")


def locate(page, name_or_identifier: str, timeout: float = WAIT_MS):
    """Locator for a semantics identifier if one exists, else for a button with that exact name."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        by_id = _by_identifier(page, name_or_identifier)
        if by_id.count():
            return by_id.first
        by_role = page.get_by_role("button", name=name_or_identifier, exact=True)
        if by_role.count():
            return by_role.first
        if time.monotonic() > deadline:
            raise AssertionError(f"no semantics identifier or button named {name_or_identifier!r}")
        page.wait_for_timeout(100)


def tap(page, name_or_identifier: str, timeout: float = WAIT_MS) -> None:
    """Tap (touch) the control with that semantics identifier, else the button with that label."""
    locate(page, name_or_identifier, timeout).tap(timeout=timeout)


def _on_box(page, identifier: str):
    """Page coordinates of a point given as fractions of the element's box (``(0, 0)`` top-left)."""
    loc = _by_identifier(page, identifier).first
    loc.wait_for(state="attached", timeout=WAIT_MS)
    box = loc.bounding_box()
    if not box:
        raise AssertionError(f"{identifier!r} has no bounding box (not on screen?)")
    return lambda p: (box["x"] + p[0] * box["width"], box["y"] + p[1] * box["height"])


def draw_stroke(
    page,
    identifier: str,
    points: Sequence[tuple[float, float]],
    step_ms: int = 16,
) -> None:
    """Draw one stroke with the mouse on the element with semantics ``identifier``.

    ``points`` are fractions of the element's box: ``(0, 0)`` top-left, ``(1, 1)`` bottom-right.
    The stroke is mouse down at the first point, moves through the others, mouse up at the last.
    A GestureDetector receives drag (or pan) events with ``local_position`` in pixels.
    """
    if len(points) < 2:
        raise ValueError("a stroke needs at least two points")
    xy = _on_box(page, identifier)
    page.mouse.move(*xy(points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*xy(p), steps=3)
        page.wait_for_timeout(step_ms)
    page.mouse.up()


def touch_at(page, identifier: str, point: tuple[float, float]) -> None:
    """A finger touches the element with semantics ``identifier`` at ``point`` (fractions of its box) and
    lifts without moving."""
    page.touchscreen.tap(*_on_box(page, identifier)(point))


def touch_stroke(page, identifier: str, points: Sequence[tuple[float, float]], steps: int = 5) -> None:
    """Draw one stroke with a finger (touch events through the DevTools protocol; the context needs
    ``has_touch``), as :func:`draw_stroke` does with the mouse. A finger, unlike a mouse, also drags a
    scrolling page: this is how a pad on a page that scrolls is tested."""
    if len(points) < 2:
        raise ValueError("a stroke needs at least two points")
    xy = _on_box(page, identifier)
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, p: tuple[float, float] | None) -> None:
        at = [] if p is None else [dict(zip(("x", "y"), xy(p), strict=True))]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": at})

    try:
        touch("touchStart", points[0])
        for (ax, ay), (bx, by) in itertools.pairwise(points):
            for i in range(1, steps + 1):
                touch("touchMove", (ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps))
                page.wait_for_timeout(16)
        touch("touchEnd", None)
    finally:
        cdp.detach()


def pick_files(page, trigger: str, paths: Sequence[str | os.PathLike], timeout: float = WAIT_MS):
    """Tap ``trigger`` (identifier or button label) and answer the browser's file chooser.

    Works for ``await ft.FilePicker().pick_files(with_data=True)`` (bytes arrive in Python in
    ``FilePickerFile.bytes``) and for ``ft.Button(action=ft.PickFiles(picker, ...))``
    (files arrive in ``picker.on_result``).
    """
    with page.expect_file_chooser(timeout=timeout) as info:
        tap(page, trigger, timeout=timeout)
    info.value.set_files([str(p) for p in paths])


def text_locator(page, text: str, exact: bool = False):
    """The first element showing ``text``, as text or in its aria-label."""
    label = f'[aria-label="{text}"]' if exact else f'[aria-label*="{text}"]'
    # Flutter merges the texts of a semantics container (a Card, a tagged control) into its aria-label
    return page.get_by_text(text, exact=exact).or_(page.locator(label)).first


def wait_text(page, text: str, timeout: float = WAIT_MS, exact: bool = False) -> str:
    """Wait until a text containing ``text`` (or equal to it, ``exact=True``) is shown; return it."""
    loc = text_locator(page, text, exact)
    loc.wait_for(state="attached", timeout=timeout)
    return loc.text_content() or loc.get_attribute("aria-label") or ""


def shot(page, name: str, settle_ms: int = 500) -> Path:
    """Wait ``settle_ms`` (the canvas lags the semantics DOM), then save ``test-artifacts/screens/<name>.png``."""
    page.wait_for_timeout(settle_ms)
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENS_DIR / (name if name.endswith(".png") else f"{name}.png")
    page.screenshot(path=str(path))
    return path


def wait_checked(page, identifier: str, checked: bool = True, timeout: float = WAIT_MS) -> None:
    """Wait until the checkbox, switch or radio tagged ``identifier`` shows ``checked`` (its aria-checked)."""
    value = "true" if checked else "false"
    page.locator(f'[flt-semantics-identifier="{identifier}"][aria-checked="{value}"], '
                 f'[flt-semantics-identifier="{identifier}"] [aria-checked="{value}"]').first.wait_for(
        state="attached", timeout=timeout)
