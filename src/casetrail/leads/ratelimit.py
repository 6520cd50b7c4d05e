"""Rate limits of the public tip pages, counted in the database so that every server process shares them.

Time is cut into fixed windows of ``CASETRAIL_LEADS__RATE_LIMIT_WINDOW_SECONDS``. A request
adds one to the row keyed by HMAC-SHA256(client key, scope | client address | window start);
the address itself is never stored, and rows of past windows are deleted on the next hit. The
count is incremented with one ``INSERT ... ON CONFLICT DO UPDATE`` statement, so concurrent
requests from several processes never lose a count.

Callers commit the hit before they act on the request, so that a request that fails later
(a wrong receipt code, an invalid form) still counts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from casetrail.blobs.keys import decode_key, keys_dir, write_secret_file
from casetrail.core.clock import utcnow
from casetrail.core.errors import CasetrailError, RateLimited
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.leads.models import RateLimitWindow

log = get_logger(__name__)

CLIENT_KEY_FILE = "tip_client.key"
TIP_SCOPE = "tip_submit"
RECEIPT_SCOPE = "tip_receipt"


def load_client_key(settings: Settings) -> bytes:
    """Return the HMAC key for client addresses, creating DATA_DIR/keys/tip_client.key on first use."""
    configured = settings.leads.client_key
    if configured is not None:
        return decode_key(configured.get_secret_value(), "CASETRAIL_LEADS__CLIENT_KEY")
    path = keys_dir(settings) / CLIENT_KEY_FILE
    if not path.exists() and write_secret_file(path, base64.b64encode(secrets.token_bytes(32))):
        log.info("tip_client_key_created")
    try:
        return decode_key(path.read_text(), str(path))
    except OSError as error:
        raise CasetrailError(f"tip client key {path} is unreadable: {error}") from None


def window_start(now: datetime, window_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % window_seconds, UTC)


def _key_hash(key: bytes, scope: str, client_addr: str, start: datetime) -> str:
    message = f"{scope}|{client_addr}|{start.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def hit(session: Session, settings: Settings, *, scope: str, client_addr: str | None, limit: int) -> int:
    """Count one request of ``client_addr`` in ``scope``; raise ``RateLimited`` beyond ``limit``.

    Returns the count in the current window. A request without a client address (a test
    client, a misconfigured proxy) is counted under the empty address.
    """
    window = settings.leads.rate_limit_window_seconds
    now = utcnow()
    start = window_start(now, window)
    key_hash = _key_hash(load_client_key(settings), scope, client_addr or "", start)
    session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < start))
    count = _increment(session, key_hash, scope, start)
    if count > limit:
        retry_after = int((start + timedelta(seconds=window) - now).total_seconds()) + 1
        log.info("rate_limit_reached", scope=scope, count=count, limit=limit)
        raise RateLimited(
            f"too many requests from this address: at most {limit} per {window // 60 or 1} minutes; "
            f"try again in {max(retry_after // 60, 1)} minutes",
            retry_after=retry_after,
        )
    return count


def _increment(session: Session, key_hash: str, scope: str, start: datetime) -> int:
    values = {"key_hash": key_hash, "scope": scope, "window_start": start, "count": 1}
    if session.get_bind().dialect.name == "postgresql":
        pg_insert = postgresql.insert(RateLimitWindow).values(**values)
        pg_upsert = pg_insert.on_conflict_do_update(
            index_elements=["key_hash"], set_={"count": RateLimitWindow.count + 1}
        )
        session.execute(pg_upsert)
    else:
        lite_insert = sqlite.insert(RateLimitWindow).values(**values)
        lite_upsert = lite_insert.on_conflict_do_update(
            index_elements=["key_hash"], set_={"count": RateLimitWindow.count + 1}
        )
        session.execute(lite_upsert)
    count: int = session.execute(
        select(RateLimitWindow.count).where(RateLimitWindow.key_hash == key_hash)
    ).scalar_one()
    return count
