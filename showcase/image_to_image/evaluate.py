"""``showcase evaluate image_to_image``: every translation model scored again on held-out photos.

Each held-out photo (``data.held_out``: the shorter side scaled to 128, the centre square) is
turned into its Canny drawing, the model draws a picture from it, and the picture is compared with
the photo (L1, PSNR, SSIM), with the drawing (edge F1), and on its own (colourfulness, sharpness):
see ``scoring.py``. A colouriser gets each photo's lightness instead and its picture is scored
by PSNR and SSIM to the photo and by colourfulness, beside the grey photo's own PSNR (no colour at
all); a hint model also by PSNR as hints are added (``HINT_COUNTS``, each count's hints including
the previous count's). The photos are not shipped: the card records their folder, and
``--data DIR`` points elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.errors import CheckpointError, DataError
from showcase.image_to_image import hints
from showcase.image_to_image.colourise import colourise, is_colouriser, takes_hints
from showcase.image_to_image.data import HeldOut, held_out
from showcase.image_to_image.inference import pictures_from_drawings
from showcase.image_to_image.lab import grey, rgb_to_lab
from showcase.image_to_image.scoring import colourfulness, photo_reference, scores
from showcase.training import evaluation_row

DEMO = "image_to_image"
METRIC = "PSNR to the held-out photo (dB)"
HINT_COUNTS = (0, 1, 2, 5, 10, 20, 50)


def split_label(folder: str | Path, count: int) -> str:
    folder = Path(folder)
    return f"{folder.parent.name}/{folder.name}, {count} photos, centre 128 x 128"


def score_generator(generator, photos: HeldOut) -> dict:
    """The figures of ``scoring.scores`` for one generator, plus the true photos' own."""
    pictures = pictures_from_drawings(generator, photos.drawings)
    return {**scores(pictures, photos.photos, photos.drawings),
            "photos": photo_reference(photos.photos)}  # fmt: skip


def _closeness(pictures: np.ndarray, photos: np.ndarray) -> dict:
    made, true = tf.constant(pictures), tf.constant(photos)
    return {
        "psnr": round(float(tf.reduce_mean(tf.image.psnr(made, true, max_val=255))), 3),
        "ssim": round(float(tf.reduce_mean(tf.image.ssim(made, true, max_val=255))), 4),
    }


def evaluation_hints(photos: np.ndarray, count: int) -> np.ndarray:
    """The hint planes of ``count`` hints per photo, coloured as the photo is under them."""
    side = photos.shape[1]
    points = np.stack([hints.evaluation_points(index, count, side) for index in range(len(photos))])
    ab = tf.constant(rgb_to_lab(photos)[..., 1:])
    planes = hints.hint_planes(points, hints.patch_colours(ab, points), side, photos.shape[2])
    return planes.numpy()


def score_colouriser(colouriser, photos: HeldOut) -> dict:
    """PSNR, SSIM and colourfulness of the colourised held-out photos; a hint model's PSNR for
    each of ``HINT_COUNTS``; the grey photos' PSNR and the true photos' colourfulness."""
    pictures = colourise(colouriser, photos.photos)
    measured = {
        **_closeness(pictures, photos.photos),
        "colourfulness": round(float(np.mean([colourfulness(p) for p in pictures])), 2),
    }
    if takes_hints(colouriser):
        measured["psnr_by_hints"] = {
            str(count): _closeness(
                colourise(colouriser, photos.photos, evaluation_hints(photos.photos, count)),
                photos.photos,
            )["psnr"]
            for count in HINT_COUNTS
        }  # fmt: skip
    greys = grey(photos.photos)
    return {**measured, "grey_psnr": _closeness(greys, photos.photos)["psnr"],
            "photos": photo_reference(photos.photos)}  # fmt: skip


def score_model(model, photos: HeldOut) -> dict:
    """Whichever the model is: a colouriser's figures or a drawing translator's."""
    if is_colouriser(model):
        return score_colouriser(model, photos)
    return score_generator(model, photos)


def held_out_folder(card, data: str | None) -> Path:
    recorded = Path(str((card.dataset if card else {}).get("held_out_folder", "")))
    folder = Path(data).expanduser() if data else recorded
    if folder.is_dir():
        return folder
    where = f"{folder}" if data else f"{recorded} (where the card says)"
    raise DataError(f"the held-out photos are not in {where}; pass their folder with --data DIR")


def evaluate_model(translator, data: str | None = None) -> dict:
    folder = held_out_folder(translator.card, data)
    photos = held_out(folder)
    measured = score_model(translator.model, photos)
    return evaluation_row(
        translator, METRIC, split_label(folder, len(photos)), measured["psnr"], **measured
    )


def evaluate(checkpoint: str | None = None, data: str | None = None, model: str | None = None):
    from showcase.image_to_image.api import Colorizer, Pix2Pix

    loaders = {
        **{name: (Pix2Pix, path) for name, path in Pix2Pix.available(checkpoint).items()},
        **{name: (Colorizer, path) for name, path in Colorizer.available(checkpoint).items()},
    }
    found = {name: path for name, (_, path) in loaders.items()}
    if model is not None:
        if model not in found:
            raise CheckpointError(
                f"no {DEMO} checkpoint called {model!r}; found: {', '.join(found)}"
            )
        found = {model: found[model]}
    if not found:
        raise CheckpointError(f"no {DEMO} checkpoint found; train one with `showcase train {DEMO}`")
    rows = [evaluate_model(loaders[name][0].load(path), data) for name, path in found.items()]
    return rows[0] if len(rows) == 1 else {"demo": DEMO, "results": rows}


def describe(row: dict) -> list[str]:
    photos = row["photos"]
    if "grey_psnr" in row:
        lines = [
            f"SSIM {row['ssim']:.3f}; colourfulness {row['colourfulness']:.1f} (photos "
            f"{photos['colourfulness']:.1f}); the grey photo's PSNR {row['grey_psnr']:.2f} dB"
        ]
        if "psnr_by_hints" in row:
            curve = ", ".join(f"{n}: {psnr:.2f}" for n, psnr in row["psnr_by_hints"].items())
            lines.append(f"PSNR by number of hints: {curve}")
        return lines
    return [
        f"L1 {row['l1']:.3f}, SSIM {row['ssim']:.3f}, edge F1 {row['edge_f1']:.3f}",
        f"colourfulness {row['colourfulness']:.1f} (photos {photos['colourfulness']:.1f}), "
        f"sharpness {row['sharpness']:.0f} (photos {photos['sharpness']:.0f})",
    ]
