"""What ``showcase bench captioning`` loads and times: one caption of a drawn scene, beam 3
(the default) and greedy, after load, for every installed checkpoint."""

from __future__ import annotations

from showcase import checkpoints
from showcase.bench import Case
from showcase.captioning.api import DEMO, Captioner
from showcase.captioning.scenes import make_scene


def load(checkpoint=None):
    return {
        name: Captioner.load(path).warm_up()
        for name, path in checkpoints.available(DEMO, checkpoint).items()
    }


def bench_cases(captioners):
    cases = {}
    for name, captioner in captioners.items():
        scene = make_scene(10_000_007, canvas=captioner.model.image_size).render(antialias=True)
        for label, beam_size in (("beam 3", 3), ("greedy", 1)):
            cases[f"{name}, {label}"] = Case(
                lambda c=captioner, s=scene, b=beam_size: c.caption(s, beam_size=b),
                str(captioner.path),
            )
    return cases
