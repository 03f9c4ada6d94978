"""500 concurrent SubmitDynamicImageJob calls: distinct JobIds, every row stored, zero errors, and
all of it (nonces included) still there after a restart; also with two uvicorn workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO
from tests.envelopes import assert_raw_error
from tests.sdk_clients import CLIENT_KINDS, submitter
from tests.server import EmulatorServer
from tests.signing import v1_request
from tests.stored import rows

CALLS = 500
THREADS = 32
SUBMIT = {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}


def submit_concurrently(server: EmulatorServer, calls: int = CALLS) -> list[str]:
    """``calls`` submissions from ``THREADS`` threads: raw signed HTTP (cheap on the client side, which
    shares the CPUs with the server), and every tenth call through one of the three SDK paths."""
    local = threading.local()

    def one(index: int) -> str:
        if index % 10 == 0:
            kind = CLIENT_KINDS[index // 10 % len(CLIENT_KINDS)]
            return submitter(kind)(server, ALICE, SUBMIT).job_id
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=server.url, timeout=60)
        response = v1_request(ALICE, SUBMIT).send(local.http)
        assert response.status_code == 200, response.text
        return str(response.json()["DynamicImageJob"]["JobId"])

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, range(calls)))  # any error propagates: zero errors allowed


def stored_job_ids(server: EmulatorServer) -> set[str]:
    return {row["job_id"] for row in rows(server, "SELECT job_id FROM dynamicimagejob")}


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    emulator = EmulatorServer(Path(tmp_path_factory.mktemp("concurrency"))).start()
    yield emulator
    emulator.stop()


def test_500_concurrent_submissions_survive_a_restart(busy_server: EmulatorServer) -> None:
    replay = v1_request(ALICE, SUBMIT)
    with httpx.Client(base_url=busy_server.url) as http:
        assert replay.send(http).status_code == 200

    job_ids = submit_concurrently(busy_server)
    assert len(job_ids) == CALLS
    assert len(set(job_ids)) == CALLS
    stored = stored_job_ids(busy_server)
    assert set(job_ids) <= stored
    assert len(stored) == CALLS + 1

    busy_server.restart()
    assert stored_job_ids(busy_server) == stored
    with httpx.Client(base_url=busy_server.url) as http:
        # Nonces are remembered across restarts.
        assert_raw_error(replay.send(http), "SignatureNonceUsed", 400)
        # And the restarted server keeps taking new jobs, with fresh ids.
        fresh = submitter("tea_v3")(busy_server, ALICE, SUBMIT).job_id
    assert fresh not in stored


def test_two_workers(tmp_path: Path) -> None:
    emulator = EmulatorServer(tmp_path / "workers", workers=2).start()
    try:
        job_ids = submit_concurrently(emulator, 64)
        assert len(set(job_ids)) == 64
        assert stored_job_ids(emulator) == set(job_ids)
        # One request replayed on many connections (so on both workers): exactly one succeeds.
        replay = v1_request(ALICE, SUBMIT)

        def send(_: int) -> int:
            with httpx.Client(base_url=emulator.url) as http:
                return replay.send(http).status_code

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            statuses = list(pool.map(send, range(32)))
        assert sorted(statuses) == [200] + [400] * 31
    finally:
        emulator.stop()
