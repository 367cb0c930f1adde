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
