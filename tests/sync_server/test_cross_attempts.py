"""How one attempt at a cross-province package reads in the console (R36, office/cross_attempts.py): taken,
refused (not sent again), a server that is failing or asks us to wait (sent again), or one that could not be
reached, by the error httpx raised; and who sent it."""
from __future__ import annotations

import pytest

from sync_server.office.cross_attempts import outcome, sender


@pytest.mark.parametrize(("status", "error", "said"), [
    (200, "", "对方已接收（HTTP 200）"),
    (204, "", "对方已接收（HTTP 204）"),
    (422, "HTTP 422 exchange.package_invalid：数据包签名验证失败", "被拒收（HTTP 422），不再自动重发"),
    (404, "HTTP 404 not_found：没有这个跨省核查请求", "被拒收（HTTP 404），不再自动重发"),
    (503, "HTTP 503 ", "对方服务器暂时不能接收（HTTP 503），将自动重发"),
    (429, "HTTP 429 ", "对方服务器暂时不能接收（HTTP 429），将自动重发"),
    (0, "无法连接：ConnectError [Errno 111] Connection refused", "无法连接对方服务器（未开启或网络不通）"),
    (0, "无法连接：ReadTimeout timed out", "对方服务器未在时限内答复"),
    (0, "无法连接：ProxyError something", "无法连接对方服务器"),
    (0, "对方服务器未登记", "对方服务器未登记"),
])
def test_each_answer_reads_in_chinese(status: int, error: str, said: str):
    assert outcome(status, error) == said


def test_who_sent_it():
    assert [sender(b) for b in ("worker", "console:admin", "zhoumin")] == ["后台自动发送", "控制台 admin", "接口 zhoumin"]
