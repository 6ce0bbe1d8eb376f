"""showcase: landmark deep-learning applications as trained Keras 3 models with Gradio demos.

Each demo is a subpackage with a one-line import API, e.g.
``from showcase.sentiment import SentimentClassifier``. Importing ``showcase`` itself is cheap:
TensorFlow loads only when a model is used.
"""

from importlib import metadata
from pathlib import Path

try:
    __version__ = metadata.version("showcase")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


# apps/ and models/ sit beside this folder in a source checkout and inside it once installed
# (see pyproject.toml). When Python imports showcase from a checkout (``python -m showcase`` run
# in the repository, where the working directory shadows the installed copy), let the package
# also look beside itself, so ``showcase.apps`` and ``showcase.models`` resolve the same way.
def _extend_path_for_checkout() -> None:
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (
        not (package / "apps").is_dir()
        and (checkout / "pyproject.toml").is_file()
        and (checkout / "apps" / "__init__.py").is_file()
    ):
        __path__.append(str(checkout))


_extend_path_for_checkout()
