"""Media assets through the official SDKs: GetVideoInfo(s), UpdateVideoInfo, DeleteVideo.

These tests run their own emulator with ``tests/fixtures/videos.yaml``, whose videos they may change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALICE, BOB, Key
from tests.sdk_clients import submit_error
from tests.server import EmulatorServer
from tests.vod_calls import CLIENT_KINDS, call, call_error, tea_body

FIXTURE = Path(__file__).parent / "fixtures" / "videos.yaml"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
INFO_VIDEO = "5eed0000000000000000000000000001"
UPDATE_VIDEO = dict(zip(CLIENT_KINDS, [f"5eed00000000000000000000000000{n}" for n in (10, 11, 12)], strict=True))
DELETE_VIDEO = dict(zip(CLIENT_KINDS, [f"5eed00000000000000000000000000{n}" for n in (20, 21, 22)], strict=True))
DELETE_BY_REFERENCE = ("5eed0000000000000000000000000023", "ref-delete-0001")
TEMPLATE = "5eedd1a0000000000000000000000001"
BOB_ONLY_VIDEO = "b0b0000000000000000000000005eed1"
MISSING_VIDEO = "0000000000000000000000000000dead"


def start_server(data_dir: Path) -> EmulatorServer:
    return EmulatorServer(data_dir, env={"VOD_EMULATOR_FIXTURES": str(FIXTURE)}).start()


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    emulator = start_server(tmp_path_factory.mktemp("videos"))
    yield emulator
    emulator.stop()


def video(kind: str, server: EmulatorServer, video_id: str, key: Key = ALICE) -> dict[str, Any]:
    return dict(call(kind, server, key, "GetVideoInfo", VideoId=video_id)["Video"])


def assert_not_found(error: object) -> None:
    assert (error.code, error.status, error.message) == (  # type: ignore[attr-defined]
        "InvalidVideo.NotFound",
        404,
        "The video does not exist.",
    )


def assert_invalid(error: object, name: str) -> None:
    assert (error.code, error.status) == ("InvalidParameter", 400)  # type: ignore[attr-defined]
    assert error.message == f'The specified parameter "{name}" is not valid.'  # type: ignore[attr-defined]


EXPECTED_INFO = {
    "VideoId": INFO_VIDEO,
    "Title": "info video",
    "Description": "a video with every field",
    "Duration": 12.5,
    "Size": 3145728,
    "Status": "Normal",
    "CoverURL": "http://example.com/cover.jpg",
    "CateId": 1000123,
    "CateName": "demo category",
    "Tags": "tag1,tag2",
    "UserData": '{"Extend":{"k":"v"}}',
    "ReferenceId": "ref-info-0001",
    "StorageLocation": "outin-test.oss-cn-shanghai.aliyuncs.com",
    "StorageClass": "Standard",
    "AppId": "app-1000000",
    "DownloadSwitch": "on",
}


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_get_video_info(videos: EmulatorServer, kind: str) -> None:
    info = video(kind, videos, INFO_VIDEO)
    assert {k: info[k] for k in EXPECTED_INFO} == EXPECTED_INFO
    assert isinstance(info["Duration"], float) and isinstance(info["Size"], int) and isinstance(info["CateId"], int)
    assert info["Snapshots"] == {"Snapshot": []}
    assert TIME.match(info["CreationTime"]) and TIME.match(info["ModificationTime"])
    assert info["RegionId"] == "cn-shanghai"
    by_reference = call(kind, videos, ALICE, "GetVideoInfo", ReferenceId="ref-info-0001")["Video"]
    assert by_reference["VideoId"] == INFO_VIDEO


def test_tea_models_map_video_replies(videos: EmulatorServer) -> None:
    one = tea_body(videos, ALICE, "GetVideoInfo", {"VideoId": INFO_VIDEO}).video
    assert (one.duration, one.size, one.cate_id, one.snapshots.snapshot) == (12.5, 3145728, 1000123, [])
    many = tea_body(videos, ALICE, "GetVideoInfos", {"VideoIds": f"{INFO_VIDEO},{MISSING_VIDEO}"}, v1=True)
    assert [v.video_id for v in many.video_list] == [INFO_VIDEO]
    assert many.video_list[0].snapshots == [] and many.video_list[0].duration == 12.5
    assert many.non_exist_video_ids == [MISSING_VIDEO]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_get_video_info_errors(videos: EmulatorServer, kind: str) -> None:
    assert_not_found(call_error(kind, videos, ALICE, "GetVideoInfo", VideoId=MISSING_VIDEO))
    assert_not_found(call_error(kind, videos, ALICE, "GetVideoInfo", VideoId=BOB_ONLY_VIDEO))
    assert_not_found(call_error(kind, videos, BOB, "GetVideoInfo", VideoId=INFO_VIDEO))
    assert_not_found(call_error(kind, videos, BOB, "GetVideoInfo", ReferenceId="ref-info-0001"))
    error = call_error(kind, videos, ALICE, "GetVideoInfo")
    assert (error.code, error.status) == ("MissingVideoId", 400)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_get_video_infos(videos: EmulatorServer, kind: str) -> None:
    ids = f"{INFO_VIDEO},{MISSING_VIDEO},{BOB_ONLY_VIDEO},{INFO_VIDEO}"
    reply = call(kind, videos, ALICE, "GetVideoInfos", VideoIds=ids)
    assert [v["VideoId"] for v in reply["VideoList"]] == [INFO_VIDEO]
    item = reply["VideoList"][0]
    assert {k: item[k] for k in EXPECTED_INFO} == EXPECTED_INFO
    assert item["Snapshots"] == []  # a bare array here
    assert reply["NonExistVideoIds"] == [MISSING_VIDEO, BOB_ONLY_VIDEO]  # another account's = not existing

    by_reference = call(kind, videos, ALICE, "GetVideoInfos", ReferenceIds="ref-info-0001,ref-nope-0001")
    assert [v["VideoId"] for v in by_reference["VideoList"]] == [INFO_VIDEO]
    assert by_reference["NonExistReferenceIds"] == ["ref-nope-0001"]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_get_video_infos_limits(videos: EmulatorServer, kind: str) -> None:
    twenty = [f"{n:032x}" for n in range(1, 21)]
    reply = call(kind, videos, ALICE, "GetVideoInfos", VideoIds=",".join(twenty))
    assert (reply.get("VideoList", []), reply["NonExistVideoIds"]) == ([], twenty)
    error = call_error(kind, videos, ALICE, "GetVideoInfos", VideoIds=",".join([*twenty, f"{21:032x}"]))
    assert (error.code, error.status, error.message) == ("VideoIdsExceededMax", 400, "The VideoIds exceeded maximum.")
    error = call_error(kind, videos, ALICE, "GetVideoInfos", ReferenceIds=",".join(f"ref-{n:04}" for n in range(21)))
    assert_invalid(error, "ReferenceIds")
    assert call_error(kind, videos, ALICE, "GetVideoInfos").code == "MissingVideoIds"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_update_video_info(videos: EmulatorServer, kind: str) -> None:
    video_id = UPDATE_VIDEO[kind]
    before = video(kind, videos, video_id)
    changes = {
        "Title": "新标题 new title",
        "Description": "described",
        "CoverURL": "http://example.com/new-cover.png",
        "CateId": "42",
        "Tags": " a , b,c ",
        "UserData": '{"MessageCallback":{"CallbackURL":"http://example.com/cb"}}',
        "ReferenceId": f"ref-update-{kind}",
    }
    reply = call(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, **changes)
    assert set(reply) == {"RequestId"}
    after = video(kind, videos, video_id)
    assert after["Title"] == changes["Title"]
    assert after["Description"] == "described"
    assert after["CoverURL"] == changes["CoverURL"]
    assert after["CateId"] == 42
    assert after["Tags"] == "a,b,c"
    assert after["UserData"] == changes["UserData"]
    assert after["ReferenceId"] == f"ref-update-{kind}"
    assert (after["Duration"], after["Size"], after["Status"]) == (before["Duration"], before["Size"], "Normal")
    assert TIME.match(after["ModificationTime"]) and after["ModificationTime"] >= before["ModificationTime"]

    # Only the fields passed change.
    call(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, Title="only the title")
    again = video(kind, videos, video_id)
    assert again == {**after, "Title": "only the title", "ModificationTime": again["ModificationTime"]}


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_update_video_info_limits(videos: EmulatorServer, kind: str) -> None:
    video_id = UPDATE_VIDEO[kind]
    call(
        kind,
        videos,
        ALICE,
        "UpdateVideoInfo",
        VideoId=video_id,
        Title="题" * 42 + "ab",  # 128 bytes
        Description="d" * 1024,
        Tags=",".join(f"{n:02}" + "t" * 30 for n in range(16)),
    )  # 16 tags of 32 bytes
    stored = video(kind, videos, video_id)
    assert stored["Title"] == "题" * 42 + "ab" and len(stored["Tags"].split(",")) == 16
    bad = {
        "Title": "题" * 43,  # 129 bytes
        "Description": "d" * 1025,
        "Tags": ",".join(f"t{n}" for n in range(17)),
        "CateId": "not-a-number",
        "UserData": "not json",
        "ReferenceId": "bad id!",
    }
    for name, value in bad.items():
        assert_invalid(call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, **{name: value}), name)
    assert_invalid(call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, Tags="ok," + "x" * 33), "Tags")
    assert_invalid(call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, UserData="[1]"), "UserData")
    # ReferenceId is unique among the account's videos.
    error = call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, ReferenceId="ref-info-0001")
    assert_invalid(error, "ReferenceId")
    assert video(kind, videos, video_id) == stored  # nothing changed


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_update_video_info_isolation(videos: EmulatorServer, kind: str) -> None:
    assert_not_found(call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=MISSING_VIDEO, Title="x"))
    assert_not_found(call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=BOB_ONLY_VIDEO, Title="alice was here"))
    assert video(kind, videos, BOB_ONLY_VIDEO, key=BOB)["Title"] == "bob only"
    assert call_error(kind, videos, ALICE, "UpdateVideoInfo", Title="x").code == "MissingVideoId"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_delete_video(videos: EmulatorServer, kind: str) -> None:
    video_id = DELETE_VIDEO[kind]
    submit = {"VideoId": video_id, "DynamicImageTemplateId": TEMPLATE}
    reply = call(kind, videos, ALICE, "DeleteVideo", VideoIds=f"{video_id},{MISSING_VIDEO},{BOB_ONLY_VIDEO}")
    assert reply["NonExistVideoIds"] == [MISSING_VIDEO, BOB_ONLY_VIDEO]  # another account's = not existing
    assert reply.get("ForbiddenVideoIds", []) == []
    assert video(kind, videos, BOB_ONLY_VIDEO, key=BOB)["VideoId"] == BOB_ONLY_VIDEO  # untouched

    # A deleted video is InvalidVideo.NotFound for every later call.
    assert_not_found(call_error(kind, videos, ALICE, "GetVideoInfo", VideoId=video_id))
    assert_not_found(call_error(kind, videos, ALICE, "UpdateVideoInfo", VideoId=video_id, Title="x"))
    assert_not_found(submit_error(kind, videos, ALICE, submit))
    assert call(kind, videos, ALICE, "GetVideoInfos", VideoIds=video_id)["NonExistVideoIds"] == [video_id]
    # Deleting again is not an error: the id is reported as non-existent.
    assert call(kind, videos, ALICE, "DeleteVideo", VideoIds=video_id)["NonExistVideoIds"] == [video_id]


def test_delete_video_by_reference(videos: EmulatorServer) -> None:
    video_id, reference_id = DELETE_BY_REFERENCE
    reply = call("tea_v3", videos, ALICE, "DeleteVideo", ReferenceIds=f"{reference_id},ref-nope-0001")
    assert reply["NonExistReferenceIds"] == ["ref-nope-0001"]
    assert_not_found(call_error("legacy", videos, ALICE, "GetVideoInfo", VideoId=video_id))
    assert_not_found(call_error("tea_v1", videos, ALICE, "GetVideoInfo", ReferenceId=reference_id))


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_delete_video_limits(videos: EmulatorServer, kind: str) -> None:
    ids = ",".join(f"{n:032x}" for n in range(1, 22))
    error = call_error(kind, videos, ALICE, "DeleteVideo", VideoIds=ids)
    assert (error.code, error.status, error.message) == ("VideoIdsExceededMax", 400, "The VideoIds exceeded maximum.")
    error = call_error(kind, videos, ALICE, "DeleteVideo")
    assert (error.code, error.status) == ("MissingVideoIds", 400)
    twenty = ",".join(f"{n:032x}" for n in range(1, 21))
    assert len(call(kind, videos, ALICE, "DeleteVideo", VideoIds=twenty)["NonExistVideoIds"]) == 20


def test_deletions_survive_a_restart(tmp_path: Path) -> None:
    # Seeding is idempotent: a deleted fixture video or template must not come back on restart.
    emulator = start_server(tmp_path)
    try:
        call("legacy", emulator, ALICE, "DeleteVideo", VideoIds=INFO_VIDEO)
        call("legacy", emulator, ALICE, "DeleteVodTemplate", VodTemplateId=TEMPLATE)
        emulator.restart()
        assert_not_found(call_error("tea_v3", emulator, ALICE, "GetVideoInfo", VideoId=INFO_VIDEO))
        assert call_error("tea_v3", emulator, ALICE, "GetVodTemplate", VodTemplateId=TEMPLATE).code == "NoSuchResource"
    finally:
        emulator.stop()
