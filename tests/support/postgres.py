"""A throwaway PostgreSQL server on a free loopback port, for one test run.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` system user
(created by Debian's postgresql package). Binaries are looked up on PATH, then in
/usr/lib/postgresql/<version>/bin.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    pg_ctl: str
    run_as: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, self.pg_ctl, "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_postgres() -> PostgresServer:
    initdb = _find_binary("initdb")
    pg_ctl = _find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise PostgresUnavailable(
            "initdb and pg_ctl not found on PATH or in /usr/lib/postgresql/*/bin: "
            "install PostgreSQL (apt-get install postgresql)"
        )
    run_as: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="casetrail-pg-"))
    data_dir = root / "data"
    if os.geteuid() == 0:
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, user="postgres")
        os.chmod(root, 0o700)
    port = _free_port()
    init = subprocess.run(
        [
            *run_as,
            initdb,
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=200"
    start = subprocess.run(
        [*run_as, pg_ctl, "-D", str(data_dir), "-o", options, "-l", str(root / "server.log"), "-w", "start"],
        capture_output=True,
        text=True,
        check=False,
    )
    if start.returncode != 0:
        log_text = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        raise PostgresUnavailable(f"pg_ctl start failed: {start.stderr.strip()} {log_text[-500:]}")
    return PostgresServer(data_dir=data_dir, port=port, pg_ctl=pg_ctl, run_as=run_as)
