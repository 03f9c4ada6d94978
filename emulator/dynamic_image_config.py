"""DynamicImageTemplateConfig: validation of a template's config and the effective render settings.

The documented schema (spec §9.1) is validated only where fields are present; unknown fields are kept
verbatim (callers send flat, off-schema configs and the real service accepts them). Absent fields take
the defaults below, which the README documents.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from emulator.gateway.errors import invalid

MIN_SIDE, MAX_SIDE = 128, 4096
MAX_FPS = 60.0
FORMATS = ("gif", "webp")
MAX_TIME_SECONDS = 86399.999
DEFAULT_FPS = 10.0
DEFAULT_FORMAT = "gif"
DEFAULT_DURATION_SECONDS = 5.0  # no Clip: from 0 for this long (capped at the video's end)
MAX_FRAMES = 300  # frames = fps × duration, capped here (the fps is kept, the image gets shorter)

_CLOCK_TIME = re.compile(r"^(\d{1,2}):([0-5]\d):([0-5]\d(?:\.\d{1,3})?)$")
_SECONDS_TIME = re.compile(r"^\d{1,5}(?:\.\d{1,3})?$")


class ConfigError(ValueError):
    """A documented field holds a value outside its documented range or format."""


def parse_time(value: Any) -> float:
    """``sssss[.SSS]`` in [0, 86399.999] or ``hh:mm:ss[.SSS]``, as seconds."""
    if isinstance(value, bool):
        raise ConfigError("time must be a string or number")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and _SECONDS_TIME.match(value.strip()):
        seconds = float(value.strip())
    elif isinstance(value, str) and (match := _CLOCK_TIME.match(value.strip())):
        hours, minutes, secs = match.groups()
        seconds = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    else:
        raise ConfigError(f"not a time: {value!r}")
    if not 0 <= seconds <= MAX_TIME_SECONDS or math.isnan(seconds):
        raise ConfigError(f"time out of range: {value!r}")
    return seconds


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ConfigError("not a number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ConfigError(f"not a number: {value!r}") from None
    else:
        raise ConfigError(f"not a number: {value!r}")
    if not math.isfinite(number):
        raise ConfigError("not a finite number")
    return number


def _side(value: Any) -> int | None:
    """Video.Width / Video.Height: empty = the source's size, else an integer in [128, 4096]."""
    if value is None or value == "":
        return None
    number = _number(value)
    if number != int(number) or not MIN_SIDE <= number <= MAX_SIDE:
        raise ConfigError(f"size out of range: {value!r}")
    return int(number)


def _fps(value: Any) -> float | None:
    if value is None or value == "":
        return None
    number = _number(value)
    if not 0 < number <= MAX_FPS:
        raise ConfigError(f"fps out of range: {value!r}")
    return number


def _format(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.lower() not in FORMATS:
        raise ConfigError(f"unknown format: {value!r}")
    return value.lower()


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConfigError(f"not true|false: {value!r}")


def _section(config: dict[str, Any], name: str) -> dict[str, Any]:
    value = config.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be an object")
    return value


@dataclass(frozen=True, slots=True)
class DynamicImageSettings:
    """The documented fields of a config, parsed; None where absent."""

    width: int | None = None
    height: int | None = None
    fps: float | None = None
    format: str | None = None
    seek: float | None = None
    duration: float | None = None
    end: float | None = None
    set_default_cover: bool | None = None


def parse_settings(config: dict[str, Any]) -> DynamicImageSettings:
    """Parse the documented fields of ``config``; raise ConfigError on a bad one."""
    video = _section(config, "Video")
    container = _section(config, "Container")
    time_span = _section(_section(config, "Clip"), "TimeSpan")

    def optional_time(name: str) -> float | None:
        value = time_span.get(name)
        return None if value is None or value == "" else parse_time(value)

    return DynamicImageSettings(
        width=_side(video.get("Width")),
        height=_side(video.get("Height")),
        fps=_fps(video.get("Fps")),
        format=_format(container.get("Format")),
        seek=optional_time("Seek"),
        duration=optional_time("Duration"),
        end=optional_time("End"),
        set_default_cover=_bool(config.get("SetDefaultCover")),
    )


def validate_template_config(raw: str) -> dict[str, Any]:
    """TemplateConfig of a DynamicImage template: a JSON object whose documented fields are valid.

    Raises ``InvalidParameter`` naming TemplateConfig otherwise.
    """
    config = parse_json_object(raw, "TemplateConfig")
    try:
        parse_settings(config)
    except ConfigError:
        raise invalid("TemplateConfig") from None
    return config


def parse_json_object(raw: str, parameter: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise invalid(parameter) from None
    if not isinstance(value, dict):
        raise invalid(parameter)
    return value


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True, slots=True)
class RenderPlan:
    """What the worker renders: the effective settings for one job on one video."""

    width: int
    height: int
    fps: float
    format: str
    start: float  # seconds into the video
    duration: float  # seconds of video covered
    frames: int
    set_default_cover: bool
    watermarks: list[dict[str, str]] = field(default_factory=list)


class ClipOutOfRange(ValueError):
    """The clip does not fit the video (e.g. it starts beyond the video's end)."""


def plan_render(
    template_config: dict[str, Any],
    overrides: dict[str, Any] | None,
    video_width: int,
    video_height: int,
    video_duration: float,
) -> RenderPlan:
    """Merge the job's OverrideParams over the template and apply the documented defaults.

    Raises ConfigError for a bad merged config, ClipOutOfRange when the clip misses the video.
    """
    overrides = overrides or {}
    watermarks = [dict(w) for w in overrides.get("Watermarks") or []]
    config_overrides = {k: v for k, v in overrides.items() if k != "Watermarks"}
    settings = parse_settings(deep_merge(template_config, config_overrides))
    width, height = settings.width, settings.height
    if width is None and height is None:
        width, height = video_width, video_height
    elif width is None:
        width = max(1, round(video_width * height / video_height))  # type: ignore[operator]
    elif height is None:
        height = max(1, round(video_height * width / video_width))
    start = settings.seek or 0.0
    if start >= video_duration:
        raise ClipOutOfRange(f"Seek {start:g}s is beyond the video's duration {video_duration:g}s")
    if settings.end is not None:  # End wins over Duration: the length cut off the end of the video
        stop = video_duration - settings.end
    elif settings.duration is not None:
        stop = start + settings.duration
    else:
        stop = start + DEFAULT_DURATION_SECONDS
    stop = min(stop, video_duration)
    if stop <= start:
        raise ClipOutOfRange("the clip is empty")
    fps = settings.fps or DEFAULT_FPS
    duration = stop - start
    frames = max(1, min(MAX_FRAMES, round(fps * duration)))
    return RenderPlan(
        width=int(width),  # type: ignore[arg-type]
        height=int(height),  # type: ignore[arg-type]
        fps=fps,
        format=settings.format or DEFAULT_FORMAT,
        start=start,
        duration=duration,
        frames=frames,
        set_default_cover=bool(settings.set_default_cover),
        watermarks=watermarks,
    )


__all__ = [
    "ClipOutOfRange",
    "ConfigError",
    "DynamicImageSettings",
    "RenderPlan",
    "deep_merge",
    "parse_json_object",
    "parse_settings",
    "parse_time",
    "plan_render",
    "validate_template_config",
]
