"""The demos showcase offers, and where each one's API, training, evaluation and UI live.

Entries name modules by string so ``showcase list`` and the CLI's help never import TensorFlow.
A demo whose training or checkpoint does not exist yet says so with ``None``; the CLI then
offers only the verbs that work for it.
"""

from __future__ import annotations

import dataclasses
import importlib

from showcase.errors import ShowcaseError


@dataclasses.dataclass(frozen=True)
class Demo:
    name: str
    title: str
    paper: str
    paper_url: str
    app: str  # module with render(checkpoint) and build(checkpoint)
    bench: str  # module with load(checkpoint) -> object and bench_cases(object) -> {case: call}
    # The checkpoints the package ships, the default first; () when the demo needs none.
    checkpoint_names: tuple[str, ...] = ()
    # Modules that register the demo's Keras layers, imported before one of its checkpoints loads.
    layers: str | tuple[str, ...] | None = None
    # Module with train(config) -> checkpoint path.
    training: str | None = None
    # Module with TRAIN_CONFIG, the demo's showcase.training.TrainConfig whose defaults are the
    # shipped settings; it imports no TensorFlow, so the CLI builds `train` options from it.
    presets: str | None = None
    # Module with evaluate(checkpoint, data, **options) -> result; it may also define
    # describe(row) -> [lines], what the CLI prints under a result row beyond the metric.
    evaluation: str | None = None
    # The demo's own `showcase evaluate` options: {option name: help}; passed to evaluate().
    evaluate_options: tuple[tuple[str, str], ...] = ()
    # Files of other demos' shipped checkpoints (paths under models/) that this one also uses.
    borrowed_files: tuple[str, ...] = ()
    # Debian packages the demo runs (a Space installs them from packages.txt).
    system_packages: tuple[str, ...] = ()

    @property
    def checkpoint_name(self) -> str | None:
        """The default checkpoint, or None when the demo needs no trained checkpoint."""
        return self.checkpoint_names[0] if self.checkpoint_names else None

    def training_module(self):
        if self.training is None:
            raise ShowcaseError(f"{self.name} has no training yet")
        return importlib.import_module(self.training)

    def register_layers(self) -> None:
        """Import the modules that register the demo's serialisable layers (once; cheap after)."""
        modules = (self.layers,) if isinstance(self.layers, str) else self.layers or ()
        for module in modules:
            importlib.import_module(module)

    def train_config(self) -> type:
        if self.presets is None:
            raise ShowcaseError(f"{self.name} has no training yet")
        return importlib.import_module(self.presets).TRAIN_CONFIG

    def evaluation_module(self):
        if self.evaluation is None:
            raise ShowcaseError(f"{self.name} has no evaluation yet")
        return importlib.import_module(self.evaluation)

    def app_module(self):
        return importlib.import_module(self.app)

    def bench_module(self):
        return importlib.import_module(self.bench)


DEMOS: dict[str, Demo] = {
    demo.name: demo
    for demo in [
        Demo(
            name="sentiment",
            title="Sentiment classification",
            paper="Bidirectional LSTM with dropout (Hochreiter & Schmidhuber 1997; "
            "Schuster & Paliwal 1997; Srivastava et al. 2014) on SST-2 (Socher et al. 2013)",
            paper_url="https://nlp.stanford.edu/sentiment/",
            app="showcase.apps.sentiment",
            bench="showcase.sentiment.bench",
            checkpoint_names=("sst2_bilstm",),
            layers="showcase.sentiment.model",
            training="showcase.sentiment.train",
            presets="showcase.sentiment.presets",
            evaluation="showcase.sentiment.evaluate",
        ),
        Demo(
            name="style_transfer",
            title="Neural style transfer",
            paper="A Neural Algorithm of Artistic Style (Gatys, Ecker & Bethge 2015); "
            "Preserving Color in Neural Artistic Style Transfer (Gatys et al. 2016); "
            "Perceptual Losses for Real-Time Style Transfer (Johnson, Alahi & Fei-Fei 2016); "
            "Artistic Style Transfer for Videos (Ruder, Dosovitskiy & Brox 2016)",
            paper_url="https://arxiv.org/abs/1508.06576",
            app="showcase.apps.style_transfer",
            bench="showcase.style_transfer.bench",
            checkpoint_names=("starry_night", "wave", "the_scream"),
            layers="showcase.style_transfer.model",
            training="showcase.style_transfer.train",
            presets="showcase.style_transfer.presets",
            evaluation="showcase.style_transfer.evaluate",
            evaluate_options=(
                (
                    "paintings",
                    "folder holding the paintings the styles learnt (default: where their "
                    "cards say)",
                ),
            ),
        ),
        Demo(
            name="dcgan",
            title="GANs: draw digits (DCGAN, BEGAN, progressive GAN)",
            paper="Unsupervised Representation Learning with Deep Convolutional GANs (Radford, "
            "Metz & Chintala 2015); Conditional Generative Adversarial Nets (Mirza & Osindero "
            "2014); cGANs with Projection Discriminator (Miyato & Koyama 2018); BEGAN: Boundary "
            "Equilibrium GANs (Berthelot, Schumm & Metz 2017); Progressive Growing of GANs "
            "(Karras et al. 2018)",
            paper_url="https://arxiv.org/abs/1511.06434",
            app="showcase.apps.dcgan",
            bench="showcase.dcgan.bench",
            checkpoint_names=("mnist_digits", "began", "began_gamma0.7", "pggan"),
            layers=("showcase.dcgan.model", "showcase.dcgan.framing", "showcase.dcgan.progressive"),
            training="showcase.dcgan.train",
            presets="showcase.dcgan.presets",
            evaluation="showcase.dcgan.evaluate",
        ),
        Demo(
            name="captioning",
            title="Image captioning",
            paper="Show and Tell: A Neural Image Caption Generator (Vinyals et al. 2015); "
            "Show, Attend and Tell (Xu et al. 2015); Knowing When to Look (Lu et al. 2017)",
            paper_url="https://arxiv.org/abs/1411.4555",
            app="showcase.apps.captioning",
            bench="showcase.captioning.bench",
            checkpoint_names=("scenes_attention", "scenes_show_and_tell"),
            layers="showcase.captioning.model",
            training="showcase.captioning.train",
            presets="showcase.captioning.presets",
            evaluation="showcase.captioning.evaluate",
        ),
        Demo(
            name="translation",
            title="Machine translation",
            paper="Sequence to Sequence Learning with Neural Networks (Sutskever, Vinyals & Le "
            "2014); Effective Approaches to Attention-based Neural Machine Translation (Luong, "
            "Pham & Manning 2015)",
            paper_url="https://arxiv.org/abs/1508.04025",
            app="showcase.apps.translation",
            bench="showcase.translation.bench",
            checkpoint_names=("en-fr", "en-de"),
            layers="showcase.translation.model",
            training="showcase.translation.train",
            presets="showcase.translation.presets",
            evaluation="showcase.translation.evaluate",
            evaluate_options=(
                ("pair", "en-fr or en-de (default: every pair)"),
                ("tatoeba", "the ManyThings file of the pair (default: the one the card names)"),
            ),
        ),
        Demo(
            name="tts",
            title="Text to speech",
            paper="Tacotron: Towards End-to-End Speech Synthesis (Wang et al. 2017); Natural TTS "
            "Synthesis by Conditioning WaveNet on Mel Spectrogram Predictions (Shen et al. 2018); "
            "guided attention (Tachibana et al. 2017)",
            paper_url="https://arxiv.org/abs/1703.10135",
            app="showcase.apps.tts",
            bench="showcase.tts.bench",
            checkpoint_names=("espeak_tacotron",),
            layers="showcase.tts.model",
            training="showcase.tts.train",
            presets="showcase.tts.presets",
            evaluation="showcase.tts.evaluate",
            system_packages=(),
        ),
        Demo(
            name="rl",
            title="Deep reinforcement learning",
            paper="Human-level control through deep RL (DQN; Mnih et al. 2015); Deep RL with "
            "Double Q-learning (van Hasselt et al. 2016); Continuous control with deep RL (DDPG; "
            "Lillicrap et al. 2015); Mastering Chess and Shogi by Self-Play (AlphaZero; Silver "
            "et al. 2017); MinAtar (Young & Tian 2019)",
            paper_url="https://www.nature.com/articles/nature14236",
            app="showcase.apps.rl",
            bench="showcase.rl.bench",
            checkpoint_names=(
                "cartpole_dqn",
                "cartpole_dqn_seed1",
                "cartpole_dqn_seed2",
                "pendulum_ddpg",
                "breakout_dqn",
                "connect4_alphazero",
            ),
            layers="showcase.rl.layers",
            training="showcase.rl.train",
            presets="showcase.rl.presets",
            evaluation="showcase.rl.evaluate",
            evaluate_options=(
                ("agent", "only this checkpoint name (default: every installed agent)"),
                (
                    "episodes",
                    "greedy episodes, or games per colour for Connect Four (default: as many "
                    "as the card)",
                ),
            ),
        ),
        Demo(
            name="vqa",
            title="Visual question answering",
            paper="A simple neural network module for relational reasoning (Relation Networks; "
            "Santoro et al. 2017); VQA: Visual Question Answering (Antol et al. 2015)",
            paper_url="https://arxiv.org/abs/1706.01427",
            app="showcase.apps.vqa",
            bench="showcase.vqa.bench",
            checkpoint_names=("relation_network", "cnn_mlp", "cnn_lstm", "blind"),
            layers="showcase.vqa.model",
            training="showcase.vqa.train",
            presets="showcase.vqa.presets",
            evaluation="showcase.vqa.evaluate",
            evaluate_options=(
                ("model", "only this checkpoint name (default: every installed one)"),
            ),
        ),
        Demo(
            name="image_to_image",
            title="Image-to-image translation",
            paper="Image-to-Image Translation with Conditional Adversarial Networks (pix2pix; "
            "Isola, Zhu, Zhou & Efros 2017); Colorful Image Colorization (Zhang, Isola & Efros "
            "2016) and its user-guided sequel (Zhang, Zhu et al. 2017); Unpaired Image-to-Image "
            "Translation using Cycle-Consistent Adversarial Networks (CycleGAN; Zhu, Park, Isola "
            "& Efros 2017)",
            paper_url="https://arxiv.org/abs/1611.07004",
            app="showcase.apps.image_to_image",
            bench="showcase.image_to_image.bench",
            checkpoint_names=(
                "pix2pix",
                "l1_only",
                "colour_classes",
                "colour_regression",
                "colour_hints",
                "cyclegan",
                "painting_pix2pix",
            ),
            training="showcase.image_to_image.train",
            presets="showcase.image_to_image.presets",
            evaluation="showcase.image_to_image.evaluate",
            evaluate_options=(
                ("model", "only this checkpoint name (default: every installed one)"),
            ),
        ),
        Demo(
            name="lessons",
            title="Lessons",
            paper="The ideas the applications rest on, from the lecture: learning as a running "
            "average, overfitting and dropout (Srivastava et al. 2014), vanishing gradients and "
            "ReLU (Glorot, Bordes & Bengio 2011), convolution and pooling (LeCun et al. 1998), "
            "LSTM gates (Hochreiter & Schmidhuber 1997)",
            paper_url="https://www.deeplearningbook.org/",
            app="showcase.apps.lessons",
            bench="showcase.lessons.bench",
            # The feature-map lesson looks inside the digit classifier that judges the DCGAN
            # and draws its example digits with the DCGAN itself.
            borrowed_files=(
                "dcgan/evaluator/digit_classifier.keras",
                "dcgan/evaluator/digit_classifier.card.json",
                "dcgan/mnist_digits.keras",
                "dcgan/mnist_digits.card.json",
            ),
        ),
    ]
}


def trainable() -> list[str]:
    return [name for name, demo in DEMOS.items() if demo.training is not None]


def evaluable() -> list[str]:
    return [name for name, demo in DEMOS.items() if demo.evaluation is not None]


# Other names a demo answers to on the command line: the DCGAN demo draws every GAN's digits.
ALIASES = {"gan": "dcgan"}


def aliases_of(name: str) -> list[str]:
    return [alias for alias, target in ALIASES.items() if target == name]


def get(name: str) -> Demo:
    try:
        return DEMOS[ALIASES.get(name, name)]
    except KeyError:
        raise ShowcaseError(f"unknown demo {name!r}; available: {', '.join(DEMOS)}") from None
