"""VOD templates through the official SDKs: CRUD, TemplateConfig validation, Name limits, isolation."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.conftest import ALICE, ALICE_SNAPSHOT_TEMPLATE, ALICE_VIDEO, BOB, Key
from tests.sdk_clients import submit_error, submitter
from tests.server import EmulatorServer
from tests.vod_calls import CLIENT_KINDS, call, call_error, tea_body

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SCHEMA_EXAMPLE = (
    '{"Name":"gif-3s","Video":{"Width":"640","Height":"360","Fps":"10"},"Container":{"Format":"gif"},'
    '"Clip":{"TimeSpan":{"Seek":"00:00:01.000","Duration":"3"}},"SetDefaultCover":"false"}'
)
FLAT_CONFIG = '{"Format":"gif","Fps":5,"Width":320,"Timeline":{"Start":"00:00:01","Duration":"00:00:05"}}'
MISSING_TEMPLATE = "0123456789abcdef0123456789abcdef"


def add(kind: str, server: EmulatorServer, config: str, *, key: Key = ALICE, **params: str) -> str:
    params = {"Name": "test template", "TemplateType": "DynamicImage", **params, "TemplateConfig": config}
    reply = call(kind, server, key, "AddVodTemplate", **params)
    assert re.fullmatch(r"[0-9a-f]{32}", reply["VodTemplateId"])
    return str(reply["VodTemplateId"])


def get_info(kind: str, server: EmulatorServer, template_id: str, key: Key = ALICE) -> dict[str, str]:
    return dict(call(kind, server, key, "GetVodTemplate", VodTemplateId=template_id)["VodTemplateInfo"])


def listed(kind: str, server: EmulatorServer, key: Key = ALICE, **params: str) -> dict[str, dict[str, str]]:
    params = {"TemplateType": "DynamicImage", **params}
    reply = call(kind, server, key, "ListVodTemplate", **params)
    return {item["VodTemplateId"]: item for item in reply["VodTemplateInfoList"]}


def assert_invalid(error: object, name: str) -> None:
    assert (error.code, error.status) == ("InvalidParameter", 400)  # type: ignore[attr-defined]
    assert error.message == f'The specified parameter "{name}" is not valid.'  # type: ignore[attr-defined]


def assert_no_such_template(error: object, template_id: str) -> None:
    assert (error.code, error.status) == ("NoSuchResource", 404)  # type: ignore[attr-defined]
    assert error.message == f"The specified resource VodTemplateId({template_id}) does not exist."  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_template_crud_round_trip(server: EmulatorServer, kind: str) -> None:
    template_id = add(kind, server, SCHEMA_EXAMPLE, Name=f"crud {kind}")

    info = get_info(kind, server, template_id)
    assert info["VodTemplateId"] == template_id
    assert info["Name"] == f"crud {kind}"
    assert info["TemplateType"] == "DynamicImage"
    assert info["TemplateConfig"] == SCHEMA_EXAMPLE  # the JSON string as stored
    assert info["IsDefault"] == "NotDefault"
    assert TIME.match(info["CreationTime"]) and info["ModifyTime"] == info["CreationTime"]

    item = listed(kind, server)[template_id]
    assert item["AppId"] == "app-1000000"
    assert {k: v for k, v in item.items() if k != "AppId"} == info

    new_config = '{"Container":{"Format":"webp"}}'
    updated = call(
        kind, server, ALICE, "UpdateVodTemplate", VodTemplateId=template_id, Name="renamed", TemplateConfig=new_config
    )
    assert updated["VodTemplateId"] == template_id
    info = get_info(kind, server, template_id)
    assert (info["Name"], info["TemplateConfig"]) == ("renamed", new_config)
    assert TIME.match(info["ModifyTime"]) and info["ModifyTime"] >= info["CreationTime"]

    # Only the fields passed change.
    call(kind, server, ALICE, "UpdateVodTemplate", VodTemplateId=template_id, Name="renamed again")
    assert get_info(kind, server, template_id)["TemplateConfig"] == new_config

    deleted = call(kind, server, ALICE, "DeleteVodTemplate", VodTemplateId=template_id)
    assert deleted["VodTemplateId"] == template_id
    assert template_id not in listed(kind, server)
    for action in ("GetVodTemplate", "UpdateVodTemplate", "DeleteVodTemplate"):
        assert_no_such_template(call_error(kind, server, ALICE, action, VodTemplateId=template_id), template_id)


def test_tea_models_map_every_template_reply(server: EmulatorServer) -> None:
    template_id = add("tea_v3", server, SCHEMA_EXAMPLE, Name="typed")
    info = tea_body(server, ALICE, "GetVodTemplate", {"VodTemplateId": template_id}).vod_template_info
    assert (info.vod_template_id, info.template_config, info.is_default) == (template_id, SCHEMA_EXAMPLE, "NotDefault")
    items = tea_body(server, ALICE, "ListVodTemplate", {"TemplateType": "DynamicImage"}).vod_template_info_list
    assert [i.app_id for i in items if i.vod_template_id == template_id] == ["app-1000000"]


GOOD_CONFIGS = {
    "schema example": SCHEMA_EXAMPLE,
    "empty object": "{}",
    "flat off-schema": FLAT_CONFIG,
    "unknown fields kept": '{ "Video" : {"Width":"320", "Custom":"x"}, "Extra": {"a": [1, 2.50]}, "名": "动图" }',
    "side bounds": '{"Video":{"Width":"128","Height":"4096"}}',
    "numeric sides": '{"Video":{"Width":4096,"Height":128}}',
    "empty sides": '{"Video":{"Width":"","Height":""}}',
    "one side": '{"Video":{"Width":"640"}}',
    "fps 60": '{"Video":{"Fps":"60"}}',
    "fps fraction": '{"Video":{"Fps":0.5}}',
    "webp": '{"Container":{"Format":"webp"}}',
    "format any case": '{"Container":{"Format":"GIF"}}',
    "seconds times": '{"Clip":{"TimeSpan":{"Seek":"86399.999","Duration":"0.5"}}}',
    "clock times": '{"Clip":{"TimeSpan":{"Seek":"01:02:03.456","Duration":"00:00:05"}}}',
    "end and duration": '{"Clip":{"TimeSpan":{"Seek":"1","Duration":"3","End":"00:00:02.5"}}}',
    "numeric times": '{"Clip":{"TimeSpan":{"Seek":0,"End":10}}}',
    "cover true": '{"SetDefaultCover":"true"}',
    "cover bool": '{"SetDefaultCover":false}',
}


@pytest.mark.parametrize("name", list(GOOD_CONFIGS))
def test_valid_configs_are_stored_verbatim(server: EmulatorServer, name: str) -> None:
    kind = CLIENT_KINDS[list(GOOD_CONFIGS).index(name) % len(CLIENT_KINDS)]
    config = GOOD_CONFIGS[name]
    template_id = add(kind, server, config)
    assert get_info(kind, server, template_id)["TemplateConfig"] == config
    assert listed(kind, server)[template_id]["TemplateConfig"] == config
    updated = call(kind, server, ALICE, "UpdateVodTemplate", VodTemplateId=template_id, TemplateConfig=config)
    assert updated["VodTemplateId"] == template_id


BAD_CONFIGS = {
    "not json": "{Video:",
    "array": "[1, 2]",
    "string": '"gif"',
    "number": "5",
    "null": "null",
    "width below": '{"Video":{"Width":"127"}}',
    "width above": '{"Video":{"Width":"4097"}}',
    "width fraction": '{"Video":{"Width":"320.5"}}',
    "width text": '{"Video":{"Width":"wide"}}',
    "height zero": '{"Video":{"Height":0}}',
    "fps zero": '{"Video":{"Fps":"0"}}',
    "fps above": '{"Video":{"Fps":"61"}}',
    "fps negative": '{"Video":{"Fps":-1}}',
    "fps text": '{"Video":{"Fps":"fast"}}',
    "fps bool": '{"Video":{"Fps":true}}',
    "video not object": '{"Video":"640x360"}',
    "format mp4": '{"Container":{"Format":"mp4"}}',
    "format number": '{"Container":{"Format":1}}',
    "seek beyond a day": '{"Clip":{"TimeSpan":{"Seek":"86400"}}}',
    "seek negative": '{"Clip":{"TimeSpan":{"Seek":"-1"}}}',
    "seek bad clock": '{"Clip":{"TimeSpan":{"Seek":"00:60:00"}}}',
    "seek short clock": '{"Clip":{"TimeSpan":{"Seek":"1:2"}}}',
    "duration text": '{"Clip":{"TimeSpan":{"Duration":"three"}}}',
    "duration too many decimals": '{"Clip":{"TimeSpan":{"Duration":"1.2345"}}}',
    "end beyond a day": '{"Clip":{"TimeSpan":{"End":"25:00:00"}}}',
    "timespan not object": '{"Clip":{"TimeSpan":5}}',
    "cover yes": '{"SetDefaultCover":"yes"}',
}


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_invalid_configs_are_rejected(server: EmulatorServer, name: str) -> None:
    kind = CLIENT_KINDS[list(BAD_CONFIGS).index(name) % len(CLIENT_KINDS)]
    config = BAD_CONFIGS[name]
    error = call_error(
        kind, server, ALICE, "AddVodTemplate", Name="bad", TemplateType="DynamicImage", TemplateConfig=config
    )
    assert_invalid(error, "TemplateConfig")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_update_with_bad_config_changes_nothing(server: EmulatorServer, kind: str) -> None:
    template_id = add(kind, server, SCHEMA_EXAMPLE, Name="keep me")
    error = call_error(
        kind,
        server,
        ALICE,
        "UpdateVodTemplate",
        VodTemplateId=template_id,
        Name="changed",
        TemplateConfig='{"Video":{"Fps":"120"}}',
    )
    assert_invalid(error, "TemplateConfig")
    info = get_info(kind, server, template_id)
    assert (info["Name"], info["TemplateConfig"]) == ("keep me", SCHEMA_EXAMPLE)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_snapshot_templates_are_stored_as_given(server: EmulatorServer, kind: str) -> None:
    # Only "a JSON object" is required: DynamicImage rules do not apply to a Snapshot config.
    config = '{"SnapshotConfig":{"Count":"3"},"Video":{"Width":"1"}}'
    template_id = add(kind, server, config, TemplateType="Snapshot")
    info = get_info(kind, server, template_id)
    assert (info["TemplateType"], info["TemplateConfig"]) == ("Snapshot", config)
    assert template_id in listed(kind, server, TemplateType="Snapshot")
    assert template_id not in listed(kind, server)  # DynamicImage
    error = call_error(kind, server, ALICE, "AddVodTemplate", Name="s", TemplateType="Snapshot", TemplateConfig="[]")
    assert_invalid(error, "TemplateConfig")
    error = call_error(kind, server, ALICE, "UpdateVodTemplate", VodTemplateId=template_id, TemplateConfig="x")
    assert_invalid(error, "TemplateConfig")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_name_is_at_most_128_utf8_bytes(server: EmulatorServer, kind: str) -> None:
    longest = "动" * 42 + "ab"  # 128 bytes, 44 characters
    template_id = add(kind, server, "{}", Name=longest)
    assert get_info(kind, server, template_id)["Name"] == longest
    too_long = "动" * 43  # 129 bytes, 43 characters
    assert_invalid(
        call_error(
            kind, server, ALICE, "AddVodTemplate", Name=too_long, TemplateType="DynamicImage", TemplateConfig="{}"
        ),
        "Name",
    )
    assert_invalid(
        call_error(kind, server, ALICE, "UpdateVodTemplate", VodTemplateId=template_id, Name=too_long), "Name"
    )
    assert get_info(kind, server, template_id)["Name"] == longest


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_template_type_and_app_id_are_checked(server: EmulatorServer, kind: str) -> None:
    error = call_error(kind, server, ALICE, "AddVodTemplate", Name="t", TemplateType="Transcode", TemplateConfig="{}")
    assert_invalid(error, "TemplateType")
    assert_invalid(call_error(kind, server, ALICE, "ListVodTemplate", TemplateType="dynamicimage"), "TemplateType")
    error = call_error(
        kind,
        server,
        ALICE,
        "AddVodTemplate",
        Name="t",
        TemplateType="DynamicImage",
        TemplateConfig="{}",
        AppId="my-app",
    )
    assert_invalid(error, "AppId")


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_required_parameters(server: EmulatorServer, kind: str) -> None:
    error = call_error(kind, server, ALICE, "AddVodTemplate", TemplateType="DynamicImage", TemplateConfig="{}")
    assert (error.code, error.status, error.message) == ("MissingName", 400, "Name is mandatory for this action.")
    error = call_error(kind, server, ALICE, "AddVodTemplate", Name="n", TemplateConfig="{}")
    assert error.code == "MissingTemplateType"
    error = call_error(kind, server, ALICE, "AddVodTemplate", Name="n", TemplateType="DynamicImage")
    assert error.code == "MissingTemplateConfig"
    assert call_error(kind, server, ALICE, "GetVodTemplate").code == "MissingVodTemplateId"
    assert call_error(kind, server, ALICE, "ListVodTemplate").code == "MissingTemplateType"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_templates_are_per_app(server: EmulatorServer, kind: str) -> None:
    template_id = add(kind, server, "{}", AppId="app-2000001")
    assert template_id not in listed(kind, server)  # no AppId: the default app-1000000
    assert listed(kind, server, AppId="app-2000001")[template_id]["AppId"] == "app-2000001"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_unknown_template_is_no_such_resource(server: EmulatorServer, kind: str) -> None:
    for action in ("GetVodTemplate", "UpdateVodTemplate", "DeleteVodTemplate"):
        error = call_error(kind, server, ALICE, action, VodTemplateId=MISSING_TEMPLATE)
        assert_no_such_template(error, MISSING_TEMPLATE)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_another_accounts_template_does_not_exist(server: EmulatorServer, kind: str) -> None:
    template_id = add(kind, server, SCHEMA_EXAMPLE, Name="alice only")
    for action, extra in (
        ("GetVodTemplate", {}),
        ("UpdateVodTemplate", {"Name": "bob was here"}),
        ("DeleteVodTemplate", {}),
    ):
        error = call_error(kind, server, BOB, action, VodTemplateId=template_id, **extra)
        assert_no_such_template(error, template_id)
    assert template_id not in listed(kind, server, key=BOB)
    info = get_info(kind, server, template_id)
    assert info["Name"] == "alice only"


def _job_template_config(server: EmulatorServer, job_id: str) -> str | None:
    with sqlite3.connect(f"file:{server.data_dir / 'vod-emulator.db'}?mode=ro", uri=True) as db:
        row = db.execute("SELECT template_config FROM dynamicimagejob WHERE job_id = ?", (job_id,)).fetchone()
    return None if row is None else row[0]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_jobs_keep_the_config_they_were_submitted_with(server: EmulatorServer, kind: str) -> None:
    template_id = add(kind, server, SCHEMA_EXAMPLE, Name="short-lived")
    job = submitter(kind)(server, ALICE, {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": template_id})
    call(kind, server, ALICE, "UpdateVodTemplate", VodTemplateId=template_id, TemplateConfig="{}")
    call(kind, server, ALICE, "DeleteVodTemplate", VodTemplateId=template_id)
    assert _job_template_config(server, job.job_id) == SCHEMA_EXAMPLE
    # A deleted template cannot be used for new jobs.
    error = call_error(kind, server, ALICE, "GetVodTemplate", VodTemplateId=template_id)
    assert error.code == "NoSuchResource"
    error = submit_error(kind, server, ALICE, {"VideoId": ALICE_VIDEO["Normal"], "DynamicImageTemplateId": template_id})
    assert (error.code, error.status) == ("NoSuchResource", 404)


def test_seeded_snapshot_template_is_listed(server: EmulatorServer) -> None:
    item = listed("legacy", server, TemplateType="Snapshot")[ALICE_SNAPSHOT_TEMPLATE]
    assert json.loads(item["TemplateConfig"]) == {"SnapshotConfig": {"Count": "1", "SpecifiedOffsetTime": "0"}}
