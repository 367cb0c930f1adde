"""Reports: the JSON schema, the HTML file (self-contained, escaped, rendered in Chromium) and
the schema.org JSON-LD."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.models import (
    Alignment,
    DetectedEdit,
    Edit,
    Finding,
    Rating,
    Segment,
    Verdict,
    Verification,
)
from provenance.provider import LOCAL_STEP_S
from provenance.report import authenticity_category, schema, to_html, to_jsonld
from provenance.report.text_report import NOTHING_TO_CHECK, to_text
from provenance.settings import DEFAULT_SAMPLE_FPS
from tests.conftest import Media


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("demo") / "report.html"
    code, stdout, stderr = run("demo", "--json", "--report", out)
    assert code == 0, stderr
    return json.loads(stdout), out


def test_every_verify_output_validates(media: Media, library_path: Path, demo) -> None:  # type: ignore[no-untyped-def]
    validator = jsonschema.Draft202012Validator(schema())
    validator.validate(demo[0])
    assert demo[0]["schema_version"] == 2 and demo[0]["finding"]["rating"] == "miscaptioned"
    ratings = {}
    for video in (media.clip_a, media.unrelated, media.cam_a_later, media.flat, media.cam_a):
        code, out, _ = run("verify", video, "--db", library_path, "--json")
        assert code == 0
        result = json.loads(out)
        validator.validate(result)
        ratings[video.name] = result["finding"]["rating"]
    # clip_a is cam_a re-encoded and cropped by 4 %: "edited" once the crop is seen
    assert ratings.pop("clip_a.mp4") in ("authentic", "edited")
    assert ratings == {"unrelated.mp4": "unverified", "cam_a_later.mp4": "same-scene",
                       "flat.mp4": "inconclusive", "cam_a.mp4": "authentic"}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**demo[0]["results"][0], "finding": {"rating": "probably"}})
    without = dict(demo[0]["results"][0])
    del without["finding"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(without)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**demo[0]["results"][0], "verdict": "probably"})


def test_demo_report_shows_verdict_timeline_frames_and_date_flag(demo) -> None:  # type: ignore[no-untyped-def]
    page = demo[1].read_text()
    assert "MATCH" in page and 'class="timeline"' in page
    assert page.index("MISCAPTIONED") < page.index("Footage: MATCH")  # the finding leads
    assert '<span class="status">contradicted</span>' in page  # a word, not colour alone
    assert '<span class="status">consistent</span><b>published' in page
    assert page.count("data:image/jpeg;base64,") == 6  # 3 segments, side by side
    assert "36 day(s) before the claimed 2015-10-22" in page
    assert "How this was determined" in page


def test_html_makes_no_external_request(demo) -> None:  # type: ignore[no-untyped-def]
    page = demo[1].read_text()
    loads = re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)|url\(([^)]*)\)|@import""", page)
    for attribute, css in loads:
        target = attribute or css
        assert target.startswith("data:"), target


def test_garbage_metadata_is_escaped_and_bounded(demo) -> None:  # type: ignore[no-untyped-def]
    result = json.loads(json.dumps(demo[0]["results"][0]))
    result["provenance"].update({
        "title": "T" * 10_000_000,
        "uploader": "<script>alert('x')</script>",
        "upload_date": "not a date at all",
        "description": '<img src="https://tracker.example/p.gif" onerror="alert(1)">',
    })
    result["matches"][0]["title"] = "</h3><iframe src='https://evil.example'></iframe>"
    result["claims"].append({"kind": "date", "text": "<b>bold</b>", "value": "9999-99-99",
                             "found_in": "x", "finding": "<script>", "status": "contradicted"})
    page = to_html(result)
    assert "<script>" not in page and "<iframe" not in page and "<img src=\"https" not in page
    assert "&lt;script&gt;" in page
    assert len(page) < 300_000
    jsonld = to_jsonld(result)
    assert json.dumps(jsonld)  # still serialisable


def test_the_page_names_a_local_file_not_its_folders(demo) -> None:  # type: ignore[no-untyped-def]
    result = json.loads(json.dumps(demo[0]["results"][0]))
    for query, shown in (("/home/alice/leaks/clip 1.mp4", "clip 1.mp4"),
                         ("file:///home/alice/leaks/clip%201.mp4", "clip 1.mp4"),
                         ("C:\\Users\\alice\\clip.mp4", "clip.mp4"),
                         ("https://example.org/v/clip.mp4", "https://example.org/v/clip.mp4")):
        result["query"] = query
        result["video_path"] = query
        page = to_html(result)
        assert f"<code>{shown}</code>" in page and "alice" not in page, query
        # the published review names it by the same rule (report.text_report.file_name)
        (appearance,) = to_jsonld(result)[0]["itemReviewed"]["mediaItemAppearance"]
        assert appearance.get("name", appearance.get("contentUrl")) == shown, query


def test_every_claim_is_shown_with_its_status(demo) -> None:  # type: ignore[no-untyped-def]
    result = json.loads(json.dumps(demo[0]["results"][0]))
    result["claims"] = [{"kind": "date", "text": "22/10/2015", "value": "2015-10-22",
                         "found_in": "caption", "status": "unchecked",
                         "finding": "its date is not known"},
                        {"kind": "place", "text": "somewhere", "value": "somewhere",
                         "found_in": "caption", "status": "unchecked", "finding": ""}]
    page = to_html(result)
    assert "its date is not known" in page
    # a claim nothing could check is listed too, saying so
    assert "somewhere" in page and NOTHING_TO_CHECK in page
    # control characters read off a picture or typed: visible escapes, as in the terminal
    result["claims"][1]["text"] = "\x1b[5mblink\u202eevil"
    page = to_html(result)
    assert "\x1b" not in page and "\u202e" not in page and "\\u001b[5mblink" in page
    # a claim in Arabic is isolated from the sentence around it, with its language; a language
    # that is not a plain code is left out
    result["claims"][1].update(text="المصدر: الجزيرة", language="ar")
    result["claims"][0]["language"] = '"><script>'
    page = to_html(result)
    assert '<bdi lang="ar">المصدر: الجزيرة</bdi>' in page and "<bdi>22/10/2015</bdi>" in page


def test_the_method_says_only_the_checks_that_were_made(demo) -> None:  # type: ignore[no-untyped-def]
    # a desk audit: a report made without OCR or c2pa-python said both had run
    from provenance.evidence import SKIPPED_AUDIO, SKIPPED_CREDENTIALS, SKIPPED_OCR

    result = json.loads(json.dumps(demo[0]["results"][0]))
    result["skipped"] = []
    page = to_html(result)
    assert "Text burned into a few frames was read" in page
    assert "The sound track's fingerprint was compared" in page
    result["skipped"] = [SKIPPED_OCR, SKIPPED_AUDIO, SKIPPED_CREDENTIALS]
    page = to_html(result)
    assert "Text burned into a few frames was read" not in page
    assert "The sound was not compared." in page
    assert "Text burned into the picture was not read." in page
    assert "Content Credentials (C2PA) were not validated." in page
    # c2pa-python missing: the file's credentials are "skipped"
    result["skipped"] = []
    result["content_credentials"] = {"state": "skipped", "summary": "not installed"}
    assert "Content Credentials (C2PA) were not validated." in to_html(result)


def test_touching_pieces_of_another_moment_read_as_one_stretch(demo) -> None:  # type: ignore[no-untyped-def]
    result = json.loads(json.dumps(demo[0]["results"][0]))
    piece = {"reference_id": "cam", "reference_start": 0.0, "reference_end": 0.0, "speed": 1.0,
             "mirrored": False, "evidence": 3, "similarity": 0.8}
    result["same_scene"] = [{"reference_id": "cam", "score": 0.9, "segments": [
        {**piece, "query_start": 6.0, "query_end": 6.32},
        {**piece, "query_start": 6.32, "query_end": 12.0}]}]
    page = to_html(result)
    assert "cam, another moment: query 00:06.00–00:12.00 (" in page
    assert page.count('title="cam, another moment"') == 1
    # Inconclusive, the same view's moment was not established: not "another moment".
    result["verdict"] = "inconclusive"
    page = to_html(result)
    assert "another moment" not in page.replace("cut at a splice with another moment", "")
    assert "cam, moment not established: query 00:06.00–00:12.00 (" in page
    assert "the same camera, moment not established" in page
    assert "<h2>Same camera, moment not established</h2>" in page
    # A matched video whose piece of the camera's view is unsettled: not "another moment"
    # either, while its other pieces are.
    result["verdict"] = "match"
    result["same_scene"][0]["segments"][1]["unsettled"] = True
    page = to_html(result)
    assert "cam, another moment: query 00:06.00–00:06.32 (" in page
    assert "cam, moment not established: query 00:06.32–00:12.00 (" in page
    assert "the same camera, another moment" in page
    assert "the same camera, moment not established" in page


def test_report_command_re_renders_a_saved_result(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(demo[0]))
    out = tmp_path / "again.html"
    code, _, err = run("report", saved, "-o", out, "--jsonld", tmp_path / "review.jsonld")
    assert code == 0, err
    assert out.read_text().count("data:image/jpeg;base64,") == 6
    code, _, err = run("report", tmp_path / "again.html", "-o", tmp_path / "x.html")
    assert code == 2 and "not a JSON result" in err
    # several results a line each (what `verify A B --json` writes): said so, with what to do
    lines = tmp_path / "two.json"
    lines.write_text(json.dumps(demo[0]) + "\n" + json.dumps(demo[0]) + "\n")
    code, _, err = run("report", lines, "-o", tmp_path / "y.html")
    assert code == 2 and "holds 2 results, one a line" in err and "sed -n 1p" in err, err


def test_a_saved_result_s_pictures_are_bounded(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A desk audit: a hand-made result of 3,000 segments took 42 s and 746 MB to re-render,
    # each segment's pictures read from the files. The first MAX_PICTURED_SEGMENTS are.
    from provenance.outputs import MAX_PICTURED_SEGMENTS, TOO_MANY_NOTE, report_images

    report = json.loads(json.dumps(demo[0]))
    result = report["results"][0] if "results" in report else report
    segment = result["matches"][0]["segments"][0]
    result["matches"][0]["segments"] = [segment] * (MAX_PICTURED_SEGMENTS + 30)
    images, notes = report_images(report)
    assert len(images) <= 2 * MAX_PICTURED_SEGMENTS
    results = report["results"] if "results" in report else [report]
    total = sum(len(m["segments"]) for r in results for m in r.get("matches", []))
    assert sum(note == TOO_MANY_NOTE for note in notes.values()) == 2 * (
        total - MAX_PICTURED_SEGMENTS)


def test_a_saved_result_whose_paths_are_not_text_is_rendered_without_frames(  # type: ignore[no-untyped-def]
        demo, tmp_path: Path) -> None:
    # os.path.isfile(True) asks about file descriptor 1 (a file when output is redirected):
    # hypothesis found `provenance report` passing True on to the decoder.
    result = json.loads(json.dumps(demo[0]["results"][0]))
    result["video_path"] = True
    for match in result["matches"]:
        match["file"] = 1
    from provenance.outputs import write_html_report

    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(result))
    with open(tmp_path / "stdout.txt", "w") as redirected:  # fd 1 a regular file, as in CI
        saved_fd = os.dup(1)
        os.dup2(redirected.fileno(), 1)
        try:
            code, _, err = run("report", saved, "-o", tmp_path / "r.html")
            write_html_report(result, tmp_path / "api.html")  # the API renders what it is given
        finally:
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
    # the command holds a saved result to its schema first
    assert code == 2 and "video_path: True is not of type" in err, err
    assert "data:image/jpeg" not in (tmp_path / "api.html").read_text()


def test_a_saved_result_s_malformed_overlay_boxes_are_left_out(  # type: ignore[no-untyped-def]
        demo, tmp_path: Path) -> None:
    result = json.loads(json.dumps(demo[0]["results"][0]))
    first, second, *rest = result["matches"]
    first["edit_details"] = 7
    second["edit_details"] = [{"kind": "overlay", "boxes": 5}, {"kind": "overlay", "boxes": [
        [0.1, 0.2, "x", 0.4], [0.5, 0.5, 0.4, 0.6], "abcd", [0.1, 0.1, 0.3, 1.5],
        [0.1, 0.1, 0.3, 0.3]]}]
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(result))
    code, _, err = run("report", saved, "-o", tmp_path / "r.html")
    # the command refuses them (the schema); rendering them anyway leaves them out
    assert code == 2 and "matches[0].edit_details: 7 is not of type" in err, err
    from provenance.outputs import report_images

    page = to_html(result, *report_images(result))
    kept = len(second["segments"]) + sum(
        len(e["boxes"]) * len(m["segments"]) for m in rest for e in m["edit_details"]
        if e["kind"] == "overlay")
    assert page.count('class="box"') == kept
    assert 'left:10.00%;top:10.00%;width:20.00%;height:20.00%' in page


def test_jsonld_media_review_and_claim_review(demo) -> None:  # type: ignore[no-untyped-def]
    documents = to_jsonld(demo[0], publisher="Desk")
    review = documents[0]
    assert review["@type"] == "MediaReview" and review["author"]["name"] == "Desk"
    # Authentic operator footage presented with a date it contradicts: from the finding.
    assert review["mediaAuthenticityCategory"] == "DecontextualizedContent"
    assert review["reviewRating"]["alternateName"] == "Miscaptioned"
    claim_reviews = [d for d in documents if d["@type"] == "ClaimReview"]
    reviewed = [d["claimReviewed"] for d in claim_reviews]
    # only sentences the page actually wrote, quoted; never its publication date
    assert any("filmées le 22/10/2015" in r for r in reviewed)
    assert all(r.startswith("\u201c") and "2015-10-22" not in r for r in reviewed)
    # a caption burned into the picture appears in the video, not on the page (a desk audit:
    # its ClaimReview named the article as where the claim appeared)
    (burned,) = [d for d in claim_reviews if "TUNNEL STORMED" in d["claimReviewed"]]
    (shown,) = burned["itemReviewed"]["appearance"]
    assert shown["@type"] == "VideoObject" and shown["name"] == "repost.mp4"
    assert authenticity_category({**demo[0]["results"][0], "finding": None}) is None


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_renders_in_headless_chromium(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium (Debian's chromium, installed by .ci/run)")
        pytest.skip("no Chromium installed here; CI installs it (apt-get install chromium)")
    import cv2

    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
                    "--window-size=412,3000", f"--screenshot={shot}", demo[1].as_uri()],
                   check=True, capture_output=True, timeout=120)
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[1] == 412  # a phone-sized page
    assert float(image.std()) > 20  # not blank: the banner, frames and text are drawn
    red = np.all(np.abs(image.astype(int) - (28, 28, 183)) < 40, axis=2)  # #b71c1c in BGR
    assert red.sum() > 0.005 * 412 * 1600  # the MISCAPTIONED banner is on screen
    # the caption overlaid on each matched segment's repost picture is boxed (#ff1744): 1965
    # such pixels here, 500-1000 a box around the demo's caption
    boxed = np.all(np.abs(image.astype(int) - (68, 23, 255)) < 40, axis=2)
    assert boxed.sum() > 1000


def _pictures(html: str) -> list[tuple[np.ndarray, str]]:
    """Each embedded JPEG of the report's segments, decoded, with the caption under it."""
    import base64

    import cv2

    found = re.findall(r'src="data:image/jpeg;base64,([^"]+)"><figcaption>([^<]*)<', html)
    return [(cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8),
                          cv2.IMREAD_UNCHANGED), caption) for data, caption in found]


def _is_colour(picture: np.ndarray) -> bool:
    """Three channels that differ: a colour picture, not a grey one stored as BGR."""
    import cv2

    return bool(picture.ndim == 3
                and cv2.cvtColor(picture, cv2.COLOR_BGR2HSV)[..., 1].mean() > 20)


def _verify_and_delete(media: Media, tmp_path: Path,
                       make_old: Callable[[Path], None] | None = None) -> Verification:
    """Register cam-a from a copy, verify a copy of clip-a, delete both copies: the result.
    ``make_old`` turns the library into an older one before the verify."""
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings

    original, query = tmp_path / "original.mp4", tmp_path / "repost.mp4"
    shutil.copy(media.cam_a, original)
    shutil.copy(media.clip_a, query)
    settings = load_settings(db=tmp_path / "lib.db", cache_dir=tmp_path / "cache")
    with Library(settings.db, create=True) as library:
        register(str(original), Original(id="cam-a"), library, settings)
    if make_old:
        make_old(settings.db)
    with Library(settings.db) as library:
        result = verify_video(local_video(str(query)), library, settings)
    original.unlink()
    query.unlink()
    return result


def test_report_frames_come_from_verify_not_from_the_files(media: Media, tmp_path: Path) -> None:
    """The HTML report of a verify shows the colour pictures verify already had (the query's
    one decode, the original's keyframe pictures stored at registration): it renders them with
    both videos' files gone, at the widths the provider states, each pair at one instant (the
    times its captions give map to each other through the segment)."""
    from provenance import outputs, provider
    from provenance.report import to_payload

    result = _verify_and_delete(media, tmp_path)
    segments = sum(len(m.segments) for m in result.matches)
    assert segments >= 1 and len(result.frames) == 2 * segments
    assert outputs.report_images(to_payload([result])) == ({}, {})  # nothing left to read
    out = tmp_path / "report.html"
    result.to_html(out)
    pictures = _pictures(out.read_text())
    assert len(pictures) == 2 * segments
    assert "frame not available" not in out.read_text()
    for number, (picture, caption) in enumerate(pictures):
        assert _is_colour(picture), caption
        query = number % 2 == 0
        assert caption.startswith("repost" if query else "original cam-a")
        # the media are 480x270: the repost's picture is kept at its width, the original's
        # stored at the library's
        assert picture.shape[1] == (provider.PICTURE_SIZE if query
                                    else provider.STORED_PICTURE_WIDTH)
        assert "grey" not in caption and "thumbnail" not in caption
    shown = [_shown_time(caption) for _, caption in pictures]
    for number, s in enumerate(s for m in result.matches for s in m.segments):
        query_time, original_time = shown[2 * number], shown[2 * number + 1]
        # 12 keyframes stored in 30 s: the original's picture is one of them, and the repost's
        # the kept frame nearest the instant it maps to
        mapped = s.query_start + (original_time - s.reference_start) / s.speed
        assert abs(query_time - mapped) <= _KEPT_FRAME_REACH, (s, shown)


def test_a_segment_s_pictures_show_one_instant_between_stored_pictures(media: Media,
                                                                      tmp_path: Path) -> None:
    """A repost whose matched segment has its middle far from every picture the library
    stored of the original is shown at a stored picture's instant inside the segment, its own
    picture at the time that instant maps to: the middles put the pair 2 s apart here."""
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings
    from tests import synthetic as syn

    settings = load_settings(db=tmp_path / "lib.db", cache_dir=tmp_path / "cache")
    with Library(settings.db, create=True) as library:
        register(str(media.cam_a), Original(id="cam-a"), library, settings)
        stored = library.local_data("cam-a")
        assert stored is not None
        keys = [float(t) for t in stored.key_times]
        # the widest gap between stored pictures: the repost's middle is at its centre
        before, after = max(zip(keys[:-1], keys[1:], strict=True),
                            key=lambda pair: pair[1] - pair[0])
        assert after - before >= 2.0  # the middle a second or more from either
        start = (before + after) / 2 - 5.0
        query = tmp_path / "excerpt.mp4"
        syn.write_video(str(query), syn.excerpt(str(media.cam_a), start, 10.0, 25.0), 25.0)
        result = verify_video(local_video(str(query)), library, settings)
    segments = [s for m in result.matches for s in m.segments]
    assert result.verdict is Verdict.MATCH and segments
    out = tmp_path / "report.html"
    result.to_html(out)
    shown = [_shown_time(caption) for _, caption in _pictures(out.read_text())]
    assert len(shown) == 2 * len(segments)
    for number, s in enumerate(segments):
        query_time, original_time = shown[2 * number], shown[2 * number + 1]
        assert original_time in keys  # a stored picture, not the nearest to the middle...
        assert s.reference_start <= original_time <= s.reference_end
        mapped = s.query_start + (original_time - s.reference_start) / s.speed
        # ...and the repost's kept frame at the instant it maps to
        assert abs(query_time - mapped) <= _KEPT_FRAME_REACH, (s, shown)


# How far the repost's kept frame nearest an instant may be from it: kept frames are samples at
# least LOCAL_STEP_S apart, so up to a sampling step more (and the captions' rounding).
_KEPT_FRAME_REACH = (LOCAL_STEP_S + 1.0 / DEFAULT_SAMPLE_FPS) / 2 + 0.01


def _shown_time(caption: str) -> float:
    """Seconds of the picture a report caption describes: the time its note gives ("nearest
    ... at"), else the time the caption names."""
    found = re.search(r"nearest (?:stored picture|kept frame) at (\d\d):(\d\d\.\d\d)\)$",
                      caption) or re.search(r" at (\d\d):(\d\d\.\d\d)", caption)
    assert found, caption
    return 60 * int(found.group(1)) + float(found.group(2))


def test_old_library_reports_its_grey_thumbnail_until_reindexed(media: Media,
                                                               tmp_path: Path) -> None:
    """A library made before schema v8 (no pictures column) migrates, verifies and reports,
    the original's picture being its stored grey thumbnail, enlarged and captioned as such;
    `library reindex` (the file is still there) stores its colour pictures."""
    import sqlite3

    from provenance.library import Library
    from provenance.library.store import SCHEMA_VERSION
    from provenance.registry import reindex
    from provenance.settings import load_settings

    def make_old(db: Path) -> None:
        with sqlite3.connect(db) as conn:  # the v7 layout
            conn.execute("ALTER TABLE local_data DROP COLUMN pictures")
            conn.execute("PRAGMA user_version = 7")

    result = _verify_and_delete(media, tmp_path, make_old)
    assert result.verdict.value == "match"
    with sqlite3.connect(tmp_path / "lib.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    out = tmp_path / "old.html"
    result.to_html(out)
    pictures = _pictures(out.read_text())
    assert len(pictures) == 2 * sum(len(m.segments) for m in result.matches) > 0
    for (query, _), (thumbnail, caption) in zip(pictures[::2], pictures[1::2], strict=True):
        assert _is_colour(query)
        assert thumbnail.ndim == 2 and "grey thumbnail, enlarged" in caption
        assert "64x36" in caption and "provenance library reindex cam-a" in caption
        # 64 pixels enlarged 5 times, pixel by pixel: blocks of (nearly, after JPEG) equal pixels
        assert thumbnail.shape[1] == 320
        blocks = thumbnail.astype(int).reshape(36, 5, 64, 5)
        assert float(np.median(blocks.max(axis=(1, 3)) - blocks.min(axis=(1, 3)))) <= 6
    with Library(tmp_path / "lib.db") as library:  # the file back where it was registered
        shutil.copy(media.cam_a, tmp_path / "original.mp4")
        reindex("cam-a", library, load_settings(db=tmp_path / "lib.db"))
        local = library.local_data("cam-a")
        assert local is not None and len(local.pictures) == len(local.key_times) > 0


def test_pictures_are_grey_and_said_so_when_the_decoder_reads_luma_only(
        media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With OpenCV decoding (luma plane only) neither side has colour: the report shows grey
    pictures and its captions say why."""
    monkeypatch.setenv("PROVENANCE_DECODER", "full")
    result = _verify_and_delete(media, tmp_path)
    out = tmp_path / "grey.html"
    result.to_html(out)
    pictures = _pictures(out.read_text())
    assert len(pictures) == 2 * sum(len(m.segments) for m in result.matches) > 0
    for number, (picture, caption) in enumerate(pictures):
        assert not _is_colour(picture)
        assert ("this decoder read only the brightness" if number % 2 == 0
                else "registered with a decoder that read only brightness") in caption


def test_text_says_which_same_scene_pieces_are_another_moment() -> None:

    pieces = (Segment("cam", 0.0, 4.0, 0.0, 0.0), Segment("cam", 8.0, 12.0, 0.0, 0.0,
                                                          unsettled=True))
    matched = Alignment("cam", 0.9, (Segment("cam", 4.0, 8.0, 20.0, 24.0),))
    result = Verification(query="q.mp4", verdict=Verdict.MATCH, confidence=0.9, reason="r",
                          duration=12.0, matches=(matched,),
                          same_scene=(Alignment("cam", 0.67, pieces),))
    text = to_text(result)
    assert "Same camera/view, another moment:\n" in text
    assert "Same camera/view, moment not established:\n" in text
    assert text.index("query 00:00.00-00:04.00") < text.index("moment not established")
    assert "query 00:08.00-00:12.00" in text.split("moment not established")[1]


def test_a_segment_played_backwards_is_shown_from_the_originals_end() -> None:
    played = Segment("cam", 0.0, 6.0, 10.0, 16.0, reversed=True)
    result = Verification(query="q.mp4", verdict=Verdict.MATCH, confidence=0.9, reason="r",
                          duration=6.0, matches=(Alignment("cam", 0.9, (played,), edits=(
                              DetectedEdit(Edit.REVERSED),)),), settings={"sample_fps": 4.0})
    assert "query 00:00.00-00:06.00  <-  original 00:16.00-00:10.00  [played backwards]" \
        in to_text(result)
    report = result.to_dict()
    jsonschema.validate(report, schema())
    (segment,) = report["matches"][0]["segments"]
    assert segment["reversed"] is True and report["matches"][0]["edits"] == ["reversed"]
    assert "original 00:16.00–00:10.00 · played backwards" in to_html(report)
    (review,) = [r for r in to_jsonld(report) if r["@type"] == "MediaReview"]
    assert "16.0-10.0 s played backwards" in json.dumps(review)  # in the order shown
    assert played.reference_time(0.0) == 16.0 and played.query_time(10.0) == 6.0


def test_text_says_an_inconclusive_reason_once() -> None:
    reason = "the view matches a registered camera, but whether this is the moment cannot be told"
    result = Verification(query="q.mp4", verdict=Verdict.INCONCLUSIVE, confidence=0.0,
                          reason=reason, duration=12.0,
                          finding=Finding(Rating.INCONCLUSIVE, f"Inconclusive: {reason}."))
    text = to_text(result)
    assert text.count(reason) == 1 and "  confidence 0.00" in text.splitlines()  # was twice
    matched = Verification(query="q.mp4", verdict=Verdict.MATCH, confidence=0.9,
                           reason="12.0 s of 12.0 s line up", duration=12.0,
                           finding=Finding(Rating.AUTHENTIC, "Authentic: footage."))
    assert "  confidence 0.90 - 12.0 s of 12.0 s line up" in to_text(matched)


def test_report_shows_no_picture_from_a_file_that_is_no_longer_the_one_verified(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    """`provenance report` reads a picture only from a file whose sha256 is still the one the
    result records (audit 13, #6: another video put at the repost's path was shown as the
    repost); the caption says why a picture is missing."""
    db, repost = tmp_path / "library.db", tmp_path / "repost.mp4"
    shutil.copy(library_path, db)
    shutil.copy(media.clip_a, repost)
    code, out, err = run("verify", repost, "--db", db, "--json")
    assert code == 0, err
    result = json.loads(out)
    segments = sum(len(m["segments"]) for m in result["matches"])
    assert segments >= 1 and all(m["sha256"] for m in result["matches"])
    saved = tmp_path / "result.json"
    saved.write_text(out)
    code, _, err = run("report", saved, "-o", tmp_path / "same.html")
    assert code == 0, err
    assert len(_pictures((tmp_path / "same.html").read_text())) == 2 * segments
    shutil.copy(media.unrelated, repost)  # the next download, another file of the same name
    for match in result["matches"]:
        match["file"] = str(media.cam_b)  # an original's file moved, another put in its place
    saved.write_text(json.dumps(result))
    code, _, err = run("report", saved, "-o", tmp_path / "swapped.html")
    assert code == 0, err
    page = (tmp_path / "swapped.html").read_text()
    assert "data:image/jpeg" not in page
    assert page.count("is no longer the one verified") == 2 * segments


def _set(document: Any, where: tuple[str | int, ...], value: object) -> None:
    for key in where[:-1]:
        document = document[key]
    document[where[-1]] = value


@pytest.mark.parametrize("where, value, shown", [
    (("finding", "rating"), "totally-fake", "finding.rating"),
    (("matches", 0, "segments", 0, "query_end"), 1e308, "matches[0].segments[0].query_end"),
    (("claims", 0, "status"), "bogus", "claims[0].status"),
    (("duration",), -5, "duration"),
    (("matches", 0, "segments", 0, "speed"), 1e300, "matches[0].segments[0].speed"),
])
def test_report_refuses_a_result_with_impossible_values(  # type: ignore[no-untyped-def]
        demo, tmp_path: Path, where: tuple[str | int, ...], value: object, shown: str) -> None:
    """A hand-edited result is checked against the report schema before anything is drawn
    (audit 13, #8: an unknown rating was rendered INCONCLUSIVE over an authentic summary)."""
    article = json.loads(json.dumps(demo[0]))
    result = article["results"][0]
    _set(result, where, value)
    for document, path in ((result, shown), (article, f"results[0].{shown}")):
        saved, out = tmp_path / "edited.json", tmp_path / "r.html"
        saved.write_text(json.dumps(document))
        code, _, err = run("report", saved, "-o", out)
        first, second, *rest = err.splitlines()
        assert code == 2 and not rest, err
        assert first.startswith(f"Error: {saved} is not a complete provenance result: {path}")
        assert second.startswith("Hint: ") and not out.exists()


def test_report_refuses_numbers_json_does_not_have(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "nan.json"
    saved.write_text(json.dumps(demo[0]["results"][0]).replace(
        '"duration": ', '"duration": NaN, "x": ', 1))
    code, _, err = run("report", saved, "-o", tmp_path / "r.html")
    assert code == 2 and "NaN" in err.splitlines()[0] and err.splitlines()[1].startswith("Hint")


def test_timecodes_of_any_float_are_short() -> None:
    from provenance.report.text_report import timecode

    assert timecode(75.5) == "01:15.50" and timecode(3725.0) == "1:02:05.00"
    for value in (1e308, float("inf"), float("nan"), -5.0, -1e308):
        assert len(timecode(value)) <= 16, value
    assert timecode(float("nan")) == timecode(-5.0) == "00:00.00"


def test_where_the_video_came_from_shows_iso_dates(demo) -> None:  # type: ignore[no-untyped-def]
    """yt-dlp's YYYYMMDD upload date is shown as ISO 8601 (audit 13, #17)."""
    result = json.loads(json.dumps(demo[0]["results"][0]))
    result["provenance"]["upload_date"] = "20261126"
    page = to_html(result)
    source = page[page.index("Where this video came from"):]
    assert "<code>2026-11-26</code>" in source and "20261126" not in source


def test_a_video_that_could_not_be_verified_is_said_once_and_not_reviewed(
        library_path: Path, tmp_path: Path) -> None:
    """An empty file's result (a batch line) renders as not verified, its error and hint once,
    without a footage verdict or the method, and publishes no MediaReview (a desk audit: it read
    "Footage: INCONCLUSIVE. Too little evidence to say.", and was rated inconclusive)."""
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    lines = tmp_path / "out.jsonl"
    CliRunner().invoke(main, ["verify", str(empty), "--db", str(library_path), "--jsonl",
                              str(lines)])
    saved = tmp_path / "line.json"
    saved.write_text(lines.read_text("utf-8").splitlines()[0], "utf-8")
    page, reviews = tmp_path / "r.html", tmp_path / "r.jsonld"
    outcome = CliRunner().invoke(main, ["report", str(saved), "-o", str(page), "--jsonld",
                                        str(reviews)])
    assert outcome.exit_code == 0, outcome.output
    text = page.read_text("utf-8")
    error = json.loads(saved.read_text("utf-8"))["error"]
    assert "NOT VERIFIED" in text and text.count(error) == 1
    assert "Hint:" in text and "Footage:" not in text and "How this was determined" not in text
    assert json.loads(reviews.read_text("utf-8")) == []
