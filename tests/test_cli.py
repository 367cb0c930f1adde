"""The command line, in process with click's CliRunner."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from provenance import __version__
from provenance.cli import main
from tests.conftest import Media


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(library_path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "library.db"
    shutil.copy(library_path, copy)
    return copy


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append(prefix + (name,))
        if isinstance(command, click.Group):
            found.extend(_commands(command, prefix + (name,)))
    return found


def test_version_and_help_on_every_command() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    for path in [(), *_commands(main)]:
        code, out, _ = run(*path, "--help")
        assert code == 0, path
        assert "Usage:" in out and len(out.splitlines()) > 3, path


def test_verify_finds_a_cut_clip_within_a_second(media: Media, db: Path) -> None:
    code, out, err = run("verify", media.clip_a, "--db", db, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["verdict"] == "match"
    (match,) = report["matches"]
    assert match["reference_id"] == "cam-a" and 0 < match["score"] <= 1
    (segment,) = match["segments"]
    assert abs(segment["query_start"] - 0.0) <= 1.0
    assert abs(segment["query_end"] - 12.0) <= 1.0
    assert abs(segment["reference_start"] - 8.0) <= 1.0
    assert abs(segment["reference_end"] - 20.0) <= 1.0


def test_verify_text_output_reads_at_a_glance(media: Media, db: Path) -> None:
    code, out, _ = run("verify", media.clip_a, "--db", db)
    assert code == 0
    assert "MATCH" in out and "cam-a" in out
    start = re.search(r"query 00:00\.\d\d-00:1\d\.\d\d  <-  original 00:(\d\d\.\d\d)", out)
    assert start and abs(float(start.group(1)) - 8.0) <= 1.0


def test_unrelated_footage_is_no_match(media: Media, db: Path) -> None:
    code, out, _ = run("verify", media.unrelated, "--db", db, "--json", "--check")
    report = json.loads(out)
    assert report["verdict"] == "no-match" and report["matches"] == []
    assert code == 10  # --check: the verdict is not a match


def test_same_camera_other_moment_is_not_a_match(media: Media, db: Path) -> None:
    code, out, _ = run("verify", media.cam_a_later, "--db", db, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["verdict"] == "same-scene" and report["matches"] == []
    assert report["same_scene"][0]["reference_id"] == "cam-a"


def test_library_add_list_show_remove(media: Media, tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    code, out, err = run("library", "add", media.cam_b, "--id", "fence-cam", "--title", "Fence",
                         "--source", "Operator", "--recorded-at", "2015-09-16", "--db", db)
    assert code == 0, err
    assert "added fence-cam" in out
    code, out, err = run("library", "add", media.cam_b, "--id", "again", "--source", "Other",
                         "--db", db)
    assert code == 0 and "already in the library as fence-cam" in out
    # the hint's command works as printed: on this library, not the default one
    assert f"`provenance library update fence-cam --source Other --db {db}`" in err
    code, out, _ = run("library", "list", "--db", db, "--json")
    (entry,) = json.loads(out)
    assert entry["id"] == "fence-cam" and entry["width"] == 480 and entry["duration"] > 29
    code, out, _ = run("library", "show", "fence-cam", "--db", db)
    assert code == 0 and "2015-09-16" in out
    assert "announced_duration" not in out  # 0.0: decoded whole, nothing to say (a desk audit)
    code, out, _ = run("library", "remove", "fence-cam", "--db", db)
    assert code == 0 and "removed fence-cam" in out
    code, out, _ = run("library", "list", "--db", db)
    assert "the library is empty" in out
    # A verify against it says so, not only "nothing in the library explains this footage".
    code, out, _ = run("verify", media.cam_b, "--db", db, "--json")
    report = json.loads(out)
    assert report["verdict"] == "no-match" and "the library is empty" in \
        report["finding"]["summary"] and any("the library is empty" in s
                                             for s in report["skipped"])


def test_reindex_of_a_moved_file_hints_the_add_that_keeps_its_metadata(
        media: Media, tmp_path: Path) -> None:
    db, moved = tmp_path / "desk.db", tmp_path / "fence.mp4"
    shutil.copy(media.cam_b, moved)
    code, _, err = run("library", "add", moved, "--id", "fence-cam", "--title", "Fence cam",
                       "--recorded-at", "16/09/2015", "--db", db)
    assert code == 0, err
    moved.rename(tmp_path / "elsewhere.mp4")
    code, _, err = run("library", "reindex", "fence-cam", "--db", db)
    assert code == 5 and "is not on disk" in err
    # following the hint as printed keeps the title and date (the desk audit lost them)
    assert (f"`provenance library add FILE --id fence-cam --title 'Fence cam' --recorded-at "
            f"2015-09-16 --db {db}`") in err


def test_fingerprint_command_writes_file(media: Media, db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "a.npz"
    code, out, _ = run("fingerprint", media.unrelated, "-o", out_file)
    assert code == 0 and out_file.stat().st_size > 0 and "samples" in out
    # verified from it, the finding's own line says what was not searched without the pixels
    code, out, err = run("verify", out_file, "--db", db)
    assert code == 0, err
    finding = out.splitlines()[1]
    assert finding.lstrip().startswith("UNVERIFIED") and "Not examined: crops" in finding
    assert "verify the video itself" in finding


@pytest.mark.parametrize(
    "name, code, message",
    [("not_video", 4, "not a video"), ("empty", 4, "empty.mp4"),
     ("no_frames", 4, "no_frames.mp4")],
)
def test_bad_videos_exit_4_with_one_line_error(media: Media, db: Path, name: str, code: int,
                                               message: str) -> None:
    exit_code, out, err = run("verify", getattr(media, name), "--db", db)
    assert exit_code == code
    first = err.splitlines()[0]
    assert first.startswith("Error: ") and message in first
    assert "Traceback" not in err


def test_missing_file_and_unknown_id(media: Media, db: Path, tmp_path: Path) -> None:
    code, _, err = run("verify", tmp_path / "absent.mp4", "--db", db)
    assert code == 4 and "no such file" in err
    code, _, err = run("library", "show", "nope", "--db", db)
    assert code == 5 and "Error: no original with id 'nope'" in err and "Hint:" in err
    code, _, err = run("library", "remove", "nope", "--db", db)
    assert code == 5


def test_bad_db_is_refused_and_left_untouched(media: Media, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00\x01 not sqlite at all" * 100)
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    for args in (("verify", media.clip_a), ("library", "list"),
                 ("library", "add", media.cam_a, "--id", "x")):
        code, _, err = run(*args, "--db", bad)
        assert code == 5, args
        assert "not a provenance library" in err and "untouched" in err
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before
    code, _, err = run("library", "list", "--db", tmp_path)
    assert code == 2 and "is a directory" in err  # a usage error, caught by click


def test_debug_shows_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--debug", "library", "list", "--db",
                                       str(tmp_path / "none.db")])
    assert result.exit_code != 0 and result.exception is not None


def test_keyframes_one_per_shot_with_times(tmp_path: Path) -> None:
    from provenance.demo import default_samples_dir

    out = tmp_path / "keys"
    code, stdout, err = run("keyframes", default_samples_dir() / "repost.mp4", "-o", out)
    assert code == 0, err
    manifest = json.loads((out / "keyframes.json").read_text())
    shots = manifest["keyframes"]
    truth = json.loads((Path(__file__).parent / "repost.truth.json").read_text())
    assert len(shots) == len(truth)  # one shot per montage piece
    for shot, piece in zip(shots, truth, strict=True):
        assert abs(shot["start"] - piece["query_start"]) <= 0.3
        assert shot["start"] <= shot["time"] < shot["end"]
        assert (out / shot["file"]).read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    # the last shot ends where the video does, as verify says (not a sample step after)
    from provenance.fingerprint import fingerprint_video

    assert shots[-1]["end"] == pytest.approx(
        fingerprint_video(str(default_samples_dir() / "repost.mp4"), 4.0).duration, abs=0.001)
    # into the same folder again, from another video: the earlier pictures go, the user's own
    # files stay (a desk audit: old keyframes stayed beside a keyframes.json without them)
    (out / "notes.txt").write_text("mine")
    other = default_samples_dir() / "originals" / "calais-cam2-fence.mp4"
    code, _, err = run("keyframes", other, "-o", out)
    assert code == 0, err
    listed = {k["file"] for k in json.loads((out / "keyframes.json").read_text())["keyframes"]}
    assert {p.name for p in out.glob("*.jpg")} == listed
    assert (out / "notes.txt").read_text() == "mine"


def test_keyframes_of_a_bad_file_write_nothing(media: Media, tmp_path: Path) -> None:
    out = tmp_path / "keys"
    code, _, err = run("keyframes", media.not_video, "-o", out)
    assert code == 4 and "Error:" in err
    assert not out.exists()


def test_library_import_adds_good_rows_and_reports_bad_ones(media: Media, tmp_path: Path) -> None:
    manifest = tmp_path / "originals.csv"
    shutil.copy(media.cam_a, tmp_path / "cam_a.mp4")
    manifest.write_text(
        "file,id,title,source,recorded_at\n"
        "cam_a.mp4,cam-a,Camera A,Operator,2015-09-16\n"
        f"{media.not_video},notes,Not a video,x,\n"
        "missing.mp4,gone,Missing,x,\n"
        f"{media.cam_b},bad id!,Bad id,x,\n"
        f"{media.cam_b},cam-b,Camera B,Operator,2015-09-15\n"
        f"{media.cam_b},cam-b-again,Same file,Operator,\n"
        ",no-file,,,\n"
        ",,,,\n")
    db = tmp_path / "lib.db"
    code, out, err = run("library", "import", manifest, "--db", db)
    assert code == 6
    assert "added 2, already present 1, failed 5 of 8 rows" in out
    assert "row 3 (notes): " in err and "not a video" in err
    assert "row 4 (gone): " in err and "no such file" in err
    assert "row 5 (bad id!): " in err and "not a valid original id" in err
    # a row refused before its original is made is still named by the id it gives
    assert "row 8 (no-file): no `file` given" in err
    assert "row 9 (no id): no `file` given" in err
    code, out, _ = run("library", "list", "--db", db, "--json")
    assert sorted(o["id"] for o in json.loads(out)) == ["cam-a", "cam-b"]
    assert json.loads(out)[0]["file"] == str(tmp_path / "cam_a.mp4")


def test_rows_refused_before_any_work_are_named_by_their_id(media: Media,
                                                            tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps([{"id": "nofile"}, "text", {
        "file": str(media.cam_a), "id": "bad-point", "latitude": "abc"}]))
    code, out, err = run("library", "import", manifest, "--db", tmp_path / "lib.db", "--json")
    assert code == 6
    assert [(f["row"], f["id"]) for f in json.loads(out)["failed"]] == [
        (1, "nofile"), (2, ""), (3, "bad-point")]


@pytest.mark.parametrize("text, says", [
    ('{"file": "x.mp4", "id": "x"}', "a JSON manifest is a list of objects, not an object"),
    ('[{"file": "x.mp4",\n', "is not valid JSON"),
    ("id,title\ncam,Camera\n", "the CSV header has no `file` column"),
])
def test_a_manifest_that_cannot_be_read_is_a_usage_error_and_makes_no_library(
        text: str, says: str, tmp_path: Path) -> None:
    manifest = tmp_path / ("m.csv" if text.startswith("id") else "m.json")
    manifest.write_text(text)
    code, out, err = run("library", "import", manifest, "--db", tmp_path / "lib.db")
    lines = err.strip().splitlines()
    assert code == 2 and not out
    assert lines[0].startswith("Error: ") and says in lines[0], err
    assert len(lines) == 2 and lines[1].startswith("Hint: "), err
    assert not (tmp_path / "lib.db").exists()


def test_nothing_added_to_a_new_library_leaves_no_library(media: Media, tmp_path: Path) -> None:
    """A failed add or import into a library it made removes it again: a later command would
    take the empty file for the library it meant. One that was there stays."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"file,id\nmissing.mp4,gone\n{media.not_video},nv\n")
    db = tmp_path / "new.db"
    code, out, _ = run("library", "import", manifest, "--db", db)
    assert code == 6 and "failed 2 of 2 rows" in out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("new.db")]
    code, _, _ = run("library", "add", media.not_video, "--id", "nv", "--db", db)
    assert code == 4 and not db.exists()
    code, _, err = run("library", "add", media.cam_a, "--id", "cam-a", "--db", db)
    assert code == 0, err
    code, _, _ = run("library", "import", manifest, "--db", db)
    assert code == 6 and db.exists()  # a library that was there is left as it is
    code, out, _ = run("library", "list", "--db", db, "--json")
    assert [o["id"] for o in json.loads(out)] == ["cam-a"]


def test_library_export_round_trips_and_stats(library_path: Path, tmp_path: Path) -> None:
    exported = tmp_path / "export.json"
    code, _, _ = run("library", "export", "--db", library_path, "-o", exported)
    assert code == 0
    rows = json.loads(exported.read_text())
    assert {r["id"] for r in rows} == {"cam-a", "cam-b"} and all(r["file"] for r in rows)
    code, out, _ = run("library", "import", exported, "--db", tmp_path / "copy.db", "--json")
    assert code == 0 and sorted(json.loads(out)["added"]) == ["cam-a", "cam-b"]
    code, out, _ = run("library", "export", "--db", library_path, "--format", "csv")
    assert out.splitlines()[0].startswith("file,id,title,source,recorded_at")
    code, out, _ = run("library", "stats", "--db", library_path, "--json")
    stats = json.loads(out)
    assert stats["originals"] == 2 and stats["samples"] > 200 and stats["index"] == "exact"
    assert stats["without_local_data"] == 0  # both registered with their local data


def test_old_fingerprint_format_names_the_reindex_command(db: Path) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as raw, raw:
        raw.execute("UPDATE fingerprints SET version = 0 WHERE original_id = 'cam-a'")
    from provenance.errors import LibraryError
    from provenance.library import Library

    code, _, err = run("library", "reindex", "nope", "--db", db)
    assert code == 5 and "no original with id 'nope'" in err
    with Library(db) as library, pytest.raises(LibraryError, match="format v0") as caught:
        library.fingerprint("cam-a")
    assert "provenance library reindex cam-a" in (caught.value.hint or "")
    code, out, err = run("library", "reindex", "cam-a", "--db", db)
    assert code == 0, err
    with Library(db) as library:
        assert len(library.fingerprint("cam-a")) > 100


def test_fingerprint_of_a_bad_file_writes_nothing(media: Media, tmp_path: Path) -> None:
    out = tmp_path / "x.npz"
    code, _, err = run("fingerprint", media.not_video, "-o", out)
    assert code == 4 and str(media.not_video) in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_global_options_anywhere_on_the_line(media: Media, db: Path) -> None:
    code, out, err = run("verify", media.clip_a, "--db", db, "-q", "--debug", "--json")
    assert code == 0, err
    assert json.loads(out)["verdict"] == "match"
    result = CliRunner().invoke(main, ["library", "list", "--db", "/nonexistent/x.db",
                                       "--debug"])
    assert result.exception is not None  # --debug after the command: the traceback is kept
    code, _, err = run("verify", "--cache-dir", "--json")  # a value, not a global flag here
    assert code != 0


def test_hoisting_stops_at_double_dash() -> None:
    from provenance.cli import hoist_global_options

    assert hoist_global_options(["verify", "a", "-q", "--cache-dir", "c", "--", "--debug"]) == [
        "-q", "--cache-dir", "c", "verify", "a", "--", "--debug"]
    assert hoist_global_options(["verify", "--cache-dir=c"]) == ["--cache-dir=c", "verify"]


def test_hints_repeat_the_users_db_and_suggest_ids(db: Path) -> None:
    code, _, err = run("library", "show", "cam-c", "--db", db)
    assert code == 5
    hint = next(line for line in err.splitlines() if line.startswith("Hint:"))
    assert re.search(r"did you mean '(cam-a|cam-b)' or '(cam-a|cam-b)'\?", hint)
    assert f"`provenance library list --db {db}`" in hint
    code, _, err = run("library", "remove", "zzz", "--db", db)
    assert code == 5 and "did you mean" not in err and f"--db {db}" in err


def test_an_original_published_before_it_was_recorded_is_refused(db: Path) -> None:
    # a desk audit: stored without a word
    runner = CliRunner()
    shown = runner.invoke(main, ["library", "show", "cam-a", "--db", str(db), "--json"])
    recorded = json.loads(shown.stdout)["recorded_at"]
    assert recorded, shown.stdout
    result = runner.invoke(main, ["library", "update", "cam-a", "--published-at", "2001-01-01",
                                  "--db", str(db)])
    assert result.exit_code == 2 and "is before recorded_at" in result.stderr, result.output
    again = runner.invoke(main, ["library", "show", "cam-a", "--db", str(db), "--json"])
    assert json.loads(again.stdout)["published_at"] != "2001-01-01"


def test_library_list_has_a_header(db: Path) -> None:
    code, out, _ = run("library", "list", "--db", db)
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "DURATION", "RECORDED", "SOURCE", "TITLE"]
    assert [row.split()[0] for row in rows] == ["cam-a", "cam-b"]


def test_help_summaries_are_whole_and_every_command_has_help() -> None:
    for path in [(), ("library",)]:
        _, out, _ = run(*path, "--help")
        commands = out.split("Commands:")[1]
        assert "..." not in commands and "…" not in commands
    for path in _commands(main):
        command: click.Command = main
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help and len(command.help) > 20, path


def test_config_says_when_an_evidence_setting_is_on_but_its_module_is_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # as without the `evidence` extra
    monkeypatch.delenv("PROVENANCE_CONFIG", raising=False)
    code, out, err = run("config")
    assert code == 0, err
    ocr_line = next(line for line in out.splitlines() if line.startswith("ocr "))
    assert "rapidocr is not installed" in ocr_line and "provenance[evidence]" in ocr_line
    code, out, _ = run("config", "--json")
    assert json.loads(out)["settings"]["ocr"]["missing"] == "rapidocr"


def test_config_file_environment_and_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text('db = "desk.db"\ncache_dir = "/srv/cache"\nsample_fps = 2\n')
    monkeypatch.setenv("PROVENANCE_CONFIG", str(config))
    monkeypatch.delenv("PROVENANCE_DB", raising=False)
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "env-cache"))
    code, out, err = run("config", "--json")
    assert code == 0, err
    rows = json.loads(out)["settings"]
    assert rows["db"] == {"value": str(config.parent / "desk.db"),
                          "source": f"config file ({config})"}
    assert rows["cache_dir"] == {"value": str(tmp_path / "env-cache"),
                                 "source": "environment (PROVENANCE_CACHE)"}
    assert rows["sample_fps"]["value"] == 2 and rows["max_filesize"]["source"] == "default"
    code, out, _ = run("config", "--json", "--db", tmp_path / "flag.db",
                       "--cache-dir", tmp_path / "flag-cache")
    rows = json.loads(out)["settings"]
    assert rows["db"]["source"] == rows["cache_dir"]["source"] == "flag"
    config.write_text('db = "desk.db"\ncahce_dir = "x"\n')
    code, _, err = run("config")
    assert code == 2 and "unknown key 'cahce_dir'; did you mean 'cache_dir'?" in err
    config.write_text("db = [unclosed\n")
    code, _, err = run("library", "list")
    assert code == 2 and "not valid TOML" in err and "Hint:" in err


def test_decoder_noise_stays_off_the_terminal(media: Media, tmp_path: Path) -> None:
    """FFmpeg prints its own lines for a file that is not a video; only --debug shows them."""
    import subprocess
    import sys

    command = [sys.executable, "-c", "import sys; from provenance.cli import main; "
               "sys.exit(main())", "fingerprint", str(media.not_video), "-o",
               str(tmp_path / "x.npz")]
    # In-process CLI tests have set OpenCV's level in this process: start from a clean one.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCV_")}
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert quiet.returncode == 4
    assert [line.split(":")[0] for line in quiet.stderr.splitlines()] == ["Error", "Hint"]
    loud = subprocess.run([*command[:3], "--debug", *command[3:]], capture_output=True,
                          text=True, timeout=120, env=env)
    assert re.search(r"\[\w+(,\w+)* @ 0x[0-9a-f]+\]", loud.stderr)  # FFmpeg's own line


@pytest.mark.parametrize("line, message", [
    ("sample_fps = inf", "must be a number"), ("sample_fps = 0", "out of range"),
    ('max_filesize = "lots"', "is not a size"), ("db = 3", "must be a path"),
    ("max_filesize = true", "must be a number")])
def test_bad_config_values_are_settings_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               line: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(line + "\n")
    monkeypatch.setenv("PROVENANCE_CONFIG", str(config))
    code, _, err = run("config")
    assert code == 2 and message in err and "Traceback" not in err


def test_ctrl_c_on_one_input_is_an_error_line_and_130(library_path: Path, tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts and never answers: the download waits
    listener.settimeout(60)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/clip.mp4"
    command = [sys.executable, "-c", "import sys; from provenance.cli import main; "
               "sys.exit(main())", "verify", url, "--db", str(library_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PROVENANCE_CACHE_DIR":
                                               str(tmp_path / "cache")})
    try:
        connection, _ = listener.accept()  # the command is now waiting on the server
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        listener.close()
    assert process.returncode == 130, err
    assert err.splitlines()[-2:] == [
        "Error: interrupted",
        "Hint: nothing was changed by the unfinished step; run the command again"]
    connection.close()


def test_folders_and_usage_mistakes_get_an_error_and_a_hint(media: Media, db: Path,
                                                           tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("verify", empty, "--db", db)
    assert code == 2 and err.splitlines()[0] == f"Error: no video in {empty}"
    assert err.splitlines()[1].startswith("Hint: a folder is verified file by file")
    code, _, err = run("report", tmp_path / "missing.json", "-o", tmp_path / "r.html")
    assert code == 2 and "Usage:" not in err
    assert err.splitlines() == [
        f"Error: Invalid value for 'RESULT': File '{tmp_path / 'missing.json'}' does not exist.",
        "Hint: see `provenance report --help`"]
    # a folder of one video is still a batch: a line per input and a summary
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(media.clip_a, one / "clip.mp4")
    code, out, err = run("verify", one, "--db", db)
    assert code == 0 and out.startswith(f"{one / 'clip.mp4'}: ") and "1 input" in err


def test_fingerprint_output_must_be_an_npz_file(media: Media, tmp_path: Path) -> None:
    """`verify` reads a fingerprint file by its .npz name: another name is refused before any
    work, so no file is written that verify would then call "not a video" (audit 13, #14)."""
    for name in ("fp.txt", "fp", "fp.npz.part"):
        code, out, err = run("fingerprint", media.unrelated, "-o", tmp_path / name)
        lines = err.splitlines()
        assert code == 2 and lines[0].startswith("Error: ") and ".npz" in lines[0], err
        assert lines[1].startswith("Hint: ") and not (tmp_path / name).exists()
    code, _, err = run("fingerprint", media.unrelated, "-o", tmp_path / "FP.NPZ")
    assert code == 0, err


def test_library_list_columns_line_up_and_show_leaves_empty_fields_blank(db: Path) -> None:
    """A recorded_at with a time (and long ids, sources) keeps the columns in line; `library
    show` prints an unknown latitude blank like every other empty field (audit 13, #17)."""
    code, _, err = run("library", "update", "cam-b", "--recorded-at",
                       "2018-05-20T09:00:00+00:00", "--source", "Operator CCTV, north gate",
                       "--db", db)
    assert code == 0, err
    code, out, _ = run("library", "list", "--db", db)
    header, *rows = out.splitlines()
    for column, values in (("SOURCE", ("Operator CCTV", "Operator CCTV, north gate")),
                           ("TITLE", ("Camera A", "Camera B"))):
        starts = {row.index(value) for row, value in zip(rows, values, strict=True)}
        assert starts == {header.index(column)}, out
    code, out, _ = run("library", "show", "cam-a", "--db", db)
    assert code == 0 and "None" not in out
    assert re.search(r"^latitude:\s*$", out, re.MULTILINE), out
