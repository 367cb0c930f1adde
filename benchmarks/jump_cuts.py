"""Jump cuts inside one registered original: is each second mapped to the second it shows?

A repost may be a montage of two pieces of the same registered original at different offsets: a
jump cut in a fixed camera's footage (seconds 5-10 of the original, then 13-20, or back to 2-8),
or a loop (5-10 played twice). The library (one SQLite file in benchmarks/_work/jump-cuts, made
once and reused while the footage is the same) holds each clip of the shared footage, its first
HELD_S seconds or the whole clip when shorter, as an original. Per clip, ``--pairs`` random pairs
(seeded) of a piece A = [a, a+LA] and a piece B = [b, b+LB] of the registered span (LA, LB in
PIECE_S, the jump b - (a+LA) in BACK_S or FORTH_S, forwards and backwards in turn), and LOOPS
loops (B = A), are spliced (ffmpeg trim + concat, libx264 CRF 23) and verified in this process.

The truth: query time t < LA shows a + t, t >= LA shows b + (t - LA) (to the frame: the times
of the original's frames each piece starts with, and the montage's frame at which B starts).
On a grid of query instants every GRID_S (none within SKIP_S of the cut or of the ends), an
instant is *right* when a matched segment of the original maps it within TOLERANCE_S of the
truth, *wrong* when matched segments map it elsewhere only (or to another original), *open*
when no matched segment covers it (same-scene or unexplained). The boundary error is the
distance from the true cut to the nearest start or end of a matched segment inside the montage
(more than SKIP_S from its ends; none if there is none); piece B counts as found when it is
matched at its own offset (b - LA, within TOLERANCE_S) over FOUND_SHARE of it.

    python benchmarks/jump_cuts.py [--pairs 8] [--seed 1] [--clips car] [--json OUT.json]
    python benchmarks/jump_cuts.py --compare OLD.json        # run, then old and new side by side
    python benchmarks/jump_cuts.py --compare OLD.json NEW.json   # two runs' files, no run
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from _common import ROOT, WORK, cpu_children, cpu_self, ffmpeg, footage_clips, table, timed_cpu

if TYPE_CHECKING:
    from provenance.library import Library
    from provenance.models import Segment, Verification
    from provenance.settings import Settings

SET = WORK / "jump-cuts"
HELD_S = 60.0  # each clip's first minute is registered (the whole clip when shorter)
PIECE_S = (4.0, 8.0)  # the pieces' lengths
BACK_S = (-8.0, -1.0)  # the jump b - (a + LA), backwards ...
FORTH_S = (1.0, 10.0)  # ... and forwards
STEP_S = 0.5  # lengths, offsets and jumps are multiples of this
MARGIN_S = 0.5  # the pieces stay this far inside the registered span
LOOPS = 2  # per clip, piece A played twice
GRID_S = 0.25  # query instants measured
SKIP_S = 0.25  # none this close to the cut or the ends
TOLERANCE_S = 0.5  # a mapping this close to the truth is right
FOUND_SHARE = 0.5  # piece B found: matched at its offset over this share of it
EPS = 1e-6


@dataclass(frozen=True)
class Montage:
    """Piece A = the original's [a, a + la], then piece B = [b, b + lb] (a loop: B = A)."""

    clip: str
    a: float
    la: float
    b: float
    lb: float

    @property
    def kind(self) -> str:
        if (self.a, self.la) == (self.b, self.lb):
            return "loop"
        return "jump forwards" if self.b > self.a + self.la else "jump backwards"

    @property
    def name(self) -> str:
        if self.kind == "loop":
            return f"{self.clip}--loop-{self.a:g}+{self.la:g}x2"
        return f"{self.clip}--jump-{self.a:g}+{self.la:g}-{self.b:g}+{self.lb:g}"

    @property
    def pieces(self) -> str:
        return f"{self.a:g}-{self.a + self.la:g} then {self.b:g}-{self.b + self.lb:g}"


@dataclass(frozen=True)
class Truth:
    """What the montage shows, to the frame: piece A from ``shown_a`` at query time 0, piece B
    from ``shown_b`` at query time ``cut``."""

    cut: float
    shown_a: float
    shown_b: float

    def at(self, t: float) -> float:
        return self.shown_a + t if t < self.cut else self.shown_b + (t - self.cut)


# --- the library and the montages -----------------------------------------------------------


def registered_file(clip: Path, total: float) -> Path:
    """The clip itself when it is at most HELD_S long, else its first HELD_S cut as
    other_moments.py cuts its halves."""
    if total <= HELD_S:
        return clip
    out = SET / f"{clip.stem}--first-{HELD_S:g}.mp4"
    if not out.exists():
        part = out.with_suffix(".part.mp4")
        ffmpeg("-i", str(clip), "-t", f"{HELD_S:.2f}", "-an", "-c:v", "libx264", "-preset",
               "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", str(part))
        part.rename(out)
    return out


def library_path(clips: list[Path]) -> Path:
    """The library of every clip's registered file, made unless the one in SET was made from
    the same clips (names and sizes), HELD_S and fingerprint version."""
    from provenance.library import Library
    from provenance.models import FINGERPRINT_VERSION, Original
    from provenance.registry import register

    db, stamp_file = SET / "library.db", SET / "library.json"
    stamp = {"clips": [[c.name, c.stat().st_size] for c in clips], "held_s": HELD_S,
             "fingerprint": FINGERPRINT_VERSION}
    if db.exists() and stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return db
    for stale in SET.glob("library.db*"):
        stale.unlink()
    settings = _settings(db)
    cpu = wall = 0.0
    with Library(db, create=True) as library:
        for clip in clips:
            path = registered_file(clip, _frames(clip)[1])
            spent, took, _ = timed_cpu(lambda p=path, c=clip: register(
                str(p), Original(id=c.stem, source="bench"), library, settings))
            cpu, wall = cpu + spent, wall + took
    stamp_file.write_text(json.dumps(stamp))
    print(f"library made: {len(clips)} originals, {cpu:.1f} s CPU, {wall:.1f} s wall\n")
    return db


def _settings(db: Path) -> Settings:
    from provenance.settings import load_settings

    return load_settings(db=db, cache_dir=SET / "cache")


@functools.lru_cache(maxsize=8)
def _frames(path: Path) -> tuple[np.ndarray, float]:
    """A video's frame times (s, ascending; from its packets) and its duration."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = sorted(float(p.pts * stream.time_base) for p in container.demux(stream)
                       if p.pts is not None)
        return np.array(times), float(container.duration or 0) / 1e6


def draw(clip: str, span: float, pairs: int, seed: int) -> list[Montage]:
    """``pairs`` jumps (forwards and backwards in turn) and LOOPS loops inside [0, span]."""
    chance = random.Random(f"{seed}-{clip}")
    montages: list[Montage] = []
    for _ in range(1000 * pairs):
        if len(montages) == pairs:
            break
        forward = len(montages) % 2 == 0
        la, lb = _step(chance, *PIECE_S), _step(chance, *PIECE_S)
        jump = _step(chance, *(FORTH_S if forward else BACK_S))
        # a >= MARGIN_S, b = a + la + jump >= MARGIN_S, both pieces end MARGIN_S before span
        low = max(MARGIN_S, MARGIN_S - la - jump)
        high = min(span - MARGIN_S - la, span - MARGIN_S - la - jump - lb)
        if high >= low:
            a = _step(chance, low, high)
            montages.append(Montage(clip, a, la, a + la + jump, lb))
    if len(montages) < pairs:
        raise SystemExit(f"{clip}: {span:.1f} s registered, too short for these jumps")
    for _ in range(LOOPS):
        la = _step(chance, *PIECE_S)
        a = _step(chance, MARGIN_S, span - MARGIN_S - la)
        montages.append(Montage(clip, a, la, a, la))
    return montages


def _step(chance: random.Random, low: float, high: float) -> float:
    """A multiple of STEP_S in [low, high], uniformly."""
    first, last = int(np.ceil(low / STEP_S - EPS)), int(np.floor(high / STEP_S + EPS))
    return chance.randint(first, last) * STEP_S


def montage_file(montage: Montage, original: Path) -> Path:
    out = SET / f"{montage.name}.mp4"
    if not out.exists():
        m, part = montage, out.with_suffix(".part.mp4")
        graph = (f"[0:v]trim=start={m.a:g}:end={m.a + m.la:g},setpts=PTS-STARTPTS[a];"
                 f"[0:v]trim=start={m.b:g}:end={m.b + m.lb:g},setpts=PTS-STARTPTS[b];"
                 "[a][b]concat=n=2:v=1:a=0[v]")
        ffmpeg("-i", str(original), "-filter_complex", graph, "-map", "[v]", "-an", "-c:v",
               "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", str(part))
        part.rename(out)
    return out


def truth(montage: Montage, original: Path, query: Path) -> tuple[Truth, str]:
    """The montage's truth to the frame (trim keeps the frames at start <= pts < end), and a
    note when the montage's frames are not those of the two pieces (then nominal times)."""
    shown, _ = _frames(original)
    piece_a = shown[(shown >= montage.a - EPS) & (shown < montage.a + montage.la - EPS)]
    piece_b = shown[(shown >= montage.b - EPS) & (shown < montage.b + montage.lb - EPS)]
    made, _ = _frames(query)
    if len(made) != len(piece_a) + len(piece_b) or not len(piece_a) or not len(piece_b):
        note = f"{len(made)} frames, not {len(piece_a)} + {len(piece_b)}: nominal times"
        return Truth(montage.la, montage.a, montage.b), note
    return Truth(float(made[len(piece_a)] - made[0]), float(piece_a[0]), float(piece_b[0])), ""


# --- measuring one verification ---------------------------------------------------------------


def _matched(result: Verification) -> list[Segment]:
    return [s for alignment in result.matches for s in alignment.segments]


def instant(segments: list[Segment], original: str, t: float, shown: float) -> str:
    """right, wrong or open (see the module's docstring)."""
    covering = [s for s in segments if s.query_start - EPS <= t < s.query_end - EPS]
    if not covering:
        return "open"
    right = any(s.reference_id == original and abs(s.reference_time(t) - shown) <= TOLERANCE_S
                for s in covering)
    return "right" if right else "wrong"


def grid(duration: float, cut: float) -> list[float]:
    times = np.arange(0.0, duration + EPS, GRID_S)
    keep = (times > SKIP_S + EPS) & (times < duration - SKIP_S - EPS) \
        & (np.abs(times - cut) > SKIP_S + EPS)
    return [float(t) for t in times[keep]]


def boundary_error(segments: list[Segment], duration: float, cut: float) -> float | None:
    edges = [e for s in segments for e in (s.query_start, s.query_end)
             if SKIP_S < e < duration - SKIP_S]
    return min(abs(e - cut) for e in edges) if edges else None


def found_b(segments: list[Segment], original: str, right: Truth, duration: float) -> float:
    """Seconds of piece B matched at its own offset (within TOLERANCE_S), forwards, at 1x."""
    offset = right.shown_b - right.cut
    return sum(max(0.0, min(s.query_end, duration) - max(s.query_start, right.cut))
               for s in segments if s.reference_id == original and not s.reversed
               and abs(s.speed - 1.0) < 0.01 and abs(s.offset - offset) <= TOLERANCE_S)


def record(montage: Montage, result: Verification, right: Truth, note: str, cpu: float
           ) -> dict[str, Any]:
    from provenance.align import coverage_error

    segments = _matched(result)
    counts = Counter(instant(segments, montage.clip, t, right.at(t))
                     for t in grid(result.duration, right.cut))
    b_seconds = found_b(segments, montage.clip, right, result.duration)
    problem = coverage_error(result.duration, result.matches, result.same_scene,
                             result.unexplained)
    return {
        "name": montage.name, "clip": montage.clip, "kind": montage.kind,
        "pieces": montage.pieces, "a": montage.a, "la": montage.la, "b": montage.b,
        "lb": montage.lb, "cut": right.cut, "shown_a": right.shown_a, "shown_b": right.shown_b,
        "duration": result.duration, "note": "; ".join(filter(None, (note, problem))),
        "segments": [_segment(s) for s in segments],
        "same_scene": [_segment(s) for a in result.same_scene for s in a.segments],
        "unexplained": [list(u) for u in result.unexplained],
        "right": counts["right"], "wrong": counts["wrong"], "open": counts["open"],
        "boundary_error": _rounded(boundary_error(segments, result.duration, right.cut)),
        "b_matched_s": round(b_seconds, 3), "b_found": b_seconds >= FOUND_SHARE * montage.lb,
        "verdict": result.verdict.value,
        "rating": result.finding.rating.value if result.finding else "none",
        "cpu": round(cpu, 3),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _segment(s: Segment) -> dict[str, Any]:
    return {"reference_id": s.reference_id, "query_start": round(s.query_start, 3),
            "query_end": round(s.query_end, 3), "reference_start": round(s.reference_start, 3),
            "reference_end": round(s.reference_end, 3), "speed": round(s.speed, 4),
            "reversed": s.reversed, "mirrored": s.mirrored, "evidence": s.evidence}


def spans(segments: Iterable[dict[str, Any]]) -> str:
    return ", ".join(_span(s) for s in segments) or "none"


def _span(s: dict[str, Any]) -> str:
    speed = "" if s["speed"] == 1 else f" x{s['speed']:g}"
    return (f"{s['query_start']:.2f}-{s['query_end']:.2f} <- {s['reference_id']} "
            f"{s['reference_start']:.2f}-{s['reference_end']:.2f}{speed}"
            f"{' reversed' if s['reversed'] else ''}")


# --- the run ------------------------------------------------------------------------------------


def run(clips: list[Path], chosen: list[Path], pairs: int, seed: int) -> list[dict[str, Any]]:
    from provenance.library import Library

    db = library_path(clips)
    settings = _settings(db)
    records: list[dict[str, Any]] = []
    with Library(db) as library:
        for clip in chosen:
            original = registered_file(clip, _frames(clip)[1])
            span = min(HELD_S, _frames(original)[1])
            for montage in draw(clip.stem, span, pairs, seed):
                records.append(verify_one(montage, original, library, settings))
    return records


def verify_one(montage: Montage, original: Path, library: Library, settings: Settings
               ) -> dict[str, Any]:
    from provenance.acquire import local_video
    from provenance.pipeline import verify_video

    query = montage_file(montage, original)
    right, note = truth(montage, original, query)
    cpu, _, result = timed_cpu(lambda: verify_video(local_video(str(query)), library, settings))
    done = record(montage, result, right, note, cpu)
    error = done["boundary_error"]
    print(f"  {montage.name}: {done['rating']}; right {done['right']}, wrong {done['wrong']}, "
          f"open {done['open']}; cut {right.cut:.2f}, boundary error "
          f"{'-' if error is None else f'{error:.2f}'}; B found {done['b_found']}; "
          f"{cpu:.1f} s CPU; {spans(done['segments'])}"
          f"{'; ' + done['note'] if done['note'] else ''}")
    return done


# --- the tables ---------------------------------------------------------------------------------


def _groups(records: list[dict[str, Any]], key: str) -> list[tuple[str, list[dict[str, Any]]]]:
    names = list(dict.fromkeys(r[key] for r in records))
    return [(n, [r for r in records if r[key] == n]) for n in names] + [("total", records)]


def shares(records: list[dict[str, Any]]) -> list[str]:
    total = sum(r["right"] + r["wrong"] + r["open"] for r in records) or 1
    return [f"{sum(r[k] for r in records) / total:.1%}" for k in ("right", "wrong", "open")]


def errors(records: list[dict[str, Any]]) -> list[str]:
    found = [r["boundary_error"] for r in records if r["boundary_error"] is not None]
    if not found:
        return ["-", "-"]
    return [f"{statistics.median(found):.2f}", f"{max(found):.2f}"]


def summary(records: list[dict[str, Any]], key: str) -> str:
    rows = []
    for name, group in _groups(records, key):
        findings = Counter(r["rating"] for r in group)
        rows.append([name, len(group), sum(r["right"] + r["wrong"] + r["open"] for r in group),
                     *shares(group), *errors(group),
                     sum(r["boundary_error"] is None for r in group),
                     sum(r["b_found"] for r in group),
                     ", ".join(f"{k} {v}" for k, v in findings.most_common())])
    return table([key, "montages", "instants", "right", "wrong", "open", "boundary error median s",
                  "max s", "no boundary", "piece B found", "findings"], rows)


def wrong_list(records: list[dict[str, Any]]) -> str:
    rows = [[r["name"], r["pieces"], f"{r['cut']:.2f}", r["wrong"], r["rating"],
             spans(r["segments"])] for r in records if r["wrong"]]
    if not rows:
        return "no montage has a wrong instant"
    return table(["montage", "pieces (original s)", "cut at", "wrong", "finding",
                  "matched segments (query <- original)"], rows)


def report(records: list[dict[str, Any]], cpu: float, wall: float) -> None:
    print("\n### By clip\n")
    print(summary(records, "clip"))
    print("\n### By kind\n")
    print(summary(records, "kind"))
    print("\n### Montages with a wrong instant\n")
    print(wrong_list(records))
    verifies = sum(r["cpu"] for r in records)
    print(f"\nCPU of the {len(records)} verifies: {verifies:.1f} s (median "
          f"{statistics.median(r['cpu'] for r in records) if records else 0:.2f} s); "
          f"this process {cpu:.1f} s CPU (library, montages' frame times, verifies), "
          f"{wall:.1f} s wall")


def compare(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    before = {r["name"]: r for r in old}
    both = [r for r in new if r["name"] in before]
    print(f"\n### Compared with the old run ({len(both)} montages in both)\n")
    rows = []
    for name, group in _groups(both, "clip"):
        was = [before[r["name"]] for r in group]
        rows.append([name, len(group), *[f"{o} -> {n}" for o, n in
                                         zip(shares(was) + errors(was),
                                             shares(group) + errors(group), strict=True)]])
    print(table(["clip", "montages", "right", "wrong", "open", "boundary error median s",
                 "max s"], rows))
    changed = [[r["name"], _counts(before[r["name"]]), _counts(r),
                _error(before[r["name"]]), _error(r),
                f"{before[r['name']]['rating']} -> {r['rating']}"]
               for r in both if _counts(r) != _counts(before[r["name"]])]
    print()
    print(table(["montage", "old right/wrong/open", "new", "old boundary error", "new",
                 "finding"], changed) if changed else "no montage's counts changed")


def _counts(r: dict[str, Any]) -> str:
    return f"{r['right']}/{r['wrong']}/{r['open']}"


def _error(r: dict[str, Any]) -> str:
    return "-" if r["boundary_error"] is None else f"{r['boundary_error']:.2f}"


def _checkout() -> dict[str, str]:
    """The commit measured and whether provenance/ had changes not committed (read-only)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "--no-optional-locks", *args], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip()
    return {"commit": git("rev-parse", "HEAD"),
            "changed": git("status", "--porcelain", "--", "provenance")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=8, help="jump cuts per clip")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clips", default="", help="only clips whose name contains this")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every montage's record")
    parser.add_argument("--compare", type=Path, nargs="+", metavar="JSON",
                        help="OLD.json: run and compare; OLD.json NEW.json: compare, no run")
    args = parser.parse_args()
    if args.compare and len(args.compare) > 2:
        parser.error("--compare takes OLD.json and at most one NEW.json")
    load: Callable[[Path], list[dict[str, Any]]] = \
        lambda p: json.loads(p.read_text())["records"]  # noqa: E731
    if args.compare and len(args.compare) == 2:
        compare(load(args.compare[0]), load(args.compare[1]))
        return
    SET.mkdir(parents=True, exist_ok=True)
    clips = footage_clips()
    chosen = [c for c in clips if args.clips in c.stem]
    cpu0, children0, (_, wall, records) = cpu_self(), cpu_children(), timed_cpu(
        lambda: run(clips, chosen, args.pairs, args.seed))
    report(records, cpu_self() - cpu0, wall)
    print(f"ffmpeg (cuts and montages made in this run): {cpu_children() - children0:.1f} s CPU")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"run": {"pairs": args.pairs, "seed": args.seed,
                                                 "clips": args.clips, **_checkout()},
                                         "records": records}, indent=1))
    if args.compare:
        compare(load(args.compare[0]), records)


if __name__ == "__main__":
    main()
