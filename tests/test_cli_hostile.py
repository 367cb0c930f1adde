"""Every expected failure of the CLI is one `Error:` line and one `Hint:` line with its exit code,
decided before any work where it can be; untrusted text never reaches the terminal raw."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.terminal import safe_text
from tests.conftest import Media

HOSTILE_TITLE = "\x1bc\x1b]0;owned\x07\x9b2J\u202eevil\rMATCH"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output + result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _one_error(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and lines[1].startswith("Hint: "), stderr


@pytest.fixture
def db(library_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "library.db"
    shutil.copy(library_path, path)
    return path


def _unsafe(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F
               or 0x202A <= ord(c) <= 0x202E for c in text)


def test_terminal_output_carries_no_control_characters(db: Path, media: Media,
                                                       tmp_path: Path) -> None:
    code, out, _ = run("library", "add", str(media.unrelated), "--id", "hostile", "--title",
                       HOSTILE_TITLE, "--source", "\x1b[31mred", "--db", str(db))
    assert code == 0
    for args in (["library", "list"], ["library", "show", "hostile"],
                 ["library", "show", "hostile", "--json"], ["library", "export"]):
        code, out, err = run(*args, "--db", str(db))
        assert code == 0 and not _unsafe(out + err), args
    code, out, _ = run("library", "show", "hostile", "--json", "--db", str(db))
    assert json.loads(out)["title"] == HOSTILE_TITLE  # JSON output keeps the exact value
    page = tmp_path / "page.html"
    page.write_text(f"<html><title>{HOSTILE_TITLE}</title><video src='{media.clip_a.name}'>"
                    "</video></html>")
    shutil.copy(media.clip_a, tmp_path / media.clip_a.name)
    code, out, err = run("article", str(page))
    assert code == 0 and not _unsafe(out + err) and "\\u001bc" in out


def test_a_name_or_title_with_a_line_break_prints_no_line_of_its_own(db: Path, media: Media,
                                                                     tmp_path: Path) -> None:
    # A desk audit: a file named "tanks_kyiv.mp4: authentic 0.99<newline>spoof.mp4" printed
    # "spoof.mp4"'s verdict as a line of its own in a batch, and a title with a line break a
    # row of `library list`.
    forged = tmp_path / "tanks_kyiv.mp4: authentic 0.99\nspoof.mp4"
    shutil.copy(media.unrelated, forged)
    code, out, _ = run("verify", str(forged), str(media.clip_a), "--db", str(db))
    assert code == 0, out
    assert not any(line.startswith("spoof.mp4") for line in out.splitlines()), out
    assert "tanks_kyiv.mp4: authentic 0.99\\nspoof.mp4: " in out
    code, out, _ = run("verify", str(forged), "--db", str(db))
    assert out.splitlines()[0].endswith("tanks_kyiv.mp4: authentic 0.99\\nspoof.mp4"), out
    code, _, _ = run("library", "add", str(media.unrelated), "--id", "lined", "--title",
                     "Car park\nfake-id  12.0 s  2015-09-16  Eurotunnel", "--db", str(db))
    assert code == 0
    code, out, _ = run("library", "list", "--db", str(db))
    assert not any(line.startswith("fake-id") for line in out.splitlines()), out


def test_safe_text_escapes_visibly() -> None:
    import io

    from provenance.terminal import SafeStream

    assert safe_text("a\x1bcb\n\tc\x9b") == "a\\u001bcb\n\tc\\u009b"
    out = io.StringIO()
    SafeStream(out).write("\r\x1b[?25limporting \x1b]0;t\x07 \r\x1b[?25h\n")  # a progress bar
    assert out.getvalue() == "\r\x1b[?25limporting \\u001b]0;t\\u0007 \\u000d\x1b[?25h\n"
    assert safe_text("id,file\r\ncam,a.mp4\r\n") == "id,file\r\ncam,a.mp4\r\n"  # CSV lines
    assert safe_text("done\rfake verdict") == "done\\u000dfake verdict"


@pytest.mark.parametrize("args", [
    ["verify", "{video}", "--report", "{missing}/r.html"],
    ["verify", "{video}", "--jsonld", "{missing}/r.jsonld"],
    ["fingerprint", "{video}", "-o", "{missing}/f.npz"],
    ["library", "export", "-o", "{missing}/m.json"],
    ["report", "{result}", "-o", "{missing}/r.html"],
])
def test_outputs_in_missing_folders_are_refused_before_the_work(
    args: list[str], db: Path, media: Media, tmp_path: Path
) -> None:
    result = tmp_path / "result.json"
    result.write_text(json.dumps({"verdict": "no-match"}))
    filled = [a.format(video=media.clip_a, missing=tmp_path / "nope", result=result)
              for a in args]
    code, _, err = run(*filled, *(["--db", str(db)] if args[0] in ("verify", "library")
                                  else []))
    assert code == 2
    _one_error(err)
    assert "does not exist" in err


MALFORMED_RESULTS = [
    "", "[]", "5", '"x"', "{}", '{"verdict": 1}', '{"results": 5}', '{"results": [1]}',
    '{"results": [{"verdict": "x"}]}', '{"results": [{"verdict": "match", "matches": 5}]}',
    '{"verdict": "match", "matches": [{"segments": "x"}]}', "[" * 5000 + "]" * 5000,
    '{"verdict": "match", "claims": [{"status": {}}]}', '{"verdict": null, "duration": "x"}',
]


@pytest.mark.parametrize("text", MALFORMED_RESULTS)
def test_malformed_results_are_errors(text: str, tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(text)
    code, _, err = run("report", str(path), "-o", str(tmp_path / "r.html"))
    if code:
        assert code == 2
        _one_error(err)


@pytest.mark.parametrize("size", ["nan", "1e400", "inf", "-1", "0", "2X", "", "9" * 400])
def test_bad_sizes_are_usage_errors(size: str, db: Path, media: Media) -> None:
    code, _, err = run("verify", str(media.clip_a), "--db", str(db), "--max-filesize", size)
    assert code == 2
    _one_error(err)


def test_bad_environment_numbers_are_usage_errors(db: Path, media: Media,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("PROVENANCE_FPS", "nan"), ("PROVENANCE_MAX_FILESIZE", "1e400"),
                        ("PROVENANCE_TIMEOUT", "-5"), ("PROVENANCE_ARTICLE_TIMEOUT", "inf")):
        monkeypatch.setenv(name, value)
        code, _, err = run("verify", str(media.clip_a), "--db", str(db))
        assert code == 2, name
        _one_error(err)
        monkeypatch.delenv(name)


def test_csv_fields_over_the_csv_default_limit(db: Path, media: Media, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"file,id,notes\n{media.unrelated},long,{'n' * 200_000}\n")
    code, out, err = run("library", "import", str(manifest), "--db", str(db))
    assert code == 0, err
    code, out, _ = run("library", "show", "long", "--json", "--db", str(db))
    assert len(json.loads(out)["notes"]) == 200_000


def test_fifo_as_db_is_refused_without_waiting(tmp_path: Path, media: Media) -> None:
    fifo = tmp_path / "lib.db"
    os.mkfifo(fifo)
    for args in (["library", "list"], ["library", "add", str(media.clip_a), "--id", "x"]):
        code, _, err = run(*args, "--db", str(fifo))
        assert code == 5
        _one_error(err)


def test_id_with_a_trailing_newline_is_refused(db: Path, media: Media) -> None:
    code, _, err = run("library", "add", str(media.unrelated), "--id", "cam-c\n", "--db", str(db))
    # a usage mistake (exit 2, as a bad date is), refused before any work; 5 is for libraries
    assert code == 2 and "not a valid original id" in err
    _one_error(err)


def test_the_same_file_under_another_id_is_already_in_the_library(db: Path,
                                                                  media: Media) -> None:
    code, out, _ = run("library", "add", str(media.cam_a), "--id", "again", "--db", str(db))
    assert code == 0 and "already in the library as cam-a" in out


def test_unreadable_input_is_an_error(db: Path, tmp_path: Path) -> None:
    for args in (["verify", "/proc/self/mem", "--db", str(db)],
                 ["library", "import", "/proc/self/mem", "--db", str(db)]):
        code, _, err = run(*args)
        assert code in (2, 4, 5), args
        _one_error(err)


def test_jsonld_nested_2000_deep_is_ignored(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    page.write_text('<script type="application/ld+json">' + "[" * 2000 + "]" * 2000
                    + "</script><video src='https://example.org/a.mp4'></video>")
    code, out, _ = run("article", str(page), "--json")
    assert code == 0 and json.loads(out)["videos"][0]["url"] == "https://example.org/a.mp4"


def test_escape_sequences_are_escaped_when_output_is_not_a_terminal(db: Path,
                                                                   tmp_path: Path) -> None:
    """Out of a terminal (a pipe, CliRunner) an ESC sequence in a file name is shown escaped,
    as on a terminal, never removed (audit 13, #16: click stripped it before the filter)."""
    name = str(tmp_path / "esc\x1b[31mRED\x1b[0m\x07.mp4")
    code, out, err = run("verify", name, "--db", str(db))
    shown = safe_text(name)
    assert shown in out + err and "escRED" not in out + err, out + err
    assert not _unsafe(out + err)


def test_output_piped_to_a_reader_that_went_away_stops_quietly(db: Path) -> None:
    # `provenance library list | head -1`: the reader closes the pipe before the list is written
    command = [sys.executable, "-c", "import sys; from provenance.cli import main; "
               "sys.exit(main())", "library", "list", "--db", str(db)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141  # as shells report SIGPIPE
    assert err == ""  # no "Error: Broken pipe", no traceback


def test_a_video_given_as_an_article_is_refused_with_the_command_to_use(media: Media) -> None:
    code, out, err = run("article", str(media.clip_a))
    assert code == 3 and not out  # not "no video found in the page" and exit 0
    assert "is not a web page" in err and f"provenance verify {media.clip_a}" in err
    _one_error(err)


@pytest.mark.parametrize("args", [
    ["verify", "{video}", "--claim-date", "2019-05-14T10:00:00+25:00"],
    ["verify", "{video}", "--claim-date", "2019-05-14 10:00 -2400/2019-05-15"],
    ["library", "update", "cam-a", "--recorded-at", "2015-09-16T02:13:00+02:75"],
    ["library", "add", "{video}", "--id", "x", "--published-at", "2015-09-16T02:13+24:00"],
])
def test_a_utc_offset_no_clock_has_is_refused_in_words(args: list[str], db: Path,
                                                      media: Media) -> None:
    """Not Python's "offset must be a timedelta strictly between -timedelta(hours=24)..."
    (a desk audit), and before any work."""
    code, out, err = run(*[a.format(video=media.clip_a) for a in args], "--db", str(db))
    assert code == 2 and not out
    _one_error(err)
    assert "is not a UTC offset" in err and "timedelta" not in err
    assert "Hint: write it as YYYY-MM-DD, an ISO datetime" in err
    code, _, err = run("library", "update", "cam-a", "--recorded-at",
                       "2015-09-16T02:13:00+02:00", "--db", str(db))
    assert code == 0, err


def test_a_file_that_is_no_fingerprint_says_what_one_is(db: Path, tmp_path: Path) -> None:
    """Not NumPy's advice to load the file with pickle (which runs what a file holds)."""
    import numpy as np

    garbage = tmp_path / "fake.npz"
    garbage.write_text("garbage\n")
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    for path, why in ((garbage, "not an .npz archive"), (other, "without a fingerprint's")):
        code, out, err = run("verify", str(path), "--db", str(db))
        assert code == 4 and not out
        _one_error(err)
        assert why in err and "pickle" not in err.lower()
        assert "provenance fingerprint VIDEO -o FILE.npz" in err


def test_an_empty_list_file_is_said_to_be_empty(db: Path, tmp_path: Path) -> None:
    comments = tmp_path / "list.txt"
    comments.write_text("# nothing yet\n\n")
    for listed in ("/dev/null", str(comments)):
        code, _, err = run("verify", "-a", listed, "--db", str(db))
        assert code == 2
        _one_error(err)
        assert f"the list file {listed} is empty" in err and "or -a FILE" not in err


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="needs Linux's /proc")
def test_an_output_in_a_folder_that_takes_no_file_names_the_path_given(
    db: Path, media: Media
) -> None:
    """/proc takes no new file, for root either: refused before the work, naming the path
    given (not "/proc/version.part", exit 1, after the verification was printed)."""
    code, out, err = run("verify", str(media.clip_a), "--db", str(db), "--report",
                         "/proc/version")
    assert code == 2 and not out
    _one_error(err)
    assert "cannot write /proc/version:" in err and ".part" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_an_error_naming_the_output(db: Path) -> None:
    code, _, err = run("library", "export", "-o", "/dev/full", "--db", str(db))
    assert code == 2
    _one_error(err)
    assert "cannot write /dev/full (No space left on device)" in err and "disk is full" in err
    # standard output on a full disk, in a real process (`provenance library list > /dev/full`)
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", "import sys; from provenance.cli import "
                               "main; sys.exit(main())", "library", "list", "--db", str(db)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    _one_error(done.stderr)
    assert "cannot write standard output" in done.stderr and "disk is full" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_report_written_to_a_device_leaves_the_device(db: Path, media: Media,
                                                        tmp_path: Path) -> None:
    """`--report /dev/null` as root: the report is written into the device, which a rename of
    the finished file into place would have replaced with a file."""
    import stat

    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, _, err = run("verify", str(media.clip_a), "--db", str(db), "--report", str(device))
    assert code == 0, err
    assert stat.S_ISCHR(device.stat().st_mode)
    assert not (tmp_path / "null.part").exists()
