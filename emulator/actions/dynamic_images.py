"""Animated images made by jobs: ListDynamicImage and DeleteDynamicImage (spec §9.2, §9.3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select

from emulator.actions.registry import ActionContext, action
from emulator.clock import format_time
from emulator.gateway.errors import Errors, invalid
from emulator.store import queries
from emulator.store.models import DynamicImage
from emulator.worker import outputs

MAX_DELETE_IDS = 10


def _number(value: float) -> str:
    return f"{round(value, 3):g}"


def _item(ctx: ActionContext, image: DynamicImage) -> dict[str, str]:
    """One DynamicImageList element: every field a string."""
    return {
        "DynamicImageId": image.dynamic_image_id,
        "VideoId": image.video_id,
        "JobId": image.job_id,
        "FileURL": outputs.file_url(ctx.runtime.settings, ctx.host, image.file_path),
        "Width": str(image.width),
        "Height": str(image.height),
        "Fps": _number(image.fps),
        "Duration": _number(image.duration),
        "Format": image.format,
        "FileSize": str(image.file_size),
        "CreationTime": format_time(image.created_at),
    }


def _images(ctx: ActionContext, video_id: str) -> list[DynamicImage]:
    statement = (
        select(DynamicImage)
        .where(col(DynamicImage.account_id) == ctx.account_id, col(DynamicImage.video_id) == video_id)
        .order_by(col(DynamicImage.created_at), col(DynamicImage.dynamic_image_id))
    )
    return list(ctx.session.exec(statement).all())


def _require_video(ctx: ActionContext) -> str:
    video_id = ctx.required("VideoId")
    if queries.video(ctx.session, ctx.account_id, video_id) is None:
        raise Errors.InvalidVideoNotFound.error()
    return video_id


@action("ListDynamicImage")
def list_dynamic_image(ctx: ActionContext) -> dict[str, Any]:
    video_id = _require_video(ctx)
    return {"DynamicImageList": [_item(ctx, image) for image in _images(ctx, video_id)]}


@action("DeleteDynamicImage")
def delete_dynamic_image(ctx: ActionContext) -> dict[str, Any]:
    """Delete records (the files stay). Ids: a comma list of at most 10; omitted = all of the video's,
    which is refused when it has more than 10. Ids that are not the video's images are ignored."""
    video_id = _require_video(ctx)
    raw_ids = ctx.optional("DynamicImageIds")
    if raw_ids is None:
        ids = [image.dynamic_image_id for image in _images(ctx, video_id)]
    else:
        ids = list(dict.fromkeys(part.strip() for part in raw_ids.split(",") if part.strip()))
        if not ids:
            raise invalid("DynamicImageIds")
    if len(ids) > MAX_DELETE_IDS:
        raise invalid("DynamicImageIds")
    if ids:
        ctx.session.execute(
            delete(DynamicImage).where(
                col(DynamicImage.account_id) == ctx.account_id,
                col(DynamicImage.video_id) == video_id,
                col(DynamicImage.dynamic_image_id).in_(ids),
            )
        )
    return {}
