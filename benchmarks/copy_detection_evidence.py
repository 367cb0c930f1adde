"""Copy detection with sound: the evidence block of `copy_detection.py --evidence`.

The shared footage has no sound track, so each reference gets a generated, non-repeating
soundtrack (tests/synthetic_audio.py, one seed per clip) and every query carries the sound of
the moment it shows (or, for "replaced sound", another soundtrack):

* sound only: the excerpt as a 25 % picture-in-picture (half width and height) over other
  footage; a "screen recording" (the excerpt at 30 % of a phone-like frame with a status bar,
  blurred and noisy, its sound re-encoded at 48 kbit/s under room noise);
* replaced sound: a plain re-encode of the excerpt with another soundtrack (must be a match
  with "audio replaced"); kept sound: the same with its own sound (must not be);
* negatives: the same camera at another moment with that moment's sound, unrelated footage with
  unrelated sound.

Provenance is run three times per query in the same process, interleaved (evidence off, the
sound only, everything on: sound, OCR and Content Credentials), and
scored as in copy_detection.py: a pair's score is its picture match score, or with the sound
on, its audio-match score. CPU time is the process's own plus its
children's (ffmpeg reads the sound and the frames OCR reads), per verify.

    python benchmarks/copy_detection.py --evidence
"""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import replace
from pathlib import Path

from _common import cpu_children, cpu_self, ffmpeg, table
from copy_detection import (
    REFERENCE_SHARE,
    SET,
    Query,
    Truth,
    duration,
    pair_metrics,
    segment_metrics,
)

from tests import synthetic_audio as sa

EVIDENCE_SET = SET / "evidence"
LENGTH = 12.0
_ROOM_NOISE = "anoisesrc=color=pink:amplitude=0.03:seed=5"


def _sound(seed: int, start: float, length: float, folder: Path) -> Path:
    wav = folder / f"sound-{seed}-{start:.2f}-{length:.2f}.wav"
    if not wav.exists():
        sa.write_wav(str(wav), sa.soundtrack(seed, start, length))
    return wav


def _make(out: Path, picture: list[str], wav: Path, bitrate: str = "96k",
          mixed: bool = False) -> Path:
    """Encode ``picture`` (ffmpeg input args and a -filter_complex producing [v], and [a0] when
    ``mixed``, the graph then reading ``wav`` as its last input) with ``wav`` as its sound."""
    sound = "[a0]" if mixed else f"{picture.count('-i')}:a"
    if not out.exists():
        ffmpeg(*picture, "-i", str(wav), "-map", "[v]", "-map", sound,
               "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
               "-c:a", "aac", "-b:a", bitrate, "-shortest", str(out))
    return out


def build(clips: list[Path]) -> tuple[dict[str, Path], list[Query], dict[str, str]]:
    """(references with sound, queries, expected sound state of the picture match by query)."""
    EVIDENCE_SET.mkdir(parents=True, exist_ok=True)
    references: dict[str, Path] = {}
    queries: list[Query] = []
    expected: dict[str, str] = {}
    for seed, clip in enumerate(clips, start=1):
        total = duration(clip)
        split = round(total * REFERENCE_SHARE, 2)
        ref_id = clip.stem
        references[ref_id] = _make(
            EVIDENCE_SET / f"ref--{clip.stem}.mp4",
            ["-t", str(split), "-i", str(clip), "-filter_complex", "[0:v]null[v]"],
            _sound(seed, 0.0, split, EVIDENCE_SET))
        start = round(split * 0.3, 2)
        length = min(LENGTH, split * 0.5)
        excerpt = ["-ss", str(start), "-t", str(length), "-i", str(clip)]
        truth = [Truth(ref_id, 0.0, length, start, start + length)]
        own = _sound(seed, start, length, EVIDENCE_SET)
        other_clip = clips[seed % len(clips)]
        pip = _make(EVIDENCE_SET / f"q--{clip.stem}--pip25.mp4",
                    ["-ss", "1", "-t", str(length), "-i", str(other_clip), *excerpt,
                     "-filter_complex", "[0:v]scale=960:540,setsar=1[b];[1:v]scale=480:270[s];"
                     "[b][s]overlay=W-w-20:20[v]"], own)
        queries.append(Query(f"{clip.stem}/sound: pip 25% over other footage", "sound: pip 25%",
                             pip, truth))
        screen = _make(EVIDENCE_SET / f"q--{clip.stem}--screen.mp4",
                       ["-f", "lavfi", "-i", "color=c=0x202428:s=720x1280:r=30", *excerpt,
                        "-f", "lavfi", "-i", _ROOM_NOISE, "-filter_complex",
                        "[1:v]scale=640:-2,boxblur=2,noise=alls=12:allf=t[s];"
                        "[0:v]drawbox=x=0:y=0:w=iw:h=60:color=black:t=fill[b];"
                        "[b][s]overlay=40:420:shortest=1[v];[3:a][2:a]amix=inputs=2:"
                        "weights='1 1':duration=first[a0]"], own, bitrate="48k", mixed=True)
        queries.append(Query(f"{clip.stem}/sound: screen recording", "sound: screen recording",
                             screen, truth))
        kept = _make(EVIDENCE_SET / f"q--{clip.stem}--kept.mp4",
                     [*excerpt, "-filter_complex", "[0:v]null[v]"], own, bitrate="64k")
        queries.append(Query(f"{clip.stem}/kept sound", "kept sound", kept, truth))
        expected[kept.name] = "same"
        swapped = _make(EVIDENCE_SET / f"q--{clip.stem}--replaced.mp4",
                        [*excerpt, "-filter_complex", "[0:v]null[v]"],
                        _sound(100 + seed, 0.0, length, EVIDENCE_SET))
        queries.append(Query(f"{clip.stem}/replaced sound", "replaced sound", swapped, truth))
        expected[swapped.name] = "different"
        tail = round(split + (total - split) * 0.2, 2)
        later = min(10.0, total - tail - 0.5)
        other = _make(EVIDENCE_SET / f"q--{clip.stem}--other-moment.mp4",
                      ["-ss", str(tail), "-t", str(later), "-i", str(clip),
                       "-filter_complex", "[0:v]null[v]"], _sound(seed, tail, later, EVIDENCE_SET))
        queries.append(Query(f"{clip.stem}/same camera, other moment (its own sound)",
                             "same camera", other, [], same_camera=True))
    unrelated = _make(EVIDENCE_SET / "q--unrelated.mp4",
                      ["-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=25", "-t", "10",
                       "-filter_complex", "[0:v]null[v]"], _sound(999, 0.0, 10.0, EVIDENCE_SET))
    queries.append(Query("unrelated (its own sound)", "unrelated", unrelated, []))
    return references, queries, expected


def run(clips: list[Path]) -> None:
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings

    references, queries, expected = build(clips)
    print(f"\nEvidence block: {len(references)} originals with generated sound, {len(queries)} "
          "queries with sound\n")
    names = ("evidence off", "sound only", "evidence on")
    systems = {name: {"scores": {}, "decided": set(), "segments": {}, "verdicts": {}}
               for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in systems}
    sound_state: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        base = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "cache")
        configs = {"evidence off": replace(base, audio=False, ocr=False, credentials=False),
                   "sound only": replace(base, ocr=False, credentials=False),
                   "evidence on": base}
        with Library(base.db, create=True) as library:
            for ref_id, path in references.items():
                register(str(path), Original(id=ref_id, source="bench"), library, base)
            for query in queries:
                for name, settings in configs.items():
                    before = cpu_self() + cpu_children()
                    result = verify_video(local_video(str(query.path)), library, settings)
                    cpu[name].append(cpu_self() + cpu_children() - before)
                    _score(systems[name], query, result)
                    if name == "evidence on" and result.matches:
                        sound_state[query.path.name] = result.matches[0].audio
    rows = []
    for name, system in systems.items():
        m = pair_metrics(system, queries, references)
        seg = segment_metrics(system, queries)
        rows.append([name, f"{m['ap']:.3f}", f"{m['precision']:.2f}", f"{m['recall']:.2f}",
                     f"{m['same_camera_false']:.0%}", f"{seg['recall']:.2f}",
                     f"{seg['median_error']:.2f}", f"{sum(cpu[name]):.1f}",
                     f"{statistics.median(cpu[name]):.2f}"])
    print(table(["provenance", "micro AP", "precision", "recall", "false, same camera",
                 "segment recall", "boundary error (median s)", "CPU s total",
                 "CPU s / verify (median)"], rows))
    for name in names[1:]:
        ratios = [on / off for on, off in zip(cpu[name], cpu["evidence off"], strict=True)
                  if off > 0]
        total = sum(cpu[name]) / sum(cpu["evidence off"])
        print(f"\nCPU {name} / evidence off: total {total:.2f}x, per query median "
              f"{statistics.median(ratios):.2f}x")
    print("\nsound on the picture match (evidence on):\n")
    print(table(["query", "expected", "reported"],
                [[name, want, sound_state.get(name, "(no picture match)")]
                 for name, want in expected.items()]))
    kinds: dict[str, dict[str, list[bool]]] = {}
    for name, system in systems.items():
        decided: set[tuple[str, str]] = system["decided"]  # type: ignore[assignment]
        for query in queries:
            got = {ref for (q, ref) in decided if q == query.name}
            kinds.setdefault(query.kind, {}).setdefault(name, []).append(
                got == {t.reference_id for t in query.truth})
    print("\nper kind (exactly the right originals, from the picture or the sound):\n")
    print(table(["query kind", *systems], [[k, *(f"{sum(v[n])}/{len(v[n])}" for n in systems)]
                                          for k, v in kinds.items()]))


def _score(system: dict[str, object], query: Query, result: object) -> None:
    scores: dict[tuple[str, str], float] = system["scores"]  # type: ignore[assignment]
    decided: set[tuple[str, str]] = system["decided"]  # type: ignore[assignment]
    segments: dict[str, list[dict[str, object]]] = system["segments"]  # type: ignore[assignment]
    found = [*result.matches, *result.audio_matches]  # type: ignore[attr-defined]
    for match in found:
        key = (query.name, match.reference_id)
        scores[key] = max(scores.get(key, 0.0), match.score)
        decided.add(key)
    segments[query.name] = [
        {"reference_id": s.reference_id, "query_start": s.query_start, "query_end": s.query_end,
         "reference_start": s.reference_start, "reference_end": s.reference_end}
        for m in found for s in m.segments]
