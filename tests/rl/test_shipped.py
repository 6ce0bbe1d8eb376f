"""The shipped agents: they load safely, their cards are complete, the cheap figures reproduce
exactly, and AlphaZero still beats the baselines in a short match."""

import numpy as np
import pytest

from showcase.rl import Agent, ConnectFour, arena, opponents
from showcase.rl.api import DEFAULT_AGENT
from showcase.rl.evaluate import evaluate

CARTPOLES = ("cartpole_dqn", "cartpole_dqn_seed1", "cartpole_dqn_seed2")


@pytest.fixture(scope="module")
def shipped():
    return Agent.available()


def test_every_listed_agent_is_shipped_with_a_card(shipped):
    from showcase import registry

    assert set(registry.get("rl").checkpoint_names) <= set(shipped)
    for name in shipped:
        card = Agent.card_for(name)
        assert card.metric["value"] is not None and card.training_time_s > 0
        assert card.hardware.startswith("2 CPU cores") and card.curves
        assert card.hyperparameters["agent"] in name


def test_cartpole_is_solved_for_three_training_seeds(shipped):
    seeds = {Agent.card_for(name).hyperparameters["seed"] for name in CARTPOLES}
    assert seeds == {0, 1, 2}
    for name in CARTPOLES:
        metric = Agent.card_for(name).metric
        assert metric["value"] >= 475 and metric["episodes"] == 100  # gymnasium's threshold


def test_the_default_agent_reproduces_its_card_exactly():
    row = evaluate(agent=DEFAULT_AGENT)
    assert row["value"] == row["card_value"] == 500.0
    assert row["random_policy_mean_return"] < 30


def test_pendulum_beats_minus_200_and_a_random_policy():
    metric = Agent.card_for("pendulum_ddpg").metric
    assert metric["value"] > -200 > metric["random_policy_mean_return"]
    agent = Agent.from_pretrained("pendulum_ddpg")
    _, total = agent.play_episode(seed=0, every=100)
    assert total > -400


def test_alphazero_card_meets_its_targets_and_wins_a_short_match():
    player = ConnectFour.from_pretrained()
    results = player.card.metric["opponents"]
    assert results["random"]["win_rate"] >= 0.98 and results["random"]["games"] >= 400
    assert results["one-step lookahead"]["win_rate"] >= 0.80
    match = arena.match(
        player.player(simulations=32), opponents.random_player, 4, np.random.default_rng(0)
    )
    assert match["wins"] == 8
