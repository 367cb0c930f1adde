"""Batch verify: many inputs in one process, JSON Lines, resume after a real Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import verify_each
from provenance.batch import done_inputs, expand_inputs, read_batch_file
from provenance.cli import main
from provenance.errors import SettingsError
from tests.conftest import Media

_CLI = "import sys; from provenance.cli import main; sys.exit(main())"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("batch-site")
    shutil.copy(media.clip_a, root / "clip.mp4")
    (root / "story.html").write_text("<html><head><title>Night at the terminal</title></head>"
                                     "<body><video src='clip.mp4'></video></body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_batch_of_files_folder_list_and_urls(media: Media, library_path: Path, site: str,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "reposts"
    folder.mkdir()
    shutil.copy(media.cam_a_later, folder / "later.mp4")
    (folder / "notes.txt").write_text("not an input")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# checked on Monday\n{site}/story.html\n\n{site}/gone.mp4  \n"
                       f"{media.not_video}\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, [
        "--cache-dir", str(tmp_path / "cache"), "verify", str(media.clip_a),
        str(media.unrelated), str(folder), "-a", str(listing), "--db", str(library_path),
        "--jsonl", str(out)])
    assert result.exit_code == 7, result.stderr  # some inputs failed
    lines = {line["input"]: line for line in _lines(out)}
    assert list(lines) == [str(media.clip_a), str(media.unrelated), str(folder / "later.mp4"),
                           f"{site}/story.html", f"{site}/gone.mp4", str(media.not_video)]
    assert lines[str(media.clip_a)]["verdict"] == "match"
    assert lines[str(media.unrelated)]["verdict"] == "no-match"
    assert lines[str(folder / "later.mp4")]["verdict"] == "same-scene"
    (video,) = lines[f"{site}/story.html"]["results"]  # type: ignore[misc]
    assert video["verdict"] == "match" and video["query"] == f"{site}/clip.mp4"
    gone, broken = lines[f"{site}/gone.mp4"], lines[str(media.not_video)]
    assert gone["verdict"] == broken["verdict"] == "inconclusive"
    assert "404" in str(gone["error"]) and "not a video" in str(broken["error"])
    assert broken["hint"] and str(broken["reason"]).startswith("could not be verified")
    assert "6 of 6 input(s) done, 2 failed" in result.stderr
    # counted by the finding's rating (the 4 % crop of clip_a is not an edit a reader must know)
    # a video that could not be verified is counted as failed, not inconclusive (a desk audit)
    for count in ("2 authentic", "2 failed", "1 unverified", "1 same-scene"):
        assert count in result.stderr
    assert "inconclusive" not in result.stderr
    assert f"{media.not_video}: failed (" in result.stdout


def test_ctrl_c_leaves_whole_lines_and_resume_does_each_input_once(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    inputs = []
    for number in range(6):
        copy = tmp_path / f"in{number}.mp4"
        shutil.copy(media.cam_a if number % 2 else media.cam_b, copy)
        inputs.append(str(copy))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-c", _CLI, "verify", *inputs, "--db", str(library_path),
               "--jsonl", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 120
    while (not out.exists() or not out.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "run again with --resume" in err
    first = _lines(out)  # every line whole JSON
    assert 1 <= len(first) < len(inputs)
    result = CliRunner().invoke(main, ["verify", *inputs, "--db", str(library_path),
                                       "--jsonl", str(out), "--resume"])
    assert result.exit_code == 0, result.stderr
    assert f"{len(first)} of {len(inputs)} input(s) already in" in result.stderr
    done = [line["input"] for line in _lines(out)]
    assert sorted(done) == sorted(inputs)  # all of them, none twice
    assert done[:len(first)] == [line["input"] for line in first]


def test_a_batch_does_not_write_over_earlier_results(media: Media, library_path: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    earlier = '{"input": "a.mp4", "verdict": "match"}\n'
    out.write_text(earlier)
    result = CliRunner().invoke(main, ["verify", str(media.clip_a), "--jsonl", str(out),
                                       "--db", str(library_path)])
    assert result.exit_code == 2 and "already holds results" in result.stderr
    assert "--resume" in result.stderr and out.read_text() == earlier
    resumed = CliRunner().invoke(main, ["verify", str(media.clip_a), "--jsonl", str(out),
                                        "--resume", "--db", str(library_path)])
    assert resumed.exit_code == 0, resumed.stderr
    assert [line["input"] for line in _lines(out)] == ["a.mp4", str(media.clip_a)]


def test_resume_drops_a_line_cut_short(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"input": "a.mp4", "verdict": "match"}\n{"input": "b.mp4", "verd')
    assert done_inputs(str(out)) == {"a.mp4"}
    assert out.read_text() == '{"input": "a.mp4", "verdict": "match"}\n'


def test_resume_refuses_a_file_that_is_not_results(tmp_path: Path) -> None:
    out = tmp_path / "notes.jsonl"
    out.write_text('{"input": "a.mp4"}\nmy notes\n{"input": "b.mp4"}\n')
    with pytest.raises(SettingsError, match="line 2 of"):
        done_inputs(str(out))
    assert out.read_text().endswith('{"input": "b.mp4"}\n')  # left as it was


def test_jsonl_to_stdout(media: Media, library_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", str(media.clip_a), str(media.unrelated),
                                       "--jsonl", "-", "--db", str(library_path)])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["verdict"] for line in lines] == ["match", "no-match"]


def test_resume_needs_an_output_file(media: Media, library_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", str(media.clip_a), "--resume", "--jsonl", "-",
                                       "--db", str(library_path)])
    assert result.exit_code == 2 and "--jsonl FILE" in result.stderr
    # without --jsonl at all, one input: said, not silently ignored (a desk audit)
    alone = CliRunner().invoke(main, ["verify", str(media.clip_a), "--resume",
                                      "--db", str(library_path)])
    assert alone.exit_code == 2 and "--jsonl FILE" in alone.stderr and not alone.stdout


def test_inputs_from_lists_and_folders(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# comment\n\n  a.mp4 \nhttps://x.org/v\n#https://skipped\na.mp4\n")
    assert read_batch_file(str(listing)) == ["a.mp4", "https://x.org/v", "a.mp4"]
    (tmp_path / "b.MP4").write_bytes(b"")
    (tmp_path / "c.npz").write_bytes(b"")
    assert expand_inputs(["a.mp4", str(tmp_path), "a.mp4"]) == [
        "a.mp4", str(tmp_path / "b.MP4"), str(tmp_path / "c.npz")]


def test_python_api_yields_each_result(media: Media, library_path: Path) -> None:
    def queries() -> Iterator[str]:  # any iterable: a generator is read as it goes
        yield str(media.clip_a)
        yield str(media.not_video)

    items = verify_each(queries(), str(library_path))
    first = next(items)
    assert first.error is None and first.results[0].verdict.value == "match"
    second = next(items)
    assert second.failed and second.error is not None
    assert second.results[0].verdict.value == "inconclusive"
    assert second.payload()["input"] == str(media.not_video)
    assert list(items) == []


def test_fingerprint_file_is_a_query(media: Media, library_path: Path, tmp_path: Path) -> None:
    npz = tmp_path / "clip.npz"
    runner = CliRunner()
    assert runner.invoke(main, ["fingerprint", str(media.clip_a), "-o", str(npz)]).exit_code == 0
    result = runner.invoke(main, ["verify", str(npz), "--db", str(library_path), "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "match" and report["matches"][0]["reference_id"] == "cam-a"
    assert "local-feature stage" in report["reason"] and report["video_path"] is None
    fake = tmp_path / "fake.npz"
    fake.write_bytes(os.urandom(2000))
    result = runner.invoke(main, ["verify", str(fake), "--db", str(library_path)])
    assert result.exit_code == 4 and "not a provenance fingerprint" in result.stderr
    # a cut-off archive, or one whose compressed data is damaged: an error of that input, and
    # the batch goes on (a desk audit: BadZipFile and zlib's error stopped it with a traceback)
    data = npz.read_bytes()
    cut, damaged = tmp_path / "cut.npz", tmp_path / "damaged.npz"
    cut.write_bytes(data[:len(data) // 3])
    damaged.write_bytes(bytes(b ^ 0x5A if 200 <= i < len(data) - 200 and i % 97 == 0 else b
                              for i, b in enumerate(data)))
    result = runner.invoke(main, ["verify", str(cut), str(damaged), str(npz), "--db",
                                  str(library_path), "--jsonl", str(tmp_path / "out.jsonl")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [line["verdict"] for line in lines] == ["inconclusive", "inconclusive", "match"]
    assert all("not a provenance fingerprint" in line["error"] for line in lines[:2])


def test_a_list_file_comment_is_a_whole_line_and_the_help_says_so(tmp_path: Path) -> None:
    """Only a line starting with `#` is a comment: a `#` after an input is part of it (file
    names such as `clip #2.mp4`, URL fragments), and the help says exactly that (audit 13, #12:
    it said "`#` starts a comment"). A missing input with a `#` in it says why in its hint."""
    from provenance.acquire import local_video
    from provenance.errors import MediaError

    listing = tmp_path / "list.txt"
    listing.write_text("# a comment\n   # indented, still one\nclip #2.mp4\n"
                       "https://x.example/v.mp4#t=3\nmissing.mp4   # gone\n")
    assert read_batch_file(str(listing)) == ["clip #2.mp4", "https://x.example/v.mp4#t=3",
                                             "missing.mp4   # gone"]
    shown = " ".join(CliRunner().invoke(main, ["verify", "--help"]).stdout.split())
    assert "a line starting with `#` is a comment" in shown
    with pytest.raises(MediaError) as caught:
        local_video("missing.mp4   # gone")
    assert "only a line starting with `#` is a comment" in caught.value.hint
