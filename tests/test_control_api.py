"""Every control endpoint through HTTP: resources, reset, scenarios, state, seed, clock, admin token."""

from __future__ import annotations

import json

import httpx
import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests.conftest import ALICE, ALICE_GIF_TEMPLATE, ALICE_VIDEO, BOB, BOB_VIDEO, Key
from tests.control_support import control_client, private_server, status_video_id
from tests.sdk_clients import call, normalise, submitter
from tests.server import EmulatorServer

ALICE_ID = "1000000000000001"
BOB_ID = "1000000000000002"


@pytest.fixture
def server(control_server: EmulatorServer) -> EmulatorServer:
    """The control tests' shared emulator (they reset it; the session's ``server`` is left alone)."""
    return control_server


def submit(server: EmulatorServer, key: Key, video: str, template: str = ALICE_GIF_TEMPLATE) -> str:
    return submitter("tea_v3")(server, key, {"VideoId": video, "DynamicImageTemplateId": template}).job_id


def table(control: httpx.Client, name: str) -> list[dict]:
    return control.get("/state").json()["tables"][name]


# --- resources ---------------------------------------------------------------------------------


def test_accounts_and_keys_created_changed_used(server: EmulatorServer, control: httpx.Client) -> None:
    created = control.post("/accounts", json={"name": "carol", "access_keys": [{}]})
    assert created.status_code == 201
    account = created.json()
    assert account["name"] == "carol" and len(account["id"]) == 16 and account["id"].isdigit()
    generated = account["access_keys"][0]
    key = Key(generated["id"], generated["secret"])
    assert control.post("/accounts", json={"id": account["id"]}).status_code == 409

    video = control.post(f"/accounts/{account['id']}/videos", json={"status": "Normal"}).json()["id"]
    template = control.post(f"/accounts/{account['id']}/templates", json={"name": "gif", "config": {}}).json()["id"]
    assert submit(server, key, video, template)

    assert control.patch(f"/accounts/{account['id']}", json={"name": "caroline"}).json()["name"] == "caroline"
    assert [a["name"] for a in control.get("/accounts").json()] == ["alice", "bob", "caroline"]

    explicit = control.post(
        f"/accounts/{account['id']}/access-keys", json={"id": "LTAI5tCarolSecond", "secret": "carol-second-secret"}
    )
    assert explicit.status_code == 201 and explicit.json()["account_id"] == account["id"]
    assert control.patch("/access-keys/LTAI5tCarolSecond", json={"status": "Inactive"}).json()["status"] == "Inactive"
    with pytest.raises(ServerException) as disabled:
        call("legacy", server, Key("LTAI5tCarolSecond", "carol-second-secret"), {"VideoId": video})
    assert normalise(disabled.value).code == "InvalidAccessKeyId.Inactive"

    assert control.delete("/access-keys/LTAI5tCarolSecond").status_code == 204
    assert control.delete("/access-keys/LTAI5tCarolSecond").status_code == 404
    assert control.delete(f"/accounts/{account['id']}").status_code == 204
    assert [a["id"] for a in control.get("/accounts").json()] == [ALICE_ID, BOB_ID]
    assert control.post("/accounts/404/access-keys", json={}).status_code == 404


def test_videos_in_any_status_and_status_changes(server: EmulatorServer, control: httpx.Client) -> None:
    created = control.post(f"/accounts/{ALICE_ID}/videos", json={"status": "Uploading", "title": "raw", "duration": 9})
    assert created.status_code == 201
    video = created.json()
    assert video["status"] == "Uploading" and video["duration"] == 9 and len(video["id"]) == 32
    with pytest.raises(Exception) as illegal:
        submit(server, ALICE, video["id"])
    assert normalise(illegal.value).code == "Forbidden.IllegalStatus"

    changed = control.patch(f"/videos/{video['id']}", json={"status": "Normal"})
    assert changed.json()["status"] == "Normal"
    assert submit(server, ALICE, video["id"])

    assert control.get(f"/videos/{video['id']}").json()["title"] == "raw"
    assert control.get("/videos/0123456789abcdef0123456789abcdef").status_code == 404
    assert control.patch("/videos/0123456789abcdef0123456789abcdef", json={"status": "Normal"}).status_code == 404
    assert control.patch(f"/videos/{video['id']}", json={"status": "Nonsense"}).status_code == 422
    transcoding = control.get("/videos", params={"account_id": ALICE_ID, "status": "Transcoding"}).json()
    assert [v["id"] for v in transcoding] == [ALICE_VIDEO["Transcoding"]]
    fixed = control.post(f"/accounts/{ALICE_ID}/videos", json={"id": "0" * 31 + "1", "status": "Blocked"})
    assert fixed.json()["id"] == "0" * 31 + "1"
    assert control.post(f"/accounts/{ALICE_ID}/videos", json={"id": "0" * 31 + "1"}).status_code == 409


def test_templates_are_created_and_updated(server: EmulatorServer, control: httpx.Client) -> None:
    config = {"Video": {"Width": "320"}, "Container": {"Format": "webp"}}
    created = control.post(f"/accounts/{BOB_ID}/templates", json={"name": "bob webp", "config": config})
    assert created.status_code == 201
    template = created.json()
    assert template["type"] == "DynamicImage" and json.loads(template["config"]) == config
    assert submit(server, BOB, BOB_VIDEO, template["id"])

    updated = control.patch(f"/templates/{template['id']}", json={"name": "renamed", "config": '{"raw":true}'}).json()
    assert updated["name"] == "renamed" and updated["config"] == '{"raw":true}'
    listed = control.get("/templates", params={"account_id": BOB_ID, "type": "DynamicImage"}).json()
    assert template["id"] in [t["id"] for t in listed]
    assert control.patch("/templates/" + "f" * 32, json={"name": "x"}).status_code == 404


# --- reset, scenarios, state ---------------------------------------------------------------------


def test_reset_all_restores_the_fixtures(server: EmulatorServer, control: httpx.Client) -> None:
    control.post(f"/accounts/{ALICE_ID}/videos", json={"status": "Normal"})
    job = submit(server, ALICE, ALICE_VIDEO["Normal"])
    assert [j["job_id"] for j in table(control, "dynamicimagejob")] == [job]

    result = control.post("/reset").json()
    assert result["scope"] == "all" and result["deleted"]["dynamicimagejob"] == 1
    assert result["fixtures"][0].endswith("default.yaml")
    assert table(control, "dynamicimagejob") == []
    assert len(table(control, "video")) == 10
    emptied = control.post("/reset", json={"reload_fixtures": False}).json()
    assert emptied["fixtures"] == []
    assert all(rows == [] for rows in control.get("/state").json()["tables"].values())


def test_reset_one_account_leaves_the_others_alone(server: EmulatorServer, control: httpx.Client) -> None:
    alice_job = submit(server, ALICE, ALICE_VIDEO["Normal"])
    bob_job = submit(server, BOB, BOB_VIDEO, "b0bd1a00000000000000000000000001")
    control.post(f"/accounts/{BOB_ID}/videos", json={"status": "Normal"})

    result = control.post("/reset", json={"account_id": BOB_ID}).json()
    assert result["scope"] == "account" and result["deleted"]["video"] == 2
    assert [j["job_id"] for j in table(control, "dynamicimagejob")] == [alice_job]
    assert bob_job not in json.dumps(control.get("/state").json())
    assert len(control.get("/videos", params={"account_id": BOB_ID}).json()) == 1  # the fixture's, reloaded


def test_named_scenarios_load_merge_or_replace(control: httpx.Client) -> None:
    names = {s["name"] for s in control.get("/scenarios").json()}
    assert {"default", "every-status", "multi-account", "throttled", "empty"} <= names

    merged = control.post("/scenarios/every-status")
    assert merged.status_code == 200 and merged.json()["videos"] == 9 and merged.json()["replaced"] is False
    assert len(control.get("/videos", params={"account_id": ALICE_ID}).json()) == 18

    replaced = control.post("/scenarios/every-status", params={"replace": "true"}).json()
    assert replaced["replaced"] is True
    videos = control.get("/videos").json()
    assert {v["id"] for v in videos} == {status_video_id(v["status"]) for v in videos}
    assert len(videos) == 9

    control.post("/scenarios/empty", params={"replace": "true"})
    assert control.get("/accounts").json() == []
    control.post("/scenarios/multi-account", params={"replace": "true"})
    assert len(control.get("/accounts").json()) == 4
    control.post("/scenarios/throttled", params={"replace": "true"})
    assert {r["id"] for r in control.get("/faults").json()} == {"alice-qps", "submit-slow", "submit-503-once"}

    missing = control.post("/scenarios/no-such-scenario")
    assert missing.status_code == 404 and "every-status" in missing.json()["detail"]
    assert control.post("/scenarios/..%2Fpyproject").status_code == 404


def test_a_posted_scenario_loads_yaml_or_json(control: httpx.Client) -> None:
    yaml_text = """
accounts:
  - id: "3000000000000001"
    name: posted
    access_keys: [{id: LTAI5tPosted0001, secret: posted-secret}]
    videos: [{id: 3000000000000000000000000000000a, status: Checking}]
faults:
  - {action: GetVideoInfo, code: ServiceUnavailable, times: 1}
callbacks:
  - {account_id: "3000000000000001", callback_url: "http://127.0.0.1:9/cb", event_types: [DynamicImageComplete]}
"""
    loaded = control.post("/scenarios", content=yaml_text, headers={"content-type": "application/yaml"})
    assert loaded.status_code == 200, loaded.text
    assert loaded.json() | {"source": None} == {
        "source": None, "replaced": False, "accounts": 1, "access_keys": 1, "videos": 1, "templates": 0,
        "faults": 1, "callbacks": 1,
    }  # fmt: skip
    callback = table(control, "messagecallback")
    assert callback[0]["callback_url"] == "http://127.0.0.1:9/cb"
    assert callback[0]["event_type_list"] == "DynamicImageComplete"

    as_json = {"accounts": [{"id": "3000000000000002", "name": "json"}]}
    assert control.post("/scenarios", json=as_json).status_code == 200
    assert "3000000000000002" in [a["id"] for a in control.get("/accounts").json()]


def test_bad_scenarios_are_rejected_whole_and_name_the_field(control: httpx.Client) -> None:
    before = control.get("/state").json()["tables"]
    bad = """
accounts:
  - id: "3000000000000003"
    videos:
      - {id: 3000000000000000000000000000000b, status: Normal}
      - {id: 3000000000000000000000000000000c, status: Finished}
"""
    rejected = control.post("/scenarios", content=bad)
    assert rejected.status_code == 400
    detail = rejected.json()["detail"]
    assert detail.startswith("request body: accounts.0.videos.1.status:") and "Finished" in detail

    # Valid shape, but a key owned by another account: rejected while applying, nothing kept.
    conflict = {
        "accounts": [
            {"id": "3000000000000004", "videos": [{"id": "3" * 32}]},
            {"id": "3000000000000005", "access_keys": [{"id": ALICE.id, "secret": "x"}]},
        ]
    }
    clash = control.post("/scenarios", json=conflict)
    assert clash.status_code == 400 and ALICE.id in clash.json()["detail"]
    for text in ("[1, 2]", "accounts: [", "faults: [{action: X}]", "bogus: 1"):
        assert control.post("/scenarios", content=text).status_code == 400, text
    assert control.get("/state").json()["tables"] == before


def test_state_export_import_round_trip(server: EmulatorServer, control: httpx.Client) -> None:
    job = submit(server, ALICE, ALICE_VIDEO["Normal"])
    control.post("/faults", json={"id": "kept", "action": "GetVideoInfo", "latency_ms": 5})
    snapshot = control.get("/state").json()
    assert snapshot["format"] == "vod-emulator-state"

    control.post("/scenarios/empty", params={"replace": "true"})
    restored = control.put("/state", json=snapshot)
    assert restored.status_code == 200 and restored.json()["dynamicimagejob"] == 1
    again = control.get("/state").json()
    assert again["tables"] == snapshot["tables"]
    assert job in json.dumps(again)

    broken = json.loads(json.dumps(snapshot))
    broken["tables"]["video"][0]["duration"] = "long"
    refused = control.put("/state", json=broken)
    assert refused.status_code == 400 and "tables.video[0].duration" in refused.json()["detail"]
    assert control.put("/state", content=b"nope").status_code == 400
    assert control.put("/state", json={"format": "other"}).status_code == 400
    assert control.get("/state").json()["tables"] == snapshot["tables"]


# --- seed and clock ------------------------------------------------------------------------------


def test_seed_endpoint(control: httpx.Client) -> None:
    assert control.get("/seed").json() == {"seed": None}
    assert control.post("/seed", json={"seed": 99}).json() == {"seed": 99}
    assert control.get("/seed").json() == {"seed": 99}
    assert control.post("/seed", json={"seed": None}).json() == {"seed": None}


def test_clock_freeze_shift_advance_reset(server: EmulatorServer, control: httpx.Client) -> None:
    frozen = control.post("/clock", json={"freeze_at": "2030-01-02T03:04:05Z"}).json()
    assert frozen["frozen"] is True and frozen["now"] == "2030-01-02T03:04:05Z"
    assert control.post("/clock", json={"advance_seconds": 60}).json()["now"] == "2030-01-02T03:05:05Z"
    control.post(f"/accounts/{ALICE_ID}/videos", json={"id": "c" * 32})
    assert control.get("/videos/" + "c" * 32).json()["created_at"] == "2030-01-02T03:05:05Z"

    running = control.post("/clock", json={"reset": True, "shift_seconds": 3600}).json()
    assert running["frozen"] is False and running["offset_seconds"] == 3600
    assert control.post("/clock", json={"freeze": True}).json()["frozen"] is True
    assert control.post("/clock", json={"freeze": False}).json()["frozen"] is False
    assert control.post("/clock", json={"freeze": False, "freeze_at": "2030-01-01T00:00:00Z"}).status_code == 400
    control.post("/reset")
    assert control.get("/clock").json()["offset_seconds"] == 0


# --- the control plane is not part of the VOD API ------------------------------------------------


def test_control_routes_are_not_actions(server: EmulatorServer, control: httpx.Client) -> None:
    for action in ("reset", "_emulator/reset", "Reset", "health"):
        with pytest.raises(ServerException) as raised:
            call("legacy", server, ALICE, {}, action=action)
        assert normalise(raised.value).code == "InvalidAction.NotFound"
    unknown = control.get("/no-such-route")
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not Found"}


def test_openapi_describes_the_control_plane(control: httpx.Client) -> None:
    document = control.get("/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/_emulator/health", "/_emulator/reset", "/_emulator/scenarios", "/_emulator/scenarios/{name}",
        "/_emulator/state", "/_emulator/accounts", "/_emulator/accounts/{account_id}/videos",
        "/_emulator/videos/{video_id}", "/_emulator/templates/{template_id}", "/_emulator/journal",
        "/_emulator/faults", "/_emulator/faults/{rule_id}", "/_emulator/seed", "/_emulator/clock",
    } <= paths  # fmt: skip
    assert "/" not in paths
    assert {"FaultSpec", "JournalEntry", "ResetRequest", "VideoCreate"} <= set(document["components"]["schemas"])


def test_admin_token_guards_every_control_route(tmp_path_factory: pytest.TempPathFactory) -> None:
    with private_server(tmp_path_factory, "control-token", {"VOD_EMULATOR_ADMIN_TOKEN": "s3cret"}) as guarded:
        with control_client(guarded) as anonymous:
            assert anonymous.get("/health").status_code == 200
            assert anonymous.get("/openapi.json").status_code == 200
            for method, path in (("GET", "/journal"), ("POST", "/reset"), ("GET", "/faults"), ("GET", "/jobs")):
                refused = anonymous.request(method, path)
                assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
            assert anonymous.get("/journal", headers={"authorization": "Bearer wrong"}).status_code == 401
            assert anonymous.get("/journal", headers={"x-emulator-token": "s3cret"}).status_code == 200
        with control_client(guarded, token="s3cret") as admin:
            assert admin.post("/reset").status_code == 200
        # The VOD API itself does not need the token.
        assert submit(guarded, ALICE, ALICE_VIDEO["Normal"])
