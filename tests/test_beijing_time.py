"""Beijing time throughout: the console, the documents and the display copies show times only through
schemas/beijing.py. This fails when someone formats or converts a time anywhere else there (a UTC time
on a page reads as a visit at 01:30 in the night), or prints a template's `*_at` value raw."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from schemas.beijing import beijing_date, beijing_text, beijing_today

ROOT = Path(__file__).resolve().parents[1]
SHOWN = [ROOT / "sync_server" / "console", ROOT / "sync_server" / "documents", ROOT / "sync_server" / "display",
         ROOT / "sync_server" / "office" / "intake_wire.py", ROOT / "sync_server" / "casework" / "presentation.py",
         ROOT / "sync_server" / "dossier"]
CONVERSIONS = re.compile(r"\.strftime\(|\.astimezone\(|timezone\(timedelta\(hours=8|date\.today\(\)|"
                         r"datetime\.now\(\)|\.date\(\)\s*$|[\"'][^\"'\n]*\bUTC\b[^\"'\n]*[\"']|"
                         r"\{[\w.]+_at:%")  # a stored (UTC) time formatted straight into text
# Not shown to a person as a time: a machine name that says it is UTC (Z).
NAMES_IN_UTC = {("sync_server/dossier/export.py", "strftime('%Y%m%dT%H%M%SZ')")}
RAW_TIME_IN_TEMPLATE = re.compile(r"\{\{\s*[\w.]+_at\s*\}\}")


def _python_files() -> list[Path]:
    out: list[Path] = []
    for place in SHOWN:
        out += [place] if place.is_file() else sorted(place.rglob("*.py"))
    return out


def test_no_time_is_formatted_or_converted_outside_the_beijing_helper():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in _python_files() for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if CONVERSIONS.search(line.split("#")[0])
             and not any(str(path.relative_to(ROOT)) == name and part in line for name, part in NAMES_IN_UTC)]
    assert found == []


def test_no_template_prints_a_time_without_the_beijing_filter():
    templates = sorted((ROOT / "sync_server" / "console" / "templates").glob("*.html"))
    assert templates
    found = [f"{t.name}: {m.group(0)}" for t in templates for m in RAW_TIME_IN_TEMPLATE.finditer(t.read_text("utf-8"))]
    assert found == []


def test_the_helper_shows_utc_as_beijing_time_across_midnight():
    late = datetime(2026, 11, 16, 17, 30, tzinfo=UTC)  # 01:30 on the 17th in Beijing
    assert beijing_text(late) == "2026-11-17 01:30"
    assert beijing_text(late, seconds=True) == "2026-11-17 01:30:00"
    assert beijing_date(late).isoformat() == "2026-11-17" == beijing_today(late).isoformat()
    assert beijing_text(None) == "" and beijing_text(None, "——") == "——"
    assert beijing_text(datetime(2026, 11, 17, 9, 30)) == "2026-11-17 09:30"  # naive (EXIF): already Beijing
