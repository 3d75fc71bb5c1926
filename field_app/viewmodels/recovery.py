"""After a kill mid-recording: keep what was recorded as a valid WAV, or discard it cleanly.

Run when the app opens, before evidence is pruned. A spool left by a killed app (see
field_app.capture.audio_spool) becomes one sealed WAV of its whole segments, listed in its draft
with a `recovered` line in the recording log and a flag for the reviewer; a spool whose draft is
gone (discarded or sealed), or that holds no audio, is deleted. Never half-sealed: the draft gets a
complete, verified WAV or nothing, and a seal verifies every file again.
"""
from __future__ import annotations

import logging
from pathlib import Path

from field_app.capture import audio_spool
from field_app.store import queries as q
from field_app.store.db import Store
from field_app.store.evidence import CorruptEvidence, EvidenceStore
from field_app.viewmodels.base import Clock, utcnow
from schemas.media import MediaEvent
from schemas.records import EvidenceKind, EvidenceRef, Origin, Role

logger = logging.getLogger(__name__)
RECOVERED = "recording_recovered"  # reviewer flag: the recording ended with the app, not with 结束


def recover_recordings(store: Store, evidence: EvidenceStore, pointer_dir: Path,
                       clock: Clock = utcnow) -> list[EvidenceRef]:
    """Seal the recordings a killed app left and attach them to their drafts; returns what was kept."""
    kept: list[EvidenceRef] = []
    for pointer, journal_sha, journal in audio_spool.spools(evidence, pointer_dir):
        if journal is None or journal.pcm_bytes < journal.fmt.frame_size:
            audio_spool.remove(evidence, pointer, journal_sha, journal)
            continue
        with store.reading() as session:
            draft = q.load_draft(session, journal.record_id)
        if draft is None:
            audio_spool.remove(evidence, pointer, journal_sha, journal)
            continue
        try:
            sha, size = audio_spool.seal_wav(evidence, journal)  # idempotent: a second kill here redoes it
        except (OSError, CorruptEvidence) as error:  # a segment lost or damaged: discard cleanly, never half
            logger.warning("recording %s could not be recovered: %s", journal.recording_id, error)
            audio_spool.remove(evidence, pointer, journal_sha, journal)
            continue
        now, what = clock(), journal.meta.get("what", "interview")
        label = "全程录音" if what == "whole_visit" else "访谈录音"
        ref = EvidenceRef(sha256=sha, size=size, media_type="audio/wav", kind=EvidenceKind.AUDIO,
                          role=Role.INTERVIEW, captured_at=now, added_at=now, captured_by=journal.meta.get("by", ""),
                          filename=f"{label}.wav", caption=f"{label}（应用中断，保存到中断前）", origin=Origin.CAMERA,
                          flags=[RECOVERED], duration_s=round(journal.fmt.duration_s(size - 44), 2))
        if not any(e.sha256 == sha for e in draft.evidence):
            log = MediaEvent(at=now, event="recovered", what=what, by=ref.captured_by, sha256=sha)
            updated = draft.model_copy(update={"evidence": [*draft.evidence, ref],
                                               "media_log": [*draft.media_log, log]})
            with store.transaction() as session:
                q.save_draft(session, updated, now)
        audio_spool.remove(evidence, pointer, journal_sha, journal)
        kept.append(ref)
    return kept
