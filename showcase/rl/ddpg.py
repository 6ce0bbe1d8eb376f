"""Deep deterministic policy gradient: Lillicrap et al. 2015, "Continuous control with deep
reinforcement learning" (ICLR 2016), after Silver et al. 2014's deterministic policy gradient.

An actor mu(s) gives the action; a critic Q(s, a) learns from replayed transitions with targets
from slowly-following copies of both (soft updates, tau); the actor climbs the critic's gradient
with respect to the action. Exploration adds Ornstein-Uhlenbeck noise to the actor's action.

Changed from the paper, and why: two 256-unit layers instead of 400/300 and no batch
normalisation or critic weight decay (the keras-io recipe's choices for Pendulum, which train
in minutes); the action enters the critic at its input rather than at the second layer; tau is
0.005 instead of 0.001 and the learning rates 2e-3 (critic) and 1e-3 (actor) instead of 1e-3 and
1e-4, as in that recipe: the paper's slower settings were tuned for million-step runs. The
actor's last layer starts within +-3e-3, as in the paper, so early actions are near zero.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from showcase.rl.inference import compiled_forward
from showcase.rl.presets import DDPGSettings

FINAL_LAYER_RANGE = 3e-3


def build_actor(observation_size: int, action_size: int, bound: float, hidden_units=(256, 256)):
    """Observation -> action in [-bound, bound] (tanh, rescaled)."""
    observation = keras.Input((observation_size,), name="observation")
    features = observation
    for index, units in enumerate(hidden_units):
        features = layers.Dense(units, activation="relu", name=f"hidden_{index}")(features)
    squashed = layers.Dense(
        action_size,
        activation="tanh",
        kernel_initializer=keras.initializers.RandomUniform(-FINAL_LAYER_RANGE, FINAL_LAYER_RANGE),
        name="squashed_action",
    )(features)
    action = layers.Rescaling(bound, name="action")(squashed)
    return keras.Model(observation, action, name="actor")


def build_critic(observation_size: int, action_size: int, hidden_units=(256, 256)):
    """(observation, action) -> Q."""
    observation = keras.Input((observation_size,), name="observation")
    action = keras.Input((action_size,), name="action")
    features = layers.Concatenate(name="observation_and_action")([observation, action])
    for index, units in enumerate(hidden_units):
        features = layers.Dense(units, activation="relu", name=f"hidden_{index}")(features)
    value = layers.Dense(
        1,
        kernel_initializer=keras.initializers.RandomUniform(-FINAL_LAYER_RANGE, FINAL_LAYER_RANGE),
        name="q_value",
    )(features)
    return keras.Model([observation, action], value, name="critic")


class OrnsteinUhlenbeckNoise:
    """Temporally correlated noise, dx = theta (0 - x) dt + sigma sqrt(dt) N(0, 1) (Uhlenbeck &
    Ornstein 1930): a pendulum needs pushes that last, which independent noise averages away."""

    def __init__(self, size: int, sigma: float, theta: float, dt: float):
        self.sigma, self.theta, self.dt = sigma, theta, dt
        self.state = np.zeros(size, dtype=np.float32)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        drift = -self.theta * self.state * self.dt
        shock = self.sigma * np.sqrt(self.dt) * rng.standard_normal(self.state.shape)
        self.state = (self.state + drift + shock).astype(np.float32)
        return self.state


class DDPGLearner:
    """Actor, critic and their target copies; the learner the shared off-policy loop drives."""

    def __init__(self, actor: keras.Model, settings: DDPGSettings, bound: float, warm=False):
        self.settings = settings
        self.bound = float(bound)
        self.warm = warm
        observation_size = int(actor.input_shape[-1])
        action_size = int(actor.output_shape[-1])
        self.actor = actor
        self.critic = build_critic(observation_size, action_size, settings.hidden_units)
        self.target_actor = keras.models.clone_model(actor)
        self.target_actor.set_weights(actor.get_weights())
        self.target_critic = keras.models.clone_model(self.critic)
        self.target_critic.set_weights(self.critic.get_weights())
        self.critic_optimizer = keras.optimizers.Adam(settings.learning_rate)
        self.actor_optimizer = keras.optimizers.Adam(settings.learning_rate / 2)
        self.critic_optimizer.build(self.critic.trainable_variables)
        self.actor_optimizer.build(self.actor.trainable_variables)
        # noise_std is sigma as a fraction of the bound: 0.1 gives the recipe's 0.2 for
        # Pendulum's bound of 2 (a stationary spread of sigma / sqrt(2 theta), about 0.37).
        self.noise = OrnsteinUhlenbeckNoise(
            action_size, settings.noise_std * self.bound, settings.noise_theta, settings.noise_dt
        )
        self.update = tf.function(self._update)
        self.forward = compiled_forward(actor)

    @property
    def network(self) -> keras.Model:
        return self.actor

    def greedy(self, observations: np.ndarray) -> np.ndarray:
        return np.asarray(self.forward(observations))

    def explore(self, observation: np.ndarray, step: int, rng: np.random.Generator):
        action = self.greedy(observation[None])[0] + self.noise.sample(rng)
        return np.clip(action, -self.bound, self.bound).astype(np.float32)

    def exploration_summary(self, step: int) -> str:
        return f"noise sigma {self.noise.sigma:.2f}"

    def learn(self, batch) -> tf.Tensor:
        return self.update(*batch)

    def after_step(self, step: int) -> None:
        """Soft updates happen inside the compiled update."""

    def _soft_update(self, target: keras.Model, source: keras.Model) -> None:
        tau = self.settings.tau
        for target_weight, weight in zip(target.weights, source.weights, strict=True):
            target_weight.assign(tau * weight + (1.0 - tau) * target_weight)

    def _update(self, observations, actions, rewards, next_observations, terminated):
        next_actions = self.target_actor(next_observations, training=False)
        next_values = self.target_critic([next_observations, next_actions], training=False)
        targets = rewards + self.settings.gamma * (1.0 - terminated) * next_values[:, 0]
        with tf.GradientTape() as tape:
            values = self.critic([observations, actions], training=True)[:, 0]
            critic_loss = tf.reduce_mean(tf.square(tf.stop_gradient(targets) - values))
        variables = self.critic.trainable_variables
        self.critic_optimizer.apply_gradients(
            zip(tape.gradient(critic_loss, variables), variables, strict=True)
        )
        with tf.GradientTape() as tape:
            chosen = self.actor(observations, training=True)
            actor_loss = -tf.reduce_mean(self.critic([observations, chosen], training=False))
        variables = self.actor.trainable_variables
        self.actor_optimizer.apply_gradients(
            zip(tape.gradient(actor_loss, variables), variables, strict=True)
        )
        self._soft_update(self.target_actor, self.actor)
        self._soft_update(self.target_critic, self.critic)
        return critic_loss
