"""Resets and scenario loads while SDK requests are in flight: nothing acknowledged is lost or torn.

Every control operation is one transaction on the database thread, so each gateway request runs
wholly before or wholly after it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO
from tests.control_support import control_client
from tests.sdk_clients import tea_client
from tests.server import EmulatorServer

CLIENT_THREADS = 4
CALLS_PER_THREAD = 15


@pytest.fixture
def server(control_server: EmulatorServer) -> EmulatorServer:
    """The control tests' shared emulator (they reset it; the session's ``server`` is left alone)."""
    return control_server


def flood(server: EmulatorServer, during: Callable[[httpx.Client], None]) -> tuple[list[str], list[BaseException]]:
    """Submit jobs from several threads while ``during`` runs control operations; (job ids, errors)."""
    from alibabacloud_vod20170321.models import SubmitDynamicImageJobRequest

    acknowledged: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENT_THREADS + 1)

    def client_thread() -> None:
        client = tea_client(server, ALICE)
        request = SubmitDynamicImageJobRequest(
            video_id=ALICE_VIDEO["Normal"], dynamic_image_template_id=ALICE_GIF_TEMPLATE
        )
        start.wait()
        for _ in range(CALLS_PER_THREAD):
            try:
                job_id = client.submit_dynamic_image_job(request).body.dynamic_image_job.job_id
            except Exception as exc:  # collected and asserted on below
                with lock:
                    errors.append(exc)
            else:
                with lock:
                    acknowledged.append(job_id)

    threads = [threading.Thread(target=client_thread) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    with control_client(server) as control:
        start.wait()
        during(control)
    for thread in threads:
        thread.join()
    return acknowledged, errors


def stored_jobs(server: EmulatorServer) -> set[str]:
    with control_client(server) as control:
        return {row["job_id"] for row in control.get("/state").json()["tables"]["dynamicimagejob"]}


def test_account_resets_and_scenario_loads_lose_no_acknowledged_job(server: EmulatorServer) -> None:
    with control_client(server) as control:
        control.post("/reset")

    def churn(control: httpx.Client) -> None:
        for n in range(8):
            assert control.post("/reset", json={"account_id": "1000000000000002"}).status_code == 200
            assert control.post("/scenarios/every-status").status_code == 200
            assert control.post("/scenarios/multi-account").status_code == 200
            extra = {"accounts": [{"id": f"40000000000000{n:02d}", "videos": [{"id": f"{n:032x}"}]}]}
            assert control.post("/scenarios", json=extra).status_code == 200

    acknowledged, errors = flood(server, churn)
    assert errors == []
    assert len(acknowledged) == CLIENT_THREADS * CALLS_PER_THREAD
    assert set(acknowledged) <= stored_jobs(server)


def test_full_resets_in_flight_never_tear_a_request(server: EmulatorServer) -> None:
    def churn(control: httpx.Client) -> None:
        for _ in range(8):
            assert control.post("/reset").status_code == 200
            assert control.post("/scenarios/default", params={"replace": "true"}).status_code == 200

    acknowledged, errors = flood(server, churn)
    # The fixtures are reloaded in the same transaction as the wipe: no request ever sees a store
    # without alice's key, video or template, so every call succeeds.
    assert errors == []
    assert len(acknowledged) == CLIENT_THREADS * CALLS_PER_THREAD
    with control_client(server) as control:
        control.post("/reset")  # and a last reset leaves nothing behind
    assert stored_jobs(server) == set()
