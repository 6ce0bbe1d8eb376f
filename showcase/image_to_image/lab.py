"""CIE Lab, the colour space colourisation works in: L is the lightness a grey photo keeps, a and b
the colour it lost (a: green -> red, b: blue -> yellow).

OpenCV converts (``cv2.cvtColor`` on float32 RGB in [0, 1], D65 white, sRGB gamma): L in
[0, 100], a and b within about [-128, 128]. The networks read L scaled to [-1, 1] and predict ab
divided by ``AB_SCALE`` (the sRGB gamut's a and b stay inside +-110 at every lightness).
"""

from __future__ import annotations

import cv2
import numpy as np

AB_SCALE = 110.0
L_MAX = 100.0


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., h, w, 3) uint8 RGB -> float32 Lab of the same shape."""
    rgb = np.asarray(rgb)
    flat = rgb.reshape(-1, *rgb.shape[-3:]).astype(np.float32) / 255.0
    lab = np.stack([cv2.cvtColor(image, cv2.COLOR_RGB2Lab) for image in flat])
    return lab.reshape(rgb.shape).astype(np.float32)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """(..., h, w, 3) float Lab -> uint8 RGB; colours outside the sRGB gamut are clipped."""
    lab = np.asarray(lab, dtype=np.float32)
    flat = lab.reshape(-1, *lab.shape[-3:])
    rgb = np.stack([cv2.cvtColor(image, cv2.COLOR_Lab2RGB) for image in flat])
    return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8).reshape(lab.shape)


def lightness_input(lightness: np.ndarray) -> np.ndarray:
    """L in [0, 100] -> the networks' input in [-1, 1]."""
    return np.asarray(lightness, dtype=np.float32) / (L_MAX / 2) - 1.0


def grey(rgb: np.ndarray) -> np.ndarray:
    """The photo with its colour removed (a = b = 0): what the colourisers start from."""
    lab = rgb_to_lab(rgb)
    lab[..., 1:] = 0.0
    return lab_to_rgb(lab)
