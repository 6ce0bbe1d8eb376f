"""The VQA UI through its HTTP API: a scene, a question, every model's answer; bad input, a
message and the server keeps serving."""

import pytest
from PIL import Image

from tests.support import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("vqa_models")]


@pytest.fixture(scope="module")
def client(tiny_vqa_models):
    from gradio_client import Client

    from showcase.apps.hub import launch

    out = tiny_vqa_models["blind"].parent
    port = free_port()
    blocks = launch(["vqa"], port=port, block=False, warmup=False, checkpoint=str(out))
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def path_of(payload) -> str:
    return payload.get("path") if isinstance(payload, dict) else payload


def test_a_chosen_question_is_answered_by_every_model_with_the_truth(client):
    scene, summary, answers, pairs = client.predict(
        5, "what shape is the red object?", "", api_name="/vqa_answer"
    )
    assert Image.open(path_of(scene)).size == (300, 300)
    assert "true answer" in summary and "scene 5" in summary and "non-relational" in summary
    names = [row[0] for row in answers["data"]]
    assert sorted(names) == sorted(
        ["Relation Network", "Blind (question only)", "CNN+LSTM (VQA 2015)"]
    )
    assert Image.open(path_of(pairs)).size == (300, 300)


def test_a_typed_question_wins_over_the_list(client):
    _, summary, _, _ = client.predict(
        5, "what shape is the red object?", "How many objects have the same shape as the blue one?",
        api_name="/vqa_answer",
    )  # fmt: skip
    assert "how many objects have the same shape as the blue object?" in summary
    assert "(relational)" in summary


def test_a_new_scene_comes_with_its_seed(client):
    seed, _, summary, answers, _ = client.predict(
        "what shape is the object closest to the green object?", "", api_name="/vqa_new_scene"
    )
    assert f"scene {int(seed)}" in summary and len(answers["data"]) == 3


@pytest.mark.parametrize(
    "inputs, message",
    [
        ((5, "what shape is the red object?", "What is the meaning of life?"), "outside what"),
        ((-3, "what shape is the red object?", ""), "seed"),
        ((5, "what shape is the red object?", "x" * 300), "at most"),
    ],
)
def test_bad_input_gets_a_message_and_the_server_keeps_serving(client, inputs, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(*inputs, api_name="/vqa_answer")
    assert client.predict(1, "what shape is the red object?", "", api_name="/vqa_answer")[1]
