"""Train tiny agents the way `showcase train rl` does, then reproduce their cards with
`showcase evaluate rl`; warm starts add up; the API plays an episode and a Connect Four move."""

import numpy as np
import pytest

from showcase.rl import Agent, ConnectFour
from showcase.rl.api import Board
from showcase.rl.evaluate import evaluate
from showcase.rl.presets import RLTrainConfig
from showcase.rl.train import train

# One worker trains the tiny agents (tests/conftest.py) for this module and the UI's.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rl")]


def test_every_card_is_reproduced_by_evaluate(tiny_rl_agents):
    out, paths = tiny_rl_agents
    result = evaluate(str(out))
    rows = {row["name"]: row for row in result["results"]}
    assert set(rows) == set(paths)
    for row in rows.values():
        assert row["value"] == row["card_value"], row["name"]
    connect_four = rows["connect4_alphazero"]
    assert set(connect_four["opponents"]) == {
        "random",
        "one-step lookahead",
        "pure MCTS (4 rollouts)",
        "alpha-beta (depth 4)",
    }
    assert all(result["games"] == 6 for result in connect_four["opponents"].values())
    assert connect_four["perfect_play"]["positions"] == 3
    cartpole = rows["cartpole_dqn"]
    assert cartpole["episodes"] == 3 and cartpole["random_policy_mean_return"] > 0


def test_a_card_records_what_the_run_did(tiny_rl_agents):
    _, paths = tiny_rl_agents
    card = Agent.card_for(checkpoint=paths["cartpole_dqn"])
    assert card.hyperparameters["agent"] == "cartpole_dqn"
    assert card.hyperparameters["steps"] == 1200 and card.hyperparameters["epochs_run"] == 1
    assert card.metric["split"] == "CartPole-v1, episode seeds 0-2"
    assert card.curves["greedy return per epoch"]["x"] == [1200]
    assert "--steps-per-epoch 1200" in card.train_command
    board_card = ConnectFour.card_for(checkpoint=paths["connect4_alphazero"])
    assert board_card.hyperparameters["self_play_games"] == 4
    assert board_card.hyperparameters["settings"]["simulations"] == 4


def test_a_warm_start_continues_and_adds_up_the_experience(tiny_rl_agents, tmp_path):
    _, paths = tiny_rl_agents
    path = train(
        RLTrainConfig(
            agent="cartpole_dqn",
            epochs=1,
            steps_per_epoch=300,
            measure_episodes=2,
            warm_start=str(paths["cartpole_dqn"]),
            out=str(tmp_path),
            verbose=0,
        )
    )
    card = Agent.card_for(checkpoint=path)
    assert card.hyperparameters["steps"] == 1500
    assert card.hyperparameters["warm_start"] == {"from": "cartpole_dqn.keras", "steps": 1200}


def test_a_warm_start_from_another_agent_is_refused(tiny_rl_agents, tmp_path):
    from showcase.errors import ShowcaseError

    _, paths = tiny_rl_agents
    with pytest.raises(ShowcaseError, match="not 'cartpole_dqn'"):
        train(
            RLTrainConfig(
                agent="cartpole_dqn", warm_start=str(paths["pendulum_ddpg"]), out=str(tmp_path)
            )
        )


def test_agents_act_and_play_whole_episodes(tiny_rl_agents):
    _, paths = tiny_rl_agents
    cartpole = Agent.from_pretrained(checkpoint=paths["cartpole_dqn"])
    assert cartpole.act(np.zeros(4)) in (0, 1)
    frames, total = cartpole.play_episode(seed=3, every=5)
    assert frames[0].dtype == np.uint8 and frames[0].ndim == 3
    _, again = cartpole.play_episode(seed=3, every=5)
    assert total == again > 0  # a seed replays its episode
    pendulum = Agent.from_pretrained(checkpoint=paths["pendulum_ddpg"])
    action = pendulum.act(np.array([1.0, 0.0, 0.0]))
    assert action.shape == (1,) and -2.0 <= action[0] <= 2.0
    _, _, details = pendulum.play_episode_details(seed=0, every=50)
    assert len(details["rewards"]) == 200 and "q_values" not in details


def test_bad_observations_and_checkpoints_get_one_line_messages(tiny_rl_agents):
    from showcase.errors import CheckpointError, InputError

    _, paths = tiny_rl_agents
    cartpole = Agent.from_pretrained(checkpoint=paths["cartpole_dqn"])
    for observation in (np.zeros(3), [np.nan] * 4, "left", None):
        with pytest.raises(InputError, match="shape"):
            cartpole.act(observation)
    with pytest.raises(CheckpointError, match="ConnectFour"):
        Agent.from_pretrained(checkpoint=paths["connect4_alphazero"])
    with pytest.raises(CheckpointError, match="not a Connect Four network"):
        ConnectFour.from_pretrained(checkpoint=paths["cartpole_dqn"])


def test_connect_four_takes_a_win_and_explains_its_search(tiny_rl_agents):
    _, paths = tiny_rl_agents
    player = ConnectFour.from_pretrained(checkpoint=paths["connect4_alphazero"])
    # First player to move with three stones in column 1: column 1 wins at once.
    board = Board.from_moves([0, 6, 0, 6, 0, 5])
    assert player.best_move(board, simulations=50) == 0
    analysis = player.analyse(board.grid(), simulations=20)
    assert analysis["visits"].sum() == 20 and analysis["simulations"] == 20
    with pytest.raises(Exception, match="between 1 and"):
        player.best_move(board, simulations=0)


def test_bad_options_get_one_line_messages(tiny_rl_agents, tmp_path):
    from showcase.errors import CheckpointError, InputError, ShowcaseError

    out, _ = tiny_rl_agents
    # The CLI prints a ShowcaseError's message as one line (tests/platform/test_cli.py).
    with pytest.raises(ShowcaseError, match="does not search"):
        train(RLTrainConfig(agent="cartpole_dqn", simulations=5, out=str(tmp_path)))
    with pytest.raises(ShowcaseError, match="one device"):
        train(RLTrainConfig(agent="cartpole_dqn", strategy="mirrored", out=str(tmp_path)))
    with pytest.raises(CheckpointError, match="no rl checkpoint called 'nope'"):
        evaluate(str(out), agent="nope")
    with pytest.raises(InputError, match="whole number"):
        evaluate(str(out), episodes="many")
