"""pytest plugin (entry point ``pytest11``): the ``vod_emulator`` fixture.

``pip install vod-emulator`` and a test can ask for ``vod_emulator``: an isolated emulator running
in-process (uvicorn in a thread, on a free port, with a temporary database), reset before every
test, with configured official SDK clients and helpers for the control plane::

    def test_submit(vod_emulator):
        client = vod_emulator.tea_client()
        ...
        vod_emulator.complete_all_jobs()
        assert vod_emulator.journal(action="SubmitDynamicImageJob")[0]["code"] == "OK"

Per test: ``@pytest.mark.vod_emulator(job_mode="manual", scenario="every-status", seed=7,
settings={...})``. Per project (ini): ``vod_emulator_job_mode``, ``vod_emulator_fixtures``,
``vod_emulator_seed``. One server is started per distinct configuration and shared by the session.

This module is imported whenever pytest runs in an environment where the package is installed, so it
imports only the standard library and pytest at module level; everything else is imported lazily
when the fixture is first used.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.config import Settings

MARKER = "vod_emulator"
START_TIMEOUT_SECONDS = 30.0
REGION = "cn-shanghai"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("vod_emulator_job_mode", "vod_emulator fixture: immediate | delay | manual (default: the emulator's)")
    parser.addini(
        "vod_emulator_fixtures",
        "vod_emulator fixture: scenario names (fixtures/<name>.yaml) or files loaded at start and on reset",
        type="args",
        default=["default"],
    )
    parser.addini("vod_emulator_seed", "vod_emulator fixture: seed for deterministic ids (default: random)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(job_mode=None, scenario=None, seed=None, settings=None): configure the vod_emulator fixture "
        "for this test (scenario is loaded after the reset, replacing the store).",
    )


class ControlError(Exception):
    """A control-plane call answered with an error status."""

    def __init__(self, method: str, path: str, status: int, detail: Any) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Credentials:
    account_id: str
    access_key_id: str
    access_key_secret: str


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class InProcessServer:
    """The emulator app under uvicorn in a daemon thread, on a socket bound to a free port."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from emulator.app import create_app
        from emulator.cli import HTTP_PROTOCOL

        self.settings = settings
        self._socket = _free_socket()
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(
            create_app(settings),
            log_level=settings.log_level.lower(),
            access_log=False,
            lifespan="on",
            http=HTTP_PROTOCOL,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name=f"vod-emulator-{self.port}", daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> InProcessServer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the in-process VOD emulator did not start (see the log output above)")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=15)
        self._socket.close()


def _fixture_path(name: str) -> Path:
    """A scenario name (``every-status``) or a file path."""
    from emulator.config import FIXTURES_DIR

    path = Path(name)
    if path.suffix in (".yaml", ".yml", ".json") or len(path.parts) > 1:
        return path.resolve()
    return FIXTURES_DIR / f"{name}.yaml"


class ServerPool:
    """One in-process emulator per distinct configuration, for the whole session."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self._servers: dict[str, InProcessServer] = {}

    def get(self, overrides: dict[str, Any]) -> InProcessServer:
        key = json.dumps(overrides, sort_keys=True, default=str)
        server = self._servers.get(key)
        if server is None:
            from emulator.config import Settings

            data_dir = self.base_dir / f"emulator-{len(self._servers)}"
            data_dir.mkdir(parents=True, exist_ok=True)
            values: dict[str, Any] = {
                "host": "127.0.0.1",
                "data_dir": data_dir,
                "database_url": f"sqlite:///{data_dir / 'vod-emulator.db'}",
                "log_level": "warning",
                "workers": 1,
                **overrides,
            }
            server = self._servers[key] = InProcessServer(Settings(**values)).start()
        return server

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


class VodEmulator:
    """What a test gets: endpoint, credentials, SDK client factories and control-plane helpers."""

    def __init__(self, server: InProcessServer) -> None:
        self.server = server
        self.settings = server.settings
        self._default: Credentials | None = None

    # --- where and who -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``: what the SDKs take as endpoint (with protocol http)."""
        return self.server.endpoint

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    def credentials(self, account_id: str | None = None) -> Credentials:
        """An active, non-STS key of ``account_id`` (default: the first account that has one)."""
        for account in self.accounts():
            if account_id is not None and account["id"] != account_id:
                continue
            for key in account["access_keys"]:
                if key["status"] == "Active" and not key["security_token"] and not key["id"].startswith("STS."):
                    return Credentials(account["id"], key["id"], key["secret"])
        raise LookupError(f"no active access key for {account_id or 'any account'}; add one with add_account()")

    @property
    def default_credentials(self) -> Credentials:
        if self._default is None:
            self._default = self.credentials()
        return self._default

    @property
    def account_id(self) -> str:
        return self.default_credentials.account_id

    @property
    def access_key_id(self) -> str:
        return self.default_credentials.access_key_id

    @property
    def access_key_secret(self) -> str:
        return self.default_credentials.access_key_secret

    # --- official SDK clients (imported lazily: they are the [test] extra) ----------------------

    def legacy_client(self, credentials: Credentials | None = None, region_id: str = REGION) -> Any:
        """``aliyunsdkcore.client.AcsClient`` whose VOD requests go to the emulator (over http)."""
        from aliyunsdkcore.client import AcsClient

        creds = credentials or self.default_credentials
        client = AcsClient(creds.access_key_id, creds.access_key_secret, region_id)
        client.add_endpoint(region_id, "vod", self.endpoint)
        return client

    def tea_client(
        self, credentials: Credentials | None = None, signature_algorithm: str | None = None, region_id: str = REGION
    ) -> Any:
        """``alibabacloud_vod20170321.client.Client``; V3 signatures, or ``signature_algorithm='v2'`` for V1."""
        from alibabacloud_tea_openapi import models as open_api_models
        from alibabacloud_vod20170321.client import Client

        creds = credentials or self.default_credentials
        config = open_api_models.Config(
            access_key_id=creds.access_key_id,
            access_key_secret=creds.access_key_secret,
            region_id=region_id,
            endpoint=self.endpoint,
            protocol="http",
        )
        if signature_algorithm is not None:
            config.signature_algorithm = signature_algorithm
        return Client(config)

    # --- control plane -------------------------------------------------------------------------

    def control(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        """Call a ``/_emulator/`` route; the parsed JSON answer (None for 204). Raises ControlError."""
        url = f"{self.url}/_emulator/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = {}
        data: bytes | None = None
        if isinstance(body, str | bytes):
            data = body.encode("utf-8") if isinstance(body, str) else body
            headers["content-type"] = "application/yaml"
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        if self.settings.admin_token:
            headers["authorization"] = f"Bearer {self.settings.admin_token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                detail = json.loads(raw).get("detail", raw.decode())
            except ValueError:
                detail = raw.decode("utf-8", "replace")
            raise ControlError(method, path, exc.code, detail) from None
        return json.loads(raw) if raw else None

    def reset(self, account_id: str | None = None, reload_fixtures: bool = True) -> dict[str, Any]:
        self._default = None
        return self.control("POST", "reset", {"account_id": account_id, "reload_fixtures": reload_fixtures})

    def load_scenario(self, scenario: str | dict[str, Any], replace: bool = True) -> dict[str, Any]:
        """A name from ``fixtures/``, a YAML text, or a document (dict); replaces the store by default."""
        self._default = None
        query = {"replace": str(replace).lower()}
        if isinstance(scenario, str) and "\n" not in scenario and ":" not in scenario:
            return self.control("POST", f"scenarios/{scenario}", query=query)
        return self.control("POST", "scenarios", scenario, query=query)

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state")

    def accounts(self) -> list[dict[str, Any]]:
        return self.control("GET", "accounts")

    def add_account(self, name: str = "", account_id: str | None = None) -> Credentials:
        """A new account with one generated access key."""
        account = self.control("POST", "accounts", {"id": account_id, "name": name, "access_keys": [{}]})
        key = account["access_keys"][0]
        return Credentials(account["id"], key["id"], key["secret"])

    def add_video(self, status: str = "Normal", account_id: str | None = None, **fields: Any) -> str:
        """Add a video in any status (fields: id, title, duration, size, width, height, description); its id."""
        owner = account_id or self.account_id
        return str(self.control("POST", f"accounts/{owner}/videos", {"status": status, **fields})["id"])

    def set_video_status(self, video_id: str, status: str) -> dict[str, Any]:
        return self.control("PATCH", f"videos/{video_id}", {"status": status})

    def add_template(
        self,
        config: dict[str, Any] | str | None = None,
        type: str = "DynamicImage",
        name: str | None = None,
        account_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Add a template (config stored verbatim); its id."""
        owner = account_id or self.account_id
        body = {"name": name or f"{type} template", "type": type, "config": config or {}, **fields}
        return str(self.control("POST", f"accounts/{owner}/templates", body)["id"])

    # jobs and callback deliveries: the job life cycle's control routes (/_emulator/jobs, …/callbacks)
    def jobs(self, status: str | None = None, video_id: str | None = None) -> list[dict[str, Any]]:
        """Animated-image jobs (filter by status Processing/Success/Fail, or video)."""
        return list(self.control("GET", "jobs", query={"status": status, "video_id": video_id})["jobs"])

    def job(self, job_id: str) -> dict[str, Any]:
        return self.control("GET", f"jobs/{job_id}")

    def complete_job(self, job_id: str) -> dict[str, Any]:
        """Process the job now, as the worker would (for ``job_mode='manual'``); the finished job."""
        return self.control("POST", f"jobs/{job_id}/complete")

    def fail_job(self, job_id: str, code: str | None = None, message: str | None = None) -> dict[str, Any]:
        """Finish the job as failed (the DynamicImageComplete event carries code and message)."""
        body = {k: v for k, v in (("code", code), ("message", message)) if v is not None}
        return self.control("POST", f"jobs/{job_id}/fail", body or None)

    def complete_all_jobs(self) -> list[dict[str, Any]]:
        """Process every pending job now; the jobs finished."""
        return list(self.control("POST", "jobs/complete-all")["jobs"])

    def callback_deliveries(self, job_id: str | None = None) -> list[dict[str, Any]]:
        """Every attempt to deliver a callback (url, status, error, time, body)."""
        return list(self.control("GET", "callbacks/deliveries", query={"job_id": job_id})["deliveries"])

    def journal(
        self,
        action: str | None = None,
        code: str | None = None,
        account_id: str | None = None,
        video_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Gateway requests so far (since the reset), oldest first; secrets and signatures redacted."""
        query = {"action": action, "code": code, "account_id": account_id, "video_id": video_id}
        return list(self.control("GET", "journal", query=query)["entries"])

    def clear_journal(self) -> None:
        self.control("DELETE", "journal")

    def inject_fault(self, action: str = "*", **rule: Any) -> dict[str, Any]:
        """Add a fault rule: code=…, latency_ms=…, qps=…; account_id, video_id, times, probability, status."""
        return self.control("POST", "faults", {"action": action, **rule})

    def faults(self) -> list[dict[str, Any]]:
        return self.control("GET", "faults")

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def seed(self, seed: int | None) -> None:
        self.control("POST", "seed", {"seed": seed})

    def freeze_clock(self, at: str | None = None) -> dict[str, Any]:
        """Stop the emulator's clock (at ``yyyy-MM-ddTHH:mm:ssZ``, or now)."""
        return self.control("POST", "clock", {"freeze_at": at} if at else {"freeze": True})

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self.control("POST", "clock", {"advance_seconds": seconds})


def _options(request: pytest.FixtureRequest) -> tuple[dict[str, Any], str | None]:
    """(settings overrides that need their own server, scenario to load after the reset)."""
    config = request.config
    overrides: dict[str, Any] = {}
    job_mode = config.getini("vod_emulator_job_mode")
    seed = config.getini("vod_emulator_seed")
    fixtures = config.getini("vod_emulator_fixtures")
    scenario = None
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        job_mode = marker.kwargs.get("job_mode", job_mode)
        seed = marker.kwargs.get("seed", seed)
        scenario = marker.kwargs.get("scenario")
        overrides.update(marker.kwargs.get("settings") or {})
    if job_mode:
        overrides["job_mode"] = job_mode
    if seed not in (None, ""):
        overrides["seed"] = int(seed)
    overrides.setdefault("fixtures", [_fixture_path(str(name)) for name in fixtures])
    return overrides, scenario


@pytest.fixture(scope="session")
def vod_emulator_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """The session's in-process emulators (one per distinct configuration)."""
    pool = ServerPool(tmp_path_factory.mktemp("vod-emulator"))
    yield pool
    pool.close()


@pytest.fixture
def vod_emulator(request: pytest.FixtureRequest, vod_emulator_pool: ServerPool) -> VodEmulator:
    """An in-process VOD emulator, reset for this test (fixtures reloaded, journal, faults and clock cleared)."""
    overrides, scenario = _options(request)
    emulator = VodEmulator(vod_emulator_pool.get(overrides))
    emulator.reset()
    if scenario is not None:
        emulator.load_scenario(scenario, replace=True)
    return emulator
