"""Call any VOD action through one of the three official client paths and get a plain dict back.

- ``legacy``: the action's ``aliyunsdkvod`` request class sent by ``AcsClient``; the raw JSON body;
- ``tea_v3`` / ``tea_v1``: the Tea client's method with the action's request model; the typed
  ``response.body`` must exist (a reply the models cannot map gives ``body=None``) and is returned as
  ``body.to_map()``, i.e. only what survives the SDK's models.

Errors are the SDKs' own exceptions; :func:`call_error` returns them normalised.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

from alibabacloud_vod20170321 import models as tea_models
from aliyunsdkcore.acs_exception.exceptions import ServerException as LegacyServerException
from Tea.exceptions import TeaException

from tests.conftest import Key
from tests.sdk_clients import CLIENT_KINDS, SdkError, legacy_client, normalise, tea_client
from tests.server import EmulatorServer

__all__ = ["CLIENT_KINDS", "call", "call_error", "tea_body"]


def _snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def _legacy(server: EmulatorServer, key: Key, action: str, params: dict[str, str]) -> dict[str, Any]:
    module = importlib.import_module(f"aliyunsdkvod.request.v20170321.{action}Request")
    request = getattr(module, f"{action}Request")()
    request.set_endpoint(server.endpoint)
    request.set_protocol_type("http")
    for name, value in params.items():
        request.add_query_param(name, value)
    return dict(json.loads(legacy_client(server, key).do_action_with_exception(request)))


def tea_body(server: EmulatorServer, key: Key, action: str, params: dict[str, str], *, v1: bool = False) -> Any:
    """The Tea client's typed response body (asserted present, status 200)."""
    request = getattr(tea_models, f"{action}Request")().from_map(params)
    response = getattr(tea_client(server, key, v1=v1), _snake(action))(request)
    assert response.status_code == 200
    assert response.body is not None, f"{action}: the Tea models could not map the reply"
    return response.body


def call(kind: str, server: EmulatorServer, key: Key, action: str, **params: str) -> dict[str, Any]:
    """``action`` with ``params`` (wire names) through client path ``kind``; the reply as a dict."""
    if kind == "legacy":
        return _legacy(server, key, action, params)
    if kind in ("tea_v3", "tea_v1"):
        return dict(tea_body(server, key, action, params, v1=kind == "tea_v1").to_map())
    raise ValueError(kind)


def call_error(kind: str, server: EmulatorServer, key: Key, action: str, **params: str) -> SdkError:
    """The same, expecting an SDK error; returns it normalised."""
    try:
        result = call(kind, server, key, action, **params)
    except (LegacyServerException, TeaException) as exc:
        return normalise(exc)
    raise AssertionError(f"{kind} {action}: expected an error, got {result}")
