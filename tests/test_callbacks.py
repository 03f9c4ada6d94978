"""Set/GetMessageCallback through the official SDKs, and DynamicImageComplete events received by a real
HTTP receiver: body, signature, retries, the delivery record, the EventTypeList filter."""

from __future__ import annotations

import json

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from Tea.exceptions import TeaException

from emulator.worker.callbacks import signature
from tests.conftest import ALICE, ALICE_VIDEO, BOB
from tests.job_support import (
    SHORT_VIDEO,
    CallbackReceiver,
    complete,
    deliveries,
    legacy_get_callback,
    legacy_set_callback,
    md5_signature,
    submit,
    tea_get_callback,
    tea_list,
    tea_set_callback,
)
from tests.sdk_clients import normalise
from tests.server import EmulatorServer, free_port

AUTH_KEY = "test123"
CLIP_BEYOND_END = json.dumps({"Clip": {"TimeSpan": {"Seek": "5"}}})


def test_the_documented_md5_test_vector() -> None:
    assert signature("https://www.example.com/your/callback", "1519375990", "test123") == (
        "c72b60894140fa98920f1279219b7ed4"
    )


def test_set_and_get_message_callback(job_server: EmulatorServer) -> None:
    assert tea_get_callback(job_server, BOB) is None  # never set
    tea_set_callback(
        job_server,
        BOB,
        callback_type="HTTP",
        callback_url="https://example.com/vod/events?x=1",
        event_type_list="FileUploadComplete,DynamicImageComplete",
        auth_switch="on",
        auth_key="k" * 32,
    )
    expected = {
        "AppId": "app-1000000",
        "CallbackType": "HTTP",
        "CallbackURL": "https://example.com/vod/events?x=1",
        "EventTypeList": "FileUploadComplete,DynamicImageComplete",
        "AuthSwitch": "on",
        "AuthKey": "k" * 32,
        "MnsEndpoint": "",
        "MnsQueueName": "",
    }
    assert tea_get_callback(job_server, BOB) == expected
    legacy_set_callback(job_server, BOB, AuthSwitch="off", EventTypeList="all")  # only the fields given change
    got = legacy_get_callback(job_server, BOB)["MessageCallback"]
    assert got == {**expected, "AuthSwitch": "off", "EventTypeList": "ALL"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CallbackURL", "https://example.com/" + "a" * 237),  # 257 bytes
        ("CallbackURL", "ftp://example.com/x"),
        ("AuthSwitch", "maybe"),
        ("AuthKey", "k" * 33),
        ("CallbackType", "SMS"),
        ("EventTypeList", "DynamicImageComplete,Bad-Name"),
    ],
)
def test_set_message_callback_rejects_bad_fields(job_server: EmulatorServer, field: str, value: str) -> None:
    with pytest.raises(ServerException) as legacy_error:
        legacy_set_callback(job_server, BOB, **{field: value})
    tea_field = {"CallbackURL": "callback_url", "AuthSwitch": "auth_switch", "AuthKey": "auth_key"}.get(field)
    errors = [normalise(legacy_error.value)]
    if tea_field is not None:
        with pytest.raises(TeaException) as tea_error:
            tea_set_callback(job_server, BOB, **{tea_field: value})
        errors.append(normalise(tea_error.value))
    for error in errors:
        assert (error.code, error.status) == ("InvalidParameter", 400)
        assert error.message == f'The specified parameter "{field}" is not valid.'


def test_a_signed_event_reaches_the_receiver(job_server: EmulatorServer) -> None:
    with CallbackReceiver().running() as receiver:
        tea_set_callback(
            job_server,
            ALICE,
            callback_type="HTTP",
            callback_url=receiver.url,
            event_type_list="DynamicImageComplete",
            auth_switch="on",
            auth_key=AUTH_KEY,
        )
        job_id = submit(job_server, ALICE)
        complete(job_server, job_id)
        (request,) = receiver.wait_for(1)
    item = next(i for i in tea_list(job_server, ALICE, ALICE_VIDEO["Normal"]) if i["JobId"] == job_id)
    assert request.path == "/vod/callback"
    assert request.headers["Content-Type"] == "application/json"
    timestamp = request.headers["X-VOD-TIMESTAMP"]
    assert len(timestamp) == 10 and timestamp.isdigit()
    assert request.headers["X-VOD-SIGNATURE"] == md5_signature(receiver.url, timestamp, AUTH_KEY)
    event = request.json()
    assert {k: event[k] for k in ("EventType", "Status", "JobId", "VideoId")} == {
        "EventType": "DynamicImageComplete",
        "Status": "success",
        "JobId": job_id,
        "VideoId": ALICE_VIDEO["Normal"],
    }
    assert event["DynamicImageJobInfo"] == {
        "JobId": job_id,
        "Status": "success",
        "FileURL": item["FileURL"],
        "FileSize": item["FileSize"],
        "Fps": "10",
        "Height": "180",
        "Width": "320",
    }
    assert "ErrorCode" not in event
    (record,) = deliveries(job_server, job_id)
    assert (record["attempt"], record["status_code"], record["delivered"]) == (1, 200, True)
    assert record["url"] == receiver.url
    assert record["event"] == event and record["headers"]["X-VOD-SIGNATURE"] == request.headers["X-VOD-SIGNATURE"]


def test_a_failed_job_event_is_retried_until_the_receiver_answers(job_server: EmulatorServer) -> None:
    with CallbackReceiver(fail_first=2).running() as receiver:
        tea_set_callback(job_server, ALICE, callback_url=receiver.url, event_type_list="ALL", auth_switch="off")
        job_id = submit(job_server, ALICE, SHORT_VIDEO, OverrideParams=CLIP_BEYOND_END)
        assert complete(job_server, job_id)["status"] == "Fail"
        received = receiver.wait_for(3)
    assert len(received) == 3 and len({r.body for r in received}) == 1
    assert all("X-VOD-SIGNATURE" not in r.headers for r in received)
    event = received[-1].json()
    assert (event["Status"], event["JobId"], event["ErrorCode"]) == ("fail", job_id, "InvalidParameter.ClipOutOfRange")
    assert event["ErrorMessage"] and "DynamicImageJobInfo" not in event
    records = deliveries(job_server, job_id, min_count=3)
    assert [(r["attempt"], r["status_code"], r["delivered"]) for r in records] == [
        (1, 500, False),
        (2, 500, False),
        (3, 200, True),
    ]


def test_every_attempt_is_recorded_when_the_receiver_is_down(job_server: EmulatorServer) -> None:
    url = f"http://127.0.0.1:{free_port()}/nobody-listens"
    tea_set_callback(job_server, ALICE, callback_url=url, event_type_list="ALL")
    job_id = submit(job_server, ALICE)
    complete(job_server, job_id)
    records = deliveries(job_server, job_id, min_count=3)
    assert [r["attempt"] for r in records] == [1, 2, 3]
    assert all(r["status_code"] is None and r["error"] and r["url"] == url for r in records)
    assert records[0]["event"]["JobId"] == job_id and records[0]["event"]["Status"] == "success"


def test_event_type_list_filters_and_mns_is_recorded_only(job_server: EmulatorServer) -> None:
    with CallbackReceiver().running() as receiver:
        tea_set_callback(job_server, ALICE, callback_url=receiver.url, event_type_list="FileUploadComplete")
        filtered = submit(job_server, ALICE)
        complete(job_server, filtered)  # the callback in force when a job finishes decides
        tea_set_callback(job_server, ALICE, event_type_list="DynamicImageComplete")
        sent = submit(job_server, ALICE)
        complete(job_server, sent)
        (request,) = receiver.wait_for(1)
    assert request.json()["JobId"] == sent
    assert deliveries(job_server, filtered, min_count=0) == []
    legacy_set_callback(job_server, ALICE, CallbackType="MNS", MnsEndpoint="https://mns.example", MnsQueueName="q1")
    assert tea_get_callback(job_server, ALICE)["MnsQueueName"] == "q1"
    mns_job = submit(job_server, ALICE)
    complete(job_server, mns_job)
    (record,) = deliveries(job_server, mns_job)
    assert record["url"] == "q1" and "MNS" in record["error"] and record["event"]["JobId"] == mns_job
