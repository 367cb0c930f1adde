"""Ingest throughput: serial `library import` vs `--workers 2` vs a 2-worker Dask cluster.

The manifest lists pieces of the shared footage (each clip cut into pieces of about --piece
seconds, stream-copied, so every file is distinct and real), imported three ways in one run,
alternating, each into a fresh library:

* serial: `import_manifest(..., workers=1)`, fingerprinting in this process;
* local: `--workers 2`, a Dask LocalCluster of two single-threaded processes (started and
  stopped inside the import, so its start-up counts);
* cluster: `--cluster ADDRESS`, a `dask scheduler` and two `dask worker` processes started
  before the run (a standing cluster: its start-up is not counted).

Reported per way: wall time (median of --runs), CPU time of every process involved (this one,
its LocalCluster children, the standing cluster's process trees), video-hours per wall-hour,
speed-up over serial, overhead per file (extra CPU-seconds, and extra worker-wall-seconds, beyond
the serial run's, divided by files), and whether the library equals the serial one (same
originals and metadata but `added_at`, same fingerprints).

    python benchmarks/ingest_scale.py [--piece 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from _common import WORK, cpu_children, cpu_self, ffmpeg, footage_clips, table

from provenance.library import Library
from provenance.registry import import_manifest
from provenance.settings import load_settings

SET = WORK / "ingest-scale"
CHANNELS = ("times", "scene", "mirror", "motion", "motion_mirror", "motion_energy", "informative")


RENDITIONS = {"orig": [], "mirror": ["-vf", "hflip"], "small": ["-vf", "scale=-2:360"]}


def pieces(seconds: float, renditions: int) -> list[Path]:
    """Every shared clip in ``renditions`` versions (as it is, mirrored, 360p: 3.5 minutes of
    footage each), cut into pieces of about ``seconds``: every file distinct and real."""
    SET.mkdir(parents=True, exist_ok=True)
    for name, args in list(RENDITIONS.items())[:renditions]:
        if sorted(SET.glob(f"piece{seconds:g}-{name}-*.mp4")):
            continue
        for clip in footage_clips():
            ffmpeg("-i", str(clip), "-map", "0:v:0", *args, "-c:v", "libx264", "-preset",
                   "veryfast", "-force_key_frames", f"expr:gte(t,n_forced*{seconds})", "-f",
                   "segment", "-segment_time", str(seconds), "-reset_timestamps", "1",
                   str(SET / f"piece{seconds:g}-{name}-{clip.stem}-%03d.mp4"))
    return sorted(f for name in list(RENDITIONS)[:renditions]
                  for f in SET.glob(f"piece{seconds:g}-{name}-*.mp4"))


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these processes and all their descendants."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def local_startup() -> float:
    """Wall seconds to start and stop a 2-process LocalCluster doing nothing."""
    from provenance import cluster

    wall0 = time.perf_counter()
    with cluster.client(2):
        pass
    return time.perf_counter() - wall0


def manifest(files: list[Path]) -> Path:
    path = SET / "manifest.json"
    path.write_text(json.dumps([{"file": str(f), "id": f.stem, "title": f.stem} for f in files]))
    return path


def contents(db: Path) -> tuple[list[dict[str, object]], dict[str, list[np.ndarray]]]:
    with Library(db) as library:
        originals = [{k: v for k, v in asdict(o).items() if k != "added_at"}
                     for o in library.list()]
        prints = {o.id: [getattr(library.fingerprint(o.id), c) for c in CHANNELS]
                  for o in library.list()}
    return originals, prints


def same_library(a: Path, b: Path) -> bool:
    (oa, fa), (ob, fb) = contents(a), contents(b)
    return oa == ob and fa.keys() == fb.keys() and all(
        np.array_equal(x, y) for k in fa for x, y in zip(fa[k], fb[k], strict=True))


def start_cluster(folder: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    info = folder / "scheduler.json"
    python = sys.executable
    procs = [subprocess.Popen([python, "-m", "distributed.cli.dask_scheduler", "--host",
                               "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(info)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    deadline = time.monotonic() + 120
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(info.read_text())["address"]
    for n in range(2):
        procs.append(subprocess.Popen(
            [python, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
             "--local-directory", str(folder / f"w{n}")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client

    with Client(address, timeout=120) as client:
        client.wait_for_workers(2, timeout=120)
    return address, procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in reversed(procs):
        p.terminate()
    for p in reversed(procs):
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--piece", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--renditions", type=int, default=3, choices=(1, 2, 3))
    args = parser.parse_args()
    files = pieces(args.piece, args.renditions)
    listing = manifest(files)
    folder = Path(tempfile.mkdtemp(prefix="ingest-", dir=SET))
    address, procs = start_cluster(folder)
    ways = {"serial": {"workers": 1}, "--workers 2": {"workers": 2},
            "2-worker Dask cluster": {"cluster": address}}
    walls: dict[str, list[float]] = {w: [] for w in ways}
    cpus: dict[str, list[float]] = {w: [] for w in ways}
    same: dict[str, bool] = {}
    video_s = 0.0
    try:
        for run in range(args.runs):
            for way, options in ways.items():
                db = folder / f"{run}-{way.replace(' ', '_')}.db"
                settings = load_settings(db=db, cache_dir=folder / "cache")
                pids = [p.pid for p in procs] if "cluster" in options else []
                cpu0, wall0 = cpu_self() + cpu_children() + tree_cpu(pids), time.perf_counter()
                with Library(db, create=True) as library:
                    report = import_manifest(listing, library, settings, **options)  # type: ignore[arg-type]
                walls[way].append(time.perf_counter() - wall0)
                cpus[way].append(cpu_self() + cpu_children() + tree_cpu(pids) - cpu0)
                assert not report.failed, report.failed
                with Library(db) as library:
                    video_s = sum(o.duration for o in library.list())
                serial_db = folder / f"{run}-serial.db"
                same[way] = same.get(way, True) and same_library(serial_db, db)
                print(f"run {run} {way}: {walls[way][-1]:.1f} s wall", flush=True)
        startup = statistics.median(local_startup() for _ in range(args.runs))
    finally:
        stop(procs)
    serial = statistics.median(walls["serial"])
    serial_cpu = statistics.median(cpus["serial"])
    rows = []
    for way in ways:
        wall = statistics.median(walls[way])
        workers = 1 if way == "serial" else 2
        cpu = statistics.median(cpus[way])
        rows.append([way, len(files), f"{video_s / 60:.1f}", f"{wall:.1f}", f"{cpu:.1f}",
                     f"{(video_s / 3600) / (wall / 3600):.0f}", f"{serial / wall:.2f}",
                     f"{(cpu - serial_cpu) / len(files):.2f}",
                     f"{(workers * wall - serial) / len(files):.2f}",
                     "yes" if same[way] else "NO"])
    print(f"\n{len(files)} files, {video_s / 60:.1f} video-minutes; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end; a 2-process "
          f"LocalCluster starts and stops in {startup:.1f} s (median, counted in --workers 2)")
    print(table(["way", "files", "video min", "wall s (median)", "CPU s, all processes",
                 "video-h per wall-h", "speed-up (wall)", "extra CPU s/file",
                 "extra worker-wall s/file", "same library"], rows))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
