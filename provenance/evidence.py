"""Evidence beyond the picture, wired like ``refine``: the sound on the picture's segments and
sound-only matches (``audio``), burned-in text (``ocr``) and Content Credentials
(``credentials``). Each part is optional; what did not run is said, never silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import audio, claims, credentials, decode, geometry, ocr
from .align import AlignResult, intersect
from .fingerprint import shots
from .frames import evenly_spread
from .library import Library
from .models import (
    BURNED_IN,
    CREDENTIALS_STAGE,
    SOUND_STAGE,
    Alignment,
    Claim,
    ContentCredentials,
    DetectedEdit,
    Edit,
    Fingerprint,
    Original,
    Passage,
    ScreenClock,
    Segment,
)
from .provider import nearest_index
from .settings import Settings

# Originals whose sound is scanned for a sound-only match when the picture found nothing; a
# larger library is scanned up to this many and the result says so (an inverted index of codes
# is the next step at archive scale).
AUDIO_SCAN_LIBRARY = 500
SKIPPED_OCR = f"{BURNED_IN}: install provenance[evidence] (rapidocr) to read it"
SKIPPED_FILE = f"{BURNED_IN} and {CREDENTIALS_STAGE}: the query is a fingerprint file, not a video"
# A stage the settings turned off is said like one that could not run (`provenance config`
# shows where the setting came from).
SKIPPED_AUDIO = f"{SOUND_STAGE}: turned off (audio = false, PROVENANCE_AUDIO=0)"
SKIPPED_OCR_OFF = f"{BURNED_IN}: turned off (ocr = false, PROVENANCE_OCR=0)"
SKIPPED_CREDENTIALS = (f"{CREDENTIALS_STAGE}: turned off (credentials = false, "
                       "PROVENANCE_CREDENTIALS=0)")


@dataclass(frozen=True)
class Seen:
    """What the query shows beyond its picture's match."""

    audio_matches: tuple[Alignment, ...] = ()
    text: tuple[ocr.TextLine, ...] = ()
    credentials: ContentCredentials | None = None
    skipped: tuple[str, ...] = ()
    # The lines of ``text`` read in a frame flipped left to right (mirror-written in the
    # query), their boxes where they lie in the query's own frame.
    mirrored: tuple[ocr.TextLine, ...] = ()


def beyond_picture(path: str, query_fp: Fingerprint, result: AlignResult, lib: Library,
                   settings: Settings, only_fingerprint: bool,
                   kept: Mapping[float, np.ndarray] | None = None,
                   colours: Mapping[float, np.ndarray] | None = None
                   ) -> tuple[AlignResult, Seen]:
    """The picture's result with the sound checked on its matches (and sound-only matches in
    its reason), and what else the query shows: burned-in text (read on ``kept`` frames, the
    ones the one decode kept, when given, with their ``colours``), Content Credentials."""
    heard: tuple[Alignment, ...] = ()
    skipped: list[str] = [] if settings.audio else [SKIPPED_AUDIO]
    if settings.audio:
        result = replace(result, matches=tuple(check_sound(m, query_fp, lib)
                                               for m in result.matches))
        # Sound alone is searched among the originals the picture did not explain with their
        # own sound: no match, a same-scene verdict (the sound can show it is the same moment
        # after all), or a picture match whose sound is another original's.
        explained = {m.reference_id for m in result.matches if m.audio == "same"}
        heard, skipped = sound_only(query_fp, lib, explained)
        result = replace(result, matches=tuple(_under_another(m, heard)
                                               for m in result.matches))
        if heard:
            result = replace(result, reason=result.reason + describe_sound_only(
                heard, pictured=bool(result.matches)))
    if only_fingerprint:
        return result, Seen(heard, skipped=(*skipped, SKIPPED_FILE))
    text, not_read, flipped = burned_in_text(path, query_fp, settings, kept,
                                             mirrored_spans(result), colours)
    anchors = settings.trust_anchors.read_bytes() if settings.trust_anchors else None
    found = credentials.read_credentials(path, anchors) if settings.credentials else None
    off = [] if settings.credentials else [SKIPPED_CREDENTIALS]
    return result, Seen(heard, tuple(text), found, tuple(skipped + not_read + off),
                        tuple(flipped))


def sound(path: str, settings: Settings) -> np.ndarray:
    """The file's Chromaprint codes (empty when it has no sound or audio is off). A file whose
    headers declare no sound stream is not handed to ffmpeg (its start alone costs more CPU than
    fingerprinting a 3 s query)."""
    if not settings.audio or not decode.has_sound(path):
        return np.zeros(0, dtype=np.uint32)
    return audio.fingerprint_audio(path, audio.ffmpeg_exe())


def check_sound(alignment: Alignment, query_fp: Fingerprint, lib: Library) -> Alignment:
    """The sound on a picture match's segments: the same, none, or different ("audio
    replaced"); sound over the original's silent track is an edit too ("audio added"). Segments
    played backwards are not compared: the sound's codes are matched forwards only."""
    ref = lib.fingerprint(alignment.reference_id).audio
    forwards = [s for s in alignment.segments if not s.reversed]
    found = {audio.compare(query_fp.audio, ref, s.query_start, s.query_end, s.offset, s.speed)
             for s in forwards}
    state = ("different" if "different" in found else "same" if "same" in found else "none")
    put_under = state == "none" and any(
        audio.added(query_fp.audio, ref, s.query_start, s.query_end, s.offset, s.speed)
        for s in forwards)
    edits = alignment.edits + ((DetectedEdit(Edit.AUDIO_REPLACED),) if state == "different"
                               else (DetectedEdit(Edit.AUDIO_ADDED),) if put_under else ())
    return replace(alignment, audio=state, edits=edits)


def _under_another(alignment: Alignment, heard: Sequence[Alignment]) -> Alignment:
    """A picture match without sound of its own to compare ("none") whose segments another
    original's sound, found alone (``heard``), plays under for MIN_SEGMENT_S or more: "audio
    added" (a desk audit's camera registered without sound, another camera's sound put under
    it, was rated authentic)."""
    if alignment.audio != "none" or Edit.AUDIO_ADDED in {e.kind for e in alignment.edits}:
        return alignment
    spans = [(s.query_start, s.query_end) for s in alignment.segments]
    shared = sum(b - a for other in heard if other.reference_id != alignment.reference_id
                 for s in other.segments for a, b in intersect((s.query_start, s.query_end),
                                                               spans))
    if shared < audio.MIN_SEGMENT_S:
        return alignment
    return replace(alignment, edits=(*alignment.edits, DetectedEdit(Edit.AUDIO_ADDED)))


def sound_only(query_fp: Fingerprint, lib: Library, exclude: set[str]
               ) -> tuple[tuple[Alignment, ...], list[str]]:
    """(originals but ``exclude`` whose sound is in the query, found from the sound alone;
    what was skipped)."""
    if len(query_fp.audio) < audio.MIN_CODES:
        return (), []
    refs = {ref: codes for ref, codes in lib.audio_fingerprints(AUDIO_SCAN_LIBRARY).items()
            if ref not in exclude}
    skipped = ([f"sound-only search: only {AUDIO_SCAN_LIBRARY} of {len(lib)} originals' sound "
                "was scanned"] if len(lib) > AUDIO_SCAN_LIBRARY else [])
    by_ref: dict[str, list[Segment]] = {}
    found, left_out = audio.search(query_fp.audio, refs)
    if left_out:
        skipped.append(f"sound-only search: the offset scan (for sound under other sound) "
                       f"left out {left_out} original(s) past its budget")
    for s in found:
        by_ref.setdefault(s.reference_id, []).append(Segment(
            s.reference_id, s.query_start, min(s.query_end, query_fp.duration),
            s.reference_start, s.reference_end, speed=s.speed,
            evidence=int((s.query_end - s.query_start) / audio.HOP_S),
            similarity=round(1.0 - 2 * s.bit_error_rate, 3)))
    return tuple(Alignment(ref_id, score=round(max(x.similarity for x in segs), 3),
                           segments=tuple(segs), audio="audio-only")
                 for ref_id, segs in by_ref.items()), skipped


def describe_sound_only(found: tuple[Alignment, ...], pictured: bool = False) -> str:
    def spans(a: Alignment) -> str:
        return ", ".join(f"{s.query_start:.1f}-{s.query_end:.1f} s" for s in a.segments)

    parts = [f"{a.reference_id} ({spans(a)})" for a in found]
    said = ("the sound is another original's: " if pictured
            else "the picture does not match, but the sound matches ")
    return "; " + said + ", ".join(parts) + " (audio-match: evidence from the sound only)"


def _ocr_times(fp: Fingerprint) -> list[float]:
    """One keyframe per shot, the longest shots first, at most ocr.MAX_FRAMES (each read only
    where ``ocr.read_frame`` finds text likely)."""
    ranked = sorted(shots(fp), key=lambda s: -(s.end - s.start)) if len(fp) else []
    return sorted(s.keyframe for s in ranked[: ocr.MAX_FRAMES])


def _with_new_bands(shown: Mapping[float, np.ndarray], kept: Mapping[float, np.ndarray]
                    ) -> dict[float, list[tuple[int, int]]]:
    """Of ocr.SPREAD_FRAMES ``kept`` frames spread evenly over the video, those with bands of
    likely text (``ocr.text_bands``, at most ocr.NEW_BAND_HEIGHT of the frame high, steady
    into the next kept frame: ``ocr.steady_share``) at rows where neither the frames ``shown``
    nor one before had one: those bands by time. A shot's
    keyframe is its most typical frame, so a caption shown over part of the shot is not on it
    (a desk audit: a dated caption over 6 s of a 15 s shot went unread, the repost
    "authentic"); text that changes in place (subtitles) is still read once."""
    rows = [band for frame in shown.values() for band in ocr.text_bands(frame)]
    available = sorted(kept)
    added: dict[float, list[tuple[int, int]]] = {}
    for index in evenly_spread(len(available), ocr.SPREAD_FRAMES):
        time, frame = available[index], kept[available[index]]
        later = kept[available[index + 1 if index + 1 < len(available) else index - 1]]
        new = [band for band in ocr.text_bands(frame)
               if band[1] - band[0] <= ocr.NEW_BAND_HEIGHT * frame.shape[0]
               and not any(ocr.crossing(band, row) for row in rows)
               and ocr.steady_share(frame, later, band) >= ocr.STEADY_STEPS]
        if new and time not in shown:
            added[time] = new
            rows += new
    return added


def mirrored_spans(result: AlignResult) -> list[tuple[float, float]]:
    """The query's stretches matched to an original mirrored: text the camera burned in is
    mirror-written there."""
    return [(s.query_start, s.query_end) for m in result.matches for s in m.segments
            if s.mirrored]


def burned_in_text(path: str, fp: Fingerprint, settings: Settings,
                   kept: Mapping[float, np.ndarray] | None = None,
                   mirrored: Sequence[tuple[float, float]] = (),
                   colours: Mapping[float, np.ndarray] | None = None
                   ) -> tuple[list[ocr.TextLine], list[str], list[ocr.TextLine]]:
    """(lines read on a few frames, skipped stages, the lines among them read mirrored). The
    frames are the ``kept`` ones (grey, from the one decode, each with its small colour picture
    in ``colours`` where the decoder kept colour) nearest each shot's keyframe, else read from
    the file by seeking. Inside the ``mirrored`` stretches (query seconds) the frames are read
    flipped left to right as well (``_read_flipped``)."""
    if not settings.ocr:
        return [], [SKIPPED_OCR_OFF], []
    if not ocr.available():
        return [], [SKIPPED_OCR], []
    lines: list[ocr.TextLine] = []
    read = ocr.TextReader()  # text unchanged since an earlier frame is not read again
    times = _ocr_times(fp)
    shown = _frames(path, times, kept)
    added = _with_new_bands(shown, kept) if kept else {}
    if kept and added:
        shown = {**shown, **{time: kept[time] for time in added}}
        times = sorted(shown)
    colour = colours or {}
    for time, frame in sorted(shown.items()):
        # nothing where no text is likely; in a frame added for its new bands, only those
        lines += read(frame, time, colour.get(time), added.get(time))
    if not mirrored:
        return lines, [], []
    flipped = _frames(path, _mirrored_times(times, mirrored), kept)
    # A frame read only flipped is read as it is too, only to weigh its flipped lines against
    # (a caption written the right way round, read flipped, is a few letters of junk).
    beside = [line for time, frame in sorted(flipped.items()) if time not in shown
              for line in read(frame, time, colour.get(time))]
    both, mirror_written = _either_way(lines, _read_flipped(flipped, colour), beside)
    return both, [], mirror_written


def _mirrored_times(times: Sequence[float], spans: Sequence[tuple[float, float]]
                    ) -> list[float]:
    """The OCR's times inside the mirrored stretches, and the middle of each stretch none of
    them falls in (a mirrored shot shorter than the video's longest ones has no frame read)."""
    inside = [t for t in times if any(a <= t <= b for a, b in spans)]
    return sorted(inside + [(a + b) / 2 for a, b in spans
                            if not any(a <= t <= b for t in inside)])


def _read_flipped(frames: Mapping[float, np.ndarray], colours: Mapping[float, np.ndarray]
                  ) -> list[ocr.TextLine]:
    """Lines read in the frames (with their colour pictures) flipped left to right, each box
    put back where the line lies in the frame as it is (mirrored): the caption stage compares
    the query's pixels there, unmirrored, with the original's."""
    read = ocr.TextReader()
    return [replace(line, box=None if line.box is None else _rounded(
        geometry.mirrored_box(line.box))) for time, frame in sorted(frames.items())
            for line in read(np.ascontiguousarray(frame[:, ::-1]), time, _flipped(colours, time))]


def _flipped(colours: Mapping[float, np.ndarray], time: float) -> np.ndarray | None:
    picture = colours.get(time)
    return None if picture is None else np.ascontiguousarray(picture[:, ::-1])


def _rounded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return (round(x0, 4), round(y0, 4), round(x1, 4), round(y1, 4))


def _either_way(lines: list[ocr.TextLine], flipped: list[ocr.TextLine],
                beside: Sequence[ocr.TextLine] = ()
                ) -> tuple[list[ocr.TextLine], list[ocr.TextLine]]:
    """Where a line read as it is and one read flipped lie in the same place at the same
    time, the one read with more confidence (mirror-written text read as it is is at best
    a few letters, and the other way round). ``beside``: lines read as they are in frames
    otherwise read only flipped, which only weigh against those. Returns (every line kept,
    those among them read flipped)."""
    def beaten(line: ocr.TextLine, others: Sequence[ocr.TextLine]) -> bool:
        return any(o.time == line.time and o.score > line.score and _same_place(o, line)
                   for o in others)

    kept = [line for line in lines if not beaten(line, flipped)]
    mirrored = [line for line in flipped if not beaten(line, [*lines, *beside])
                and line not in kept]
    return sorted(kept + mirrored, key=lambda line: line.time), mirrored


def _same_place(a: ocr.TextLine, b: ocr.TextLine) -> bool:
    """Whether two lines' boxes share half of the smaller one."""
    return a.box is not None and b.box is not None and ocr.overlapping(a.box, b.box)


def _frames(path: str, times: list[float], kept: Mapping[float, np.ndarray] | None
            ) -> dict[float, np.ndarray]:
    if not kept:
        from . import frames

        return frames.colour_frames(path, times)
    available = sorted(kept)
    found = {}
    for time in times:
        nearest = available[nearest_index(available, time)]
        found[nearest] = kept[nearest]  # grey: the reader makes three channels of its bands
    return found


def text_claims(lines: Sequence[ocr.TextLine], index: int | str = 0,
                added: Sequence[ocr.TextLine] = ()) -> list[Claim]:
    """Dates, places and sources in the query's burned-in captions as claims about it, each
    once. A line with a date and a time of day is a camera clock, the footage's own record
    (shown with the burned-in text), not a caption: it makes no claim, unless it is among the
    lines found ``added`` to the original's picture (a made-up clock,
    ``refine.caption_edits_stage``)."""
    captions = [line for line in lines
                if ocr.screen_datetime(line.text) is None or line in added]
    found = claims.read_claims([Passage(line.text, BURNED_IN, index) for line in captions])
    unique: dict[tuple[str, str], Claim] = {}
    for claim in found:
        unique.setdefault((claim.kind, claim.value), claim)
    return list(unique.values())


def screen_clocks(lines: Sequence[ocr.TextLine], added: Sequence[ocr.TextLine] = (),
                  mirrored: Sequence[ocr.TextLine] = (), judged: Sequence[ocr.TextLine] = ()
                  ) -> list[ScreenClock]:
    """The camera clocks read in the query's picture, the footage's own record of when it was
    filmed: each line with a date and a time of day, but those found ``added`` to a matched
    original's picture (a made-up clock, ``refine.caption_edits_stage``); those ``judged``
    (compared with an original's picture) and not added are the camera's own."""
    found = []
    for line in lines:
        clock = ocr.screen_datetime(line.text)
        if clock is not None and line not in added:
            found.append(ScreenClock(line.time, clock[0].isoformat(), clock[1],
                                     line in mirrored, True if line in judged else None))
    return found


def screen_recorded(original: Original, lines: list[ocr.TextLine]) -> Original:
    """An original with the camera clock read in its picture: ``recorded_at`` from it when the
    metadata has none, compared with the metadata when it has."""
    for line in lines:
        clock = ocr.screen_datetime(line.text)
        if clock is None:
            continue
        when, span = clock
        note = f"{when.isoformat()}; on-screen text at {line.time:.1f} s: {span!r}"
        if not original.recorded_at:
            return replace(original, recorded_at=when.date().isoformat(),
                           recorded_on_screen=note + "; recorded_at taken from it")
        recorded = claims.recorded_range(original)
        agrees = recorded is not None and recorded[0] <= when.date() <= recorded[1]
        verdict = "agrees with" if agrees else "DISAGREES with"
        return replace(original, recorded_on_screen=f"{note}; {verdict} the metadata "
                       f"({original.recorded_at})")
    return original

