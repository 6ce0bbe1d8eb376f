"""The RL UI through its HTTP API: watch an episode, play Connect Four; bad input, a message."""

import av
import pytest
from PIL import Image

from tests.support import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rl")]


@pytest.fixture(scope="module")
def client(tiny_rl_agents):
    from gradio_client import Client

    from showcase.apps.hub import launch

    out, _ = tiny_rl_agents
    port = free_port()
    blocks = launch(["rl"], port=port, block=False, warmup=False, checkpoint=str(out))
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def path_of(payload) -> str:
    if isinstance(payload, dict):
        return payload.get("path") or payload["video"]["path"]
    return payload


def test_watching_an_agent_gives_a_video_its_return_and_plots(client):
    video, summary, episode_plot, curve_plot = client.predict(
        "cartpole_dqn", 4, api_name="/rl_watch"
    )
    with av.open(path_of(video)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.width == 360
    assert "on CartPole-v1 (episode seed 4)" in summary and "a random policy averages" in summary
    assert episode_plot is not None and curve_plot is not None
    again = client.predict("cartpole_dqn", 4, api_name="/rl_watch")[1]
    assert again == summary  # a seed replays its episode


def test_a_pendulum_episode_plays_without_q_values(client):
    _, summary, _, _ = client.predict("pendulum_ddpg", 0, api_name="/rl_watch")
    assert "in 200 steps on Pendulum-v1" in summary


def test_connect_four_answers_each_move_and_shows_its_search(client):
    board, moves, status, analysis = client.predict("You", 8, api_name="/rl_new_game")
    assert moves == "" and "Your move" in status and analysis == ""
    assert Image.open(path_of(board)).size == (7 * 64, 7 * 64)
    board, moves, status, analysis = client.predict("4", moves, "You", 8, api_name="/rl_drop")
    assert moves.split()[0] == "4" and len(moves.split()) == 2
    assert "after 8 simulations" in analysis and "| visits |" in analysis
    starts, opening, _, opening_analysis = client.predict("AlphaZero", 8, api_name="/rl_new_game")
    assert len(opening.split()) == 1 and "AlphaZero played column" in opening_analysis


def test_a_finished_game_says_who_won(client):
    # The human (first) has three in column 1 and AlphaZero has stones in 7 and 6.
    _, moves, status, _ = client.predict("1", "1 7 1 7 1 6", "You", 4, api_name="/rl_drop")
    assert moves == "1 7 1 7 1 6 1" and "You win" in status


@pytest.mark.parametrize(
    ("inputs", "api_name", "message"),
    [
        (("cartpole_dqn", -1), "/rl_watch", "between 0 and"),
        (("cartpole_dqn", None), "/rl_watch", "whole number"),
        (("no_such_agent", 0), "/rl_watch", "takes one of its choices"),
        (("8", "", "You", 8), "/rl_drop", "does not exist"),
        (("1", "1 1 1 1 1 1", "You", 8), "/rl_drop", "is full"),
        (("1", "1 2 1 2 1 2 1", "You", 8), "/rl_drop", "over"),
        (("2", "1 x", "You", 8), "/rl_drop", "whole number from 1 to 7"),
        (("²", "", "You", 8), "/rl_drop", "whole number from 1 to 7"),
        (("2", "", "You", 0), "/rl_drop", "must be at least 1"),
        (("2", "", "You", 10**9), "/rl_drop", "at most"),
        (("3", "1", "You", 8), "/rl_drop", "AlphaZero's move"),
    ],
)
def test_bad_values_get_a_message_and_the_server_keeps_serving(client, inputs, api_name, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        client.predict(*inputs, api_name=api_name)
    assert message in str(raised.value)
    assert "Your move" in client.predict("You", 4, api_name="/rl_new_game")[2]
