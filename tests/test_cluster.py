"""Parallel import on Dask: a real scheduler and two workers started as separate processes on
127.0.0.1, and local worker processes; the library made must be the one a serial import makes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.library import Library
from tests.conftest import Media

pytest.importorskip("distributed", reason="the [cluster] extra (Dask) is not installed")

# Seconds the fixture waits for the scheduler and both workers to come up.
STARTUP_S = 90


def _dask(*args: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        process.terminate()
    for process in reversed(processes):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes (one thread each) on 127.0.0.1; the
    scheduler's address. All three are stopped when the tests of this module are done."""
    from distributed import Client

    root = tmp_path_factory.mktemp("dask")
    info = root / "scheduler.json"
    processes = [_dask("scheduler", "--host", "127.0.0.1", "--port", "0",
                       "--no-dashboard", "--scheduler-file", str(info), log=root / "s.log")]
    try:
        deadline = time.monotonic() + STARTUP_S
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert info.exists(), (root / "s.log").read_text()
        address = json.loads(info.read_text())["address"]
        for n in range(2):
            processes.append(_dask("worker", address, "--nworkers", "1", "--nthreads", "1",
                                   "--no-dashboard", "--host", "127.0.0.1",
                                   "--local-directory", str(root / f"w{n}"),
                                   log=root / f"w{n}.log"))
        with Client(address, timeout=STARTUP_S) as client:
            client.wait_for_workers(2, timeout=STARTUP_S)
        yield address
    finally:
        _stop(processes)


def _manifest(media: Media, folder: Path) -> Path:
    shutil.copy(media.cam_a, folder / "cam_a.mp4")
    manifest = folder / "originals.csv"
    manifest.write_text(
        "file,id,title,source,recorded_at\n"
        "cam_a.mp4,cam-a,Camera A,Operator,2015-09-16\n"
        f"{media.not_video},notes,Not a video,x,\n"
        f"{media.cam_b},cam-b,Camera B,Operator,2015-09-15\n"
        f"{media.cam_b},cam-b-again,Same file,Operator,\n"
        f"{media.unrelated},bad id!,Bad id,x,\n"
        ",no-file,,,\n")
    return manifest


def _import(manifest: Path, db: Path, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["library", "import", str(manifest), "--db", str(db),
                                       "--json", *extra])
    assert result.exit_code == 6, result.output  # the bad rows fail, the same way each time
    report: dict[str, object] = json.loads(result.stdout)
    return report


def _contents(db: Path) -> tuple[list[dict[str, object]], dict[str, dict[str, np.ndarray]]]:
    with Library(db) as library:
        originals = [{k: v for k, v in asdict(o).items() if k != "added_at"}
                     for o in library.list()]
        prints = {o.id: {name: getattr(library.fingerprint(o.id), name)
                         for name in ("times", "scene", "mirror", "motion", "motion_mirror",
                                      "motion_energy", "informative")}
                  for o in library.list()}
    return originals, prints


def _assert_same_library(a: Path, b: Path) -> None:
    originals_a, prints_a = _contents(a)
    originals_b, prints_b = _contents(b)
    assert originals_a == originals_b
    assert prints_a.keys() == prints_b.keys()
    for original_id, channels in prints_a.items():
        for name, values in channels.items():
            assert np.array_equal(values, prints_b[original_id][name]), (original_id, name)


def test_cluster_and_local_workers_make_the_serial_library(
    scheduler: str, media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    manifest = _manifest(media, tmp_path)
    serial = _import(manifest, tmp_path / "serial.db", "--workers", "1")
    on_cluster = _import(manifest, tmp_path / "cluster.db", "--cluster", scheduler)
    # local workers leave no scratch folder behind (a desk audit: /tmp/dask-scratch-space)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    local = _import(manifest, tmp_path / "local.db", "--workers", "2")
    assert list(scratch.iterdir()) == []
    assert serial == on_cluster == local
    assert serial["added"] == ["cam-a", "cam-b"]
    assert serial["already_present"] == ["cam-b"]
    assert [f["row"] for f in serial["failed"]] == [3, 6, 7]  # type: ignore[index]
    _assert_same_library(tmp_path / "serial.db", tmp_path / "cluster.db")
    _assert_same_library(tmp_path / "serial.db", tmp_path / "local.db")


def test_a_rerun_on_the_cluster_skips_what_is_stored(
    scheduler: str, media: Media, tmp_path: Path
) -> None:
    manifest = _manifest(media, tmp_path)
    db = tmp_path / "lib.db"
    first = _import(manifest, db, "--cluster", scheduler)
    with Library(db) as library:
        revision = library.revision
    again = _import(manifest, db, "--cluster", scheduler)
    assert again["added"] == []
    assert again["already_present"] == ["cam-a", "cam-b", "cam-b"]  # in row order
    assert first["added"] == ["cam-a", "cam-b"]
    with Library(db) as library:
        assert library.revision == revision  # nothing was written


def test_an_unreachable_scheduler_is_one_error_line(
    media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)  # nothing listens: do not wait 30 s
    manifest = _manifest(media, tmp_path)
    result = CliRunner().invoke(main, ["library", "import", str(manifest), "--db",
                                       str(tmp_path / "lib.db"), "--cluster",
                                       "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "Error: no Dask scheduler answered at tcp://127.0.0.1:9" in result.stderr
    # an import that added nothing leaves no library behind; verify needs one
    assert not (tmp_path / "lib.db").exists()
    Library(str(tmp_path / "lib.db"), create=True).close()
    # Not a scheduler's address: an Error and a Hint, not a traceback (a desk audit; the
    # dashboard's http:// address and inproc://, a review).
    for address in ("notaurl", "http://127.0.0.1:8787/status", "inproc://x"):
        result = CliRunner().invoke(main, ["verify", str(media.clip_a), "--db",
                                           str(tmp_path / "lib.db"), "--cluster", address])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), address
        assert f"Error: --cluster {address!r} is not a scheduler's address" in result.stderr
        assert "Hint: e.g. tcp://" in result.stderr


def test_batch_verify_on_the_cluster_gives_the_serial_results_in_order(
    scheduler: str, media: Media, library_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "lib.db"
    shutil.copy(library_path, db)
    inputs = [str(media.clip_a), str(media.unrelated), str(media.not_video), str(media.cam_b)]
    lines = {}
    for way, extra in (("serial", []), ("cluster", ["--cluster", scheduler])):
        out = tmp_path / f"{way}.jsonl"
        result = CliRunner().invoke(main, ["verify", *inputs, "--db", str(db), "--jsonl",
                                           str(out), *extra])
        assert result.exit_code == 7, result.output  # not_video fails, the others go on
        lines[way] = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["input"] for r in lines["cluster"]] == inputs  # input order
    for serial, remote in zip(lines["serial"], lines["cluster"], strict=True):
        assert serial["verdict"] == remote["verdict"]
        assert serial.get("finding") == remote.get("finding")
        assert [m["reference_id"] for m in serial.get("matches", [])] == [
            m["reference_id"] for m in remote.get("matches", [])]
    assert [r["verdict"] for r in lines["cluster"]][:2] == ["match", "no-match"]


def test_index_shards_on_two_workers_give_the_scores_of_one_index(
    scheduler: str, media: Media, library_path: Path
) -> None:
    from distributed import Client

    from provenance.align import MIN_MOTION_ENERGY, MOTION_RADIUS, SCENE_RADIUS
    from provenance.cluster import ShardedIndex
    from provenance.fingerprint import fingerprint_video
    from provenance.library import Radii

    query = fingerprint_video(str(media.clip_a), 4.0)
    radii = Radii(SCENE_RADIUS, MOTION_RADIUS)
    with Library(library_path) as library:
        whole = library.index(MIN_MOTION_ENERGY).search(query, radii)
    with Client(scheduler, timeout=STARTUP_S) as client:
        sharded = ShardedIndex(client, str(library_path), 2, MIN_MOTION_ENERGY)
        try:
            assert sharded.search(query, radii) == whole
        finally:
            sharded.close()
    assert whole.events.get("cam-a", 0) >= 3


def test_ctrl_c_stops_local_workers_with_one_line_and_no_traceback(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # A terminal's Ctrl-C reaches every process of the run: each worker process printed a
    # 40-line KeyboardInterrupt traceback under the run's own "interrupted" line.
    inputs = []
    for k in range(12):
        inputs.append(tmp_path / f"copy-{k}.mp4")
        shutil.copy(media.clip_a, inputs[-1])
    run = subprocess.Popen(
        [sys.executable, "-c", "import sys; from provenance.cli import main; sys.exit(main())",
         "verify", *map(str, inputs), "--db", str(library_path), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert run.stdout is not None
    first = run.stdout.readline()  # the workers are at work
    assert first.startswith(str(inputs[0])), first
    os.killpg(run.pid, signal.SIGINT)
    rest, errors = run.communicate(timeout=120)
    assert run.returncode == 130, errors
    assert "interrupted:" in errors and "Traceback" not in errors, errors
    assert len((first + rest).splitlines()) < len(inputs)  # stopped, not run to the end
    deadline = time.monotonic() + 20  # no worker left behind (once reaped, as an orphan is)
    while time.monotonic() < deadline:
        try:
            os.killpg(run.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)


def test_ctrl_c_during_a_parallel_import_keeps_the_rows_already_fingerprinted(
        media: Media, tmp_path: Path) -> None:
    # Ctrl-C reaches this process as KeyboardInterrupt while it writes the workers' rows in
    # manifest order (batched): a desk audit's import stopped at 15 of 22 rows had stored none.
    from provenance.library.manifest import ManifestRow
    from provenance.registry import import_manifest
    from provenance.settings import load_settings

    manifest = _manifest(media, tmp_path)
    db = tmp_path / "lib.db"

    def ctrl_c_at_cam_b(row: ManifestRow) -> None:
        if row.id == "cam-b":  # cam-a, two rows before, is fingerprinted and waits in a batch
            raise KeyboardInterrupt

    with Library(db, create=True) as library, pytest.raises(KeyboardInterrupt):
        import_manifest(manifest, library, load_settings(db=db, cache_dir=tmp_path / "cache"),
                        on_row=ctrl_c_at_cam_b, workers=2)
    with Library(db) as library:
        assert [o.id for o in library.list()] == ["cam-a"]
    # run again, it does the rest and skips what is stored
    report = _import(manifest, db, "--workers", "2")
    assert report["added"] == ["cam-b"] and report["already_present"] == ["cam-a", "cam-b"]
