"""`showcase export-space` writes a Space: code, checkpoints, cards, pinned requirements."""

import pytest

from showcase import cli
from tests.support import REPO

pytestmark = pytest.mark.slow


def test_export_space_ships_the_given_checkpoint_and_the_code(tmp_path, tiny_checkpoint, capsys):
    space = tmp_path / "space"
    assert (
        cli.main(["export-space", "sentiment", str(space), "--checkpoint", str(tiny_checkpoint)])
        == 0
    )
    capsys.readouterr()
    readme = (space / "README.md").read_text(encoding="utf-8")
    header = readme.split("---")[1]
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    assert fields["sdk"] == "gradio" and fields["app_file"] == "app.py"
    assert fields["sdk_version"][0].isdigit() and fields["title"]
    requirements = (space / "requirements.txt").read_text().split()
    assert any(r.startswith("gradio==") for r in requirements)
    assert any(r.startswith("tensorflow") for r in requirements)
    assert (space / "checkpoints" / "sentiment" / "sst2_bilstm.keras").is_file()
    assert (space / "showcase" / "apps" / "sentiment.py").is_file()
    assert not list((space / "showcase" / "models").glob("*/*.keras"))

    # Starting and calling every demo's Space: test_quality_spaces.


def test_a_space_for_style_transfer_carries_every_fast_style(tmp_path, monkeypatch):
    from showcase.spaces import export_space

    monkeypatch.setenv("SHOWCASE_HOME", str(tmp_path / "no_own_styles"))
    space = export_space("style_transfer", tmp_path / "space")
    shipped = sorted(p.name for p in (space / "checkpoints" / "style_transfer").iterdir())
    assert shipped == [
        f"{name}{suffix}"
        for name in ("starry_night", "the_scream", "wave")
        for suffix in (".card.json", ".keras")
    ]
    readme = (space / "README.md").read_text()
    assert "`wave.keras`: style loss" in readme
    assert "opencv-python-headless==" in (space / "requirements.txt").read_text()


def test_a_space_for_the_lessons_carries_the_dcgan_files_it_borrows(tmp_path):
    """The feature-map lesson needs the digit classifier and the DCGAN; nothing else is copied."""
    from showcase.spaces import export_space

    space = export_space("lessons", tmp_path / "space")
    models = space / "showcase" / "models"
    copied = sorted(str(p.relative_to(models)) for p in models.rglob("*") if p.is_file())
    assert copied == [
        "__init__.py",
        "dcgan/evaluator/digit_classifier.card.json",
        "dcgan/evaluator/digit_classifier.keras",
        "dcgan/mnist_digits.card.json",
        "dcgan/mnist_digits.keras",
    ]
    assert "none needed" in (space / "README.md").read_text()


def test_space_requirements_pin_every_dependency_of_the_package():
    import re

    import tomllib

    from showcase.spaces import requirements_text

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    wanted = {
        re.match(r"[A-Za-z0-9_.\-]+", d).group(0) for d in pyproject["project"]["dependencies"]
    }
    pinned = {line.split("==")[0] for line in requirements_text().splitlines()}
    assert wanted <= pinned
