"""Same camera, another moment, at every offset: how often is a fixed camera's other moment called
a `match`?

copy_detection.py holds one other-moment window per clip (and its edited versions). This sweeps
them: for each clip of the shared footage, the library holds one half (the first, then the
second), and every WINDOW_S excerpt of the other half that starts on a whole second is verified.
No window shares a frame with the library, so the right verdict is `same-scene` (or
`inconclusive` where nothing moves); a `match` is a false match, the error that passes recycled
footage as the registered moment.

    python benchmarks/other_moments.py [--window 10] [--step 1] [--clips car] [--edit "rotated 4°"]
    python benchmarks/other_moments.py --spliced 8
    python benchmarks/other_moments.py --registered --window 6 --edit "caption+logo"

``--edit`` applies one of copy_detection.py's geometric edits (GEOMETRY_EDITS), one of its
main set's filter-only edits (EDITS, e.g. "caption+logo"), film grain (GRAIN_EDITS, e.g.
"grain 10"), a centre crop of the original's shape (CROP_EDITS, "centre crop 30%"), the window
played backwards (REVERSED_EDITS, "reversed", "reversed + mirrored"), turned on its side
(TURNED_EDITS, "turned clockwise", "turned counterclockwise", "turned + mirrored") or captions
that come and go ("timed captions", ``timed_captions``; "running subtitles",
``running_subtitles``; "news ticker", ``news_ticker``), to every window.

``--registered`` sweeps the half the library holds instead: the registered moment at every
offset, which must be matched there (what the evidence rules cost true short copies).

``--speed S`` plays every window S times as fast (``setpts=PTS/S``, S x WINDOW_S seconds of the
clip made into a window): a registered window must then be matched at its offset at that
speed, and another moment still not matched, at any speed.

With ``--registered``, each matched window's timecodes are also measured against what its
frames show: for SHOWN_FRAMES of the window's frames, the original's frame that looks most like
it (mean grey difference, 160x90, within SHOWN_SEARCH_S of the nominal time), against the time
the window's longest matched segment maps that frame to. ffmpeg keeps the output's frame rate
when it changes the speed, so a 10 fps window played at 1.7x shows frames up to 0.25 s before
``start + 1.7 t``: the frames, not the nominal times, are the truth here.

``--spliced N`` measures the converse, a montage of one camera's moments: per clip the library
holds the first half, and N random pairs of a PIECE_S excerpt of it (the registered moment) and
one of the second half (another moment) are spliced in both orders. Right: the registered piece
matched at its own offset, the other piece not matched (`same-scene`).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import random
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from _common import WORK, cpu_self, ffmpeg, footage_clips, table

if TYPE_CHECKING:
    from provenance.models import Verification

SET = WORK / "other-moments"
WINDOW_S = 10.0
PIECE_S = 5.0
# A registered piece counts as found when this share of it is matched at its own offset (within
# OFFSET_TOLERANCE_S); a piece of the other moment counts as matched beyond MATCHED_S seconds.
FOUND_SHARE = 0.8
OFFSET_TOLERANCE_S = 0.5
# A window played at a changed speed counts as found at that speed within this share of it.
SPEED_TOLERANCE = 0.03
MATCHED_S = 1.0
# The registered windows' timecodes checked against this many of their frames, each looked
# for in the original within SHOWN_SEARCH_S of its nominal time.
SHOWN_FRAMES = 12
SHOWN_SEARCH_S = 0.8
# Film grain or sensor noise re-encoded into a repost (ffmpeg's temporal noise, strength N): on
# a still view it raises every sample's motion energy and makes its motion hash random, which
# must not read as another moment.
GRAIN_EDITS = {f"grain {n}": f"noise=alls={n}:allf=t" for n in (6, 10, 14)}
# Centre crops of the original's own shape between copy_detection.py's 15 % and 40 %, where a
# texture-poor view (the car park) gives keypoints too little to place the crop.
CROP_EDITS = {f"centre crop {n}%": f"crop=iw*{1 - n / 100:g}:ih*{1 - n / 100:g}"
              for n in (20, 30)}
# The window played backwards (``reverse.py``): a registered window must be matched played
# backwards from its end, another moment still not at all.
REVERSED_EDITS = {"reversed": "reverse", "reversed + mirrored": "reverse,hflip"}
# The window turned on its side (``turn.py``): a registered window must be matched with the
# rotation, another moment still not at all. ffmpeg's transpose=3 turns clockwise and flips top
# to bottom: the picture turned counterclockwise and mirrored.
TURNED_EDITS = {"turned clockwise": "transpose=1", "turned counterclockwise": "transpose=2",
                "turned + mirrored": "transpose=3"}


def timed_captions(font: str) -> str:
    """Two subtitles one after the other and a banner over the middle, each shown for part of
    the window (seconds 1-4, 4.5-7, 7.5-9): pictures laid on and taken off, which jump from one
    frame to the next as a cut does (``provider.Decoded.jumps``)."""
    line = f"drawtext=fontfile={font}:fontsize=h/14:fontcolor=white:borderw=3:x=(w-tw)/2:y=h*0.85"
    return (f"{line}:text='The footage shows the control room':enable='between(t,1,4)',"
            f"{line}:text='filmed on 22 October 2015':enable='between(t,4.5,7)',"
            f"drawtext=fontfile={font}:text='SHARE IF YOU AGREE':fontsize=h/8:fontcolor=yellow:"
            "box=1:boxcolor=black:x=(w-tw)/2:y=h*0.4:enable='between(t,7.5,9)'")


def running_subtitles(font: str) -> str:
    """Yellow subtitles one after another without a gap, a new line every 1.5 s, and a logo
    coming on at 2 s that stays: text that changes in place, as a transcript's does."""
    lines = ["Calais, the control room", "the operator said", "these pictures were filmed",
             "in the middle of September", "not on 22 October", "share this video"]
    shown = ",".join(
        f"drawtext=fontfile={font}:fontsize=h/14:fontcolor=yellow:borderw=3:x=(w-tw)/2:"
        f"y=h*0.85:text='{text}':enable='between(t,{1.5 * k},{1.5 * (k + 1)})'"
        for k, text in enumerate(lines))
    return f"{shown},drawbox=x=iw*0.85:y=ih*0.04:w=iw*0.1:h=ih*0.1:color=red@0.8:t=fill:" \
        "enable='gte(t,2)'"


def news_ticker(font: str) -> str:
    """A bar across the bottom with text scrolling right to left through it, 120 pixels a
    second, for the whole window: a caption that moves all the time."""
    return ("drawbox=x=0:y=ih*0.88:w=iw:h=ih*0.12:color=black@0.8:t=fill,"
            f"drawtext=fontfile={font}:fontsize=h/16:fontcolor=white:y=h*0.9:"
            "x='w-mod(t*120,w+tw)':text='BREAKING - footage from Calais - the operator says "
            "the images were filmed in mid-September - more at eleven'")


def cut(clip: Path, name: str, start: float, length: float | None, vf: str = "",
        speed: float = 1.0) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", vf.lower()).strip("-")
    if len(slug) > 60:  # a caption's filter: its text and font path make a long name
        slug = f"{slug[:40]}-{hashlib.sha256(vf.encode()).hexdigest()[:12]}"
    if speed != 1.0:
        slug = "-".join(filter(None, (f"x{speed:g}", slug)))
        vf = ",".join(filter(None, (f"setpts=PTS/{speed:g}", vf)))
    if "reverse" in vf.split(",") and length is not None:
        # ffmpeg's reverse holds its whole input: the window is trimmed from the clip first
        vf = f"trim=duration={length * speed:.3f},{vf}"
    out = SET / f"{clip.stem}--{name}{'--' + slug if slug else ''}.mp4"
    if not out.exists():
        span = ["-t", f"{length:.2f}"] if length is not None else []  # of the output
        edit = ["-vf", vf] if vf else []
        ffmpeg("-ss", f"{start:.2f}", "-i", str(clip), *span, *edit, "-an", "-c:v", "libx264",
               "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", str(out))
    return out


def windows(total: float, first: float, last: float, window: float, step: float) -> list[float]:
    starts, at = [], first
    while at + window <= last + 1e-6:
        starts.append(round(at, 2))
        at += step
    return starts


def sweep(clip: Path, total: float, window: float, step: float, vf: str = "",
          registered: bool = False, speed: float = 1.0,
          errors: list[float] | None = None) -> Counter[str]:
    """Verdicts over the windows (played ``speed`` times as fast, and backwards where ``vf``
    reverses them) of the half the library does not hold or, with ``registered``, of the half
    it holds (counted ``found`` when matched at their own offset and speed over FOUND_SHARE of
    the window); with ``registered``, each matched window's ``_mapping_error`` is added to
    ``errors``."""
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings

    half = round(total / 2, 2)
    verdicts: Counter[str] = Counter()
    errors = [] if errors is None else errors
    # (the half the library holds, the windows of the other half)
    for held, (lo, hi) in (((0.0, half), (half, total)), ((half, None), (0.0, half))):
        original = cut(clip, f"held-{held[0]:g}", held[0], held[1])
        with tempfile.TemporaryDirectory() as folder:
            settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "c")
            with Library(settings.db, create=True) as library:
                register(str(original), Original(id=clip.stem, source="bench"), library,
                         settings)
                span = (held[0], held[1] if held[1] is not None else total) if registered \
                    else (lo, hi)
                for start in windows(total, span[0], span[1] - 0.3, window * speed, step):
                    query = cut(clip, f"window-{start:g}-{window:g}", start, window, vf, speed)
                    result = verify_video(local_video(str(query)), library, settings)
                    _assert_tiled(query, result)
                    if registered:
                        shows = _shown(start - held[0], speed, window,
                                       "reverse" in vf.split(","))
                        found = _matched_at(result, shows, (0.0, window), speed)
                        if result.matches:
                            errors.append(_mapping_error(result, query, original, shows))
                        verdicts["found" if found >= FOUND_SHARE * window
                                 else result.verdict.value] += 1
                        if found < FOUND_SHARE * window:
                            print(f"  missed: {query.name}: {result.verdict.value}, "
                                  f"{found:.1f} s at its offset; {result.reason}")
                        continue
                    verdicts[result.verdict.value] += 1
                    if result.verdict.value == "match":
                        spans = ", ".join(f"{s.query_start:.2f}-{s.query_end:.2f} <- "
                                          f"{s.reference_start:.2f}-{s.reference_end:.2f} "
                                          f"({s.evidence} confirmed)"
                                          for m in result.matches for s in m.segments)
                        print(f"  false match: {query.name}: {spans}")
    return verdicts


def spliced(clip: Path, held_at: float, other_at: float, held_first: bool) -> Path:
    out = SET / f"{clip.stem}--spliced-{held_at:g}-{other_at:g}-{int(held_first)}.mp4"
    if not out.exists():
        first, second = (held_at, other_at) if held_first else (other_at, held_at)
        ffmpeg("-ss", f"{first:.2f}", "-t", f"{PIECE_S:g}", "-i", str(clip),
               "-ss", f"{second:.2f}", "-t", f"{PIECE_S:g}", "-i", str(clip),
               "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-an",
               "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
               str(out))
    return out


def splices(clip: Path, total: float, pairs: int, seed: int = 7) -> list[list[object]]:
    """Per query: the seconds of the registered piece matched at its offset, of it matched
    elsewhere or called same-scene, and of the other moment's piece matched."""
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings

    half = round(total / 2, 2)
    original = cut(clip, "held-0", 0.0, half)
    chance = random.Random(f"{seed}-{clip.stem}")
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "c")
        with Library(settings.db, create=True) as library:
            register(str(original), Original(id=clip.stem, source="bench"), library, settings)
            for _ in range(pairs):
                held_at = round(chance.uniform(0.5, half - PIECE_S - 0.5), 2)
                other_at = round(chance.uniform(half + 0.5, total - PIECE_S - 0.5), 2)
                for held_first in (True, False):
                    query = spliced(clip, held_at, other_at, held_first)
                    result = verify_video(local_video(str(query)), library, settings)
                    _assert_tiled(query, result)
                    held = (0.0, PIECE_S) if held_first else (PIECE_S, 2 * PIECE_S)
                    offset = held_at - held[0]
                    right = _matched_at(result, _shown(offset, 1.0, PIECE_S, False), held)
                    other = sum(s.query_end - s.query_start - _overlap(
                        (s.query_start, s.query_end), held)
                        for m in result.matches for s in m.segments)
                    same = sum(_overlap((s.query_start, s.query_end), held)
                               for a in result.same_scene for s in a.segments)
                    rows.append([query.name, result.verdict.value, right, same, other])
    return rows


def _shown(offset: float, speed: float, window: float, backwards: bool
           ) -> Callable[[float], tuple[float, bool]]:
    """The original's time a window's query time shows (``offset`` at its start, or at its end
    played backwards), and whether it is played backwards."""
    if backwards:
        return lambda t: (offset + speed * (window - t), True)
    return lambda t: (offset + speed * t, False)


def _mapping_error(result: Verification, query: Path, original: Path,
                   shows: Callable[[float], tuple[float, bool]]) -> float:
    """Median over SHOWN_FRAMES of the query's frames inside its longest matched segment: how
    far (s) the time the segment maps the frame to is from the original's frame it shows (the
    frame flipped back where the segment is mirrored)."""
    segment = max((s for m in result.matches for s in m.segments),
                  key=lambda s: s.query_end - s.query_start)
    shown = _small_frames(original)
    times = np.array([t for t, _ in shown])
    frames = [(t, f) for t, f in _small_frames(query)
              if segment.query_start <= t <= segment.query_end]
    errors = []
    quarters = _quarters_upright(result)
    for t, frame in frames[:: max(1, len(frames) // SHOWN_FRAMES)]:
        if quarters:  # turned upright first, as verify does, then unmirrored
            frame = cv2.resize(np.rot90(frame, quarters), (160, 90), interpolation=cv2.INTER_AREA)
        frame = frame[:, ::-1] if segment.mirrored else frame
        near = np.flatnonzero(np.abs(times - shows(t)[0]) <= SHOWN_SEARCH_S)
        if len(near):
            best = near[int(np.argmin([np.abs(shown[k][1] - frame).mean() for k in near]))]
            mapped = segment.reference_time(t)
            errors.append(abs(mapped - times[best]))
    return float(np.median(errors)) if errors else float("nan")


def _quarters_upright(result: Verification) -> int:
    """The quarter turns counterclockwise (``np.rot90``) that set a repost on its side upright:
    1 for one turned clockwise (its ``rotated`` edit +90°), 3 counterclockwise, 0 if neither."""
    from provenance.models import Edit

    rotation = next((e.rotation or 0.0 for m in result.matches for e in m.edits
                     if e.kind is Edit.ROTATED), 0.0)
    return 1 if 45 <= rotation < 135 else 3 if -135 < rotation <= -45 else 0


@functools.lru_cache(maxsize=4)
def _small_frames(path: Path) -> list[tuple[float, np.ndarray]]:
    """Every frame of a video as (time, 160x90 grey, float)."""
    import av

    with av.open(str(path)) as container:
        return [(float(f.pts * f.time_base),
                 cv2.resize(f.to_ndarray(format="gray"), (160, 90),
                            interpolation=cv2.INTER_AREA).astype(np.float32))
                for f in container.decode(video=0)]


def _matched_at(result: Verification, shows: Callable[[float], tuple[float, bool]],
                piece: tuple[float, float], speed: float = 1.0) -> float:
    """Seconds of the query's ``piece`` matched where ``shows`` maps it (``_shown``: within
    OFFSET_TOLERANCE_S, in the same direction) and at ``speed`` (within SPEED_TOLERANCE)."""
    return sum(_overlap((s.query_start, s.query_end), piece)
               for s in (s for m in result.matches for s in m.segments)
               if abs(s.reference_time(s.query_start) - shows(s.query_start)[0])
               <= OFFSET_TOLERANCE_S and s.reversed == shows(s.query_start)[1]
               and abs(s.speed - speed) <= SPEED_TOLERANCE * speed)


def _assert_tiled(query: Path, result: Verification) -> None:
    """Matched, same-scene and unexplained intervals must tile the query (align's invariant)."""
    from provenance.align import coverage_error

    problem = coverage_error(result.duration, result.matches, result.same_scene,
                             result.unexplained)
    assert problem is None, f"{query.name}: {problem}"


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def splice_report(clips: list[Path], pairs: int) -> None:
    from copy_detection import duration

    summary = []
    for clip in clips:
        rows = splices(clip, duration(clip), pairs)
        for name, verdict, right, same, other in rows:
            print(f"  {name}: {verdict}; registered piece matched {right:.1f} s, same-scene "
                  f"{same:.1f} s; other moment matched {other:.1f} s")
        found = sum(r[2] >= FOUND_SHARE * PIECE_S for r in rows)  # type: ignore[operator]
        called_other = sum(r[3] >= MATCHED_S for r in rows)  # type: ignore[operator]
        matched_other = sum(r[4] > MATCHED_S for r in rows)  # type: ignore[operator]
        summary.append([clip.stem, len(rows), found, called_other, matched_other,
                        f"{sum(r[4] for r in rows):.1f}"])  # type: ignore[misc]
    print()
    print(table(["clip", "spliced queries", "registered piece found", "registered piece called "
                 "same-scene", "other piece matched", "other moment matched, s"], summary))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=WINDOW_S, help="excerpt length, s")
    parser.add_argument("--step", type=float, default=1.0, help="between excerpt starts, s")
    parser.add_argument("--clips", default="", help="only clips whose name contains this")
    parser.add_argument("--edit", default="",
                        help="an edit of copy_detection.py: a geometric one, or a filter-only "
                             "one of its main set (e.g. 'caption+logo')")
    parser.add_argument("--registered", action="store_true",
                        help="sweep the half the library holds instead: every window should "
                             "be matched at its own offset")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="play every window this many times as fast (e.g. 1.5)")
    parser.add_argument("--spliced", type=int, default=0, metavar="N",
                        help="instead: N pairs per clip of the registered moment spliced with "
                             "another moment, in both orders")
    args = parser.parse_args()
    if args.spliced:
        SET.mkdir(parents=True, exist_ok=True)
        cpu0 = cpu_self()
        splice_report([c for c in footage_clips() if args.clips in c.stem], args.spliced)
        print(f"\nCPU {cpu_self() - cpu0:.1f} s in this process")
        return
    from copy_detection import _FONT, EDITS, GEOMETRY_EDITS, duration

    filters = {**GEOMETRY_EDITS, **GRAIN_EDITS, **CROP_EDITS, **REVERSED_EDITS, **TURNED_EDITS,
               **({"timed captions": timed_captions(_FONT),
                   "running subtitles": running_subtitles(_FONT),
                   "news ticker": news_ticker(_FONT)} if Path(_FONT).exists() else {}),
               **{name: options[1] for name, (options, speed) in EDITS.items()
                  if options[0] == "-vf" and speed == 1.0}}
    if args.edit and args.edit not in filters:
        parser.error(f"unknown edit {args.edit!r}; one of: {', '.join(filters)}")
    vf = filters[args.edit] if args.edit else ""

    SET.mkdir(parents=True, exist_ok=True)
    rows = []
    cpu0 = cpu_self()
    for clip in [c for c in footage_clips() if args.clips in c.stem]:
        total = duration(clip)
        print(f"{clip.stem} ({total:.1f} s): library holds one half, {args.window:g} s "
              f"windows of {'that half' if args.registered else 'the other'} every "
              f"{args.step:g} s")
        errors: list[float] = []
        verdicts = sweep(clip, total, args.window, args.step, vf, args.registered, args.speed,
                         errors)
        count = sum(verdicts.values())
        if args.registered:
            measured = np.array([e for e in errors if e == e])
            rows.append([clip.stem, count, verdicts["found"], verdicts["match"],
                         verdicts["inconclusive"], verdicts["same-scene"], verdicts["no-match"],
                         f"{verdicts['found'] / max(1, count):.0%}",
                         f"{np.median(measured):.3f}" if len(measured) else "-",
                         f"{np.mean(measured <= 0.05):.0%}" if len(measured) else "-"])
        else:
            rows.append([clip.stem, count, verdicts["match"], verdicts["same-scene"],
                         verdicts["inconclusive"], verdicts["no-match"],
                         f"{verdicts['match'] / max(1, count):.0%}"])
    print()
    if args.registered:
        print(table(["clip", "windows", "found at its offset", "match, not there",
                     "inconclusive", "same-scene", "no-match", "found",
                     "mapped vs shown, median s", "within 0.05 s"], rows))
    else:
        print(table(["clip", "windows", "match (false)", "same-scene", "inconclusive",
                     "no-match", "false-match rate"], rows))
    print(f"\nCPU {cpu_self() - cpu0:.1f} s in this process")


if __name__ == "__main__":
    main()
