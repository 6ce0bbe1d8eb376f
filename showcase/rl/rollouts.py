"""Running a policy in its environment: many greedy episodes side by side, or one with pictures.

A policy maps a batch of observations (float32, (n, ...)) to a batch of actions. Episodes run in
lockstep so that the network answers every live episode in one call: 100 CartPole episodes of
500 steps cost 500 network calls, not 50,000.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from showcase.rl import environments

Policy = Callable[[np.ndarray], np.ndarray]


def episode_returns(policy: Policy, environment: str, seeds) -> np.ndarray:
    """The undiscounted return of one episode per seed (each env reset with its seed)."""
    seeds = [int(seed) for seed in seeds]
    envs = [environments.make(environment) for _ in seeds]
    observations = [env.reset(seed=seed)[0] for env, seed in zip(envs, seeds, strict=True)]
    returns = np.zeros(len(envs))
    live = list(range(len(envs)))
    try:
        while live:
            actions = policy(environments.observation_array([observations[i] for i in live]))
            still_live = []
            for index, action in zip(live, actions, strict=True):
                observation, reward, terminated, truncated, _ = envs[index].step(action)
                observations[index] = observation
                returns[index] += float(reward)
                if not (terminated or truncated):
                    still_live.append(index)
            live = still_live
    finally:
        for env in envs:
            env.close()
    return returns


def play_episode(
    policy: Policy,
    environment: str,
    seed: int,
    every: int = 1,
    max_frames: int = 600,
    max_width: int | None = None,
) -> dict:
    """One episode: pictures (every ``every``-th step, at most ``max_frames``, shrunk to
    ``max_width`` as they are taken so a long episode does not hold hundreds of full-size
    frames), the return, and the observation, action and reward of every step."""

    def picture(env, observation):
        return environments.frame(env, observation, max_width)

    env = environments.make(environment, render=True)
    try:
        observation, _ = env.reset(seed=seed)
        frames = [picture(env, observation)]
        observations, actions, rewards = [], [], []
        done = False
        while not done:
            observations.append(environments.observation_array(observation))
            action = policy(observations[-1][None])[0]
            observation, reward, terminated, truncated, _ = env.step(action)
            actions.append(action)
            rewards.append(float(reward))
            done = terminated or truncated
            if len(actions) % every == 0 and len(frames) < max_frames:
                frames.append(picture(env, observation))
    finally:
        env.close()
    return {
        "frames": frames,
        "return": float(np.sum(rewards)),
        "observations": np.asarray(observations),
        "actions": np.asarray(actions),
        "rewards": np.asarray(rewards),
    }


def score(policy: Policy, environment: str, episodes: int, first_seed: int = 0) -> dict:
    """Mean, spread and range of the return over episodes seeded ``first_seed`` onwards."""
    returns = episode_returns(policy, environment, range(first_seed, first_seed + episodes))
    return {
        "mean_return": round(float(returns.mean()), 2),
        "std_return": round(float(returns.std()), 2),
        "min_return": round(float(returns.min()), 2),
        "max_return": round(float(returns.max()), 2),
        "episodes": int(episodes),
        "seeds": f"{first_seed}-{first_seed + episodes - 1}",
    }


def random_policy(environment: str, seed: int = 0) -> Policy:
    """Uniformly random actions from the environment's action space (the baseline)."""
    space = environments.make(environment).action_space
    space.seed(seed)
    return lambda observations: [space.sample() for _ in observations]
