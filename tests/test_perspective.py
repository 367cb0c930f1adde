"""A perspective view of the original with no screen outline in sight (issue #19, item 1): a
phone filming a monitor that the screen fills. Real decoding and library, generated feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import synthetic as syn
from tests.conftest import FPS, Media, verify_json

# The screen, turned by 20°, fills more than the frame: none of its edges is visible.
_YAW, _FILL = 20.0, 1.35


def _filmed(out: Path, source: Path, start: float, seconds: float) -> Path:
    shot = syn.filmed_off_screen(_YAW, fill=_FILL)
    syn.write_video(str(out), (shot(f) for f in syn.excerpt(str(source), start, seconds, FPS)),
                    FPS)
    return out


def test_whole_frame_perspective_without_screen_edges_is_a_match_with_its_angle(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    report = verify_json(_filmed(tmp_path / "p.mp4", media.cam_a, 6, 12), library_path)
    assert report["verdict"] == "match"
    (match,) = report["matches"]
    assert match["reference_id"] == "cam-a"
    (edit,) = [e for e in match["edit_details"] if e["kind"] == "filmed off a screen"]
    assert edit["angle"] == pytest.approx(_YAW, abs=5.0)
    covered = sum(s["query_end"] - s["query_start"] for s in match["segments"])
    assert covered >= 8.0


def test_the_same_camera_at_another_moment_under_the_same_warp_is_never_a_match(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    report = verify_json(_filmed(tmp_path / "later.mp4", media.cam_a_later, 2, 12),
                         library_path)
    assert report["verdict"] != "match"
    assert report["matches"] == []
