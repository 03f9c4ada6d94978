"""The server under test: ``python -m bench.serve`` (``vod-emulator serve`` + the bare route) in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's worker processes when workers > 1)."""
    found = [pid]
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.extend(_process_tree(int(child)))
    return found


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


class BenchServer:
    def __init__(self, data_dir: Path, log_level: str, workers: int, job_mode: str) -> None:
        self.data_dir = data_dir
        self.job_mode = job_mode
        self.log_level = log_level
        self.workers = workers
        self.port = free_loopback_port()
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30) -> BenchServer:
        env = {
            **os.environ,
            "VOD_EMULATOR_DATA_DIR": str(self.data_dir / "data"),
            "VOD_EMULATOR_JOB_MODE": self.job_mode,
        }
        env.pop("VOD_EMULATOR_FIXTURES", None)  # the default fixtures
        command = [
            sys.executable, "-m", "bench.serve",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--workers", str(self.workers),
            "--log-level", self.log_level,
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bench server exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_emulator/health", timeout=1) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"bench server not ready after {timeout_s}s:\n{self.log_tail()}")

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server and its worker processes."""
        if self.process is None:
            return 0.0
        return sum(_cpu_s(pid) for pid in _process_tree(self.process.pid))

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
