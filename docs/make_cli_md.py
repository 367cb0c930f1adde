"""Write docs/cli.md from the commands' own --help (run `python docs/make_cli_md.py`).

tests/test_cli_docs.py fails when docs/cli.md is not what this script writes: change a help
text, run the script, commit both.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.cli import main  # noqa: E402

# Help is rendered at a fixed width so the file does not depend on the terminal it was made in.
WIDTH = 80


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def render() -> str:
    parts = ["# Command-line reference\n",
             "Generated from `provenance --help` by `python docs/make_cli_md.py`; "
             "`tests/test_cli_docs.py` checks it is current. Shell completion: see the README.\n"]
    for path in [(), *_commands(main)]:
        result = CliRunner().invoke(main, [*path, "--help"], prog_name="provenance",
                                    terminal_width=WIDTH)
        if result.exit_code != 0:
            raise SystemExit(f"provenance {' '.join(path)} --help failed: {result.output}")
        title = " ".join(("provenance", *path))
        parts.append(f"## {title}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    (ROOT / "docs" / "cli.md").write_text(render(), "utf-8")
    print(f"wrote {ROOT / 'docs' / 'cli.md'}")
