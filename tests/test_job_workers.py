"""Several uvicorn workers share one database: each job is claimed and finished once; jobs pending or
held by a dead worker when the server stopped are resumed after a restart."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ALICE, ALICE_VIDEO
from tests.job_support import CallbackReceiver, deliveries, job_server_env, submit, tea_list, tea_set_callback, wait_job
from tests.server import EmulatorServer

TINY = json.dumps({"Video": {"Width": "128", "Height": "128", "Fps": "2"}, "Clip": {"TimeSpan": {"Duration": "1"}}})
VIDEO = ALICE_VIDEO["Checking"]


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    data_dir = tmp_path_factory.mktemp("two-workers")
    # One worker in manual mode first (jobs stay pending); the restart test brings up two in immediate mode.
    server = EmulatorServer(data_dir, env=job_server_env(data_dir, VOD_EMULATOR_JOB_MODE="manual")).start()
    yield server
    server.stop()


def _hold_as_dead_worker(database: Path, job_id: str) -> None:
    """What a worker killed mid-render leaves behind: a claim whose lease nobody renews."""
    lease = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(database, timeout=30) as db:
        db.execute(
            "UPDATE dynamicimagejob SET claimed_by = 'dead-worker', lease_until = ?, attempts = 1 WHERE job_id = ?",
            (lease, job_id),
        )


def test_a_restart_resumes_pending_and_abandoned_jobs(two_workers: EmulatorServer) -> None:
    pending = submit(two_workers, ALICE, VIDEO, OverrideParams=TINY)
    abandoned = submit(two_workers, ALICE, VIDEO, OverrideParams=TINY)
    _hold_as_dead_worker(two_workers.data_dir / "vod-emulator.db", abandoned)
    two_workers.stop()
    two_workers.env["VOD_EMULATOR_JOB_MODE"] = "immediate"
    two_workers.workers = 2
    two_workers.start()

    assert wait_job(two_workers, pending)["attempts"] == 1
    resumed = wait_job(two_workers, abandoned)
    assert (resumed["status"], resumed["attempts"]) == ("Success", 2)
    assert resumed["claimed_by"] != "dead-worker"
    listed = Counter(item["JobId"] for item in tea_list(two_workers, ALICE, VIDEO))
    assert listed[pending] == 1 and listed[abandoned] == 1


def test_each_job_is_processed_once_by_one_of_the_workers(two_workers: EmulatorServer) -> None:
    assert two_workers.workers == 2  # restarted so by the test above
    with CallbackReceiver().running() as receiver:
        tea_set_callback(two_workers, ALICE, callback_url=receiver.url, event_type_list="ALL")
        job_ids = [submit(two_workers, ALICE, VIDEO, OverrideParams=TINY) for _ in range(8)]
        jobs = [wait_job(two_workers, job_id) for job_id in job_ids]
        events = receiver.wait_for(len(job_ids))
    assert [(job["status"], job["attempts"]) for job in jobs] == [("Success", 1)] * len(jobs), jobs
    listed = Counter(item["JobId"] for item in tea_list(two_workers, ALICE, VIDEO))
    assert all(listed[job_id] == 1 for job_id in job_ids)
    assert Counter(event.json()["JobId"] for event in events) == Counter(job_ids)
    assert all(len(deliveries(two_workers, job_id)) == 1 for job_id in job_ids)
