"""Example pictures the project draws itself, so the demo ships no third-party images.

``landscape`` is a small scene (sky, sun, hills, a house) to stylise; ``swirls`` is a
"painting" of coloured brush-stroke swirls to take the style from. Both are deterministic by seed.
"""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw, ImageFilter


def landscape(size: tuple[int, int] = (384, 256), seed: int = 0) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # sky from deep blue to pale near the horizon
        t = y / height
        draw.line([(0, y), (width, y)], fill=(int(70 + 150 * t), int(120 + 110 * t), 230))
    sun = (rng.uniform(0.6, 0.85) * width, rng.uniform(0.15, 0.3) * height)
    radius = 0.08 * width
    draw.ellipse(
        [sun[0] - radius, sun[1] - radius, sun[0] + radius, sun[1] + radius], fill=(255, 220, 90)
    )
    for layer, colour in enumerate([(60, 140, 70), (40, 110, 50), (30, 85, 40)]):
        base = height * (0.55 + 0.12 * layer)
        phase = rng.uniform(0, math.tau)
        points = [
            (x, base + 18 * math.sin(x / width * math.tau * (1 + layer) + phase))
            for x in range(0, width + 8, 8)
        ]
        draw.polygon(points + [(width, height), (0, height)], fill=colour)
    house_x, house_y = 0.2 * width, 0.62 * height
    draw.rectangle([house_x, house_y, house_x + 60, house_y + 45], fill=(200, 80, 60))
    draw.polygon(
        [(house_x - 8, house_y), (house_x + 30, house_y - 30), (house_x + 68, house_y)],
        fill=(110, 50, 40),
    )
    draw.rectangle([house_x + 22, house_y + 20, house_x + 38, house_y + 45], fill=(70, 40, 30))
    return image


def swirls(size: tuple[int, int] = (384, 256), seed: int = 0) -> Image.Image:
    rng = random.Random(seed)
    palette = [(25, 45, 120), (240, 200, 60), (60, 120, 200), (250, 240, 200), (20, 20, 60)]
    image = Image.new("RGB", size, palette[0])
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(900):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        angle = math.atan2(y - height / 2, x - width / 2) + math.pi / 2
        length = rng.uniform(6, 18)
        end = (x + length * math.cos(angle), y + length * math.sin(angle))
        draw.line([(x, y), end], fill=rng.choice(palette), width=rng.choice((2, 3, 4)))
    return image.filter(ImageFilter.SMOOTH)
