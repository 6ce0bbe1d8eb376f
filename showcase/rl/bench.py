"""What ``showcase bench rl`` loads and times.

Latency: one action of each environment agent, a whole CartPole episode as the UI plays it
(pictures every second step), and one Connect Four move at 50 and 200 simulations.

Comparison: this project's DDPG against the keras-io recipe "Deep Deterministic Policy Gradient
(DDPG)" (amifunny, 2020, revised 2024; ``examples/rl/ddpg_pendulum.py``), rebuilt from its
description and trained on Pendulum-v1 for the same wall time as the shipped agent's training,
back to back on the same machine; both are then scored on the same 100 greedy episodes (seeds
0-99). The recipe's networks: an actor of two 256-unit ReLU layers and a tanh output scaled by
2, its last layer initialised within +-0.003; a critic whose state goes through 16 and 32 units
and action through 32, joined into two 256-unit layers and one output. Ornstein-Uhlenbeck noise
(std 0.2, theta 0.15, dt 0.01), Adam at 0.002 (critic) and 0.001 (actor), gamma 0.99, tau 0.005,
a 50,000-transition buffer, batches of 64, one update per step from the first step, and the
actor called eagerly to act, as the recipe does.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from showcase.bench import Case
from showcase.errors import CheckpointError
from showcase.rl import environments, rollouts
from showcase.rl.api import Agent, Board, ConnectFour
from showcase.rl.ddpg import OrnsteinUhlenbeckNoise
from showcase.rl.inference import compiled_forward
from showcase.rl.replay import ReplayBuffer

RECIPE_EPISODES = 100  # the recipe's own length, when the budget allows it
EVALUATION_EPISODES = 100


def load(checkpoint=None) -> dict:
    """Every installed agent, warmed up, by name."""
    loaded = {}
    for name, path in Agent.available(checkpoint).items():
        try:
            loaded[name] = Agent.load(path).warm_up()
        except CheckpointError:
            loaded[name] = ConnectFour.load(path).warm_up()
    return loaded


def bench_cases(loaded: dict) -> dict:
    cases = {}
    for name, network in loaded.items():
        where = str(network.path)
        if isinstance(network, ConnectFour):
            board = Board.from_moves([3, 3, 2, 4])
            for simulations in (50, 200):
                cases[f"{name}: one move, {simulations} simulations"] = Case(
                    lambda network=network, simulations=simulations, board=board: network.best_move(
                        board, simulations
                    ),
                    where,
                )
            continue
        observation = np.zeros(network.model.input_shape[1:], "float32")
        cases[f"{name}: one action"] = Case(
            lambda network=network, observation=observation: network.act(observation), where
        )
        if name == "cartpole_dqn":
            cases[f"{name}: an episode with pictures"] = Case(
                lambda network=network: network.play_episode(seed=0, every=2), where, max_runs=3
            )
    return cases


def _recipe_networks(observation_size: int, bound: float):
    final = keras.initializers.RandomUniform(minval=-0.003, maxval=0.003)
    state = keras.Input((observation_size,))
    hidden = layers.Dense(256, activation="relu")(state)
    hidden = layers.Dense(256, activation="relu")(hidden)
    action = layers.Dense(1, activation="tanh", kernel_initializer=final)(hidden)
    actor = keras.Model(state, layers.Rescaling(bound)(action))

    state = keras.Input((observation_size,))
    state_path = layers.Dense(16, activation="relu")(state)
    state_path = layers.Dense(32, activation="relu")(state_path)
    action = keras.Input((1,))
    action_path = layers.Dense(32, activation="relu")(action)
    joined = layers.Concatenate()([state_path, action_path])
    joined = layers.Dense(256, activation="relu")(joined)
    joined = layers.Dense(256, activation="relu")(joined)
    critic = keras.Model([state, action], layers.Dense(1)(joined))
    return actor, critic


def train_keras_io_recipe(seconds: float, seed: int = 0) -> tuple[keras.Model, dict]:
    """The recipe's loop on Pendulum-v1 until ``seconds`` pass (or its 100 episodes end)."""
    keras.utils.set_random_seed(seed)
    env = environments.make("Pendulum-v1")
    bound = float(env.action_space.high[0])
    actor, critic = _recipe_networks(3, bound)
    target_actor, target_critic = _recipe_networks(3, bound)
    target_actor.set_weights(actor.get_weights())
    target_critic.set_weights(critic.get_weights())
    critic_optimizer, actor_optimizer = keras.optimizers.Adam(0.002), keras.optimizers.Adam(0.001)
    gamma, tau = 0.99, 0.005

    @tf.function
    def update(states, actions, rewards, next_states, _terminated):
        with tf.GradientTape() as tape:
            targets = rewards[:, None] + gamma * target_critic(
                [next_states, target_actor(next_states, training=True)], training=True
            )
            values = critic([states, actions], training=True)
            critic_loss = tf.reduce_mean(tf.square(targets - values))
        gradients = tape.gradient(critic_loss, critic.trainable_variables)
        critic_optimizer.apply_gradients(zip(gradients, critic.trainable_variables, strict=True))
        with tf.GradientTape() as tape:
            actor_loss = -tf.reduce_mean(critic([states, actor(states, training=True)]))
        gradients = tape.gradient(actor_loss, actor.trainable_variables)
        actor_optimizer.apply_gradients(zip(gradients, actor.trainable_variables, strict=True))
        for target, source in ((target_actor, actor), (target_critic, critic)):
            for target_weight, weight in zip(target.weights, source.weights, strict=True):
                target_weight.assign(tau * weight + (1 - tau) * target_weight)

    noise = OrnsteinUhlenbeckNoise(1, sigma=0.2, theta=0.15, dt=0.01)
    rng = np.random.default_rng(seed)
    replay = ReplayBuffer(50_000, (3,), (1,))
    started, episodes, steps, returns = time.perf_counter(), 0, 0, []
    while episodes < RECIPE_EPISODES and time.perf_counter() - started < seconds:
        state, _ = env.reset(seed=seed + episodes)
        episode_return, done = 0.0, False
        while not done:
            action = np.asarray(actor(state[None].astype("float32")))[0] + noise.sample(rng)
            action = np.clip(action, -bound, bound)
            next_state, reward, terminated, truncated, _ = env.step(action)
            replay.add(state, action, reward, next_state, terminated)
            update(*replay.sample(rng, 64))
            episode_return += float(reward)
            state, steps, done = next_state, steps + 1, terminated or truncated
        returns.append(episode_return)
        episodes += 1
    env.close()
    elapsed = time.perf_counter() - started
    return actor, {"episodes": episodes, "steps": steps, "seconds": round(elapsed, 1)}


def compare_with_keras_io(agent: Agent, seconds: float | None = None) -> dict:
    card = agent.card
    seconds = seconds or (card.training_time_s if card else 0) or 60
    recipe_actor, trained = train_keras_io_recipe(seconds)
    forward = compiled_forward(recipe_actor)
    recipe = rollouts.score(
        lambda observations: np.asarray(forward(observations)), "Pendulum-v1", EVALUATION_EPISODES
    )
    ours = rollouts.score(agent.greedy, "Pendulum-v1", EVALUATION_EPISODES)
    return {
        "comparison": "mean greedy return on Pendulum-v1 (seeds 0-99) vs the keras-io DDPG "
        "recipe trained for the same wall time",
        "checkpoint": str(agent.path),
        "budget_s": round(seconds),
        "keras_io_training": trained,
        "keras_io_mean_return": recipe["mean_return"],
        "ours_mean_return": ours["mean_return"],
        "ours_training_s": card.training_time_s if card else None,
        "summary": f"Pendulum: ours {ours['mean_return']} vs keras-io DDPG "
        f"{recipe['mean_return']} after {seconds:.0f} s of training "
        f"({trained['episodes']} recipe episodes)",
    }


def comparisons(loaded: dict, minutes: float | None = None) -> list[dict]:
    agent = loaded.get("pendulum_ddpg")
    if agent is None:
        return []
    return [compare_with_keras_io(agent, minutes * 60 if minutes else None)]
