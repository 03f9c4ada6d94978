"""The one table of every error code the emulator returns: code, HTTP status and message.

Messages with ``{}`` placeholders are formatted with the arguments given to :meth:`ErrorSpec.error`.
Action modules and the gateway raise :class:`ApiError`; the envelope renderer turns it into the
service's error body. Nothing else in the code base spells an error code or message.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: str
    status: int
    message: str

    def error(self, *args: object, code: str | None = None) -> ApiError:
        message = self.message.format(*args) if args else self.message
        return ApiError(code or self.code, self.status, message)


class ApiError(Exception):
    """A reply in the service's error envelope."""

    def __init__(self, code: str, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message
        self.headers = headers or {}


class Errors:
    """Namespace of every :class:`ErrorSpec`; the README's error table is generated from it."""

    # --- gateway: request shape -------------------------------------------------------------
    MissingParameter = ErrorSpec(
        "MissingParameter",
        400,
        'The input parameter "{}" that is mandatory for processing this request is not supplied.',
    )
    # Missing<Param>: the code is built from the parameter's name (MissingVideoId, MissingSignature …)
    MissingNamed = ErrorSpec("Missing{}", 400, "{} is mandatory for this action.")
    InvalidParameter = ErrorSpec("InvalidParameter", 400, 'The specified parameter "{}" is not valid.')
    InvalidParameterFormat = ErrorSpec("InvalidParameter.Format", 400, "Specified parameter format is not valid.")
    InvalidVersion = ErrorSpec("InvalidVersion", 400, "Specified parameter Version is not valid.")
    InvalidActionNotFound = ErrorSpec(
        "InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."
    )
    UnsupportedHTTPMethod = ErrorSpec("UnsupportedHTTPMethod", 403, "The HTTP method is not supported.")
    RequestTooLarge = ErrorSpec(
        "InvalidParameter.RequestTooLarge",
        413,
        "The request is larger than the {} bytes this endpoint accepts.",
    )
    # --- gateway: authentication --------------------------------------------------------------
    InvalidAccessKeyIdNotFound = ErrorSpec("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")
    InvalidAccessKeyIdInactive = ErrorSpec("InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled.")
    SignatureDoesNotMatch = ErrorSpec(
        "SignatureDoesNotMatch",
        400,
        "Specified signature is not matched with our calculation. server string to sign is:{}",
    )
    IncompleteSignature = ErrorSpec(
        "IncompleteSignature",
        400,
        "The request signature does not conform to Aliyun standards. server string to sign is:{}",
    )
    InvalidSignatureMethod = ErrorSpec("InvalidSignatureMethod", 400, "Specified signature method is not valid.")
    InvalidTimeStampFormat = ErrorSpec(
        "InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."
    )
    InvalidTimeStampExpired = ErrorSpec(
        "InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."
    )
    SignatureNonceUsed = ErrorSpec("SignatureNonceUsed", 400, "Specified signature nonce was used already.")
    MissingSecurityToken = ErrorSpec("MissingSecurityToken", 400, "SecurityToken is mandatory for this action.")
    InvalidSecurityTokenExpired = ErrorSpec("InvalidSecurityToken.Expired", 400, "Specified SecurityToken is expired.")
    InvalidSecurityTokenMalformed = ErrorSpec(
        "InvalidSecurityToken.Malformed", 400, "Specified SecurityToken is malformed."
    )
    InvalidSecurityTokenMismatch = ErrorSpec(
        "InvalidSecurityToken.MismatchWithAccessKey",
        400,
        "Specified SecurityToken mismatch with the AccessKey.",
    )
    # --- gateway: service-wide ----------------------------------------------------------------
    ThrottlingUser = ErrorSpec("Throttling.User", 429, "Request was denied due to user flow control.")
    ServiceUnavailable = ErrorSpec(
        "ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."
    )
    InternalError = ErrorSpec("InternalError", 500, "The request processing has failed due to some unknown error.")
    # --- VOD actions -----------------------------------------------------------------------------
    InvalidVideoNotFound = ErrorSpec("InvalidVideo.NotFound", 404, "The video does not exist.")
    NoSuchResource = ErrorSpec("NoSuchResource", 404, "The specified resource {} does not exist.")
    ForbiddenIllegalStatus = ErrorSpec("Forbidden.IllegalStatus", 400, "Status of the video is illegal.")
    VideoIdsExceededMax = ErrorSpec("VideoIdsExceededMax", 400, "The VideoIds exceeded maximum.")
    # --- animated-image job failures (ErrorCode/ErrorMessage of a failed job's DynamicImageComplete
    # event; never an API reply, so the status is only nominal) ------------------------------------
    JobClipOutOfRange = ErrorSpec("InvalidParameter.ClipOutOfRange", 400, "The clip does not fit the video: {}.")
    JobTemplateConfigInvalid = ErrorSpec(
        "InvalidParameter.TemplateConfig", 400, "The effective DynamicImageTemplateConfig is not valid: {}."
    )
    JobRenderFailed = ErrorSpec("InternalError.RenderFailed", 500, "The animated image could not be rendered: {}.")

    @classmethod
    def all(cls) -> list[ErrorSpec]:
        return [v for v in vars(cls).values() if isinstance(v, ErrorSpec)]


def missing(name: str) -> ApiError:
    """``Missing<Name>`` / 400 / ``<Name> is mandatory for this action.``"""
    return Errors.MissingNamed.error(name, code=f"Missing{name}")


def invalid(name: str) -> ApiError:
    """``InvalidParameter`` / 400 naming the parameter."""
    return Errors.InvalidParameter.error(name)
