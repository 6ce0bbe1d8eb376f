"""Every public endpoint of the hub, called over HTTP with gradio_client as a program would.

One `showcase launch` hub serves all demos with the shipped checkpoints (the `hub` fixture). Each
endpoint gets valid inputs and its outputs are checked for type, shape and sanity; a last test
proves the table covers every endpoint the server lists, so a new event cannot go untested.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.support import shipped

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

SQUEEZENET = "SqueezeNet v1.1 (fast, default)"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Inputs made here: a photo, a painting, a clip, a sentence file and a drawn digit."""
    from showcase.style_transfer.samples import landscape, swirls
    from showcase.style_transfer.video import synthetic_clip, write_clip

    folder = tmp_path_factory.mktemp("http_inputs")
    landscape((160, 120)).save(folder / "photo.png")
    swirls((128, 128)).save(folder / "painting.png")
    write_clip(synthetic_clip(3, (64, 48)), folder / "clip.mp4", fps=4)
    (folder / "sentences.txt").write_text("I love this film\nA dull, tedious mess\n")
    digit = np.full((280, 280), 255, np.uint8)
    digit[60:220, 130:150] = 0  # a dark "1" on a white canvas, as the sketchpad sends it
    Image.fromarray(digit).save(folder / "digit.png")
    return folder


def picture(path) -> Image.Image:
    """The image at path, which must have real content (not one flat colour)."""
    image = Image.open(path)
    image.load()
    assert image.width > 0 and image.height > 0
    assert np.asarray(image.convert("L")).std() > 1, f"{path} is a flat colour"
    return image


def is_plot(value) -> bool:
    return (
        isinstance(value, dict)
        and value.get("type") == "matplotlib"
        and str(value.get("plot", "")).startswith("data:image/")
    )


def words(text: str) -> list[str]:
    return [word for word in text.split() if any(ch.isalpha() for ch in word)]


def check_sentiment_classify(outputs):
    label, contributions, _ = outputs
    assert label["label"] == "positive"
    confidences = {item["label"]: item["confidence"] for item in label["confidences"]}
    assert confidences["positive"] > 0.5 and confidences["positive"] + confidences["negative"] == (
        pytest.approx(1.0)
    )
    assert [item["token"] for item in contributions] == "I love my mobile phone".split()


def check_sentiment_batch(outputs):
    table, csv_path, notice = outputs
    assert [row[1] for row in table["data"]] == ["positive", "negative"]
    assert open(csv_path, encoding="utf-8").read().count("\n") == 3  # header + 2 rows
    assert "2 sentences" in notice


def check_fast_style(outputs):
    image, status = outputs
    assert picture(image).size == (160, 120)
    assert "ms" in status


def check_gallery(outputs):
    assert len(outputs) == 3  # one picture per shipped fast style
    for item in outputs:
        assert picture(item["image"]).size == (160, 120) and item["caption"]


def check_gatys(outputs):
    image, status = outputs
    assert max(picture(image).size) == 128
    assert "20" in status


def check_video(outputs):
    from showcase.style_transfer.video import read_clip

    video, frame, status = outputs
    path = video if isinstance(video, str) else video["video"]
    assert read_clip(path).frames.shape == (2, 48, 64, 3)
    assert "2 frames" in status


def check_dcgan_draw(outputs):
    grid, download, notice = outputs
    assert picture(grid).size == picture(download).size
    assert "4 samples" in notice and "digit 3" in notice


def check_dcgan_shuffle(outputs):
    seed, grid, _, notice = outputs
    assert isinstance(seed, int) and str(seed) in notice
    picture(grid)


def check_dcgan_reset(outputs):
    digit, strength, seed, rows, columns, grid, _, _ = outputs
    assert (digit, strength, seed, rows, columns) == ("any", 1.0, 0, 8, 8)
    picture(grid)


def check_dcgan_growth(outputs):
    strip, notice = outputs
    assert picture(strip).size[0] > 4 * picture(strip).size[1]  # four digits side by side
    assert "4 px, 8 px, 16 px, 32 px" in notice


def check_dcgan_gammas(outputs):
    grid, notice = outputs
    picture(grid)
    assert "row 1: BEGAN, gamma" in notice


def check_dcgan_curves(outputs):
    plot, notice = outputs
    assert plot is not None and "Wasserstein" in notice


def check_dcgan_interpolate(outputs):
    strip, gif = outputs
    picture(strip)
    assert Image.open(gif).n_frames == 5 + 3  # there and back, the ends shown once


def check_caption(outputs):
    beams, maps = outputs
    captions = [row[0] for row in beams["data"]]
    assert len(captions) == 2 and all(len(words(caption)) >= 3 for caption in captions)
    assert len(maps) >= 3  # one attention map per word
    picture(maps[0]["image"])


def check_scene(outputs):
    scene, beams, maps, truth = outputs
    picture(scene)
    assert all(len(words(row[0])) >= 3 for row in beams["data"])
    assert maps == []  # the plain Show-and-Tell model has no attention to show
    assert truth


def check_translation(outputs):
    german, _, heatmap, beams = outputs
    assert "Mann" in german
    assert Image.open(heatmap).size[0] > 100  # the attention heatmap, as a picture
    assert len(beams["data"]) == 2


def check_plot_and_numbers(outputs):
    figure, numbers = outputs
    assert is_plot(figure) and any(ch.isdigit() for ch in numbers)


def check_rl_episode(outputs):
    video, summary, episode_plot, curve_plot = outputs
    path = video["video"]["path"] if isinstance(video, dict) and "video" in video else video
    assert str(path).endswith(".mp4") and "in 200 steps on Pendulum-v1" in summary
    assert is_plot(episode_plot) and is_plot(curve_plot)


def check_rl_game(outputs):
    board, moves, status, analysis = outputs
    picture(board)
    assert len(moves.split()) in (1, 2) and "Your move" in status
    assert "AlphaZero played column" in analysis and "| visits |" in analysis


def check_feature_maps_example(outputs):
    digit, figure, numbers = outputs
    picture(digit)
    check_plot_and_numbers((figure, numbers))


def check_vqa(outputs, seed=None):
    scene, summary, answers, pairs = outputs
    assert picture(scene).size == (300, 300)
    assert "true answer" in summary and (seed is None or f"scene {seed}" in summary)
    rows = answers["data"]
    assert rows and all(row[3] in ("yes", "no") and row[2].endswith("%") for row in rows)
    if shipped("vqa"):
        assert {row[0] for row in rows} >= {"Relation Network", "Blind (question only)"}
        assert picture(pairs).size == (300, 300)


def check_vqa_new_scene(outputs):
    seed, *rest = outputs
    check_vqa(rest, int(seed))


def check_image_to_image(outputs):
    drawing, gan, l1_only = outputs
    assert picture(drawing).size == (256, 256)
    if shipped("image_to_image"):
        for made in (gan, l1_only):
            assert picture(made).size == (256, 256) and picture(made).mode == "RGB"


def check_image_to_image_sketch(outputs):
    """The sketch (a dark "1" down the middle of a white 280-pixel canvas) is read as ink there
    and paper elsewhere, then drawn by both models."""
    check_image_to_image(outputs)
    seen = np.asarray(picture(outputs[0]).convert("L"))
    assert seen[:, 110:145].min() < 128 and seen[:, :90].min() > 200


def check_image_to_image_colour(outputs):
    """The 160 x 120 photo comes back grey, and in colour from each colouriser, at its size."""
    grey, *coloured = outputs
    grey = picture(grey)
    assert grey.size == (160, 120)
    pixels = np.asarray(grey.convert("RGB"), int)
    assert np.abs(pixels[..., 0] - pixels[..., 2]).max() <= 2
    if shipped("image_to_image"):
        for made in coloured:
            assert picture(made).size == (160, 120) and picture(made).mode == "RGB"


def check_image_to_image_painting(outputs):
    """The photo's centre square, CycleGAN's painting, that painting made a photo again, and the
    paired model's painting, each enlarged to 256 pixels."""
    for made in outputs if shipped("image_to_image") else outputs[:1]:
        assert picture(made).size == (256, 256) and picture(made).mode == "RGB"


def check_tts(outputs):
    from showcase.tts.audio import read_wav

    sound, _, alignment, spectrogram = outputs
    samples = read_wav(sound, 22050)
    assert samples.size > 0.3 * 22050 and np.abs(samples).max() > 0.01
    assert is_plot(alignment) and is_plot(spectrogram)


def calls(files):
    """(api_name, inputs, check) for every public endpoint."""
    from gradio_client import handle_file

    photo = handle_file(str(files / "photo.png"))
    painting = handle_file(str(files / "painting.png"))
    sketch = {"background": None, "layers": [], "composite": handle_file(str(files / "digit.png"))}
    return [
        ("/sentiment_classify", ("I love my mobile phone",), check_sentiment_classify),
        ("/sentiment_batch", (handle_file(str(files / "sentences.txt")),), check_sentiment_batch),
        ("/style_transfer_fast", (photo, "wave", 256), check_fast_style),
        ("/style_transfer_fast_gallery", (photo, 256), check_gallery),
        (
            "/style_transfer_gatys",
            (photo, painting, None, 0.5, SQUEEZENET, 128, 20, 1.0, 5.0, False),
            check_gatys,
        ),
        (
            "/style_transfer_video",
            (handle_file(str(files / "clip.mp4")), "Fast style", "wave", None, True, 2, 64, 10),
            check_video,
        ),
        ("/dcgan_draw", ("3", 1.0, 0, 2, 2), check_dcgan_draw),
        ("/dcgan_shuffle", ("any", 1.0, 2, 2), check_dcgan_shuffle),
        ("/dcgan_reset", (), check_dcgan_reset),
        ("/dcgan_interpolate", ("7", 0, 1, 5), check_dcgan_interpolate),
        ("/dcgan_growth", ("3", 0, "PGGAN (progressive)"), check_dcgan_growth),
        ("/dcgan_gammas", ("3", 0), check_dcgan_gammas),
        ("/dcgan_curves", ("PGGAN (progressive)",), check_dcgan_curves),
        ("/captioning_caption", (photo, 2, "scenes_attention"), check_caption),
        ("/captioning_scene", (3, 2, "scenes_show_and_tell"), check_scene),
        (
            "/translation_translate",
            ("A man is riding a bike.", "English → German", 2),
            check_translation,
        ),
        ("/tts_speak", ("Hello there, how are you?",), check_tts),
        ("/lessons_running_mean", (0.9, 50, 25, 1.0, 0), check_plot_and_numbers),
        ("/lessons_running_mean_stream", (0.9, 20, 10, 1.0, 0), check_plot_and_numbers),
        ("/lessons_overfitting", (3, 7, 20.0, 0), check_plot_and_numbers),
        ("/lessons_dropout", (12, 0.3, 300, 20.0, 0), check_plot_and_numbers),
        ("/lessons_vanishing_gradient", (6, 16, 5, 0), check_plot_and_numbers),
        ("/lessons_convolution", (None, "sobel x", "", "gaussian blur"), check_plot_and_numbers),
        ("/lessons_feature_maps", (sketch, 8), check_plot_and_numbers),
        ("/lessons_feature_maps_example", ("3", 0, 8), check_feature_maps_example),
        ("/lessons_memory", (10, 0), check_plot_and_numbers),
        ("/rl_watch", ("pendulum_ddpg", 3), check_rl_episode),
        ("/rl_new_game", ("AlphaZero", 16), check_rl_game),
        ("/rl_drop", ("4", "", "You", 16), check_rl_game),
        ("/vqa_answer", (3, "what shape is the red object?", ""), lambda out: check_vqa(out, 3)),
        (
            "/vqa_new_scene",
            (
                "what shape is the red object?",
                "How many objects have the same shape as the blue one",
            ),
            check_vqa_new_scene,
        ),
        ("/image_to_image_sketch", (sketch,), check_image_to_image_sketch),
        ("/image_to_image_photo", (photo,), check_image_to_image),
        ("/image_to_image_colour", (photo, "80, 60, #ff0000"), check_image_to_image_colour),
        ("/image_to_image_painting", (photo, "Photo → painting"), check_image_to_image_painting),
    ]


ENDPOINTS = [
    "/sentiment_classify", "/sentiment_batch", "/style_transfer_fast",
    "/style_transfer_fast_gallery", "/style_transfer_gatys", "/style_transfer_video",
    "/dcgan_draw", "/dcgan_shuffle", "/dcgan_reset", "/dcgan_interpolate", "/dcgan_growth",
    "/dcgan_gammas", "/dcgan_curves", "/captioning_caption",
    "/captioning_scene", "/translation_translate", "/tts_speak", "/lessons_running_mean",
    "/lessons_running_mean_stream", "/lessons_overfitting", "/lessons_dropout",
    "/lessons_vanishing_gradient", "/lessons_convolution", "/lessons_feature_maps",
    "/lessons_feature_maps_example", "/lessons_memory", "/rl_watch", "/rl_new_game", "/rl_drop",
    "/vqa_answer", "/vqa_new_scene", "/image_to_image_sketch", "/image_to_image_photo",
    "/image_to_image_colour", "/image_to_image_painting",
]  # fmt: skip


@pytest.mark.parametrize("api_name", ENDPOINTS)
def test_each_endpoint_answers_valid_inputs_with_sane_outputs(hub, files, api_name):
    from gradio_client.exceptions import AppError

    inputs, check = next((i, c) for name, i, c in calls(files) if name == api_name)
    client = hub.client()
    if api_name == "/tts_speak" and not shipped("tts"):
        # Without a trained voice the demo says so instead of speaking.
        with pytest.raises(AppError, match="No speech model is installed"):
            client.predict(*inputs, api_name=api_name)
        return
    job = client.submit(*inputs, api_name=api_name)
    check(job.result(timeout=300))


def test_the_table_covers_every_public_endpoint(hub, files):
    served = set(hub.client().view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert served == set(ENDPOINTS) == {name for name, _, _ in calls(files)}
