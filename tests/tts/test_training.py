"""`showcase train tts --make-corpus` end to end at toy size: espeak-ng speaks a corpus, a tiny
model trains on all but the held-out sentences (and lowers its loss), and `showcase evaluate tts`
reproduces the card's figures. (Stopping and resuming is showcase.resumable's, tested through
translation.)"""

import os

import pytest

from showcase.tts.corpus import espeak_available

pytestmark = pytest.mark.slow

if not espeak_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("espeak-ng is missing; .ci/run installs it")
    pytest.skip("espeak-ng is not installed", allow_module_level=True)

SENTENCES = [
    f"The {colour} {animal} {verb} the {thing}."
    for colour in ("red", "small", "old")
    for animal in ("cat", "dog", "bird")
    for verb, thing in (("sees", "tree"), ("likes", "ball"))
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, monkeypatch_module):
    from showcase.tts import api
    from showcase.tts.train import TTSTrainConfig, train

    # An untrained model rarely says it has finished; keep its sentences short.
    monkeypatch_module.setattr(api, "MAX_SECONDS_PER_SENTENCE", 1.0)
    folder = tmp_path_factory.mktemp("tts")
    sentences = folder / "sentences.txt"
    sentences.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    config = TTSTrainConfig(
        data=str(folder / "corpus"),
        make_corpus=str(sentences),
        held_out=4,
        encoder="conv",
        postnet="mel",
        postnet_channels=16,
        embedding_dim=16,
        decoder_units=16,
        attention_units=8,
        epochs=4,
        batch_size=8,
        learning_rate=3e-3,
        out=str(folder / "out"),
        verbose=0,
    )
    return train(config), folder


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_corpus_is_spoken_and_sentences_are_held_out(trained):
    from showcase.checkpoints import ModelCard, card_path_for

    path, folder = trained
    assert path.name == "espeak_tacotron.keras"
    card = ModelCard.read(card_path_for(path))
    assert card.dataset["train"].startswith(f"{len(SENTENCES) - 4} clips")
    assert card.hyperparameters["epochs_run"] == 4
    # The card's command repeats the run: the settings that differ from the defaults.
    assert card.train_command.startswith("showcase train tts --make-corpus SENTENCES_FILE")
    assert "--postnet-channels 16" in card.train_command and "--epochs 4" in card.train_command
    assert "--postnet " not in card.train_command  # the mel post-net is the default
    # Training lowers the loss (steps are cheap once the decoder loop is traced).
    assert card.hyperparameters["final_loss"] < 0.9 * card.hyperparameters["first_epoch_loss"]
    assert len(list((folder / "corpus" / "wavs").glob("*.wav"))) == len(SENTENCES)


def test_evaluate_reproduces_the_card(trained):
    from showcase.checkpoints import ModelCard, card_path_for
    from showcase.tts.evaluate import evaluate

    path, _ = trained
    card = ModelCard.read(card_path_for(path))
    assert card.metric["sentences"] == 4 and 0.0 <= card.metric["reference_wer"] <= 1.0
    assert set(card.metric["alignment"]) == {"focus_rate", "monotonic", "coverage", "diagonal"}
    row = evaluate(str(path))["results"][0]
    assert row["name"] == "espeak_tacotron" and row["metric"].startswith("word error rate")
    assert row["value"] == card.metric["value"] and row["mcd_db"] == card.metric["mcd_db"]


def test_a_warm_start_continues_the_checkpoint_and_adds_up_its_training(trained, tmp_path):
    from showcase.checkpoints import ModelCard, card_path_for
    from showcase.tts.train import TTSTrainConfig, train

    path, folder = trained
    before = ModelCard.read(card_path_for(path))
    config = TTSTrainConfig(
        data=str(folder / "corpus"),
        held_out=4,
        warm_start=str(path),
        epochs=1,
        batch_size=8,
        learning_rate=1e-3,
        evaluate=False,
        out=str(tmp_path),
        verbose=0,
    )
    card = ModelCard.read(card_path_for(train(config)))
    # The toy architecture came from the checkpoint, not from the (default) flags.
    assert card.hyperparameters["model"]["postnet_channels"] == 16
    assert card.hyperparameters["epochs_run"] == before.hyperparameters["epochs_run"] + 1
    assert card.training_time_s > before.training_time_s
    assert card.train_command.startswith(before.train_command + "; then showcase train tts")
    then = card.train_command.split("; then ")[-1]
    assert "--warm-start espeak_tacotron.keras" in then and "--epochs 1" in then
    # It starts where the checkpoint ended, not from scratch.
    assert card.hyperparameters["first_epoch_loss"] < before.hyperparameters["first_epoch_loss"]


@pytest.fixture(scope="module")
def client(trained):
    from gradio_client import Client

    from showcase.apps.hub import launch
    from tests.support import free_port

    path, _ = trained
    port = free_port()
    blocks = launch(["tts"], port=port, block=False, warmup=False, checkpoint=str(path))
    yield Client(f"http://127.0.0.1:{port}/", verbose=False)
    blocks.close()


def test_the_ui_speaks_with_its_alignment_and_spectrogram(client):
    sound, notices, alignment, spectrogram = client.predict(
        "Hello there. He reads books!", api_name="/tts_speak"
    )
    import wave

    with wave.open(sound, "rb") as clip:
        assert clip.getframerate() == 22050 and clip.getnframes() > 22050 * 0.25
    assert "2 sentences" in notices
    assert alignment["type"] == "matplotlib" and spectrogram["type"] == "matplotlib"


@pytest.mark.parametrize("words, message", [("", "empty"), ("🙂 ?!", "nothing to say")])
def test_the_ui_answers_bad_text_with_a_message(client, words, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(words, api_name="/tts_speak")


def test_the_bench_reports_a_real_time_factor(trained):
    from showcase.tts import bench

    path, _ = trained
    synthesizer = bench.load(str(path))
    rate, waveform = bench.bench_cases(synthesizer)["a sentence of about 10 s"]()
    assert rate == 22050 and len(waveform) > 0
    row = bench.comparisons(synthesizer)[0]
    # The card's figures are rounded (seconds to 0.01), hence the tolerance.
    assert row["real_time_factor"] == pytest.approx(row["synthesis_s"] / row["audio_s"], abs=0.02)


def test_evaluation_finds_the_corpus_given_recorded_or_in_the_default_folder(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from showcase.tts.evaluate import corpus_folder
    from showcase.tts.train import default_corpus_folder

    monkeypatch.setenv("SHOWCASE_HOME", str(tmp_path / "home"))
    recorded = tmp_path / "made-here"
    card = SimpleNamespace(dataset={"corpus": str(recorded)})
    assert corpus_folder("~/elsewhere", card).name == "elsewhere"
    # Built on another machine: the recorded folder is not here, so the default one is used.
    assert corpus_folder(None, card) == default_corpus_folder()
    recorded.mkdir()
    (recorded / "metadata.csv").write_text("ESPK-000001|Hi.|Hi.\n", encoding="utf-8")
    assert corpus_folder(None, card) == recorded
