"""Train the synthesiser (``showcase train tts``) and score it (``showcase evaluate tts``).

``--make-corpus SOURCE`` first speaks sentences from SOURCE (an LJSpeech ``metadata.csv``, a
ManyThings/Tatoeba file or a text file with one sentence per line) with espeak-ng into an
LJSpeech-format folder (``--data``, default ``<user data dir>/tts/espeak-corpus``). Training then
reads that folder, holds out ``--held-out`` sentences it never sees (chosen by a hash of their IDs,
so evaluation finds the same ones), and can stop (``--max-minutes``) and continue (``--resume``).
"""

from __future__ import annotations

import time
from pathlib import Path

import keras

from showcase import checkpoints, training
from showcase.errors import DataError
from showcase.resumable import ResumableRun, earlier_epochs, warm_start_card
from showcase.tts import audio
from showcase.tts.api import DEMO
from showcase.tts.corpus import (
    corpus_texts,
    espeak_version,
    held_out_split,
    make_espeak_corpus,
    read_ljspeech,
)
from showcase.tts.evaluate import record_evaluation
from showcase.tts.features import batches, count_batches, load_examples
from showcase.tts.frontend import FrontEnd
from showcase.tts.model import Tacotron
from showcase.tts.presets import TTSTrainConfig, default_corpus_folder

PAPER = (
    "Wang et al. 2017 (Tacotron); Shen et al. 2018 (Tacotron 2: location-sensitive attention, "
    "stop token); Tachibana et al. 2017 (guided attention)"
)


TRAIN_CONFIG = TTSTrainConfig


def prepare_corpus(config: TTSTrainConfig) -> Path:
    folder = Path(config.data).expanduser() if config.data else default_corpus_folder()
    if config.make_corpus:
        texts = corpus_texts(
            config.make_corpus, limit=config.corpus_sentences, max_chars=config.corpus_max_chars
        )
        print(f"speaking {len(texts):,} sentences with espeak-ng into {folder}")
        make_espeak_corpus(texts, folder)
    if not (folder / "metadata.csv").is_file():
        raise DataError(
            f"{folder} holds no LJSpeech-format corpus; make one with "
            "`showcase train tts --make-corpus SENTENCES_FILE` or pass --data FOLDER"
        )
    return folder


def train_command(config: TTSTrainConfig, earlier=None) -> str:
    """The command line that repeats this run: every setting that differs from the defaults,
    after the earlier checkpoint's own command for a warm start."""
    command = training.command_line(
        "train",
        DEMO,
        config,
        placeholders={
            "make_corpus": "SENTENCES_FILE",
            "data": "CORPUS_DIR",
            "warm_start": lambda path: Path(path).name,
        },
        leave_out=("out", "verbose", "name", "resume", "evaluate"),
    )
    return f"{earlier.train_command}; then {command}" if earlier else command


def build(model):
    """Create the model's weights with a one-step call, so weights can be copied into it."""
    model(
        {
            "text": keras.ops.ones((1, 2), "int32"),
            "mel": keras.ops.zeros((1, model.reduction, model.n_mels)),
        }
    )
    return model


def carry_weights(source, target) -> list[str]:
    """Copy ``source``'s weights into ``target`` (same architecture, built); returns the paths of
    the weights left as initialised because their shapes differ (the symbol embedding, when the
    two read different symbols)."""
    skipped = []
    for old, new in zip(source.weights, target.weights, strict=True):
        # Paths differ in prefixes and in the suffixes Keras adds to repeated layer names, so
        # the weights are paired by order, checked by their own name.
        if old.name != new.name:
            raise ValueError(f"weights do not line up: {old.path} vs {new.path}")
        if tuple(old.shape) == tuple(new.shape):
            new.assign(old)
        else:
            skipped.append(new.path)
    return skipped


def _model_config(config: TTSTrainConfig, warm, audio_config, symbols: int) -> dict:
    """The new model's settings: the warm-start checkpoint's, with this run's front end."""
    if warm:
        return {**warm.get_config(), "symbols": symbols, "text_units": config.text_units}
    return {
        "symbols": symbols,
        "n_mels": audio_config.n_mels,
        "n_linear": audio_config.n_bins,
        "reduction": config.reduction,
        "encoder": config.encoder,
        "postnet": config.postnet,
        "embedding_dim": config.embedding_dim,
        "decoder_units": config.decoder_units,
        "attention_units": config.attention_units,
        "guided_weight": config.guided_weight,
        "postnet_channels": config.postnet_channels,
        "audio": audio_config.to_dict(),
        "text_units": config.text_units,
    }


def train(config: TTSTrainConfig) -> Path:
    training.prepare(config)
    name = config.name or "espeak_tacotron"
    out_dir = training.output_folder(DEMO, config)
    keras.utils.set_random_seed(config.seed)
    started = time.perf_counter()
    folder = prepare_corpus(config)
    train_set, held_out = held_out_split(read_ljspeech(folder), config.held_out)
    earlier = warm_start_card(config.warm_start)
    warm = checkpoints.load_model(Path(config.warm_start), DEMO) if earlier else None
    # A warm start keeps the spectrogram settings its weights were trained on.
    audio_config = audio.AudioConfig.from_dict(warm.audio) if warm else audio.AudioConfig()
    front_end = FrontEnd(config.text_units)
    examples = load_examples(train_set, folder, audio_config, front_end=front_end)
    data_seconds = time.perf_counter() - started

    run = ResumableRun(out_dir, name, DEMO, config.resume)
    steps = count_batches(examples, config.batch_size)
    with training.training_session(DEMO, config) as session:
        model = run.load_model()
        if model is None:
            with session.scope():
                model = Tacotron.from_config(
                    _model_config(config, warm, audio_config, len(front_end.symbols))
                )
                if warm:
                    fresh = carry_weights(warm, build(model))
                    if fresh:
                        print("starting afresh (other text units): " + ", ".join(fresh))
                model.compile(
                    optimizer=keras.optimizers.Adam(
                        keras.optimizers.schedules.CosineDecay(
                            config.learning_rate, steps * config.epochs, alpha=0.1
                        ),
                        clipnorm=1.0,
                    ),
                    jit_compile=config.jit_compile,
                )
        else:
            print(f"resuming {name} after epoch {run.epochs_done} ({run.seconds:.0f} s)")
        if run.epochs_done < config.epochs:
            model.fit(
                batches(
                    examples,
                    config.batch_size,
                    model.reduction,
                    shuffle=True,
                    seed=config.seed,
                    linear=model.predicts_linear,
                ),
                steps_per_epoch=steps,
                initial_epoch=run.epochs_done,
                epochs=config.epochs,
                verbose=config.verbose,
                callbacks=run.callbacks(config.max_minutes),
                shuffle=False,
            )
    if run.stopped_early(config.epochs):
        return run.model_path

    inference = training.inference_copy(
        model, lambda: build(Tacotron.from_config(model.get_config()))
    )
    history = run.history
    frames = sum(len(example.mel) for example in examples)
    hours = frames * audio_config.hop_length / audio_config.sample_rate / 3600
    card = session.card(
        name,
        paper=PAPER,
        dataset={
            "corpus": str(folder.resolve()),
            "train": f"{len(examples):,} clips ({hours:.2f} h)",
            "held_out": f"{len(held_out)} clips never trained on (hash of seed and ID)",
            "held_out_count": config.held_out,
        },
        train_command=train_command(config, earlier),
        training_time_s=run.seconds + (earlier.training_time_s if earlier else 0),
        leave_out=("make_corpus", "name", "resume", "warm_start"),
        backend=keras.backend.backend(),
        data_preparation_s=round(data_seconds, 1),
        epochs_run=run.epochs_done + earlier_epochs(earlier),
        steps=run.epochs_done * steps + (earlier.hyperparameters.get("steps", 0) if earlier else 0),
        sittings=run.state["sittings"],
        **({"espeak_ng": espeak_version()} if model.text_units == "phonemes" else {}),
        # What was trained (a warm start keeps the earlier checkpoint's architecture).
        model={
            "text_units": model.text_units,
            "phoneme_voice": model.phoneme_voice if model.text_units == "phonemes" else None,
            "encoder": model.encoder_kind,
            "postnet": model.postnet_kind,
            "reduction": model.reduction,
            "postnet_channels": model.postnet_channels,
            "decoder_units": model.decoder_units,
        },
        **(
            {
                "warm_start": Path(config.warm_start).name,
                "epochs_before": earlier_epochs(earlier),
                "training_time_s_before": earlier.training_time_s,
            }
            if earlier
            else {}
        ),
        first_epoch_loss=history[0].get("loss") if history else None,
        final_loss=history[-1].get("loss") if history else None,
    )
    path = session.save(inference, card)
    run.finish()
    if config.evaluate:
        record_evaluation(path, folder)
    return path
