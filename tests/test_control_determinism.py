"""Deterministic mode: with a seed the same run gives the same ids, across resets and restarts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO
from tests.control_support import control_client, private_server
from tests.sdk_clients import submit_error, submitter
from tests.server import EmulatorServer

SEED = "20240229"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    with private_server(tmp_path_factory, "control-seed", {"VOD_EMULATOR_SEED": SEED}) as emulator:
        yield emulator


def run(server: EmulatorServer) -> list[str]:
    """A small session: jobs through every SDK, an error, a template and a video created by control."""
    ids: list[str] = []
    for kind in ("legacy", "tea_v3", "tea_v1"):
        result = submitter(kind)(
            server, ALICE, {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
        )
        ids += [result.request_id, result.job_id]
    ids.append(submit_error("tea_v3", server, ALICE, {"VideoId": "f" * 32, "DynamicImageTemplateId": "x"}).request_id)
    with control_client(server) as control:
        ids.append(control.post("/accounts/1000000000000001/videos", json={}).json()["id"])
        ids.append(control.post("/accounts/1000000000000001/templates", json={"name": "t"}).json()["id"])
    return ids


def test_the_same_run_gives_the_same_ids(server: EmulatorServer) -> None:
    with control_client(server) as control:
        assert control.get("/seed").json() == {"seed": int(SEED)}
        control.post("/reset")
        first = run(server)
        control.post("/reset")  # restarts the seeded sequence
        second = run(server)
    assert first == second
    assert len(set(first)) == len(first)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in first if "-" not in i)


def test_the_seed_endpoint_and_a_restart_give_the_same_ids(server: EmulatorServer) -> None:
    with control_client(server) as control:
        control.post("/reset")
        reference = run(server)
        control.post("/reset")
        control.post("/seed", json={"seed": 1})
        other = run(server)
        assert set(other).isdisjoint(reference)
        control.post("/reset")
        control.post("/seed", json={"seed": 1})
        assert run(server) == other
        control.post("/seed", json={"seed": int(SEED)})
    server.restart()
    with control_client(server) as control:
        control.post("/reset")
    assert run(server) == reference


def test_without_a_seed_ids_differ(server: EmulatorServer) -> None:
    with control_client(server) as control:
        control.post("/reset")
        control.post("/seed", json={"seed": None})
        first = run(server)
        control.post("/reset")
        control.post("/seed", json={"seed": None})  # a reset keeps the current (absent) seed
        assert set(run(server)).isdisjoint(first)
        control.post("/seed", json={"seed": int(SEED)})
