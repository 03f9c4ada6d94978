"""Event callbacks per account: SetMessageCallback, GetMessageCallback, DeleteMessageCallback (spec §9.6).

SetMessageCallback changes only the fields it is given; a first call starts from CallbackType
``HTTP``, EventTypeList ``ALL``, AuthSwitch ``off``. ``EventTypeList`` given empty means no events.
MNS settings are stored as given (the emulator records MNS events but sends nothing).
"""

from __future__ import annotations

import re
from typing import Any

from emulator.actions.registry import ActionContext, action
from emulator.clock import as_utc
from emulator.gateway.errors import invalid
from emulator.store.models import MessageCallback

CALLBACK_TYPES = ("HTTP", "MNS")
AUTH_SWITCHES = ("on", "off")
MAX_URL_BYTES = 256
MAX_AUTH_KEY_CHARS = 32
_EVENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def _event_type_list(raw: str) -> str:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if any(not _EVENT_NAME.match(name) for name in names):
        raise invalid("EventTypeList")
    if any(name.upper() == "ALL" for name in names):
        return "ALL"
    return ",".join(dict.fromkeys(names))


def _callback_url(raw: str) -> str:
    if len(raw.encode("utf-8")) > MAX_URL_BYTES or not re.match(r"^https?://[^\s/]+", raw, re.IGNORECASE):
        raise invalid("CallbackURL")
    return raw


@action("SetMessageCallback")
def set_message_callback(ctx: ActionContext) -> dict[str, Any]:
    callback = ctx.session.get(MessageCallback, ctx.account_id) or MessageCallback(
        account_id=ctx.account_id, modified_at=as_utc(ctx.now)
    )
    callback_type = ctx.optional("CallbackType")
    if callback_type is not None:
        if callback_type.upper() not in CALLBACK_TYPES:
            raise invalid("CallbackType")
        callback.callback_type = callback_type.upper()
    url = ctx.optional("CallbackURL")
    if url is not None:
        callback.callback_url = _callback_url(url)
    if "EventTypeList" in ctx.params:
        callback.event_type_list = _event_type_list(ctx.params["EventTypeList"])
    auth_switch = ctx.optional("AuthSwitch")
    if auth_switch is not None:
        if auth_switch.lower() not in AUTH_SWITCHES:
            raise invalid("AuthSwitch")
        callback.auth_switch = auth_switch.lower()
    auth_key = ctx.optional("AuthKey")
    if auth_key is not None:
        if len(auth_key) > MAX_AUTH_KEY_CHARS:
            raise invalid("AuthKey")
        callback.auth_key = auth_key
    for param, attribute in (("MnsEndpoint", "mns_endpoint"), ("MnsQueueName", "mns_queue_name"), ("AppId", "app_id")):
        value = ctx.optional(param)
        if value is not None:
            setattr(callback, attribute, value)
    callback.modified_at = as_utc(ctx.now)
    ctx.session.add(callback)
    return {}


@action("GetMessageCallback")
def get_message_callback(ctx: ActionContext) -> dict[str, Any]:
    """The account's callback; no ``MessageCallback`` at all when none was ever set."""
    callback = ctx.session.get(MessageCallback, ctx.account_id)
    if callback is None:
        return {}
    return {
        "MessageCallback": {
            "AppId": callback.app_id or ctx.optional("AppId") or "app-1000000",
            "CallbackType": callback.callback_type,
            "CallbackURL": callback.callback_url,
            "EventTypeList": callback.event_type_list,
            "AuthSwitch": callback.auth_switch,
            "AuthKey": callback.auth_key,
            "MnsEndpoint": callback.mns_endpoint,
            "MnsQueueName": callback.mns_queue_name,
        }
    }


@action("DeleteMessageCallback")
def delete_message_callback(ctx: ActionContext) -> dict[str, Any]:
    """Remove the account's callback (events stop being sent). Deleting none is not an error."""
    callback = ctx.session.get(MessageCallback, ctx.account_id)
    if callback is not None:
        ctx.session.delete(callback)
    return {}
