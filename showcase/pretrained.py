"""The one way every demo's public class finds, loads and describes its trained checkpoint.

A demo's API class (``SentimentClassifier``, ``Translator``...) subclasses :class:`Pretrained`
and names its demo and default checkpoint; loading, the load order, safe_mode and the one-line
errors live here, once:

    >>> Translator.from_pretrained("en-de")              # a checkpoint by name
    >>> Translator.from_pretrained(checkpoint="my.keras")  # a given file (or folder of them)
    >>> Translator.installed()                           # every checkpoint there is, loaded

Load order: ``checkpoint=`` > the user's own trained checkpoint in the user data dir > the one
shipped inside the package (see :mod:`showcase.checkpoints`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from showcase import checkpoints
from showcase.errors import CheckpointError

if TYPE_CHECKING:
    from typing import Self  # Python 3.11; annotations only, so 3.10 runs this module too

# Checkpoint names are file stems: "sst2_bilstm", "en-fr", "starry_night".
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class Pretrained:
    """A trained Keras model with its file and model card, behind a demo's own methods.

    Subclasses set ``DEMO`` (the registry name) and ``DEFAULT_NAME`` (the default checkpoint),
    and implement :meth:`_trace` (one small request, so compiled functions are traced before a
    user waits for them). ``check_name`` may refuse names the demo cannot serve.
    """

    DEMO: ClassVar[str]
    DEFAULT_NAME: ClassVar[str]

    def __init__(self, model, path: Path | None = None, card: checkpoints.ModelCard | None = None):
        self.model = model
        self._path = Path(path) if path is not None else None
        self._card = card

    @property
    def path(self) -> Path | None:
        """The ``.keras`` file the model came from (None when built in memory)."""
        return self._path

    @property
    def card(self) -> checkpoints.ModelCard | None:
        """The model card saved beside the checkpoint, or None when it has none."""
        return self._card

    @property
    def name(self) -> str:
        """The checkpoint's name: the card's, else the file's stem, else the model's."""
        if self._card is not None:
            return self._card.name
        if self._path is not None:
            return self._path.name.removesuffix(".keras")
        return self.model.name

    @classmethod
    def check_name(cls, name: str) -> str:
        """The checkpoint name to look for; subclasses narrow what they accept."""
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise CheckpointError(
                f"{name!r} is not a checkpoint name; pass a file or folder as checkpoint=..."
            )
        return name

    @classmethod
    def from_pretrained(cls, name: str | None = None, *, checkpoint: str | Path | None = None):
        """Load checkpoint ``name`` (default: the demo's shipped one).

        ``checkpoint`` is a ``.keras`` file, or a folder holding ``<name>.keras``; without it the
        user's own trained checkpoint wins over the shipped one.
        """
        name = cls.check_name(cls.DEFAULT_NAME if name is None else name)
        path = checkpoints.resolve(cls.DEMO, name, checkpoint)
        return cls.load(path)

    @classmethod
    def load(cls, path: str | Path):
        """Load one ``.keras`` file (safe_mode) with the card beside it."""
        path = Path(path)
        return cls(checkpoints.load_model(path, cls.DEMO), path, checkpoints.card_beside(path))

    @classmethod
    def available(cls, checkpoint: str | Path | None = None) -> dict[str, Path]:
        """Every checkpoint that can be loaded, by name, without loading any.

        Shipped ones, replaced by the user's own of the same name; with ``checkpoint`` only that
        file, or the ``.keras`` files in that folder.
        """
        return checkpoints.available(cls.DEMO, checkpoint)

    @classmethod
    def card_for(cls, name: str | None = None, *, checkpoint: str | Path | None = None):
        """The model card of the checkpoint :meth:`from_pretrained` would load, without loading
        it; None when there is no such checkpoint or it has no card."""
        name = cls.check_name(cls.DEFAULT_NAME if name is None else name)
        return checkpoints.find_card(cls.DEMO, name, checkpoint)

    @classmethod
    def installed(cls, checkpoint: str | Path | None = None) -> dict[str, Self]:
        """Every checkpoint of :meth:`available`, loaded, by name."""
        found = cls.available(checkpoint)
        if not found:
            raise CheckpointError(
                f"no {cls.DEMO} checkpoint found; train one with `showcase train {cls.DEMO}`"
            )
        return {name: cls.load(path) for name, path in found.items()}

    def warm_up(self) -> Self:
        """Trace the compiled functions now instead of on the first request."""
        self._trace()
        return self

    def _trace(self) -> None:
        raise NotImplementedError
