"""``vod-emulator scenario validate`` and ``vod-emulator state export|import``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.config import FIXTURES_DIR
from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO
from tests.control_support import control_client, private_server
from tests.sdk_clients import submitter
from tests.server import EmulatorServer


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    with private_server(tmp_path_factory, "cli-tools") as emulator:
        yield emulator


def test_scenario_validate_accepts_every_shipped_scenario() -> None:
    files = sorted(str(p) for p in FIXTURES_DIR.glob("*.yaml"))
    result = cli("scenario", "validate", *files)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(files) >= 5
    summary = "every-status.yaml: ok (1 accounts, 1 access keys, 9 videos, 2 templates, 0 faults, 0 callbacks)"
    assert summary in result.stdout


def test_scenario_validate_names_file_field_and_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts:\n  - id: x\n    videos:\n      - {id: a11ce, status: Normal}\n")
    result = cli("scenario", "validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}: accounts.0.videos.0.id: String should match pattern" in result.stderr
    assert "(got 'a11ce')" in result.stderr
    faults = tmp_path / "faults.yaml"
    faults.write_text("faults:\n  - {action: SubmitDynamicImageJob, code: Made.Up}\n")
    result = cli("scenario", "validate", str(faults))
    assert result.returncode == 1 and "faults.0" in result.stderr and "Made.Up" in result.stderr
    assert cli("scenario", "validate", str(tmp_path / "absent.yaml")).returncode == 1


def test_state_export_and_import_through_a_running_emulator(server: EmulatorServer, tmp_path: Path) -> None:
    job = submitter("tea_v3")(
        server, ALICE, {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
    ).job_id
    snapshot = tmp_path / "state.json"
    exported = cli("state", "export", str(snapshot), "--url", server.url)
    assert exported.returncode == 0, exported.stderr
    assert job in snapshot.read_text()
    with control_client(server) as control:
        control.post("/reset")
        assert control.get("/state").json()["tables"]["dynamicimagejob"] == []
        imported = cli("state", "import", str(snapshot), "--url", server.url)
        assert imported.returncode == 0, imported.stderr
        assert [j["job_id"] for j in control.get("/state").json()["tables"]["dynamicimagejob"]] == [job]


def test_state_export_and_import_on_a_database_file(server: EmulatorServer, tmp_path: Path) -> None:
    with control_client(server) as control:
        document = control.get("/state").json()
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document))
    data_dir = tmp_path / "offline"
    imported = cli("state", "import", str(source), "--data-dir", str(data_dir))
    assert imported.returncode == 0, imported.stderr
    exported = cli("state", "export", "-", "--data-dir", str(data_dir))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["tables"] == document["tables"]

    document["tables"]["account"][0]["nickname"] = "x"
    source.write_text(json.dumps(document))
    refused = cli("state", "import", str(source), "--data-dir", str(data_dir))
    assert refused.returncode == 1 and "tables.account[0].nickname: unknown column" in refused.stderr
    again = cli("state", "export", "-", "--data-dir", str(data_dir))
    assert json.loads(again.stdout)["tables"]["account"][0].get("nickname") is None  # untouched
