"""What ``showcase bench captioning`` loads and times: one caption of a drawn scene, beam 3
(the default) and greedy, after load."""

from __future__ import annotations


def load(checkpoint=None):
    from showcase.captioning.api import Captioner

    return Captioner.from_pretrained(checkpoint).warm_up()


def bench_cases(captioner):
    from showcase.captioning.scenes import make_scene

    scene = make_scene(10_000_007, canvas=captioner.model.image_size).render(antialias=True)
    return {
        "caption, beam 3": lambda: captioner.caption(scene, beam_size=3),
        "caption, greedy": lambda: captioner.caption(scene, beam_size=1),
    }
