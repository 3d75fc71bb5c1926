"""What the verifier found: one line per problem, grouped in classes that map to exit codes."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntFlag


class Failure(IntFlag):
    """Exit code bits: several classes of failure add up (e.g. 4 | 16 = 20)."""

    UNREADABLE = 2  # not a zip, no manifest, manifest not JSON: nothing else could be checked
    FILES = 4  # a file altered, missing, added, renamed, or out of the manifest's order
    MANIFEST = 8  # the manifest's signature fails, or the agency key is not the one trusted
    SEALS = 16  # a record's bytes are malformed, a seal fails, a sealer's key is missing or wrong
    LOG = 32  # a checkpoint's signature, an inclusion proof or the consistency proof does not hold
    INCONSISTENT = 64  # a checkpoint kept from elsewhere (--checkpoint) is not consistent with this log


@dataclass
class Finding:
    failure: Failure
    where: str
    what: str

    def __str__(self) -> str:
        return f"[{self.failure.name}] {self.where}: {self.what}"


@dataclass
class Report:
    """Everything found in one dossier; `ok` when there is nothing."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records_checked: int = 0
    seals_checked: int = 0
    files_checked: int = 0

    def add(self, failure: Failure, where: str, what: str) -> None:
        """Record one problem."""
        self.findings.append(Finding(failure, where, what))

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.findings

    @property
    def exit_code(self) -> int:
        """0 when ok, else the OR of the failure classes found."""
        code = 0
        for f in self.findings:
            code |= int(f.failure)
        return code

    def names(self, failure: Failure) -> list[str]:
        """The places named by findings of one class."""
        return [f.where for f in self.findings if f.failure == failure]
