"""VOD templates: AddVodTemplate, GetVodTemplate, ListVodTemplate, UpdateVodTemplate, DeleteVodTemplate.

``TemplateConfig`` is stored as the caller sent it and returned unchanged. A DynamicImage config is
validated by :func:`emulator.dynamic_image_config.validate_template_config`; a Snapshot config only has
to be a JSON object. Deleting or updating a template does not affect jobs already submitted with it:
SubmitDynamicImageJob copies the config onto the job (``DynamicImageJob.template_config``).
A deleted template is marked (``deleted_at``), not removed, so a restart does not re-seed it; for
every later call it is ``NoSuchResource``.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import col, select

from emulator.actions.registry import ActionContext, action
from emulator.clock import as_utc, format_time
from emulator.dynamic_image_config import parse_json_object, validate_template_config
from emulator.gateway.errors import Errors, invalid
from emulator.store import queries
from emulator.store.models import Template, TemplateType

MAX_NAME_BYTES = 128
DEFAULT_APP_ID = "app-1000000"
_APP_ID = re.compile(r"^app-\d{1,32}$")


def _name(value: str) -> str:
    if len(value.encode("utf-8")) > MAX_NAME_BYTES:
        raise invalid("Name")
    return value


def _template_type(value: str) -> TemplateType:
    try:
        return TemplateType(value)
    except ValueError:
        raise invalid("TemplateType") from None


def _app_id(value: str | None) -> str:
    if value is None:
        return DEFAULT_APP_ID
    if not _APP_ID.match(value):
        raise invalid("AppId")
    return value


def _check_config(template_type: TemplateType, raw: str) -> str:
    """The config string, verbatim, once it has passed the type's validation."""
    if template_type is TemplateType.DynamicImage:
        validate_template_config(raw)
    else:
        parse_json_object(raw, "TemplateConfig")
    return raw


def _owned_template(ctx: ActionContext) -> Template:
    template_id = ctx.required("VodTemplateId")
    template = queries.template(ctx.session, ctx.account_id, template_id)
    if template is None:
        raise Errors.NoSuchResource.error(f"VodTemplateId({template_id})")
    return template


def template_info(template: Template, *, with_app_id: bool) -> dict[str, Any]:
    """One VodTemplateInfo, shaped as the SDK models (GetVodTemplate's has no AppId)."""
    info: dict[str, Any] = {
        "VodTemplateId": template.template_id,
        "Name": template.name,
        "TemplateType": template.template_type.value,
        "TemplateConfig": template.config,
        "IsDefault": "Default" if template.is_default else "NotDefault",
        "CreationTime": format_time(template.created_at),
        "ModifyTime": format_time(template.modified_at),
    }
    if with_app_id:
        info["AppId"] = template.app_id
    return info


@action("AddVodTemplate")
def add_vod_template(ctx: ActionContext) -> dict[str, Any]:
    name = _name(ctx.required("Name"))
    template_type = _template_type(ctx.required("TemplateType"))
    config = _check_config(template_type, ctx.required("TemplateConfig"))
    app_id = _app_id(ctx.optional("AppId"))
    template_id = ctx.new_id(Template)
    now = as_utc(ctx.now)
    ctx.session.add(
        Template(
            template_id=template_id,
            account_id=ctx.account_id,
            name=name,
            template_type=template_type,
            config=config,
            is_default=False,
            app_id=app_id,
            created_at=now,
            modified_at=now,
        )
    )
    return {"VodTemplateId": template_id}


@action("GetVodTemplate")
def get_vod_template(ctx: ActionContext) -> dict[str, Any]:
    return {"VodTemplateInfo": template_info(_owned_template(ctx), with_app_id=False)}


@action("ListVodTemplate")
def list_vod_template(ctx: ActionContext) -> dict[str, Any]:
    template_type = _template_type(ctx.required("TemplateType"))
    app_id = _app_id(ctx.optional("AppId"))
    statement = (
        select(Template)
        .where(
            Template.account_id == ctx.account_id,
            Template.template_type == template_type,
            Template.app_id == app_id,
            col(Template.deleted_at).is_(None),
        )
        .order_by(col(Template.created_at), col(Template.template_id))
    )
    templates = ctx.session.exec(statement).all()
    return {"VodTemplateInfoList": [template_info(t, with_app_id=True) for t in templates]}


@action("UpdateVodTemplate")
def update_vod_template(ctx: ActionContext) -> dict[str, Any]:
    template = _owned_template(ctx)
    name = ctx.optional("Name")
    raw_config = ctx.optional("TemplateConfig")
    if name is not None:
        template.name = _name(name)
    if raw_config is not None:
        template.config = _check_config(template.template_type, raw_config)
    if name is not None or raw_config is not None:
        template.modified_at = as_utc(ctx.now)
        ctx.session.add(template)
    return {"VodTemplateId": template.template_id}


@action("DeleteVodTemplate")
def delete_vod_template(ctx: ActionContext) -> dict[str, Any]:
    template = _owned_template(ctx)
    template.deleted_at = as_utc(ctx.now)
    ctx.session.add(template)
    return {"VodTemplateId": template.template_id}
