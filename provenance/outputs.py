"""Files made from results: keyframes of a video, and the HTML report with its frames."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ProvenanceError, unwritable
from .fingerprint import fingerprint_video, shots
from .models import Verification
from .pipeline import Progress, frame_progress
from .settings import Settings, load_settings


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

    fp = fingerprint_video(path, settings.sample_fps, frame_progress(progress))
    found = shots(fp)
    with frames.VideoStream(path, colour=True) as stream:
        pictures = stream.frames_at([shot.keyframe for shot in found])
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    _remove_earlier_keyframes(target)
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


_KEYFRAME_NAME = re.compile(r"shot-\d{3,}_\d+\.\d{3}s\.jpg")


def _remove_earlier_keyframes(target: Path) -> None:
    """The pictures an earlier export into the same folder wrote, which its keyframes.json
    lists, removed: only names this export writes, in that folder (a desk audit: an earlier
    video's keyframes stayed beside a keyframes.json that no longer listed them)."""
    try:
        listed = json.loads((target / "keyframes.json").read_text("utf-8")[:1_000_000])
        names = [k.get("file") for k in listed.get("keyframes", []) if isinstance(k, dict)]
    except (OSError, ValueError, AttributeError):
        return
    for name in names:
        if isinstance(name, str) and _KEYFRAME_NAME.fullmatch(name):
            (target / name).unlink(missing_ok=True)


def result_images(results: Sequence[Verification]) -> tuple[dict[str, bytes], dict[str, str]]:
    """The HTML report's frames that verify kept (``Verification.frames``: from the query's one
    decode and the originals' stored pictures) and their captions' notes, keyed as the report
    looks them up."""
    from .report.html_report import frame_key

    images, notes = {}, {}
    for r_index, result in enumerate(results):
        for key, data in result.frames.items():
            m_index, s_index, side = key.split("-")
            report_key = frame_key(r_index, int(m_index), int(s_index), side)
            images[report_key] = data
            if key in result.frame_notes:
                notes[report_key] = result.frame_notes[key]
    return images, notes


# What a saved report's picture caption says when the picture is not read from its file.
CHANGED_FILE_NOTE = ("not shown: the file at {path} is no longer the one verified (its sha256 "
                     "is not the one the result records)")
UNCHECKED_FILE_NOTE = ("not shown: the result records no sha256 of the file at {path}, so it "
                       "cannot be told to be the one verified")


# A saved result's segments pictured at most, read from the files (a desk audit's hand-made
# result of 3,000 segments took 42 s and 746 MB to render; a verify's montage of an hour of
# one-minute pieces holds 60).
MAX_PICTURED_SEGMENTS = 200
TOO_MANY_NOTE = (f"not shown: a re-rendered report pictures its first {MAX_PICTURED_SEGMENTS} "
                 "segments")


def report_images(report: dict[str, Any]) -> tuple[dict[str, bytes], dict[str, str]]:
    """JPEG frames for the HTML report of a saved JSON report (``provenance report``), where no
    decode is at hand, and their captions' notes: for every segment, the repost at its middle
    and the original at the matching time, read from their files. A file is read only while
    its sha256 is the one the result records (the query's ``provenance.sha256``, a match's
    ``sha256``): another video put at the same path since gives no picture and a note saying
    so. Files that are gone or unreadable give no image."""
    from . import frames
    from .acquire import sha256_file
    from .report.html_report import frame_key

    # path -> [(report key, time, the sha256 the result records for that file)]
    wanted: dict[str, list[tuple[str, float, str]]] = {}
    notes: dict[str, str] = {}
    pictured = 0
    results = report["results"] if "results" in report else [report]
    for r_index, result in enumerate(results):
        record = result.get("provenance")
        query_sha = record.get("sha256") if isinstance(record, dict) else None
        for m_index, match in enumerate(result.get("matches", [])):
            for s_index, s in enumerate(match.get("segments", [])):
                pictured += 1
                if pictured > MAX_PICTURED_SEGMENTS:
                    for side in ("query", "reference"):
                        notes[frame_key(r_index, m_index, s_index, side)] = TOO_MANY_NOTE
                    continue
                pairs = ((result.get("video_path"), query_sha, "query",
                          s["query_start"], s["query_end"]),
                         (match.get("file"), match.get("sha256"), "reference",
                          s["reference_start"], s["reference_end"]))
                for path, sha, side, start, end in pairs:
                    # A saved report is untrusted: a path must be text (os.path.isfile(True)
                    # asks about file descriptor 1, which is a file when output is redirected).
                    if isinstance(path, str) and path and os.path.isfile(path):
                        key = frame_key(r_index, m_index, s_index, side)
                        wanted.setdefault(path, []).append(
                            (key, (start + end) / 2, sha if isinstance(sha, str) else ""))
    images: dict[str, bytes] = {}
    for path, requests in wanted.items():
        try:
            actual = sha256_file(path)  # once a path, streamed: a video may be gigabytes
        except OSError:
            continue
        readable = []
        for key, time, sha in requests:
            if sha and sha == actual:
                readable.append((key, time))
            else:
                notes[key] = (CHANGED_FILE_NOTE if sha else UNCHECKED_FILE_NOTE).format(path=path)
        if not readable:
            continue
        try:
            with frames.VideoStream(path, colour=True) as stream:
                found = stream.frames_at([time for _, time in readable])
        except ProvenanceError:
            continue
        for key, time in readable:
            if time in found:
                images[key] = frames.jpeg_bytes(found[time])
    return images, notes


def write_html_report(report: dict[str, Any], path: str | os.PathLike[str],
                      results: Sequence[Verification] | None = None,
                      publisher: str | None = None) -> None:
    """Render the HTML report of a JSON report (as `to_json` makes it) to ``path``, atomically.
    Its frames are the ones verify kept when the ``results`` it was made from are given (no
    video is decoded again); else they are read from the files (a saved report). ``publisher``
    is named as author in its embedded JSON-LD."""
    from .report.html_report import to_html

    images, notes = (result_images(results) if results is not None
                     else report_images(report))
    write_whole(to_html(report, images, notes, publisher), path)


def write_whole(text: str, path: str | os.PathLike[str]) -> None:
    """``text`` written to ``path`` whole: a file through a temporary one beside it, renamed
    into place once written; a device or a pipe (/dev/stdout) directly, since the rename would
    put a file in its place. A failure names ``path``, never the temporary file. Line ends are
    written as the text has them (a CSV's CRLF)."""
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    try:
        if target.exists() and not target.is_file():
            target.write_text(text, "utf-8", newline="")
            return
        tmp.write_text(text, "utf-8", newline="")
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise unwritable(os.fspath(path), exc) from None
