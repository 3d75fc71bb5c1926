"""Checking a v2 dossier's items (docs/DOSSIER.md, "Items"): the case's process material is all there, each
description names the very file beside it, the index lists everything, and the log proves it.

Every problem is reported (not only the first), each naming the item it concerns, so an archivist reads
which 授权书, which check, which letter is missing, altered or extra.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from html import escape
from typing import Any

from dossier_verify import merkle
from dossier_verify.findings import Failure, Report

MATERIAL = ("case/", "intake/", "township/", "conformity/", "letters/", "review/", "rounds/", "forms/")
DESCRIBED = {"case", "intake_document", "township_upload", "conformity_check", "letter", "review_decision", "round",
             "form_version"}
NOT_OF_THE_CASE = {"key.registered", "form.published"}  # entries the dossier proves though about no case
METHOD_LINES = {"home_visit", "neighbour_interview", "letter_request", "information_check"}
CHECKS_NEEDED = 2


def _json(data: bytes | None) -> Any:
    if data is None:
        raise KeyError("absent")
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _where(item: dict) -> str:
    return f"{item.get('type')} {item.get('id')}"


def check(report: Report, manifest: dict, kept: dict[str, bytes], digests: dict[str, tuple[str, int]],
          listed: dict[str, str], latest: dict | None) -> None:
    """All item checks of a v2 dossier (`listed`: path -> SHA-256 as the manifest lists it)."""
    items = manifest.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        report.add(Failure.FILES, "manifest.json", "the list of the case's items is missing or malformed")
        return
    ids = [str(i.get("id")) for i in items]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        report.add(Failure.FILES, dup, "item listed twice")
    owned: set[str] = set()
    described: dict[str, dict] = {}
    for item in items:
        files = item.get("files") if isinstance(item.get("files"), list) else []
        owned.update(str(f) for f in files)
        _check_item_files(report, item, [str(f) for f in files], digests, listed)
        if item.get("type") in DESCRIBED and files:
            meta = _description(report, item, str(files[0]), kept, digests)
            if meta is not None:
                described[str(item.get("id"))] = meta
    for path in listed:
        if path.startswith(MATERIAL) and path not in owned:
            report.add(Failure.FILES, path, "extra: not a file of any item of the case")
    _check_relations(report, manifest, items, described)
    _check_index(report, kept.get(str(manifest.get("index", ""))), items)
    _check_item_log(report, manifest, items, kept, latest)


def _check_item_files(report: Report, item: dict, files: list[str], digests: dict[str, tuple[str, int]],
                      listed: dict[str, str]) -> None:
    if not files:
        report.add(Failure.FILES, _where(item), "the item has no file")
    for path in files:
        if path not in listed:
            report.add(Failure.FILES, _where(item), f"{path} is not in the manifest's file list")
        elif path not in digests:
            report.add(Failure.FILES, _where(item), f"{path} missing")
        elif digests[path][0] != listed[path]:
            report.add(Failure.FILES, _where(item), f"{path} altered")


def _description(report: Report, item: dict, path: str, kept: dict[str, bytes],
                 digests: dict[str, tuple[str, int]]) -> dict | None:
    """The item's JSON description: it names this item, and the file it describes is the one held."""
    try:
        meta = _json(kept.get(path))
        if not isinstance(meta, dict):
            raise TypeError("not an object")
    except (KeyError, ValueError, TypeError, UnicodeDecodeError):
        return None  # missing or altered: already reported by file
    if meta.get("id") != item.get("id") or meta.get("type") != item.get("type"):
        report.add(Failure.FILES, _where(item), f"{path} describes another item ({meta.get('type')} {meta.get('id')})")
    if "file" in meta:
        held = digests.get(str(meta["file"]))
        if meta["file"] not in (item.get("files") or []):
            report.add(Failure.FILES, _where(item), f"the described file {meta['file']} is not the item's")
        elif held is not None and (held[0] != meta.get("sha256") or held[1] != meta.get("size")):
            report.add(Failure.FILES, _where(item), f"{meta['file']} is not the file its description names "
                                                    f"(SHA-256 {str(meta.get('sha256'))[:16]}…)")
    return meta


def _check_relations(report: Report, manifest: dict, items: list[dict], described: dict[str, dict]) -> None:
    """What the items say of one another: one case, documents of its subjects, decisions on its records,
    checks enough to have released it, rounds numbered without a gap."""
    cases = [i for i in items if i.get("type") == "case"]
    if len(cases) != 1 or cases[0].get("id") != manifest.get("case_id"):
        report.add(Failure.FILES, f"case {manifest.get('case_id')}", "the case's description is missing")
    case = described.get(str(manifest.get("case_id")), {})
    subjects = {s.get("id") for s in case.get("subjects", []) if isinstance(s, dict)}
    records = {str(r.get("id")) for r in manifest.get("records", []) if isinstance(r, dict)}
    by_type: dict[str, list[tuple[str, dict]]] = {}
    for item_id, meta in described.items():
        by_type.setdefault(str(meta.get("type")), []).append((item_id, meta))
    for item_id, meta in by_type.get("intake_document", []):
        if meta.get("kind") != "entrustment" and meta.get("subject_id") not in subjects:
            report.add(Failure.FILES, f"intake_document {item_id}", "names a subject not in the case")
    for item_id, meta in by_type.get("review_decision", []):
        target = str(meta.get("target", ""))
        if target and target not in METHOD_LINES and target not in records:
            report.add(Failure.FILES, f"review_decision {item_id}", f"decides on record {target}, not in the dossier")
    entrustment = case.get("entrustment") if isinstance(case.get("entrustment"), dict) else None
    if entrustment and entrustment.get("status") == "released":
        final = [m for _, m in by_type.get("conformity_check", []) if m.get("round") == entrustment.get("submissions")]
        if len({m.get("checker") for m in final if m.get("passed") is True}) < CHECKS_NEEDED:
            report.add(Failure.FILES, f"case {manifest.get('case_id')}",
                       "released, but the dossier lacks the two passing conformity checks that released it")
        for n in range(1, int(entrustment.get("submissions") or 1)):
            if not any(m.get("round") == n and m.get("passed") is False
                       for _, m in by_type.get("conformity_check", [])):
                report.add(Failure.FILES, f"case {manifest.get('case_id')}",
                           f"submission {n} was returned, but its failing conformity check is missing")
    for item_id, meta in by_type.get("form_version", []):
        body = meta.get("body")
        if not isinstance(body, str) or hashlib.sha256(body.encode("utf-8")).hexdigest() != meta.get("sha256"):
            report.add(Failure.FILES, f"form_version {item_id}", "the form's text is not the one its SHA-256 names")
    numbers = sorted(int(m.get("number", 0)) for _, m in by_type.get("round", []))
    if numbers != list(range(2, 2 + len(numbers))):
        report.add(Failure.FILES, f"case {manifest.get('case_id')}", f"re-verification rounds {numbers} have a gap")


def _check_index(report: Report, page: bytes | None, items: list[dict]) -> None:
    if page is None:
        report.add(Failure.FILES, "index.html", "the index page is missing")
        return
    text = page.decode("utf-8", errors="replace")
    for item in items:
        for name in [str(item.get("id")), *[str(f) for f in item.get("files") or []]]:
            if escape(name) not in text:
                report.add(Failure.FILES, "index.html", f"does not list {name} ({_where(item)})")


def _check_item_log(report: Report, manifest: dict, items: list[dict], kept: dict[str, bytes],
                    latest: dict | None) -> None:
    """Every entry about the case is in the log at the latest checkpoint; each item's entries are about it;
    the export's own entry lists exactly the items and records the dossier holds."""
    log: dict = manifest["log"] if isinstance(manifest.get("log"), dict) else {}
    try:
        entries = _json(kept.get(str(log.get("proofs"))))["entries"]
        if not isinstance(entries, dict):
            raise TypeError("entries")
    except (KeyError, ValueError, TypeError, UnicodeDecodeError):
        report.add(Failure.LOG, "log", "the proofs of the case's log entries are missing")
        return
    logged: dict[int, dict] = {}
    for key, proof in entries.items():
        where = f"log entry {key}"
        try:
            entry = base64.b64decode(proof["entry"], validate=True)
            parsed = json.loads(entry)
            path = [bytes.fromhex(h) for h in proof["inclusion"]]
            position = int(key)
        except (KeyError, ValueError, TypeError, binascii.Error, RecursionError):
            report.add(Failure.LOG, where, "missing or unreadable inclusion proof")
            continue
        if not isinstance(parsed, dict) or parsed.get("position") != position:
            report.add(Failure.LOG, where, "the entry is not the one at this position")
            continue
        if parsed.get("case_id") != manifest.get("case_id") and parsed.get("kind") not in NOT_OF_THE_CASE:
            report.add(Failure.LOG, where, f"about case {parsed.get('case_id')}, not this one")
        if latest is not None and not merkle.inclusion_holds(position, latest["size"], merkle.leaf_hash(entry),
                                                             path, latest["root"]):
            report.add(Failure.LOG, where, "inclusion proof does not hold for the latest checkpoint")
        logged[position] = parsed
    by_id = {str(i.get("id")): i for i in items}
    for position, parsed in logged.items():
        item = by_id.get(str(parsed.get("subject")))
        if item is not None and position not in (item.get("log") or []):
            report.add(Failure.LOG, _where(item),
                       f"log entry {position} ({parsed.get('kind')}) is about it but not listed")
    for item in items:
        for position in item.get("log") or []:
            if logged.get(position, {}).get("subject") != item.get("id"):
                report.add(Failure.LOG, _where(item), f"log entry {position} is not in the dossier or not about it")
    _check_export_entry(report, manifest, logged.get(log.get("export_entry", -1)), set(by_id))


def _check_export_entry(report: Report, manifest: dict, entry: dict | None, item_ids: set[str]) -> None:
    if entry is None or entry.get("kind") != "dossier.exported" or entry.get("subject") != manifest.get("export_id"):
        report.add(Failure.LOG, "log export entry", "the log's entry of this export is missing")
        return
    data: dict = entry["data"] if isinstance(entry.get("data"), dict) else {}
    logged_items = {str(i) for i in data.get("items") or []}
    for missing in sorted(logged_items - item_ids):
        report.add(Failure.FILES, missing, "exported (the log's export entry lists it) but not in the dossier")
    for extra in sorted(item_ids - logged_items):
        report.add(Failure.FILES, extra, "in the dossier but not among the items the export logged")
    records = {str(r.get("id")) for r in manifest.get("records", []) if isinstance(r, dict)}
    if records != {str(r) for r in data.get("records") or []}:
        report.add(Failure.LOG, "log export entry", "the records the export logged are not the dossier's")
