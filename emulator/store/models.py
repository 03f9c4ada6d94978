"""SQLModel tables: the emulator's whole state.

Every resource row carries its ``account_id``; every query an action makes filters on it, so one
account never sees another's data.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel


class VideoStatus(str, Enum):
    """The full VOD video status enumeration (spec §8.4)."""

    Uploading = "Uploading"
    UploadFail = "UploadFail"
    UploadSucc = "UploadSucc"
    Transcoding = "Transcoding"
    TranscodeFail = "TranscodeFail"
    Checking = "Checking"
    Blocked = "Blocked"
    Normal = "Normal"
    ProduceFail = "ProduceFail"


class KeyStatus(str, Enum):
    Active = "Active"
    Inactive = "Inactive"


class TemplateType(str, Enum):
    DynamicImage = "DynamicImage"
    Snapshot = "Snapshot"


class JobStatus(str, Enum):
    Processing = "Processing"
    Success = "Success"
    Fail = "Fail"


class Account(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str = ""


class AccessKey(SQLModel, table=True):
    access_key_id: str = Field(primary_key=True)
    secret: str
    account_id: str = Field(foreign_key="account.id", index=True)
    status: KeyStatus = KeyStatus.Active
    # STS keys (id starting "STS.") carry the token that must accompany them, and may expire.
    security_token: str | None = None
    expires_at: datetime | None = None


class Video(SQLModel, table=True):
    video_id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    title: str = ""
    status: VideoStatus = VideoStatus.Normal
    duration: float = 60.0  # seconds
    size: int = 0  # bytes
    width: int = 1280
    height: int = 720
    created_at: datetime


class Template(SQLModel, table=True):
    template_id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str
    template_type: TemplateType
    config: str  # the TemplateConfig JSON string, verbatim
    is_default: bool = False
    app_id: str = "app-1000000"
    created_at: datetime
    modified_at: datetime


class DynamicImageJob(SQLModel, table=True):
    job_id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    video_id: str = Field(index=True)
    template_id: str
    status: JobStatus = Field(default=JobStatus.Processing, index=True)
    override_params: str | None = None  # normalised JSON
    request_id: str
    created_at: datetime
    updated_at: datetime
    error_code: str | None = None
    error_message: str | None = None


class UsedNonce(SQLModel, table=True):
    """A signature nonce seen within the timestamp window; remembered across restarts."""

    access_key_id: str = Field(primary_key=True)
    nonce: str = Field(primary_key=True)
    expires_at: datetime = Field(index=True)
