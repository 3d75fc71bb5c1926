"""The dossier (R20, R32): 1,200 random tamper trials, every one detected; untouched dossiers all accepted.

Trials: altered, truncated, missing, extra, renamed, reordered and swapped files (the case's process material
among them: intake scans, checks, review decisions); a sealer's public key swapped; the agency key swapped and
everything re-signed by an outsider; forged checkpoints; and an insider holding the agency key who re-signs
the manifest after altering a log proof or a record, or dropping one item of the case.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import zipfile

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_verify.dossier import verify
from dossier_verify.findings import Failure
from schemas import checkpoint as note
from schemas.seal import key_id, public_key_bytes
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.transparency.agency_key import AgencyKey, load_or_create
from tests.sync_server.dossier_helpers import agency_key_id, export, submit_both_versions

TRIALS = 1200
MANIFEST_CONTEXT = b"field-evidence/dossier-manifest/v1\n"
Entries = list[tuple[str, bytes]]


def unzip(data: bytes) -> Entries:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def rezip(entries: Entries) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in entries:
            z.writestr(name, content)
    out.seek(0)
    return out


def resign(entries: Entries, key: AgencyKey) -> Entries:
    """Recompute every manifest hash and sign the manifest with `key` (and name it as the agency key)."""
    files = dict(entries)
    manifest = json.loads(files["manifest.json"])
    manifest["agency_key"] = {"key_id": key.key_id, "public_key": key.public_b64}
    listed = [n for n, _ in entries if n not in ("manifest.json", "manifest.sig")]
    manifest["files"] = [{"path": n, "sha256": hashlib.sha256(files[n]).hexdigest(), "size": len(files[n])}
                         for n in listed]
    body = rfc8785.dumps(manifest)
    return [("manifest.json", body), ("manifest.sig", (key.sign(MANIFEST_CONTEXT + body) + "\n").encode())] + \
        [(n, files[n]) for n in listed]


def replace(entries: Entries, name: str, content: bytes) -> Entries:
    return [(n, content if n == name else c) for n, c in entries]


def outsider() -> AgencyKey:
    private = Ed25519PrivateKey.generate()
    return AgencyKey(private, public_key_bytes(private.public_key()))


def tamper(entries: Entries, rng: random.Random, agency: AgencyKey) -> tuple[str, Entries]:
    """One random tampering: (kind, entries)."""
    kind = rng.choice(["alter", "truncate", "missing", "extra", "rename", "reorder", "swap_contents",
                       "sealer_key", "agency_key", "forged_checkpoint", "insider_proof", "insider_record",
                       "insider_item"])
    names = [n for n, _ in entries]
    i = rng.randrange(len(entries))
    name, content = entries[i]
    if kind == "alter":
        pos = rng.randrange(len(content))
        changed = content[:pos] + bytes([content[pos] ^ rng.randrange(1, 256)]) + content[pos + 1:]
        return kind, replace(entries, name, changed)
    if kind == "truncate":
        return kind, replace(entries, name, content[: rng.randrange(len(content))] if content else b"x")
    if kind == "missing":
        return kind, entries[:i] + entries[i + 1:]
    if kind == "extra":
        extra = (rng.choice(["evidence/", "records/", "keys/", "pdf/", ""]) + f"extra-{rng.randrange(10**6)}.bin",
                 rng.randbytes(rng.randrange(0, 64)))
        return kind, entries[:i] + [extra] + entries[i:]
    if kind == "rename":
        return kind, [(f"{n}.renamed" if k == i else n, c) for k, (n, c) in enumerate(entries)]
    if kind in ("reorder", "swap_contents"):
        j = rng.choice([k for k in range(len(entries)) if k != i and entries[k][1] != content])
        swapped = list(entries)
        if kind == "reorder":
            swapped[i], swapped[j] = swapped[j], swapped[i]
        else:
            swapped[i], swapped[j] = (names[i], entries[j][1]), (names[j], content)
        return kind, swapped
    if kind == "sealer_key":
        key_name = rng.choice([n for n in names if n.startswith("keys/")])
        enrolment = json.loads(dict(entries)[key_name])
        raw = public_key_bytes(Ed25519PrivateKey.generate().public_key())
        enrolment["public_key"] = base64.b64encode(raw).decode()
        if rng.random() < 0.5:
            enrolment["key_id"] = key_id(raw)
        return kind, replace(entries, key_name, json.dumps(enrolment).encode())
    if kind == "agency_key":  # an outsider rewrites a record and re-signs everything with their own key
        record = rng.choice([n for n in names if n.endswith("record.json")])
        return kind, resign(replace(entries, record, dict(entries)[record].replace(b"\xe7\x8e\x8b", b"\xe6\x9d\x8e")),
                            outsider())
    if kind == "forged_checkpoint":
        target = rng.choice(["log/checkpoint.txt", "log/previous_checkpoint.txt"])
        origin, size, _root = dict(entries)[target].decode().split("\n\n")[0].split("\n")
        if rng.random() < 0.5:
            size = str(int(size) + 1)
        text = note.checkpoint_text(origin, int(size), rng.choice([bytes(32), rng.randbytes(32)]))
        signer = rng.choice([outsider(), agency]) if rng.random() < 0.5 else outsider()
        line = note.signature_line(origin, signer.public_raw, text, signer.sign_raw)
        forged = replace(entries, target, note.signed_note(text, [line]).encode())
        return kind, resign(forged, signer) if rng.random() < 0.5 else forged
    if kind == "insider_item":  # the agency key re-signs a manifest without one item of the case (v2)
        manifest = json.loads(dict(entries)["manifest.json"])
        item = rng.choice(manifest["items"])
        manifest["items"].remove(item)
        kept = [(n, c) for n, c in entries if n not in item["files"]]
        return kind, resign(replace(kept, "manifest.json", json.dumps(manifest).encode()), agency)
    proofs = json.loads(dict(entries)["log/proofs.json"])
    if kind == "insider_proof":  # the agency key is used to re-sign the manifest, but the log cannot lie
        rid = rng.choice(sorted(proofs["records"]))
        path = proofs["records"][rid]["inclusion"]
        if path and rng.random() < 0.7:
            k = rng.randrange(len(path))
            path[k] = ("0" if path[k][0] != "0" else "1") + path[k][1:]
        else:
            proofs["records"][rid]["position"] += 1
        return kind, resign(replace(entries, "log/proofs.json", json.dumps(proofs).encode()), agency)
    record = rng.choice([n for n in names if n.endswith("record.json")])  # insider_record
    return kind, resign(replace(entries, record, dict(entries)[record].replace(b"\xe7\x8e\x8b", b"\xe6\x9d\x8e")),
                        agency)


EXPECTED = {"alter": None, "truncate": None, "missing": None, "extra": Failure.FILES, "rename": Failure.FILES,  # manifest.json renamed: FILES | UNREADABLE
            "reorder": Failure.FILES, "swap_contents": None, "sealer_key": Failure.SEALS,
            "agency_key": Failure.MANIFEST, "forged_checkpoint": None, "insider_proof": Failure.LOG,
            "insider_record": Failure.SEALS, "insider_item": Failure.FILES}


def test_every_random_tampering_is_detected_and_untouched_dossiers_are_accepted(team, app):
    submit_both_versions(team)
    pinned = agency_key_id(team)
    agency = load_or_create(app.state.services.settings.data_dir)
    dossiers = [export(team, DEMO_CASE_ID) for _ in range(3)]
    for data in dossiers:
        assert verify(rezip(unzip(data)), trusted_key_id=pinned).ok  # untouched, even re-zipped
    rng = random.Random(20261123)
    missed, kinds = [], dict.fromkeys(EXPECTED, 0)
    for trial in range(TRIALS):
        kind, entries = tamper(unzip(rng.choice(dossiers)), rng, agency)
        kinds[kind] += 1
        report = verify(rezip(entries), trusted_key_id=pinned)
        expected = EXPECTED[kind]
        if report.ok or (expected is not None and not report.exit_code & expected):
            missed.append((trial, kind, [str(f) for f in report.findings]))
    assert not missed, missed[:5]
    assert min(kinds.values()) >= 50, kinds
    assert any(n.startswith(("case/", "intake/", "conformity/")) for n, _ in unzip(dossiers[0]))
