"""SubmitDynamicImageJob through the three official client paths (spec §8), over real HTTP."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import (
    ALICE,
    ALICE_GIF_TEMPLATE,
    ALICE_SNAPSHOT_TEMPLATE,
    ALICE_STS,
    ALICE_VIDEO,
    BOB,
    BOB_VIDEO,
    BOB_WEBP_TEMPLATE,
    Key,
)
from tests.sdk_clients import (
    CLIENT_KINDS,
    SdkError,
    legacy_client,
    legacy_submit_request,
    submit_error,
    submitter,
)
from tests.server import EmulatorServer
from tests.stored import dynamic_image_job

# The legacy SDK's own get_response() calls a method it deprecated itself.
pytestmark = pytest.mark.filterwarnings("ignore:implementation_of_do_action:DeprecationWarning")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
ALLOWED = ("UploadSucc", "Transcoding", "Normal", "Checking", "Blocked")
FORBIDDEN = ("Uploading", "UploadFail", "TranscodeFail", "ProduceFail")
OVERRIDE = '{"Watermarks":[{"Content":"UserID: 666 ~*\'()!","WatermarkId":"8ca03c884944bd05efccc3123670000"}]}'


def job(video: str = ALICE_VIDEO["Normal"], template: str = ALICE_GIF_TEMPLATE, **extra: str) -> dict[str, str]:
    return {"VideoId": video, "DynamicImageTemplateId": template, **extra}


def assert_error(error: SdkError, code: str, status: int, message: str) -> None:
    assert (error.code, error.status, error.message) == (code, status, message)
    assert error.request_id is not None and REQUEST_ID.match(error.request_id)
    if error.envelope:  # the Tea SDKs expose the whole body
        assert error.envelope["Code"] == code
        assert error.envelope["RequestId"] == error.request_id


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("key", [ALICE, ALICE_STS], ids=["ak", "sts"])
def test_success_through_every_sdk(server: EmulatorServer, kind: str, key: Key) -> None:
    result = submitter(kind)(server, key, job(OverrideParams=OVERRIDE))
    assert JOB_ID.match(result.job_id)
    assert REQUEST_ID.match(result.request_id)
    if result.headers:
        assert result.headers["x-acs-request-id"] == result.request_id
        assert result.headers["content-type"] == "application/json;charset=utf-8"
    row = dynamic_image_job(server, result.job_id)
    assert row is not None
    assert row["status"] == "Processing"
    assert row["account_id"] == "1000000000000001"
    assert (row["video_id"], row["template_id"]) == (ALICE_VIDEO["Normal"], ALICE_GIF_TEMPLATE)
    assert row["request_id"] == result.request_id
    assert json.loads(row["override_params"]) == json.loads(OVERRIDE)
    assert row["created_at"] and row["updated_at"]


def test_legacy_reply_header_matches_body(server: EmulatorServer) -> None:
    request = legacy_submit_request(server, **job())
    request.set_accept_format("JSON")
    status, headers, body = legacy_client(server, ALICE).get_response(request)
    document = json.loads(body)
    assert status == 200
    assert set(document) == {"RequestId", "DynamicImageJob"}
    assert set(document["DynamicImageJob"]) == {"JobId"}
    assert headers["x-acs-request-id"] == document["RequestId"]


def test_job_ids_are_never_reused(server: EmulatorServer) -> None:
    ids = {submitter(kind)(server, ALICE, job()).job_id for kind in CLIENT_KINDS for _ in range(3)}
    assert len(ids) == 3 * len(CLIENT_KINDS)


def test_stored_override_params_are_normalised(server: EmulatorServer) -> None:
    raw = '{ "Watermarks" : [ {"WatermarkId":"w1", "FileUrl":"https://x/y.png"} ] }'
    result = submitter("tea_v3")(server, ALICE, job(OverrideParams=raw))
    row = dynamic_image_job(server, result.job_id)
    assert row is not None
    assert row["override_params"] == '{"Watermarks": [{"FileUrl": "https://x/y.png", "WatermarkId": "w1"}]}'


def test_without_override_params_nothing_is_stored(server: EmulatorServer) -> None:
    result = submitter("legacy")(server, ALICE, job(OverrideParams=""))
    row = dynamic_image_job(server, result.job_id)
    assert row is not None and row["override_params"] is None


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("status", ALLOWED)
def test_every_allowed_status_succeeds(server: EmulatorServer, kind: str, status: str) -> None:
    assert JOB_ID.match(submitter(kind)(server, ALICE, job(ALICE_VIDEO[status])).job_id)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("status", FORBIDDEN)
def test_every_other_status_is_illegal(server: EmulatorServer, kind: str, status: str) -> None:
    error = submit_error(kind, server, ALICE, job(ALICE_VIDEO[status]))
    assert_error(error, "Forbidden.IllegalStatus", 400, "Status of the video is illegal.")


def test_every_video_status_is_covered() -> None:
    assert set(ALLOWED) | set(FORBIDDEN) == set(ALICE_VIDEO)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("key", "video"),
    [(ALICE, "0" * 32), (ALICE, BOB_VIDEO), (BOB, ALICE_VIDEO["Normal"])],
    ids=["unknown", "bobs-video-for-alice", "alices-video-for-bob"],
)
def test_video_not_found(server: EmulatorServer, kind: str, key: Key, video: str) -> None:
    template = BOB_WEBP_TEMPLATE if key is BOB else ALICE_GIF_TEMPLATE
    error = submit_error(kind, server, key, job(video, template))
    assert_error(error, "InvalidVideo.NotFound", 404, "The video does not exist.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("key", "video", "template"),
    [
        (ALICE, ALICE_VIDEO["Normal"], "f" * 32),
        (ALICE, ALICE_VIDEO["Normal"], ALICE_SNAPSHOT_TEMPLATE),
        (ALICE, ALICE_VIDEO["Normal"], BOB_WEBP_TEMPLATE),
        (BOB, BOB_VIDEO, ALICE_GIF_TEMPLATE),
    ],
    ids=["unknown", "snapshot-template", "bobs-template-for-alice", "alices-template-for-bob"],
)
def test_template_not_found(server: EmulatorServer, kind: str, key: Key, video: str, template: str) -> None:
    error = submit_error(kind, server, key, job(video, template))
    message = f"The specified resource DynamicImageTemplateId({template}) does not exist."
    assert_error(error, "NoSuchResource", 404, message)


def test_bob_submits_with_his_own_video_and_template(server: EmulatorServer) -> None:
    result = submitter("tea_v3")(server, BOB, job(BOB_VIDEO, BOB_WEBP_TEMPLATE))
    row = dynamic_image_job(server, result.job_id)
    assert row is not None and row["account_id"] == "1000000000000002"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("value", [None, ""], ids=["absent", "empty"])
def test_missing_video_id(server: EmulatorServer, kind: str, value: str | None) -> None:
    params = {"DynamicImageTemplateId": ALICE_GIF_TEMPLATE}
    if value is not None:
        params["VideoId"] = value
    error = submit_error(kind, server, ALICE, params)
    assert_error(error, "MissingVideoId", 400, "VideoId is mandatory for this action.")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("value", [None, ""], ids=["absent", "empty"])
def test_missing_template_id(server: EmulatorServer, kind: str, value: str | None) -> None:
    params = {"VideoId": ALICE_VIDEO["Normal"]}
    if value is not None:
        params["DynamicImageTemplateId"] = value
    error = submit_error(kind, server, ALICE, params)
    message = "DynamicImageTemplateId is mandatory for this action."
    assert_error(error, "MissingDynamicImageTemplateId", 400, message)


BAD_OVERRIDES = {
    "not-json": "{Watermarks:",
    "array": "[]",
    "string": '"Watermarks"',
    "number": "42",
    "null": "null",
    "true": "true",
    "nan": "NaN",
    "deeply-nested": "[" * 10_000 + "]" * 10_000,  # RecursionError in the JSON parser
    "watermarks-object": '{"Watermarks":{"WatermarkId":"w1"}}',
    "watermarks-string": '{"Watermarks":"w1"}',
    "watermark-not-object": '{"Watermarks":["w1"]}',
    "watermark-without-id": '{"Watermarks":[{"Content":"hi"}]}',
    "watermark-id-number": '{"Watermarks":[{"WatermarkId":1}]}',
    "watermark-id-empty": '{"Watermarks":[{"WatermarkId":""}]}',
    "content-number": '{"Watermarks":[{"WatermarkId":"w1","Content":5}]}',
    "file-url-list": '{"Watermarks":[{"WatermarkId":"w1","FileUrl":["a"]}]}',
    "unknown-watermark-field": '{"Watermarks":[{"WatermarkId":"w1","Colour":"red"}]}',
}


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("value", BAD_OVERRIDES.values(), ids=BAD_OVERRIDES.keys())
def test_invalid_override_params(server: EmulatorServer, kind: str, value: str) -> None:
    error = submit_error(kind, server, ALICE, job(OverrideParams=value))
    assert_error(error, "InvalidParameter", 400, 'The specified parameter "OverrideParams" is not valid.')


GOOD_OVERRIDES = {
    "empty-object": "{}",
    "empty-watermarks": '{"Watermarks":[]}',
    "file-url": '{"Watermarks":[{"WatermarkId":"w1","FileUrl":"https://bucket.oss/x.png"}]}',
    "non-ascii": '{"Watermarks":[{"WatermarkId":"w1","Content":"acc dynamic 动图"}]}',
    "template-config": '{"Video":{"Fps":"5"},"Clip":{"TimeSpan":{"Duration":"2"}}}',
}


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("value", GOOD_OVERRIDES.values(), ids=GOOD_OVERRIDES.keys())
def test_valid_override_params(server: EmulatorServer, kind: str, value: str) -> None:
    result = submitter(kind)(server, ALICE, job(OverrideParams=value))
    row = dynamic_image_job(server, result.job_id)
    assert row is not None and json.loads(row["override_params"]) == json.loads(value)


ORDER = [
    # (params, expected code): each pair has every later check failing too.
    ({"OverrideParams": "x"}, "MissingVideoId"),
    ({"VideoId": "0" * 32, "OverrideParams": "x"}, "MissingDynamicImageTemplateId"),
    ({"VideoId": "0" * 32, "DynamicImageTemplateId": "f" * 32, "OverrideParams": "x"}, "InvalidParameter"),
    ({"VideoId": "0" * 32, "DynamicImageTemplateId": "f" * 32}, "InvalidVideo.NotFound"),
    ({"VideoId": BOB_VIDEO, "DynamicImageTemplateId": ALICE_SNAPSHOT_TEMPLATE}, "InvalidVideo.NotFound"),
    ({"VideoId": ALICE_VIDEO["Uploading"], "DynamicImageTemplateId": "f" * 32}, "Forbidden.IllegalStatus"),
    ({"VideoId": ALICE_VIDEO["ProduceFail"], "DynamicImageTemplateId": BOB_WEBP_TEMPLATE}, "Forbidden.IllegalStatus"),
    ({"VideoId": ALICE_VIDEO["Blocked"], "DynamicImageTemplateId": ALICE_SNAPSHOT_TEMPLATE}, "NoSuchResource"),
]


@pytest.mark.parametrize(("params", "code"), ORDER)
def test_order_of_checks(server: EmulatorServer, params: dict[str, str], code: str) -> None:
    assert submit_error("tea_v3", server, ALICE, params).code == code
    assert submit_error("legacy", server, ALICE, params).code == code


def test_failed_submissions_store_nothing(server: EmulatorServer) -> None:
    from tests.stored import rows

    before = rows(server, "SELECT COUNT(*) AS n FROM dynamicimagejob")[0]["n"]
    submit_error("legacy", server, ALICE, job(ALICE_VIDEO["Uploading"]))
    submit_error("tea_v3", server, ALICE, job(template=ALICE_SNAPSHOT_TEMPLATE))
    assert rows(server, "SELECT COUNT(*) AS n FROM dynamicimagejob")[0]["n"] == before
