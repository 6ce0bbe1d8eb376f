"""``showcase evaluate image_to_image``: every translation model scored again on held-out photos.

Each held-out photo (``data.held_out``: the shorter side scaled to 128, the centre square) is
turned into its Canny drawing, the model draws a picture from it, and the picture is compared with
the photo (L1, PSNR, SSIM), with the drawing (edge F1), and on its own (colourfulness, sharpness):
see ``scoring.py``. A colouriser gets each photo's lightness instead and its picture is scored
by PSNR and SSIM to the photo and by colourfulness, beside the grey photo's own PSNR (no colour at
all); a hint model also by PSNR as hints are added (``HINT_COUNTS``, each count's hints including
the previous count's). A photo <-> painting model gets each photo and its true painted version
(``painting_data.painted_held_out``): its painting is scored against the true one, its photo made
back from the true painting against the photo, and each picture taken round the cycle against
itself; the photo itself, unchanged, is the baseline every painting must beat. The photos are not
shipped: the card records their folder, and
``--data DIR`` points elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from showcase.errors import CheckpointError, DataError
from showcase.image_to_image import hints
from showcase.image_to_image.colourise import colourise, is_colouriser, takes_hints
from showcase.image_to_image.cyclegan import generators, is_cyclegan, is_painter
from showcase.image_to_image.data import HeldOut, held_out
from showcase.image_to_image.inference import pictures_from_drawings, translated
from showcase.image_to_image.lab import grey, rgb_to_lab
from showcase.image_to_image.painting_data import PaintedHeldOut, painted_held_out
from showcase.image_to_image.scoring import colourfulness, photo_reference, scores
from showcase.training import evaluation_row

DEMO = "image_to_image"
METRIC = "PSNR to the held-out photo (dB)"
PAINTING_METRIC = "PSNR to the held-out photo's true painted version (dB)"
HINT_COUNTS = (0, 1, 2, 5, 10, 20, 50)


def split_label(folder: str | Path, count: int, side: int = 128) -> str:
    folder = Path(folder)
    return f"{folder.parent.name}/{folder.name}, {count} photos, centre {side} x {side}"


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


def _distance(pictures: np.ndarray, targets: np.ndarray) -> dict:
    """PSNR, SSIM and L1 (pixel values / 255) of uint8 pictures to their targets."""
    l1 = np.mean(np.abs(pictures.astype(np.float64) - targets.astype(np.float64))) / 255
    return {**_closeness(pictures, targets), "l1": round(float(l1), 4)}


def score_painter(model, held: PaintedHeldOut) -> dict:
    """A photo <-> painting model against the true painted photos (see the module docstring):
    ``psnr``, ``ssim``, ``l1`` for photo -> painting; for CycleGAN also ``to_photo`` (painting ->
    photo) and ``cycle`` (each picture round the cycle); ``unchanged``: the photos themselves
    against their paintings; ``colourfulness`` beside the true paintings'."""
    to_painting, to_photo = generators(model) if is_cyclegan(model) else (model, None)
    paintings = translated(to_painting, held.photos)
    measured = {
        **_distance(paintings, held.paintings),
        "colourfulness": round(float(np.mean([colourfulness(p) for p in paintings])), 2),
    }
    if to_photo is not None:
        photos = translated(to_photo, held.paintings)
        measured["to_photo"] = _distance(photos, held.photos)
        measured["cycle"] = {
            "photo": _distance(translated(to_photo, paintings), held.photos),
            "painting": _distance(translated(to_painting, photos), held.paintings),
        }
    return {
        **measured,
        "unchanged": _distance(held.photos, held.paintings),
        "paintings": {
            "colourfulness": round(float(np.mean([colourfulness(p) for p in held.paintings])), 2)
        },
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


def _paintings_folder(card) -> Path:
    folder = Path(str((card.dataset if card else {}).get("held_out_paintings", "")))
    if folder.is_dir():
        return folder
    raise DataError(
        f"the held-out photos' paintings are not in {folder} (where the card says): make them "
        "with python -m showcase.image_to_image.painted"
    )


def held_out_folder(card, data: str | None) -> Path:
    recorded = Path(str((card.dataset if card else {}).get("held_out_folder", "")))
    folder = Path(data).expanduser() if data else recorded
    if folder.is_dir():
        return folder
    where = f"{folder}" if data else f"{recorded} (where the card says)"
    raise DataError(f"the held-out photos are not in {where}; pass their folder with --data DIR")


def evaluate_model(translator, data: str | None = None) -> dict:
    folder = held_out_folder(translator.card, data)
    if is_painter(translator.model):
        held = painted_held_out(folder, _paintings_folder(translator.card))
        measured = score_painter(translator.model, held)
        side = held.photos.shape[1]
        return evaluation_row(translator, PAINTING_METRIC, split_label(folder, len(held), side),
                              measured["psnr"], **measured)  # fmt: skip
    photos = held_out(folder)
    measured = score_model(translator.model, photos)
    return evaluation_row(
        translator, METRIC, split_label(folder, len(photos)), measured["psnr"], **measured
    )


def evaluate(checkpoint: str | None = None, data: str | None = None, model: str | None = None):
    from showcase.image_to_image.api import Colorizer, CycleGAN, Pix2Pix

    loaders = {
        name: (kind, path)
        for kind in (Pix2Pix, Colorizer, CycleGAN)
        for name, path in kind.available(checkpoint).items()
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
    if "unchanged" in row:
        lines = [f"SSIM {row['ssim']:.3f}, L1 {row['l1']:.3f}; the photo unchanged: "
                 f"{row['unchanged']['psnr']:.2f} dB"]  # fmt: skip
        if "to_photo" in row:
            cycle = row["cycle"]
            lines.append(
                f"painting -> photo {row['to_photo']['psnr']:.2f} dB; round the cycle: photo "
                f"{cycle['photo']['psnr']:.2f} dB, painting {cycle['painting']['psnr']:.2f} dB"
            )
        return lines
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
