"""docs/cli.md is what `python docs/make_cli_md.py` writes from the commands' --help."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("make_cli_md", ROOT / "docs" / "make_cli_md.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    current = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert current == expected, "docs/cli.md is stale: run `python docs/make_cli_md.py`"
    for command in ("provenance verify", "provenance library list", "provenance config"):
        assert f"## {command}\n" in current


def test_the_generator_has_help_and_a_check_mode(tmp_path: Path) -> None:
    """`make_cli_md.py --help` prints its usage and writes nothing; `--check` says whether
    docs/cli.md is current without writing it (audit 13, #17: --help rewrote the file)."""
    import subprocess
    import sys

    script = str(ROOT / "docs" / "make_cli_md.py")
    before = (ROOT / "docs" / "cli.md").stat().st_mtime_ns
    shown = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "--check" in shown.stdout and "wrote" not in shown.stdout
    checked = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (ROOT / "docs" / "cli.md").stat().st_mtime_ns == before
    wrong = subprocess.run([sys.executable, script, "--bogus"], capture_output=True, text=True)
    assert wrong.returncode == 2 and (ROOT / "docs" / "cli.md").stat().st_mtime_ns == before
