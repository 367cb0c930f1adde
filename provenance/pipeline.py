"""The one place that wires the stages together: acquire -> fingerprint -> search -> align ->
claims -> Verification."""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from . import (
    acquire,
    claims,
    evidence,
    finding,
    layout,
    moment,
    ocr,
    provider,
    refine,
    reverse,
    turn,
)
from .align import (
    DEFAULT_PARAMS,
    AlignResult,
    MatchParams,
    align,
    blank_spans,
    view_radius,
    with_boundaries_moved,
    with_held_ends,
    with_held_pictures,
    with_open_moments,
)
from .errors import AcquireError, MediaError, ProvenanceError
from .fingerprint import cuts as cut_indices
from .fingerprint import load as load_fingerprint
from .frames import cut_off_note
from .gazetteer import Gazetteer
from .library import Library, Radii, Scores
from .models import (
    ARTICLE,
    Alignment,
    Box,
    BurnedInText,
    Claim,
    ClaimKind,
    Finding,
    Fingerprint,
    LocalData,
    LocalVideo,
    Original,
    Passage,
    Region,
    Segment,
    StatedClaims,
    Verdict,
    Verification,
    VideoRef,
    post_upload_date,
)
from .settings import Settings, load_settings

# A reference becomes a candidate when this many query samples (or their mirror images) agree
# with it (the aligner's MIN_CONFIRMED); at most MAX_CANDIDATES, the best supported, are aligned.
MIN_CANDIDATE_SAMPLES = 3
MAX_CANDIDATES = 32

Progress = Callable[[str, float, float | None], None]
# A fingerprint file (.npz from `provenance fingerprint`) larger than this is refused: 10 hours
# of video at 4 samples/s is about 7 MB.
MAX_FINGERPRINT_FILE = 256 * 1024**2
# Said in the result of a query given as a fingerprint: what could not be done without pixels.
FINGERPRINT_ONLY = ("verified from a fingerprint file: the local-feature stage (crops, "
                    "picture-in-picture), the moment check (same camera, same moment?), the "
                    "search for footage played backwards and the grain check need the video and "
                    "did not run")
# Said after the finding's summary of a verify against a library without originals (a desk
# audit's server on a mistyped --db answered "unverified" for everything, saying nothing more).
EMPTY_LIBRARY = ("any original: the library is empty (add originals with `provenance library "
                 "add VIDEO --id ID`)")
# Said after the finding's summary of such a query: a crop the whole-frame hashes miss is "no
# match" from its fingerprint and a match from its video (a desk audit).
NOT_SEARCHED = ("crops, picture-in-picture, picture edits and the same-moment check, which "
                "need the video's pixels (the query is a fingerprint file: verify the video "
                "itself)")


@dataclass(frozen=True)
class ArticleContext:
    """The page a video was found in: what it says around the video (``passages`` about this
    video or the whole page) and the video's ``index`` among the page's videos."""

    url: str
    title: str = ""
    published: str = ""
    passages: tuple[Passage, ...] = ()
    index: int = 0
    videos: int = 1


def is_url(query: str) -> bool:
    return urlsplit(query).scheme in ("http", "https")


def _looks_like_html(path: str) -> bool:
    if path.lower().endswith((".html", ".htm")):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(512).lstrip().lower()
    except OSError:
        return False
    return head.startswith((b"<!doctype html", b"<html"))


def library_for(target: str | os.PathLike[str], settings: Settings,
                create: bool = False) -> Library:
    """The library at ``target``, opened with its index cached in the settings' cache folder
    (``Library.index_cache``)."""
    library = Library(target, create=create)
    library.index_cache = settings.cache_dir
    return library


@contextmanager
def opened_library(
    library: Library | str | os.PathLike[str], settings: Settings, create: bool = False
) -> Iterator[Library]:
    """The given library, or the one at the given path, opened for this call
    (``library_for``) and closed after."""
    if isinstance(library, Library):
        yield library
        return
    with library_for(library, settings, create) as opened:
        yield opened


def candidates(query: Fingerprint, library: Library,
               params: MatchParams = DEFAULT_PARAMS) -> list[str]:
    """Originals worth aligning, best first (see library/index.py and rank_candidates)."""
    index = library.index(params.min_motion_energy)
    return rank_candidates(index.search(query, Radii(params.scene_radius, params.motion_radius)))


def rank_candidates(scores: Scores) -> list[str]:
    """Originals whose events agree with the query's at one time offset (what a match needs),
    most agreeing samples first; then originals sharing its views (a same-scene verdict needs
    those), most shared samples first; at most MAX_CANDIDATES."""
    def order(counts: dict[str, int]) -> list[str]:
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -scores.views.get(kv[0], 0), kv[0]))
        return [ref for ref, n in ranked if n >= MIN_CANDIDATE_SAMPLES]

    by_events = order(scores.events)
    chosen = set(by_events)
    return [*by_events, *(ref for ref in order(scores.views) if ref not in chosen)][:MAX_CANDIDATES]


def match_fingerprint(query: Fingerprint, library: Library,
                      params: MatchParams = DEFAULT_PARAMS) -> AlignResult:
    """Candidates from the index, then time alignment against their fingerprints, read one at a
    time (only one candidate's fingerprint is in memory at once). A view is judged within the
    radius the library's size allows (``align.view_radius``)."""
    views = library.index(params.min_motion_energy).views
    params = replace(params, view_radius=view_radius(views, params))
    refs = ((ref_id, library.fingerprint(ref_id))
            for ref_id in candidates(query, library, params))
    return align(query, refs, params)


def verify_video(
    video: LocalVideo,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    context: ArticleContext | None = None,
    progress: Progress | None = None,
    query_name: str | None = None,
    stated: StatedClaims | None = None,
) -> Verification:
    """Verify one local video against the library, with the claims the page around it and
    the checker (``stated``) make about it."""
    settings = settings or load_settings()
    with opened_library(library, settings) as lib:
        name = query_name or video.source_url or video.path
        decoded = None
        if is_fingerprint_file(video.path):
            query_fp = _fingerprint_file(video.path)
        else:
            decoded = provider.decode(video.path, settings.sample_fps, frame_progress(progress))
            query_fp = replace(decoded.fingerprint,
                               audio=evidence.sound(video.path, settings))
        _step(progress, "match", 0.0)
        result = match_fingerprint(query_fp, lib)
        _step(progress, "match", 1.0)
        regions: tuple[Region, ...] = ()
        stored: dict[str, LocalData | None] = {}  # matched originals' stored data, read once
        wall = ""
        if decoded is None:
            result = moment.unchecked_stage(result, query_fp)
            result = replace(result, reason=f"{result.reason}; {FINGERPRINT_ONLY}",
                             skipped=(*result.skipped, "local features, picture edits, the "
                                      "moment check, footage played backwards and the grain "
                                      "check: the query is a fingerprint file, not a video"))
        else:
            _step(progress, "local", 0.0)
            candidates_in = partial(candidates, library=lib, params=result.params)
            saturation_of = partial(_saturation, video.path)
            result, regions, wall = layout.layout_stage(decoded, result, lib, candidates_in)
            result = refine.local_feature_stage(decoded, result, lib)
            result = layout.with_screen(decoded, result)
            stored = refine.matched_local_data(result, lib)
            result = refine.picture_edits_stage(decoded, saturation_of(decoded, result), result,
                                                stored)
            result, inset = refine.inset_content_stage(decoded, result, lib, candidates_in)
            stored = {**stored, **inset}
            result = moment.moment_stage(decoded, result, stored)
            result, stored = _searched(video.path, decoded, result, stored, lib)
            result, stored = reverse.backwards_stage(decoded, result, lib, stored, saturation_of)
            result, stored = turn.turned_stage(decoded, result,
                                               partial(match_fingerprint, library=lib), lib,
                                               stored, saturation_of)
            result = _not_looked_for(result)
            _step(progress, "local", 1.0)
        _step(progress, "evidence", 0.0)
        kept = dict(zip(decoded.local_times, decoded.local_frames, strict=True)) if decoded \
            else None
        result, seen = evidence.beyond_picture(video.path, query_fp, result, lib, settings,
                                               only_fingerprint=decoded is None, kept=kept,
                                               colours=_colours(decoded))
        added: tuple[ocr.TextLine, ...] = ()  # text the originals do not show
        judged: tuple[ocr.TextLine, ...] = ()  # text compared with an original at all
        cut_at = cut_indices(query_fp)
        cut_samples = [float(query_fp.times[k]) for k in cut_at]
        if decoded is not None:
            result, added, judged = refine.caption_edits_stage(decoded, result, stored,
                                                               seen.text, cut_samples)
            laid_on, own = refine.same_scene_clocks(decoded, result, seen.text,
                                                    partial(_local_data, stored, lib))
            added, judged = (*added, *laid_on), (*judged, *laid_on, *own)
        # read once: the steps below move segments' ends, never which originals match
        matched = [lib.get(m.reference_id) for m in result.matches]
        result = with_held_pictures(with_held_ends(with_open_moments(result, cut_samples),
                                                   _held_ends(matched)), query_fp)
        located = _cuts_located(decoded, cut_at) if decoded is not None else {}
        if not regions:
            result = with_boundaries_moved(result, located)
        _step(progress, "evidence", 1.0)
        _step(progress, "report", 0.0)
        similar = [lib.get(m.reference_id) for m in result.same_scene]
        index = context.index if context else 0
        said = [*said_about(index, context, video.provenance, stated),
                *evidence.text_claims(seen.text, index, added)]
        # "Recycled or misdated" is said of another moment, not of a moment not established
        # (an inconclusive result's same-scene intervals are all unsettled).
        another = any(not s.unsettled for a in result.same_scene for s in a.segments)
        clocks = evidence.screen_clocks(seen.text, added, seen.mirrored, judged)
        gazetteer = _gazetteer(settings, said, progress)
        checked = [*claims.check_clocks(claims.check(said, matched, similar,
                                                     moment_known=another,
                                                     gazetteer=gazetteer), clocks),
                   *claims.scene_flags(similar if not matched and another else [])]
        pictures, notes = report_frames(decoded, result.matches, stored) if decoded \
            else ({}, {})
        unexamined = (*_cut_off(decoded), *(() if len(lib) else (EMPTY_LIBRARY,)))
        _step(progress, "report", 1.0)
        return Verification(
            query=name,
            verdict=result.verdict,
            confidence=round(result.confidence, 3),
            reason=result.reason,
            duration=round(query_fp.duration, 3),
            matches=result.matches,
            same_scene=result.same_scene,
            unexplained=result.unexplained,
            originals=tuple(matched + similar),
            claims=tuple(checked),
            provenance={**video.provenance, **_article_record(context)},
            settings={**settings.to_dict(), "sample_fps": query_fp.sample_fps},
            video_path="" if decoded is None else os.path.abspath(video.path),
            finding=_with_caveats(finding.assess(
                result.verdict, result.matches, result.unexplained, checked, matched + similar,
                result.reason, audio_matches=seen.audio_matches, regions=regions,
                same_scene=result.same_scene, params=result.params, clocks=clocks,
                cuts=[located.get(t, t) for t in cut_samples],
                blank=blank_spans(query_fp)),
                (*unexamined, *((NOT_SEARCHED,) if decoded is None else ()))),
            params=result.params.to_dict(),
            skipped=(*result.skipped, *seen.skipped, *unexamined),
            audio_matches=seen.audio_matches,
            content_credentials=seen.credentials,
            burned_in_text=tuple(BurnedInText(line.time, line.text, line.box,
                                              line in added if line in judged else None,
                                              line in seen.mirrored)
                                 for line in seen.text),
            screen_clocks=tuple(clocks),
            frames=pictures,
            frame_notes=notes,
            regions=regions,
            layout=wall,
        )


def _not_looked_for(result: AlignResult) -> AlignResult:
    """A result with time no original explains says what was not looked for there: crops and
    insets played backwards or turned on their side."""
    if not result.unexplained:
        return result
    return replace(result, skipped=tuple(dict.fromkeys(
        (*result.skipped, reverse.NOT_LOOKED_FOR, turn.NOT_LOOKED_FOR))))


def _searched(path: str, decoded: provider.Decoded, result: AlignResult,
              stored: dict[str, LocalData | None], lib: Library
              ) -> tuple[AlignResult, dict[str, LocalData | None]]:
    """The moment search (``moment.search_stage``) after the moment check, with the picture
    edits of the originals it newly matched (the repost's saturation over their segments), and
    their stored data beside the others'."""
    searched, read = moment.search_stage(decoded, result, lib)
    new = {m.reference_id for m in searched.matches} - set(stored)
    if not new:
        return searched, stored
    stored = {**stored, **{ref_id: read[ref_id] for ref_id in new}}
    saturation = _saturation(path, decoded, replace(searched, matches=tuple(
        m for m in searched.matches if m.reference_id in new)))
    return refine.picture_edits_stage(decoded, saturation, searched, stored, only=new), stored


def _local_data(stored: Mapping[str, LocalData | None], lib: Library, ref_id: str
                ) -> LocalData | None:
    """An original's stored local data: read already for the matches, else from the library."""
    return stored[ref_id] if ref_id in stored else lib.local_data(ref_id)


def _held_ends(matched: Iterable[Original]) -> dict[str, tuple[float, float]]:
    """The seconds the library holds, and those its file announced, of each matched original
    whose file was cut off at registration (``Original.cut_off``), by id."""
    return {o.id: (o.duration, o.announced_duration) for o in matched if o.cut_off}


def _cuts_located(decoded: provider.Decoded, cut_at: np.ndarray) -> dict[float, float]:
    """For each cut's sample (``cut_at``: the first after it, where the pieces on either side
    meet), by its time, where between it and the sample before the picture changed most
    (``Decoded.change_instant``)."""
    times = decoded.fingerprint.times
    located = {}
    for k in cut_at:
        sample = float(times[k])
        instant = decoded.change_instant(float(times[k - 1]), sample) if k > 0 else None
        if instant is not None:
            located[sample] = instant
    return located


def _colours(decoded: provider.Decoded | None) -> dict[float, np.ndarray] | None:
    """The colour pictures the one decode kept with its local-feature frames, by time."""
    if decoded is None or not decoded.pictures:
        return None
    return dict(zip(decoded.local_times, decoded.pictures, strict=True))


def report_frames(decoded: provider.Decoded, matches: tuple[Alignment, ...],
                  stored: Mapping[str, LocalData | None]
                  ) -> tuple[dict[str, bytes], dict[str, str]]:
    """The HTML report's pictures of each matched segment, a pair showing one instant, and
    what its caption must add (``Verification.frames``, ``frame_notes``): the original's picture
    stored at registration (``_shown_instant``) and the query's colour picture kept by the one
    decode at the time the segment maps it to. Each caption names the segment's middle; the
    note says where a picture is more than a sampling step from it. No video is decoded
    again. Where there is no colour, a grey frame stands in, said so:
    the query's local-feature frame (the decoder read luma only), or an old library's detail
    thumbnail, enlarged pixel by pixel so it is seen as one. ``stored``: the matched originals'
    stored data this verify already read (``refine.matched_local_data``)."""
    from .frames import jpeg_bytes

    step = 1.0 / decoded.fingerprint.sample_fps
    found: dict[str, bytes] = {}
    notes: dict[str, str] = {}
    for m_index, match in enumerate(matches):
        local = stored.get(match.reference_id)
        for s_index, s in enumerate(match.segments):
            key = f"{m_index}-{s_index}"
            middle = (s.query_middle, (s.reference_start + s.reference_end) / 2)
            query_time, reference_time = _shown_instant(decoded, local, s, middle)
            query = _query_picture(decoded, query_time, middle[0], step)
            if query is not None:
                picture, note = query
                if match.region is not None:
                    picture = _cut(picture, match.region)
                    note = "; ".join(filter(None, (note, "its region of the frame")))
                found[f"{key}-query"] = jpeg_bytes(picture, provider.PICTURE_SIZE)
                notes[f"{key}-query"] = note
            reference = None if local is None else _original_picture(
                local, match.reference_id, reference_time, middle[1], step)
            if reference is not None:
                found[f"{key}-reference"], notes[f"{key}-reference"] = reference
    return found, {k: v for k, v in notes.items() if v}


def _cut_off(decoded: provider.Decoded | None) -> tuple[str, ...]:
    """What a verify of a file cut off or damaged must say: only its beginning was examined."""
    if decoded is None or decoded.cut_off is None:
        return ()
    return (f"the end of the video: {cut_off_note(decoded.cut_off)}",)


def _with_caveats(found: Finding, caveats: Sequence[str]) -> Finding:
    """The finding with what limits it (the end of a file cut off) said after its summary."""
    if not caveats:
        return found
    said = "; ".join(caveats)
    return replace(found, summary=f"{found.summary} Not examined: {said}.",
                   reasons=(*found.reasons, *(f"not examined: {c}" for c in caveats)))


def _cut(picture: np.ndarray, box: Box) -> np.ndarray:
    """The part of the repost's picture a region match is about (a grid cell, a monitor)."""
    left, top, right, bottom = provider.pixel_box(box, picture.shape[1], picture.shape[0], 1)
    return np.ascontiguousarray(picture[top:bottom, left:right])


def _elsewhere(times: Sequence[float] | np.ndarray, k: int, time: float, step: float,
               what: str) -> list[str]:
    """The caption's note when the picture is more than a sampling step from the time shown."""
    from .report.text_report import timecode

    return [f"{what} at {timecode(float(times[k]))}"] if abs(times[k] - time) > step else []


def _shown_instant(decoded: provider.Decoded, local: LocalData | None, segment: Segment,
                   middle: tuple[float, float]) -> tuple[float, float]:
    """(query time, original time) the segment's pictures are taken at: an original's stored
    picture inside the segment (12 spread over the original: seconds apart) and the query's
    time it maps to, the pair whose query picture lies nearest that time, then nearest the
    segment's ``middle`` (query, original); the middle itself when no stored picture is inside
    it. The middles alone put the two pictures up to several seconds apart in a moving scene."""
    if local is None or len(local.pictures) != len(local.key_times) or \
            not len(decoded.local_times):
        return middle
    pairs = [(segment.query_time(float(t)), float(t)) for t in local.key_times
             if segment.reference_start <= t <= segment.reference_end]
    if not pairs:
        return middle

    def apart(pair: tuple[float, float]) -> tuple[float, float]:
        kept = decoded.local_times[provider.nearest_index(decoded.local_times, pair[0])]
        return abs(kept - pair[0]), abs(pair[1] - middle[1])

    return min(pairs, key=apart)


def _query_picture(decoded: provider.Decoded, time: float, middle: float,
                   step: float) -> tuple[np.ndarray, str] | None:
    """The query's kept picture nearest ``time``, its note saying where it is when more than a
    step from the segment's ``middle`` (the time its caption names)."""
    if not len(decoded.local_times):
        return None
    k = provider.nearest_index(decoded.local_times, time)
    notes = _elsewhere(decoded.local_times, k, middle, step, "nearest kept frame")
    if decoded.pictures:
        return decoded.pictures[k], "; ".join(notes)
    grey = "grey: this decoder read only the brightness of the repost's frames"
    return decoded.local_frames[k], "; ".join([grey, *notes])


def _original_picture(local: LocalData, original_id: str, time: float, middle: float,
                      step: float) -> tuple[bytes, str] | None:
    """The original's stored picture nearest ``time`` (JPEG) and its caption's note (where it
    is, when more than a step from the segment's ``middle``)."""
    from .frames import jpeg_bytes

    if len(local.key_times) and len(local.pictures) == len(local.key_times):  # none: before v8
        k = provider.nearest_index(local.key_times, time)
        notes = _elsewhere(local.key_times, k, middle, step, "nearest stored picture")
        if provider.is_grey_jpeg(local.pictures[k]):
            notes.insert(0, "grey: registered with a decoder that read only brightness")
        return local.pictures[k], "; ".join(notes)
    if not len(local.detail_times):
        return None
    k = provider.nearest_index(local.detail_times, time)
    thumb = local.details[k]
    height, width = thumb.shape[:2]
    scale = max(1, -(-provider.STORED_PICTURE_WIDTH // width))
    enlarged = np.repeat(np.repeat(thumb, scale, axis=0), scale, axis=1)
    notes = [f"{width}x{height} grey thumbnail, enlarged: this library was made before it "
             f"stored pictures (`provenance library reindex {original_id}` stores one)",
             *_elsewhere(local.detail_times, k, middle, step, "thumbnail")]
    return jpeg_bytes(enlarged, enlarged.shape[1]), "; ".join(notes)


def _gazetteer(settings: Settings, said: Sequence[Claim], progress: Progress | None
               ) -> Gazetteer:
    """The place-name index, built first as a stage of its own where a place or a source is
    claimed (a source may be named after its town) and it is not built yet (once per machine:
    about 7 s)."""
    gazetteer = Gazetteer(settings.cache_dir)
    if not gazetteer.ready and any(c.kind in (ClaimKind.PLACE, ClaimKind.SOURCE) for c in said):
        _step(progress, "places", 0.0)
        gazetteer.prepare()
        _step(progress, "places", 1.0)
    return gazetteer


def _step(progress: Progress | None, stage: str, done: float) -> None:
    """A stage that is one step: 0 when it starts, 1 when it is done."""
    if progress:
        progress(stage, done, 1.0)


def is_fingerprint_file(path: str) -> bool:
    return path.lower().endswith(".npz")


def _fingerprint_file(path: str) -> Fingerprint:
    """The query's fingerprint read from a fingerprint file (bounded in size)."""
    if os.path.getsize(path) > MAX_FINGERPRINT_FILE:
        raise MediaError(f"{path} is larger than a fingerprint file can be",
                         "give the video, or a file written by `provenance fingerprint`")
    return load_fingerprint(path)


def _saturation(path: str, decoded: provider.Decoded, result: AlignResult) -> float:
    """The repost's colour saturation over its matched segments, from the one decode; where
    the decoder kept no colour (OpenCV reads the luma plane only), at the middle of the longest
    matched segment, read by seeking."""
    from .frames import colour_frames, saturation

    matched = [(s.query_start, s.query_end) for m in result.matches for s in m.segments]
    if not matched:
        return 255.0
    kept = decoded.saturation_in(matched)
    if kept is not None:
        return kept
    # One frame: seeking costs tens of milliseconds, and a grey copy is grey throughout.
    segments = sorted((s for m in result.matches for s in m.segments),
                      key=lambda s: s.query_start - s.query_end)[:1]
    found = colour_frames(path, [s.query_middle for s in segments])
    return float(np.median([saturation(f) for f in found.values()])) if found else 255.0


def _article_record(context: ArticleContext | None) -> dict[str, str]:
    if context is None:
        return {}
    return {"article": context.url, "article_title": context.title[:500],
            "article_published": context.published}


def _day(value: str) -> date | None:
    """A date from metadata ('YYYY-MM-DD' or yt-dlp's 'YYYYMMDD'), or None."""
    digits = value.replace("-", "")[:8]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if \
            digits.isdigit() and len(digits) == 8 else None
    except ValueError:
        return None


def said_about(index: int, context: ArticleContext | None, record: Mapping[str, Any],
               stated: StatedClaims | None = None) -> list[Claim]:
    """Every claim made about one video, unchecked: typed by the checker, in the page around it
    and in the post's own metadata (``record``, as the acquire stage reports it)."""
    return [*claims.stated_claims(stated or StatedClaims(), index), *_page_claims(context),
            *_upload_claims(record, index)]


def _page_claims(context: ArticleContext | None) -> list[Claim]:
    """What the page says about this video (its own context and the page's headline, lede and
    byline), and the page's publication date and the video's upload date (a JSON-LD
    VideoObject's uploadDate) as upper bounds."""
    if context is None:
        return []
    published = _day(context.published)
    words = [p for p in context.passages if p.found_in != acquire.UPLOAD_DATE]
    uploaded = [replace(c, applies_to=p.applies_to) for p in context.passages
                if p.found_in == acquire.UPLOAD_DATE
                for c in claims.published_claim(p.text, acquire.UPLOAD_DATE)]
    return [*claims.read_claims(words, published, context.videos > 1),
            *claims.published_claim(published.isoformat() if published else "",
                                    "page metadata"), *uploaded]


def _upload_claims(record: Mapping[str, Any], index: int) -> list[Claim]:
    """What the post says (title, description as yt-dlp reports them), who uploaded it and when
    (an upper bound; none for a direct link to a file, ``post_upload_date``)."""
    uploaded = _day(post_upload_date(record))
    passages = [Passage(value[:claims.MAX_TEXT_CHARS], f"upload metadata ({key})", index)
                for key in ("title", "description")
                if isinstance(value := record.get(key), str)]
    found = claims.read_claims(passages, uploaded)
    if uploaded is not None:
        found += claims.published_claim(uploaded.isoformat(), "upload metadata (upload_date)")
    for key in ("uploader", "channel"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            found.append(Claim(kind=ClaimKind.UPLOADER, text=value[:200], value=value[:200],
                               found_in=f"upload metadata ({key})", applies_to=index))
            break
    return found


def read_article(query: str, settings: Settings, seconds: float | None = None) -> tuple[str, str]:
    """(html, base URL) of an article given as a file path or URL (at most
    acquire.MAX_PAGE_BYTES of it, fetched within ``seconds``)."""
    if is_url(query):
        budget = min(acquire.DEFAULT_PAGE_SECONDS, seconds or settings.article_timeout)
        return acquire.fetch_page(query, settings.max_filesize, budget), query
    try:
        with open(query, "rb") as handle:
            raw = handle.read(acquire.MAX_PAGE_BYTES)
    except OSError as exc:
        raise AcquireError(f"{query}: cannot read the article ({exc.strerror})",
                           "check the path and its permissions") from None
    if b"\0" in raw[:512]:  # text has no NUL bytes; a video, an image or an archive has
        raise AcquireError(f"{query} is not a web page (it holds binary data)",
                           "give a saved article (.html) or its URL; a video file is verified "
                           f"with `provenance verify {shlex.quote(query)}`")
    return raw.decode("utf-8", errors="replace"), Path(os.path.abspath(query)).as_uri()


def acquire_video(ref_url: str, settings: Settings, progress: Progress | None,
                  seconds: float | None = None) -> LocalVideo:
    """A referenced video on disk: a local file:// reference as it is, anything else downloaded."""
    if ref_url.startswith("file://"):
        return acquire.local_video(_file_path(ref_url))

    def on_bytes(done: int, total: int | None) -> None:
        if progress:
            progress("download", float(done), float(total) if total else None)

    extra = acquire.site_options(
        cookies=str(settings.cookies) if settings.cookies else None,
        cookies_from_browser=settings.cookies_from_browser, proxy=settings.proxy,
        rate_limit=settings.rate_limit)
    budget = min(settings.download_timeout, seconds or settings.download_timeout)
    return acquire.download(ref_url, settings.cache_dir, settings.max_filesize, on_bytes, extra,
                            budget, refresh=settings.refresh)


def _file_path(url: str) -> str:
    from urllib.parse import unquote

    return unquote(urlsplit(url).path)


def frame_progress(progress: Progress | None) -> Callable[[float, float | None], None] | None:
    """Fingerprinting progress (seconds decoded, total) reported as the "fingerprint" stage."""
    if progress is None:
        return None
    report = progress
    return lambda time, total: report("fingerprint", time, total)


def _failed(name: str, error: ProvenanceError, settings: Settings) -> Verification:
    reason = f"could not be verified: {error.message}"
    return Verification(query=name, verdict=Verdict.INCONCLUSIVE, confidence=0.0,
                        reason=reason, duration=0.0, settings=settings.to_dict(),
                        error=error.message, hint=error.hint or "",
                        finding=finding.assess(Verdict.INCONCLUSIVE, (), (), (), (), reason,
                                               error.message))


def article_contexts(html: str, base: str, url: str
                     ) -> tuple[list[VideoRef], list[ArticleContext], list[str]]:
    """The videos a page references, for each what the page says about it, and what of the
    page's references was left out, and why."""
    title, _ = acquire.page_text(html)
    refs, passages, left_out = acquire.read_page(html, base, acquire.is_supported)
    page = ArticleContext(url=url, title=title, published=acquire.published_date(html, base))
    return refs, [replace(page, index=index, videos=len(refs), passages=tuple(
        p for p in passages if p.applies_to in (index, ARTICLE))) for index in range(len(refs))
        ], left_out


def verify_article(
    query: str,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
    stated: StatedClaims | None = None,
) -> list[Verification]:
    """Verify every video an article (file or URL) references: one result per video.

    A video that cannot be acquired or decoded gets a result with its error; the others go on.
    Raises AcquireError when the page references no video.
    """
    settings = settings or load_settings()
    _check_stated(stated)
    deadline = time.monotonic() + settings.article_timeout
    with opened_library(library, settings) as lib:
        html, base = read_article(query, settings, settings.article_timeout)
        refs, contexts, left_out = article_contexts(html, base, query)
        if not refs:
            raise AcquireError(f"{query} references no video", "; ".join(
                [*left_out, "check the page has a video player"]))
        results = []
        for ref, context in zip(refs, contexts, strict=True):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                results.append(_failed(ref.url, AcquireError(
                    f"not verified: the article's budget of {settings.article_timeout:g} s "
                    "was spent on the videos before it",
                    "raise PROVENANCE_ARTICLE_TIMEOUT, or verify this video on its own"),
                    settings))
                continue
            try:
                video = acquire_video(ref.url, settings, progress, remaining)
                result = verify_video(video, lib, settings, context, progress, query_name=ref.url,
                                      stated=stated)
                results.append(replace(result, provenance={**result.provenance,
                                                           "found_in": ref.found_in}))
            except ProvenanceError as error:
                results.append(_failed(ref.url, _named_from_page(error, query), settings))
        # What the page named that was not verified is said with every video's result.
        return [replace(r, skipped=(*r.skipped, *left_out)) for r in results]


def _named_from_page(error: ProvenanceError, page: str) -> ProvenanceError:
    """The error of a saved page's video with the page's folder left out of the files it names
    ("missing.mp4: no such file"): a finding is published (JSON-LD), the checker's folders are
    not its business. A page read from the web is returned as it is."""
    if is_url(page):
        return error
    message = error.message
    # as the page's folder is written and as its references were resolved (symlinks followed)
    for folder in (os.path.realpath(page), os.path.abspath(page)):
        message = message.replace(os.path.dirname(folder) + os.sep, "")
    return type(error)(message, error.hint)


def verify_many(
    query: str,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
    stated: StatedClaims | None = None,
) -> list[Verification]:
    """Verify a query that may be a video file, a video URL or an article (file or URL)."""
    settings = settings or load_settings()
    _check_stated(stated)
    with opened_library(library, settings) as lib:
        if is_url(query):
            if acquire.is_video_file_url(query) or acquire.is_supported(query):
                return [verify_video(acquire_video(query, settings, progress), lib, settings,
                                     progress=progress, query_name=query, stated=stated)]
            return verify_article(query, lib, settings, progress, stated)
        if _looks_like_html(query):
            return verify_article(query, lib, settings, progress, stated)
        return [verify_video(acquire.local_video(query), lib, settings, progress=progress,
                             query_name=query, stated=stated)]


def _check_stated(stated: StatedClaims | None) -> None:
    """Refuse what a checker typed that is no claim (a date that is none, coordinates off the
    globe: SettingsError) before anything is downloaded or decoded, rather than in each
    video's result (an article's videos each ended 'inconclusive' with the error)."""
    if stated is not None:
        claims.stated_claims(stated)


def verify(
    query: str,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
    stated: StatedClaims | None = None,
) -> Verification:
    """Verify one video (file or URL) against the library.

    For an article, the first referenced video; use ``verify_many`` for all of them.
    """
    results = verify_many(query, library, settings, progress, stated)
    return results[0]
