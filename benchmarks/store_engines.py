"""The library's two engines side by side: SQLite file vs PostgreSQL (a local server started from
the `pgserver` wheel, durable settings), same originals, same operations, interleaved runs.

Operations: adding originals one per transaction (`add`), in batches of 16 (`add_many`, what a
parallel import's coordinator does), reading every fingerprint back (what building the candidate
index reads), `list()`, and one `get` + `fingerprint` (what the aligner asks per candidate).
Client CPU (this process) and wall time; PostgreSQL's own server CPU is not in the CPU column.

    python benchmarks/store_engines.py [--originals 100] [--minutes 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from provenance.library import Library
from provenance.models import Fingerprint, Original


def _fingerprint(rng: np.random.Generator, samples: int) -> Fingerprint:
    def bits() -> np.ndarray:
        return rng.integers(0, 2**63, samples, dtype=np.uint64)

    return Fingerprint(times=np.arange(samples) / 4.0, scene=bits(), mirror=bits(), motion=bits(),
                       motion_mirror=bits(), motion_energy=rng.random(samples, np.float32),
                       informative=np.ones(samples, bool), duration=samples / 4.0, width=1280,
                       height=720, native_fps=25.0, sample_fps=4.0, decoder="pyav-nonref")


def _items(count: int, minutes: float) -> list[tuple[Original, Fingerprint, None]]:
    rng = np.random.default_rng(7)
    return [(Original(id=f"cam-{k:05d}", sha256=f"{k:064x}", duration=minutes * 60, fps=25.0,
                      width=1280, height=720, title="camera", source="operator"),
             _fingerprint(rng, int(minutes * 60 * 4)), None) for k in range(count)]


def _timed(step: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    return time.process_time() - cpu, time.perf_counter() - wall


def _run(target: str | Path, items: list[tuple[Original, Fingerprint, None]]) -> dict[str, float]:
    """Wall seconds per operation (CPU in the *_cpu keys), on a new library at ``target``."""
    half = len(items) // 2
    out: dict[str, float] = {}
    with Library(target, create=True) as lib:
        def add_one() -> None:
            for original, fp, local in items[:half]:
                lib.add(original, fp, local)

        def add_batches() -> None:
            for start in range(half, len(items), 16):
                lib.add_many(items[start:start + 16])

        def read_all() -> None:
            for original in lib.list():
                lib.fingerprint(original.id)

        def one() -> None:
            for original, _, _ in items[:20]:
                lib.get(original.id)
                lib.fingerprint(original.id)

        steps = (("add", add_one, half), ("add_many", add_batches, len(items) - half),
                 ("read all fingerprints", read_all, 1), ("list", lib.list, 1),
                 ("get + fingerprint", one, 20))
        for name, step, per in steps:
            cpu, wall = _timed(step)
            out[name], out[name + "_cpu"] = wall / per, cpu / per
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--originals", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of each original")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import pgserver
    import psycopg

    items = _items(args.originals, args.minutes)
    work = Path(tempfile.mkdtemp(prefix="provenance-store-bench-"))
    server = pgserver.get_server(work / "pgdata", cleanup_mode="delete")
    results: dict[str, list[dict[str, float]]] = {"sqlite": [], "postgresql": []}
    try:
        for run in range(args.runs):
            results["sqlite"].append(_run(work / f"lib{run}.db", items))
            with psycopg.connect(server.get_uri("postgres"), autocommit=True) as db:
                db.execute(f"CREATE DATABASE bench{run}")
            results["postgresql"].append(_run(server.get_uri(f"bench{run}"), items))
    finally:
        server.cleanup()
    print(f"{args.originals} originals of {args.minutes:g} min ({int(args.minutes * 240)} samples,"
          f" {int(args.minutes * 240) * 45 / 1e6:.2f} MB of fingerprint each); median of "
          f"{args.runs} interleaved runs; ms per item (client CPU ms)")
    print("| operation | SQLite | PostgreSQL | PostgreSQL / SQLite (wall) |")
    print("| --- | --- | --- | --- |")
    for name in ("add", "add_many", "read all fingerprints", "list", "get + fingerprint"):
        row = []
        for engine in ("sqlite", "postgresql"):
            wall = statistics.median(r[name] for r in results[engine]) * 1000
            cpu = statistics.median(r[name + "_cpu"] for r in results[engine]) * 1000
            row.append((wall, cpu))
        unit = " per original" if name in ("add", "add_many", "get + fingerprint") else ""
        print(f"| {name}{unit} | {row[0][0]:.1f} ({row[0][1]:.1f}) | {row[1][0]:.1f} "
              f"({row[1][1]:.1f}) | {row[1][0] / row[0][0]:.2f} |")


if __name__ == "__main__":
    main()
