"""Deep Q-networks: Mnih et al. 2013/2015, "Human-level control through deep reinforcement
learning" (Nature 518), with Double DQN targets (van Hasselt, Guez & Silver 2016) and, as an
option, the duelling head (Wang et al. 2016).

What the paper has and this keeps: experience replay, a target network copied every
``target_update`` steps, the Huber loss on the TD error (the paper's "error clipping"), and an
epsilon-greedy schedule annealed linearly. What changed and why:

- Adam instead of RMSProp, and gradient-norm clipping at 10: both far less sensitive to the step
  size on small problems (the MinAtar and Rainbow follow-ups made the same swap).
- Double DQN targets by default: the online network picks the next action, the target network
  values it, which removes most of the over-estimation the plain max has.
- The networks are sized for the tasks: two 256-unit layers for CartPole's 4 numbers; for
  MinAtar, the MinAtar paper's one 16-filter 3x3 convolution and 128 units (Young & Tian 2019),
  not the Atari network for 84x84 frames.
- The checkpoint kept is the one with the best greedy evaluation at the end of an epoch, not the
  last: DQN's greedy return swings from epoch to epoch even after it has solved a task.

One compiled function (:meth:`DQNLearner.update`) samples nothing and calls no Python per
transition: it takes a whole batch and does the forward passes, the loss, and the step.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from showcase.rl.inference import compiled_forward
from showcase.rl.layers import DuelingCombine
from showcase.rl.presets import DQNSettings


def build_q_network(
    observation_shape: tuple,
    actions: int,
    hidden_units: tuple[int, ...] = (256, 256),
    conv_filters: int = 0,
    dueling: bool = False,
    name: str = "q_network",
) -> keras.Model:
    """Observation (float32) -> one Q-value per action."""
    observation = keras.Input(observation_shape, name="observation")
    features = observation
    if conv_filters:
        features = layers.Conv2D(conv_filters, 3, activation="relu", name="conv")(features)
        features = layers.Flatten(name="flatten")(features)
    for index, units in enumerate(hidden_units):
        features = layers.Dense(units, activation="relu", name=f"hidden_{index}")(features)
    if dueling:
        value = layers.Dense(1, name="value")(features)
        advantages = layers.Dense(actions, name="advantages")(features)
        q_values = DuelingCombine(name="q_values")([value, advantages])
    else:
        q_values = layers.Dense(actions, name="q_values")(features)
    return keras.Model(observation, q_values, name=name)


def epsilon_at(step: int, settings: DQNSettings) -> float:
    """The exploration rate after ``step`` environment steps: linear, then flat."""
    fraction = min(step / max(settings.epsilon_steps, 1), 1.0)
    return settings.epsilon_start + fraction * (settings.epsilon_end - settings.epsilon_start)


class DQNLearner:
    """An online Q-network, its target copy, and the compiled update between them; the learner
    :func:`showcase.rl.loop.train_off_policy` drives."""

    def __init__(self, network: keras.Model, settings: DQNSettings, warm: bool = False):
        self.settings = settings
        self.actions = int(network.output_shape[-1])
        self.warm = warm
        # A warm start explores at the final rate: the network already knows the task.
        self.exploration_offset = settings.epsilon_steps if warm else 0
        self.online = network
        self.target = keras.models.clone_model(network)
        self.target.set_weights(network.get_weights())
        updates = settings.epochs * settings.steps_per_epoch // settings.train_every
        learning_rate = keras.optimizers.schedules.PolynomialDecay(
            settings.learning_rate,
            decay_steps=max(updates, 1),
            end_learning_rate=settings.learning_rate * settings.final_learning_rate_fraction,
        )
        self.optimizer = keras.optimizers.Adam(learning_rate, clipnorm=settings.gradient_clip)
        self.optimizer.build(self.online.trainable_variables)
        self.update = tf.function(self._update)
        self.q_values = compiled_forward(network)

    @property
    def network(self) -> keras.Model:
        """What a checkpoint ships."""
        return self.online

    def explore(self, observation: np.ndarray, step: int, rng: np.random.Generator) -> int:
        """Epsilon-greedy: a random action with the scheduled probability, else argmax Q."""
        if rng.random() < epsilon_at(step + self.exploration_offset, self.settings):
            return int(rng.integers(self.actions))
        return int(self.greedy(observation[None])[0])

    def exploration_summary(self, step: int) -> str:
        return f"epsilon {epsilon_at(step + self.exploration_offset, self.settings):.3f}"

    def learn(self, batch) -> tf.Tensor:
        return self.update(*batch)

    def after_step(self, step: int) -> None:
        if step % self.settings.target_update == 0:
            self.sync_target()

    def sync_target(self) -> None:
        """Copy the online weights into the target network (the paper's every-C-steps copy)."""
        for target, online in zip(self.target.weights, self.online.weights, strict=True):
            target.assign(online)

    def targets(self, rewards, next_observations, terminated):
        """r + gamma * Q_target(s', a*) for non-terminal s'; a* by Double DQN or the plain max."""
        next_target = self.target(next_observations, training=False)
        if self.settings.double:
            chosen = tf.argmax(self.online(next_observations, training=False), axis=-1)
            next_value = tf.gather(next_target, chosen, axis=1, batch_dims=1)
        else:
            next_value = tf.reduce_max(next_target, axis=-1)
        return rewards + self.settings.gamma * (1.0 - terminated) * next_value

    def _update(self, observations, actions, rewards, next_observations, terminated):
        targets = tf.stop_gradient(self.targets(rewards, next_observations, terminated))
        with tf.GradientTape() as tape:
            q_values = self.online(observations, training=True)
            taken = tf.gather(q_values, actions, axis=1, batch_dims=1)
            loss = tf.reduce_mean(keras.losses.huber(targets[:, None], taken[:, None]))
        variables = self.online.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    def greedy(self, observations: np.ndarray) -> np.ndarray:
        return np.asarray(self.q_values(observations)).argmax(axis=-1)
