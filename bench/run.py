"""``python -m bench``: signed SubmitDynamicImageJob against a bare FastAPI route on the same server.

One command: checks for (or installs) wrk, starts ``vod-emulator serve`` with the bench's extra bare route
on a loopback port with a temporary data directory and the default fixtures, then for each run drives

1. ``POST /_bench/bare`` (tiny JSON, no gateway) and
2. ``POST /?Action=SubmitDynamicImageJob…`` (V1-signed, one unique nonce per request, pre-signed just before),

each for a warm-up and then a measured period at the same concurrency, with wrk in its own process.
Prints requests/s, p50 and p99 for both and the ratio Submit/bare; saves everything as JSON under
``bench/results/`` (git-ignored).

End-to-end job latency (Submit → DynamicImageComplete received) is ``python -m bench.jobs``; Submit's
throughput while the worker renders is this command with ``--job-mode immediate``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.app import BARE_PATH
from bench.server import BenchServer
from bench.signing import DEFAULT_CALLER, signed_target, write_signed_requests
from bench.wrk import WrkMissing, WrkRun, ensure_wrk, run_wrk
from emulator.store.models import DynamicImageJob

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SUBMIT_ACTION = "SubmitDynamicImageJob"
TARGET_RATIO = 0.5
TARGET_SUBMIT_P99_MS = 25.0
# Pre-signed requests per second of the run, as a multiple of the bare route's rate (Submit is never faster).
SIGNED_HEADROOM = 1.5
MIN_SIGNED_REQUESTS = 2_000


@dataclass(frozen=True)
class Options:
    duration_s: int
    warmup_s: int
    connections: int
    threads: int
    runs: int
    workers: int
    log_level: str
    job_mode: str
    install_wrk: bool


@dataclass(frozen=True)
class Phase:
    """One measured period against one route, with the server's CPU use over it."""

    name: str
    wrk: WrkRun
    server_cpu_s: float

    @property
    def server_cpu_pct(self) -> float:
        return 100 * self.server_cpu_s / self.wrk.duration_s if self.wrk.duration_s else 0.0

    @property
    def server_cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / self.wrk.requests if self.wrk.requests else 0.0

    @property
    def generator_cpu_pct(self) -> float:
        return 100 * self.wrk.cpu_s / self.wrk.duration_s if self.wrk.duration_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.wrk.as_dict(),
            "server_cpu_pct": round(self.server_cpu_pct, 1),
            "server_cpu_ms_per_request": round(self.server_cpu_ms_per_request, 3),
            "generator_cpu_pct": round(self.generator_cpu_pct, 1),
        }


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=10, help="measured seconds per route (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per route before measuring (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1; see bench/README.md)")
    parser.add_argument("--runs", type=int, default=1, help="bare+Submit pairs, on the same server (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, as vod-emulator serve (default 1)")
    parser.add_argument("--log-level", default="info", help="server log level, as vod-emulator serve (default info)")
    parser.add_argument(
        "--job-mode",
        default="manual",
        choices=["manual", "immediate", "delay"],
        help="VOD_EMULATOR_JOB_MODE of the server (default manual: measure the request path, render no images)",
    )
    parser.add_argument("--no-install", action="store_true", help="fail instead of apt-get installing a missing wrk")
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= 1024 or not 1 <= args.duration <= 120 or not 0 <= args.warmup <= 60:
        parser.error("bounded runs only: 1-1024 connections, 1-120 s duration, 0-60 s warm-up")
    if not 1 <= args.runs <= 10:
        parser.error("--runs must be 1-10")
    return Options(
        duration_s=args.duration,
        warmup_s=args.warmup,
        connections=args.connections,
        threads=max(1, min(args.threads, args.connections)),
        runs=args.runs,
        workers=args.workers,
        log_level=args.log_level,
        job_mode=args.job_mode,
        install_wrk=not args.no_install,
    )


class Bench:
    def __init__(self, options: Options, wrk: str, server: BenchServer, work_dir: Path) -> None:
        self.options = options
        self.wrk = wrk
        self.server = server
        self.work_dir = work_dir

    def _drive(self, targets: Path, *, action: str, repeat: bool, duration_s: int) -> tuple[WrkRun, float]:
        cpu_before = self.server.cpu_s()
        run = run_wrk(
            self.wrk,
            self.server.url,
            targets,
            method="POST",
            action=action,
            threads=self.options.threads,
            connections=self.options.connections,
            duration_s=duration_s,
            repeat=repeat,
        )
        return run, self.server.cpu_s() - cpu_before

    def bare(self) -> Phase:
        targets = self.work_dir / "bare.targets"
        targets.write_text(f"{BARE_PATH}\n" * self.options.threads)
        if self.options.warmup_s:
            self._drive(targets, action="", repeat=True, duration_s=self.options.warmup_s)
        run, cpu = self._drive(targets, action="", repeat=True, duration_s=self.options.duration_s)
        return Phase("bare", run, cpu)

    def _signed(self, name: str, rate_bound: float, seconds: int) -> Path:
        count = max(MIN_SIGNED_REQUESTS, math.ceil(rate_bound * SIGNED_HEADROOM * seconds))
        return write_signed_requests(self.work_dir / f"{name}.targets", count)

    def submit(self, rate_bound: float) -> Phase:
        if self.options.warmup_s:
            warmup = self._signed("submit-warmup", rate_bound, self.options.warmup_s)
            self._drive(warmup, action=SUBMIT_ACTION, repeat=False, duration_s=self.options.warmup_s)
        targets = self._signed("submit", rate_bound, self.options.duration_s)  # stamped just before the run
        run, cpu = self._drive(targets, action=SUBMIT_ACTION, repeat=False, duration_s=self.options.duration_s)
        return Phase("submit", run, cpu)


def check_routes(server: BenchServer) -> str:
    """One signed Submit and one bare call by plain HTTP before loading: both must answer 200."""
    with urllib.request.urlopen(urllib.request.Request(f"{server.url}{BARE_PATH}", method="POST")) as reply:
        if reply.status != 200:
            raise RuntimeError(f"bare route answered {reply.status}")
    target = signed_target(DEFAULT_CALLER, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), os.urandom(16).hex())
    request = urllib.request.Request(f"{server.url}{target}", method="POST", data=b"")
    with urllib.request.urlopen(request) as reply:
        body = json.load(reply)
    return str(body["DynamicImageJob"]["JobId"])


def stored_jobs(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "data" / "vod-emulator.db") as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {DynamicImageJob.__tablename__}").fetchone()[0])


def verdict(bare: Phase, submit: Phase) -> dict[str, Any]:
    ratio = submit.wrk.requests_per_s / bare.wrk.requests_per_s if bare.wrk.requests_per_s else 0.0
    return {
        "ratio_submit_to_bare": round(ratio, 3),
        "ratio_target_met": ratio >= TARGET_RATIO,
        "submit_p99_target_met": submit.wrk.latency_ms["p99"] < TARGET_SUBMIT_P99_MS,
        "valid": not (bare.wrk.failed or submit.wrk.failed or submit.wrk.exhausted),
    }


def print_run(index: int, bare: Phase, submit: Phase, outcome: dict[str, Any]) -> None:
    measured = f"{submit.wrk.duration_s:.1f} s measured per route"
    print(f"\nrun {index}: {measured}, {bare.wrk.requests} + {submit.wrk.requests} requests")
    columns = f"{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'errors':>8}"
    print(f"  {'route':<24}{columns}{'server CPU':>12}{'CPU/req':>9}{'wrk CPU':>9}")
    for phase, label in ((bare, f"POST {BARE_PATH}"), (submit, SUBMIT_ACTION)):
        w = phase.wrk
        print(
            f"  {label:<24}{w.requests_per_s:>10.0f}{w.latency_ms['p50']:>10.2f}{w.latency_ms['p99']:>10.2f}"
            f"{w.latency_ms['max']:>10.1f}{w.failed + w.exhausted:>8}{phase.server_cpu_pct:>11.0f}%"
            f"{phase.server_cpu_ms_per_request:>7.2f}ms{phase.generator_cpu_pct:>8.0f}%"
        )
    ratio_mark = "met" if outcome["ratio_target_met"] else "MISSED"
    p99_mark = "met" if outcome["submit_p99_target_met"] else "MISSED"
    print(
        f"  ratio Submit/bare = {outcome['ratio_submit_to_bare']:.2f} (target >= {TARGET_RATIO}: {ratio_mark}); "
        f"Submit p99 = {submit.wrk.latency_ms['p99']:.2f} ms (target < {TARGET_SUBMIT_P99_MS:.0f} ms: {p99_mark})"
    )
    if not outcome["valid"]:
        errors = f"bare={bare.wrk.errors} submit={submit.wrk.errors} exhausted={submit.wrk.exhausted}"
        print(f"  INVALID RUN: errors {errors}")


def environment() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    try:
        wrk = ensure_wrk(options.install_wrk)
    except WrkMissing as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    started_at = datetime.now(UTC)
    env = environment()
    print(
        f"bench: wrk ({wrk}), {options.connections} connections, {options.threads} wrk thread(s), "
        f"{options.warmup_s} s warm-up + {options.duration_s} s per route, {options.runs} run(s), "
        f"job mode {options.job_mode}; "
        f"{env['affinity_cpus']} CPUs, load average {env['load_average_at_start']}"
    )
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vod-bench-") as tmp:
        work_dir = Path(tmp)
        server = BenchServer(work_dir, options.log_level, options.workers, options.job_mode).start()
        try:
            pid = server.process.pid if server.process else "?"
            print(f"bench: server {server.url} (pid {pid}); signed Submit check: JobId {check_routes(server)}")
            bench = Bench(options, wrk, server, work_dir)
            for index in range(1, options.runs + 1):
                bare = bench.bare()
                submit = bench.submit(bare.wrk.requests_per_s)
                outcome = verdict(bare, submit)
                print_run(index, bare, submit, outcome)
                runs.append({"bare": bare.as_dict(), "submit": submit.as_dict(), **outcome})
            jobs = stored_jobs(work_dir)
        finally:
            server.stop()
    report = {
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "generator": "wrk + bench/replay.lua",
        "options": options.__dict__,
        "environment": env,
        "targets": {"ratio_submit_to_bare": TARGET_RATIO, "submit_p99_ms": TARGET_SUBMIT_P99_MS},
        "stored_jobs": jobs,
        "runs": runs,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"bench-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    print(f"\nbench: {jobs} jobs stored; results saved to {shown}")
    return 0 if all(run["valid"] for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
