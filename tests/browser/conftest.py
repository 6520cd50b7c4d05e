"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and a real server.

The server is uvicorn in a child process on a free port of 127.0.0.1, serving the test's own
database. Chromium comes from the system package (``apt-get install chromium``), never from
``playwright install``. Without it the tests are skipped on a developer machine and fail when
CI=true, so that CI cannot pass without running them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright

from tests.factories import PASSWORD

BROWSER_TIMEOUT_MS = 30_000

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    pid: int
    log_path: Path


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's package with `apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_health(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the server exited with {process.returncode}:\n{log_path.read_text()}", pytrace=False
            )
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer /healthz in {SERVER_START_SECONDS} s:\n{log_path.read_text()}")


def start_server(database_url: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], LiveServer]:
    """Start uvicorn on a free port and wait until /healthz returns 200."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    env = {
        **os.environ,
        "CASETRAIL_DATABASE_URL": database_url,
        "CASETRAIL_DATA_DIR": str(tmp_path / "var"),
        "CASETRAIL_LOG_FORMAT": "json",
    }
    command = [
        sys.executable, "-m", "uvicorn", "casetrail.asgi:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        # The working directory is the test's own, so that no developer .env file is read.
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(base_url=base_url, pid=process.pid, log_path=log_path)
    try:
        _wait_for_health(base_url, process, log_path)
    except BaseException:
        stop_server(process)
        raise
    return process, server


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server started by ``start_server``, by its PID only."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright, chromium_path: Path, tmp_path: Path) -> Iterator[BrowserContext]:
    """Open Chromium with a fresh profile and a desktop-sized window."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=str(chromium_path),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )
    # Generous waits, because the suite shares two cores with its own PostgreSQL and server
    # processes. A page that never shows what a test expects still fails, only later.
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    yield context
    context.close()


def log_in(page: Page, server: LiveServer, username: str) -> None:
    """Open the case list, get sent to the login form, and log in as ``username``."""
    page.goto(f"{server.base_url}/cases")
    expect(page).to_have_url(f"{server.base_url}/login?next=/cases")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server.base_url}/cases")


def horizontal_overflow(page: Page) -> int:
    """Return how many CSS pixels the page is wider than the viewport (0 when it fits)."""
    overflow: int = page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
    return overflow
