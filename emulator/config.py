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
# A source checkout has fixtures/ beside the package; a wheel carries them inside it.
FIXTURES_DIR = next(
    (d for d in (PACKAGE_DIR.parent / "fixtures", PACKAGE_DIR / "fixtures") if d.is_dir()),
    PACKAGE_DIR.parent / "fixtures",
)
DEFAULT_FIXTURES = FIXTURES_DIR / "default.yaml"


class SignatureMode(str, Enum):
    """How strictly the gateway checks request signatures."""

    strict = "strict"  # verify V1/V3 signatures, timestamps and nonces
    off = "off"  # keys still identify the account; signature, timestamp and nonce are not checked


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
