"""How close, how sharp and how colourful a translated picture is: the figures every pix2pix card
and ``showcase evaluate image_to_image`` report.

- **L1**: mean absolute difference to the true photo, in [0, 1] (pixel values / 255).
- **PSNR** and **SSIM** to the true photo: ``tf.image.psnr`` / ``tf.image.ssim``.
- **Edge F1**: the picture's own Canny drawing (the same detector that made the input, see
  ``edges.py``) against the input drawing, a line pixel counting as found when one of the other
  is within 2 pixels (the tolerance of boundary benchmarks such as BSDS's): does the picture put
  its edges where the drawing asked?
- **Colourfulness**: Hasler & Suesstrunk (2003), "Measuring colourfulness in natural images":
  sqrt(sd(rg)^2 + sd(yb)^2) + 0.3 sqrt(mean(rg)^2 + mean(yb)^2), with rg = R - G and
  yb = (R + G)/2 - B. Written out here because no maintained Python library offers it; it is
  five lines of arithmetic.
- **Sharpness**: the variance of the Laplacian (OpenCV's) of the grey picture (Pech-Pacheco et
  al. 2000): blur lowers it.

Colourfulness and sharpness are also given for the true photos, the figures a perfect model
would reach.
"""

from __future__ import annotations

import cv2
import numpy as np
import tensorflow as tf
from scipy import ndimage

from showcase.image_to_image.edges import INK, canny_drawing

EDGE_TOLERANCE = 2.0  # pixels


def colourfulness(picture: np.ndarray) -> float:
    rgb = np.asarray(picture, dtype=np.float64)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    spread = np.hypot(rg.std(), yb.std())
    mean = np.hypot(rg.mean(), yb.mean())
    return float(spread + 0.3 * mean)


def sharpness(picture: np.ndarray) -> float:
    grey = cv2.cvtColor(np.asarray(picture, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def edge_f1(picture: np.ndarray, drawing: np.ndarray, tolerance: float = EDGE_TOLERANCE) -> float:
    """F1 of the picture's Canny lines against the drawing's lines (see the module docstring)."""
    found = canny_drawing(np.asarray(picture, dtype=np.uint8)) == INK
    wanted = np.asarray(drawing) == INK
    if not found.any() and not wanted.any():
        return 1.0
    if not found.any() or not wanted.any():
        return 0.0
    # Distance from every pixel to the nearest line pixel of each drawing.
    to_wanted = ndimage.distance_transform_edt(~wanted)
    to_found = ndimage.distance_transform_edt(~found)
    precision = float((to_wanted[found] <= tolerance).mean())
    recall = float((to_found[wanted] <= tolerance).mean())
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def scores(pictures: np.ndarray, photos: np.ndarray, drawings: np.ndarray) -> dict:
    """Mean figures over a set: ``pictures`` and ``photos`` (n, h, w, 3) uint8, ``drawings``
    (n, h, w) uint8."""
    pictures = np.asarray(pictures, dtype=np.uint8)
    photos = np.asarray(photos, dtype=np.uint8)
    made, true = tf.constant(pictures), tf.constant(photos)
    return {
        "l1": round(float(np.mean(np.abs(pictures / 255.0 - photos / 255.0))), 4),
        "psnr": round(float(tf.reduce_mean(tf.image.psnr(made, true, max_val=255))), 3),
        "ssim": round(float(tf.reduce_mean(tf.image.ssim(made, true, max_val=255))), 4),
        "edge_f1": round(
            float(np.mean([edge_f1(p, d) for p, d in zip(pictures, drawings, strict=True)])), 4
        ),
        "colourfulness": round(float(np.mean([colourfulness(p) for p in pictures])), 2),
        "sharpness": round(float(np.mean([sharpness(p) for p in pictures])), 1),
    }


def photo_reference(photos: np.ndarray) -> dict:
    """Colourfulness and sharpness of the true photos themselves."""
    return {
        "colourfulness": round(float(np.mean([colourfulness(p) for p in photos])), 2),
        "sharpness": round(float(np.mean([sharpness(p) for p in photos])), 1),
    }
