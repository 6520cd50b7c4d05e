"""Helpers that read the web UI's HTML the way a browser would: hidden fields and form posts."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import PASSWORD

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')
_HIDDEN_FIELD = r'name="{name}" value="([^"]*)"'


def hidden_value(html: str, name: str) -> str:
    """Return the value of the first hidden field ``name`` on the page."""
    match = re.search(_HIDDEN_FIELD.format(name=re.escape(name)), html)
    assert match is not None, f"no field {name!r} on the page"
    return match.group(1)


def csrf_token(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match is not None, "no csrf_token field on the page"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/cases") -> Response:
    """Open the login form at ``/login?next=<next_url>``, fill it in and post it.

    ``next_url`` goes into the query string as given, so encode a query it contains.
    """
    form = client.get(f"/login?next={next_url}")
    assert form.status_code == 200, form.text
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(form.text),
            "next": hidden_value(form.text, "next"),
        },
        follow_redirects=False,
    )


def post_form(client: TestClient, page_url: str, action: str, data: dict[str, str]) -> Response:
    """Open ``page_url``, then post ``data`` to ``action`` with the CSRF token from that page."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(
        action,
        data={**data, "csrf_token": csrf_token(page.text)},
        headers={"referer": f"http://testserver{page_url}"},
        follow_redirects=False,
    )
