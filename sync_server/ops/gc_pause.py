"""The cyclic garbage collector waits while a server starts (issue 19: start).

Starting builds ~250,000 long-lived objects (the modules, ~200 models and tables, the routes' dependency state,
the demo seed's app) and almost no garbage (a few thousand objects). CPython's collector, tuned for a steady
state, ran ~550 collections over them anyway: 0.35-0.4 s of a fresh start, ~0.1 s of a restart.

`pause()` switches it off when `python -m sync_server` starts serving; `resume()`, called as the app starts
(its lifespan, in each worker), first moves everything alive into the permanent generation (`gc.freeze`, what
the Python documentation advises before forking workers from a preloaded parent: later collections do not
walk, nor write to, the shared startup objects), then switches the collector back on. Resuming does nothing
where nothing paused it (tests, an app embedded elsewhere), so no one else's objects are frozen.
"""
from __future__ import annotations

import gc


def pause() -> None:
    """Stop cyclic collection until `resume()` (a serving process, before its heavy imports)."""
    gc.disable()


def collect() -> None:
    """Collect once now, paused or not (a start that made garbage worth dropping before `resume()` freezes)."""
    gc.collect()


def release() -> None:
    """Switch the collector back on, freezing nothing (a start that ended before its app started)."""
    gc.enable()


def resume() -> None:
    """Freeze what starting built and collect again; nothing if the collector was not paused."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
