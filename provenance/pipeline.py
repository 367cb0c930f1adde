"""The one place that wires the stages together: acquire -> fingerprint -> search -> align ->
claims -> Verification."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from . import acquire, claims
from .align import SCENE_RADIUS, AlignResult, align, with_extra_matches
from .errors import AcquireError, LibraryError, ProvenanceError
from .fingerprint import fingerprint_video, shots
from .library import Library
from .library.manifest import ManifestRow, read_manifest
from .models import (
    Alignment,
    Claim,
    Fingerprint,
    LocalVideo,
    Original,
    Verdict,
    Verification,
    VideoRef,
)
from .settings import Settings, load_settings

# A reference becomes a candidate when this many query samples (or their mirror images) have a
# scene-hash neighbour in it; at most MAX_CANDIDATES, the best supported, are aligned.
MIN_CANDIDATE_SAMPLES = 3
MAX_CANDIDATES = 32

Progress = Callable[[str, float, float | None], None]


@dataclass(frozen=True)
class ArticleContext:
    """The page a video was found in: what it says around the video."""

    url: str
    title: str = ""
    text: str = ""
    published: str = ""
    videos: tuple[VideoRef, ...] = field(default_factory=tuple)


def _is_url(query: str) -> bool:
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


@contextmanager
def _opened(library: Library | str | os.PathLike[str], create: bool = False) -> Iterator[Library]:
    """The given library, or the one at the given path, opened for this call and closed after."""
    if isinstance(library, Library):
        yield library
        return
    with Library(library, create=create) as opened:
        yield opened


def candidates(query: Fingerprint, library: Library) -> list[str]:
    """Originals sharing enough views with the query to be worth aligning, best first."""
    usable = np.flatnonzero(query.informative)
    hashes = np.concatenate([query.scene[usable], query.mirror[usable]])
    counts = library.index().candidates(hashes, SCENE_RADIUS)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return [ref for ref, rows in ranked if rows >= MIN_CANDIDATE_SAMPLES][:MAX_CANDIDATES]


def match_fingerprint(query: Fingerprint, library: Library) -> AlignResult:
    """Candidates from the index, then time alignment against their fingerprints."""
    refs = {ref_id: library.fingerprint(ref_id) for ref_id in candidates(query, library)}
    return align(query, refs)


# The local-feature stage runs when at least this much of the query is unexplained, against at
# most LOCAL_MAX_REFERENCES originals: those seen as the same scene first, then (in a library of
# at most LOCAL_SCAN_LIBRARY originals) every other one. It reads the originals' files again.
LOCAL_MIN_UNEXPLAINED_S = 2.0
LOCAL_MAX_REFERENCES = 8
LOCAL_SCAN_LIBRARY = 50
LOCAL_FRAMES = 4
# Original frames compared with each repost frame: keypoints on moving people and vehicles only
# match at the same moment, so the original is looked at in many places.
LOCAL_REFERENCE_FRAMES = 12


def _spread(intervals: list[tuple[float, float]], count: int) -> list[float]:
    total = sum(b - a for a, b in intervals)
    times = []
    for k in range(count):
        target = total * (k + 0.5) / count
        for a, b in intervals:
            if target <= b - a:
                times.append(round(a + target, 3))
                break
            target -= b - a
    return times


def _frames(path: str, times: list[float]) -> list[Any]:
    from . import frames

    try:
        with frames.VideoStream(path) as stream:
            return list(stream.frames_at(times).values())
    except ProvenanceError:
        return []


def _describe(overlap: Any) -> tuple[str, ...]:
    def box(b: tuple[float, float, float, float]) -> str:
        return f"x {b[0]:.0%}-{b[2]:.0%}, y {b[1]:.0%}-{b[3]:.0%}"

    def area(b: tuple[float, float, float, float]) -> float:
        return (b[2] - b[0]) * (b[3] - b[1])

    edits = []
    if area(overlap.query_box) < 0.9:
        edits.append(f"picture-in-picture: the original fills {box(overlap.query_box)} "
                     "of the frame")
    if area(overlap.reference_box) < 0.9:
        edits.append(f"cropped/reframed: keeps {area(overlap.reference_box):.0%} of the "
                     f"original ({box(overlap.reference_box)})")
    if overlap.mirrored:
        edits.append("mirrored")
    return tuple(edits)


# Frame pairs compared per matched original to see grayscale and overlays.
EDIT_PAIRS = 3


def _with_picture_edits(path: str, alignment: Alignment, lib: Library) -> Alignment:
    """The alignment with edits seen by comparing its frames to the original's (whole-frame
    matches only: regions found by local features are not registered pixel to pixel)."""
    from . import frames, geometry

    original = lib.get(alignment.reference_id)
    if not original.file or not os.path.isfile(original.file) or any(
            e.startswith(("picture-in-picture", "cropped")) for e in alignment.edits):
        return alignment
    chosen = sorted(alignment.segments, key=lambda s: s.query_start - s.query_end)[:EDIT_PAIRS]
    q_times = [round((s.query_start + s.query_end) / 2, 3) for s in chosen]
    r_times = [round((s.reference_start + s.reference_end) / 2, 3) for s in chosen]
    try:
        with frames.VideoStream(path, colour=True) as stream:
            queries = stream.frames_at(q_times)
        with frames.VideoStream(original.file, colour=True) as stream:
            references = stream.frames_at(r_times)
    except ProvenanceError:
        return alignment
    pairs = []
    for segment, q_time, r_time in zip(chosen, q_times, r_times, strict=True):
        if q_time in queries and r_time in references:
            query = frames.without_bars(queries[q_time])
            pairs.append((query[:, ::-1] if segment.mirrored else query,
                          frames.without_bars(references[r_time])))
    edits = geometry.picture_edits(pairs)
    return replace(alignment, edits=tuple(dict.fromkeys(alignment.edits + edits)))


def local_feature_stage(path: str, query_fp: Fingerprint, result: AlignResult, lib: Library,
                        settings: Settings) -> AlignResult:
    """Where whole-frame hashes left the query unexplained, look for an original inside part of
    the frame (picture-in-picture) or of which the repost keeps only part (heavy crops), by
    local features, then align the overlapping regions in time."""
    from . import geometry

    missing = sum(b - a for a, b in result.unexplained)
    if result.verdict is Verdict.INCONCLUSIVE or missing < LOCAL_MIN_UNEXPLAINED_S:
        return result
    matched = {m.reference_id for m in result.matches}
    ids = [a.reference_id for a in result.same_scene]
    if len(lib) <= LOCAL_SCAN_LIBRARY:
        ids += [o.id for o in lib.list()]
    ids = [i for i in dict.fromkeys(ids) if i not in matched][:LOCAL_MAX_REFERENCES]
    query_frames = _frames(path, _spread(list(result.unexplained), LOCAL_FRAMES))
    extra = []
    for ref_id in ids:
        original = lib.get(ref_id)
        if not query_frames or not original.file or not os.path.isfile(original.file):
            continue
        ref_times = [round(original.duration * (k + 0.5) / LOCAL_REFERENCE_FRAMES, 3)
                     for k in range(LOCAL_REFERENCE_FRAMES)]
        overlap = geometry.find_overlap(query_frames, _frames(original.file, ref_times))
        if overlap is None or overlap.is_whole_frame:
            continue
        cropped_query = fingerprint_video(path, settings.sample_fps, crop=overlap.query_box)
        cropped_ref = fingerprint_video(original.file, settings.sample_fps,
                                        crop=overlap.reference_box)
        second = align(cropped_query, {ref_id: cropped_ref})
        extra += [Alignment(m.reference_id, m.score, m.segments,
                            tuple(dict.fromkeys(m.edits + _describe(overlap))))
                  for m in second.matches]
    return with_extra_matches(result, extra, query_fp)


def verify_video(
    video: LocalVideo,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    context: ArticleContext | None = None,
    progress: Progress | None = None,
    query_name: str | None = None,
) -> Verification:
    """Verify one local video against the library."""
    settings = settings or load_settings()
    with _opened(library) as lib:
        name = query_name     or video.source_url or video.path

        query_fp = fingerprint_video(video.path, settings.sample_fps, _frame_progress(progress))
        result = match_fingerprint(query_fp, lib)
        result = local_feature_stage(video.path, query_fp, result, lib, settings)
        result = replace(result, matches=tuple(_with_picture_edits(video.path, m, lib)
                                               for m in result.matches))
        matched = [lib.get(m.reference_id) for m in result.matches]
        similar = [lib.get(m.reference_id) for m in result.same_scene]
        texts = _claim_texts(video, context)
        checked = [
            *claims.check_dates(claims.date_claims(texts), matched),
            *claims.check_sources([*claims.source_claims(texts), *_uploader(video)], matched),
            *claims.scene_flags(similar if not matched else []),
        ]
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
            settings=settings.to_dict(),
            video_path=os.path.abspath(video.path),
        )


def _article_record(context: ArticleContext | None) -> dict[str, str]:
    if context is None:
        return {}
    return {"article": context.url, "article_title": context.title[:500],
            "article_published": context.published}


def _claim_texts(video: LocalVideo, context: ArticleContext | None) -> list[tuple[str, str]]:
    texts = []
    if context is not None:
        texts += [("article title", context.title), ("article text", context.text)]
    for key in ("title", "description"):
        value = video.provenance.get(key)
        if isinstance(value, str):
            texts.append((f"video {key}", value))
    return texts


def _uploader(video: LocalVideo) -> list[Claim]:
    for key in ("uploader", "channel"):
        value = video.provenance.get(key)
        if isinstance(value, str) and value.strip():
            return [Claim(kind="uploader", text=value[:200], value=value[:200],
                          found_in=f"upload metadata ({key})")]
    return []


def read_article(query: str, settings: Settings) -> tuple[str, str]:
    """(html, base URL) of an article given as a file path or URL."""
    if _is_url(query):
        return acquire.fetch_page(query, settings.max_filesize), query
    with open(query, encoding="utf-8", errors="replace") as handle:
        return handle.read(), Path(os.path.abspath(query)).as_uri()


def _acquire(ref_url: str, settings: Settings, progress: Progress | None) -> LocalVideo:
    if ref_url.startswith("file://"):
        return acquire.local_video(_file_path(ref_url))

    def on_bytes(done: int, total: int | None) -> None:
        if progress:
            progress("download", float(done), float(total) if total else None)

    extra = acquire.site_options(
        cookies=str(settings.cookies) if settings.cookies else None,
        cookies_from_browser=settings.cookies_from_browser, proxy=settings.proxy,
        rate_limit=settings.rate_limit)
    return acquire.download(ref_url, settings.cache_dir, settings.max_filesize, on_bytes, extra)


def _file_path(url: str) -> str:
    from urllib.parse import unquote

    return unquote(urlsplit(url).path)


def _frame_progress(progress: Progress | None) -> Callable[[float, float | None], None] | None:
    """Fingerprinting progress (seconds decoded, total) reported as the "fingerprint" stage."""
    if progress is None:
        return None
    report = progress
    return lambda time, total: report("fingerprint", time, total)


def _failed(name: str, error: ProvenanceError, settings: Settings) -> Verification:
    return Verification(query=name, verdict=Verdict.INCONCLUSIVE, confidence=0.0,
                        reason=f"could not be verified: {error.message}", duration=0.0,
                        settings=settings.to_dict(), error=error.message, hint=error.hint or "")


def verify_article(
    query: str,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[Verification]:
    """Verify every video an article (file or URL) references: one result per video.

    A video that cannot be acquired or decoded gets a result with its error; the others go on.
    Raises AcquireError when the page references no video.
    """
    settings = settings or load_settings()
    with _opened(library) as lib:
        html, base     = read_article(query, settings)
        title, text = acquire.page_text(html)
        refs = acquire.find_videos(html, base, acquire.is_supported)
        if not refs:
            raise AcquireError(f"{query} references no video", "check the page has a video player")
        context = ArticleContext(url=query, title=title, text=text, videos=tuple(refs),
                                 published=acquire.published_date(html, base))
        results = []
        for ref in refs:
            try:
                video = _acquire(ref.url, settings, progress)
                result = verify_video(video, lib, settings, context, progress, query_name=ref.url)
                results.append(replace(result, provenance={**result.provenance,
                                                           "found_in": ref.found_in}))
            except ProvenanceError as error:
                results.append(_failed(ref.url, error, settings))
        return results


def verify_many(
    query: str,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[Verification]:
    """Verify a query that may be a video file, a video URL or an article (file or URL)."""
    settings = settings or load_settings()
    with _opened(library) as lib:
        if _is_url(query):
            if acquire.is_video_file_url(query) or acquire.is_supported(query):
                return [verify_video(_acquire(query, settings, progress), lib, settings,
                                     progress=progress, query_name=query)]
            return verify_article(query, lib, settings, progress)
        if _looks_like_html(query):
            return verify_article(query, lib, settings, progress)
        return [verify_video(acquire.local_video(query), lib, settings, progress=progress,
                             query_name=query)]


def verify(
    query: str,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> Verification:
    """Verify one video (file or URL) against the library.

    For an article, the first referenced video; use ``verify_many`` for all of them.
    """
    results = verify_many(query, library, settings, progress)
    return results[0]


def register(
    path: str,
    original: Original,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> tuple[Original, bool]:
    """Fingerprint a file (or URL) and add it to the library as a known original.

    Returns (the stored original, whether it was newly added): the same file again is a no-op.
    """
    settings = settings or load_settings()
    with _opened(library, create=True) as lib:
        video = (_acquire(path, settings, progress) if _is_url(path)
                 else acquire.local_video(path))
        existing = lib.find_by_sha256(video.sha256)
        if existing is not None:
            return existing, False

        fp = fingerprint_video(video.path, settings.sample_fps, _frame_progress(progress))
        url = original.url or (video.source_url or "")
        where = path if _is_url(path) else os.path.abspath(path)
        stored = replace(original, sha256=video.sha256, duration=round(fp.duration, 3),
                         fps=round(fp.native_fps, 3), width=fp.width, height=fp.height, url=url,
                         file=where)
        return lib.add(stored, fp)


def reindex(original_id: str, library: Library, settings: Settings | None = None,
            progress: Progress | None = None) -> Original:
    """Fingerprint an original again from the file it was registered from (after a format
    change or with another sample rate). The file must still be the same (same sha256)."""
    settings = settings or load_settings()
    original = library.get(original_id)
    if not original.file or _is_url(original.file) or not os.path.isfile(original.file):
        raise LibraryError(
            f"the file of {original_id!r} ({original.file or 'not recorded'}) is not on disk",
            f"remove it and add it again: `provenance library remove {original_id}` then "
            "`provenance library add FILE --id ...`")
    if acquire.sha256_file(original.file) != original.sha256:
        raise LibraryError(f"{original.file} has changed since {original_id!r} was registered",
                           "add the new file as a new original")
    fp = fingerprint_video(original.file, settings.sample_fps, _frame_progress(progress))
    library.replace_fingerprint(original_id, fp)
    return original


@dataclass(frozen=True)
class ImportReport:
    """What `library import` did with each row of a manifest."""

    added: tuple[str, ...]
    already_present: tuple[str, ...]
    failed: tuple[tuple[int, str, str], ...]  # (row number, id, reason)


def import_manifest(
    manifest: str | os.PathLike[str],
    library: Library,
    settings: Settings | None = None,
    progress: Progress | None = None,
    on_row: Callable[[ManifestRow], None] | None = None,
) -> ImportReport:
    """Register every original a manifest lists; a bad row is reported and the rest go on."""
    settings = settings or load_settings()
    added: list[str] = []
    present: list[str] = []
    failed: list[tuple[int, str, str]] = []
    for row in read_manifest(manifest):
        if on_row is not None:
            on_row(row)
        name = row.original.id if row.original else ""
        if row.original is None:
            failed.append((row.number, name, row.error))
            continue
        try:
            stored, is_new = register(row.file, row.original, library, settings, progress)
        except ProvenanceError as error:
            failed.append((row.number, name, error.message))
            continue
        (added if is_new else present).append(stored.id)
    return ImportReport(tuple(added), tuple(present), tuple(failed))


def export_keyframes(
    path: str,
    out_dir: str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[dict[str, object]]:
    """Write one JPEG per shot (its most typical frame) and ``keyframes.json`` into ``out_dir``.

    Everything is decoded before anything is written, so a bad video leaves ``out_dir`` as it was.
    """
    from . import frames

    settings = settings or load_settings()

    fp = fingerprint_video(path, settings.sample_fps, _frame_progress(progress))
    found = shots(fp)
    with frames.VideoStream(path, colour=True) as stream:
        pictures = stream.frames_at([shot.keyframe for shot in found])
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    index: list[dict[str, object]] = []
    for number, shot in enumerate(found, start=1):
        picture = pictures.get(shot.keyframe)
        if picture is None:
            continue
        name = f"shot-{number:03d}_{shot.keyframe:010.3f}s.jpg"
        frames.write_jpeg(str(target / name), picture)
        index.append({"shot": number, "start": shot.start, "end": shot.end,
                      "time": round(shot.keyframe, 3), "file": name})
    manifest = {"video": os.path.abspath(path), "keyframes": index}
    tmp = target / "keyframes.json.part"
    tmp.write_text(json.dumps(manifest, indent=2), "utf-8")
    os.replace(tmp, target / "keyframes.json")
    return index


def report_images(report: dict[str, Any]) -> dict[str, bytes]:
    """JPEG frames for the HTML report: for every segment, the repost at its middle and the
    original at the matching time. Files that are gone or unreadable just give no image."""
    from . import frames
    from .report.html_report import frame_key

    wanted: dict[str, list[tuple[str, float]]] = {}
    results = report["results"] if "results" in report else [report]
    for r_index, result in enumerate(results):
        for m_index, match in enumerate(result.get("matches", [])):
            for s_index, s in enumerate(match.get("segments", [])):
                pairs = ((result.get("video_path"), "query", s["query_start"], s["query_end"]),
                         (match.get("file"), "reference", s["reference_start"],
                          s["reference_end"]))
                for path, side, start, end in pairs:
                    if path and os.path.isfile(path):
                        key = frame_key(r_index, m_index, s_index, side)
                        wanted.setdefault(path, []).append((key, (start + end) / 2))
    images: dict[str, bytes] = {}
    for path, requests in wanted.items():
        try:
            with frames.VideoStream(path, colour=True) as stream:
                found = stream.frames_at([time for _, time in requests])
        except ProvenanceError:
            continue
        for key, time in requests:
            if time in found:
                images[key] = frames.jpeg_bytes(found[time])
    return images


def write_html_report(report: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Render the HTML report of a JSON report (as `to_json` makes it) to ``path``, atomically."""
    from .report.html_report import to_html

    text = to_html(report, report_images(report))
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, target)
