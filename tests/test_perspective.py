"""A perspective view of the original with no screen outline in sight (issue #19, item 1): a
phone filming a monitor that the screen fills. Real decoding and library, generated feeds."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from provenance import geometry
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


def test_a_perspective_fit_is_found_only_where_the_picture_is_in_perspective() -> None:
    scene = syn.CCTVScene(seed=1801, width=640, height=360, label="FEED", length=60)
    original = scene.frame(5.0)
    shown = syn.filmed_off_screen(_YAW, fill=_FILL)(original)
    overlap = geometry.find_overlap([shown], [original])
    assert overlap is not None and overlap.homography is not None
    corners = overlap.perspective_corners(640, 360)
    assert corners is not None
    assert geometry.screen_angle(corners, 640, 360) == pytest.approx(_YAW, abs=4.0)
    # Undone, the repost's picture lies on the original's inside the overlap.
    grey = cv2.cvtColor(shown, cv2.COLOR_BGR2GRAY)[None]
    rectified, q_box, r_box = geometry.rectified(grey, overlap)
    assert q_box == r_box
    x0, y0, x1, y1 = (round(v * s) for v, s in zip(r_box, (640, 360, 640, 360), strict=True))
    target = cv2.cvtColor(original, cv2.COLOR_BGR2GRAY)[y0:y1, x0:x1].astype(float)
    assert np.corrcoef(rectified[0, y0:y1, x0:x1].astype(float).ravel(),
                       target.ravel())[0, 1] > 0.8
    # Unwarped or tilted: the similarity fit explains it.
    tilted = cv2.warpAffine(original, cv2.getRotationMatrix2D((320, 180), 6.0, 1.0), (640, 360),
                            borderMode=cv2.BORDER_REPLICATE)
    for edited in (original, tilted):
        plain = geometry.find_overlap([edited], [original])
        assert plain is not None and plain.homography is None


def test_a_nearly_frontal_perspective_fit_is_not_filmed_off_a_screen() -> None:
    from provenance import refine
    from provenance.models import Edit

    def edits(tilt: float) -> set[Edit]:
        # The original seen through a homography whose perspective term turns it by ``tilt``.
        homography = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, tilt, 0.0, 1.0)
        overlap = geometry.Overlap((0.0, 0.0, 1.0, 1.0), (0.0, 0.0, 1.0, 1.0), False, 200,
                                   homography=homography)
        corners = overlap.perspective_corners(640, 360)
        assert corners is not None
        angle = geometry.screen_angle(corners, 640, 360)
        found = {e.kind for e in refine._perspective_edits(overlap, (640, 360))}
        assert (Edit.FILMED_OFF_SCREEN in found) == (angle >= geometry.MIN_SCREEN_ANGLE), angle
        return found

    # a degree or two: a frontal picture that a low-quality re-encode lets the fit tilt
    assert Edit.FILMED_OFF_SCREEN not in edits(0.02)
    assert Edit.FILMED_OFF_SCREEN in edits(0.5)


def test_a_homography_that_bends_nothing_is_no_perspective() -> None:
    # A plain scale and shift (a picture laid at 35 % of the frame) written as a homography
    # (repost to original, frames as unit squares), and a screen turned by 15° filling the
    # frame, the view copy_detection.py films.
    laid = np.array([[1 / 0.35, 0.0, -0.6 / 0.35], [0.0, 1 / 0.35, -0.55 / 0.35],
                     [0.0, 0.0, 1.0]])
    assert geometry._warp(laid) < 1e-6
    size = (1600, 900)
    frame = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    screen = cv2.getPerspectiveTransform(frame, geometry.screen_corners(size, 15.0, 0.0, 1.35))
    seen = cv2.perspectiveTransform(frame.reshape(-1, 1, 2), np.linalg.inv(screen))
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32)
    turned = cv2.getPerspectiveTransform(unit, (seen.reshape(-1, 2) / size).astype(np.float32))
    assert geometry._warp(np.linalg.inv(turned)) >= geometry.PERSPECTIVE_MIN_WARP
