"""CycleGAN's second domain, made honestly: photos painted by the Gatys optimisation.

CycleGAN learns from two unpaired sets of pictures. Real paintings have no "true" photo to
compare with, so a translation could not be scored. Here domain B is made of *other* photos
(disjoint from domain A's) repainted with one painting by the Gatys et al. (2016) optimisation of
the style-transfer demo (``StyleTransfer.optimize``, L-BFGS, SqueezeNet loss network). The same
optimisation run on the held-out photos gives each of them its true painted version, so a
photo -> painting translation has a target to be measured against, and a painting -> photo one
has the photo.

``python -m showcase.image_to_image.painted --photos DIR --painting IMG --out DIR`` renders every
photo of DIR (its centre square, ``--side`` pixels) to ``OUT/<photo name>.png`` and records the
settings in ``OUT/painted.json``; photos already rendered with the same settings are skipped, so
an interrupted run continues. About 2 s a photo at 128 pixels on two CPU cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from showcase.errors import DataError, ShowcaseError
from showcase.image_to_image.data import centre_square
from showcase.images import list_images, open_image

MANIFEST = "painted.json"
ITERATIONS = 50  # L-BFGS iterations: the picture changes little after about 50 at 128 px
STYLE_WEIGHT = 20.0  # four times the style demo's default: brush strokes a glance can tell apart


@dataclasses.dataclass(frozen=True)
class PaintSettings:
    painting: str
    side: int = 128
    iterations: int = ITERATIONS
    style_weight: float = STYLE_WEIGHT
    loss_network: str = "squeezenet"


def paint(photo: np.ndarray, settings: PaintSettings) -> np.ndarray:
    """A (side, side, 3) uint8 photo -> the same photo painted, uint8."""
    from showcase.style_transfer.api import StyleTransfer

    # The named network or an error: a quiet fallback would make different targets.
    StyleTransfer.loss_network(settings.loss_network, fallback=False)
    picture = StyleTransfer.optimize(
        photo,
        settings.painting,
        loss_network=settings.loss_network,
        size=settings.side,
        iterations=settings.iterations,
        style_weight=settings.style_weight,
        optimiser="lbfgs",
        stages=1,
    )
    return np.asarray(picture.convert("RGB"))


def rendered_name(photo_path: str | Path) -> str:
    return Path(photo_path).stem + ".png"


def _manifest(out: Path, settings: PaintSettings, photos: list[str], seconds: float) -> dict:
    return {
        **dataclasses.asdict(settings),
        "painting": Path(settings.painting).name,
        "method": "Gatys et al. 2016, L-BFGS (showcase.style_transfer), one stage",
        "photos": sorted({str(Path(path).parent) for path in photos}),
        "count": len(photos),
        "seconds": round(seconds, 1),
    }


def paint_folder(photos, settings: PaintSettings, out: str | Path, log=print) -> Path:
    """Render every photo of ``photos`` (folder(s)) into ``out``; returns ``out``."""
    out = Path(out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    recorded = out / MANIFEST
    if recorded.exists():
        earlier = json.loads(recorded.read_text())
        for key, value in dataclasses.asdict(settings).items():
            if key != "painting" and earlier.get(key) != value:
                raise ShowcaseError(f"{out} holds renders made with {key}={earlier.get(key)!r}")
    files = list_images(photos)
    started = time.perf_counter()
    for number, path in enumerate(files, 1):
        target = out / rendered_name(path)
        if target.exists():
            continue
        photo = centre_square(open_image(path), settings.side)
        Image.fromarray(paint(photo, settings)).save(target)
        log(f"{number}/{len(files)} {target.name} ({time.perf_counter() - started:.0f} s)")
    recorded.write_text(
        json.dumps(_manifest(out, settings, files, time.perf_counter() - started), indent=1)
    )
    return out


def rendered(folder: str | Path) -> dict:
    """The settings a folder of renders was made with (its ``painted.json``)."""
    recorded = Path(folder).expanduser() / MANIFEST
    if not recorded.exists():
        raise DataError(
            f"{folder} holds no painted photos (no {MANIFEST}): make them with "
            "`python -m showcase.image_to_image.painted`"
        )
    return json.loads(recorded.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m showcase.image_to_image.painted",
        description="Paint photos with the Gatys optimisation: CycleGAN's domain B and the true "
        "targets of held-out photos.",
    )
    parser.add_argument("--photos", required=True, help="folder(s) of photos, comma-separated")
    parser.add_argument("--painting", required=True, help="the painting whose style is used")
    parser.add_argument("--out", required=True, help="folder for the painted photos")
    parser.add_argument("--side", type=int, default=128, help="pixels (the centre square)")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--style-weight", type=float, default=STYLE_WEIGHT)
    args = parser.parse_args(argv)
    settings = PaintSettings(args.painting, args.side, args.iterations, args.style_weight)
    try:
        paint_folder([f for f in args.photos.split(",") if f], settings, args.out)
    except ShowcaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
