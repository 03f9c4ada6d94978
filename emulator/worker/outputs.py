"""Where rendered animated images live on disk, their FileURLs, and the route that serves them.

A file is stored at ``<data_dir>/outputs/<VideoId>/image/dynamic/<DynamicImageId>.<ext>`` and served at
``http://<host>/<VideoId>/image/dynamic/<DynamicImageId>.<ext>``, the real FileURL's shape. ``host`` is
the Host header the client used, unless ``public_url`` (``VOD_EMULATOR_PUBLIC_URL``) is set.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from emulator.config import Settings

MEDIA_TYPES = {"gif": "image/gif", "webp": "image/webp"}
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_FILE_NAME = re.compile(r"^([0-9a-f]{32})\.(gif|webp)$")


def url_path(video_id: str, dynamic_image_id: str, image_format: str) -> str:
    """``/<VideoId>/image/dynamic/<DynamicImageId>.<ext>``."""
    return f"/{video_id}/image/dynamic/{dynamic_image_id}.{image_format}"


def file_path(settings: Settings, video_id: str, dynamic_image_id: str, image_format: str) -> Path:
    return settings.outputs_dir / video_id / "image" / "dynamic" / f"{dynamic_image_id}.{image_format}"


def public_base(settings: Settings, host: str | None) -> str:
    """The scheme and authority FileURLs start with."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if host:
        return f"http://{host}"
    listen = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{listen}:{settings.port}"


def file_url(settings: Settings, host: str | None, path: str) -> str:
    return public_base(settings, host) + path


router = APIRouter(include_in_schema=False)


@router.get("/{video_id}/image/dynamic/{file_name}")
async def dynamic_image_file(video_id: str, file_name: str, request: Request) -> FileResponse:
    """An animated image a job rendered (kept after DeleteDynamicImage, like the real CDN copy)."""
    match = _FILE_NAME.match(file_name)
    if not _HEX32.match(video_id) or match is None:
        raise HTTPException(status_code=404)
    settings: Settings = request.app.state.runtime.settings
    path = file_path(settings, video_id, match.group(1), match.group(2))
    if not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=MEDIA_TYPES[match.group(2)])
