"""Cardholder photos: generated demo portraits, content addresses and a decodability check.

The card has no PIN: the cashier compares the photo on the till with the person (D-CARD-4), so
the demo portraits must look like people and differ clearly from one another. They are drawn
procedurally with Pillow from a seed (nothing is downloaded) and are deterministic: the same
seed gives the same PNG bytes, so the content address (invariant 5) is stable.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, PngImagePlugin

Rgb = tuple[int, int, int]
Box = tuple[float, float, float, float]


# --- palettes -------------------------------------------------------------------------------

SKIN_TONES: tuple[Rgb, ...] = (
    (255, 226, 204),
    (246, 208, 178),
    (236, 192, 150),
    (224, 172, 128),
    (204, 146, 104),
    (176, 116, 78),
    (136, 86, 56),
    (100, 62, 42),
)

HAIR_COLOURS: tuple[Rgb, ...] = (
    (34, 28, 26),  # black
    (66, 44, 32),  # dark brown
    (112, 74, 44),  # brown
    (150, 70, 34),  # auburn
    (196, 110, 52),  # ginger
    (220, 184, 112),  # blond
    (238, 214, 158),  # light blond
    (160, 158, 156),  # grey
    (226, 224, 220),  # white
)
DARK_HAIR = (0, 1, 2)

EYE_COLOURS: tuple[Rgb, ...] = (
    (92, 58, 32),
    (60, 40, 28),
    (70, 120, 170),
    (90, 130, 80),
    (120, 96, 60),
    (80, 110, 130),
)

BACKGROUNDS: tuple[Rgb, ...] = (
    (196, 224, 236),
    (214, 236, 210),
    (244, 226, 200),
    (232, 214, 236),
    (250, 222, 218),
    (220, 222, 244),
    (236, 236, 214),
    (206, 232, 226),
    (240, 216, 196),
    (224, 230, 236),
    (252, 238, 196),
)

SHIRTS: tuple[Rgb, ...] = (
    (46, 84, 150),
    (200, 70, 60),
    (60, 130, 90),
    (240, 180, 60),
    (90, 60, 120),
    (40, 44, 52),
    (236, 236, 232),
    (70, 150, 170),
    (170, 90, 130),
    (120, 110, 90),
    (230, 120, 40),
    (110, 140, 200),
    (150, 40, 60),
)

FRAMES: tuple[Rgb, ...] = (
    (30, 30, 34),
    (120, 70, 40),
    (180, 40, 50),
    (40, 80, 160),
    (196, 160, 80),
)

HAIR_STYLES: tuple[str, ...] = (
    "short",
    "long",
    "curly",
    "side_part",
    "bob",
    "bun",
    "buzz",
    "afro",
    "balding",
    "quiff",
    "braids",
    "ponytail",
)
COLLARS: tuple[str, ...] = ("crew", "vneck", "shirt", "hoodie", "turtleneck")


@dataclass(frozen=True, slots=True)
class Look:
    """Everything that tells one generated person from another."""

    skin: Rgb
    hair: Rgb
    hair_style: str
    eyes: Rgb
    background: Rgb
    shirt: Rgb
    collar: str
    stripes: bool
    glasses: Rgb | None
    round_glasses: bool
    beard: str  # "", "beard", "stubble", "moustache"
    freckles: bool
    earrings: bool
    face_width: float  # half-width of the head, in units of the image size
    face_height: float
    smile_open: bool
    brow_tilt: float


def _pick(options: Sequence[Rgb], index: int) -> Rgb:
    return options[index % len(options)]


def look_for(seed: int) -> Look:
    """The look of person ``seed``: the main features step through coprime cycles so that
    neighbouring seeds never share hair style, skin and hair colour; details come from a PRNG."""
    rng = random.Random(seed * 7919 + 17)
    style = HAIR_STYLES[(seed * 5) % len(HAIR_STYLES)]
    skin_index = (seed * 3 + 1) % len(SKIN_TONES)
    hair_index = (seed * 4 + 2) % len(HAIR_COLOURS)
    if skin_index >= 5 and hair_index not in (*DARK_HAIR, 7, 8):
        hair_index = DARK_HAIR[seed % len(DARK_HAIR)]  # keep combinations plausible
    if style == "afro" and hair_index not in (*DARK_HAIR, 7, 8):
        hair_index = DARK_HAIR[seed % len(DARK_HAIR)]
    short_styles = {"short", "buzz", "balding", "quiff", "side_part"}
    beard = ""
    if style in short_styles and rng.random() < 0.55:
        beard = rng.choice(["beard", "stubble", "moustache", "beard"])
    glasses_roll = (seed * 2 + 1) % 5 in (0, 3)
    return Look(
        skin=SKIN_TONES[skin_index],
        hair=HAIR_COLOURS[hair_index],
        hair_style=style,
        eyes=_pick(EYE_COLOURS, seed * 5 + 3),
        background=_pick(BACKGROUNDS, seed * 4 + 1),
        shirt=_pick(SHIRTS, seed * 6 + 5),
        collar=COLLARS[(seed * 3) % len(COLLARS)],
        stripes=rng.random() < 0.2,
        glasses=_pick(FRAMES, rng.randrange(len(FRAMES))) if glasses_roll else None,
        round_glasses=rng.random() < 0.5,
        beard=beard,
        freckles=skin_index <= 2 and rng.random() < 0.45,
        earrings=style in {"long", "bob", "bun", "braids", "ponytail", "curly"}
        and rng.random() < 0.5,
        face_width=rng.uniform(0.145, 0.168),
        face_height=rng.uniform(0.190, 0.212),
        smile_open=rng.random() < 0.5,
        brow_tilt=rng.uniform(-0.008, 0.006),
    )


# --- drawing --------------------------------------------------------------------------------


def _shade(colour: Rgb, factor: float) -> Rgb:
    return (
        max(0, min(255, round(colour[0] * factor))),
        max(0, min(255, round(colour[1] * factor))),
        max(0, min(255, round(colour[2] * factor))),
    )


def _mix(a: Rgb, b: Rgb, t: float) -> Rgb:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


class _Canvas:
    """Draws in unit coordinates (0..1 of the image side) on a supersampled image."""

    def __init__(self, side: int, background: Rgb) -> None:
        self.side = side
        self.image = Image.new("RGB", (side, side), background)
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def box(self, box: Box) -> tuple[float, float, float, float]:
        s = self.side
        return (box[0] * s, box[1] * s, box[2] * s, box[3] * s)

    def px(self, value: float) -> int:
        return max(1, round(value * self.side))

    def points(self, pts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * self.side, y * self.side) for x, y in pts]

    def mask(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        m = Image.new("L", (self.side, self.side), 0)
        return m, ImageDraw.Draw(m)

    def fill_mask(self, mask: Image.Image, colour: Rgb) -> None:
        self.image.paste(colour, (0, 0), mask)


def _background(c: _Canvas, look: Look) -> None:
    top = _shade(look.background, 1.06)
    bottom = _shade(look.background, 0.88)
    gradient = Image.new("RGB", (1, 256))
    for y in range(256):
        gradient.putpixel((0, y), _mix(top, bottom, y / 255))
    c.image.paste(gradient.resize((c.side, c.side), Image.Resampling.BILINEAR))
    glow = (*_shade(look.background, 1.12), 80)
    c.draw.ellipse(c.box((0.12, 0.06, 0.88, 0.82)), fill=glow)


def _hair_back(c: _Canvas, look: Look, cx: float, cy: float, hw: float, hh: float) -> None:
    """Hair that falls behind the head and shoulders."""
    colour = _shade(look.hair, 0.88)
    top = cy - hh - 0.03
    if look.hair_style == "long":
        c.draw.rounded_rectangle(
            c.box((cx - hw - 0.05, top + 0.06, cx + hw + 0.05, 0.86)),
            radius=c.px(0.09),
            fill=colour,
        )
    elif look.hair_style == "bob":
        c.draw.rounded_rectangle(
            c.box((cx - hw - 0.045, top + 0.04, cx + hw + 0.045, cy + hh * 0.62)),
            radius=c.px(0.08),
            fill=colour,
        )
    elif look.hair_style == "curly":
        rng = random.Random(sum(look.hair) * 3 + look.hair[0])
        for _ in range(26):
            x = cx + rng.uniform(-hw - 0.05, hw + 0.05)
            y = cy + rng.uniform(-0.02, hh * 0.75)
            r = rng.uniform(0.045, 0.07)
            c.draw.ellipse(c.box((x - r, y - r, x + r, y + r)), fill=colour)
    elif look.hair_style == "afro":
        r = hw + 0.1
        c.draw.ellipse(c.box((cx - r, cy - hh - 0.12, cx + r, cy + hh * 0.45)), fill=colour)
    elif look.hair_style == "braids":
        for side in (-1, 1):
            x = cx + side * (hw + 0.015)
            for i in range(7):
                y = cy + 0.02 + i * 0.05
                r = 0.032 - i * 0.0015
                c.draw.ellipse(c.box((x - r, y - r * 1.1, x + r, y + r * 1.1)), fill=colour)
                c.draw.arc(
                    c.box((x - r, y - r * 1.1, x + r, y + r * 1.1)),
                    200,
                    340,
                    fill=_shade(colour, 0.7),
                    width=c.px(0.004),
                )
    elif look.hair_style == "ponytail":
        c.draw.ellipse(
            c.box((cx + hw - 0.02, cy - hh + 0.02, cx + hw + 0.09, cy + 0.12)), fill=colour
        )


def _body(c: _Canvas, look: Look, cx: float, cy: float, hw: float, hh: float) -> None:
    skin_shadow = _shade(look.skin, 0.84)
    neck_w = hw * 0.52
    neck_top = cy + hh * 0.55
    shirt = look.shirt
    shoulder_top = cy + hh + 0.1
    # Neck first so the shirt overlaps its base.
    c.draw.rounded_rectangle(
        c.box((cx - neck_w, neck_top, cx + neck_w, shoulder_top + 0.08)),
        radius=c.px(0.03),
        fill=skin_shadow,
    )
    body, body_draw = c.mask()
    body_draw.rounded_rectangle(
        c.box((cx - 0.4, shoulder_top, cx + 0.4, 1.25)), radius=c.px(0.17), fill=255
    )
    if look.collar == "vneck":
        body_draw.polygon(
            c.points(
                [
                    (cx - neck_w - 0.01, shoulder_top - 0.01),
                    (cx + neck_w + 0.01, shoulder_top - 0.01),
                    (cx, shoulder_top + 0.11),
                ]
            ),
            fill=0,
        )
    elif look.collar in ("crew", "hoodie", "shirt"):
        body_draw.ellipse(
            c.box(
                (
                    cx - neck_w - 0.005,
                    shoulder_top - 0.05,
                    cx + neck_w + 0.005,
                    shoulder_top + 0.045,
                )
            ),
            fill=0,
        )
    c.fill_mask(body, shirt)
    if look.stripes:
        stripe, stripe_draw = c.mask()
        y = shoulder_top + 0.05
        while y < 1.0:
            stripe_draw.rectangle(c.box((0.0, y, 1.0, y + 0.022)), fill=255)
            y += 0.055
        stripe_mask = Image.new("L", stripe.size, 0)
        stripe_mask.paste(stripe, (0, 0), body)
        c.fill_mask(stripe_mask, _mix(shirt, (250, 250, 250), 0.55))
    dark = _shade(shirt, 0.72)
    if look.collar == "crew":
        c.draw.arc(
            c.box(
                (
                    cx - neck_w - 0.005,
                    shoulder_top - 0.05,
                    cx + neck_w + 0.005,
                    shoulder_top + 0.045,
                )
            ),
            0,
            180,
            fill=dark,
            width=c.px(0.014),
        )
    elif look.collar == "vneck":
        c.draw.line(
            c.points(
                [
                    (cx - neck_w - 0.01, shoulder_top - 0.01),
                    (cx, shoulder_top + 0.11),
                    (cx + neck_w + 0.01, shoulder_top - 0.01),
                ]
            ),
            fill=dark,
            width=c.px(0.012),
            joint="curve",
        )
    elif look.collar == "shirt":
        collar = (250, 250, 248) if sum(shirt) < 600 else (70, 110, 170)
        for side in (-1, 1):
            c.draw.polygon(
                c.points(
                    [
                        (cx + side * (neck_w + 0.015), shoulder_top - 0.03),
                        (cx + side * (neck_w + 0.075), shoulder_top + 0.055),
                        (cx + side * 0.01, shoulder_top + 0.07),
                    ]
                ),
                fill=collar,
                outline=_shade(collar, 0.8),
            )
        for i in range(3):
            y = shoulder_top + 0.11 + i * 0.06
            c.draw.ellipse(
                c.box((cx - 0.007, y - 0.007, cx + 0.007, y + 0.007)), fill=_shade(shirt, 0.6)
            )
    elif look.collar == "hoodie":
        c.draw.arc(
            c.box(
                (cx - neck_w - 0.06, shoulder_top - 0.08, cx + neck_w + 0.06, shoulder_top + 0.09)
            ),
            0,
            180,
            fill=dark,
            width=c.px(0.035),
        )
        for side in (-1, 1):
            x = cx + side * 0.035
            c.draw.line(
                c.points([(x, shoulder_top + 0.08), (x + side * 0.005, shoulder_top + 0.2)]),
                fill=(245, 245, 240),
                width=c.px(0.008),
            )
    elif look.collar == "turtleneck":
        c.draw.rounded_rectangle(
            c.box(
                (cx - neck_w - 0.012, shoulder_top - 0.05, cx + neck_w + 0.012, shoulder_top + 0.05)
            ),
            radius=c.px(0.02),
            fill=_shade(shirt, 0.9),
        )
        for i in range(3):
            y = shoulder_top - 0.03 + i * 0.025
            c.draw.line(
                c.points([(cx - neck_w, y), (cx + neck_w, y)]), fill=(*dark, 120), width=c.px(0.004)
            )


def _head(c: _Canvas, look: Look, cx: float, cy: float, hw: float, hh: float) -> None:
    skin = look.skin
    ear_colour = _shade(skin, 0.93)
    for side in (-1, 1):
        ex = cx + side * hw
        c.draw.ellipse(c.box((ex - 0.03, cy - 0.03, ex + 0.03, cy + 0.055)), fill=ear_colour)
        c.draw.ellipse(
            c.box((ex - 0.014, cy - 0.012, ex + 0.014, cy + 0.036)), fill=_shade(skin, 0.82)
        )
        if look.earrings:
            c.draw.ellipse(
                c.box((ex - 0.009, cy + 0.06, ex + 0.009, cy + 0.078)), fill=(220, 180, 70)
            )
    # A face: rounder at the top, a softer chin.
    face, face_draw = c.mask()
    face_draw.ellipse(c.box((cx - hw, cy - hh, cx + hw, cy + hh)), fill=255)
    face_draw.ellipse(
        c.box((cx - hw * 0.82, cy - hh * 0.2, cx + hw * 0.82, cy + hh * 1.04)), fill=255
    )
    c.fill_mask(face, skin)
    # Soft shading along the jaw.
    shade, shade_draw = c.mask()
    shade_draw.ellipse(c.box((cx - hw, cy + hh * 0.45, cx + hw, cy + hh * 1.1)), fill=60)
    shade_draw.ellipse(c.box((cx - hw * 0.9, cy - hh * 0.9, cx + hw * 0.9, cy + hh * 0.92)), fill=0)
    shade_masked = Image.new("L", shade.size, 0)
    shade_masked.paste(shade, (0, 0), face)
    c.fill_mask(shade_masked, _shade(skin, 0.8))


def _hair_front(c: _Canvas, look: Look, cx: float, cy: float, hw: float, hh: float) -> None:
    """Hair on top of the head, cut out where the face shows."""
    style = look.hair_style
    colour = look.hair
    hair, draw = c.mask()
    top = cy - hh
    if style == "balding":
        # Hair only at the sides, hugging the head above the ears.
        draw.ellipse(c.box((cx - hw - 0.014, top + 0.01, cx + hw + 0.014, cy + hh * 0.7)), fill=255)
        draw.ellipse(c.box((cx - hw * 0.97, top - 0.02, cx + hw * 0.97, cy + hh * 1.2)), fill=0)
        draw.rectangle(c.box((0.0, 0.0, 1.0, cy - hh * 0.45)), fill=0)
        draw.rectangle(c.box((0.0, cy + 0.035, 1.0, 1.0)), fill=0)
        c.fill_mask(hair, colour)
        return
    if style == "buzz":
        draw.ellipse(
            c.box((cx - hw - 0.006, top - 0.008, cx + hw + 0.006, cy + hh * 0.5)), fill=255
        )
        draw.ellipse(c.box((cx - hw * 0.93, cy - hh * 0.68, cx + hw * 0.93, cy + hh * 1.4)), fill=0)
        c.fill_mask(hair, _mix(colour, look.skin, 0.35))
        return
    lift = {"quiff": 0.055, "afro": 0.03, "curly": 0.03, "bun": 0.015}.get(style, 0.022)
    draw.ellipse(c.box((cx - hw - 0.018, top - lift, cx + hw + 0.018, cy + hh * 0.6)), fill=255)
    fringe = cy - hh * 0.5
    if style in ("long", "braids", "ponytail"):
        # Middle parting: the face window comes up to a point in the middle.
        draw.polygon(
            c.points(
                [
                    (cx - hw * 0.86, cy + 0.2),
                    (cx - hw * 0.86, fringe + 0.02),
                    (cx - hw * 0.3, fringe - 0.03),
                    (cx, top + 0.02),
                    (cx + hw * 0.3, fringe - 0.03),
                    (cx + hw * 0.86, fringe + 0.02),
                    (cx + hw * 0.86, cy + 0.2),
                ]
            ),
            fill=0,
        )
        draw.ellipse(c.box((cx - hw * 0.86, fringe - 0.02, cx + hw * 0.86, cy + hh * 1.3)), fill=0)
        if style == "long":
            for side in (-1, 1):  # side curtains down over the ears
                x0 = cx + side * hw * 0.86
                x1 = cx + side * (hw + 0.045)
                draw.rectangle(
                    c.box((min(x0, x1), cy - 0.05, max(x0, x1), cy + hh * 0.9)), fill=255
                )
    elif style == "side_part":
        draw.polygon(
            c.points(
                [
                    (cx - hw * 0.88, cy + 0.2),
                    (cx - hw * 0.88, fringe + 0.01),
                    (cx - hw * 0.4, fringe - 0.035),
                    (cx + hw * 0.5, fringe + 0.02),
                    (cx + hw * 0.88, fringe + 0.045),
                    (cx + hw * 0.88, cy + 0.2),
                ]
            ),
            fill=0,
        )
    elif style == "bob":
        draw.rectangle(c.box((cx - hw * 0.84, fringe + 0.015, cx + hw * 0.84, cy + 0.3)), fill=0)
        for side in (-1, 1):
            x0 = cx + side * hw * 0.84
            x1 = cx + side * (hw + 0.04)
            draw.rectangle(c.box((min(x0, x1), cy - 0.04, max(x0, x1), cy + hh * 0.6)), fill=255)
    elif style in ("curly", "afro"):
        draw.ellipse(c.box((cx - hw * 0.9, fringe - 0.01, cx + hw * 0.9, cy + hh * 1.4)), fill=0)
        rng = random.Random(sum(colour) * 5 + colour[1])
        for i in range(14):  # a curly hairline
            x = cx - hw * 0.85 + i * hw * 1.7 / 13
            r = rng.uniform(0.022, 0.03)
            draw.ellipse(
                c.box((x - r, fringe - 0.01 - r, x + r, fringe - 0.01 + r * 0.9)), fill=255
            )
    elif style == "quiff":
        draw.ellipse(c.box((cx - hw * 0.9, fringe - 0.035, cx + hw * 0.9, cy + hh * 1.4)), fill=0)
        draw.polygon(
            c.points(
                [
                    (cx - hw * 0.6, top + 0.02),
                    (cx - hw * 0.1, top - 0.075),
                    (cx + hw * 0.7, top - 0.06),
                    (cx + hw * 0.9, top + 0.03),
                ]
            ),
            fill=255,
        )
    else:  # short, bun
        draw.ellipse(c.box((cx - hw * 0.9, fringe - 0.025, cx + hw * 0.9, cy + hh * 1.4)), fill=0)
        draw.rectangle(c.box((cx - hw * 0.9, fringe + 0.02, cx + hw * 0.9, cy + 0.3)), fill=0)
    if style == "bun":
        draw.ellipse(c.box((cx - 0.065, top - 0.11, cx + 0.065, top + 0.02)), fill=255)
    if style == "ponytail":
        draw.ellipse(c.box((cx + hw * 0.3, top - 0.02, cx + hw + 0.04, top + 0.08)), fill=255)
    c.fill_mask(hair, colour)
    # A highlight and a few strands so the hair does not look like a flat cap.
    c.draw.arc(
        c.box((cx - hw * 0.8, top - lift + 0.012, cx + hw * 0.7, cy)),
        205,
        290,
        fill=(*_shade(colour, 1.35 if sum(colour) < 300 else 1.1), 130),
        width=c.px(0.012),
    )
    if style in ("curly", "afro"):
        curls = Image.new("RGBA", c.image.size, (0, 0, 0, 0))
        curl_draw = ImageDraw.Draw(curls)
        rng = random.Random(len(style) * 31 + sum(colour))
        spread = 0.1 if style == "afro" else 0.05
        for _ in range(60):
            x = cx + rng.uniform(-hw - spread, hw + spread)
            y = top + rng.uniform(-spread - 0.02, hh * 0.9)
            r = 0.014
            curl_draw.arc(
                c.box((x - r, y - r, x + r, y + r)),
                rng.uniform(0, 180),
                300,
                fill=(*_shade(colour, 0.7), 150),
                width=c.px(0.004),
            )
        outline = Image.new("L", c.image.size, 0)
        outline.paste(curls.getchannel("A"), (0, 0), hair)
        curls.putalpha(outline)
        c.image.paste(curls, (0, 0), curls)


def _face(c: _Canvas, look: Look, cx: float, cy: float, hw: float, hh: float) -> None:
    skin = look.skin
    ink = (40, 30, 28)
    eye_y = cy + 0.005
    eye_dx = hw * 0.42
    # Cheeks.
    blush = (230, 120, 110, 48) if sum(skin) > 420 else (150, 60, 50, 40)
    for side in (-1, 1):
        x = cx + side * hw * 0.55
        c.draw.ellipse(c.box((x - 0.03, cy + 0.05, x + 0.03, cy + 0.085)), fill=blush)
    if look.freckles:
        rng = random.Random(sum(skin) + sum(look.hair))
        for side in (-1, 1):
            for _ in range(7):
                x = cx + side * rng.uniform(hw * 0.25, hw * 0.7)
                y = cy + rng.uniform(0.035, 0.07)
                r = 0.0035
                c.draw.ellipse(c.box((x - r, y - r, x + r, y + r)), fill=(*_shade(skin, 0.7), 170))
    # Eyes: white, iris, pupil, highlight, and a lash line.
    for side in (-1, 1):
        x = cx + side * eye_dx
        c.draw.ellipse(
            c.box((x - 0.026, eye_y - 0.016, x + 0.026, eye_y + 0.016)), fill=(250, 250, 248)
        )
        c.draw.ellipse(
            c.box((x - 0.0135, eye_y - 0.0135, x + 0.0135, eye_y + 0.0135)), fill=look.eyes
        )
        c.draw.ellipse(c.box((x - 0.007, eye_y - 0.007, x + 0.007, eye_y + 0.007)), fill=ink)
        c.draw.ellipse(
            c.box((x + 0.002, eye_y - 0.008, x + 0.0075, eye_y - 0.0025)), fill=(255, 255, 255)
        )
        c.draw.arc(
            c.box((x - 0.028, eye_y - 0.018, x + 0.028, eye_y + 0.02)),
            195,
            345,
            fill=ink,
            width=c.px(0.005),
        )
    # Brows follow the hair colour, a little darker (a bald head keeps dark brows).
    brow = _shade(look.hair, 0.75) if sum(look.hair) < 600 else _shade(look.hair, 0.6)
    for side in (-1, 1):
        x = cx + side * eye_dx
        y = eye_y - 0.045
        inner = (x - side * 0.027, y + look.brow_tilt)
        outer = (x + side * 0.03, y + 0.006)
        c.draw.line(
            c.points([inner, (x, y - 0.006), outer]), fill=brow, width=c.px(0.011), joint="curve"
        )
    # Nose: a soft shadow and the underside.
    nose = _shade(skin, 0.82)
    c.draw.arc(
        c.box((cx - 0.02, cy + 0.03, cx + 0.02, cy + 0.07)), 20, 160, fill=nose, width=c.px(0.006)
    )
    c.draw.line(
        c.points([(cx + 0.004, eye_y + 0.01), (cx + 0.01, cy + 0.045)]),
        fill=(*nose, 110),
        width=c.px(0.005),
    )
    # Beard and moustache before the mouth so the mouth stays visible.
    if look.beard in ("beard", "stubble"):
        beard, beard_draw = c.mask()
        beard_draw.ellipse(c.box((cx - hw, cy - hh, cx + hw, cy + hh)), fill=255)
        beard_draw.ellipse(
            c.box((cx - hw * 0.82, cy - hh * 0.2, cx + hw * 0.82, cy + hh * 1.04)), fill=255
        )
        # Leave the cheeks and everything above the ears bare: a natural beard line.
        beard_draw.ellipse(c.box((cx - hw * 0.8, cy - hh * 1.3, cx + hw * 0.8, cy + 0.075)), fill=0)
        beard_draw.rectangle(c.box((0.0, 0.0, 1.0, cy - 0.005)), fill=0)
        clipped = beard
        if look.beard == "stubble":
            clipped = clipped.point(lambda v: v * 90 // 255)
        c.fill_mask(clipped, _shade(look.hair, 0.92))
    if look.beard in ("beard", "moustache"):
        c.draw.chord(
            c.box((cx - 0.05, cy + 0.072, cx + 0.05, cy + 0.115)),
            180,
            360,
            fill=_shade(look.hair, 0.85),
        )
    # Mouth: a friendly smile, open for some.
    mouth_y = cy + 0.11
    lips = _mix(_shade(skin, 0.7), (170, 60, 60), 0.45)
    if look.smile_open:
        c.draw.chord(
            c.box((cx - 0.045, mouth_y - 0.03, cx + 0.045, mouth_y + 0.03)),
            0,
            180,
            fill=(120, 40, 40),
        )
        c.draw.chord(
            c.box((cx - 0.042, mouth_y - 0.026, cx + 0.042, mouth_y + 0.012)),
            0,
            180,
            fill=(252, 252, 250),
        )
        c.draw.arc(
            c.box((cx - 0.045, mouth_y - 0.03, cx + 0.045, mouth_y + 0.03)),
            0,
            180,
            fill=lips,
            width=c.px(0.006),
        )
    else:
        c.draw.arc(
            c.box((cx - 0.042, mouth_y - 0.04, cx + 0.042, mouth_y + 0.018)),
            20,
            160,
            fill=lips,
            width=c.px(0.009),
        )
    # Glasses on top.
    if look.glasses is not None:
        frame = look.glasses
        w = c.px(0.008)
        for side in (-1, 1):
            x = cx + side * eye_dx
            lens = (x - 0.042, eye_y - 0.034, x + 0.042, eye_y + 0.032)
            if look.round_glasses:
                c.draw.ellipse(c.box(lens), fill=(255, 255, 255, 40), outline=frame, width=w)
            else:
                c.draw.rounded_rectangle(
                    c.box(lens),
                    radius=c.px(0.014),
                    fill=(255, 255, 255, 40),
                    outline=frame,
                    width=w,
                )
            c.draw.line(
                c.points([(x + side * 0.042, eye_y - 0.01), (cx + side * hw, eye_y - 0.015)]),
                fill=frame,
                width=w,
            )
        c.draw.arc(
            c.box((cx - eye_dx + 0.04, eye_y - 0.024, cx + eye_dx - 0.04, eye_y + 0.01)),
            200,
            340,
            fill=frame,
            width=w,
        )


def generate_portrait(seed: int, name: str, size: int = 320) -> bytes:
    """A friendly, clearly-a-person portrait PNG for demo cardholder ``seed`` (deterministic).

    ``name`` is written into the PNG's text chunk so an exported photo says whom it shows.
    """
    if size < 32:
        raise ValueError(f"portrait size must be at least 32 px, got {size}")
    look = look_for(seed)
    scale = 3
    c = _Canvas(size * scale, look.background)
    _background(c, look)
    cx, cy = 0.5, 0.42
    hw, hh = look.face_width, look.face_height
    _hair_back(c, look, cx, cy, hw, hh)
    _body(c, look, cx, cy, hw, hh)
    _head(c, look, cx, cy, hw, hh)
    _hair_front(c, look, cx, cy, hw, hh)
    _face(c, look, cx, cy, hw, hh)
    image = c.image.filter(ImageFilter.GaussianBlur(scale * 0.35))
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", f"Demo portrait: {name}")
    info.add_text("Comment", "Generated by canteen-till (not a real person)")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, optimize=True)
    return out.getvalue()
