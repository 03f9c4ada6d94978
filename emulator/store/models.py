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
    # Media-asset metadata (GetVideoInfo / UpdateVideoInfo, spec §9.4, §9.5).
    description: str = ""
    cover_url: str = ""
    cate_id: int | None = None
    cate_name: str = ""
    tags: str = ""  # comma-separated, as UpdateVideoInfo takes them
    user_data: str = ""
    reference_id: str | None = Field(default=None, index=True)
    storage_location: str = ""
    app_id: str = "app-1000000"
    modified_at: datetime | None = None  # None: never modified (ModificationTime = CreationTime)
    # DeleteVideo marks the row instead of removing it, so a restart does not re-seed the video.
    deleted_at: datetime | None = Field(default=None, index=True)


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
    # DeleteVodTemplate marks the row instead of removing it, so a restart does not re-seed it.
    deleted_at: datetime | None = None


class DynamicImageJob(SQLModel, table=True):
    job_id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    video_id: str = Field(index=True)
    template_id: str
    status: JobStatus = Field(default=JobStatus.Processing, index=True)
    override_params: str | None = None  # normalised JSON
    # The template's TemplateConfig when the job was submitted: Update/DeleteVodTemplate do not affect it.
    template_config: str | None = None
    request_id: str
    created_at: datetime
    updated_at: datetime
    error_code: str | None = None
    error_message: str | None = None
    # Job processing (emulator/worker): the Host the Submit used (for FileURL), and the current claim.
    submit_host: str | None = None
    claimed_by: str | None = None  # the worker (process) rendering it; None = not claimed
    lease_until: datetime | None = Field(default=None, index=True)  # a claim expires at this time
    attempts: int = 0  # times the job was claimed


class DynamicImage(SQLModel, table=True):
    """An animated image made by a successful job (ListDynamicImage / DeleteDynamicImage)."""

    dynamic_image_id: str = Field(primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    video_id: str = Field(index=True)
    job_id: str = Field(index=True)
    file_path: str  # URL path of the file: /<VideoId>/image/dynamic/<DynamicImageId>.<ext>
    width: int
    height: int
    fps: float
    duration: float  # seconds: frames / fps
    format: str  # gif | webp
    file_size: int
    created_at: datetime = Field(index=True)


class MessageCallback(SQLModel, table=True):
    """An account's event callback (SetMessageCallback / GetMessageCallback)."""

    account_id: str = Field(foreign_key="account.id", primary_key=True)
    callback_type: str = "HTTP"  # HTTP | MNS
    callback_url: str = ""
    event_type_list: str = "ALL"  # comma list, ALL, or empty (= no events)
    auth_switch: str = "off"  # on | off
    auth_key: str = ""
    mns_endpoint: str = ""
    mns_queue_name: str = ""
    app_id: str = ""
    modified_at: datetime


class CallbackDelivery(SQLModel, table=True):
    """One attempt to deliver an event to an account's callback (recorded even when it failed)."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(index=True)
    job_id: str | None = Field(default=None, index=True)
    event_type: str
    url: str
    attempt: int  # 1-based
    status_code: int | None = None  # None: no HTTP answer (connection refused, timeout, MNS)
    error: str | None = None  # None: delivered (HTTP 200)
    headers: str  # JSON object of the extra headers sent (X-VOD-TIMESTAMP, X-VOD-SIGNATURE)
    body: str  # the event JSON as sent
    sent_at: datetime


class UsedNonce(SQLModel, table=True):
    """A signature nonce seen within the timestamp window; remembered across restarts."""

    access_key_id: str = Field(primary_key=True)
    nonce: str = Field(primary_key=True)
    expires_at: datetime = Field(index=True)


class FaultRule(SQLModel, table=True):
    """An injected fault (control plane ``/_emulator/faults``): error, latency or QPS limit for matching calls."""

    id: str = Field(primary_key=True)
    position: int = 0  # rules apply in this order (the order they were added)
    action: str = Field("*", index=True)  # an action name, or "*" for every action
    account_id: str | None = None  # only calls of this account (no foreign key: rules may precede it)
    video_id: str | None = None  # only calls naming this VideoId (or listing it in VideoIds)
    code: str | None = None  # error code answered (status/message from the error table unless given)
    status: int | None = None
    message: str | None = None
    remaining: int | None = None  # calls left to fail/slow down; None = unlimited
    probability: float = 1.0
    latency_ms: int = 0
    qps: int | None = None  # calls per second allowed; above it Throttling.User / 429
    window_start: float = 0.0  # current one-second QPS window (Unix seconds) and calls counted in it
    window_count: int = 0
    hits: int = 0  # calls this rule has acted on
    created_at: datetime
