from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.control_support import control_client, private_server
from tests.server import EmulatorServer


@dataclass(frozen=True)
class Key:
    id: str
    secret: str
    token: str | None = None


# The documented keys of fixtures/default.yaml.
ALICE = Key("LTAI5tVodEmulatorAlice01", "VodEmulatorAliceSecret0000000001")
ALICE_STS = Key("STS.VodEmulatorAliceSts01", "VodEmulatorAliceStsSecret0000001", "vod-emulator-sts-token-alice")
ALICE_STS_EXPIRED = Key(
    "STS.VodEmulatorAliceExpired", "VodEmulatorAliceExpiredSecret001", "vod-emulator-sts-token-expired"
)
INACTIVE = Key("LTAI5tVodEmulatorInactive", "VodEmulatorInactiveSecret0000001")
BOB = Key("LTAI5tVodEmulatorBob0001", "VodEmulatorBobSecret000000000001")
UNKNOWN = Key("LTAI5tNoSuchKey000000000", "whatever")

ALICE_VIDEO = {
    "Normal": "a11ce000000000000000000000000001",
    "UploadSucc": "a11ce000000000000000000000000002",
    "Transcoding": "a11ce000000000000000000000000003",
    "Checking": "a11ce000000000000000000000000004",
    "Blocked": "a11ce000000000000000000000000005",
    "Uploading": "a11ce000000000000000000000000006",
    "UploadFail": "a11ce000000000000000000000000007",
    "TranscodeFail": "a11ce000000000000000000000000008",
    "ProduceFail": "a11ce000000000000000000000000009",
}
ALICE_GIF_TEMPLATE = "a11ced1a000000000000000000000001"
ALICE_SNAPSHOT_TEMPLATE = "a11ce5a0000000000000000000000001"
BOB_VIDEO = "b0b00000000000000000000000000001"
BOB_WEBP_TEMPLATE = "b0bd1a00000000000000000000000001"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    emulator = EmulatorServer(tmp_path_factory.mktemp("emulator")).start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def job_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """A server in manual job mode (jobs wait for the control plane), with fast callback retries and
    the extra videos/templates of :mod:`tests.job_support`."""
    from tests.job_support import job_server_env

    data_dir = tmp_path_factory.mktemp("jobs")
    emulator = EmulatorServer(data_dir, env=job_server_env(data_dir, VOD_EMULATOR_JOB_MODE="manual")).start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def control_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    """One emulator for the control-plane tests, which reset and reload its state."""
    with private_server(tmp_path_factory, "control") as emulator:
        yield emulator


@pytest.fixture
def control(control_server: EmulatorServer) -> Iterator[httpx.Client]:
    """The control API of ``control_server``, reset before the test."""
    with control_client(control_server) as client:
        assert client.post("/reset").status_code == 200
        yield client
