"""Injected faults as the official SDKs see them: error codes and statuses, next-N, probability,
latency, QPS throttling (429 Throttling.User with x-acs-retry-after), and rule management."""

from __future__ import annotations

import httpx
import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from alibabacloud_tea_openapi.exceptions import ServerException as TeaServerException
from alibabacloud_vod20170321.models import SubmitDynamicImageJobRequest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from Tea.exceptions import TeaException

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO, BOB, BOB_VIDEO, BOB_WEBP_TEMPLATE
from tests.sdk_clients import normalise, submit_error, submitter, tea_client
from tests.server import EmulatorServer

ACTION = "SubmitDynamicImageJob"
ALICE_PARAMS = {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
BOB_PARAMS = {"VideoId": BOB_VIDEO, "DynamicImageTemplateId": BOB_WEBP_TEMPLATE}


@pytest.fixture
def server(control_server: EmulatorServer) -> EmulatorServer:
    """The control tests' shared emulator (they reset it; the session's ``server`` is left alone)."""
    return control_server


def ok(server: EmulatorServer, kind: str = "tea_v3", params: dict[str, str] = ALICE_PARAMS) -> str:
    return submitter(kind)(server, ALICE if params is ALICE_PARAMS else BOB, params).job_id


@pytest.mark.parametrize("kind", ["legacy", "tea_v3", "tea_v1"])
def test_error_code_from_the_table_with_its_status(server: EmulatorServer, control: httpx.Client, kind: str) -> None:
    rule = control.post("/faults", json={"action": ACTION, "code": "ServiceUnavailable", "times": 1})
    assert rule.status_code == 201 and rule.json()["remaining"] == 1
    error = submit_error(kind, server, ALICE, ALICE_PARAMS)
    assert (error.code, error.status) == ("ServiceUnavailable", 503)
    assert error.message == "The request has failed due to a temporary failure of the server."
    assert error.request_id  # a normal error envelope
    assert ok(server, kind)  # only the next call
    assert control.get("/faults").json()[0] | {"created_at": None} == rule.json() | {
        "created_at": None, "remaining": 0, "hits": 1,
    }  # fmt: skip


def test_sdk_exception_classes_for_4xx_5xx_and_unknown_codes(server: EmulatorServer, control: httpx.Client) -> None:
    client = tea_client(server, ALICE)
    request = SubmitDynamicImageJobRequest(video_id=ALICE_VIDEO["Normal"], dynamic_image_template_id=ALICE_GIF_TEMPLATE)
    control.post("/faults", json={"action": ACTION, "code": "InternalError", "times": 1})
    with pytest.raises(TeaServerException) as server_side:
        client.submit_dynamic_image_job(request)
    assert (server_side.value.code, server_side.value.status_code) == ("InternalError", 500)
    assert not isinstance(server_side.value, ThrottlingException)

    teapot = {"action": ACTION, "code": "Custom.Teapot", "status": 418, "message": "short and stout", "times": 1}
    control.post("/faults", json=teapot)
    with pytest.raises(ClientException) as custom:
        client.submit_dynamic_image_job(request)
    assert (custom.value.code, custom.value.status_code) == ("Custom.Teapot", 418)
    assert custom.value.data["Message"] == "short and stout"

    control.post("/faults", json={"action": ACTION, "code": "Forbidden.IllegalStatus", "status": 403, "times": 1})
    error = submit_error("legacy", server, ALICE, ALICE_PARAMS)
    assert (error.code, error.status) == ("Forbidden.IllegalStatus", 403)
    assert error.message == "Status of the video is illegal."


def test_errors_other_than_throttling_carry_no_retry_after(server: EmulatorServer, control: httpx.Client) -> None:
    control.post("/faults", json={"action": ACTION, "code": "ServiceUnavailable", "times": 1})
    error = submit_error("tea_v3", server, ALICE, ALICE_PARAMS)
    assert error.status == 503
    raw = httpx.post(f"{server.url}/?Action={ACTION}&Version=2017-03-21&Format=JSON")  # unsigned: fails earlier
    assert "x-acs-retry-after" not in raw.headers


def test_account_and_video_scoped_rules(server: EmulatorServer, control: httpx.Client) -> None:
    control.post("/faults", json={"action": "*", "account_id": "1000000000000002", "code": "ServiceUnavailable"})
    assert ok(server)  # alice unaffected
    assert submit_error("legacy", server, BOB, BOB_PARAMS).code == "ServiceUnavailable"
    control.delete("/faults")

    control.post("/faults", json={"action": ACTION, "video_id": ALICE_VIDEO["Transcoding"], "code": "InternalError"})
    assert ok(server)
    transcoding = {"VideoId": ALICE_VIDEO["Transcoding"], "DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
    assert submit_error("tea_v3", server, ALICE, transcoding).code == "InternalError"
    # another action is not matched
    control.post("/faults", json={"id": "other", "action": "GetVideoInfo", "code": "InternalError"})
    assert ok(server)


def test_probability_is_reproducible_with_a_seed(server: EmulatorServer, control: httpx.Client) -> None:
    def outcomes() -> list[bool]:
        control.post("/seed", json={"seed": 7})
        control.delete("/faults")
        control.post("/faults", json={"action": ACTION, "code": "ServiceUnavailable", "probability": 0.5})
        results = []
        for _ in range(12):
            try:
                ok(server, "legacy")
                results.append(True)
            except ServerException as exc:
                assert normalise(exc).code == "ServiceUnavailable"
                results.append(False)
        return results

    first = outcomes()
    assert True in first and False in first
    assert outcomes() == first
    assert control.get("/faults").json()[0]["hits"] == first.count(False)


def test_added_latency_is_seen_in_the_journal(server: EmulatorServer, control: httpx.Client) -> None:
    control.post("/faults", json={"action": ACTION, "latency_ms": 250, "times": 1})
    control.post("/faults", json={"action": "GetVideoInfo", "latency_ms": 100, "code": "InternalError", "times": 1})
    control.delete("/journal")
    assert ok(server)
    assert ok(server)
    slow, fast = control.get("/journal", params={"action": ACTION}).json()["entries"]
    assert slow["latency_ms"] >= 250 and slow["code"] == "OK"
    assert fast["latency_ms"] < 250


@pytest.mark.parametrize("kind", ["legacy", "tea_v3"])
def test_qps_limit_answers_throttling_user_429(server: EmulatorServer, control: httpx.Client, kind: str) -> None:
    control.post("/faults", json={"id": "qps", "action": "*", "qps": 1})
    errors = []
    for _ in range(5):  # at most one call per one-second window passes
        try:
            ok(server, kind)
        except (ServerException, TeaException) as exc:
            errors.append(exc)
    assert errors, "no call was throttled"
    for exc in errors:
        error = normalise(exc)
        assert (error.code, error.status) == ("Throttling.User", 429)
        assert error.message == "Request was denied due to user flow control."
        if kind == "tea_v3":
            # Tea raises ThrottlingException only when x-acs-retry-after holds a positive integer (ms).
            assert isinstance(exc, ThrottlingException) and 0 < exc.retry_after <= 1000
    assert control.get("/faults").json()[0]["hits"] == len(errors)


def test_throttled_scenario(server: EmulatorServer, control: httpx.Client) -> None:
    control.post("/scenarios/throttled", params={"replace": "true"})
    first = submit_error("tea_v3", server, ALICE, ALICE_PARAMS)
    assert (first.code, first.status) == ("ServiceUnavailable", 503)
    rules = {r["id"]: r for r in control.get("/faults").json()}
    assert rules["submit-503-once"]["remaining"] == 0 and rules["submit-slow"]["hits"] == 1
    assert control.get("/journal").json()["entries"][-1]["latency_ms"] >= 200  # the slow rule still applied


def test_rule_management(control: httpx.Client) -> None:
    assert control.get("/faults").json() == []
    added = control.post("/faults", json={"id": "r1", "action": ACTION, "latency_ms": 1}).json()
    assert added["id"] == "r1" and added["action"] == ACTION
    assert control.post("/faults", json={"id": "r1", "latency_ms": 1}).status_code == 409
    generated = control.post("/faults", json={"code": "InternalError"}).json()
    assert generated["id"].startswith("rule-") and generated["action"] == "*"
    assert [r["id"] for r in control.get("/faults").json()] == ["r1", generated["id"]]
    for bad in (
        {},  # no effect
        {"code": "No.Such.Code"},  # not in the table and no status
        {"qps": 2, "code": "InternalError"},
        {"status": 500},
        {"code": "InternalError", "probability": 0},
        {"latency_ms": -1},
        {"latency_ms": 1, "unknown": True},
    ):
        assert control.post("/faults", json=bad).status_code == 422, bad
    assert control.delete("/faults/r1").status_code == 204
    assert control.delete("/faults/r1").status_code == 404
    assert control.delete("/faults").json() == {"deleted": 1}
    assert control.get("/faults").json() == []
