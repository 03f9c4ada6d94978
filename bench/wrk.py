"""The load generator: ``wrk`` (C, epoll) driven by :file:`replay.lua`, run in its own process.

wrk is a Debian package, not a Python one; :func:`ensure_wrk` finds it or, when allowed and possible
(root with apt-get), installs it, and says so.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPLAY_SCRIPT = Path(__file__).with_name("replay.lua")
RESULT_PREFIX = "WRK_JSON "


class WrkMissing(RuntimeError):
    pass


def ensure_wrk(install: bool) -> str:
    """The path of ``wrk``; installs Debian's package when missing and ``install`` is set."""
    found = shutil.which("wrk")
    if found:
        return found
    hint = "install it with: apt-get update && apt-get install -y wrk  (or brew install wrk)"
    if not install:
        raise WrkMissing(f"wrk not found; {hint}")
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise WrkMissing(f"wrk not found and cannot be installed automatically (needs root and apt-get); {hint}")
    print("bench: wrk not found; installing Debian's wrk package (apt-get update && apt-get install -y wrk)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    noninteractive = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=noninteractive)
    found = shutil.which("wrk")
    if not found:
        raise WrkMissing(f"wrk still not found after apt-get; {hint}")
    return found


@dataclass(frozen=True)
class WrkRun:
    """One wrk run's figures (latencies in milliseconds) and the CPU the generator itself used."""

    requests: int
    duration_s: float
    errors: dict[str, int]
    latency_ms: dict[str, float]
    exhausted: int
    cpu_s: float

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "requests_per_s": round(self.requests_per_s, 1),
            "latency_ms": self.latency_ms,
            "errors": self.errors,
            "exhausted": self.exhausted,
            "generator_cpu_s": round(self.cpu_s, 3),
        }


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    wrk: str,
    url: str,
    targets: Path,
    *,
    method: str,
    action: str,
    threads: int,
    connections: int,
    duration_s: int,
    repeat: bool,
) -> WrkRun:
    """Drive ``url`` with the targets in ``targets`` for ``duration_s`` seconds at ``connections``."""
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration_s}s",
        "--timeout=10s",
        f"--script={REPLAY_SCRIPT}",
        url,
        "--",
        str(targets),
        str(threads),
        method,
        action,
        "repeat" if repeat else "once",
    ]
    cpu_before = _children_cpu_s()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu_s = _children_cpu_s() - cpu_before
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stdout}\n{completed.stderr}")
    raw = json.loads(lines[-1][len(RESULT_PREFIX) :])
    return WrkRun(
        requests=raw["requests"],
        duration_s=raw["duration_us"] / 1e6,
        errors=raw["errors"],
        latency_ms={name: round(value / 1000, 3) for name, value in raw["latency_us"].items()},
        exhausted=raw["exhausted"],
        cpu_s=cpu_s,
    )
