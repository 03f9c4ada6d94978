"""``python -m bench.jobs``: end-to-end animated-image job latency, from Submit to the callback received.

Starts the emulator (immediate job mode, default fixtures) and a DynamicImageComplete receiver on
loopback, points alice's callback at it (SetMessageCallback), submits ``--jobs`` signed
SubmitDynamicImageJob calls from ``--concurrency`` threads, and reports p50/p99/max of the time from
sending each Submit to receiving its callback, and the jobs finished per second. The default template
renders a 320×180, 10 fps, 3 s GIF (30 frames). Submit's own throughput while the worker renders is
``python -m bench --job-mode immediate`` (compare with the default manual mode).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench.server import REPO_ROOT, BenchServer
from bench.signing import DEFAULT_CALLER, signed_action_target, signed_target


class CallbackReceiver:
    """A loopback HTTP server that notes when each job's DynamicImageComplete event arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.statuses: dict[str, str] = {}
        self.all_arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                with receiver.all_arrived:
                    receiver.arrived.setdefault(body["JobId"], time.perf_counter())
                    receiver.statuses[body["JobId"]] = body["Status"]
                    receiver.all_arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/vod-events"

    def wait_for(self, job_ids: set[str], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self.all_arrived:
            while not job_ids <= self.arrived.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.all_arrived.wait(left)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(jobs: int, concurrency: int, timeout_s: float, one_at_a_time: bool) -> dict[str, object]:
    receiver = CallbackReceiver()
    with tempfile.TemporaryDirectory(prefix="vod-bench-jobs-") as tmp:
        server = BenchServer(Path(tmp), log_level="warning", workers=1, job_mode="immediate").start()
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                callback = {"CallbackURL": receiver.url, "EventTypeList": "DynamicImageComplete"}
                target = signed_action_target(DEFAULT_CALLER, "SetMessageCallback", callback, _now(), uuid.uuid4().hex)
                client.post(target).raise_for_status()
                sent: dict[str, float] = {}
                lock = threading.Lock()

                def submit(_: int) -> None:
                    started = time.perf_counter()
                    reply = client.post(signed_target(DEFAULT_CALLER, _now(), uuid.uuid4().hex))
                    reply.raise_for_status()
                    job_id = reply.json()["DynamicImageJob"]["JobId"]
                    with lock:
                        sent[job_id] = started
                    if one_at_a_time:
                        receiver.wait_for({job_id}, timeout_s)

                began = time.perf_counter()
                with ThreadPoolExecutor(1 if one_at_a_time else concurrency) as pool:
                    list(pool.map(submit, range(jobs)))
                receiver.wait_for(set(sent), timeout_s)
                finished = max(receiver.arrived.get(j, began) for j in sent)
        finally:
            server.stop()
    latencies = [(receiver.arrived[j] - t) * 1000 for j, t in sent.items() if j in receiver.arrived]
    return {
        "jobs": jobs,
        "concurrency": 1 if one_at_a_time else concurrency,
        "one_at_a_time": one_at_a_time,
        "callbacks_received": len(latencies),
        "failed_jobs": sum(1 for j in sent if receiver.statuses.get(j) != "success"),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1) if latencies else None,
            "p99": round(_percentile(latencies, 0.99), 1) if latencies else None,
            "max": round(max(latencies), 1) if latencies else None,
        },
        "jobs_per_s": round(len(latencies) / (finished - began), 1) if latencies else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs", description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=60, help="jobs submitted (default 60)")
    parser.add_argument("--concurrency", type=int, default=4, help="submitting threads (default 4)")
    parser.add_argument(
        "--one-at-a-time", action="store_true", help="wait for each job's callback before the next Submit"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the callbacks")
    args = parser.parse_args()
    result = run(args.jobs, args.concurrency, args.timeout, args.one_at_a_time)
    latency = result["latency_ms"]
    assert isinstance(latency, dict)
    pacing = "one at a time" if args.one_at_a_time else f"concurrency {args.concurrency}"
    print(
        f"end-to-end (Submit sent -> DynamicImageComplete received), immediate mode, {args.jobs} jobs, {pacing}: "
        f"p50 {latency['p50']} ms, p99 {latency['p99']} ms, max {latency['max']} ms; "
        f"{result['jobs_per_s']} jobs/s; {result['callbacks_received']} callbacks, {result['failed_jobs']} failed"
    )
    out = REPO_ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"jobs-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json").write_text(json.dumps(result, indent=2))
    return 0 if result["callbacks_received"] == result["jobs"] and not result["failed_jobs"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
