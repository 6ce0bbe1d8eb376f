"""Bad input across every demo, through the hub's HTTP API: one table of cases.

Each case is either refused with a clear message (the AppError text a user sees) or handled with
a notice; never a traceback in the response, never Gradio's anonymous "the upstream app raised an
exception", and the server answers a valid request right after. The `hub` fixture then checks the
server log holds no traceback other than Gradio's own input checks.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

SQUEEZENET = "SqueezeNet v1.1 (fast, default)"
VALID_SENTENCE = "A warm, funny and moving film."


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    """Odd and broken files, made here."""
    from showcase.style_transfer.samples import landscape
    from showcase.style_transfer.video import synthetic_clip, write_clip

    folder = tmp_path_factory.mktemp("bad_inputs")
    landscape((64, 48)).save(folder / "photo.png")
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    (folder / "text.png").write_text("hello, I am not a picture")
    (folder / "truncated.jpg").write_bytes(_jpeg_bytes(landscape((64, 48)))[:300])
    Image.new("CMYK", (64, 48), (10, 200, 30, 0)).save(folder / "cmyk.jpg")
    gradient = (np.arange(64 * 48).reshape(48, 64) * 20).astype(np.uint16)
    Image.fromarray(gradient).save(folder / "gray16.png")
    Image.new("P", (64, 48)).save(folder / "palette.png")
    Image.new("LA", (64, 48), (90, 128)).save(folder / "gray_alpha.png")
    Image.new("RGB", (1, 1), (3, 4, 5)).save(folder / "one_pixel.png")
    Image.new("RGB", (4000, 16), (30, 90, 200)).save(folder / "sliver.png")
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "blank_lines.txt").write_text("\n\n   \n\t\n")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    write_clip(synthetic_clip(3, (64, 48)), folder / "clip.mp4", fps=4)
    return folder


def _jpeg_bytes(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


class Refused:
    """The request fails with a message that contains ``fragment``."""

    def __init__(self, fragment: str):
        self.fragment = fragment


class Handled:
    """The request succeeds; ``check(outputs)`` says the result and notice are right."""

    def __init__(self, check):
        self.check = check


def picture_size(path) -> tuple[int, int]:
    return Image.open(path).size


def cases(f):
    """(case id, api_name, inputs, expected) for the table; f is the folder of bad files."""
    from gradio_client import handle_file

    def file(name):
        return handle_file(str(f / name))

    def fast(photo, style="wave", size=128):
        return "/style_transfer_fast", (photo, style, size)

    def gatys(content, style, iterations=20, size=128):
        return "/style_transfer_gatys", (
            content, style, None, 0.5, SQUEEZENET, size, iterations, 1.0, 5.0, False,
        )  # fmt: skip

    def video(clip, frames=2, method="Fast style", painting=None):
        return "/style_transfer_video", (clip, method, "wave", painting, True, frames, 64, 10)

    def caption(picture, beam=2, model="scenes_attention"):
        return "/captioning_caption", (picture, beam, model)

    def translate(text, direction="English → French", beam=2):
        return "/translation_translate", (text, direction, beam)

    def draw(digit="3", strength=1.0, seed=1, rows=2, columns=2):
        return "/dcgan_draw", (digit, strength, seed, rows, columns)

    stylised = Handled(lambda out: picture_size(out[0])[0] > 0 and "px" in out[1])
    sketch_of = {"background": None, "layers": [], "composite": file("text.png")}
    return [
        # sentiment
        ("sentiment-empty", "/sentiment_classify", ("",), Refused("empty")),
        ("sentiment-whitespace", "/sentiment_classify", (" \n\t ",), Refused("empty")),
        ("sentiment-none", "/sentiment_classify", (None,), Refused("empty")),
        (
            "sentiment-100k-chars",
            "/sentiment_classify",
            ("great " * 20_000,),
            Handled(lambda out: "only the first" in out[2]),
        ),
        (
            "sentiment-emoji-only",
            "/sentiment_classify",
            ("🙂🎬🍿",),
            Handled(lambda out: out[0]["label"] in ("positive", "negative")),
        ),
        (
            "sentiment-number-for-text",
            "/sentiment_classify",
            (42,),
            Handled(lambda out: out[0]["label"] in ("positive", "negative")),
        ),
        ("batch-nothing", "/sentiment_batch", (None,), Refused("Upload a .txt")),
        ("batch-empty-file", "/sentiment_batch", (file("empty.txt"),), Refused("no sentences")),
        ("batch-blank-lines", "/sentiment_batch", (file("blank_lines.txt"),), Refused("no sen")),
        ("batch-binary", "/sentiment_batch", (file("binary.txt"),), Refused("binary")),
        ("batch-picture", "/sentiment_batch", (file("cmyk.jpg"),), Refused("Invalid file type")),
        # fast style transfer
        ("fast-no-photo", *fast(None), Refused("Upload a photo")),
        ("fast-corrupt-png", *fast(file("corrupt.png")), Refused("not a picture")),
        ("fast-text-as-png", *fast(file("text.png")), Refused("not a picture")),
        ("fast-truncated-jpeg", *fast(file("truncated.jpg")), Refused("not a picture")),
        ("fast-one-pixel", *fast(file("one_pixel.png")), Refused("at least 16")),
        ("fast-cmyk", *fast(file("cmyk.jpg")), stylised),
        ("fast-16-bit-grey", *fast(file("gray16.png")), stylised),
        ("fast-palette", *fast(file("palette.png")), stylised),
        ("fast-grey-alpha", *fast(file("gray_alpha.png")), stylised),
        ("fast-4000x16-sliver", *fast(file("sliver.png")), stylised),
        ("fast-unknown-style", *fast(file("photo.png"), style="mona_lisa"), Refused("choices")),
        ("fast-size-huge", *fast(file("photo.png"), size=100_000), Refused("maximum")),
        ("fast-size-as-text", *fast(file("photo.png"), size="big"), Refused("expects a number")),
        # Gatys optimisation
        ("gatys-no-painting", *gatys(file("photo.png"), None), Refused("painting")),
        (
            "gatys-corrupt-painting",
            *gatys(file("photo.png"), file("corrupt.png")),
            Refused("not a"),
        ),
        (
            "gatys-a-million-steps",
            *gatys(file("photo.png"), file("palette.png"), iterations=1_000_000),
            Refused("maximum"),
        ),
        # video
        ("video-nothing", *video(None), Refused("Upload a clip")),
        ("video-broken-mp4", *video(file("broken.mp4")), Refused("video")),
        ("video-picture-as-clip", *video(file("cmyk.jpg")), Refused("Invalid file type")),
        ("video-100k-frames", *video(file("clip.mp4"), frames=100_000), Refused("maximum")),
        (
            "video-gatys-without-painting",
            *video(file("clip.mp4"), method="Optimise (Gatys)"),
            Refused("painting"),
        ),
        # DCGAN
        ("dcgan-negative-seed", *draw(seed=-1), Refused("between 0 and")),
        ("dcgan-huge-seed", *draw(seed=2**40), Refused("between 0 and")),
        ("dcgan-no-seed", *draw(seed=None), Refused("seed")),
        ("dcgan-digit-eleven", *draw(digit="eleven"), Refused("choices")),
        ("dcgan-zero-rows", *draw(rows=0), Refused("minimum")),
        ("dcgan-1000-columns", *draw(columns=1000), Refused("maximum")),
        ("dcgan-negative-noise", *draw(strength=-5.0), Refused("minimum")),
        ("dcgan-walk-1000-steps", "/dcgan_interpolate", ("7", 0, 1, 1000), Refused("maximum")),
        # captioning
        ("caption-nothing", *caption(None), Refused("Upload a picture")),
        ("caption-corrupt", *caption(file("corrupt.png")), Refused("not a picture")),
        ("caption-one-pixel", *caption(file("one_pixel.png")), Refused("too small")),
        ("caption-beam-zero", *caption(file("photo.png"), beam=0), Refused("minimum")),
        ("caption-unknown-model", *caption(file("photo.png"), model="gpt"), Refused("choices")),
        (
            "caption-16-bit-grey",
            *caption(file("gray16.png")),
            Handled(lambda out: len(out[0]["data"]) == 2),
        ),
        ("scene-negative-seed", "/captioning_scene", (-5, 2, "scenes_attention"), Refused("seed")),
        # translation
        ("translate-empty", *translate(""), Refused("empty")),
        (
            "translate-emoji-only",
            *translate("🙂🙂"),
            Handled(lambda out: "never seen these characters" in out[1]),
        ),
        (
            "translate-15k-chars",
            *translate("word " * 3000),
            Handled(lambda out: "only the first" in out[1]),
        ),
        ("translate-to-klingon", *translate("hi", direction="English → Klingon"), Refused("cho")),
        ("translate-beam-zero", *translate("hi", beam=0), Refused("minimum")),
        ("translate-beam-100", *translate("hi", beam=100), Refused("maximum")),
        # text to speech (checked before any model is needed)
        ("tts-empty", "/tts_speak", ("",), Refused("empty")),
        ("tts-punctuation-only", "/tts_speak", ("?!?! ... ,,,",), Refused("nothing to say")),
        ("tts-chinese-only", "/tts_speak", ("你好世界",), Refused("nothing to say")),
        ("tts-emoji-only", "/tts_speak", ("🙂🙂🙂",), Refused("nothing to say")),
        # lessons
        ("lesson-alpha-above-1", "/lessons_running_mean", (1.5, 200, 100, 1.0, 0), Refused("max")),
        (
            "lesson-a-billion-samples",
            "/lessons_running_mean",
            (0.9, 10**9, 100, 1.0, 0),
            Refused("maximum"),
        ),
        ("lesson-degree-50", "/lessons_overfitting", (50, 7, 20.0, 0), Refused("maximum")),
        ("lesson-dropout-1.5", "/lessons_dropout", (12, 1.5, 300, 20.0, 0), Refused("maximum")),
        ("lesson-1000-layers", "/lessons_vanishing_gradient", (1000, 16, 5, 0), Refused("max")),
        (
            "lesson-kernel-with-a-word",
            "/lessons_convolution",
            (None, "custom", "1 2 three", "gaussian blur"),
            Refused("number"),
        ),
        (
            "lesson-kernel-with-nan",
            "/lessons_convolution",
            (None, "custom", "1 2 3; 4 5 6; 7 8 nan", "gaussian blur"),
            Refused("not a number"),
        ),
        (
            "lesson-convolve-a-corrupt-file",
            "/lessons_convolution",
            (file("corrupt.png"), "sobel x", "", "gaussian blur"),
            Refused("not a picture"),
        ),
        ("lesson-no-drawing", "/lessons_feature_maps", (None, 16), Refused("Draw or upload")),
        ("lesson-text-as-drawing", "/lessons_feature_maps", (sketch_of, 16), Refused("not a")),
        ("lesson-delay-100k", "/lessons_memory", (100_000, 0), Refused("maximum")),
        # image to image
        ("i2i-no-sketch", "/image_to_image_sketch", (None,), Refused("Draw something")),
        ("i2i-text-as-sketch", "/image_to_image_sketch", (sketch_of,), Refused("not a")),
        ("i2i-no-photo", "/image_to_image_photo", (None,), Refused("Upload a photo")),
        ("i2i-corrupt-photo", "/image_to_image_photo", (file("corrupt.png"),), Refused("not a")),
        (
            "i2i-4000x16-sliver",
            "/image_to_image_photo",
            (file("sliver.png"),),
            Handled(lambda out: picture_size(out[0]) == (256, 256)),
        ),
        ("i2i-colour-no-photo", "/image_to_image_colour", (None, ""), Refused("Upload a photo")),
        (
            "i2i-colour-hint-off-the-photo",
            "/image_to_image_colour",
            (file("photo.png"), "5000, 10, #ff0000"),
            Refused("outside"),
        ),
        (
            "i2i-colour-hint-not-a-colour",
            "/image_to_image_colour",
            (file("photo.png"), "10, 10, bright"),
            Refused("#rrggbb"),
        ),
        (
            "i2i-colour-hints-1000-lines",
            "/image_to_image_colour",
            (file("photo.png"), "10, 10, #ff0000\n" * 1000),
            Refused("longer than"),
        ),
        (
            "i2i-paint-no-picture",
            "/image_to_image_painting",
            (None, "Photo → painting"),
            Refused("Upload a photo"),
        ),  # fmt: skip
        (
            "i2i-paint-corrupt",
            "/image_to_image_painting",
            (file("corrupt.png"), "Painting → photo"),
            Refused("not a"),
        ),
        (
            "i2i-paint-unknown-direction",
            "/image_to_image_painting",
            (file("photo.png"), "upside down"),
            Refused("choices"),
        ),
        (
            "i2i-paint-4000x16-sliver",
            "/image_to_image_painting",
            (file("sliver.png"), "Painting → photo"),
            Handled(lambda out: picture_size(out[0]) == (256, 256)),
        ),
    ]


CASE_IDS = [
    "sentiment-empty", "sentiment-whitespace", "sentiment-none", "sentiment-100k-chars",
    "sentiment-emoji-only", "sentiment-number-for-text", "batch-nothing", "batch-empty-file",
    "batch-blank-lines", "batch-binary", "batch-picture", "fast-no-photo", "fast-corrupt-png",
    "fast-text-as-png", "fast-truncated-jpeg", "fast-one-pixel", "fast-cmyk", "fast-16-bit-grey",
    "fast-palette", "fast-grey-alpha", "fast-4000x16-sliver", "fast-unknown-style",
    "fast-size-huge", "fast-size-as-text", "gatys-no-painting", "gatys-corrupt-painting",
    "gatys-a-million-steps", "video-nothing", "video-broken-mp4", "video-picture-as-clip",
    "video-100k-frames", "video-gatys-without-painting", "dcgan-negative-seed", "dcgan-huge-seed",
    "dcgan-no-seed", "dcgan-digit-eleven", "dcgan-zero-rows", "dcgan-1000-columns",
    "dcgan-negative-noise", "dcgan-walk-1000-steps", "caption-nothing", "caption-corrupt",
    "caption-one-pixel", "caption-beam-zero", "caption-unknown-model", "caption-16-bit-grey",
    "scene-negative-seed", "translate-empty", "translate-emoji-only", "translate-15k-chars",
    "translate-to-klingon", "translate-beam-zero", "translate-beam-100", "tts-empty",
    "tts-punctuation-only", "tts-chinese-only", "tts-emoji-only", "lesson-alpha-above-1",
    "lesson-a-billion-samples", "lesson-degree-50", "lesson-dropout-1.5", "lesson-1000-layers",
    "lesson-kernel-with-a-word", "lesson-kernel-with-nan", "lesson-convolve-a-corrupt-file",
    "lesson-no-drawing", "lesson-text-as-drawing", "lesson-delay-100k", "i2i-no-sketch",
    "i2i-text-as-sketch", "i2i-no-photo", "i2i-corrupt-photo", "i2i-4000x16-sliver",
    "i2i-colour-no-photo", "i2i-colour-hint-off-the-photo", "i2i-colour-hint-not-a-colour",
    "i2i-colour-hints-1000-lines", "i2i-paint-no-picture", "i2i-paint-corrupt",
    "i2i-paint-unknown-direction", "i2i-paint-4000x16-sliver",
]  # fmt: skip


def test_the_table_has_at_least_40_cases_and_every_demo(bad_files):
    table = cases(bad_files)
    assert [case[0] for case in table] == CASE_IDS
    assert len(table) >= 40
    prefixes = {api_name.split("_")[0] for _, api_name, _, _ in table}
    assert prefixes == {"/sentiment", "/style", "/dcgan", "/captioning", "/translation", "/tts",
                        "/lessons", "/image"}  # fmt: skip


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_bad_input_gets_a_clear_answer_and_the_server_keeps_serving(hub, bad_files, case_id):
    from gradio_client.exceptions import AppError

    _, api_name, inputs, expected = next(c for c in cases(bad_files) if c[0] == case_id)
    client = hub.client()
    if isinstance(expected, Refused):
        with pytest.raises(AppError) as raised:
            client.submit(*inputs, api_name=api_name).result(timeout=120)
        message = str(raised.value)
        assert expected.fragment in message, message
        assert "Traceback" not in message and "upstream Gradio app" not in message, message
    else:
        assert expected.check(client.submit(*inputs, api_name=api_name).result(timeout=120))
    label, _, _ = client.predict(VALID_SENTENCE, api_name="/sentiment_classify")
    assert label["label"] == "positive"
