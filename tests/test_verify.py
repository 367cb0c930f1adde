"""`verify` end to end on made media: what whole-frame hashes cannot see, and too-short queries."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests import synthetic as syn
from tests.conftest import Media, verify_json


def _ffmpeg(*args: str) -> None:
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True)


def test_vertical_centre_crop_is_found_by_local_features(media: Media, library_path: Path,
                                                         tmp_path: Path) -> None:
    query = tmp_path / "vertical.mp4"
    _ffmpeg("-ss", "6", "-t", "12", "-i", str(media.cam_a), "-vf",
            "crop=ih*9/16:ih,scale=360:640", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(query))
    report = verify_json(query, library_path)
    assert report["verdict"] == "match"
    (match,) = report["matches"]
    assert match["reference_id"] == "cam-a"
    assert any(e.startswith("cropped/reframed") for e in match["edits"])
    segment = match["segments"][0]
    assert abs(segment["reference_start"] - 6.0) <= 1.0


def test_picture_in_picture_is_found_by_local_features(media: Media, library_path: Path,
                                                      tmp_path: Path) -> None:
    query = tmp_path / "pip.mp4"
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=960x540:rate=25", "-ss", "5", "-t", "12",
            "-i", str(media.cam_b), "-filter_complex",
            "[1:v]scale=iw*1.2:-2[s];[0:v][s]overlay=W*0.05:H*0.1:shortest=1",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(query))
    report = verify_json(query, library_path)
    assert report["verdict"] == "match"
    (match,) = report["matches"]
    assert match["reference_id"] == "cam-b"
    assert any(e.startswith("picture-in-picture") for e in match["edits"])
    assert abs(match["segments"][0]["reference_start"] - 5.0) <= 1.0


@pytest.mark.parametrize("seconds", [1.5])
def test_too_short_query_is_inconclusive_with_reason(media: Media, library_path: Path,
                                                    tmp_path: Path, seconds: float) -> None:
    query = tmp_path / "short.mp4"
    _ffmpeg("-ss", "4", "-t", str(seconds), "-i", str(media.cam_a), "-c:v", "libx264",
            "-pix_fmt", "yuv420p", str(query))
    report = verify_json(query, library_path)
    assert report["verdict"] == "inconclusive" and report["matches"] == []
    assert "at least 2 s are needed" in report["reason"]


def test_black_query_is_inconclusive(media: Media, library_path: Path) -> None:
    report = verify_json(media.flat, library_path)
    assert report["verdict"] == "inconclusive"
    assert "black, flat or faded" in report["reason"]


def test_grayscale_and_overlay_are_reported(media: Media, library_path: Path,
                                            tmp_path: Path) -> None:
    query = tmp_path / "edited.mp4"
    _ffmpeg("-ss", "8", "-t", "10", "-i", str(media.cam_b), "-vf",
            "hue=s=0,drawbox=x=iw*0.8:y=ih*0.05:w=iw*0.15:h=ih*0.15:color=white:t=fill",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(query))
    report = verify_json(query, library_path)
    assert report["verdict"] == "match"
    edits = report["matches"][0]["edits"]
    assert "grayscale" in edits
    (overlay,) = [e for e in edits if e.startswith("overlay")]
    assert "x 80%" in overlay or "x 78%" in overlay or "x 81%" in overlay
    plain = tmp_path / "plain.mp4"
    _ffmpeg("-ss", "8", "-t", "10", "-i", str(media.cam_b), "-c:v", "libx264", "-crf", "30",
            "-pix_fmt", "yuv420p", str(plain))
    assert verify_json(plain, library_path)["matches"][0]["edits"] == []


def test_claims_typed_by_the_checker_are_checked(media: Media, library_path: Path) -> None:
    from provenance import StatedClaims, verify

    stated = StatedClaims(date="22/10/2015", source="Calais libre",
                          caption="attaque eurotunnel 22/10/2015")
    result = verify(str(media.clip_a), library_path, stated=stated)
    dates = [c for c in result.claims if c.kind == "date"]
    assert {(c.found_in, c.value, c.status) for c in dates} == {
        ("command line", "2015-10-22", "contradicted"),
        ("command line (caption)", "2015-10-22", "contradicted"),
    }
    (typed_source,) = [c for c in result.claims if c.found_in == "command line"
                       and c.kind == "source"]
    assert typed_source.status == "contradicted" and typed_source.value == "Calais libre"


def test_repost_saturation_comes_from_the_one_decode(media: Media, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance import geometry, provider

    grey, colour = tmp_path / "grey.mp4", tmp_path / "colour.mp4"
    for path, args in ((grey, ["-vf", "hue=s=0"]), (colour, [])):
        _ffmpeg("-ss", "2", "-t", "6", "-i", str(media.cam_b), *args, "-c:v", "libx264",
                "-pix_fmt", "yuv420p", str(path))
    monkeypatch.setenv("PROVENANCE_DECODER", "fast")
    decoded = provider.decode(str(grey), 4.0)
    assert len(decoded.saturations) == len(decoded.local_times) > 0
    assert decoded.saturation_in([(0.0, 6.0)]) < geometry.GREY_SATURATION
    saturation = provider.decode(str(colour), 4.0).saturation_in([(1.0, 3.0)])
    assert saturation is not None and saturation > geometry.COLOUR_SATURATION
    # OpenCV reads the luma plane only: no colour kept (verify then seeks one frame instead).
    monkeypatch.setenv("PROVENANCE_DECODER", "full")
    assert provider.decode(str(grey), 4.0).saturation_in([(0.0, 6.0)]) is None


def test_originals_without_local_data_take_no_place_in_its_budget(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    import shutil
    from dataclasses import replace

    from provenance import provider, refine
    from provenance.align import DEFAULT_PARAMS
    from provenance.fingerprint import fingerprint_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import match_fingerprint

    db = tmp_path / "library.db"
    shutil.copy(library_path, db)
    query = tmp_path / "vertical.mp4"
    _ffmpeg("-ss", "6", "-t", "12", "-i", str(media.cam_a), "-vf",
            "crop=ih*9/16:ih,scale=360:640", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(query))
    params = replace(DEFAULT_PARAMS, local_max_references=1)
    with Library(db) as lib:
        # Listed before cam-a, and without local data (a library from before schema v4).
        lib.add(Original(id="aaa-old"), fingerprint_video(str(media.unrelated), 4.0))
        decoded = provider.decode(str(query), 4.0)
        result = replace(match_fingerprint(decoded.fingerprint, lib, params), params=params)
        assert "cam-a" not in {a.reference_id for a in (*result.matches, *result.same_scene)}
        refined = refine.local_feature_stage(decoded, result, lib)
    assert [m.reference_id for m in refined.matches] == ["cam-a"]
    assert any("1 original(s) have no stored local data" in s for s in refined.skipped)
