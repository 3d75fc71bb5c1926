"""Checking a case dossier (docs/DOSSIER.md) offline: files, manifest signature, seals, log proofs."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from dossier_verify import material, merkle, safezip
from dossier_verify.checkpoints import Head, consistent_with, read_checkpoint
from dossier_verify.findings import Failure, Report
from dossier_verify.seals import body_problem, key_id, seal_holds, verify_signature

FORMAT = "field-evidence/dossier/v2"
FORMATS = ("field-evidence/dossier/v1", FORMAT)  # v1 (records, evidence, reports, log) still verifies
MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.sig"
MANIFEST_CONTEXT = b"field-evidence/dossier-manifest/v1\n"
REPORT_CONTEXT = b"field-evidence/report/v1\n"


def _json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:  # hostile nesting: a finding, not a crash
        raise ValueError("JSON nested too deeply") from None


def verify(path: Path | BinaryIO, trusted_key: bytes | None = None, trusted_key_id: str | None = None,
           kept: Sequence[tuple[str, bytes]] = (), limits: safezip.Limits = safezip.DEFAULT) -> Report:
    """Check the dossier at path; pass the agency's public key (or its key id) you trust, if you have it,
    and checkpoints kept from earlier dossiers or tablets ((name, bytes)) its log must be consistent with.
    The zip is streamed once (safezip.py): only its small structured members are held in memory."""
    report = Report()
    try:
        archive = safezip.read(path, limits)
    except safezip.Refused as refused:
        report.add(Failure.UNREADABLE, str(getattr(path, "name", path)), str(refused))
        return report
    names, files = archive.names, archive.kept
    for required in (MANIFEST, MANIFEST_SIG):
        if required not in files:
            report.add(Failure.FILES, required, "missing")
    try:
        manifest = _json(files[MANIFEST])
        signature = files.get(MANIFEST_SIG, b"").decode("ascii").strip()
        agency = base64.b64decode(manifest["agency_key"]["public_key"], validate=True)
        listed = [(f["path"], f["sha256"], int(f["size"])) for f in manifest["files"]]
        if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
            raise ValueError(f"format {manifest.get('format')!r}")
    except (KeyError, ValueError, TypeError, UnicodeDecodeError, binascii.Error) as error:
        report.add(Failure.UNREADABLE, MANIFEST, f"missing or malformed manifest: {error!r}")
        return report
    _check_agency_key(report, agency, manifest, trusted_key, trusted_key_id)
    if not verify_signature(agency, signature, MANIFEST_CONTEXT + files[MANIFEST]):
        report.add(Failure.MANIFEST, MANIFEST_SIG, "manifest signature does not hold for the agency key")
    elif files.get(MANIFEST_SIG) != (signature + "\n").encode("ascii"):  # no unsigned byte in the dossier
        report.add(Failure.FILES, MANIFEST_SIG, "altered: not the signature line alone")
    _check_files(report, names, archive.digests, listed)
    hashes = {p: sha for p, sha, _ in listed}
    _check_records(report, files, manifest, hashes)
    _check_reports(report, files, [p for p, _, _ in listed], agency)
    latest = _check_log(report, files, manifest, agency, kept)
    if manifest["format"] == FORMAT:
        material.check(report, manifest, files, archive.digests, hashes, latest)
    return report


def _check_agency_key(report: Report, agency: bytes, manifest: dict, trusted: bytes | None,
                      trusted_id: str | None) -> None:
    if manifest["agency_key"].get("key_id") != key_id(agency):
        report.add(Failure.MANIFEST, MANIFEST, "agency key id does not match its public key")
    if trusted is not None and trusted != agency:
        report.add(Failure.MANIFEST, MANIFEST, "signed by an agency key other than the trusted one")
    elif trusted_id is not None and trusted_id != key_id(agency):
        report.add(Failure.MANIFEST, MANIFEST, f"agency key {key_id(agency)} is not the trusted {trusted_id}")
    elif trusted is None and trusted_id is None:
        report.notes.append(f"agency key {key_id(agency)} taken from the dossier itself (not pinned)")


def _check_files(report: Report, names: list[str], digests: dict[str, tuple[str, int]],
                 listed: list[tuple[str, str, int]]) -> None:
    """Every listed file present with its hash and size, nothing unlisted, all in the manifest's order (the
    zip reader has already refused duplicate names)."""
    paths = [p for p, _, _ in listed]
    for p, sha, size in listed:
        held = digests.get(p)
        if held is None:
            report.add(Failure.FILES, p, "missing")
        elif held != (sha, size):
            report.add(Failure.FILES, p, "altered: SHA-256 differs from the manifest")
        report.files_checked += 1
    for n in names:
        if n not in paths and n not in (MANIFEST, MANIFEST_SIG):
            report.add(Failure.FILES, n, "added: not in the manifest")
    expected = [MANIFEST, MANIFEST_SIG] + paths
    present = [n for n in names if n in set(expected)]
    if present != [n for n in expected if n in digests] and not report.names(Failure.FILES):
        report.add(Failure.FILES, "(zip order)", "files are not in the manifest's order")


def _check_records(report: Report, files: dict[str, bytes], manifest: dict, hashes: dict[str, str]) -> None:
    for entry in manifest.get("records", []):
        rid = str(entry.get("id"))
        where = f"record {rid}"
        try:
            version = int(entry["seal_version"])
            body = files[entry["body"]]
            seals = _json(files[entry["seals"]])["seals"]
        except (KeyError, ValueError, TypeError, UnicodeDecodeError) as error:
            report.add(Failure.SEALS, where, f"record or seals unreadable: {error!r}")
            continue
        report.records_checked += 1
        problem = body_problem(version, body)
        if problem:
            report.add(Failure.SEALS, where, f"signed bytes {problem}")
        if hashlib.sha256(body).hexdigest() != entry.get("digest"):
            report.add(Failure.SEALS, where, "digest in the manifest is not SHA-256 of the signed bytes")
        if not seals:
            report.add(Failure.SEALS, where, "no seal")
        for seal in seals:
            _check_seal(report, files, where, version, body, seal)
        if not problem:
            _check_cited_evidence(report, where, _json(body), hashes)


def _check_reports(report: Report, files: dict[str, bytes], paths: list[str], agency: bytes) -> None:
    """Each issued report's content carries the agency's electronic seal."""
    for path in paths:
        if not (path.startswith("reports/") and path.endswith("/content.json")):
            continue
        where = path.removesuffix("/content.json")
        try:
            content = files[path]
            seal = _json(files[f"{where}/seal.json"])
            holds = seal.get("key_id") == key_id(agency) and \
                verify_signature(agency, seal["signature"], REPORT_CONTEXT + content)
        except (KeyError, ValueError, TypeError, UnicodeDecodeError):
            holds = False
        if not holds:
            report.add(Failure.SEALS, where, "the report's electronic seal does not hold for the agency key")


def _check_seal(report: Report, files: dict[str, bytes], where: str, version: int, body: bytes,
                seal: Any) -> None:
    report.seals_checked += 1
    try:
        surveyor, kid, signature = seal["surveyor"], seal["key_id"], seal["signature"]
        enrolment = _json(files[f"keys/{kid}.json"])
        public = base64.b64decode(enrolment["public_key"], validate=True)
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, binascii.Error) as error:
        report.add(Failure.SEALS, where, f"seal's key not in the dossier or unreadable: {error!r}")
        return
    if enrolment.get("username") != surveyor or enrolment.get("key_id") != kid:
        report.add(Failure.SEALS, where, f"key {kid} is not enrolled to {surveyor}")
    if not seal_holds(version, body, kid, signature, public):
        report.add(Failure.SEALS, where, f"seal of {surveyor} (key {kid}) does not hold")


def _check_cited_evidence(report: Report, where: str, record: Any, hashes: dict[str, str]) -> None:
    held = {sha for p, sha in hashes.items() if p.startswith("evidence/")}
    for ref in record.get("evidence", []) if isinstance(record, dict) else []:
        sha = ref.get("sha256") if isinstance(ref, dict) else None
        if sha not in held:
            report.add(Failure.FILES, where, f"evidence {sha} cited by the record is not in the dossier")


def _checkpoint(report: Report, files: dict[str, bytes], name: str, agency: bytes) -> dict | None:
    try:
        head = read_checkpoint(files[name], agency)
    except KeyError as error:
        report.add(Failure.LOG, name or "log", f"checkpoint missing: {error!r}")
        return None
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        report.add(Failure.LOG, name, f"checkpoint unreadable or its signature does not hold: {error}")
        return None
    return {"size": head.size, "root": head.root}


def _check_log(report: Report, files: dict[str, bytes], manifest: dict, agency: bytes,
               kept: Sequence[tuple[str, bytes]] = ()) -> dict | None:
    """Checkpoints, record inclusion, consistency, kept checkpoints; returns the latest checkpoint (None if
    unreadable)."""
    log = manifest.get("log", {})
    latest = _checkpoint(report, files, log.get("checkpoint", ""), agency)
    try:
        proofs = _json(files[log["proofs"]])
    except (KeyError, ValueError, TypeError, UnicodeDecodeError) as error:
        report.add(Failure.LOG, "log", f"proofs unreadable: {error!r}")
        return latest
    if latest is None:
        return None
    for entry in manifest.get("records", []):
        rid = str(entry.get("id"))
        body = files.get(str(entry.get("body")))
        digest = hashlib.sha256(body).hexdigest() if body is not None else None
        _check_inclusion(report, rid, digest, proofs.get("records", {}).get(rid), latest)
    if log.get("previous_checkpoint"):
        previous = _checkpoint(report, files, log["previous_checkpoint"], agency)
        try:
            c = proofs["consistency"]
            path = [bytes.fromhex(h) for h in c["proof"]]
            holds = previous is not None and c["from"] == previous["size"] and c["to"] == latest["size"] and \
                merkle.consistency_holds(previous["size"], latest["size"], previous["root"], latest["root"], path)
        except (KeyError, ValueError, TypeError):
            holds = False
        if not holds:
            report.add(Failure.LOG, "log consistency", "the consistency proof to the latest checkpoint fails")
    _check_earlier(report, proofs.get("earlier", []), Head(latest["size"], latest["root"]))
    _check_kept(report, kept, agency, Head(latest["size"], latest["root"]), proofs.get("earlier", []))
    return latest


def _check_earlier(report: Report, earlier: Any, latest: Head) -> None:
    """Every earlier checkpoint the dossier lists is proven consistent with its latest."""
    entries: list[Any] = earlier if isinstance(earlier, list) else [None]
    for entry in entries:
        try:
            head = Head(int(entry["size"]), bytes.fromhex(entry["root"]))
            why = consistent_with(head, latest, [entry])
        except (KeyError, ValueError, TypeError):
            why = "unreadable"
        if why is not None:
            report.add(Failure.LOG, f"earlier checkpoint {entry.get('size') if isinstance(entry, dict) else '?'}",
                       why or "larger than the latest checkpoint")


def _check_kept(report: Report, kept: Sequence[tuple[str, bytes]], agency: bytes, latest: Head,
                earlier: Any) -> None:
    """Checkpoints held from elsewhere (`--checkpoint`): each must be consistent with this dossier's log."""
    for name, raw in kept:
        try:
            head = read_checkpoint(raw, agency)
        except (KeyError, ValueError, TypeError, UnicodeDecodeError) as error:
            report.add(Failure.INCONSISTENT, name, f"not a checkpoint of this agency's log: {error}")
            continue
        why = consistent_with(head, latest, earlier)
        if why == "":
            report.notes.append(f"{name}: checkpoint of size {head.size} is newer than this dossier's "
                                f"({latest.size}); verify the newer dossier with this one's checkpoint instead")
        elif why is not None:
            report.add(Failure.INCONSISTENT, name, f"inconsistent with the dossier's log: {why}")
        else:
            report.notes.append(f"{name}: consistent with this dossier's log (size {head.size} → {latest.size})")


def _check_inclusion(report: Report, rid: str, digest: Any, proof: Any, latest: dict) -> None:
    where = f"log entry of record {rid}"
    try:
        entry = base64.b64decode(proof["entry"], validate=True)
        logged = json.loads(entry)
        path = [bytes.fromhex(h) for h in proof["inclusion"]]
        position = int(proof["position"])
    except (KeyError, ValueError, TypeError, binascii.Error):
        report.add(Failure.LOG, where, "missing or unreadable inclusion proof")
        return
    if logged.get("position") != position or logged.get("kind") != "record.ingested" or \
            logged.get("subject") != rid or logged.get("data", {}).get("digest") != digest:
        report.add(Failure.LOG, where, "the log entry is not this record's ingest")
    if not merkle.inclusion_holds(position, latest["size"], merkle.leaf_hash(entry), path, latest["root"]):
        report.add(Failure.LOG, where, "inclusion proof does not hold for the latest checkpoint")
