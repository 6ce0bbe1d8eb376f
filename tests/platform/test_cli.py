import json
import subprocess
import sys

import pytest

from showcase import cli


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("verb", ["list", "launch", "train", "evaluate", "export-space", "bench"])
def test_every_verb_has_help(verb, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([verb, "--help"])
    assert exited.value.code == 0
    assert "usage: showcase" in capsys.readouterr().out


def test_python_dash_m_showcase_runs():
    result = subprocess.run(
        [sys.executable, "-m", "showcase", "list"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "sentiment" in result.stdout


def test_list_shows_the_demo_and_its_checkpoint(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    assert "sentiment" in out and "Schuster & Paliwal" in out


# As a separate process, so that nothing TensorFlow or Keras print can slip into stderr: the
# errors met after they are imported.
@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["evaluate", "nonexistent"], "invalid choice"),
        (["evaluate", "sentiment", "--checkpoint", "/no/such/file.keras"], "does not exist"),
        (["train", "sentiment", "--data", "/no/such/folder", "--epochs", "1"], "not found"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(argv, fragment):
    result = subprocess.run(
        [sys.executable, "-m", "showcase", *argv], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr


# In this process: these fail before any framework is imported (8-13 s each as a subprocess).
@pytest.mark.parametrize("verb", ["bench", "launch"])
def test_an_unknown_demo_is_one_line_with_exit_code_2(verb, capsys):
    code, out, err = run_cli(capsys, verb, "nonexistent")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "unknown demo" in lines[0], err
    assert "Traceback" not in err


def test_train_then_evaluate_reproduces_the_card(tiny_sst_dir, tmp_path, capsys):
    out_dir = tmp_path / "trained"
    code, out, _ = run_cli(
        capsys,
        "train",
        "sentiment",
        "--data",
        str(tiny_sst_dir),
        "--epochs",
        "4",
        "--embedding-dim",
        "16",
        "--lstm-units",
        "8",
        "--word-dropout",
        "0",
        "--learning-rate",
        "0.01",
        "--subword-buckets",
        "500",
        "--ensemble-size",
        "1",
        "--out",
        str(out_dir),
        "--quiet",
    )
    assert code == 0 and "saved" in out
    card = json.loads((out_dir / "sst2_bilstm.card.json").read_text())
    assert card["metric"]["name"] == "accuracy" and card["training_time_s"] > 0
    assert card["train_command"].startswith("showcase train sentiment")
    code, out, _ = run_cli(
        capsys,
        "evaluate",
        "sentiment",
        "--checkpoint",
        str(out_dir / "sst2_bilstm.keras"),
        "--data",
        str(tiny_sst_dir),
        "--json",
    )
    result = json.loads(out)
    assert code == 0
    assert result["value"] == pytest.approx(card["metric"]["value"], abs=1e-4)


def test_train_writes_to_the_user_data_dir_by_default(tiny_sst_dir, capsys):
    from showcase import checkpoints

    code, _, _ = run_cli(
        capsys,
        "train",
        "sentiment",
        "--data",
        str(tiny_sst_dir),
        "--epochs",
        "1",
        "--embedding-dim",
        "8",
        "--lstm-units",
        "4",
        "--subword-buckets",
        "100",
        "--ensemble-size",
        "1",
        "--quiet",
    )
    assert code == 0
    assert (checkpoints.user_checkpoint_dir("sentiment") / "sst2_bilstm.keras").is_file()
    (checkpoints.user_checkpoint_dir("sentiment") / "sst2_bilstm.keras").unlink()


def test_evaluate_on_a_tiny_checkpoint_learned_the_words(tiny_checkpoint, tiny_sst_dir, capsys):
    code, out, _ = run_cli(
        capsys,
        "evaluate",
        "sentiment",
        "--checkpoint",
        str(tiny_checkpoint),
        "--data",
        str(tiny_sst_dir),
    )
    assert code == 0
    accuracy = float(out.split("accuracy ")[1].split()[0])
    assert accuracy > 0.9


def test_bench_prints_a_table(tiny_checkpoint, capsys):
    code, out, _ = run_cli(
        capsys, "bench", "sentiment", "--checkpoint", str(tiny_checkpoint), "--runs", "3", "--json"
    )
    assert code == 0
    rows = json.loads(out)["latency"]
    assert {row["case"] for row in rows} >= {"one sentence"}
    assert all(row["median_ms"] > 0 for row in rows)


def test_export_space_refuses_a_non_empty_folder(tmp_path, tiny_checkpoint, capsys):
    (tmp_path / "keep.txt").write_text("user work")
    code, _, err = run_cli(
        capsys, "export-space", "sentiment", str(tmp_path), "--checkpoint", str(tiny_checkpoint)
    )
    assert code == 2 and "not empty" in err
    assert (tmp_path / "keep.txt").read_text() == "user work"


def test_showcase_launch_serves_a_demo_with_the_users_own_checkpoint(tiny_checkpoint, tmp_path):
    """`showcase launch DEMO` finds a checkpoint the user trained in SHOWCASE_HOME. (All demos at
    once, the bare `showcase launch`, is the quality suite's hub fixture.)"""
    import os
    import shutil

    from tests.support import free_port, served

    home = tmp_path / "home"
    trained = home / "checkpoints" / "sentiment"
    trained.mkdir(parents=True)
    for suffix in (".keras", ".card.json"):
        shutil.copy(tiny_checkpoint.with_name("sst2_bilstm" + suffix), trained)
    port = free_port()
    command = [sys.executable, "-m", "showcase", "launch", "sentiment", "--port", str(port)]
    with served(command, port, env={**os.environ, "SHOWCASE_HOME": str(home)}) as client:
        label, _, _ = client.predict("the acting was brilliant", api_name="/sentiment_classify")
        assert label["label"] == "positive"


def test_the_cli_parser_does_not_import_tensorflow():
    code = (
        "import sys; from showcase import cli; cli.build_parser(); "
        "print('tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr
