"""Media assets: GetVideoInfo, GetVideoInfos, UpdateVideoInfo, DeleteVideo (spec §9.4, §9.5).

A video of another account is treated exactly like one that does not exist. DeleteVideo marks the
row (``deleted_at``); from then on every call, SubmitDynamicImageJob included, answers
``InvalidVideo.NotFound`` (:func:`emulator.store.queries.video` ignores deleted rows).
"""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.actions.registry import ActionContext, action
from emulator.clock import as_utc, format_time
from emulator.gateway.errors import Errors, invalid, missing
from emulator.store import queries
from emulator.store.models import Video, VideoStatus

MAX_IDS = 20
MAX_TITLE_BYTES = 128
MAX_DESCRIPTION_BYTES = 1024
MAX_USER_DATA_BYTES = 1024
MAX_TAGS = 16
MAX_TAG_BYTES = 32
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
REGION_ID = "cn-shanghai"
DEFAULT_STORAGE_LOCATION = "outin-emulator.oss-cn-shanghai.aliyuncs.com"
_REFERENCE_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
_INTEGER = re.compile(r"^-?\d{1,19}$")


def _utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


def id_list(raw: str) -> list[str]:
    """A comma-separated id list: blanks dropped, duplicates removed, order kept."""
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def video_fields(video: Video, *, snapshots_object: bool) -> dict[str, Any]:
    """One video as the SDK models type it: Duration float, Size and CateId int64, the rest strings.

    ``Snapshots`` is ``{"Snapshot": [...]}`` in GetVideoInfo and a bare array in GetVideoInfos.
    """
    snapshots: list[str] = []
    fields: dict[str, Any] = {
        "VideoId": video.video_id,
        "Title": video.title,
        "Duration": float(video.duration),
        "Size": int(video.size),
        "Status": video.status.value,
        "AuditStatus": "Blocked" if video.status is VideoStatus.Blocked else "Init",
        "CreationTime": format_time(video.created_at),
        "ModificationTime": format_time(video.modified_at or video.created_at),
        "StorageLocation": video.storage_location or DEFAULT_STORAGE_LOCATION,
        "StorageClass": "Standard",
        "RegionId": REGION_ID,
        "AppId": video.app_id,
        "DownloadSwitch": "on",
        "Snapshots": {"Snapshot": snapshots} if snapshots_object else snapshots,
    }
    optional = {
        "Description": video.description,
        "CoverURL": video.cover_url,
        "CateId": video.cate_id,
        "CateName": video.cate_name,
        "Tags": video.tags,
        "UserData": video.user_data,
        "ReferenceId": video.reference_id,
    }
    fields.update({name: value for name, value in optional.items() if value not in (None, "")})
    return fields


def _find(ctx: ActionContext, video_id: str | None, reference_id: str | None) -> Video | None:
    if video_id is not None:
        return queries.video(ctx.session, ctx.account_id, video_id)
    assert reference_id is not None
    return queries.video_by_reference(ctx.session, ctx.account_id, reference_id)


def _ids(ctx: ActionContext) -> tuple[list[str] | None, list[str] | None]:
    """``VideoIds`` (≤ 20, else VideoIdsExceededMax) and/or ``ReferenceIds`` (≤ 20); one is required."""
    raw_video_ids, raw_reference_ids = ctx.optional("VideoIds"), ctx.optional("ReferenceIds")
    video_ids = id_list(raw_video_ids) if raw_video_ids is not None else None
    reference_ids = id_list(raw_reference_ids) if raw_reference_ids is not None else None
    if not video_ids and not reference_ids:
        raise missing("VideoIds")
    if video_ids is not None and len(video_ids) > MAX_IDS:
        raise Errors.VideoIdsExceededMax.error()
    if reference_ids is not None and len(reference_ids) > MAX_IDS:
        raise invalid("ReferenceIds")
    return video_ids, reference_ids


@action("GetVideoInfo")
def get_video_info(ctx: ActionContext) -> dict[str, Any]:
    video_id, reference_id = ctx.optional("VideoId"), ctx.optional("ReferenceId")
    if video_id is None and reference_id is None:
        raise missing("VideoId")
    video = _find(ctx, video_id, reference_id)
    if video is None:
        raise Errors.InvalidVideoNotFound.error()
    return {"Video": video_fields(video, snapshots_object=True)}


def _resolve(ctx: ActionContext) -> tuple[dict[str, Video], dict[str, list[str]]]:
    """The account's live videos named by ``VideoIds`` and/or ``ReferenceIds`` (by VideoId, in order),
    and the reply's ``NonExistVideoIds`` / ``NonExistReferenceIds`` for the lists that were given."""
    video_ids, reference_ids = _ids(ctx)
    found: dict[str, Video] = {}
    missing: dict[str, list[str]] = {}
    lookups = (
        ("NonExistVideoIds", video_ids, queries.video),
        ("NonExistReferenceIds", reference_ids, queries.video_by_reference),
    )
    for field, ids, lookup in lookups:
        if ids is None:
            continue
        missing[field] = []
        for one_id in ids:
            video = lookup(ctx.session, ctx.account_id, one_id)
            if video is None:
                missing[field].append(one_id)
            else:
                found[video.video_id] = video
    return found, missing


@action("GetVideoInfos")
def get_video_infos(ctx: ActionContext) -> dict[str, Any]:
    found, body = _resolve(ctx)
    video_list = [video_fields(v, snapshots_object=False) for v in found.values()]
    return {"VideoList": video_list, **body}


def _update_tags(raw: str) -> str:
    tags = [tag.strip() for tag in raw.split(",") if tag.strip()]
    if len(tags) > MAX_TAGS or any(_utf8_len(tag) > MAX_TAG_BYTES for tag in tags):
        raise invalid("Tags")
    return ",".join(tags)


def _update_cate_id(raw: str) -> int:
    if not _INTEGER.match(raw.strip()) or not INT64_MIN <= int(raw) <= INT64_MAX:
        raise invalid("CateId")
    return int(raw)


def _update_user_data(raw: str) -> str:
    if _utf8_len(raw) > MAX_USER_DATA_BYTES:
        raise invalid("UserData")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid("UserData") from None
    if not isinstance(value, dict):
        raise invalid("UserData")
    return raw


def _update_reference_id(ctx: ActionContext, video: Video, raw: str) -> str:
    if not _REFERENCE_ID.match(raw):
        raise invalid("ReferenceId")
    holder = queries.video_by_reference(ctx.session, ctx.account_id, raw)
    if holder is not None and holder.video_id != video.video_id:
        raise invalid("ReferenceId")  # unique among the account's videos
    return raw


@action("UpdateVideoInfo")
def update_video_info(ctx: ActionContext) -> dict[str, Any]:
    video_id = ctx.required("VideoId")
    title = ctx.optional("Title")
    description = ctx.optional("Description")
    cover_url = ctx.optional("CoverURL")
    cate_id = ctx.optional("CateId")
    tags = ctx.optional("Tags")
    user_data = ctx.optional("UserData")
    reference_id = ctx.optional("ReferenceId")
    # Parameter checks first (spec §6.5), then existence.
    if title is not None and _utf8_len(title) > MAX_TITLE_BYTES:
        raise invalid("Title")
    if description is not None and _utf8_len(description) > MAX_DESCRIPTION_BYTES:
        raise invalid("Description")
    new_tags = _update_tags(tags) if tags is not None else None
    new_cate_id = _update_cate_id(cate_id) if cate_id is not None else None
    new_user_data = _update_user_data(user_data) if user_data is not None else None
    video = queries.video(ctx.session, ctx.account_id, video_id)
    if video is None:
        raise Errors.InvalidVideoNotFound.error()
    if reference_id is not None:
        video.reference_id = _update_reference_id(ctx, video, reference_id)
    if title is not None:
        video.title = title
    if description is not None:
        video.description = description
    if cover_url is not None:
        video.cover_url = cover_url
    if new_cate_id is not None and new_cate_id != video.cate_id:
        video.cate_id = new_cate_id
        video.cate_name = ""  # the emulator has no category API to name it
    if new_tags is not None:
        video.tags = new_tags
    if new_user_data is not None:
        video.user_data = new_user_data
    video.modified_at = as_utc(ctx.now)
    ctx.session.add(video)
    return {}


@action("DeleteVideo")
def delete_video(ctx: ActionContext) -> dict[str, Any]:
    found, body = _resolve(ctx)
    now = as_utc(ctx.now)
    for video in found.values():
        video.deleted_at = now
        ctx.session.add(video)
    # The emulator has no RAM policies, so no video is ever forbidden to its own account.
    body["ForbiddenVideoIds"] = []
    return body
