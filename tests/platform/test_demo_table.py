"""The README's demo table is generated from the model cards, so its figures never go stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from showcase import demo_table

README = Path(__file__).resolve().parents[2] / "README.md"
# The subprocesses import the same showcase as this test (a checkout or the installed copy).
ENV = {**os.environ, "PYTHONPATH": str(Path(demo_table.__file__).resolve().parents[1])}


def test_readme_table_matches_the_cards():
    generated = demo_table.render()
    in_readme = demo_table.extract(README.read_text(encoding="utf-8"))
    assert in_readme is not None, "README.md lost its demo-table markers"
    assert in_readme == generated, (
        "README.md's demo table differs from the model cards; "
        "run `python -m showcase.demo_table --write README.md`"
    )


def test_every_demo_and_shipped_checkpoint_has_a_row():
    table = demo_table.render()
    for name, demo in demo_table.registry.DEMOS.items():
        assert f"| `{name}` |" in table
        assert f"docs/demos/{name}.md" in table
        for checkpoint in demo.checkpoint_names:
            assert f"`{checkpoint}`" in table
    assert "no card" not in table
    assert "../" not in table, "paths from the cards are shortened"


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "showcase.demo_table", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        check=False,
    )


def test_write_replaces_only_between_the_markers(tmp_path):
    before = "# Title\n\nintro text\n\n"
    after = "\n\n## Next\n\nmore text\n"
    target = tmp_path / "README.md"
    target.write_text(
        f"{before}{demo_table.START}\nan old table | 1 |\n{demo_table.END}{after}", encoding="utf-8"
    )
    result = run("--write", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert text == f"{before}{demo_table.START}\n{demo_table.render()}\n{demo_table.END}{after}"
    # A second run finds nothing to change.
    assert run("--write", str(target), cwd=tmp_path).returncode == 0
    assert target.read_text(encoding="utf-8") == text


def test_missing_markers_exit_2_with_one_line(tmp_path):
    target = tmp_path / "README.md"
    target.write_text("# no markers here\n", encoding="utf-8")
    result = run("--write", str(target), cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "markers" in result.stderr
    assert target.read_text(encoding="utf-8") == "# no markers here\n"


def test_printing_imports_no_tensorflow(tmp_path):
    code = (
        "import sys, runpy; sys.argv = ['demo_table']\n"
        "try:\n    runpy.run_module('showcase.demo_table', run_name='__main__')\n"
        "except SystemExit as done:\n    assert done.code == 0, done.code\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=ENV,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "| demo |" in result.stdout
