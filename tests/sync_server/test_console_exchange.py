"""Issue 20's console page (数据交换, administrators): register a unit's system (its key shown once, only its
prefix listed afterwards), rotate the key (the old one refused at once), see each result message with every
delivery attempt, and re-send one; the cross-province checks of this level with their deadlines (R36)."""
from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync_server.ops.seed import DEMO_TEAM_ID
from tests.field_app.helpers import closed_port
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.exchange_helpers import (
    UNIT_NAME,
    Receiver,
    X,
    issue_report,
    through_release,
    unit_headers,
)
from tests.sync_server.helpers import problem_of

PAGE = "/console/exchange"


def test_register_rotate_and_resend_from_the_console(client: TestClient, app: FastAPI):
    receiver = Receiver(closed_port())
    assert console_login(client, "admin").status_code == 303
    made = console_post(client, f"{PAGE}/register", {"id": "longxi", "name": UNIT_NAME, "team_id": DEMO_TEAM_ID,
                                                     "webhook_url": receiver.url}, page=PAGE)
    assert made.status_code == 200 and "只显示这一次" in made.text
    key = re.search(r"hcx_[A-Za-z0-9_\-]+", made.text)
    assert key is not None
    listed = client.get(PAGE).text
    assert key.group(0) not in listed and key.group(0)[:10] in listed  # the prefix only, afterwards
    case_id = through_release(client, key.group(0), "LX-31")
    issue_report(client, case_id)
    assert console_login(client, "admin").status_code == 303
    assert "未送达（已尝试 0 次）" in client.get(PAGE).text
    message_id = re.search(r'name="message_id" value="([^"]+)"', client.get(PAGE).text)
    assert message_id is not None
    down = console_post(client, f"{PAGE}/resend", {"message_id": message_id.group(1)}, page=PAGE)
    assert "重新发送失败" in down.text and "console:admin" in down.text  # the attempt is logged, by whom
    receiver.start()
    try:
        up = console_post(client, f"{PAGE}/resend", {"message_id": message_id.group(1)}, page=PAGE)
        assert "已重新发送：HTTP 204" in up.text and "✓" in up.text
        assert len(receiver.wait_for(1)) == 1
    finally:
        receiver.stop()
    rotated = console_post(client, f"{PAGE}/rotate", {"unit_id": "longxi"}, page=PAGE)
    new_key = re.search(r"hcx_[A-Za-z0-9_\-]+", rotated.text)
    assert new_key is not None and new_key.group(0) != key.group(0)
    old = client.get(f"{X}/LX-31", headers=unit_headers(key.group(0)))
    assert old.status_code == 401 and problem_of(old)["code"] == "exchange.key_invalid"
    assert client.get(f"{X}/LX-31", headers=unit_headers(new_key.group(0))).status_code == 200


def test_only_administrators_see_the_exchange_page(client: TestClient):
    assert console_login(client, "wangfang").status_code == 303
    assert client.get(PAGE).status_code == 403
    assert "数据交换" not in client.get("/console/cases").text
