"""Experience replay (Lin 1992; Mnih et al. 2015): a fixed-size ring of transitions sampled
uniformly, which breaks the correlation between consecutive steps that would otherwise make
Q-learning with a neural network diverge."""

from __future__ import annotations

import numpy as np


class ReplayBuffer:
    """Transitions (observation, action, reward, next observation, terminated) in numpy arrays.

    ``terminated`` marks a true end (the pole fell): its target has no bootstrapped future. A
    time-limit truncation is stored as not terminated, since the state itself was not final.
    """

    def __init__(self, capacity: int, observation_shape: tuple, action_shape: tuple = ()):
        if capacity < 1:
            raise ValueError("a replay buffer needs room for at least one transition")
        self.capacity = int(capacity)
        self.observations = np.zeros((capacity, *observation_shape), dtype=np.float32)
        self.next_observations = np.zeros((capacity, *observation_shape), dtype=np.float32)
        action_dtype = np.int32 if action_shape == () else np.float32
        self.actions = np.zeros((capacity, *action_shape), dtype=action_dtype)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.size = 0
        self.cursor = 0

    def __len__(self) -> int:
        return self.size

    def add(self, observation, action, reward, next_observation, terminated) -> None:
        """Store one transition, overwriting the oldest once the buffer is full."""
        slot = self.cursor
        self.observations[slot] = observation
        self.actions[slot] = action
        self.rewards[slot] = reward
        self.next_observations[slot] = next_observation
        self.terminated[slot] = float(terminated)
        self.cursor = (slot + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, rng: np.random.Generator, batch_size: int) -> tuple[np.ndarray, ...]:
        """A uniform batch (with replacement) of (obs, action, reward, next obs, terminated)."""
        if self.size == 0:
            raise ValueError("the replay buffer is empty")
        picked = rng.integers(0, self.size, batch_size)
        return (
            self.observations[picked],
            self.actions[picked],
            self.rewards[picked],
            self.next_observations[picked],
            self.terminated[picked],
        )
