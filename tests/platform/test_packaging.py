"""The wheel carries apps and checkpoints inside the package and nothing at the top level."""

import subprocess
import sys
import zipfile

import pytest

from showcase.registry import DEMOS
from tests.support import REPO as ROOT

pytestmark = pytest.mark.slow


def module_files(module: str) -> set[str]:
    """The two files a dotted module name can be in the wheel (a module or a package)."""
    base = module.replace(".", "/")
    return {f"{base}.py", f"{base}/__init__.py"}


def test_wheel_ships_apps_and_models_inside_showcase(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("showcase-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "showcase/apps/hub.py" in names
    missing = []
    for demo in DEMOS.values():
        # Every checkpoint a demo ships, with its card, and the files it borrows from another.
        for checkpoint in demo.checkpoint_names:
            for suffix in (".keras", ".card.json"):
                path = f"showcase/models/{demo.name}/{checkpoint}{suffix}"
                missing += [path] if path not in names else []
        missing += [
            f"showcase/models/{path}"
            for path in demo.borrowed_files
            if f"showcase/models/{path}" not in names
        ]
        # The modules the registry names: the UI, the bench and the training.
        for module in filter(
            None, (demo.app, demo.bench, demo.training, demo.presets, demo.evaluation)
        ):
            missing += [module] if not module_files(module) & names else []
    assert not missing, missing
    top_level = {name.split("/")[0] for name in names}
    assert "apps" not in top_level and "models" not in top_level
    assert "tests" not in top_level
    assert any(name.endswith("entry_points.txt") for name in names)
