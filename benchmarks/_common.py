"""Shared helpers for the standalone benchmarks (run them as `python benchmarks/NAME.py`)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FOOTAGE = Path(os.environ.get("PROVENANCE_FOOTAGE", ROOT.parent / "shared" / "footage"))
WORK = ROOT / "benchmarks" / "_work"


def footage_clips() -> list[Path]:
    clips = sorted(FOOTAGE.glob("*.mp4"))
    if not clips:
        sys.exit(f"no footage in {FOOTAGE}: set PROVENANCE_FOOTAGE to the shared footage folder")
    return clips


def ffmpeg(*args: str) -> None:
    from tests.synthetic import ffmpeg_exe

    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(work: Callable[[], T], children: bool = False) -> tuple[float, float, T]:
    """(CPU seconds, wall seconds, result) of one call; children=True counts subprocesses."""
    clock = cpu_children if children else cpu_self
    cpu0, wall0 = clock(), time.perf_counter()
    result = work()
    return clock() - cpu0, time.perf_counter() - wall0, result


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Unlike getrusage's ru_maxrss, which Linux
    carries over exec from the parent, it counts this program alone."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM in /proc/self/status")


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |"
    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in cells[1:]]
    return "\n".join([line, rule, *body])
