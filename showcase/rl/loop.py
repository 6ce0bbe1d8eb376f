"""The off-policy training loop DQN and DDPG share: act, store, learn, and judge every epoch.

A learner supplies ``network`` (what is shipped), ``warm`` (True when it continues a trained
network, which then explores from the first step instead of acting at random until
``learning_starts``), ``explore(observation, step, rng)``,
``learn(batch)``, ``after_step(step)``, ``greedy(observations)`` and
``exploration_summary(step)``. The loop keeps the network with the best greedy evaluation at the
end of an epoch, on episode seeds the final evaluation never uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from showcase.rl import environments, rollouts
from showcase.rl.replay import ReplayBuffer

# Seeds of the greedy episodes that pick the best epoch: far from the evaluation's 0..N, so the
# figure `showcase evaluate rl` reports comes from episodes the selection never saw.
SELECTION_SEED = 1_000_000
LOSS_EVERY = 100  # steps between the losses kept for the log (reading one waits for the update)


def train_off_policy(
    learner, settings, seed: int, log: Callable[[str], None] = print, max_seconds: float = 0.0
) -> dict:
    """Run ``settings.epochs`` epochs of ``settings.steps_per_epoch`` steps (fewer when
    ``max_seconds``, if not 0, have passed); leaves the best network's weights in
    ``learner.network`` and returns the history."""
    rng = np.random.default_rng(seed)
    env = environments.make(settings.environment)
    env.action_space.seed(seed)
    replay = ReplayBuffer(settings.replay_size, env.observation_space.shape, env.action_space.shape)
    history = {"episode_returns": [], "episode_end_steps": [], "epochs": []}
    best_score, best_weights = -np.inf, learner.network.get_weights()
    observation = environments.observation_array(env.reset(seed=seed)[0])
    episode_return, step, started = 0.0, 0, time.perf_counter()
    for epoch in range(settings.epochs):
        losses = []
        for _ in range(settings.steps_per_epoch):
            if step < settings.learning_starts and not learner.warm:
                action = env.action_space.sample()  # the replay fills with uniform experience
            else:
                action = learner.explore(observation, step, rng)
            next_observation, reward, terminated, truncated, _ = env.step(action)
            next_observation = environments.observation_array(next_observation)
            replay.add(observation, action, reward, next_observation, terminated)
            episode_return += float(reward)
            observation = next_observation
            step += 1
            if terminated or truncated:
                history["episode_returns"].append(episode_return)
                history["episode_end_steps"].append(step)
                episode_return = 0.0
                observation = environments.observation_array(env.reset()[0])
            if step >= settings.learning_starts and step % settings.train_every == 0:
                loss = learner.learn(replay.sample(rng, settings.batch_size))
                if step % LOSS_EVERY == 0:
                    losses.append(loss)
            learner.after_step(step)
        episodes = settings.evaluation_episodes
        seeds = SELECTION_SEED + epoch * episodes + np.arange(episodes)
        score = float(rollouts.episode_returns(learner.greedy, settings.environment, seeds).mean())
        recent = history["episode_returns"][-20:]
        seconds = time.perf_counter() - started
        history["epochs"].append(
            {
                "epoch": epoch + 1,
                "steps": step,
                "seconds": round(seconds, 1),
                "loss": round(float(np.mean([float(x) for x in losses])), 4) if losses else None,
                "training_return_last_20": round(float(np.mean(recent)), 2) if recent else None,
                "greedy_return": round(score, 2),
            }
        )
        log(
            f"epoch {epoch + 1}/{settings.epochs}: {step:,} steps, greedy return {score:.1f} "
            f"over {episodes} episodes, {learner.exploration_summary(step)}, {seconds:.0f} s"
        )
        # Ties go to the later epoch: it has learnt from more experience.
        if score >= best_score:
            best_score, best_weights = score, learner.network.get_weights()
            history["best_epoch"] = epoch + 1
        if max_seconds and seconds >= max_seconds:
            break
    env.close()
    learner.network.set_weights(best_weights)
    history["steps"] = step
    history["seconds"] = time.perf_counter() - started
    history["best_selection_return"] = best_score
    return history
