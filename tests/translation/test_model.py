"""The translator: subwords, model shapes, attention, beams, a training run that lowers the loss
(and resumes), evaluation that reproduces the card, and the import API's handling of odd text."""

import shutil

import numpy as np
import pytest

from showcase.errors import InputError

# With the UI tests: one worker trains the shared toy translator once.
pytestmark = pytest.mark.xdist_group("translation_models")


@pytest.fixture(scope="module")
def translator(tiny_translator_path):
    from showcase.translation import Translator

    return Translator.from_pretrained("en-fr", checkpoint=tiny_translator_path)


def test_subwords_give_back_spacing_and_punctuation():
    from showcase.translation.subwords import Subwords

    sentences = ["Le chat n'aime pas l'eau.", "Où est la gare ?", "Straße, 42 « Hallo » !"] * 20
    subwords = Subwords.train(sentences, 60)
    again = Subwords.from_text(subwords.to_text())
    for sentence in sentences[:3]:
        assert again.decode(again.encode([sentence])[0]) == sentence


def test_shapes_attention_sums_to_one_and_masks_padding(translator):
    model = translator.model
    source = np.array([[5, 6, 7, 0, 0], [8, 9, 10, 11, 12]], "int32")
    target = np.array([[2, 5, 6], [2, 7, 0]], "int32")
    logits = model((source, target))
    assert logits.shape == (2, 3, len(model.target_subwords))
    memory, is_word, h, c = model.start(source)
    assert memory.shape == (2, 5, 2 * model.encoder_units)
    log_probs, h, c, weights = model.step(np.array([2, 2], "int32"), h, c, memory, is_word)
    weights = np.asarray(weights)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    assert weights[0, 3:].max() < 1e-6  # padding gets no attention
    np.testing.assert_allclose(np.exp(np.asarray(log_probs)).sum(-1), 1.0, atol=1e-4)


def test_a_safe_mode_round_trip_keeps_the_subwords(tiny_translator_path, translator):
    import keras

    loaded = keras.saving.load_model(tiny_translator_path, safe_mode=True)
    source = np.array([[5, 6, 7]], "int32")
    target = np.array([[2, 5]], "int32")
    np.testing.assert_allclose(loaded((source, target)), translator.model((source, target)))
    assert loaded.target_subwords.model_proto == translator.target_subwords.model_proto


def test_beam_one_is_greedy_and_beams_are_ranked_by_normalised_score(translator):
    sentence = "The small cat sees a dog."
    one = translator.translate_sentence(sentence, beam_size=1)
    assert one.attention.shape == (len(one.target_pieces), len(one.source_pieces))
    np.testing.assert_allclose(one.attention.sum(axis=1), 1.0, atol=1e-5)
    assert translator.translate(sentence, beam_size=1) == one.text
    four = translator.translate_sentence(sentence, beam_size=4)
    assert len(four.alternatives) == 4
    scores = [score for _, _, score in four.alternatives]
    assert scores == sorted(scores, reverse=True)
    # Normalising divides by lp >= 1, so no score is below its log-probability.
    assert all(score >= log_p for _, log_p, score in four.alternatives)


def test_the_toy_model_learned_the_word_order(translator):
    """Adjectives follow nouns in the toy French; eight epochs are enough to learn it."""
    assert translator.translate("The black dog likes a bird.") == "Le chien noir aime un oiseau."


def test_training_lowers_the_loss_and_evaluation_reproduces_the_card(tiny_translator_path):
    from showcase.checkpoints import ModelCard, card_path_for
    from showcase.translation.evaluate import evaluate

    card = ModelCard.read(card_path_for(tiny_translator_path))
    history = card.hyperparameters
    assert history["final_loss"] < 1.0
    assert card.metric["value"] == card.metric["multi30k_test2016"]["bleu"]
    assert card.metric["tatoeba_test"]["sentences"] > 0
    result = evaluate(str(tiny_translator_path), card.dataset["multi30k"], pair="en-fr")
    row = result["results"][0]
    assert row["name"] == "en-fr" and row["metric"].startswith("BLEU")
    assert row["value"] == card.metric["value"] > 50
    assert row["tatoeba_test"]["bleu"] == card.metric["tatoeba_test"]["bleu"]


def test_training_stopped_on_time_and_resumed(tiny_translator_path):
    """The fixture stopped after one epoch (max_minutes) and finished with --resume."""
    from showcase.checkpoints import ModelCard, card_path_for

    card = ModelCard.read(card_path_for(tiny_translator_path))
    assert card.hyperparameters["sittings"] == 2 and card.hyperparameters["epochs_run"] == 8
    assert not list(tiny_translator_path.parent.glob("*.resume.*"))


def test_a_warm_start_continues_a_finished_checkpoint(
    tiny_translator_path, toy_translation_data, tmp_path
):
    """One more epoch from the toy checkpoint: same subwords, epochs and time added up."""
    from showcase.checkpoints import ModelCard, card_path_for
    from showcase.translation import Translator
    from showcase.translation.train import TranslationTrainConfig, train

    # A copy whose card holds a comparison, which the warm start must carry over, labelled.
    start = tmp_path / "start" / "en-fr.keras"
    start.parent.mkdir()
    shutil.copy2(tiny_translator_path, start)
    before = ModelCard.read(card_path_for(tiny_translator_path))
    before.benchmark = {"comparisons": [{"pair": "en-fr", "keras_io_bleu": 1.0}]}
    before.write(card_path_for(start))
    folder, manythings = toy_translation_data
    config = TranslationTrainConfig(
        pair="en-fr", data=str(folder), tatoeba=str(manythings), vocabulary_size=60,
        embedding_dim=16, encoder_units=16, decoder_units=32, dropout=0.0, epochs=1,
        batch_size=32, learning_rate=2e-3, evaluate=False, out=str(tmp_path), verbose=0,
        warm_start=str(start),
    )  # fmt: skip
    after = ModelCard.read(card_path_for(train(config)))
    assert after.hyperparameters["epochs_run"] == 9
    assert after.hyperparameters["warm_start"]["epochs_before"] == 8
    assert after.training_time_s > before.training_time_s
    assert "--warm-start en-fr.keras --epochs 1" in after.train_command
    # Started from the trained weights, one gentle epoch keeps what they had learned.
    assert after.hyperparameters["final_loss"] < 1.0
    (carried,) = after.benchmark["comparisons"]
    assert carried["keras_io_bleu"] == 1.0 and "en-fr after 8 epochs" in carried["measured_on"]
    warmed = Translator.from_pretrained("en-fr", checkpoint=tmp_path / "en-fr.keras")
    assert warmed.translate("The black dog likes a bird.") == "Le chien noir aime un oiseau."


@pytest.mark.parametrize(
    "text, message",
    [("", "empty"), ("   \n ", "empty"), (None, "empty"), (42, "must be a string")],
)
def test_empty_or_wrong_text_gets_a_message(translator, text, message):
    with pytest.raises(InputError, match=message):
        translator.translate_text(text)


@pytest.mark.parametrize("beam_size", [0, 11, 2.5, "4", True])
def test_beam_size_out_of_range_gets_a_message(translator, beam_size):
    with pytest.raises(InputError, match="beam size"):
        translator.translate("A dog.", beam_size=beam_size)


def test_odd_text_is_translated_with_notices(translator):
    translations, notices = translator.translate_text("The cat 😀 sees 日本 a dog. " * 1000)
    assert any("2,000" in notice or "were used" in notice for notice in notices)
    assert any("😀" in notice and "日本" in notice for notice in notices)
    assert 1 < len(translations) <= 120
    assert all(t.text and "⁇" not in t.text for t in translations)
    only_emoji, notices = translator.translate_text("🙂🙂")
    assert isinstance(only_emoji[0].text, str) and notices


def test_sentences_are_split_at_their_ends():
    from showcase.translation.api import split_sentences

    assert split_sentences('Hi! "Who is it?" he asked. Mr. Smith... ok') == [
        "Hi!",
        '"Who is it?"',
        "he asked.",
        "Mr. Smith...",
        "ok",
    ]
    assert split_sentences("Mr. Smith arrived. Dr. J. Doe left!") == [
        "Mr. Smith arrived.",
        "Dr. J. Doe left!",
    ]
    assert split_sentences("I saw it. It was big.") == ["I saw it.", "It was big."]


def test_bench_times_a_sentence_and_compares_with_the_keras_io_recipe(translator):
    from showcase.translation import bench

    cases = bench.bench_cases({"en-fr": translator})
    assert set(cases) == {"en-fr, 10 words, beam 4", "en-fr, 10 words, greedy"}
    assert isinstance(cases["en-fr, 10 words, beam 4"].call(), str)
    row = bench.compare_with_keras_io(translator, seconds=3)
    assert row["budget_s"] == 3 and row["keras_io_training"]["steps"] > 0
    assert row["ours_bleu"] == translator.card.metric["multi30k_test2016"]["bleu"]
    assert 0 <= row["keras_io_bleu"] <= 100 and "keras-io" in row["summary"]
