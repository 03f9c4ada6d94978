"""The request journal after official SDK calls: what is recorded, filters, clearing, bounds, and
that no secret, token or signature ever appears in it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from emulator.control.journal import Journal
from emulator.gateway.dispatch import GatewayCall
from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_STS, ALICE_VIDEO, BOB, BOB_VIDEO, BOB_WEBP_TEMPLATE, Key
from tests.sdk_clients import CLIENT_KINDS, submit_error, submitter
from tests.server import EmulatorServer

ACTION = "SubmitDynamicImageJob"


@pytest.fixture
def server(control_server: EmulatorServer) -> EmulatorServer:
    """The control tests' shared emulator (they reset it; the session's ``server`` is left alone)."""
    return control_server


def params(video: str, template: str = ALICE_GIF_TEMPLATE) -> dict[str, str]:
    return {"VideoId": video, "DynamicImageTemplateId": template}


def test_every_sdk_call_is_recorded(server: EmulatorServer, control: httpx.Client) -> None:
    request_ids = [submitter(kind)(server, ALICE, params(ALICE_VIDEO["Normal"])).request_id for kind in CLIENT_KINDS]
    entries = control.get("/journal").json()["entries"]
    assert [e["request_id"] for e in entries] == request_ids
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs)
    for entry in entries:
        assert entry["action"] == ACTION and entry["code"] == "OK" and entry["status"] == 200
        assert entry["account_id"] == "1000000000000001" and entry["access_key_id"] == ALICE.id
        assert entry["video_id"] == ALICE_VIDEO["Normal"]
        assert entry["params"]["DynamicImageTemplateId"] == ALICE_GIF_TEMPLATE
        assert entry["latency_ms"] >= 0 and entry["method"] in ("GET", "POST")
        assert abs((datetime.fromisoformat(entry["time"]) - datetime.now(UTC)).total_seconds()) < 60
    legacy, tea_v3, tea_v1 = entries
    assert legacy["params"]["Signature"] == "***" and tea_v1["params"]["Signature"] == "***"
    assert "Signature" not in tea_v3["params"]  # V3 signs in the Authorization header, never recorded


def test_errors_are_recorded_with_code_and_status(server: EmulatorServer, control: httpx.Client) -> None:
    missing = "0" * 32
    error = submit_error("tea_v3", server, ALICE, params(missing))
    wrong_secret = submit_error("legacy", server, Key(ALICE.id, "not-the-secret"), params(ALICE_VIDEO["Normal"]))
    (not_found,) = control.get("/journal", params={"code": "InvalidVideo.NotFound"}).json()["entries"]
    assert (not_found["request_id"], not_found["status"], not_found["video_id"]) == (error.request_id, 404, missing)
    (bad_signature,) = control.get("/journal", params={"code": "SignatureDoesNotMatch"}).json()["entries"]
    assert bad_signature["request_id"] == wrong_secret.request_id and bad_signature["status"] == 400
    assert bad_signature["account_id"] is None  # authentication failed


def test_filters(server: EmulatorServer, control: httpx.Client) -> None:
    submitter("tea_v3")(server, ALICE, params(ALICE_VIDEO["Normal"]))
    submitter("tea_v3")(server, ALICE, params(ALICE_VIDEO["Checking"]))
    submitter("legacy")(server, BOB, params(BOB_VIDEO, BOB_WEBP_TEMPLATE))

    def count(**query: str) -> int:
        return len(control.get("/journal", params=query).json()["entries"])

    assert count() == 3
    assert count(action=ACTION) == 3 and count(action="GetVideoInfo") == 0
    assert count(account_id="1000000000000001") == 2 and count(account_id="1000000000000002") == 1
    assert count(video_id=ALICE_VIDEO["Checking"]) == 1 and count(video_id=BOB_VIDEO) == 1
    assert count(code="OK") == 3 and count(code="Throttling.User") == 0
    assert count(account_id="1000000000000001", video_id=BOB_VIDEO) == 0
    assert count(limit="1") == 1
    first_seq = control.get("/journal").json()["entries"][0]["seq"]
    assert count(after=str(first_seq)) == 2


def test_no_secret_token_or_signature_is_ever_recorded(server: EmulatorServer, control: httpx.Client) -> None:
    for kind in CLIENT_KINDS:
        submitter(kind)(server, ALICE_STS, params(ALICE_VIDEO["Normal"]))
        submitter(kind)(server, BOB, params(BOB_VIDEO, BOB_WEBP_TEMPLATE))
        submit_error(kind, server, Key(ALICE.id, "wrong-secret-value"), params(ALICE_VIDEO["Normal"]))
    page = control.get("/journal").json()
    assert len(page["entries"]) == 9
    text = json.dumps(page)
    assert ALICE_STS.token is not None
    for secret in (ALICE_STS.secret, ALICE_STS.token, BOB.secret, "wrong-secret-value", ALICE.secret):
        assert secret not in text
    for entry in page["entries"]:
        for name, value in entry["params"].items():
            if name in ("Signature", "SecurityToken"):
                assert value == "***"
    sts_v1 = [e for e in page["entries"] if e["access_key_id"] == ALICE_STS.id and "SecurityToken" in e["params"]]
    assert sts_v1, "the V1 STS calls carry a (redacted) SecurityToken parameter"


def test_clear(server: EmulatorServer, control: httpx.Client) -> None:
    submitter("tea_v3")(server, ALICE, params(ALICE_VIDEO["Normal"]))
    assert control.delete("/journal").json() == {"cleared": 1}
    assert control.get("/journal").json() == {"entries": [], "capacity": 10000, "recorded": 0}


def test_reset_of_one_account_drops_only_its_entries(server: EmulatorServer, control: httpx.Client) -> None:
    submitter("tea_v3")(server, ALICE, params(ALICE_VIDEO["Normal"]))
    submitter("tea_v3")(server, BOB, params(BOB_VIDEO, BOB_WEBP_TEMPLATE))
    control.post("/reset", json={"account_id": "1000000000000002"})
    assert [e["account_id"] for e in control.get("/journal").json()["entries"]] == ["1000000000000001"]


def _call(n: int, **fields: object) -> GatewayCall:
    return GatewayCall(request_id=f"R{n}", received_at=datetime.now(UTC), method="POST", **fields)  # type: ignore[arg-type]


def test_the_journal_is_bounded() -> None:
    journal = Journal(capacity=3)
    for n in range(5):
        journal.record(_call(n, action="A", params={"VideoId": "v", "AccessKeySecret": "s", "MyToken": "t"}))
    entries = journal.entries()
    assert [e.request_id for e in entries] == ["R2", "R3", "R4"] and [e.seq for e in entries] == [3, 4, 5]
    assert journal.page(entries).recorded == 5
    assert entries[0].params == {"VideoId": "v", "AccessKeySecret": "***", "MyToken": "***"}
    disabled = Journal(capacity=0)
    disabled.record(_call(1))
    assert disabled.entries() == []
