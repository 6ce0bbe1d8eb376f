"""Deep RL UI: watch a trained agent play an episode, and play Connect Four against AlphaZero.

Watching: pick an agent and an episode seed; the episode comes back as a video, with its return,
the rewards (and for a DQN the Q-value of each action) step by step, and the agent's training
curve from its model card. Connect Four: click a column to drop a stone; AlphaZero answers after
a search whose size the strength slider sets, and shows how it spread its simulations.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # the server draws plots into files, never into a window

import gradio as gr  # noqa: E402 - after the backend choice above
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from showcase.apps.common import (  # noqa: E402
    Lazy,
    LazyByKey,
    curves_figure,
    demo_entry,
    header,
    scratch_path,
    standalone_page,
    user_errors,
)
from showcase.rl.api import (  # noqa: E402
    DEFAULT_SIMULATIONS,
    Agent,
    Board,
    ConnectFour,
    check_seed,
    check_simulations,
    parse_column,
    parse_moves,
    write_mp4,
)

DEMO = demo_entry("rl")
MAX_UI_SIMULATIONS = 400
VIDEO_WIDTH = 360
VIDEO_FPS = 25
CELL = 64
COLOURS = {"board": (32, 84, 196), "empty": (238, 241, 246), 1: (220, 50, 47), 2: (247, 200, 40)}
YOU, ALPHAZERO = "You", "AlphaZero"
# An episode or a move takes a second or two: a few may run side by side.
CONCURRENCY_LIMIT = 2


def environment_agents(checkpoint) -> list[str]:
    """The checkpoints that act in an environment (DQN, DDPG), not the Connect Four network."""
    names = []
    for name in Agent.available(checkpoint):
        card = Agent.card_for(name, checkpoint=checkpoint)
        if card is None or card.hyperparameters.get("kind") in ("dqn", "ddpg"):
            names.append(name)
    return names


def _video(frames: list[np.ndarray], name: str) -> str:
    path = scratch_path(name)
    write_mp4(np.stack(frames), path, VIDEO_FPS)
    return str(path)


def _episode_plot(details: dict):
    """The return so far, and what the agent chose: every action's Q-value (DQN) or the push
    it gave (DDPG), step by step."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    steps = np.arange(1, len(details["rewards"]) + 1)
    axes[0].plot(steps, np.cumsum(details["rewards"]), color="tab:blue")
    axes[0].set(xlabel="step", ylabel="return so far", title="Return")
    if "q_values" in details:
        q_values = details["q_values"]
        for action in range(q_values.shape[1]):
            axes[1].plot(steps, q_values[:, action], label=f"action {action}", linewidth=1)
        axes[1].set(xlabel="step", ylabel="Q", title="Q-value of each action")
        axes[1].legend(fontsize=8)
    else:
        actions = np.asarray(details["actions"], dtype=float).reshape(len(steps), -1)
        axes[1].plot(steps, actions, color="tab:red", linewidth=1)
        axes[1].set(xlabel="step", ylabel="action", title="The actor's push")
    figure.tight_layout()
    plt.close(figure)
    return figure


def draw_board(board: Board, last_column: int | None = None) -> Image.Image:
    """The board as players see it: blue frame, red (first) and yellow (second) stones."""
    grid = board.grid()
    rows, columns = grid.shape
    image = Image.new("RGB", (columns * CELL, (rows + 1) * CELL), COLOURS["board"])
    pen = ImageDraw.Draw(image)
    for column in range(columns):
        pen.text((column * CELL + CELL // 2 - 4, CELL // 3), str(column + 1), fill="white")
    for row in range(rows):
        for column in range(columns):
            left, top = column * CELL + 6, (row + 1) * CELL + 6
            colour = COLOURS[int(grid[row, column])] if grid[row, column] else COLOURS["empty"]
            pen.ellipse((left, top, left + CELL - 12, top + CELL - 12), fill=colour)
    if last_column is not None:
        left = last_column * CELL + CELL // 2
        pen.polygon([(left - 8, 6), (left + 8, 6), (left, 18)], fill="white")
    return image


def _moves_text(moves: list[int]) -> str:
    return " ".join(str(column + 1) for column in moves)


def _status(board: Board, human: int) -> str:
    if board.winner:
        return "**You win!**" if board.winner == human else "**AlphaZero wins.**"
    if board.is_draw:
        return "**A draw**: the board is full."
    return "Your move: click a column." if board.to_move == human else "AlphaZero to move."


def _analysis_table(analysis: dict | None) -> str:
    if analysis is None:
        return ""
    visits, q = analysis["visits"], analysis["q"]
    header_row = "| column | " + " | ".join(str(c + 1) for c in range(len(visits))) + " |"
    rule = "|---" * (len(visits) + 1) + "|"
    visit_row = "| visits | " + " | ".join(str(int(v)) for v in visits) + " |"
    prior_row = "| prior | " + " | ".join(f"{p:.2f}" for p in analysis["prior"]) + " |"
    value_row = "| value | " + " | ".join("" if np.isnan(v) else f"{v:+.2f}" for v in q) + " |"
    return (
        f"AlphaZero played column **{analysis['best_move'] + 1}** after "
        f"{analysis['simulations']} simulations; it rates its position {analysis['value']:+.2f} "
        "(+1 a sure win, -1 a sure loss).\n\n"
        + "\n".join([header_row, rule, visit_row, prior_row, value_row])
    )


def render(checkpoint: str | None = None) -> Lazy:
    """Add the RL UI to the current Blocks; returns a Lazy that loads (warms) the default agent
    and the Connect Four network."""
    agents = LazyByKey(lambda name: Agent.from_pretrained(name, checkpoint=checkpoint).warm_up())
    connect_four = Lazy(lambda: ConnectFour.from_pretrained(checkpoint=checkpoint).warm_up())
    names = environment_agents(checkpoint)

    @user_errors
    def watch(name, seed):
        if name not in names:
            raise gr.Error(f"Pick one of the agents: {', '.join(names)}.")
        seed = check_seed(seed, "episode seed")
        agent = agents.get(name)
        # A 500-step CartPole episode as every second step still plays for 10 s at 25 fps.
        every = 2 if agent.environment.startswith("CartPole") else 1
        frames, total, details = agent.play_episode_details(
            seed, every=every, max_width=VIDEO_WIDTH
        )
        video = _video(frames, f"{name}_seed{seed}.mp4")
        card = agent.card
        random_return = card.metric.get("random_policy_mean_return") if card else None
        summary = (
            f"**Return {total:g}** in {len(details['rewards'])} steps on {agent.environment} "
            f"(episode seed {seed})."
        )
        if card and card.metric.get("value") is not None:
            summary += (
                f" Over 100 evaluation episodes this agent averages {card.metric['value']:g}; "
                f"a random policy averages {random_return:g}."
            )
        return video, summary, _episode_plot(details), curves_figure(card)

    def _reply(board: Board, moves: list[int], human: int, simulations) -> tuple:
        analysis = None
        if not board.is_over and board.to_move != human:
            analysis = connect_four.get().analyse(board, check_simulations(simulations))
            moves = [*moves, analysis["best_move"]]
            board = board.play(analysis["best_move"])
        last = moves[-1] if moves else None
        return (
            draw_board(board, last),
            _moves_text(moves),
            _status(board, human),
            _analysis_table(analysis),
        )

    @user_errors
    def drop(column, moves_text, starter, simulations):
        moves = parse_moves(moves_text)
        board = Board.from_moves(moves)
        human = 1 if starter == YOU else 2
        if board.is_over:
            raise gr.Error("The game is over: press New game to play again.")
        if board.to_move != human:
            raise gr.Error("It is AlphaZero's move: press New game to start again.")
        column = parse_column(column)
        return _reply(board.play(column), [*moves, column], human, simulations)

    @user_errors
    def new_game(starter, simulations):
        human = 1 if starter == YOU else 2
        return _reply(Board.empty(), [], human, simulations)

    gr.Markdown(header(DEMO, checkpoint))
    with gr.Tab("Watch an agent"):
        gr.Markdown(
            "An agent learnt by trial and error which action pays off in each state. **DQN** "
            "learns the value Q of every action and takes the largest; **DDPG** learns an actor "
            "that outputs a continuous push and a critic that scores it. The episode seed fixes "
            "the start, so the same seed replays the same episode."
        )
        with gr.Row():
            agent_choice = gr.Dropdown(names, value=names[0] if names else None, label="Agent")
            seed_box = gr.Number(value=0, precision=0, label="Episode seed")
            watch_button = gr.Button("Play an episode", variant="primary")
        with gr.Row():
            video = gr.Video(label="Episode", format="mp4", interactive=False)
            with gr.Column():
                summary = gr.Markdown()
                episode_plot = gr.Plot(label="This episode")
        curve_plot = gr.Plot(label="Training curve (from the model card)")
    with gr.Tab("Play Connect Four"):
        gr.Markdown(
            "AlphaZero learnt Connect Four only by playing against itself: a network guesses "
            "good moves and who is winning, and a tree search checks those guesses by looking "
            "ahead. More simulations make it stronger and slower."
        )
        with gr.Row():
            starter = gr.Radio([YOU, ALPHAZERO], value=YOU, label="Who starts")
            strength = gr.Slider(
                1, MAX_UI_SIMULATIONS, value=DEFAULT_SIMULATIONS, step=1,
                label="Strength (simulations per move)",
            )  # fmt: skip
            new_button = gr.Button("New game", variant="primary")
        column_buttons = []
        with gr.Row():
            for column in range(1, 8):
                column_buttons.append(gr.Button(str(column), min_width=40))
        board_image = gr.Image(
            value=draw_board(Board.empty()), label="Board", type="pil", interactive=False
        )
        moves_box = gr.Textbox(label="Moves so far (columns 1-7, in order)", value="")
        status = gr.Markdown(_status(Board.empty(), 1))
        analysis = gr.Markdown()

    shared = {"concurrency_limit": CONCURRENCY_LIMIT, "concurrency_id": "rl"}
    watch_button.click(
        watch,
        [agent_choice, seed_box],
        [video, summary, episode_plot, curve_plot],
        api_name="rl_watch",
        **shared,
    )
    played = [board_image, moves_box, status, analysis]
    for index, button in enumerate(column_buttons):
        # A button passes its own label (the column, 1-7); one endpoint serves them all.
        button.click(
            drop,
            [button, moves_box, starter, strength],
            played,
            api_name="rl_drop" if index == 0 else None,
            api_visibility="public" if index == 0 else "private",
            **shared,
        )
    new_button.click(new_game, [starter, strength], played, api_name="rl_new_game", **shared)

    def warm_up() -> bool:
        if names:
            agents.get(names[0])
        connect_four.get()
        return True

    return Lazy(warm_up)


def build(checkpoint: str | None = None) -> gr.Blocks:
    return standalone_page(DEMO, render, checkpoint)


if __name__ == "__main__":
    build().queue().launch()
