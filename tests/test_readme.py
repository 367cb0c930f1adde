"""The README's Python code blocks run, in order, on made media."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import Media

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_readme_python_blocks_run(media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(media.cam_a, tmp_path / "cctv-cam1.mp4")  # the names the README uses
    shutil.copy(media.clip_a, tmp_path / "repost.mp4")
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks()
    assert len(blocks) >= 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    printed = capsys.readouterr().out
    first, second = printed.splitlines()[:2]
    assert first.startswith("miscaptioned ")  # the finding: a claimed date after the recording
    assert "2015-10-22" in first
    assert second.startswith("match ")  # result.verdict.value, result.confidence
    assert "eurotunnel-cam1" in printed and "gone.mp4 ['inconclusive']" in printed
    assert (tmp_path / "finding.html").stat().st_size > 1000
    assert '"verdict": "match"' in (tmp_path / "result.json").read_text("utf-8")
    assert printed.rstrip().endswith("match")  # the fingerprint file verified elsewhere
