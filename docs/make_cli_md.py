"""Write docs/cli.md from the commands' own --help (run `python docs/make_cli_md.py`;
`--check` only says whether it is current).

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


def run(argv: list[str] | None = None) -> int:
    """The script's command line: write docs/cli.md, or with --check only say whether it is
    current (exit 1 when it is not)."""
    import argparse

    parser = argparse.ArgumentParser(
        description="Write docs/cli.md from the `provenance` commands' own --help.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if docs/cli.md is not what would be written")
    args = parser.parse_args(argv)
    target = ROOT / "docs" / "cli.md"
    text = render()
    if args.check:
        current = target.read_text("utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is stale: run `python docs/make_cli_md.py`")
            return 1
        print(f"{target} is current")
        return 0
    target.write_text(text, "utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
