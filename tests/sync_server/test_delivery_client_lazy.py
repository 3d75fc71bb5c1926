"""The delivery workers make their HTTP client at the first delivery, not at their first pass (issue 19: a
server with nothing to deliver never loads httpx's CA bundle); the end-to-end deliveries through the worker
are in test_exchange_process.py and test_cross_outbox_process.py."""
from __future__ import annotations

from typing import cast

import httpx
from fastapi import FastAPI

from sync_server.documents import result_delivery
from sync_server.documents.result_delivery import ClientOnFirstUse
from sync_server.office import cross_outbox


def test_a_pass_with_nothing_due_makes_no_client_and_the_first_use_makes_one(app: FastAPI) -> None:
    services = app.state.services
    lazy = ClientOnFirstUse()
    assert result_delivery.deliver_due(services, cast(httpx.Client, lazy)) == 0
    assert cross_outbox.deliver_due(services, cast(httpx.Client, lazy)) == 0
    assert lazy.made is None  # nothing was due: nothing made

    assert lazy.follow_redirects is False  # the first use makes the deliveries' client
    assert isinstance(lazy.made, httpx.Client)
    lazy.close()
    assert lazy.made.is_closed
