"""The repost's own camera clock against the post's dates: a clock read in the picture compared
with the claimed dates no original's metadata checked (a repost the library does not hold, a
matched original without a recording date), said with its caveat; the clock of a mirrored
repost read mirror-written; every claim in the text report with its status."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import cv2
import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from provenance import claims, evidence, finding, ocr
from provenance.cli import main
from provenance.library import Library
from provenance.models import (
    Alignment,
    BurnedInText,
    Claim,
    ClaimKind,
    ClaimStatus,
    Original,
    Rating,
    ScreenClock,
    Segment,
    Verdict,
    Verification,
)
from provenance.registry import register
from provenance.report import schema, to_html, to_jsonld, to_payload
from provenance.report.jsonld import script_text
from provenance.report.text_report import NOTHING_TO_CHECK, to_text
from provenance.settings import load_settings
from tests import synthetic as syn
from tests.conftest import FPS, SIZE, Media

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
# The synthetic cameras' clocks start at 2015-09-16 02:13:00 (tests/synthetic.py).
CLOCK_DAY = "2015-09-16"


def _claim(value: str, status: ClaimStatus = ClaimStatus.UNCHECKED, finding_text: str = "",
           kind: ClaimKind = ClaimKind.DATE) -> Claim:
    return Claim(kind=kind, text=value, value=value, found_in="command line (caption)",
                 finding=finding_text, status=status)


CLOCK = ScreenClock(3.5, "2015-09-16T02:13:03", "2015-09-16 02:13:03")


def test_an_unchecked_date_is_compared_with_the_clock() -> None:
    against, agreeing, month = claims.check_clocks(
        [_claim("2015-10-22"), _claim("2015-09-16"), _claim("2015-09-11/2015-09-20")], [CLOCK])
    assert against.status is ClaimStatus.CLOCK_CONTRADICTED
    assert "reads '2015-09-16 02:13:03' at 3.5 s, 36 day(s) before the claimed 2015-10-22" in \
        against.finding
    assert claims.CLOCK_CAVEAT in against.finding
    assert agreeing.status is ClaimStatus.CLOCK_CONSISTENT and claims.CLOCK_CAVEAT in \
        agreeing.finding
    assert month.status is ClaimStatus.CLOCK_CONSISTENT
    # without a clock nothing changes
    assert claims.check_clocks([_claim("2015-10-22")], []) == [_claim("2015-10-22")]


def test_an_originals_metadata_is_weighed_above_the_clock() -> None:
    checked = claims.check(
        [_claim("2015-10-22"), _claim("2015-09-16")],
        [Original(id="cam", recorded_at="2015-10-22")])
    against_clock, other_day = claims.check_clocks(checked, [CLOCK])
    # the metadata decides; the clock is said beside it, and that it disagrees
    assert against_clock.status is ClaimStatus.CONSISTENT
    assert "weighed above it" in against_clock.finding and "set wrong" in against_clock.finding
    assert other_day.status is ClaimStatus.CONTRADICTED
    assert other_day.finding.endswith("on the claimed 2015-09-16, against the original's "
                                      "recording date, which is weighed above it (a camera's "
                                      "clock can be set wrong)")


def test_a_publication_date_before_the_clock_is_contradicted() -> None:
    early = Claim(kind=ClaimKind.PUBLISHED, text="2015-09-01", value="2015-09-01",
                  found_in="upload metadata (upload_date)")
    late = Claim(kind=ClaimKind.PUBLISHED, text="2015-10-01", value="2015-10-01",
                 found_in="upload metadata (upload_date)")
    before, after = claims.check_clocks([early, late], [CLOCK])
    assert before.status is ClaimStatus.CLOCK_CONTRADICTED and "15 day(s) after" in \
        before.finding
    assert after.status is ClaimStatus.CLOCK_CONSISTENT


def test_the_finding_says_the_clock_with_its_caveat() -> None:
    against = claims.check_clocks([_claim("2015-10-22")], [CLOCK])
    unverified = finding.assess(Verdict.NO_MATCH, (), (), against, (), clocks=[CLOCK])
    assert unverified.rating is Rating.UNVERIFIED
    # a clock no original's picture was compared with is "a clock", which may have been laid
    # on (a desk audit's clock drawn over a registered camera's other moment "supported" the
    # false date it showed, as "the camera clock")
    assert "a clock in its picture reads another date (2015-09-16 02:13:03; a " \
           "camera's clock can be set wrong" in unverified.summary
    assert claims.CLOCK_CAVEAT in unverified.summary and claims.LAID_ON_CAVEAT in \
        unverified.summary and "camera clock" not in unverified.summary
    agreeing = claims.check_clocks([_claim(CLOCK_DAY)], [CLOCK])
    assert claims.LAID_ON_CAVEAT in agreeing[0].finding
    supported = finding.assess(Verdict.NO_MATCH, (), (), agreeing, (), clocks=[CLOCK])
    assert "which only a clock in its picture supports" in supported.summary
    assert claims.LAID_ON_CAVEAT in supported.summary
    # the camera's own clock beside it vouches for no other clock (a review)
    own_other_day = replace(CLOCK, time=1.0, reads="2015-09-15T02:13:03",
                            text="2015-09-15 02:13:03", in_original=True)
    both = [own_other_day, CLOCK]
    mixed = finding.assess(Verdict.NO_MATCH, (), (), claims.check_clocks(
        [_claim(CLOCK_DAY)], both), (), clocks=both)
    assert "which only a clock in its picture supports" in mixed.summary
    assert claims.LAID_ON_CAVEAT in mixed.summary
    assert claims.LAID_ON_CAVEAT in claims.check_clocks([_claim(CLOCK_DAY)], both)[0].finding
    # a matched original without a recording date: the clock is the only date there is; the
    # camera's own (found in the original's picture) makes a miscaption, said with its caveat
    match = Alignment("cam", 0.9, (Segment("cam", 0.0, 10.0, 0.0, 10.0),))
    own = replace(CLOCK, in_original=True)
    matched = finding.assess(Verdict.MATCH, (match,), (), against, [Original(id="cam")],
                             clocks=[own])
    assert matched.rating is Rating.MISCAPTIONED and claims.CLOCK_CAVEAT in matched.summary
    assert "the camera clock in its picture" in matched.summary
    assert claims.LAID_ON_CAVEAT not in matched.summary
    # a clock nothing was compared with (a match not laid on the original's pictures) may be
    # made up: said, not a miscaption
    unsure = finding.assess(Verdict.MATCH, (match,), (), against, [Original(id="cam")],
                            clocks=[CLOCK])
    assert unsure.rating is Rating.AUTHENTIC
    assert "but a clock in its picture reads another date" in unsure.summary
    authentic = finding.assess(Verdict.MATCH, (match,), (), agreeing, [Original(id="cam")],
                               clocks=[CLOCK])
    assert authentic.rating is Rating.AUTHENTIC
    assert "as claimed" not in authentic.summary and "only a clock in its picture" in \
        authentic.summary


def test_every_claim_status_is_in_the_text_report() -> None:
    said = [_claim(f"2015-09-{10 + n}", status) for n, status in enumerate(ClaimStatus)]
    said += [_claim("Calais", ClaimStatus.UNCHECKED, kind=ClaimKind.PLACE),
             _claim("Calais libre", ClaimStatus.UNCHECKED, kind=ClaimKind.SOURCE)]
    text = to_text(Verification(query="q.mp4", verdict=Verdict.NO_MATCH, confidence=0.0,
                                reason="", duration=5.0, claims=tuple(said)))
    for claim in said[:len(ClaimStatus)]:
        assert f"  [{claim.status.value}] filmed {claim.value}: " in text, claim.status
    assert f'[unchecked] place Calais: "Calais" (command line (caption))\n       ' \
           f"{NOTHING_TO_CHECK}" in text
    assert f'[unchecked] source "Calais libre" (command line (caption)): {NOTHING_TO_CHECK}' \
        in text


def _ocr_line(text: str, box: tuple[float, float, float, float], score: float = 0.95,
              time: float = 1.0) -> ocr.TextLine:
    return ocr.TextLine(time, text, score, box)


def test_a_line_read_both_ways_is_kept_the_way_it_reads_best() -> None:
    caption = _ocr_line("22/10/2015 TUNNEL", (0.0, 0.9, 0.6, 0.95), 0.98)
    junk = _ocr_line("MAD", (0.6, 0.1, 0.9, 0.15), 0.71)  # the mirrored clock read as it is
    clock = _ocr_line("CAM 2 2015-09-16 02:20:16", (0.6, 0.1, 0.99, 0.16), 0.99)
    caption_flipped = _ocr_line("ENNUT", (0.0, 0.9, 0.6, 0.95), 0.72)
    lines, mirrored = evidence._either_way([caption, junk], [clock, caption_flipped])
    assert lines == [caption, clock] and mirrored == [clock]
    # a frame read only flipped (the middle of a mirrored segment no shot's frame falls in):
    # read as it is too, only to weigh its flipped lines against
    lines, mirrored = evidence._either_way([], [caption_flipped], [caption])
    assert lines == mirrored == []


@pytest.fixture(scope="module")
def clock_media(media: Media, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A library holding camera A registered without a recording date and without reading its
    clock (as OCR turned off, or a library made before it), a repost of a camera the library
    does not hold, and a mirrored, captioned repost of camera A."""
    root = tmp_path_factory.mktemp("clock")
    db = root / "undated.db"
    with Library(db, create=True) as library:
        register(str(media.cam_a), Original(id="cam-a", title="Camera A"), library,
                 load_settings(db=db, cache_dir=root / "cache", ocr=False))
    unknown = root / "unknown.mp4"
    scene = syn.CCTVScene(seed=404, width=SIZE[0], height=SIZE[1], label="CAM Z", length=30)
    syn.write_video(str(unknown), syn.render(scene, 2.0, 8.0, FPS), FPS)
    mirrored = root / "mirrored.mp4"
    flip_then_caption = syn.chain(syn.mirror, syn.caption("attaque eurotunnel 22/10/2015"))
    syn.write_video(str(mirrored), (flip_then_caption(f) for f in syn.excerpt(
        str(media.cam_a), 8.0, 12.0, 25.0)), 25.0)
    return {"undated": db, "unknown": unknown, "mirrored": mirrored, "root": root}


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, ["-q", "verify", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@needs_ocr
def test_a_repost_the_library_does_not_hold_is_dated_by_its_clock(
        clock_media: dict[str, Path]) -> None:
    db, unknown = str(clock_media["undated"]), str(clock_media["unknown"])
    text = _cli(unknown, "--db", db, "--caption", "attaque eurotunnel 22/10/2015")
    assert "UNVERIFIED — nothing in the library explains this footage; captioned as " \
           "22/10/2015, but a clock in its picture reads another date (2015-09-16 " in \
        text
    assert "[clock-contradicted] filmed 2015-10-22" in text
    assert re.search(r"a clock in its picture reads '2015-09-16 02:13:\d\d' at "
                     r"[\d.]+ s, 36 day\(s\) before the claimed 2015-10-22", text)
    assert claims.CLOCK_CAVEAT in text
    assert "camera clock in this video's picture: 2015-09-16T02:13:" in text
    payload = json.loads(_cli(unknown, "--db", db, "--claim-date", CLOCK_DAY, "--json"))
    jsonschema.validate(payload, schema())
    (date,) = [c for c in payload["claims"] if c["kind"] == "date"]
    assert date["status"] == "clock-consistent"
    summary = payload["finding"]["summary"]
    assert payload["finding"]["rating"] == "unverified"
    assert "which only a clock in its picture supports" in summary
    assert "verified" not in summary.replace("Unverified", "")
    assert [c["reads"][:10] for c in payload["screen_clocks"]] == [CLOCK_DAY] * len(
        payload["screen_clocks"]) and payload["screen_clocks"]
    # nothing to compare it with: it may be made up
    assert all(c["in_original"] is None for c in payload["screen_clocks"])


@needs_ocr
def test_a_matched_original_without_a_date_is_dated_by_the_clock_in_its_picture(
        media: Media, clock_media: dict[str, Path]) -> None:
    db = str(clock_media["undated"])
    text = _cli(str(media.clip_a), "--db", db, "--caption", "attaque eurotunnel 22/10/2015",
                "--claim-place", "Calais", "--claim-source", "Calais libre")
    assert text.splitlines()[1].startswith("  MISCAPTIONED — authentic footage at an unknown "
                                           "date; captioned as 22/10/2015, but the camera clock")
    assert "[clock-contradicted] filmed 2015-10-22" in text
    # the claims nothing could check are listed, each with its status
    assert f'[unchecked] place Calais: "Calais" (command line)\n       {NOTHING_TO_CHECK}' in text
    assert '[unchecked] source "Calais libre" (command line): ' in text
    payload = json.loads(_cli(str(media.clip_a), "--db", db, "--json"))
    # the clock is the camera's own: found in the original's picture, not added
    assert [t["added"] for t in payload["burned_in_text"] if ocr.screen_datetime(t["text"])] \
        == [False] * len(payload["screen_clocks"])
    assert payload["screen_clocks"] and all(c["in_original"] for c in payload["screen_clocks"])


@needs_ocr
def test_a_mirrored_repost_clock_is_read_mirror_written(
        library_path: Path, clock_media: dict[str, Path]) -> None:
    folder = clock_media["root"]
    report, jsonld = folder / "mirrored.html", folder / "mirrored.jsonld"
    text = _cli(str(clock_media["mirrored"]), "--db", str(library_path),
                "--report", str(report), "--jsonld", str(jsonld))
    assert "[mirrored" in text
    assert re.search(r'"CAM A +2015-09-16 02:13:\d\d" \(read mirrored\)', text), text
    assert "camera clock in this video's picture: 2015-09-16T02:13:" in text
    assert "(read mirrored)" in text
    # the caption's date, contradicted by the original's metadata, and by the clock too
    assert "captioned as 22/10/2015, which the camera clock in its picture contradicts too " \
           "(it reads 2015-09-16 02:13:" in text
    assert re.search(r"\(read mirrored\), 36 day\(s\) before the claimed 2015-10-22", text)
    payload = json.loads(_cli(str(clock_media["mirrored"]), "--db", str(library_path),
                              "--json"))
    (clock,) = [t for t in payload["burned_in_text"] if ocr.screen_datetime(t["text"])]
    # read in the flipped frame, placed where it lies in the repost (the top right), and
    # recognised as the original's own text, not an overlay
    assert clock["mirrored"] is True and clock["added"] is False and \
        (clock["box"][0] + clock["box"][2]) / 2 > 0.5
    assert all(b[1] >= 0.8 for m in payload["matches"] for e in m["edit_details"]
               if e["kind"] == "overlay" for b in e["boxes"])
    assert "(read mirrored)" in report.read_text()


def test_clock_text_and_claims_are_escaped_everywhere() -> None:
    hostile = 'CAM <script>alert(1)</script>\x1b]0;pwn\x07 2015-09-16 02:13:03'
    said = claims.check_clocks([Claim(kind=ClaimKind.DATE, text="22/10/2015 <img src=x>",
                                      value="2015-10-22", found_in="burned-in text",
                                      quote="</script><script>alert(2)</script> 22/10/2015"
                                            " \u202egnp.exe")],
                               [CLOCK])
    result = Verification(
        query="q.mp4", verdict=Verdict.NO_MATCH, confidence=0.0, reason="", duration=5.0,
        claims=tuple(said), finding=finding.assess(Verdict.NO_MATCH, (), (), said, (),
                                                   clocks=[CLOCK]),
        burned_in_text=(BurnedInText(3.5, hostile, (0.6, 0.1, 0.9, 0.15), None, True),),
        screen_clocks=(ScreenClock(3.5, "2015-09-16T02:13:03", "<b>x</b>", True),))
    payload = to_payload([result])
    page = to_html(payload)
    assert "<script>alert" not in page and "<img src=x>" not in page and "<b>x" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert '<span class="status">clock-contradicted</span>' in page
    assert "camera clock in this video&#x27;s picture: 2015-09-16T02:13:03" in page or \
        "camera clock in this video's picture: 2015-09-16T02:13:03" in page
    documents = to_jsonld(payload)
    assert any(d["reviewRating"]["alternateName"] == "Misdated by its own camera clock"
               for d in documents if d["@type"] == "ClaimReview")
    # nothing closes the script element or reorders the text; the same JSON-LD when parsed
    assert "\u202e" in json.dumps(documents, ensure_ascii=False)
    assert "<" not in script_text(documents) and "\u202e" not in script_text(documents)
    assert json.loads(script_text(documents)) == json.loads(json.dumps(documents))
    from provenance.terminal import safe_text

    assert "\x1b" not in safe_text(to_text(result)) and "\\u001b]0;pwn" in safe_text(
        to_text(result))


@needs_ocr
def test_recycled_cctv_is_dated_by_its_clock(media: Media, library_path: Path) -> None:
    # Another moment of a registered camera: the library cannot date it, its clock can.
    text = _cli(str(media.cam_a_later), "--db", str(library_path), "--claim-date", "2015-10-22")
    assert text.splitlines()[1].startswith("  SAME-SCENE — ")
    assert "captioned as 2015-10-22, but the camera clock in its picture reads another date " \
           "(2015-09-16 02:14:" in text
    assert "[clock-contradicted] filmed 2015-10-22" in text


def test_mirrored_stretches_are_read_where_a_shot_is_read_or_at_their_middle() -> None:
    # a shot's frame inside a mirrored stretch is read flipped; a stretch no shot's frame falls
    # in (a mirrored shot shorter than the video's longest ones) at its middle
    assert evidence._mirrored_times([1.0, 9.0, 20.0], [(0.0, 4.0), (12.0, 16.0)]) == \
        [1.0, 14.0]
    assert evidence._mirrored_times([1.0], []) == []


@needs_ocr
def test_a_clock_laid_over_a_registered_cameras_other_moment_is_no_camera_clock(
        tmp_path: Path) -> None:
    """A clock drawn over another moment of a registered camera that shows none is said added,
    and supports no date (a desk audit: it was "the camera clock", which "supported" the false
    date it showed); the same camera's own clock at another moment stays its clock
    (``test_recycled_cctv_is_dated_by_its_clock``)."""
    from datetime import datetime, timedelta

    scene = syn.CCTVScene(seed=77, width=SIZE[0], height=SIZE[1], label="GATE", length=60,
                          clock=False)
    original, repost = tmp_path / "gate.mp4", tmp_path / "later.mp4"
    syn.write_video(str(original), syn.render(scene, 0.0, 20.0, FPS), FPS)
    db = tmp_path / "gate.db"
    with Library(db, create=True) as library:
        register(str(original), Original(id="gate", recorded_at="2019-03-12"), library,
                 load_settings(db=db, cache_dir=tmp_path / "cache"))
    start = datetime(2015, 10, 22, 2, 13, 0)

    def fake_clock(frame: np.ndarray, t: float) -> np.ndarray:
        out = frame.copy()
        cv2.putText(out, f"{start + timedelta(seconds=t):%Y-%m-%d %H:%M:%S}",
                    (SIZE[0] // 2, SIZE[1] - 16), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (255, 255, 255), 2, cv2.LINE_AA)
        return out

    syn.write_video(str(repost), syn.render(scene, 40.0, 10.0, FPS, fake_clock), FPS)
    payload = json.loads(_cli(str(repost), "--db", str(db), "--claim-date", "2015-10-22",
                              "--json"))
    assert payload["verdict"] in ("same-scene", "inconclusive") and payload["same_scene"]
    read = [t for t in payload["burned_in_text"] if ocr.screen_datetime(t["text"])]
    assert read and all(t["added"] is True for t in read)
    assert payload["screen_clocks"] == []
    dates = [c for c in payload["claims"] if c["kind"] == "date"]
    assert dates and all(c["status"] == "unchecked" for c in dates), dates
    assert "supports" not in payload["finding"]["summary"]


@needs_ocr
def test_a_clock_drawn_over_the_cameras_own_in_another_format_is_no_camera_clock(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    """A clock drawn over the registered camera's own, at its place, written another way (day
    first, no seconds): laid on, not the camera's, and it supports no date. The camera
    writes its clock one way; at another moment its own clock stays its clock
    (``test_recycled_cctv_is_dated_by_its_clock``)."""
    from datetime import datetime, timedelta

    # the format compared: year first or last, 12- or 24-hour (not the separators or seconds,
    # which OCR blurs or cuts)
    assert ocr.clock_format("CAM A 2015-09-16 02:14:03") == ocr.clock_format("2015.09.16 02:14")
    assert ocr.clock_format("CAM A 22/10/2015 14:02") != ocr.clock_format("2015-09-16 02:14:03")
    forged_start = datetime(2015, 10, 22, 14, 2, 0)
    capture = cv2.VideoCapture(str(media.cam_a_later))
    fps = capture.get(cv2.CAP_PROP_FPS) or FPS
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        stamp = forged_start + timedelta(seconds=len(frames) / fps)
        # over the camera's own line ("CAM A  2015-09-16 02:14:03" at (10, 24)), just covered
        (width, height), _ = cv2.getTextSize("CAM A  2015-09-16 02:14:03",
                                             cv2.FONT_HERSHEY_SIMPLEX, 0.6, 2)
        cv2.rectangle(frame, (6, 24 - height - 4), (14 + width, 30), (40, 40, 40), -1)
        cv2.putText(frame, f"CAM A  {stamp:%d/%m/%Y %H:%M}", (10, 24),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, cv2.LINE_AA)
        frames.append(frame)
    capture.release()
    forged = tmp_path / "forged.mp4"
    syn.write_video(str(forged), frames, fps)
    payload = json.loads(_cli(str(forged), "--db", str(library_path), "--claim-date",
                              "2015-10-22", "--json"))
    assert payload["verdict"] == "same-scene", payload["reason"]
    read = [t for t in payload["burned_in_text"] if ocr.screen_datetime(t["text"])]
    assert read and all(t["added"] is True for t in read), read
    assert payload["screen_clocks"] == []
    dates = [c for c in payload["claims"] if c["kind"] == "date"]
    assert dates and all(c["status"] == "unchecked" for c in dates), dates
    assert "supports" not in payload["finding"]["summary"]
