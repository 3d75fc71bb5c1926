"""Renewing staff pledges and training when a test's clock moves a year on (R5, R34, R41): the post-bound
actions of the office are refused to someone whose pledge or training has lapsed, as a password that old
must be renewed (R33)."""
from __future__ import annotations

from datetime import timedelta

from schemas.beijing import beijing_date
from schemas.staffing import CredentialKind
from sync_server.office import staff
from sync_server.tables import Account
from tests.sync_server.office_helpers import stored_scan
from tests.sync_server.testclient import TestClient


def renew_credentials(client: TestClient, *usernames: str) -> None:
    """A pledge and a training from the test clock's today, for a year, recorded by the administrator."""
    app = client.app
    services = app.state.services  # type: ignore[attr-defined]
    now = services.clock()
    today = beijing_date(now)
    with services.session() as session:
        admin = session.get(Account, "admin")
        for username in usernames:
            for kind in CredentialKind:
                staff.record_credential(session, admin, username, kind, today, today + timedelta(days=365),
                                        stored_scan(app, f"{kind.value}:{username}:{today}"), now)  # type: ignore[arg-type]
        session.commit()
