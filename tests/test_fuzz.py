"""Fuzzing the parsers of untrusted input with hypothesis: the article finder, the manifest
readers, `provenance report`'s input and the settings parsers. Each gives a result or a clear
error (ProvenanceError, or Error:/Hint: from the CLI), never a traceback.

Bounded: FUZZ_EXAMPLES per test (2,500 cases), no example database written, about 7 s of CPU.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from provenance.acquire import find_videos, page_text
from provenance.cli import main
from provenance.errors import ProvenanceError, SettingsError
from provenance.library.manifest import read_manifest
from provenance.models import VideoRef
from provenance.settings import Settings, load_settings, parse_size
from tests.conftest import Media

FUZZ_EXAMPLES = 500
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=25,
)
hostile_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.sampled_from([
    "\x1bc", "\x1b]0;x\x07", "javascript:alert(1)", "</script><script>", "http://[::1",
    "//evil.example/a.mp4", "file:///etc/passwd", "https://youtube.com/embed/abcdefg",
    "https://www.facebook.com/plugins/video.php?href=http://[", "data:video/mp4;base64,AA",
    "\x00", "a" * 3000, "../../x.mp4", "https://x.com/i/status/1?id=2",
])
_TAGS = ["video", "source", "iframe", "embed", "object", "meta", "a", "base", "script", "title",
         "p", "div"]
_ATTRS = ["src", "href", "data", "content", "property", "name", "type"]


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(st.sampled_from(_TAGS))
        attrs = " ".join(f'{draw(st.sampled_from(_ATTRS))}="{draw(hostile_text)}"'
                         for _ in range(draw(st.integers(0, 3))))
        if tag == "script" and draw(st.booleans()):
            body = json.dumps(draw(json_values)) if draw(st.booleans()) else draw(hostile_text)
            parts.append(f'<script type="application/ld+json">{body}</script>')
        else:
            parts.append(f"<{tag} {attrs}>{draw(hostile_text)}</{tag}>")
        if draw(st.integers(0, 9)) == 0:
            parts.append(draw(hostile_text))  # stray text, unclosed tags
    return "".join(parts)


@FUZZ
@given(page=html_pages(), base=st.sampled_from(["https://news.example/a/b.html",
                                                "file:///tmp/page.html", "not a url", ""]))
def test_article_finder_gives_references_or_nothing(page: str, base: str) -> None:
    refs = find_videos(page, base, lambda url: "supported" in url)
    assert all(isinstance(r, VideoRef) for r in refs)
    assert all(r.url.split(":", 1)[0] in ("http", "https", "file") for r in refs)
    title, text = page_text(page)
    assert isinstance(title, str) and isinstance(text, str)


csv_cells = st.text(alphabet=string.printable + "é\u202e\x00", max_size=30)


@FUZZ
@given(rows=st.lists(st.lists(csv_cells, max_size=5), max_size=6),
       header=st.lists(st.sampled_from(["file", "id", "title", "notes", "x", ""]), max_size=6),
       raw=st.text(max_size=200), kind=st.sampled_from(["csv", "json", "raw-csv", "raw-json"]),
       records=json_values)
def test_manifest_readers_give_rows_or_a_library_error(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], header: list[str],
    raw: str, kind: str, records: Any
) -> None:
    folder = tmp_path_factory.mktemp("manifest")
    if kind == "csv":
        path = folder / "m.csv"
        path.write_text("\n".join(",".join(r) for r in [header, *rows]))
    elif kind == "json":
        path = folder / "m.json"
        path.write_text(json.dumps(records if not isinstance(records, dict) else [records]))
    else:
        path = folder / ("m.csv" if kind == "raw-csv" else "m.json")
        path.write_text(raw)
    try:
        parsed = read_manifest(path)
    except ProvenanceError as error:
        assert error.message and "\n" not in error.message
        return
    for row in parsed:
        assert (row.original is None) == bool(row.error)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[path[0]] = _replace(node[path[0]], path[1:], value)
    return copy


@pytest.fixture(scope="module")
def real_result(media: Media, library_path: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> dict[str, Any]:
    """A real `verify --json` result (a match with segments, claims and originals), pointing at
    no video file so rendering it does not decode."""
    result = CliRunner().invoke(main, ["verify", str(media.clip_a), "--db", str(library_path),
                                       "--json"])
    payload = json.loads(result.stdout)
    payload["video_path"] = "/nonexistent/query.mp4"
    for match in payload.get("matches", []):
        match["file"] = "/nonexistent/original.mp4"
    return dict(payload)


@FUZZ
@given(data=st.data())
def test_report_input_gives_a_report_or_one_error(
    real_result: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    payload: Any = real_result
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(payload)
        where = data.draw(st.sampled_from(paths))
        payload = _replace(payload, where, data.draw(json_values | hostile_text))
    if data.draw(st.booleans()):
        payload = {"results": [payload], "article": data.draw(hostile_text)}
    folder = tmp_path_factory.mktemp("report")
    (folder / "result.json").write_text(json.dumps(payload))
    result = CliRunner().invoke(main, ["report", str(folder / "result.json"), "-o",
                                       str(folder / "r.html"), "--jsonld", str(folder / "r.ld")])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        payload, result.exception)
    event(f"exit {result.exit_code}")
    if result.exit_code:
        assert result.exit_code == 2 and result.stderr.startswith("Error: "), result.stderr
    else:
        assert (folder / "r.html").is_file() and (folder / "r.ld").is_file()


size_texts = st.one_of(
    st.text(max_size=12),
    st.builds(lambda n, u: f"{n}{u}", st.floats(allow_nan=True, allow_infinity=True)
              | st.integers(), st.sampled_from(["", "K", "M", "G", "KB", "MiB", "b", "T", " "])),
)


@FUZZ
@given(text=size_texts)
def test_size_parser_gives_a_size_or_a_settings_error(text: str) -> None:
    try:
        size = parse_size(text)
    except SettingsError as error:
        assert error.hint
        return
    assert isinstance(size, int) and size > 0


@FUZZ
@given(env=st.dictionaries(st.sampled_from(["PROVENANCE_FPS", "PROVENANCE_MAX_FILESIZE",
                                            "PROVENANCE_TIMEOUT", "PROVENANCE_ARTICLE_TIMEOUT"]),
                           size_texts, max_size=4),
       fps=st.none() | st.floats(), timeout=st.none() | st.floats())
def test_settings_give_settings_or_a_settings_error(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], fps: float | None,
    timeout: float | None
) -> None:
    for name in ("PROVENANCE_FPS", "PROVENANCE_MAX_FILESIZE", "PROVENANCE_TIMEOUT",
                 "PROVENANCE_ARTICLE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        if "\x00" not in value:
            monkeypatch.setenv(name, value)
    try:
        loaded = load_settings(sample_fps=fps, download_timeout=timeout)
    except SettingsError as error:
        assert error.message and error.hint
        return
    assert isinstance(loaded, Settings) and loaded.max_filesize > 0
    assert 0 < loaded.sample_fps and 0 < loaded.download_timeout < float("inf")


def test_a_report_from_a_newer_schema_or_too_large_is_refused_before_parsing(
        real_result: dict[str, Any], tmp_path: Path) -> None:
    from provenance.cli import MAX_RESULT_FILE

    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**real_result, "schema_version": 99}))
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:  # sparse: its size without writing it
        handle.truncate(MAX_RESULT_FILE + 1)
    for path, says in ((newer, "written by a newer provenance"), (huge, "larger than any")):
        result = CliRunner().invoke(main, ["report", str(path), "-o", str(tmp_path / "r.html")])
        assert result.exit_code == 2 and says in result.stderr.splitlines()[0]
        assert result.stderr.splitlines()[1].startswith("Hint: ")
