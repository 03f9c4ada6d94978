"""Factories for the three official client paths bound to an emulator, and one error shape for all.

- ``legacy``: ``aliyun-python-sdk-core`` AcsClient + ``aliyun-python-sdk-vod`` request objects (V1);
- ``tea_v3``: ``alibabacloud-vod20170321`` with its default ``ACS3-HMAC-SHA256`` signature;
- ``tea_v1``: the same client with ``signature_algorithm='v2'`` (the classic V1 HMAC-SHA1 signature).

Every factory takes a :class:`~tests.conftest.Key`; a key with a token is used as an STS credential
(legacy ``StsTokenCredential``, Tea ``security_token=``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alibabacloud_tea_openapi.models import Config, OpenApiRequest, Params
from alibabacloud_tea_util.models import RuntimeOptions
from alibabacloud_vod20170321.client import Client as TeaClient
from alibabacloud_vod20170321.models import SubmitDynamicImageJobRequest as TeaSubmitRequest
from aliyunsdkcore.acs_exception.exceptions import ServerException as LegacyServerException
from aliyunsdkcore.auth.credentials import AccessKeyCredential, StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkvod.request.v20170321.SubmitDynamicImageJobRequest import (
    SubmitDynamicImageJobRequest as LegacySubmitRequest,
)
from Tea.exceptions import TeaException

from tests.conftest import Key
from tests.server import EmulatorServer

REGION = "cn-shanghai"
API_VERSION = "2017-03-21"
CLIENT_KINDS = ("legacy", "tea_v3", "tea_v1")


@dataclass(frozen=True)
class SdkError:
    """An official SDK's exception, normalised: what every client exposes, plus the raw envelope."""

    code: str
    status: int | None
    request_id: str | None
    message: str
    envelope: dict[str, Any] = field(default_factory=dict)  # the whole error body (Tea only)


@dataclass(frozen=True)
class SubmitResult:
    request_id: str
    job_id: str
    headers: dict[str, str]  # the reply's headers (Tea only; the legacy SDK returns just the body)


def legacy_client(server: EmulatorServer, key: Key) -> AcsClient:
    credential: AccessKeyCredential | StsTokenCredential
    if key.token is not None:
        credential = StsTokenCredential(key.id, key.secret, key.token)
    else:
        credential = AccessKeyCredential(key.id, key.secret)
    return AcsClient(region_id=REGION, credential=credential, timeout=30, connect_timeout=10)


def legacy_submit_request(server: EmulatorServer, **params: str) -> LegacySubmitRequest:
    """A SubmitDynamicImageJob request object pointed at ``server`` (plain HTTP)."""
    request = LegacySubmitRequest()
    request.set_endpoint(server.endpoint)
    request.set_protocol_type("http")
    for name, value in params.items():
        request.add_query_param(name, value)
    return request


def tea_config(server: EmulatorServer, key: Key, *, v1: bool = False) -> Config:
    config = Config(
        access_key_id=key.id,
        access_key_secret=key.secret,
        security_token=key.token,
        region_id=REGION,
        endpoint=server.endpoint,
        protocol="http",
        read_timeout=30_000,
        connect_timeout=10_000,
    )
    if v1:
        config.signature_algorithm = "v2"
    return config


def tea_client(server: EmulatorServer, key: Key, *, v1: bool = False) -> TeaClient:
    return TeaClient(tea_config(server, key, v1=v1))


def normalise(exc: BaseException) -> SdkError:
    """(code, HTTP status, request id, message) of any official SDK's error."""
    if isinstance(exc, LegacyServerException):
        return SdkError(exc.get_error_code(), exc.get_http_status(), exc.get_request_id(), exc.get_error_msg())
    if isinstance(exc, TeaException):
        data = dict(exc.data or {})
        status = getattr(exc, "status_code", None) or data.get("statusCode")
        message = data.get("Message", exc.message or "")
        request_id = getattr(exc, "request_id", None) or data.get("RequestId")
        envelope = {k: v for k, v in data.items() if k != "statusCode"}
        return SdkError(exc.code or "", status, request_id, message, envelope)
    raise TypeError(f"not an SDK error: {exc!r}") from exc


def _submit_legacy(server: EmulatorServer, key: Key, params: dict[str, str]) -> SubmitResult:
    body = legacy_client(server, key).do_action_with_exception(legacy_submit_request(server, **params))
    document = json.loads(body)
    return SubmitResult(document["RequestId"], document["DynamicImageJob"]["JobId"], {})


def _submit_tea(server: EmulatorServer, key: Key, params: dict[str, str], v1: bool) -> SubmitResult:
    request = TeaSubmitRequest(
        video_id=params.get("VideoId"),
        dynamic_image_template_id=params.get("DynamicImageTemplateId"),
        override_params=params.get("OverrideParams"),
    )
    response = tea_client(server, key, v1=v1).submit_dynamic_image_job(request)
    assert response.status_code == 200
    body = response.body
    return SubmitResult(body.request_id, body.dynamic_image_job.job_id, dict(response.headers))


def submitter(kind: str) -> Callable[[EmulatorServer, Key, dict[str, str]], SubmitResult]:
    """SubmitDynamicImageJob through one client path; raises the SDK's own exception on errors."""
    if kind == "legacy":
        return _submit_legacy
    if kind == "tea_v3":
        return lambda server, key, params: _submit_tea(server, key, params, v1=False)
    if kind == "tea_v1":
        return lambda server, key, params: _submit_tea(server, key, params, v1=True)
    raise ValueError(kind)


def call(
    kind: str,
    server: EmulatorServer,
    key: Key,
    params: dict[str, str],
    *,
    action: str = "SubmitDynamicImageJob",
    version: str = API_VERSION,
    method: str = "POST",
    in_body: bool = False,
) -> dict[str, Any]:
    """Any action/version/method through an SDK's generic call (legacy ``CommonRequest``, Tea
    ``call_api``), the params in the query or (``in_body``) in a form body; returns the parsed JSON
    body, raises the SDK's own exception on errors."""
    if kind == "legacy":
        request = CommonRequest(domain=server.endpoint, version=version, action_name=action)
        request.set_protocol_type("http")
        request.set_method(method)
        for name, value in params.items():
            if in_body:
                request.add_body_params(name, value)
            else:
                request.add_query_param(name, value)
        return dict(json.loads(legacy_client(server, key).do_action_with_exception(request)))
    api = Params(
        action=action,
        version=version,
        protocol="HTTP",
        pathname="/",
        method=method,
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )
    client = tea_client(server, key, v1=kind == "tea_v1")
    request = OpenApiRequest(body=dict(params)) if in_body else OpenApiRequest(query=dict(params))
    response = client.call_api(api, request, RuntimeOptions())
    return dict(response["body"])


def call_error(kind: str, server: EmulatorServer, key: Key, params: dict[str, str], **how: Any) -> SdkError:
    """:func:`call`, expecting an SDK error; return it normalised."""
    try:
        body = call(kind, server, key, params, **how)
    except (LegacyServerException, TeaException) as exc:
        return normalise(exc)
    raise AssertionError(f"{kind}: expected an error, got {body}")


def submit_error(kind: str, server: EmulatorServer, key: Key, params: dict[str, str]) -> SdkError:
    """Submit through ``kind``, expecting an SDK error; return it normalised."""
    try:
        result = submitter(kind)(server, key, params)
    except (LegacyServerException, TeaException) as exc:
        return normalise(exc)
    raise AssertionError(f"{kind}: expected an error, got {result}")
