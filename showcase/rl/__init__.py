"""Deep reinforcement learning: DQN (Mnih et al. 2015), DDPG (Lillicrap et al. 2015) and
AlphaZero for Connect Four (Silver et al. 2017).

``Agent.from_pretrained("cartpole_dqn").play_episode(seed=0)`` watches an agent;
``ConnectFour.from_pretrained().best_move(board)`` plays; ``showcase train rl --agent NAME``
trains one; ``showcase evaluate rl`` scores them all.
"""

_PUBLIC = {"Agent": "showcase.rl.api", "ConnectFour": "showcase.rl.api"}


def __getattr__(name):
    # Imported on first use: the CLI reads this package's presets without importing TensorFlow.
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Agent", "ConnectFour"]
