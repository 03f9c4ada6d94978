"""Rendering one animated image (GIF or WebP) with Pillow: CPU work, run in a thread pool.

The picture is synthetic but moves: a scrolling colour gradient, a bouncing block, the frame counter
and the video timestamp of each frame. Each override watermark's ``Content`` is drawn as a labelled
box, so a watermark override changes the pixels. Every frame lasts ``round(1000 / fps)`` ms (GIF
stores centiseconds, so it rounds that to 10 ms).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from emulator.dynamic_image_config import RenderPlan

WEBP_QUALITY = 60
# GIF frames share one fixed palette (the 216 "web-safe" colours: black, white and yellow included), so
# no frame needs its own, slow, colour quantisation.
_LEVELS = (0, 51, 102, 153, 204, 255)
_GIF_PALETTE = Image.new("P", (1, 1))
_GIF_PALETTE.putpalette([c for r in _LEVELS for g in _LEVELS for b in _LEVELS for c in (r, g, b)])


@dataclass(frozen=True, slots=True)
class RenderedImage:
    path: Path
    file_size: int
    frames: int
    frame_ms: int
    duration: float  # seconds shown: frames × frame time at the plan's fps


def frame_ms(fps: float) -> int:
    return max(1, round(1000 / fps))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _gradient(width: int, height: int) -> Image.Image:
    ramp = Image.linear_gradient("L")  # 256×256, black at the top to white at the bottom
    red = ramp.rotate(90).resize((width, height))
    green = ramp.resize((width, height))
    blue = Image.new("L", (width, height), 150)
    return Image.merge("RGB", (red, green, blue))


def _clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:02d}:{minutes:02d}:{secs:06.3f}"


def _draw_frame(
    base: Image.Image,
    index: int,
    plan: RenderPlan,
    label: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    line: int,
) -> Image.Image:
    width, height = base.size
    frame = ImageChops.offset(base, (index * max(1, width // max(plan.frames, 1))) % width, 0)
    draw = ImageDraw.Draw(frame)
    block = max(8, min(width, height) // 6)
    travel = max(1, width - block)
    position = (index * max(1, travel // 10)) % (2 * travel)
    x = position if position < travel else 2 * travel - position
    y = (height - block) // 2
    draw.rectangle((x, y, x + block, y + block), fill=(255, 255, 255), outline=(0, 0, 0))
    seconds = plan.start + index / plan.fps
    draw.text((4, height - 2 * line - 4), f"{label} frame {index + 1}/{plan.frames}", fill=(0, 0, 0), font=font)
    draw.text((4, height - line - 4), f"t={_clock(seconds)}", fill=(0, 0, 0), font=font)
    top = 4
    for mark in plan.watermarks:
        text = mark.get("Content") or mark.get("FileUrl") or mark.get("WatermarkId", "")
        box = draw.textbbox((6, top), text, font=font)
        draw.rectangle((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), fill=(0, 0, 0))
        draw.text((6, top), text, fill=(255, 255, 0), font=font)
        top = box[3] + 6
    return frame


def render_animation(plan: RenderPlan, path: Path, label: str = "VOD emulator") -> RenderedImage:
    """Render ``plan`` to ``path`` (written atomically) and describe the file."""
    line = max(10, plan.height // 12)
    font = _font(line - 2)
    base = _gradient(plan.width, plan.height)
    frames = [_draw_frame(base, i, plan, label, font, line) for i in range(plan.frames)]
    ms = frame_ms(plan.fps)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    if plan.format == "webp":
        frames[0].save(
            partial,
            format="WEBP",
            save_all=True,
            append_images=frames[1:],
            duration=ms,
            loop=0,
            quality=WEBP_QUALITY,
            method=0,
        )
    else:
        paletted = [f.quantize(palette=_GIF_PALETTE, dither=Image.Dither.NONE) for f in frames]
        paletted[0].save(
            partial, format="GIF", save_all=True, append_images=paletted[1:], duration=ms, loop=0, optimize=False
        )
    os.replace(partial, path)
    return RenderedImage(
        path=path,
        file_size=path.stat().st_size,
        frames=plan.frames,
        frame_ms=ms,
        duration=plan.frames / plan.fps,
    )
