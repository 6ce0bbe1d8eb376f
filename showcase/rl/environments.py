"""The environments the agents live in, made through gymnasium (Towers et al. 2024).

CartPole-v1 and Pendulum-v1 are gymnasium's classic-control tasks; Breakout comes from MinAtar
(Young & Tian 2019), Atari's Breakout reduced to a 10x10 grid of 4 object channels (paddle, ball,
ball trail, bricks) with sticky actions (10%), which a DQN learns in hours on a CPU instead of days.
MinAtar has no time limit; an episode here stops after :data:`MAX_MINATAR_STEPS` frames, so that
an agent that keeps the ball in play forever still ends (a truncation, not a loss).
"""

from __future__ import annotations

import os

# pygame (which draws CartPole and Pendulum) greets on import, and SDL looks for a display and a
# sound server it never needs here (off-screen pictures only), complaining on stderr when there
# is none: a CLI's output and a server's log are not the place for either.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import gymnasium  # noqa: E402 - after the setting above
import numpy as np
from PIL import Image

from showcase.lazy import once

MAX_MINATAR_STEPS = 10_000
MINATAR_PREFIX = "MinAtar/"
# MinAtar's object channels as drawn: paddle, ball, trail, brick (black background).
MINATAR_COLOURS = np.array(
    [[0, 0, 0], [66, 135, 245], [250, 250, 250], [120, 120, 120], [235, 110, 50]], dtype=np.uint8
)
MINATAR_CELL_PIXELS = 24


@once
def _register_minatar() -> bool:
    # Imported here: MinAtar's gymnasium ids exist only after its registration function runs,
    # and importing it pulls in seaborn, which the classic-control agents do not need.
    from minatar.gym import register_envs

    register_envs()
    return True  # Lazy keeps a result, not None: registering twice would warn


def make(environment: str, render: bool = False) -> gymnasium.Env:
    """A fresh environment; ``render`` makes ``env.render()`` return RGB frames."""
    kwargs = {}
    if environment.startswith(MINATAR_PREFIX):
        _register_minatar()
        kwargs["max_episode_steps"] = MAX_MINATAR_STEPS
    elif render:
        kwargs["render_mode"] = "rgb_array"
    return gymnasium.make(environment, **kwargs)


def observation_array(observations) -> np.ndarray:
    """Observations as the networks take them: float32 (MinAtar's are booleans)."""
    return np.asarray(observations, dtype=np.float32)


def draw_minatar(observation: np.ndarray) -> np.ndarray:
    """An RGB picture of a MinAtar state: each cell coloured by its topmost object channel."""
    channels = np.asarray(observation, dtype=bool)
    # Channel k drawn with colour k + 1; a later channel wins where objects overlap.
    index = np.zeros(channels.shape[:2], dtype=np.intp)
    for channel in range(channels.shape[-1]):
        index[channels[..., channel]] = channel + 1
    picture = MINATAR_COLOURS[np.minimum(index, len(MINATAR_COLOURS) - 1)]
    return np.repeat(np.repeat(picture, MINATAR_CELL_PIXELS, axis=0), MINATAR_CELL_PIXELS, axis=1)


def frame(env: gymnasium.Env, observation, max_width: int | None = None) -> np.ndarray:
    """The current picture of ``env`` (uint8 RGB), at most ``max_width`` pixels wide."""
    if env.spec is not None and env.spec.id.startswith(MINATAR_PREFIX):
        picture = draw_minatar(observation)
    else:
        picture = np.asarray(env.render(), dtype=np.uint8)
    height, width = picture.shape[:2]
    if max_width is None or width <= max_width:
        return picture
    size = (max_width, max(1, round(height * max_width / width)))
    return np.asarray(Image.fromarray(picture).resize(size, Image.BILINEAR))
