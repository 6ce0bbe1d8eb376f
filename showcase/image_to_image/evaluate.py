"""``showcase evaluate image_to_image``: every translation model scored again on held-out photos.

Each held-out photo (``data.held_out``: the shorter side scaled to 128, the centre square) is
turned into its Canny drawing, the model draws a picture from it, and the picture is compared with
the photo (L1, PSNR, SSIM), with the drawing (edge F1), and on its own (colourfulness, sharpness):
see ``scoring.py``. The photos are not shipped: the card records their folder, and
``--data DIR`` points elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from showcase.errors import CheckpointError, DataError
from showcase.image_to_image.data import HeldOut, held_out
from showcase.image_to_image.inference import pictures_from_drawings
from showcase.image_to_image.scoring import photo_reference, scores
from showcase.training import evaluation_row

DEMO = "image_to_image"
METRIC = "PSNR to the held-out photo (dB)"


def split_label(folder: str | Path, count: int) -> str:
    folder = Path(folder)
    return f"{folder.parent.name}/{folder.name}, {count} photos, centre 128 x 128"


def score_generator(generator, photos: HeldOut) -> dict:
    """The figures of ``scoring.scores`` for one generator, plus the true photos' own."""
    pictures = pictures_from_drawings(generator, photos.drawings)
    return {**scores(pictures, photos.photos, photos.drawings),
            "photos": photo_reference(photos.photos)}  # fmt: skip


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
    measured = score_generator(translator.model, photos)
    return evaluation_row(
        translator, METRIC, split_label(folder, len(photos)), measured["psnr"], **measured
    )


def evaluate(checkpoint: str | None = None, data: str | None = None, model: str | None = None):
    from showcase.image_to_image.api import Pix2Pix

    found = Pix2Pix.available(checkpoint)
    if model is not None:
        if model not in found:
            raise CheckpointError(
                f"no {DEMO} checkpoint called {model!r}; found: {', '.join(found)}"
            )
        found = {model: found[model]}
    if not found:
        raise CheckpointError(f"no {DEMO} checkpoint found; train one with `showcase train {DEMO}`")
    rows = [evaluate_model(Pix2Pix.load(path), data) for path in found.values()]
    return rows[0] if len(rows) == 1 else {"demo": DEMO, "results": rows}


def describe(row: dict) -> list[str]:
    photos = row["photos"]
    return [
        f"L1 {row['l1']:.3f}, SSIM {row['ssim']:.3f}, edge F1 {row['edge_f1']:.3f}",
        f"colourfulness {row['colourfulness']:.1f} (photos {photos['colourfulness']:.1f}), "
        f"sharpness {row['sharpness']:.0f} (photos {photos['sharpness']:.0f})",
    ]
