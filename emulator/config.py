"""One settings object for the whole emulator, read from ``VOD_EMULATOR_*`` environment variables.

Command-line flags (see :mod:`emulator.cli`) override the environment. Every field's default is the
value documented in the README's configuration table.
"""

from __future__ import annotations

from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the fixtures inside the package; a source checkout has fixtures/ beside it. (Only a
# folder holding default.yaml counts: an unrelated "fixtures" package may sit beside an installed one.)
FIXTURES_DIR = next(
    (d for d in (PACKAGE_DIR / "fixtures", PACKAGE_DIR.parent / "fixtures") if (d / "default.yaml").is_file()),
    PACKAGE_DIR.parent / "fixtures",
)
DEFAULT_FIXTURES = FIXTURES_DIR / "default.yaml"


class SignatureMode(str, Enum):
    """How strictly the gateway checks request signatures."""

    strict = "strict"  # verify V1/V3 signatures, timestamps and nonces
    off = "off"  # keys still identify the account; signature, timestamp and nonce are not checked


class JobMode(str, Enum):
    """When SubmitDynamicImageJob's jobs are processed."""

    immediate = "immediate"  # in the background right after the Submit reply
    delay = "delay"  # job_delay_seconds after submission
    manual = "manual"  # only when completed through the control plane (/_emulator/jobs/…)


class CallbackJobInfoFormat(str, Enum):
    """How the DynamicImageComplete event carries DynamicImageJobInfo (spec §12 #8)."""

    object = "object"  # an embedded JSON object (the current doc sample)
    string = "string"  # a JSON string holding the object (the 2021 doc sample)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOD_EMULATOR_", extra="ignore")

    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(18080, description="TCP port to listen on.")
    workers: int = Field(1, ge=1, description="uvicorn worker processes sharing one database.")
    data_dir: Path = Field(Path(".vod-emulator"), description="Where the SQLite file and outputs live.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite:///<data_dir>/vod-emulator.db.")
    fixtures: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [DEFAULT_FIXTURES],
        description="Fixture files loaded (idempotently) at start; comma-separated in the env var.",
    )
    signature_mode: SignatureMode = Field(SignatureMode.strict, description="strict or off.")
    timestamp_window_seconds: int = Field(
        900, ge=1, description="Allowed clock skew of Timestamp / x-acs-date, and nonce memory."
    )
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request (query string + body) accepted.")
    log_level: str = Field("info", description="Log level of the emulator and uvicorn.")
    seed: int | None = Field(None, description="Deterministic mode: seed for every generated id (unset = random).")
    journal_size: int = Field(10_000, ge=0, description="Request journal capacity (entries kept in memory).")
    admin_token: str | None = Field(
        None, description="When set, /_emulator/ routes (except health) need `Authorization: Bearer <token>`."
    )

    # --- animated-image jobs (emulator/worker) ---------------------------------------------
    job_mode: JobMode = Field(JobMode.immediate, description="immediate, delay or manual.")
    job_delay_seconds: float = Field(2.0, ge=0, description="delay mode: seconds from Submit to processing.")
    job_poll_seconds: float = Field(
        1.0, gt=0, description="How often a worker looks for jobs it was not woken for (other processes', leases)."
    )
    job_lease_seconds: float = Field(
        30.0, gt=0, description="A claimed job whose worker stops renewing this long is taken over by another."
    )
    render_threads: int = Field(2, ge=1, description="Jobs rendered at once per process (threads).")
    public_url: str | None = Field(
        None, description="Base of FileURL (e.g. http://vod-emulator:18080); default http://<Host header>."
    )
    # --- event callbacks ---------------------------------------------------------------------
    callback_timeout_seconds: float = Field(5.0, gt=0, description="Time allowed for one callback delivery.")
    callback_attempts: int = Field(3, ge=1, description="Delivery attempts per event.")
    callback_retry_seconds: float = Field(1.0, ge=0, description="Pause between delivery attempts.")
    callback_job_info_format: CallbackJobInfoFormat = Field(
        CallbackJobInfoFormat.object, description="DynamicImageJobInfo as an `object` or a JSON `string`."
    )

    @cached_property
    def outputs_dir(self) -> Path:
        return self.data_dir.resolve() / "outputs"

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'vod-emulator.db').resolve()}"

    @field_validator("fixtures", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [Path(p.strip()) for p in value.split(",") if p.strip()]
        return value
