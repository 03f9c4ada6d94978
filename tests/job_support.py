"""Helpers for the job, image and callback tests: SDK calls, the control plane, a callback receiver."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from alibabacloud_vod20170321 import models as tea_models
from aliyunsdkvod.request.v20170321.DeleteDynamicImageRequest import DeleteDynamicImageRequest
from aliyunsdkvod.request.v20170321.GetMessageCallbackRequest import GetMessageCallbackRequest
from aliyunsdkvod.request.v20170321.ListDynamicImageRequest import ListDynamicImageRequest
from aliyunsdkvod.request.v20170321.SetMessageCallbackRequest import SetMessageCallbackRequest
from PIL import Image

from emulator.config import DEFAULT_FIXTURES
from tests.conftest import ALICE_GIF_TEMPLATE, ALICE_VIDEO, Key
from tests.sdk_clients import legacy_client, submitter, tea_client
from tests.server import EmulatorServer

ALICE_ACCOUNT = "1000000000000001"
SHORT_VIDEO = "a11ce0000000000000000000000000f1"  # 2 s long (extra fixtures below)
BAD_CONFIG_TEMPLATE = "a11ced1a0000000000000000000000ff"  # Fps out of range, seeded verbatim
EXTRA_FIXTURES = f"""
accounts:
  - id: "{ALICE_ACCOUNT}"
    videos:
      - {{id: {SHORT_VIDEO}, title: two seconds, status: Normal, duration: 2, size: 1024}}
    templates:
      - id: {BAD_CONFIG_TEMPLATE}
        name: bad fps
        type: DynamicImage
        config: '{{"Video":{{"Fps":"999"}}}}'
      - id: a11ced1a0000000000000000000000c0
        name: webp cover
        type: DynamicImage
        config: {{Video: {{Width: "256", Height: "144", Fps: "5"}}, Container: {{Format: webp}},
                  Clip: {{TimeSpan: {{Seek: "0", Duration: "2"}}}}, SetDefaultCover: "true"}}
"""
WEBP_COVER_TEMPLATE = "a11ced1a0000000000000000000000c0"
WAIT = 20.0  # bounded waits on the server's long-polls (seconds); never reached when all is well


def job_server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of a server with the extra fixtures and fast callback retries."""
    fixtures = data_dir.parent / f"{data_dir.name}-extra.yaml"
    fixtures.write_text(EXTRA_FIXTURES)
    return {
        "VOD_EMULATOR_FIXTURES": f"{DEFAULT_FIXTURES},{fixtures}",
        "VOD_EMULATOR_CALLBACK_RETRY_SECONDS": "0.05",
        "VOD_EMULATOR_JOB_POLL_SECONDS": "0.2",
        **extra,
    }


# --- VOD calls through the official SDKs -------------------------------------------------------------


def submit(server: EmulatorServer, key: Key, video_id: str = ALICE_VIDEO["Normal"], **params: str) -> str:
    template = params.pop("DynamicImageTemplateId", ALICE_GIF_TEMPLATE)
    values = {"VideoId": video_id, "DynamicImageTemplateId": template, **params}
    return submitter("tea_v3")(server, key, values).job_id


def watermark(content: str) -> str:
    return json.dumps({"Watermarks": [{"WatermarkId": "8ca03c884944bd05efccc3123670000a", "Content": content}]})


def tea_list(server: EmulatorServer, key: Key, video_id: str) -> list[dict[str, Any]]:
    body = tea_client(server, key).list_dynamic_image(tea_models.ListDynamicImageRequest(video_id=video_id)).body
    return [item.to_map() for item in body.dynamic_image_list or []]


def legacy_list(server: EmulatorServer, key: Key, video_id: str, fmt: str = "JSON") -> bytes:
    request = ListDynamicImageRequest()
    request.set_endpoint(server.endpoint)
    request.set_protocol_type("http")
    request.set_accept_format(fmt)
    request.set_VideoId(video_id)
    return legacy_client(server, key).do_action_with_exception(request)  # type: ignore[no-any-return]


def tea_delete(server: EmulatorServer, key: Key, video_id: str, ids: str | None = None) -> None:
    request = tea_models.DeleteDynamicImageRequest(video_id=video_id, dynamic_image_ids=ids)
    tea_client(server, key).delete_dynamic_image(request)


def legacy_delete(server: EmulatorServer, key: Key, video_id: str, ids: str | None = None) -> None:
    request = DeleteDynamicImageRequest()
    request.set_endpoint(server.endpoint)
    request.set_protocol_type("http")
    request.set_VideoId(video_id)
    if ids is not None:
        request.set_DynamicImageIds(ids)
    legacy_client(server, key).do_action_with_exception(request)


def tea_set_callback(server: EmulatorServer, key: Key, **fields: str) -> None:
    tea_client(server, key).set_message_callback(tea_models.SetMessageCallbackRequest(**fields))


def tea_get_callback(server: EmulatorServer, key: Key) -> dict[str, Any] | None:
    body = tea_client(server, key).get_message_callback(tea_models.GetMessageCallbackRequest()).body
    return body.message_callback.to_map() if body.message_callback is not None else None


def legacy_set_callback(server: EmulatorServer, key: Key, **params: str) -> None:
    request = SetMessageCallbackRequest()
    request.set_endpoint(server.endpoint)
    request.set_protocol_type("http")
    for name, value in params.items():
        request.add_query_param(name, value)
    legacy_client(server, key).do_action_with_exception(request)


def legacy_get_callback(server: EmulatorServer, key: Key) -> dict[str, Any]:
    request = GetMessageCallbackRequest()
    request.set_endpoint(server.endpoint)
    request.set_protocol_type("http")
    return json.loads(legacy_client(server, key).do_action_with_exception(request))  # type: ignore[no-any-return]


# --- the control plane -----------------------------------------------------------------------------


def control(server: EmulatorServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{server.url}/_emulator{path}", timeout=WAIT + 10, **kwargs)


def wait_job(server: EmulatorServer, job_id: str) -> dict[str, Any]:
    """The job once finished (long-poll, bounded)."""
    response = control(server, "GET", f"/jobs/{job_id}", params={"wait": WAIT})
    response.raise_for_status()
    job: dict[str, Any] = response.json()
    assert job["finished"], job
    return job


def complete(server: EmulatorServer, job_id: str) -> dict[str, Any]:
    response = control(server, "POST", f"/jobs/{job_id}/complete")
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def deliveries(server: EmulatorServer, job_id: str, min_count: int = 1) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"job_id": job_id, "min_count": min_count, "wait": WAIT}
    response = control(server, "GET", "/callbacks/deliveries", params=params)
    response.raise_for_status()
    return response.json()["deliveries"]  # type: ignore[no-any-return]


# --- downloaded images ------------------------------------------------------------------------------


@dataclass
class Animation:
    format: str
    size: tuple[int, int]
    durations: list[int]
    frames: list[Image.Image] = field(repr=False)


def download(url: str) -> tuple[bytes, Animation]:
    response = httpx.get(url, timeout=WAIT)
    assert response.status_code == 200, response.text
    data = response.content
    image = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for index in range(image.n_frames):
        image.seek(index)
        image.load()
        durations.append(int(image.info["duration"]))
        frames.append(image.convert("RGB"))
    return data, Animation(str(image.format), image.size, durations, frames)


# --- a real HTTP callback receiver ----------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


class CallbackReceiver:
    """A threaded http.server on 127.0.0.1 that records POSTs; the first ``fail_first`` answer 500."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[Received] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._changed:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    failing = len(receiver.received) <= receiver.fail_first
                    receiver._changed.notify_all()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/vod/callback"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Received]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    @contextmanager
    def running(self) -> Iterator[CallbackReceiver]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()


def md5_signature(url: str, timestamp: str, key: str) -> str:
    return hashlib.md5(f"{url}|{timestamp}|{key}".encode()).hexdigest()
