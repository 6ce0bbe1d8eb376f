"""The learners' parts: replay, target networks, one compiled update, noise, AlphaZero's data."""

import dataclasses

import keras
import numpy as np
import pytest

from showcase.rl import alphazero, arena, ddpg, dqn, opponents
from showcase.rl.connect_four import Board
from showcase.rl.layers import DuelingCombine
from showcase.rl.presets import AGENTS, RLTrainConfig
from showcase.rl.replay import ReplayBuffer

CARTPOLE = AGENTS["cartpole_dqn"]
PENDULUM = AGENTS["pendulum_ddpg"]
CONNECT_FOUR = dataclasses.replace(
    AGENTS["connect4_alphazero"], filters=8, residual_blocks=1, simulations=4, batch_size=16
)


def test_replay_buffer_overwrites_the_oldest_and_samples_whole_transitions():
    replay = ReplayBuffer(3, (2,))
    for step in range(5):
        replay.add([step, step], step % 2, float(step), [step + 1, step + 1], step == 4)
    assert len(replay) == 3
    assert sorted(replay.observations[:, 0]) == [2.0, 3.0, 4.0]  # 0 and 1 were overwritten
    observations, actions, rewards, next_observations, terminated = replay.sample(
        np.random.default_rng(0), 64
    )
    assert observations.shape == (64, 2) and actions.dtype == np.int32
    # Each sampled row is one stored transition, not a mix of several.
    np.testing.assert_array_equal(observations[:, 0], rewards)
    np.testing.assert_array_equal(next_observations[:, 0], rewards + 1)
    np.testing.assert_array_equal(terminated, (rewards == 4).astype(np.float32))


def test_an_empty_or_sizeless_replay_buffer_is_refused():
    with pytest.raises(ValueError):
        ReplayBuffer(0, (2,))
    with pytest.raises(ValueError):
        ReplayBuffer(2, (2,)).sample(np.random.default_rng(0), 1)


def test_epsilon_falls_linearly_then_stays():
    assert dqn.epsilon_at(0, CARTPOLE) == CARTPOLE.epsilon_start
    halfway = dqn.epsilon_at(CARTPOLE.epsilon_steps // 2, CARTPOLE)
    assert halfway == pytest.approx((CARTPOLE.epsilon_start + CARTPOLE.epsilon_end) / 2)
    assert dqn.epsilon_at(10 * CARTPOLE.epsilon_steps, CARTPOLE) == pytest.approx(
        CARTPOLE.epsilon_end
    )


def test_duelling_head_centres_the_advantages():
    value = np.array([[2.0]], "float32")
    advantages = np.array([[1.0, 3.0]], "float32")
    q_values = np.asarray(DuelingCombine()([value, advantages]))
    np.testing.assert_allclose(q_values, [[1.0, 3.0]])  # 2 + (1, 3) - mean 2


def _fixed_batch(rng, size=64):
    observations = rng.normal(size=(size, 4)).astype("float32")
    return (
        observations,
        rng.integers(0, 2, size).astype("int32"),
        rng.normal(size=size).astype("float32"),
        rng.normal(size=(size, 4)).astype("float32"),
        (rng.random(size) < 0.1).astype("float32"),
    )


def _td_error(learner, batch) -> float:
    observations, actions, rewards, next_observations, terminated = batch
    targets = np.asarray(learner.targets(rewards, next_observations, terminated))
    q_values = np.asarray(learner.online(observations))
    return float(np.abs(targets - q_values[np.arange(len(actions)), actions]).mean())


@pytest.mark.parametrize("dueling", [False, True])
def test_compiled_updates_lower_the_td_error_on_a_fixed_batch(dueling):
    keras.utils.set_random_seed(0)
    settings = dataclasses.replace(CARTPOLE, hidden_units=(32,), dueling=dueling)
    learner = dqn.DQNLearner(dqn.build_q_network((4,), 2, (32,), dueling=dueling), settings)
    batch = _fixed_batch(np.random.default_rng(0))
    before = _td_error(learner, batch)
    learner.learn(batch)
    after_one = _td_error(learner, batch)
    assert after_one < before
    for _ in range(30):
        learner.learn(batch)
    assert _td_error(learner, batch) < min(after_one, 0.9 * before)


def test_the_target_network_follows_only_when_synchronised():
    learner = dqn.DQNLearner(dqn.build_q_network((4,), 2, (8,)), CARTPOLE)
    batch = _fixed_batch(np.random.default_rng(1))
    learner.learn(batch)
    online, target = learner.online.get_weights(), learner.target.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(online, target, strict=True))
    learner.after_step(CARTPOLE.target_update - 1)  # not yet
    assert any(
        not np.allclose(a, b)
        for a, b in zip(learner.online.get_weights(), learner.target.get_weights(), strict=True)
    )
    learner.after_step(CARTPOLE.target_update)
    for a, b in zip(learner.online.get_weights(), learner.target.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_ddpg_targets_move_a_tau_fraction_towards_the_trained_networks():
    keras.utils.set_random_seed(0)
    actor = ddpg.build_actor(3, 1, 2.0, (16,))
    settings = dataclasses.replace(PENDULUM, hidden_units=(16,))
    learner = ddpg.DDPGLearner(actor, settings, 2.0)
    before_target = [w.copy() for w in learner.target_actor.get_weights()]
    rng = np.random.default_rng(0)
    batch = (
        rng.normal(size=(32, 3)).astype("float32"),
        rng.uniform(-2, 2, (32, 1)).astype("float32"),
        rng.normal(size=32).astype("float32"),
        rng.normal(size=(32, 3)).astype("float32"),
        np.zeros(32, "float32"),
    )
    learner.learn(batch)
    tau = settings.tau
    for old_target, new_target, trained in zip(
        before_target, learner.target_actor.get_weights(), actor.get_weights(), strict=True
    ):
        np.testing.assert_allclose(
            new_target, tau * trained + (1 - tau) * old_target, rtol=1e-5, atol=1e-6
        )


def test_ddpg_actions_stay_within_the_bound_and_noise_is_correlated():
    actor = ddpg.build_actor(3, 1, 2.0, (16,))
    actions = np.asarray(actor(np.random.default_rng(0).normal(0, 100, (64, 3)).astype("float32")))
    assert np.abs(actions).max() <= 2.0
    noise = ddpg.OrnsteinUhlenbeckNoise(1, sigma=0.2, theta=0.15, dt=0.01)
    rng = np.random.default_rng(0)
    samples = np.array([noise.sample(rng)[0] for _ in range(2000)])
    # Successive values barely differ: the pushes last, unlike independent noise.
    assert np.corrcoef(samples[:-1], samples[1:])[0, 1] > 0.9


def test_alphazero_network_gives_a_policy_and_a_value_per_position():
    network = alphazero.build_network(filters=8, residual_blocks=1)
    logits, values = network(np.stack([Board.empty().planes()] * 3))
    assert logits.shape == (3, 7) and values.shape == (3, 1)
    assert np.all(np.abs(np.asarray(values)) <= 1)


def test_self_play_records_mirrored_positions_with_outcomes_from_the_movers_view():
    keras.utils.set_random_seed(0)
    network = alphazero.build_network(filters=8, residual_blocks=1)
    outcomes_only = dataclasses.replace(CONNECT_FOUR, search_value_weight=0.0)
    (planes, targets, outcomes), summary = alphazero.self_play(
        network, outcomes_only, 3, np.random.default_rng(0)
    )
    assert summary["games"] == 3
    assert len(planes) == len(targets) == len(outcomes) == 2 * summary["moves"]
    np.testing.assert_allclose(targets.sum(axis=1), 1.0, rtol=1e-5)
    # Each position is followed by its mirror image with the mirrored visit distribution.
    np.testing.assert_array_equal(planes[1], planes[0][:, ::-1])
    np.testing.assert_allclose(targets[1], targets[0][::-1])
    assert set(np.unique(outcomes)) <= {-1.0, 0.0, 1.0}
    # A decisive game's last move was the winner's: outcomes alternate in sign along a game.
    if outcomes[0] != 0:
        assert outcomes[2] == -outcomes[0]
    # Mixed with the search's values (the shipped setting), the targets move towards them.
    _, _, mixed = alphazero.self_play(network, CONNECT_FOUR, 3, np.random.default_rng(0))[0]
    assert np.all(np.abs(mixed) <= 1) and not set(np.unique(mixed)) <= {-1.0, 0.0, 1.0}


def test_a_few_training_steps_lower_alphazero_losses():
    keras.utils.set_random_seed(0)
    network = alphazero.build_network(filters=8, residual_blocks=1)
    examples, _ = alphazero.self_play(network, CONNECT_FOUR, 4, np.random.default_rng(1))
    settings = dataclasses.replace(CONNECT_FOUR, train_passes=1)
    learner = alphazero.AlphaZeroLearner(network, settings)
    first = learner.fit(examples, np.random.default_rng(0))
    for _ in range(6):
        last = learner.fit(examples, np.random.default_rng(0))
    assert last["policy_loss"] < first["policy_loss"]
    assert last["value_loss"] < first["value_loss"]


def test_matches_count_both_colours_and_give_wilson_intervals():
    rng = np.random.default_rng(0)
    result = arena.match(opponents.one_step_lookahead, opponents.random_player, 10, rng)
    assert result["games"] == 20 == result["wins"] + result["draws"] + result["losses"]
    assert result["as_first"]["games"] == result["as_second"]["games"] == 10
    assert result["win_rate_low"] <= result["win_rate"] <= result["win_rate_high"]
    low, high = arena.wilson_interval(20, 20)
    assert high == 1.0 and 0.8 < low < 0.9  # Wilson keeps a perfect record's interval sensible


def test_agent_presets_are_refused_options_they_do_not_have():
    from showcase.errors import ShowcaseError

    with pytest.raises(ShowcaseError, match="does not search"):
        RLTrainConfig(agent="cartpole_dqn", simulations=10).settings()
    assert (
        RLTrainConfig(agent="connect4_alphazero", steps_per_epoch=7).settings().games_per_epoch == 7
    )
