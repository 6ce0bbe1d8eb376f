"""The wheel carries apps and checkpoints inside the package and nothing at the top level."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


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
    names = zipfile.ZipFile(wheel).namelist()
    assert "showcase/apps/hub.py" in names and "showcase/apps/sentiment.py" in names
    assert "showcase/models/sentiment/sst2_bilstm.keras" in names
    assert "showcase/models/sentiment/sst2_bilstm.card.json" in names
    for style in ("starry_night", "wave", "the_scream"):
        assert f"showcase/models/style_transfer/{style}.keras" in names
        assert f"showcase/models/style_transfer/{style}.card.json" in names
    for model in ("mnist_digits", "evaluator/digit_classifier"):
        assert f"showcase/models/dcgan/{model}.keras" in names
        assert f"showcase/models/dcgan/{model}.card.json" in names
    assert "showcase/apps/dcgan.py" in names
    assert "showcase/models/captioning/scenes_attention.keras" in names
    assert "showcase/apps/captioning.py" in names
    for pair in ("en-fr", "en-de"):
        assert f"showcase/models/translation/{pair}.keras" in names
        assert f"showcase/models/translation/{pair}.card.json" in names
    assert "showcase/apps/translation.py" in names and "showcase/translation/api.py" in names
    assert "showcase/apps/tts.py" in names and "showcase/tts/model.py" in names
    top_level = {name.split("/")[0] for name in names}
    assert "apps" not in top_level and "models" not in top_level
    assert any(name.endswith("entry_points.txt") for name in names)
