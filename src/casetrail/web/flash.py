"""One-time notices shown on the page a form redirects to ("Note added.").

The notice travels in a short-lived cookie set on the redirect and cleared by the next page
that shows it. Notices contain counts and fixed wording, never case content, because cookies can
end up in proxy logs.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import Request, Response

FLASH_COOKIE = "casetrail_flash"
_MAX_LENGTH = 300


def set_flash(response: Response, message: str) -> None:
    response.set_cookie(
        FLASH_COOKIE, quote(message[:_MAX_LENGTH]), max_age=60, httponly=True, samesite="lax", path="/"
    )


def pop_flash(request: Request) -> str:
    """Return the pending notice, or an empty string. ``clear_flash`` removes it afterwards."""
    return unquote(request.cookies.get(FLASH_COOKIE, ""))[:_MAX_LENGTH]


def clear_flash(response: Response) -> None:
    response.delete_cookie(FLASH_COOKIE, path="/")
