"""Evidence beyond the picture, end to end on made media with sound: a repost whose picture
defeats matching found by its sound, replaced sound as an edit, a CCTV clock as the recording
date, a burned-in caption date as a claim."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from provenance import ocr, outputs, pipeline
from provenance.library import Library
from provenance.models import Box, Edit, Original, Rating, Verdict, Verification
from provenance.registry import register
from provenance.report import json_report
from provenance.report.html_report import to_html
from provenance.report.text_report import MAX_TEXT_LINES, to_text
from provenance.settings import load_settings
from tests import synthetic as syn
from tests import synthetic_audio as sa
from tests.conftest import Media

SOUND_SEED = 11
CLIP_START = 8.0  # clip_a is cam_a from 8 s to 20 s


def _ffmpeg(*args: str) -> None:
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True)


@pytest.fixture(scope="module")
def sound_library(media: Media, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(library with camera A and its sound, registered without a recording date; folder)."""
    root = tmp_path_factory.mktemp("evidence")
    cam = root / "cam_a_sound.mp4"
    sa.with_sound(str(media.cam_a), sa.soundtrack(SOUND_SEED, 0, 30), str(cam))
    path = root / "library.db"
    settings = load_settings(db=path, cache_dir=root / "cache")
    with Library(path, create=True) as library:
        register(str(cam), Original(id="cam-a", title="Camera A", source="Operator CCTV"),
                 library, settings)
    return path, root


def _verify(query: Path, db: Path):  # type: ignore[no-untyped-def]
    return pipeline.verify(str(query), db, load_settings(db=db, cache_dir=db.parent / "cache"))


def test_picture_defeating_repost_is_found_by_its_sound(
        media: Media, sound_library: tuple[Path, Path]) -> None:
    db, root = sound_library
    pip, query = root / "pip.mp4", root / "pip_sound.mp4"
    # Camera A's 8-20 s shrunk to a blurred quarter-width inset over other footage.
    _ffmpeg("-i", str(media.unrelated), "-i", str(media.clip_a), "-filter_complex",
            "[1:v]scale=iw/4:-2,boxblur=6[s];[0:v][s]overlay=W-w-8:H-h-8", "-t", "12",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(pip))
    sa.with_sound(str(pip), sa.soundtrack(SOUND_SEED, CLIP_START, 12), str(query), "64k")
    result = _verify(query, db)
    assert result.verdict != Verdict.MATCH
    assert [a.reference_id for a in result.audio_matches] == ["cam-a"]
    heard = result.audio_matches[0]
    assert heard.audio == "audio-only"
    for segment in heard.segments:
        offset = segment.reference_start - segment.query_start
        assert offset == pytest.approx(CLIP_START, abs=0.2)
    covered = sum(s.query_end - s.query_start for s in heard.segments)
    assert covered >= 9.0
    assert "audio-match" in result.reason
    assert result.finding is not None and result.finding.rating is Rating.UNVERIFIED
    assert "the sound is an original's (audio-match" in result.finding.summary
    assert any(r.startswith("audio-match: the sound of cam-a") for r in result.finding.reasons)
    assert "audio-match (the sound only, not the picture)" in to_text(result)
    payload = json_report.to_dict(result)
    jsonschema.validate(payload, json_report.schema())
    assert payload["audio_matches"][0]["audio"] == "audio-only"
    assert "<b>audio-match</b>: the sound of cam-a" in to_html(payload)


def test_replaced_sound_is_an_edit(media: Media, sound_library: tuple[Path, Path]) -> None:
    db, root = sound_library
    same, replaced = root / "same.mp4", root / "replaced.mp4"
    sa.with_sound(str(media.clip_a), sa.soundtrack(SOUND_SEED, CLIP_START, 12), str(same))
    sa.with_sound(str(media.clip_a), sa.soundtrack(99, 0, 12), str(replaced))
    kept = _verify(same, db)
    assert kept.verdict == Verdict.MATCH
    assert kept.matches[0].audio == "same"
    assert Edit.AUDIO_REPLACED not in [e.kind for e in kept.matches[0].edits]
    changed = _verify(replaced, db)
    assert changed.verdict == Verdict.MATCH
    assert changed.matches[0].audio == "different"
    assert Edit.AUDIO_REPLACED in [e.kind for e in changed.matches[0].edits]
    assert "sound on cam-a: REPLACED" in to_text(changed)
    if ocr.available():
        assert "camera clock of cam-a: 2015-09-16T02:1" in to_text(changed)
    assert changed.finding is not None and changed.finding.rating is Rating.EDITED
    assert "its sound replaced" in changed.finding.summary
    silent = _verify(media.clip_a, db)
    assert silent.matches[0].audio == "none"


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_camera_clock_is_the_recording_date(sound_library: tuple[Path, Path]) -> None:
    with Library(sound_library[0]) as library:
        original = library.get("cam-a")
    # The synthetic camera's clock starts at 2015-09-16 02:13:00.
    assert original.recorded_at == "2015-09-16"
    assert original.recorded_on_screen.startswith("2015-09-16T02:1")
    assert "on-screen text at" in original.recorded_on_screen


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_burned_in_caption_date_is_a_checked_claim(
        media: Media, sound_library: tuple[Path, Path]) -> None:
    db, root = sound_library
    captioned = root / "captioned.mp4"
    frames = syn.excerpt(str(media.cam_a), CLIP_START, 12.0, 25.0)
    syn.write_video(str(captioned), (syn.caption("attaque eurotunnel 22/10/2015")(f)
                                     for f in frames), 25.0)
    result = _verify(captioned, db)
    assert result.verdict == Verdict.MATCH
    burned = [c for c in result.claims if c.found_in == "burned-in text"]
    assert "2015-10-22" in [c.value for c in burned]
    caption = next(c for c in burned if c.value == "2015-10-22")
    assert caption.status == "contradicted"
    assert [line.added for line in result.burned_in_text if "eurotunnel" in line.text] == [True]
    # Footage the library does not hold: its caption is read, but whether it was added to an
    # original's picture cannot be told (nothing to compare it with): neither said nor denied.
    unknown = root / "unknown_captioned.mp4"
    frames = syn.excerpt(str(media.unrelated), 0.0, 6.0, 25.0)
    syn.write_video(str(unknown), (syn.caption("attaque eurotunnel 22/10/2015")(f)
                                   for f in frames), 25.0)
    unmatched = _verify(unknown, db)
    assert not unmatched.matches
    assert [line.added for line in unmatched.burned_in_text if "eurotunnel" in line.text] == \
        [None]
    payload = json_report.to_dict(unmatched)
    jsonschema.validate(payload, json_report.schema())
    assert [line["added"] for line in payload["burned_in_text"]] == [None] * len(
        unmatched.burned_in_text)
    assert "(added: not in the original)" not in to_text(unmatched)
    assert result.finding is not None and result.finding.rating is Rating.MISCAPTIONED
    assert "22/10/2015" in result.finding.summary
    assert any("eurotunnel" in line.text for line in result.burned_in_text)
    assert '"attaque eurotunnel 22/10/2015"' in to_text(result).split("text in the picture: ")[1]
    # The caption is an edit, where it is (the bottom bar); the camera's own clock is not.
    overlays = [b for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY
                for b in e.boxes]
    assert overlays and all(b[1] >= 0.8 for b in overlays)


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_a_caption_shown_over_part_of_the_shot_is_read_and_its_date_checked(
        media: Media, sound_library: tuple[Path, Path]) -> None:
    # The shot's keyframe (its most typical frame) is one without the caption: a desk audit's
    # repost captioned for 6 s of 15 was called authentic.
    db, root = sound_library
    captioned = root / "part_captioned.mp4"
    fps, add = 25.0, syn.caption("attaque eurotunnel 22/10/2015")
    frames = syn.excerpt(str(media.cam_a), CLIP_START, 12.0, fps)
    syn.write_video(str(captioned), (add(f) if 7.0 <= n / fps < 10.0 else f
                                     for n, f in enumerate(frames)), fps)
    result = _verify(captioned, db)
    assert result.verdict == Verdict.MATCH
    (line,) = [line for line in result.burned_in_text if "eurotunnel" in line.text]
    assert 7.0 <= line.time < 10.0 and line.added is True
    assert result.finding is not None and result.finding.rating is Rating.MISCAPTIONED
    assert "22/10/2015" in result.finding.summary


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_a_clock_in_footage_the_library_does_not_explain_is_judged_by_no_match(
        media: Media, sound_library: tuple[Path, Path]) -> None:
    # A montage: camera A's registered footage, then 6 s of footage the library does not hold
    # with its own clock (dated 22/10/2015), then camera A again (a desk audit's case: the
    # clock was taken for one added to the matched footage before it, an overlay on it and a
    # burned-in date claim that rated the post miscaptioned).
    db, root = sound_library
    first = list(syn.excerpt(str(media.cam_a), CLIP_START, 6.0, 25.0))
    height, width = first[0].shape[:2]

    def clocked(frame: syn.Frame) -> syn.Frame:
        out = syn.cv2.resize(frame, (width, height))
        out[:36, : width * 2 // 3] = 0  # the clock's dark band, as cameras draw it
        return syn.cv2.putText(out, "CAM 7 2015-10-22 21:14:05", (8, 24),
                               syn.cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2,
                               syn.cv2.LINE_AA)

    montage = root / "montage_with_a_clock.mp4"
    syn.write_video(str(montage), [
        *first, *(clocked(f) for f in syn.excerpt(str(media.unrelated), 0.0, 6.0, 25.0)),
        *syn.excerpt(str(media.cam_a), CLIP_START + 6.0, 6.0, 25.0)], 25.0)
    result = _verify(montage, db)
    assert [m.reference_id for m in result.matches] == ["cam-a"]
    assert any(a < 9.0 < b for a, b in result.unexplained), result.unexplained
    clock = [line for line in result.burned_in_text if "21:14" in line.text]
    assert clock and all(6.0 < line.time < 12.0 for line in clock), result.burned_in_text
    # read, but compared with no original's picture: neither added nor the original's own
    assert {line.added for line in clock} == {None}
    assert not [e for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY]
    assert not [c for c in result.claims if c.found_in == "burned-in text"]
    assert [c.in_original for c in result.screen_clocks if c.reads.startswith("2015-10-22")] == [
        None]
    assert result.finding is not None and result.finding.rating is not Rating.MISCAPTIONED


def test_missing_extra_is_said_not_silent(media: Media, sound_library: tuple[Path, Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # As on an install without the [evidence] extra: the imports fail.
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    monkeypatch.setitem(sys.modules, "c2pa", None)
    result = _verify(media.clip_a, sound_library[0])
    assert result.verdict == Verdict.MATCH
    assert any("install provenance[evidence]" in s for s in result.skipped)
    assert result.content_credentials is not None
    assert result.content_credentials.state == "skipped"
    assert result.burned_in_text == ()
    assert "Not examined: burned-in text" in to_text(result)


def test_stages_turned_off_are_said(media: Media, sound_library: tuple[Path, Path],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Turned off by the settings, as `PROVENANCE_AUDIO=0` etc. do: listed, not silent.
    for name in ("PROVENANCE_AUDIO", "PROVENANCE_OCR", "PROVENANCE_CREDENTIALS"):
        monkeypatch.setenv(name, "0")
    db = sound_library[0]
    result = _verify(media.clip_a, db)
    assert result.verdict == Verdict.MATCH
    off = [s for s in result.skipped if "turned off" in s]
    assert [s.split(":")[0] for s in off] == ["sound", "burned-in text", "Content Credentials"]
    assert result.content_credentials is None and result.burned_in_text == ()
    assert all(m.audio != "same" for m in result.matches)  # the sound was not compared


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_text_the_original_shows_is_no_overlay_and_a_caption_added_over_it_is(
        media: Media, tmp_path: Path) -> None:
    def own_text(frame: syn.Frame) -> syn.Frame:  # a broadcaster's lower third
        out = frame.copy()
        height, width = out.shape[:2]
        syn.cv2.rectangle(out, (0, int(height * 0.8)), (int(width * 0.7), int(height * 0.92)),
                          (120, 40, 20), -1)
        syn.cv2.putText(out, "PORT AUTHORITY LIVE", (8, int(height * 0.89)),
                        syn.cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2, syn.cv2.LINE_AA)
        return out

    original = tmp_path / "own-text.mp4"
    syn.write_video(str(original), (own_text(f) for f in syn.excerpt(str(media.cam_b), 0.0,
                                                                     20.0, 25.0)), 25.0, crf=20)
    db = tmp_path / "library.db"
    with Library(db, create=True) as library:
        register(str(original), Original(id="cam-b-live", source="Broadcaster"), library,
                 load_settings(db=db, cache_dir=tmp_path / "cache"))
    cropped = tmp_path / "cropped.mp4"
    _ffmpeg("-ss", "4", "-t", "10", "-i", str(original), "-vf", "crop=iw*0.9:ih*0.9",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(cropped))
    result = _verify(cropped, db)
    assert result.verdict == Verdict.MATCH
    assert any("AUTHORITY LIVE" in line.text for line in result.burned_in_text)
    assert not [e for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY]
    # A caption bar added over the lower third (the pictures' comparison alone missed it) and
    # a made-up camera clock at the top right; the camera's own clock, top left, is no edit.
    def made_up(frame: syn.Frame) -> syn.Frame:
        out = syn.caption("attaque eurotunnel 22/10/2015")(frame)
        syn.cv2.putText(out, "2015-10-22 21:30:00", (int(out.shape[1] * 0.55), 24),
                        syn.cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, syn.cv2.LINE_AA)
        return out

    captioned = tmp_path / "captioned.mp4"
    syn.write_video(str(captioned), (made_up(f) for f in syn.excerpt(str(cropped), 0.0, 10.0,
                                                                      25.0)), 25.0)
    result = _verify(captioned, db)
    overlays = sorted(b for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY
                      for b in e.boxes)
    assert len(overlays) == 2, overlays
    assert overlays[0][1] >= 0.8 and overlays[1][3] <= 0.2 and overlays[1][0] >= 0.5, overlays
    _shows_the_added_text(result, overlays, tmp_path / "report.html")
    # The made-up clock alone: an overlay, and its date a claim the camera's own clock refutes.
    clocked = tmp_path / "clocked.mp4"
    syn.write_video(str(clocked), (syn.cv2.putText(
        f.copy(), "2015-10-22 21:30:00", (int(f.shape[1] * 0.55), 24),
        syn.cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, syn.cv2.LINE_AA)
        for f in syn.excerpt(str(cropped), 0.0, 10.0, 25.0)), 25.0)
    result = _verify(clocked, db)
    assert [e.kind for m in result.matches for e in m.edits].count(Edit.OVERLAY) == 1
    date = next(c for c in result.claims if c.found_in == "burned-in text")
    assert (date.value, date.status) == ("2015-10-22", "contradicted")
    assert result.finding is not None and result.finding.rating is Rating.MISCAPTIONED


def _shows_the_added_text(result: Verification, overlays: list[Box], report: Path) -> None:
    """Each report says which lines were found added and where: the JSON each line's box and
    ``added``, the text report marks them, the HTML report draws the overlays on the repost."""
    payload = json_report.to_dict(result)
    jsonschema.validate(payload, json_report.schema())
    lines = payload["burned_in_text"]
    added = [line for line in lines if line["added"]]
    # the camera's own clock is read, not added; the caption and the made-up clock are
    assert {line["added"] for line in lines if "2015-09-16" in line["text"]} == {False}
    assert {line["added"] for line in lines if "eurotunnel" in line["text"] or
            "21:30" in line["text"]} == {True}
    assert len(added) >= 2
    for line in added:  # each added line lies in an overlay's box
        x0, y0, x1, y1 = line["box"]
        assert any(b[0] <= x0 < x1 <= b[2] and b[1] <= y0 < y1 <= b[3] for b in overlays), line
    read = to_text(result).split("text in the picture: ")[1].splitlines()[0]
    for piece in read.split("; "):
        assert piece.endswith("(added: not in the original)") == ("AUTHORITY" not in piece and (
            "eurotunnel" in piece or "21:30" in piece)), piece
    outputs.write_html_report(payload, report, [result])
    page = report.read_text("utf-8")
    drawn = re.findall(r'class="box" style="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;'
                       r'height:([\d.]+)%"', page)
    segments = sum(len(m.segments) for m in result.matches)
    assert len(drawn) == len(overlays) * segments
    for left, top, width, height in drawn[:len(overlays)]:
        box = (float(left) / 100, float(top) / 100, (float(left) + float(width)) / 100,
               (float(top) + float(height)) / 100)
        assert any(np.allclose(box, b, atol=0.0001) for b in overlays), box
    shown = [line for line in lines[:MAX_TEXT_LINES] if line["added"]]
    assert page.count("(added: not in the original)") == len(shown)


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_a_caption_in_a_saturated_colour_is_read_and_an_overlay(tmp_path: Path) -> None:
    """Captions in red, green and blue at the grey level of the moving footage under them
    (grey pictures do not show them) are read and found added, an overlay where they are; the
    same footage reposted without a caption gets neither text nor an overlay, and an
    original's own title in red is read and no overlay."""
    scene = syn.CCTVScene(seed=4, width=640, height=400, label="CAM 7", length=60)
    original = tmp_path / "street.mp4"

    def unlabelled(frame: syn.Frame, _: float) -> syn.Frame:
        return frame[40:].copy()  # the camera's own label cut away: a picture without text

    syn.write_video(str(original), syn.render(scene, 0, 20, 10.0, unlabelled), 10.0, crf=20)
    db = tmp_path / "library.db"
    with Library(db, create=True) as library:
        register(str(original), Original(id="street", source="Operator CCTV"), library,
                 load_settings(db=db, cache_dir=tmp_path / "cache"))
    plain = tmp_path / "plain.mp4"
    syn.write_video(str(plain), syn.render(scene, 4, 10, 10.0, unlabelled), 10.0, crf=28)
    result = _verify(plain, db)
    assert result.verdict == Verdict.MATCH and result.burned_in_text == ()
    assert not [e for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY]
    for hue in sorted(syn.GREY_NEUTRAL_HUES):
        captioned = tmp_path / f"{hue}.mp4"
        draw = syn.colour_caption("CITY HALL STORMED 22/10/2015", hue)
        syn.write_video(str(captioned), (draw(f) for f in syn.render(scene, 4, 10, 10.0,
                                                                     unlabelled)), 10.0, crf=28)
        result = _verify(captioned, db)
        assert result.verdict == Verdict.MATCH, hue
        read = [line for line in result.burned_in_text if "CITY HALL" in line.text]
        assert read and all(line.added for line in read), (hue, result.burned_in_text)
        overlays = [b for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY
                    for b in e.boxes]
        assert len(overlays) == 1 and overlays[0][1] >= 0.75, (hue, overlays)
        assert all(overlays[0][0] <= line.box[0] and line.box[2] <= overlays[0][2]
                   for line in read if line.box), (hue, overlays, read)
        # (its digits, at the grey level of the floor and re-encoded, read 22/10/2816 at times:
        # the caption's date is not asserted)
    # The original's own title in red: read in the repost, and no overlay.
    titled = tmp_path / "titled.mp4"
    title = syn.colour_caption("PORT AUTHORITY LIVE", "red", top_share=0.05)
    syn.write_video(str(titled), syn.render(scene, 0, 20, 10.0,
                                            lambda f, t: title(unlabelled(f, t))), 10.0, crf=20)
    db = tmp_path / "titled.db"  # the same footage: in a library of its own
    with Library(db, create=True) as library:
        register(str(titled), Original(id="titled", source="Broadcaster"), library,
                 load_settings(db=db, cache_dir=tmp_path / "cache"))
    cropped = tmp_path / "titled-cropped.mp4"
    _ffmpeg("-ss", "4", "-t", "10", "-i", str(titled), "-vf", "crop=iw*0.9:ih*0.9",
            "-c:v", "libx264", "-crf", "28", "-pix_fmt", "yuv420p", str(cropped))
    result = _verify(cropped, db)
    assert [m.reference_id for m in result.matches] == ["titled"]
    assert [line.added for line in result.burned_in_text if "PORT" in line.text] == [False]
    assert not [e for m in result.matches for e in m.edits if e.kind is Edit.OVERLAY]


def test_another_originals_sound_put_under_a_match_is_an_edit(
        media: Media, sound_library: tuple[Path, Path], library_path: Path,
        tmp_path: Path) -> None:
    """A camera registered without sound, reposted with another original's sound under it, is
    edited: "audio added" (a desk audit's was rated authentic). A repost with sound of an
    original whose sound is not known, and nothing else to say whose sound it is, is not: it
    may be the original's own (registered with audio off, or from before sound was stored)."""
    import shutil

    db = tmp_path / "two.db"
    shutil.copy(sound_library[0], db)
    with Library(db) as library:
        register(str(media.cam_b), Original(id="cam-b"), library,
                 load_settings(db=db, cache_dir=tmp_path / "cache"))
    picture, dubbed = tmp_path / "b.mp4", tmp_path / "b_dubbed.mp4"
    syn.write_video(str(picture), syn.excerpt(str(media.cam_b), 4.0, 12.0, 25.0), 25.0)
    sa.with_sound(str(picture), sa.soundtrack(SOUND_SEED, 0, 12), str(dubbed))
    result = _verify(dubbed, db)
    (match,) = [m for m in result.matches if m.reference_id == "cam-b"]
    assert match.audio == "none" and Edit.AUDIO_ADDED in [e.kind for e in match.edits]
    assert [a.reference_id for a in result.audio_matches] == ["cam-a"]
    assert result.finding is not None and result.finding.rating is Rating.EDITED
    assert "sound put under it that is not the original's" in result.finding.summary
    assert Edit.AUDIO_ADDED not in [e.kind for m in _verify(picture, db).matches
                                    for e in m.edits]
    unknown = tmp_path / "a_with_sound.mp4"
    sa.with_sound(str(media.clip_a), sa.soundtrack(99, 0, 12), str(unknown))
    assert Edit.AUDIO_ADDED not in [e.kind for m in _verify(unknown, library_path).matches
                                    for e in m.edits]
