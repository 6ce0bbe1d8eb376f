"""``showcase evaluate style_transfer``: what each fast style gives up against optimisation.

For every held-out photo, the fast network's output is scored with the Gatys objective itself
(content loss on the loss network's content layer, style loss on the Gram matrices of its style
layers, the painting seen at the picture's scale; see ``gatys.py``). On the first few photos the
Gatys optimisation of the same photo and painting is scored the same way: the optimisation
minimises exactly this objective, so it is the reference the one-pass network is measured against.

The paintings are not shipped; they are found in ``--paintings DIR`` (by the file name the card
records) or at the path the card records.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from showcase.errors import DataError
from showcase.images import fit_within, list_images, open_image
from showcase.style_transfer.api import DEMO, StyleTransfer
from showcase.style_transfer.gatys import GatysSettings, optimise
from showcase.style_transfer.loss_networks import LossNetwork
from showcase.style_transfer.losses import content_loss, gram_matrix, style_loss
from showcase.training import evaluation_row

EVAL_SIZE = 256  # longer side of every held-out photo, in pixels
GATYS_PHOTOS = 4  # photos per style also optimised with Gatys (seconds each)
GATYS_ITERATIONS = 300


def _painting_for(card, paintings: str | None) -> Path:
    recorded = Path(str(card.dataset.get("style", "")))
    # A folder the user names wins over the path recorded on the training machine.
    path = Path(paintings).expanduser() / recorded.name if paintings else recorded
    if path.is_file():
        return path
    where = f"in {paintings}" if paintings else f"at {recorded}"
    raise DataError(
        f"the painting of style {card.name!r} ({recorded.name}) is not {where}; "
        "pass the folder holding it with --paintings DIR"
    )


def objective_terms(
    network, content: np.ndarray, painting: np.ndarray, result: np.ndarray, painting_grams=None
):
    """Gatys's content and style losses of ``result`` (all RGB float arrays in [0, 255]).

    ``painting_grams``: a dict to keep the painting's Gram matrices in, by picture size, so
    scoring many photos of the same size looks at the painting once.
    """
    spec = network.spec
    scale = max(result.shape[:2]) / max(painting.shape[:2])
    size = (max(32, round(painting.shape[1] * scale)), max(32, round(painting.shape[0] * scale)))
    painting_grams = {} if painting_grams is None else painting_grams
    if size not in painting_grams:
        resized = np.asarray(
            Image.fromarray(painting.astype(np.uint8)).resize(size, Image.LANCZOS), np.float32
        )
        features = network.features(resized[None])
        painting_grams[size] = {layer: gram_matrix(features[layer]) for layer in spec.style_layers}
    targets = painting_grams[size]
    wanted = network.features(content[None])
    got = network.features(result[None])
    total_weight = sum(spec.style_layer_weights)
    style = sum(
        weight / total_weight * float(style_loss(gram_matrix(got[layer]), targets[layer]))
        for layer, weight in zip(spec.style_layers, spec.style_layer_weights, strict=True)
    )
    content_value = float(content_loss(got[spec.content_layer], wanted[spec.content_layer]))
    return {"content": content_value, "style": style}


def _mean(rows: list[dict], key: str) -> float:
    return round(float(np.mean([row[key] for row in rows])), 4)


def split_label(folder, count: int) -> str:
    """E.g. "BSDS500/test (200 photos at 256 px)": the folder with its parent, for the card."""
    folder = Path(folder).expanduser().resolve()
    return f"{folder.parent.name}/{folder.name} ({count} photos at {EVAL_SIZE} px)"


def load_photos(folder, size: int | None = None) -> list[np.ndarray]:
    """Every photo under ``folder``, scaled to ``size`` px on the longer side, as float arrays."""
    size = size or EVAL_SIZE
    return [
        np.asarray(fit_within(open_image(path), size)[0], np.float32)
        for path in list_images(folder)
    ]


def score_style(style, painting: np.ndarray, photos, network, gatys_photos: int | None = None):
    """The fast style's mean losses on ``photos``, and Gatys's on the first ``gatys_photos``."""
    gatys_photos = GATYS_PHOTOS if gatys_photos is None else gatys_photos
    grams = {}
    fast = [
        objective_terms(
            network, photo, painting, style.stylize_array(photo.astype(np.uint8)), grams
        )
        for photo in photos
    ]
    gatys = []
    settings = GatysSettings(size=max(photos[0].shape[:2]), iterations=GATYS_ITERATIONS)
    for photo in photos[:gatys_photos]:
        *_, final = optimise(photo.astype(np.uint8), [painting], settings, network, 10**9)
        result = np.asarray(final.image, np.float32)
        gatys.append(objective_terms(network, photo, painting, result, grams))
    row = {
        "metric": "style loss (Gatys objective, lower is better)",
        "value": _mean(fast, "style"),
        "content_loss": _mean(fast, "content"),
        "loss_network": network.spec.title,
    }
    if gatys:
        row["paired_with_gatys"] = {
            "photos": len(gatys),
            "gatys_iterations": GATYS_ITERATIONS,
            "fast_style": _mean(fast[: len(gatys)], "style"),
            "fast_content": _mean(fast[: len(gatys)], "content"),
            "gatys_style": _mean(gatys, "style"),
            "gatys_content": _mean(gatys, "content"),
        }
    return row


def evaluate(
    checkpoint: str | None = None, data: str | None = None, paintings: str | None = None
) -> dict:
    if not data:
        raise DataError(
            "give a folder of held-out photos with --data DIR "
            "(the shipped styles were measured on BSDS500/test)"
        )
    styles = StyleTransfer.installed(checkpoint)
    photos = load_photos(data)
    network = LossNetwork.best_available("squeezenet")
    results = []
    for name, style in styles.items():
        painting = np.asarray(open_image(_painting_for(style.card, paintings)), np.float32)
        scores = score_style(style, painting, photos, network)
        metric, value = scores.pop("metric"), scores.pop("value")
        split = split_label(data, len(photos))
        results.append(evaluation_row(style, metric, split, value, style=name, **scores))
    return {"demo": DEMO, "results": results}


def describe(row: dict) -> list[str]:
    """The lines `showcase evaluate` prints under a style's score."""
    paired = row.get("paired_with_gatys")
    if not paired:
        return [f"content loss {row['content_loss']}"]
    return [
        f"content loss {row['content_loss']}; on {paired['photos']} of the photos: "
        f"fast style {paired['fast_style']} / content {paired['fast_content']} vs "
        f"Gatys ({paired['gatys_iterations']} steps) style {paired['gatys_style']} / "
        f"content {paired['gatys_content']}"
    ]
