"""Draw MIoT Connect's icon and logo into custom_components/miot_connect/brand/.

Home Assistant (2026.10+) serves a custom integration's own `brand/` folder at
/api/brands/integration/<domain>/<image>. The brand rules of home-assistant/brands apply:
PNG, transparent background, trimmed; icon square 256 px (icon@2x 512 px); logo with its
shortest side 128 px (logo@2x 256 px); dark_ variants for images that would vanish on a dark
background (here the logo's wordmark; the icon carries its own background and needs none).

The mark is our own: a rounded square in an indigo-to-teal gradient holding a white "M" whose
right peak sends out two voice/signal arcs. Everything is drawn with Pillow at four times the
size and scaled down, so the script regenerates identical files: `python scripts/make_brand.py`.
The wordmark uses Pillow's bundled font (Aileron), so no system font is needed.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
BRAND_DIR = ROOT / "custom_components" / "miot_connect" / "brand"

SUPERSAMPLE = 4
GRADIENT_START = (79, 70, 229)  # indigo
GRADIENT_END = (13, 186, 166)  # teal
MARK = (255, 255, 255)
WORDMARK_LIGHT = (31, 41, 55)  # slate, on light backgrounds
WORDMARK_DARK = (241, 245, 249)  # near-white, on dark backgrounds
ACCENT_LIGHT = (79, 70, 229)
ACCENT_DARK = (129, 140, 248)


def _gradient(size: int) -> Image.Image:
    """A diagonal gradient from the top-left to the bottom-right corner."""
    small = Image.new("RGB", (64, 64))
    pixels = small.load()
    assert pixels is not None
    for y in range(64):
        for x in range(64):
            t = (x + y) / 126
            pixels[x, y] = tuple(
                round(a + (b - a) * t) for a, b in zip(GRADIENT_START, GRADIENT_END, strict=True)
            )
    return small.resize((size, size), Image.Resampling.BICUBIC)


def _icon(size: int, *, supersample: int = SUPERSAMPLE) -> Image.Image:
    """The square icon, `size` pixels wide, drawn on a 512-unit grid."""
    big = size * supersample
    unit = big / 512

    def pt(x: float, y: float) -> tuple[float, float]:
        # The mark (M and arcs) is shifted so that the whole group sits in the middle.
        return ((x - 26) * unit, (y + 10) * unit)

    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, big - 1, big - 1), radius=round(112 * unit), fill=255
    )
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    image.paste(_gradient(big), (0, 0), mask)

    draw = ImageDraw.Draw(image)
    stroke = round(50 * unit)
    # The "M": two legs and a valley, with rounded joints and ends.
    m_points = [pt(120, 396), pt(120, 196), pt(236, 318), pt(352, 196), pt(352, 396)]
    draw.line(m_points, fill=MARK, width=stroke, joint="curve")
    for x, y in (m_points[0], m_points[-1], m_points[1], m_points[3]):
        radius = stroke / 2
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=MARK)
    # Voice / signal arcs from the right peak, opening to the top right.
    cx, cy = pt(352, 196)
    arc_width = round(30 * unit)
    for radius_units in (72, 124):
        radius = radius_units * unit
        draw.arc(
            (cx - radius, cy - radius, cx + radius, cy + radius),
            start=-80,
            end=-10,
            fill=MARK,
            width=arc_width,
        )
    # Round the arcs' ends.
    for radius_units in (72, 124):
        for angle in (-80, -10):
            radius = radius_units * unit - arc_width / 2
            end = _polar(cx, cy, radius, angle)
            cap = arc_width / 2
            draw.ellipse((end[0] - cap, end[1] - cap, end[0] + cap, end[1] + cap), fill=MARK)
    # Keep everything inside the rounded square.
    image.putalpha(ImageChops.multiply(image.getchannel("A"), mask))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _polar(cx: float, cy: float, radius: float, degrees: float) -> tuple[float, float]:
    rad = math.radians(degrees)
    return (cx + radius * math.cos(rad), cy + radius * math.sin(rad))


def _logo(height: int, *, dark: bool) -> Image.Image:
    """Icon and wordmark side by side, `height` pixels tall, trimmed."""
    big = height * SUPERSAMPLE
    icon = _icon(big, supersample=1)
    font_size = round(big * 0.46)
    bold = ImageFont.load_default(size=font_size)
    text_color = WORDMARK_DARK if dark else WORDMARK_LIGHT
    accent = ACCENT_DARK if dark else ACCENT_LIGHT
    first, second = "MIoT", " Connect"
    gap = round(big * 0.16)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    first_w = probe.textlength(first, font=bold)
    second_w = probe.textlength(second, font=bold)
    width = big + gap + round(first_w + second_w) + big // 8
    canvas = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    canvas.paste(icon, (0, 0), icon)
    draw = ImageDraw.Draw(canvas)
    baseline_y = big / 2
    x = big + gap
    draw.text(
        (x, baseline_y),
        first,
        font=bold,
        fill=accent,
        anchor="lm",
        stroke_width=round(font_size * 0.035),
        stroke_fill=accent,
    )
    draw.text((x + first_w, baseline_y), second, font=bold, fill=text_color, anchor="lm")
    canvas = _trim(canvas)
    scale = height / canvas.height if canvas.height < canvas.width else height / canvas.width
    target = (round(canvas.width * scale), round(canvas.height * scale))
    return canvas.resize(target, Image.Resampling.LANCZOS)


def _trim(image: Image.Image) -> Image.Image:
    """Crop to the visible pixels."""
    box = image.getchannel("A").getbbox()
    assert box is not None
    return image.crop(box)


def images() -> dict[str, Image.Image]:
    """Every brand file Home Assistant looks for that we ship, by file name."""
    return {
        "icon.png": _icon(256),
        "icon@2x.png": _icon(512),
        "logo.png": _logo(128, dark=False),
        "logo@2x.png": _logo(256, dark=False),
        "dark_logo.png": _logo(128, dark=True),
        "dark_logo@2x.png": _logo(256, dark=True),
    }


def main() -> None:
    """Write the images (or into --out, to compare)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BRAND_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, image in images().items():
        image.save(args.out / name, optimize=True)
        print(f"{args.out / name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
