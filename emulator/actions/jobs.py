"""Animated-image jobs: SubmitDynamicImageJob."""

from __future__ import annotations

import json
from typing import Any

from emulator.actions.registry import ActionContext, action
from emulator.clock import as_utc
from emulator.dynamic_image_config import ConfigError, parse_json_object, parse_settings
from emulator.gateway.errors import Errors, invalid
from emulator.store import queries
from emulator.store.fastsql import insert_row
from emulator.store.models import DynamicImageJob, JobStatus, TemplateType, VideoStatus

# Video statuses in which an animated image may be cut (spec §8.4; the docs' "UploadSucces" is UploadSucc).
DYNAMIC_IMAGE_STATUSES = frozenset(
    {VideoStatus.UploadSucc, VideoStatus.Transcoding, VideoStatus.Normal, VideoStatus.Checking, VideoStatus.Blocked}
)
WATERMARK_KEYS = frozenset({"WatermarkId", "Content", "FileUrl"})


def parse_override_params(raw: str | None) -> dict[str, Any] | None:
    """Validate OverrideParams: a JSON object; ``Watermarks`` a list of watermark objects; any other
    documented DynamicImageTemplateConfig field (deep-merged over the template) within its range."""
    if raw is None:
        return None
    value = parse_json_object(raw, "OverrideParams")
    watermarks = value.get("Watermarks")
    if watermarks is not None:
        if not isinstance(watermarks, list):
            raise invalid("OverrideParams")
        for mark in watermarks:
            if (
                not isinstance(mark, dict)
                or not isinstance(mark.get("WatermarkId"), str)
                or not mark["WatermarkId"]
                or not set(mark) <= WATERMARK_KEYS
                or any(not isinstance(mark[k], str) for k in mark)
            ):
                raise invalid("OverrideParams")
    try:
        parse_settings({k: v for k, v in value.items() if k != "Watermarks"})
    except ConfigError:
        raise invalid("OverrideParams") from None
    return value


@action("SubmitDynamicImageJob")
def submit_dynamic_image_job(ctx: ActionContext) -> dict[str, Any]:
    video_id = ctx.required("VideoId")
    template_id = ctx.required("DynamicImageTemplateId")
    overrides = parse_override_params(ctx.optional("OverrideParams"))
    status = queries.video_status(ctx.session, ctx.account_id, video_id)
    if status is None:
        raise Errors.InvalidVideoNotFound.error()
    if status not in DYNAMIC_IMAGE_STATUSES:
        raise Errors.ForbiddenIllegalStatus.error()
    template = queries.template_kind(ctx.session, ctx.account_id, template_id)
    if template is None or template[0] is not TemplateType.DynamicImage:
        raise Errors.NoSuchResource.error(f"DynamicImageTemplateId({template_id})")
    job_id = ctx.new_id(DynamicImageJob)
    now = as_utc(ctx.now)
    insert_row(
        ctx.session,
        DynamicImageJob,
        {
            "job_id": job_id,
            "account_id": ctx.account_id,
            "video_id": video_id,
            "template_id": template_id,
            "template_config": template[1],  # the job keeps this even if the template changes or goes
            "status": JobStatus.Processing,
            "override_params": None if overrides is None else json.dumps(overrides, ensure_ascii=False, sort_keys=True),
            "request_id": ctx.request_id,
            "created_at": now,
            "updated_at": now,
            "submit_host": ctx.host or None,  # FileURLs of the job's image are built on it
        },
    )
    if ctx.runtime.jobs is not None:
        ctx.after_commit.append(ctx.runtime.jobs.wake)  # immediate mode: process right after the reply
    return {"DynamicImageJob": {"JobId": job_id}}
