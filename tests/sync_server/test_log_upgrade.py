"""A log of the previous release, whose checkpoints were signed in the first (JSON) format: after the upgrade
the first witness gets a signed note, and the next dossier carries the old checkpoint as it was signed
(`log/previous_checkpoint.json`) beside the new one (`log/checkpoint.txt`); the verifier accepts both and
proves one extends the other."""
from __future__ import annotations

import base64
import io
import zipfile

from dossier_verify.dossier import verify
from schemas import checkpoint
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditCheckpoint
from sync_server.transparency import audit
from sync_server.transparency.agency_key import load_agency_key
from tests.sync_server.dossier_helpers import agency_key_id, export, submit_both_versions


def _old_checkpoint(app, clock) -> int:
    """Sign the log as the previous release did: JSON body under the first context."""
    services = app.state.services
    key = load_agency_key(services.settings)
    with services.session() as session:
        size = audit.tree_size(session)
        root = audit.log_proofs(session, size).root
        body = audit.checkpoint_body(size, root, clock(), key.key_id)
        session.add(AuditCheckpoint(tree_size=size, root_hash=root.hex(), at=clock(), key_id=key.key_id, body=body,
                                    signature=key.sign(audit.CHECKPOINT_CONTEXT + body.encode())))
        session.commit()
    return size


def test_after_the_upgrade_a_dossier_carries_both_formats_and_witnesses_get_a_note(team, app, clock):
    submit_both_versions(team)
    size = _old_checkpoint(app, clock)
    dossier = export(team, DEMO_CASE_ID)
    with zipfile.ZipFile(io.BytesIO(dossier)) as z:
        names = set(z.namelist())
    assert {"log/previous_checkpoint.json", "log/checkpoint.txt", "log/proofs.json"} <= names
    assert verify(io.BytesIO(dossier), trusted_key_id=agency_key_id(team)).ok
    with app.state.services.session() as session:
        newest = audit.newest_checkpoint(session)
        newest.body = audit.checkpoint_body(newest.tree_size, bytes.fromhex(newest.root_hash), clock(),
                                            newest.key_id)  # as if the export's had been signed before too
        session.add(newest)
        session.commit()
        grown_from = newest.tree_size
    answer = team.client.get("/api/v1/log/checkpoint", headers=team.headers["zhangwei"]).json()
    key = base64.b64decode(answer["public_key"])
    assert checkpoint.parse(answer["checkpoint"], key).size == answer["size"] == grown_from + 1 > size
