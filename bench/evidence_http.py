# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: upload and download a large evidence file over HTTP while watching the server's memory.

The script prepares a fresh data directory with the ``casetrail`` command (init, an account with
an API token, a case), starts ``casetrail serve`` on a free 127.0.0.1 port, registers evidence
items through the API, and then:

1. uploads a generated file as a raw ``application/octet-stream`` body (PUT), streamed;
2. downloads it back, streamed, hashing it on the client and comparing the SHA-256;
3. with ``--multipart``, uploads another generated file of the same size as a multipart form
   (POST), also streamed from the client.

A sampler reads the resident set size (RSS) of the server process and its child processes every
50 ms (psutil when installed, else ``VmRSS`` in ``/proc/PID/status``) and reports the peak of each
phase. For comparison it writes the same number of bytes to a plain file and copies that file
with ``shutil.copyfile`` on the same disk. Throughput is in MB/s (10^6 bytes per second), from the
first byte sent to the last byte received.

    .venv/bin/python bench/evidence_http.py --size-mib 2048 --dir var/bench --multipart
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

MIB = 1024 * 1024
SAMPLE_SECONDS = 0.05
CASE_NUMBER = "2026-0001"
USERNAME = "bench"
PASSWORD = "bench-password-0123456789"
BOUNDARY = "casetrail-bench-boundary-7d1f0c"
# The server seals an upload after its last byte arrives and only then responds, which can take
# minutes for files of tens of gigabytes.
HTTP_TIMEOUT = httpx.Timeout(900.0, connect=10.0)


def generated_chunks(size: int, seed: bytes) -> Iterator[bytes]:
    """Yield ``size`` bytes in 1 MiB chunks of a block derived from ``seed``."""
    block = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(MIB // 32))
    remaining = size
    while remaining > 0:
        piece = block if remaining >= MIB else block[:remaining]
        remaining -= len(piece)
        yield piece


def generated_sha256(size: int, seed: bytes) -> str:
    digest = hashlib.sha256()
    for chunk in generated_chunks(size, seed):
        digest.update(chunk)
    return digest.hexdigest()


# -- memory of the server ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _proc_rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def _load_psutil() -> Any:
    try:
        return importlib.import_module("psutil")
    except ImportError:
        return None


# Optional: /proc serves when psutil is not installed.
PSUTIL = _load_psutil()


def tree_rss_bytes(pid: int) -> int:
    """Return the RSS of process ``pid`` and all its descendants, in bytes."""
    if PSUTIL is not None:
        try:
            process = PSUTIL.Process(pid)
            members = [process, *process.children(recursive=True)]
            return sum(int(member.memory_info().rss) for member in members)
        except PSUTIL.Error:
            return 0
    pending, total = [pid], 0
    while pending:
        current = pending.pop()
        total += _proc_rss_bytes(current)
        pending += _children(current)
    return total


class RssSampler:
    """Sampler of the RSS of a process tree, run in a background thread.

    ``peak`` is the highest RSS seen since the last ``reset``.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        with self._lock:
            self.peak = tree_rss_bytes(self.pid)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = tree_rss_bytes(self.pid)
            with self._lock:
                self.peak = max(self.peak, rss)
                self.samples += 1
            self._stop.wait(SAMPLE_SECONDS)


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def casetrail_command() -> list[str]:
    script = Path(sys.executable).with_name("casetrail")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from casetrail.cli.main import app; app()"]


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(  # noqa: S603 (our own command with fixed arguments)
        [*casetrail_command(), *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"casetrail {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare_data_dir(env: dict[str, str]) -> str:
    """Initialise the data directory, create the account and the case, and return an API token."""
    run_cli(env, "init")
    run_cli(
        env, "user", "add", USERNAME, "--role", "investigator", "--clearance", "secret",
        "--password-stdin", stdin=PASSWORD,
    )  # fmt: skip
    token = run_cli(env, "user", "token", USERNAME, "--name", "benchmark").strip()
    run_cli(
        env,
        "case",
        "create",
        "--number",
        CASE_NUMBER,
        "--title",
        "HTTP streaming benchmark",
        "--lead",
        USERNAME,
    )
    return token


def server_command(kind: str, port: int) -> list[str]:
    """Return the command that serves the app: ``casetrail serve``, or uvicorn with the app factory."""
    if kind == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", "casetrail.asgi:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
        ]  # fmt: skip
    return [*casetrail_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]


def start_server(
    env: dict[str, str], command: list[str], port: int, log_path: Path
) -> subprocess.Popen[bytes]:
    log_file = log_path.open("wb")
    server = subprocess.Popen(  # noqa: S603 (our own command with fixed arguments)
        command, env=env, stdout=log_file, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}; see {log_path}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"/healthz did not respond with 200 within 60 s; see {log_path}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- the phases ----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: float
    size: int
    peak_rss: int | None
    """Peak RSS of the server during the phase in bytes. None for phases without the server."""

    @property
    def mb_per_second(self) -> float:
        return self.size / self.seconds / 1e6


def register_item(client: httpx.Client, description: str) -> str:
    response = client.post(
        f"/api/v1/cases/{CASE_NUMBER}/evidence",
        json={"description": description, "category": "media", "obtained_at": "2026-03-14T06:30:00+00:00"},
    )
    response.raise_for_status()
    number: str = response.json()["number"]
    return number


def timed(sampler: RssSampler, name: str, size: int, action: Any) -> tuple[Phase, Any]:
    sampler.reset()
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    return Phase(name, seconds, size, sampler.peak), result


def upload_raw(client: httpx.Client, item: str, size: int, seed: bytes) -> dict[str, Any]:
    response = client.put(
        f"/api/v1/cases/{CASE_NUMBER}/evidence/{item}/files/image-raw.bin",
        content=generated_chunks(size, seed),
        headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def multipart_frame() -> tuple[bytes, bytes]:
    """Return the bytes before and after the file's content in a one-part multipart body."""
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="image-form.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head, tail


def upload_multipart(client: httpx.Client, item: str, size: int, seed: bytes) -> dict[str, Any]:
    head, tail = multipart_frame()

    def body() -> Iterator[bytes]:
        yield head
        yield from generated_chunks(size, seed)
        yield tail

    response = client.post(
        f"/api/v1/cases/{CASE_NUMBER}/evidence/{item}/files",
        content=body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(len(head) + size + len(tail)),
        },
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def download(client: httpx.Client, item: str, sha256: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    received = 0
    with client.stream("GET", f"/api/v1/cases/{CASE_NUMBER}/evidence/{item}/files/{sha256}") as response:
        response.raise_for_status()
        for chunk in response.iter_bytes(MIB):
            digest.update(chunk)
            received += len(chunk)
    return received, digest.hexdigest()


def plain_copy(root: Path, size: int) -> list[Phase]:
    source = root / "plain-source.bin"
    target = root / "plain-copy.bin"
    try:
        start = time.perf_counter()
        with source.open("wb") as handle:
            for chunk in generated_chunks(size, b"plain"):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        write = Phase("plain file: write generated bytes", time.perf_counter() - start, size, None)

        start = time.perf_counter()
        shutil.copyfile(source, target)
        with target.open("rb") as handle:
            os.fsync(handle.fileno())
        copy = Phase("plain file: shutil.copyfile", time.perf_counter() - start, size, None)
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
    return [write, copy]


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages: other work on the machine skews the figures."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"check failed: {message}")


def run_http(base_url: str, token: str, sampler: RssSampler, size: int, multipart: bool) -> list[Phase]:
    phases: list[Phase] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=HTTP_TIMEOUT) as client:
        raw_item = register_item(client, "Forensic image, raw upload")
        expected = generated_sha256(size, b"raw")
        phase, stored = timed(
            sampler, "HTTP PUT raw upload", size, lambda: upload_raw(client, raw_item, size, b"raw")
        )
        check(stored["sha256"] == expected and stored["size"] == size, "the server stored other bytes")
        phases.append(phase)

        phase, (received, digest) = timed(
            sampler, "HTTP GET download, client hashes", size, lambda: download(client, raw_item, expected)
        )
        check(received == size and digest == expected, "the download differs from the upload")
        phases.append(phase)

        if multipart:
            form_item = register_item(client, "Forensic image, multipart upload")
            expected = generated_sha256(size, b"form")
            phase, stored = timed(
                sampler,
                "HTTP POST multipart upload",
                size,
                lambda: upload_multipart(client, form_item, size, b"form"),
            )
            check(stored["sha256"] == expected and stored["size"] == size, "the server stored other bytes")
            phases.append(phase)
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=2048, help="File size in MiB (default 2048).")
    parser.add_argument(
        "--dir", type=Path, default=Path("var/bench"), help="Scratch folder on the disk to test."
    )
    parser.add_argument("--multipart", action="store_true", help="Also measure a multipart upload.")
    parser.add_argument(
        "--server",
        choices=("serve", "uvicorn"),
        default="serve",
        help="'serve' runs `casetrail serve`; 'uvicorn' runs uvicorn with the app factory, without the CLI.",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the data directory and the server log.")
    args = parser.parse_args()

    size = args.size_mib * MIB
    args.dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="evidence-http-", dir=args.dir)).resolve()
    env = {name: value for name, value in os.environ.items() if not name.startswith("CASETRAIL_")}
    env.update({"CASETRAIL_DATA_DIR": str(root / "data"), "CASETRAIL_LOG_LEVEL": "WARNING"})
    port = free_port()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, file {size:,} bytes, scratch {root}")

    try:
        token = prepare_data_dir(env)
        print(f"load average before: {load_average()}")
        server = start_server(env, server_command(args.server, port), port, root / "server.log")
        sampler = RssSampler(server.pid)
        sampler.start()
        try:
            idle = tree_rss_bytes(server.pid)
            phases = run_http(f"http://127.0.0.1:{port}", token, sampler, size, args.multipart)
        finally:
            sampler.stop()
            stop_server(server)
        phases += plain_copy(root, size)
        print(f"load average after: {load_average()}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    interval_ms = SAMPLE_SECONDS * 1000
    print(f"server RSS when idle: {idle / MIB:.1f} MiB; {sampler.samples} samples every {interval_ms:.0f} ms")
    print(f"{'phase':36} {'seconds':>8} {'MB/s':>8} {'server peak RSS MiB':>20}")
    for phase in phases:
        peak = f"{phase.peak_rss / MIB:.1f}" if phase.peak_rss is not None else "-"
        print(f"{phase.name:36} {phase.seconds:8.2f} {phase.mb_per_second:8.1f} {peak:>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
