"""Driving the console's forms as a browser does: read the CSRF token from the page, send it back."""
from __future__ import annotations

import re

import httpx

from tests.sync_server.helpers import CREDENTIALS
from tests.sync_server.testclient import TestClient

_CSRF = re.compile(r'<input type="hidden" name="csrf" value="([0-9a-f]+)">')


def csrf_of(html: str) -> str:
    """The CSRF token a console page put in its forms."""
    found = _CSRF.search(html)
    assert found, "no csrf field on the page"
    return found.group(1)


def form_token(client: TestClient, page: str) -> str:
    """Open a console page and take the token of its forms."""
    response = client.get(page)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


def console_login(client: TestClient, username: str, password: str | None = None) -> httpx.Response:
    """Sign in through the login form, token included (no redirect followed)."""
    token = form_token(client, "/console/login")
    return client.post("/console/login", follow_redirects=False, data={
        "username": username, "password": password or CREDENTIALS[username].password, "csrf": token})


def console_post(client: TestClient, path: str, data: dict[str, str], page: str = "/console/cases",
                 **kwargs: object) -> httpx.Response:
    """A signed-in form post, with the token a page of the session carries."""
    return client.post(path, data={**data, "csrf": form_token(client, page)}, **kwargs)  # type: ignore[arg-type]
