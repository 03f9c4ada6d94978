"""Animated-image jobs end to end through the official SDKs: Submit → complete → ListDynamicImage →
download the FileURL and open it with Pillow; failures; DeleteDynamicImage; the job control routes."""

from __future__ import annotations

import json
import re
import sqlite3

import httpx
import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from lxml import etree
from Tea.exceptions import TeaException

from tests.conftest import ALICE, ALICE_VIDEO, BOB, BOB_VIDEO
from tests.job_support import (
    BAD_CONFIG_TEMPLATE,
    SHORT_VIDEO,
    WEBP_COVER_TEMPLATE,
    complete,
    control,
    download,
    legacy_delete,
    legacy_list,
    submit,
    tea_delete,
    tea_list,
    wait_job,
    watermark,
)
from tests.sdk_clients import normalise
from tests.server import EmulatorServer
from tests.signing import v1_request

TINY = json.dumps({"Video": {"Width": "128", "Height": "128", "Fps": "1"}, "Clip": {"TimeSpan": {"Duration": "1"}}})
ITEM_FIELDS = {
    "DynamicImageId",
    "VideoId",
    "JobId",
    "FileURL",
    "Width",
    "Height",
    "Fps",
    "Duration",
    "Format",
    "FileSize",
    "CreationTime",
}


def _item(server: EmulatorServer, video_id: str, job_id: str) -> dict[str, str]:
    items = [item for item in tea_list(server, ALICE, video_id) if item["JobId"] == job_id]
    assert len(items) == 1, items
    return items[0]


def test_immediate_mode_finishes_a_job_after_the_submit_reply(server: EmulatorServer) -> None:
    job_id = submit(server, ALICE)
    job = wait_job(server, job_id)
    assert job["status"] == "Success"
    assert _item(server, ALICE_VIDEO["Normal"], job_id)["Format"] == "gif"


def test_a_manual_job_waits_then_renders_the_gif_it_lists(job_server: EmulatorServer) -> None:
    job_id = submit(job_server, ALICE, OverrideParams=watermark("UserID: 666"))
    pending = control(job_server, "GET", f"/jobs/{job_id}").json()
    assert pending["status"] == "Processing" and not pending["finished"]
    assert job_id not in {item["JobId"] for item in tea_list(job_server, ALICE, ALICE_VIDEO["Normal"])}

    assert complete(job_server, job_id)["status"] == "Success"
    item = _item(job_server, ALICE_VIDEO["Normal"], job_id)
    assert set(item) == ITEM_FIELDS and all(isinstance(v, str) for v in item.values())
    assert item["VideoId"] == ALICE_VIDEO["Normal"]
    assert (item["Width"], item["Height"], item["Fps"], item["Duration"], item["Format"]) == (
        "320",
        "180",
        "10",
        "3",
        "gif",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["CreationTime"])
    expected_url = f"{job_server.url}/{ALICE_VIDEO['Normal']}/image/dynamic/{item['DynamicImageId']}.gif"
    assert item["FileURL"] == expected_url
    data, animation = download(item["FileURL"])
    assert animation.format == "GIF" and animation.size == (320, 180)
    assert len(animation.durations) == 30 and set(animation.durations) == {100}  # 10 fps × 3 s, 1000/10 ms
    assert int(item["FileSize"]) == len(data)


def test_a_watermark_override_changes_the_pixels(job_server: EmulatorServer) -> None:
    first = submit(job_server, ALICE, OverrideParams=watermark("first viewer"))
    second = submit(job_server, ALICE, OverrideParams=watermark("second viewer"))
    done = control(job_server, "POST", "/jobs/complete-all", params={"video_id": ALICE_VIDEO["Normal"]}).json()
    assert {first, second} <= {job["job_id"] for job in done["jobs"] if job["status"] == "Success"}
    urls = [_item(job_server, ALICE_VIDEO["Normal"], job_id)["FileURL"] for job_id in (first, second)]
    frames = [download(url)[1].frames for url in urls]
    assert frames[0][0].size == frames[1][0].size
    assert frames[0][0].tobytes() != frames[1][0].tobytes()


def test_webp_output_and_set_default_cover(job_server: EmulatorServer) -> None:
    job_id = submit(job_server, ALICE, ALICE_VIDEO["UploadSucc"], DynamicImageTemplateId=WEBP_COVER_TEMPLATE)
    complete(job_server, job_id)
    item = _item(job_server, ALICE_VIDEO["UploadSucc"], job_id)
    assert item["FileURL"].endswith(".webp") and item["Format"] == "webp"
    data, animation = download(item["FileURL"])
    assert animation.format == "WEBP" and animation.size == (256, 144)
    assert animation.durations == [200] * 10  # 5 fps × 2 s
    assert int(item["FileSize"]) == len(data)
    with sqlite3.connect(job_server.data_dir / "vod-emulator.db") as db:
        (cover,) = db.execute("SELECT cover_url FROM video WHERE video_id = ?", (ALICE_VIDEO["UploadSucc"],)).fetchone()
    assert cover == item["FileURL"]


@pytest.mark.parametrize(
    ("video_id", "params", "code"),
    [
        (SHORT_VIDEO, {"OverrideParams": json.dumps({"Clip": {"TimeSpan": {"Seek": "5"}}})}, "ClipOutOfRange"),
        (SHORT_VIDEO, {"DynamicImageTemplateId": BAD_CONFIG_TEMPLATE}, "TemplateConfig"),
    ],
)
def test_a_job_that_cannot_render_fails_and_lists_nothing(
    job_server: EmulatorServer, video_id: str, params: dict[str, str], code: str
) -> None:
    job_id = submit(job_server, ALICE, video_id, **params)
    job = complete(job_server, job_id)
    assert job["status"] == "Fail" and job["error_code"] == f"InvalidParameter.{code}"
    assert job["error_message"] and job["dynamic_image"] is None
    assert job_id not in {item["JobId"] for item in tea_list(job_server, ALICE, video_id)}


def test_fail_route_finishes_once_and_complete_leaves_a_finished_job(job_server: EmulatorServer) -> None:
    job_id = submit(job_server, ALICE, ALICE_VIDEO["Checking"])
    failed = control(job_server, "POST", f"/jobs/{job_id}/fail", json={"code": "Custom.Broken", "message": "boom"})
    assert failed.status_code == 200
    assert (failed.json()["status"], failed.json()["error_code"], failed.json()["error_message"]) == (
        "Fail",
        "Custom.Broken",
        "boom",
    )
    assert control(job_server, "POST", f"/jobs/{job_id}/fail").status_code == 409
    assert complete(job_server, job_id)["status"] == "Fail"
    assert control(job_server, "GET", "/jobs/ffffffffffffffffffffffffffffffff").status_code == 404
    assert control(job_server, "POST", "/jobs/ffffffffffffffffffffffffffffffff/complete").status_code == 404


def test_job_list_filters(job_server: EmulatorServer) -> None:
    job_id = submit(job_server, ALICE, ALICE_VIDEO["Blocked"])
    pending = control(job_server, "GET", "/jobs", params={"status": "Processing", "video_id": ALICE_VIDEO["Blocked"]})
    assert [job["job_id"] for job in pending.json()["jobs"]] == [job_id]
    assert control(job_server, "GET", "/jobs", params={"account_id": "1000000000000002"}).json()["jobs"] == [
        job for job in control(job_server, "GET", "/jobs").json()["jobs"] if job["account_id"] == "1000000000000002"
    ]
    complete(job_server, job_id)
    assert control(job_server, "GET", "/jobs", params={"status": "Success", "video_id": ALICE_VIDEO["Blocked"]}).json()[
        "jobs"
    ][0]["job_id"] == job_id


def test_list_dynamic_image_in_xml_repeats_elements(job_server: EmulatorServer) -> None:
    # The official clients always ask for JSON; a V1 request without Format gets XML (signed as they sign).
    raw = v1_request(ALICE, {"VideoId": ALICE_VIDEO["Normal"]}, action="ListDynamicImage", fmt=None)
    with httpx.Client(base_url=job_server.url) as client:
        root = etree.fromstring(raw.send(client).content)
    elements = root.findall("DynamicImageList")
    assert len(elements) >= 2
    assert all(element.findtext("FileURL", "").startswith("http://") for element in elements)
    empty = json.loads(legacy_list(job_server, ALICE, ALICE_VIDEO["Transcoding"]))
    assert empty["DynamicImageList"] == []


def test_list_and_delete_need_the_callers_video(job_server: EmulatorServer) -> None:
    with pytest.raises(TeaException) as tea_error:
        tea_list(job_server, ALICE, BOB_VIDEO)
    with pytest.raises(ServerException) as legacy_error:
        legacy_delete(job_server, ALICE, BOB_VIDEO)
    with pytest.raises(ServerException) as missing:
        legacy_list(job_server, ALICE, "")
    for error in (normalise(tea_error.value), normalise(legacy_error.value)):
        assert (error.code, error.status) == ("InvalidVideo.NotFound", 404)
    assert (normalise(missing.value).code, normalise(missing.value).status) == ("MissingVideoId", 400)
    assert tea_list(job_server, BOB, BOB_VIDEO) == []


def test_delete_dynamic_image_by_ids_and_all(job_server: EmulatorServer) -> None:
    video_id = ALICE_VIDEO["Transcoding"]
    job_ids = [submit(job_server, ALICE, video_id, OverrideParams=TINY) for _ in range(11)]
    control(job_server, "POST", "/jobs/complete-all", params={"video_id": video_id}).raise_for_status()
    items = tea_list(job_server, ALICE, video_id)
    assert [item["JobId"] for item in items] == job_ids  # creation order
    ids = [item["DynamicImageId"] for item in items]

    for too_many in (None, ",".join(ids)):  # omitted with 11 images, and 11 ids
        with pytest.raises(TeaException) as error:
            tea_delete(job_server, ALICE, video_id, too_many)
        sdk_error = normalise(error.value)
        assert (sdk_error.code, sdk_error.status) == ("InvalidParameter", 400)
        assert "DynamicImageIds" in sdk_error.message
    legacy_delete(job_server, ALICE, video_id, f"{ids[0]},{ids[1]}")
    assert [item["DynamicImageId"] for item in tea_list(job_server, ALICE, video_id)] == ids[2:]
    tea_delete(job_server, ALICE, video_id)  # 9 left: "all" is allowed
    assert tea_list(job_server, ALICE, video_id) == []
    _, animation = download(items[0]["FileURL"])  # records go, files stay
    assert animation.size == (128, 128)
