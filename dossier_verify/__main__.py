"""python -m dossier_verify FILE.zip [--agency-key B64|FILE] [--agency-key-id HEX] [--checkpoint FILE ...]

Exit codes: 0 ok; 2 unreadable or refused (zip bomb, nested archive, path tricks: one line); otherwise the sum
of 4 files, 8 manifest/agency key, 16 seals, 32 log, 64 a kept checkpoint (--checkpoint) inconsistent with
the dossier's log.
"""
from __future__ import annotations

import argparse
import base64
import sys
from collections.abc import Sequence
from pathlib import Path

from dossier_verify.dossier import verify
from dossier_verify.findings import Failure


def build_parser(prog: str = "python -m dossier_verify") -> argparse.ArgumentParser:
    """Arguments of the verifier."""
    parser = argparse.ArgumentParser(prog=prog, description="离线核验案件档案包 / verify a case dossier offline. "
                                     "Exit: 0 ok, 2 unreadable, else sum of 4 files, 8 manifest, 16 seals, 32 log, "
                                     "64 inconsistent with a kept checkpoint")
    parser.add_argument("dossier", type=Path, help="档案包 zip / the dossier zip")
    parser.add_argument("--agency-key", help="受信任的机构公钥（base64 或 agency_key.pub 文件）/ trusted agency key")
    parser.add_argument("--agency-key-id", help="受信任的机构密钥编号 / trusted agency key id (16 hex)")
    parser.add_argument("--checkpoint", action="append", default=[], type=Path, metavar="FILE",
                        help="此前保存的检查点（其他档案包或平板中的）；可重复 / a checkpoint kept from an earlier "
                             "dossier or a tablet (repeatable): the dossier's log must be consistent with it")
    return parser


def _trusted(value: str | None) -> bytes | None:
    if value is None:
        return None
    path = Path(value)
    text = path.read_text(encoding="ascii").split()[0] if path.is_file() else value
    return base64.b64decode(text, validate=True)


def run(argv: Sequence[str] | None = None, prog: str = "python -m dossier_verify") -> int:
    """Verify and print every finding; returns the exit code."""
    args = build_parser(prog).parse_args(argv)
    try:
        trusted = _trusted(args.agency_key)
    except (OSError, ValueError) as error:
        print(f"无法读取受信任公钥 / cannot read trusted key: {error}", file=sys.stderr)
        return int(Failure.UNREADABLE)
    try:
        kept = [(str(path), path.read_bytes()) for path in args.checkpoint]
    except OSError as error:
        print(f"无法读取检查点文件 / cannot read checkpoint file: {error}", file=sys.stderr)
        return int(Failure.UNREADABLE)
    try:
        report = verify(args.dossier, trusted, args.agency_key_id, kept)
    except (MemoryError, RecursionError, OSError) as error:  # hostile input must not end in a traceback
        print(f"档案包被拒绝 / dossier refused: {args.dossier}: {type(error).__name__}: {error}"[:400])
        return int(Failure.UNREADABLE)
    refused = [f for f in report.findings if f.failure == Failure.UNREADABLE]
    if refused:  # nothing else could be checked: one line says why
        print(f"档案包被拒绝 / dossier refused: {refused[0]}"[:400])
        return int(Failure.UNREADABLE)
    for note in report.notes:
        print(f"注意 / note: {note}")
    for finding in report.findings:
        print(finding)
    summary = (f"{report.files_checked} files, {report.records_checked} records, "
               f"{report.seals_checked} seals checked")
    if report.ok:
        print(f"核验通过 / dossier verified: {summary}")
    else:
        print(f"核验未通过 / dossier FAILED ({len(report.findings)} findings): {summary}")
    return report.exit_code


if __name__ == "__main__":
    sys.exit(run())
