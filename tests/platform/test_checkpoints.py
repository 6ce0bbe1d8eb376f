import pytest

from showcase import checkpoints
from showcase.errors import CheckpointError


def test_explicit_checkpoint_beats_user_and_shipped(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOWCASE_HOME", str(tmp_path / "home"))
    user = checkpoints.user_checkpoint_dir("sentiment")
    user.mkdir(parents=True)
    (user / "sst2_bilstm.keras").write_bytes(b"user")
    explicit = tmp_path / "mine.keras"
    explicit.write_bytes(b"explicit")
    assert checkpoints.resolve("sentiment", "sst2_bilstm", explicit) == explicit
    assert checkpoints.resolve("sentiment", "sst2_bilstm") == user / "sst2_bilstm.keras"


def test_missing_checkpoint_names_the_train_command(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOWCASE_HOME", str(tmp_path / "home"))
    with pytest.raises(CheckpointError, match="showcase train sentiment"):
        checkpoints.resolve("sentiment", "no_such_checkpoint")
    with pytest.raises(CheckpointError, match="does not exist"):
        checkpoints.resolve("sentiment", "sst2_bilstm", tmp_path / "nope.keras")


def test_shipped_checkpoints_carry_cards():
    folder = checkpoints.shipped_checkpoint_dir("sentiment")
    shipped = list(folder.glob("*.keras"))
    assert shipped, f"no checkpoint shipped in {folder}"
    for model in shipped:
        card = checkpoints.ModelCard.read(checkpoints.card_path_for(model))
        assert card.metric["value"] > 0.5
        assert card.size_bytes == model.stat().st_size
