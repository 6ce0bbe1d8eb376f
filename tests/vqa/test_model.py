"""The four networks: shapes, the Relation Network's pairs, saving, and learning."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from showcase.errors import ShowcaseError
from showcase.vqa import model as networks
from showcase.vqa import sort_of_clevr
from showcase.vqa.batches import inputs_for, training_batches
from showcase.vqa.presets import MODELS, VQATrainConfig
from showcase.vqa.train import build, train

pytestmark = pytest.mark.xdist_group("vqa_models")


@pytest.fixture(scope="module")
def tiny_set():
    return sort_of_clevr.question_set(range(4))


def test_grid_cells_become_objects_with_their_coordinates():
    features = np.arange(2 * 5 * 5 * 3, dtype="float32").reshape(2, 5, 5, 3)
    objects = np.asarray(networks.GridObjects()(features))
    assert objects.shape == (2, 25, 5)
    assert np.array_equal(objects[:, :, :3], features.reshape(2, 25, 3))
    # Row-major cells: cell 1 is one step right of cell 0, cell 5 one step down.
    assert objects[0, 0, 3:].tolist() == [-1.0, -1.0]
    assert objects[0, 1, 3:].tolist() == [-0.5, -1.0]
    assert objects[0, 5, 3:].tolist() == [-1.0, -0.5]
    assert objects[1, 24, 3:].tolist() == [1.0, 1.0]


def test_the_factorised_first_layer_is_g_on_every_concatenated_pair():
    rng = np.random.default_rng(0)
    objects = rng.standard_normal((2, 4, 6)).astype("float32")
    question = rng.standard_normal((2, 11)).astype("float32")
    module = networks.RelationModule(units=8, depth=2)
    pooled = np.asarray(module([objects, question]))
    pairs = np.asarray(module.pair_features(objects, question))
    assert pairs.shape == (2, 4, 4, 8)  # every ordered pair, (o_i, o_i) included

    kernel = np.concatenate(
        [
            np.asarray(module.first_object.kernel),
            np.asarray(module.second_object.kernel),
            np.asarray(module.question.kernel),
        ]
    )
    second = module.deeper[0]
    for b in range(2):
        for i in range(4):
            for j in range(4):
                joined = np.concatenate([objects[b, i], objects[b, j], question[b]])
                hidden = np.maximum(joined @ kernel + np.asarray(module.question.bias), 0)
                expected = np.maximum(
                    hidden @ np.asarray(second.kernel) + np.asarray(second.bias), 0
                )
                np.testing.assert_allclose(pairs[b, i, j], expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(pooled, pairs.mean(axis=(1, 2)), rtol=1e-5)


def test_the_papers_sum_over_pairs_is_the_mean_times_the_pair_count(tmp_path):
    rng = np.random.default_rng(1)
    objects = rng.standard_normal((2, 4, 6)).astype("float32")
    question = rng.standard_normal((2, 11)).astype("float32")
    summed = networks.RelationModule(units=8, depth=2, aggregate="sum")
    total = np.asarray(summed([objects, question]))
    np.testing.assert_allclose(
        total, np.asarray(summed.pair_features(objects, question)).sum(axis=(1, 2)), rtol=1e-5
    )
    model = networks.build_relation_network(units=8, depth=4, aggregate="sum")
    assert model.get_layer("relations").get_config()["aggregate"] == "sum"
    assert len(model.get_layer("relations").deeper) == 3
    model.save(tmp_path / "summed.keras")
    loaded = keras.saving.load_model(tmp_path / "summed.keras", safe_mode=True)
    assert loaded.get_layer("relations").aggregate == "sum"
    with pytest.raises(ValueError, match="aggregate"):
        networks.RelationModule(aggregate="max")


def test_the_options_reach_the_relation_networks_settings():
    from showcase.vqa.presets import VQATrainConfig
    from showcase.vqa.train import learning_rate_schedule

    settings = VQATrainConfig(
        g_units=256, g_layers=4, pairs="sum", schedule="constant", learning_rate=1e-4
    ).settings()
    assert (settings.units, settings.depth, settings.aggregate) == (256, 4, "sum")
    assert learning_rate_schedule(settings, 100) == 1e-4
    assert not isinstance(learning_rate_schedule(VQATrainConfig().settings(), 100), float)


def test_the_relation_network_sees_625_pairs_of_26_dimensional_objects():
    model = networks.build_relation_network()
    assert model.get_layer("objects").output.shape[1:] == (25, networks.STEM_FILTERS + 2)
    small = networks.build_relation_network(grid_side=4)
    assert small.get_layer("objects").output.shape[1] == 16


def test_the_papers_encoder_widens_the_convolutions_and_the_objects():
    model = networks.build_relation_network(encoder="paper")
    convolutions = [layer for layer in model.get_layer("cnn").layers if "conv" in layer.name]
    assert [layer.filters for layer in convolutions] == [32, 64, 128, 256]
    assert model.get_layer("objects").output.shape[1:] == (25, 256 + 2)
    settings = VQATrainConfig(model="cnn_mlp", encoder="paper").settings()
    assert build(settings).get_layer("flatten").output.shape[-1] == 5 * 5 * 256
    with pytest.raises(ValueError, match="encoder"):
        networks.image_encoder(encoder="wide")


def test_pytorchs_initialisation_bounds_every_weight_by_its_layers_fan_in(tmp_path):
    keras.utils.set_random_seed(3)
    settings = VQATrainConfig(g_layers=4, pairs="sum", init="pytorch").settings()
    assert settings.initialisation == "pytorch"
    model = build(settings)
    objects = networks.STEM_FILTERS + 2
    # The factorised first layer of g is one layer over [o_i, o_j, q]: one fan-in for its parts.
    first_fan_in = 2 * objects + sort_of_clevr.QUESTION_SIZE
    fan_ins = {
        "conv1": 3 * 3 * 3,
        "conv4": 3 * 3 * networks.STEM_FILTERS,
        "g_first_object": first_fan_in,
        "g_question": first_fan_in,
        "g_4": 128,
        "f_1": 128,
        "answer": 256,
    }
    layers = {layer.name: layer for layer in model.get_layer("cnn").layers}
    relations = model.get_layer("relations")
    layers.update({part.name: part for part in [relations.first_object, relations.question]})
    layers.update({part.name: part for part in relations.deeper})
    layers.update({name: model.get_layer(name) for name in ("f_1", "answer")})
    for name, fan_in in fan_ins.items():
        bound = 1 / np.sqrt(fan_in)
        for weight in layers[name].weights:
            values = np.asarray(weight)
            assert np.abs(values).max() <= bound + 1e-7, (name, weight.name)
            # Uniform over the whole interval, not Glorot's narrower or wider one.
            assert np.abs(values).max() > 0.8 * bound or values.size < 20, (name, weight.name)
    # Keras's default starts the same layers differently: Glorot kernels, zero biases.
    default = build(VQATrainConfig(g_layers=4).settings())
    assert not np.asarray(default.get_layer("answer").bias).any()
    model.save(tmp_path / "pytorch.keras")
    loaded = keras.saving.load_model(tmp_path / "pytorch.keras", safe_mode=True)
    assert loaded.get_layer("relations").initialisation == "pytorch"
    with pytest.raises(ValueError, match="initialisation"):
        networks.RelationModule(initialisation="he")


@pytest.mark.parametrize("name", list(MODELS))
def test_without_f_dropout_training_mode_answers_the_same_twice(name, tiny_set):
    # The kimhc6028 reference's 2017 runs had a dropout that dropped nothing (f_dropout=0).
    rows = tiny_set.image_index[:8]
    arguments = (tiny_set.images[rows], tiny_set.questions[:8], tiny_set.texts[:8])
    for dropout, same in ((0.0, True), (0.5, False)):
        keras.utils.set_random_seed(1)
        model = build(VQATrainConfig(model=name, f_dropout=dropout).settings())
        inputs = inputs_for(model, *arguments)
        # Batch norm in training mode uses the batch's statistics: the same on both calls.
        first, second = (np.asarray(model(inputs, training=True)) for _ in range(2))
        assert np.array_equal(first, second) == same, dropout
    with pytest.raises(ValueError, match="dropout"):
        build(VQATrainConfig(f_dropout=1.0).settings())
    with pytest.raises(ShowcaseError, match="--f-dropout"):
        train(VQATrainConfig(f_dropout=-0.1))


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_answers_with_twelve_logits(name, tiny_set):
    model = build(MODELS[name])
    inputs = inputs_for(model, tiny_set.images[tiny_set.image_index[:5]], tiny_set.questions[:5],
                        tiny_set.texts[:5])  # fmt: skip
    assert np.asarray(model(inputs)).shape == (5, len(sort_of_clevr.ANSWERS))
    assert ("image" in inputs) == (name != "blind")
    assert ("question_words" in inputs) == (name == "cnn_lstm")


@pytest.mark.parametrize("name", ["relation_network", "cnn_lstm"])
def test_checkpoints_load_with_safe_mode_and_answer_the_same(name, tiny_set, tmp_path):
    model = build(MODELS[name])
    inputs = inputs_for(model, tiny_set.images[tiny_set.image_index[:3]], tiny_set.questions[:3],
                        tiny_set.texts[:3])  # fmt: skip
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(inputs)), np.asarray(model(inputs)), atol=1e-5)


def test_a_few_steps_lower_the_relation_networks_loss(tiny_set):
    keras.utils.set_random_seed(0)
    model = build(MODELS["relation_network"])
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    batches = training_batches(model, tiny_set, 40, seed=0)
    features, answers = next(iter(batches))
    before = float(model.evaluate(features, answers, verbose=0))
    model.fit(batches, steps_per_epoch=30, epochs=1, verbose=0)
    after = float(model.evaluate(features, answers, verbose=0))
    assert after < before * 0.8, (before, after)


def test_batches_pair_each_question_with_its_own_scene(tiny_set):
    model = build(MODELS["cnn_mlp"])
    features, answers = next(iter(training_batches(model, tiny_set, 16, seed=1)))
    for image, question, answer in zip(
        np.asarray(features["image"]),
        np.asarray(features["question"]),
        np.asarray(answers),
        strict=True,
    ):
        scene_index = next(
            index for index, pixels in enumerate(tiny_set.images) if np.array_equal(pixels, image)
        )
        scene = sort_of_clevr.make_scene(int(tiny_set.seeds[scene_index]))
        asked = sort_of_clevr.decode_question(question)
        assert sort_of_clevr.ANSWERS[answer] == scene.answer(asked)


def test_recalibrated_batch_norm_answers_in_inference_as_in_training(tiny_set):
    model = networks.build_relation_network()
    encoder = model.get_layer("cnn")
    images = tiny_set.images
    assert not np.allclose(encoder(images, training=False), encoder(images, training=True))
    # Every batch is all the images, so the recomputed statistics are exactly theirs.
    networks.recalibrate_batch_norm(model, images, batches=3, batch_size=len(images))
    np.testing.assert_allclose(
        encoder(images, training=False), encoder(images, training=True), rtol=1e-3, atol=1e-3
    )
    norm = encoder.get_layer("norm1")
    assert norm.momentum == 0.99  # restored
    networks.recalibrate_batch_norm(networks.build_blind(), images)  # no encoder: nothing to do


@pytest.mark.parametrize("aggregate", networks.AGGREGATES)
def test_the_pairs_shares_add_up_to_the_pooled_vectors_share_in_the_answer(aggregate):
    import tensorflow as tf

    from showcase.vqa.api import RelationNetwork, SortOfClevr

    keras.utils.set_random_seed(4)
    model = networks.build_relation_network(units=8, depth=2, aggregate=aggregate)
    network = RelationNetwork(model)
    scene = SortOfClevr.scene(5)
    question = SortOfClevr.parse("what shape is the object furthest from the blue object")
    answer, shares = network.pair_weights(scene, question)

    inputs = {"image": scene.render()[None], "question": question.encode()[None]}
    pooled = keras.Model(model.inputs, model.get_layer("relations").output)(inputs)
    with tf.GradientTape() as tape:
        tape.watch(pooled)
        hidden = pooled
        for name in ("f_1", "f_2", "answer"):
            hidden = model.get_layer(name)(hidden)
        chosen = hidden[0, sort_of_clevr.ANSWERS.index(answer.text)]
    slope = np.asarray(tape.gradient(chosen, pooled))[0]
    np.testing.assert_allclose(
        shares.sum(), float(slope @ np.asarray(pooled)[0]), rtol=1e-3, atol=1e-5
    )
