"""``showcase export-space``: a self-contained Hugging Face Space folder for one demo.

The folder holds the showcase code itself (so the Space needs no package index to find it), the
checkpoints and cards the demo needs, ``requirements.txt`` with the tested versions, ``app.py``,
``packages.txt`` for a demo that runs a Debian package, and a README whose YAML header Spaces
reads. ``python app.py`` runs it anywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from importlib import metadata
from pathlib import Path

import showcase
import showcase.apps
import showcase.models
from showcase import checkpoints, registry
from showcase.errors import ShowcaseError

APP_TEMPLATE = '''"""Space: showcase {title}, written by `showcase export-space {demo}`."""

import os
from pathlib import Path

from showcase.apps.hub import launch

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints" / "{demo}"

if __name__ == "__main__":
    launch(
        ["{demo}"],
        host=os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0"),
        port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        checkpoint=str(CHECKPOINTS),
    )
'''

README_TEMPLATE = """---
title: {title_yaml}
emoji: 🎓
colorFrom: indigo
colorTo: pink
sdk: gradio
sdk_version: {gradio_version}
python_version: "{python_version}"
app_file: app.py
pinned: false
license: mit
---

# {title}

{paper}

Checkpoints (each with its model card beside it in `checkpoints/{demo}/`):

{checkpoint_lines}

Run locally: `pip install -r requirements.txt && python app.py`, then open http://127.0.0.1:7860.
Exported from the showcase project with `showcase export-space {demo} DIR`.
"""


# Distribution names whose installed versions the Space pins: showcase's own dependencies, read
# from its installed metadata so the list cannot fall behind pyproject.toml.
def _dependencies() -> list[str]:
    names = []
    for spec in metadata.requires("showcase") or []:
        if "extra ==" in spec:
            continue  # the test and gpu extras are not needed to run a demo
        names.append(re.match(r"[A-Za-z0-9_.\-]+", spec).group(0))
    return names


def _installed_version(distribution: str) -> str | None:
    for name in (distribution, f"{distribution}-cpu"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def requirements_text() -> str:
    lines = []
    for distribution in _dependencies():
        version = _installed_version(distribution)
        lines.append(f"{distribution}=={version}" if version else distribution)
    return "\n".join(lines) + "\n"


def _copy_code(target: Path, borrowed_files: tuple[str, ...] = ()) -> None:
    """Copy showcase's Python sources into ``target/showcase``, with no shipped checkpoints but
    the ``borrowed_files`` (paths under models/) that the demo uses from other demos."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    package = target / "showcase"
    shutil.copytree(Path(showcase.__file__).parent, package, ignore=ignore, dirs_exist_ok=True)
    # In an editable install apps/ and models/ sit outside the package folder; copy them in.
    shutil.copytree(
        Path(showcase.apps.__file__).parent, package / "apps", ignore=ignore, dirs_exist_ok=True
    )
    models = package / "models"
    if models.exists():
        shutil.rmtree(models)
    models.mkdir()
    shutil.copy2(showcase.models.__file__, models / "__init__.py")
    shipped = Path(showcase.models.__file__).parent
    for relative in borrowed_files:
        if not (shipped / relative).is_file():
            raise ShowcaseError(f"{shipped / relative} is missing; reinstall showcase")
        (models / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(shipped / relative, models / relative)


def export_space(
    demo_name: str, directory: str | Path, checkpoint: str | None = None, force: bool = False
) -> Path:
    demo = registry.get(demo_name)
    target = Path(directory).expanduser()
    if target.exists() and not target.is_dir():
        raise ShowcaseError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise ShowcaseError(f"{target} is not empty; choose an empty folder or pass --force")
    if checkpoint is None and not demo.checkpoint_names:
        found = {}
    else:
        found = checkpoints.available(demo.name, checkpoint)
        if not found:
            checkpoints.resolve(demo.name, demo.checkpoint_name, checkpoint)  # says what to do
    cards = {}
    for name, model_path in found.items():
        card_path = checkpoints.card_path_for(model_path)
        if not card_path.is_file():
            raise ShowcaseError(f"{model_path} has no model card ({card_path.name}); retrain it")
        cards[name] = checkpoints.ModelCard.read(card_path)

    target.mkdir(parents=True, exist_ok=True)
    _copy_code(target, demo.borrowed_files)
    checkpoint_dir = target / "checkpoints" / demo.name
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    for name, model_path in found.items():
        shutil.copy2(model_path, checkpoint_dir / f"{name}.keras")
        card_path = checkpoints.card_path_for(model_path)
        shutil.copy2(card_path, checkpoint_dir / f"{name}{checkpoints.CARD_SUFFIX}")
        companions = checkpoints.companion_folder(model_path)
        if companions.is_dir():
            shutil.copytree(companions, checkpoint_dir / f"{name}{checkpoints.COMPANION_SUFFIX}")
    checkpoint_lines = "\n".join(
        f"- `{name}.keras`: {card.metric_summary}" for name, card in cards.items()
    )

    fields = {
        "demo": demo.name,
        "title": demo.title,
        # Quoted: a title such as "DCGAN: draw digits" is not a plain YAML scalar.
        "title_yaml": json.dumps(demo.title, ensure_ascii=False),
        "paper": demo.paper,
        "checkpoint_lines": checkpoint_lines or "- none needed",
        "gradio_version": _installed_version("gradio") or "6.31.0",
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    (target / "app.py").write_text(APP_TEMPLATE.format(**fields), encoding="utf-8")
    (target / "README.md").write_text(README_TEMPLATE.format(**fields), encoding="utf-8")
    (target / "requirements.txt").write_text(requirements_text(), encoding="utf-8")
    if demo.system_packages:
        # Spaces installs the Debian packages listed here with apt-get.
        packages = "".join(f"{package}\n" for package in demo.system_packages)
        (target / "packages.txt").write_text(packages, encoding="utf-8")
    # Spaces stores large binaries with Git LFS; this marks the checkpoint for it.
    (target / ".gitattributes").write_text("*.keras filter=lfs diff=lfs merge=lfs -text\n")
    return target
