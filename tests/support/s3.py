"""An S3-compatible server for tests: moto's standalone server, started on a free loopback port.

moto emulates the S3 API in memory. It is not a real object store: tests against it show
that the S3 backend speaks the protocol, not how a production service behaves under load.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_START_TIMEOUT_SECONDS = 30.0


class S3Unavailable(RuntimeError):
    pass


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_s3_server() -> S3Server:
    executable = Path(sys.executable).parent / "moto_server"
    if not executable.exists():
        raise S3Unavailable(f"{executable} not found: install the dev dependencies (moto[server])")
    port = _free_port()
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise S3Unavailable(f"moto_server exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return S3Server(endpoint_url=f"http://127.0.0.1:{port}", process=process)
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise S3Unavailable(f"moto_server did not listen on 127.0.0.1:{port} within {_START_TIMEOUT_SECONDS} s")
