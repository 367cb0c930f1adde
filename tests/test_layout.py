"""Several originals in one frame (issue #18): grids, side by side, a screen filmed at an angle.

Real decoding, a real library and the real CLI on generated feeds (``tests/synthetic.py``):
three registered CCTV feeds and one that is not, each shown at its own offset.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import jsonschema
import numpy as np
import pytest

from provenance import geometry, layout
from provenance.library import Library
from provenance.models import Original
from provenance.registry import register
from provenance.report import json_report
from provenance.settings import load_settings
from tests import synthetic as syn
from tests.conftest import verify_json

FPS = 8.0
FEED = (320, 180)
QUERY = (640, 360)
LENGTH = 10.0
# Where each feed's time 0 falls in query time 0 (feed 3 is not registered).
OFFSETS = (3.0, 9.5, 14.25, 6.0)


@dataclass(frozen=True)
class Wall:
    db: Path
    grid: Path  # 2x2, filmed at 25° with moiré; feed 3 (unregistered) bottom right
    side: Path  # feeds 1 and 0 side by side, flat
    screen: Path  # feed 2 alone, filmed at 25° with moiré
    monitors: Path  # three monitors apart, not on a grid: feeds 2, 3 (unregistered) and 0
    elsewhen: Path  # feed 1 at 40 s, past what is registered, filmed at 25°: another moment


def _scenes() -> list[syn.CCTVScene]:
    return [syn.CCTVScene(seed=1800 + k, width=FEED[0], height=FEED[1], label=f"FEED {k}",
                          length=60) for k in range(4)]


def _query(path: Path, scenes: list[syn.CCTVScene], order: list[int], rows: int, cols: int,
           yaw: float | None) -> Path:
    shot = syn.filmed_off_screen(yaw) if yaw is not None else None

    def frames():  # type: ignore[no-untyped-def]
        for i in range(int(LENGTH * FPS)):
            cells = [scenes[k].frame(OFFSETS[k] + i / FPS) for k in order]
            frame = syn.grid(cells, rows, cols, QUERY) if len(cells) > 1 else \
                cv2.resize(cells[0], QUERY, interpolation=cv2.INTER_AREA)
            yield shot(frame) if shot else frame

    syn.write_video(str(path), frames(), FPS)
    return path


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> Wall:
    root = tmp_path_factory.mktemp("wall")
    scenes = _scenes()
    db = root / "library.db"
    with Library(db, create=True) as lib:
        for k in range(3):
            path = root / f"feed{k}.mp4"
            syn.write_video(str(path), syn.render(scenes[k], 0, 26, FPS), FPS)
            register(str(path), Original(id=f"feed-{k}", title=f"Feed {k}"), lib,
                     load_settings())
    return Wall(db=db, grid=_query(root / "grid.mp4", scenes, [0, 1, 2, 3], 2, 2, 25.0),
                side=_query(root / "side.mp4", scenes, [1, 0], 1, 2, None),
                screen=_query(root / "screen.mp4", scenes, [2], 1, 1, 25.0),
                monitors=_monitors(root / "monitors.mp4", scenes),
                elsewhen=_elsewhen(root / "elsewhen.mp4", scenes[1]))


def _elsewhen(path: Path, scene: syn.CCTVScene) -> Path:
    shot = syn.filmed_off_screen(25.0)
    syn.write_video(str(path), (shot(cv2.resize(scene.frame(40.0 + i / FPS), QUERY))
                                for i in range(int(LENGTH * FPS))), FPS)
    return path


# Three monitors of a wall, not on a grid (pixels of the 640x360 query, clockwise from top-left):
# a big one on the left, turned a little; two smaller ones on the right, one above the other.
MONITORS = (np.array([[30, 60], [330, 80], [330, 260], [30, 290]], np.float32),
            np.array([[380, 30], [600, 30], [600, 150], [380, 150]], np.float32),
            np.array([[400, 200], [610, 190], [610, 320], [400, 310]], np.float32))
MONITOR_FEEDS = (2, 3, 0)


def _monitors(path: Path, scenes: list[syn.CCTVScene]) -> Path:
    frames = (syn.monitor_wall([scenes[k].frame(OFFSETS[k] + i / FPS) for k in MONITOR_FEEDS],
                               list(MONITORS), QUERY, seed=i)
              for i in range(int(LENGTH * FPS)))
    syn.write_video(str(path), frames, FPS)
    return path


def _true_box(cell: tuple[float, float, float, float], yaw: float | None
              ) -> tuple[float, float, float, float]:
    """Where a box of the shown picture lands in the query frame."""
    if yaw is None:
        return cell
    width, height = QUERY
    matrix = cv2.getPerspectiveTransform(
        np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32),
        syn.screen_corners(QUERY, yaw))
    x0, y0, x1, y1 = cell
    points = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32) * QUERY
    mapped = np.clip(cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(-1, 2)
                     / QUERY, 0, 1)
    return (*mapped.min(axis=0), *mapped.max(axis=0))  # type: ignore[return-value]


def _offset(match: dict) -> float:  # type: ignore[type-arg]
    (segment,) = match["segments"]
    return float(segment["reference_start"] - segment["query_start"])


def test_grid_filmed_off_a_screen_reports_every_registered_feed_with_its_region_and_time(
        wall: Wall) -> None:
    report = verify_json(wall.grid, wall.db)
    jsonschema.validate(report, json_report.schema())
    assert report["verdict"] == "match"
    by_id = {m["reference_id"]: m for m in report["matches"]}
    assert len(by_id) == len(report["matches"])  # each feed once, in its own region
    assert set(by_id) == {"feed-0", "feed-1", "feed-2"}
    cells = {0: (0, 0, 0.5, 0.5), 1: (0.5, 0, 1, 0.5), 2: (0, 0.5, 0.5, 1)}
    for k, cell in cells.items():
        match = by_id[f"feed-{k}"]
        truth = _true_box(cell, 25.0)
        assert max(abs(a - b) for a, b in zip(match["region"], truth, strict=True)) <= 0.05
        assert abs(_offset(match) - OFFSETS[k]) <= 0.5
        kinds = {e["kind"]: e for e in match["edit_details"]}
        assert kinds["multi-view"]["layout"] == "2x2 grid"
        assert abs(kinds["filmed off a screen"]["angle"] - 25.0) <= 4.0
    assert "2x2 grid" in report["layout"]
    (empty,) = [r for r in report["regions"] if not r["reference_ids"]]
    truth = _true_box((0.5, 0.5, 1, 1), 25.0)
    assert max(abs(a - b) for a, b in zip(empty["box"], truth, strict=True)) <= 0.05
    assert empty["unexplained"] == [{"query_start": 0.0, "query_end": report["duration"]}]
    # the finding says so: a grid of feeds filmed off a screen with one the library does not
    # explain is an edit, never plain authentic footage
    finding = report["finding"]
    assert finding["rating"] == "edited"
    assert "filmed off a screen" in finding["summary"]
    assert any(r.startswith(f"{empty['label']}: footage the library does not explain")
               for r in finding["reasons"])


def test_side_by_side_reports_both_feeds_and_the_report_has_a_lane_per_region(
        wall: Wall, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    report = verify_json(wall.side, wall.db)
    by_id = {m["reference_id"]: m for m in report["matches"]}
    assert set(by_id) == {"feed-0", "feed-1"}
    assert max(abs(a - b) for a, b in zip(by_id["feed-1"]["region"], (0, 0, 0.5, 1),
                                          strict=True)) <= 0.05
    assert max(abs(a - b) for a, b in zip(by_id["feed-0"]["region"], (0.5, 0, 1, 1),
                                          strict=True)) <= 0.05
    assert abs(_offset(by_id["feed-1"]) - OFFSETS[1]) <= 0.5
    assert abs(_offset(by_id["feed-0"]) - OFFSETS[0]) <= 0.5
    assert all("filmed off a screen" not in m["edits"][-1] for m in report["matches"])
    out = tmp_path / "side.html"
    text = CliRunner().invoke(main, ["verify", str(wall.side), "--db", str(wall.db),
                                     "--report", str(out)])
    assert text.exit_code == 0, text.output
    assert "Regions of the frame (a 1x2 grid)" in text.output
    assert "row 1, column 1 (x 0%-50%, y 0%-100%): feed-1" in text.output
    page = out.read_text()
    assert page.count('aria-label="timeline of region') == 2
    # each region's repost picture is that region (a half of the frame: taller than wide)
    shown = [cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
             for data in re.findall(r'alt="query frame" src="data:image/jpeg;base64,([^"]+)"',
                                    page)]
    assert len(shown) == 2 and all(p.shape[0] > p.shape[1] for p in shown)
    assert page.count("its region of the frame") == 2


def test_one_feed_filmed_off_a_screen_at_25_degrees_with_moire_is_matched(wall: Wall) -> None:
    report = verify_json(wall.screen, wall.db)
    (match,) = report["matches"]
    assert match["reference_id"] == "feed-2"
    assert abs(_offset(match) - OFFSETS[2]) <= 0.5
    (screen,) = [e for e in match["edit_details"] if e["kind"] == "filmed off a screen"]
    assert abs(screen["angle"] - 25.0) <= 4.0
    assert "filmed off a screen at about" in " ".join(match["edits"])


def test_a_wall_of_monitors_apart_reports_each_monitor(wall: Wall) -> None:
    report = verify_json(wall.monitors, wall.db)
    assert report["layout"] == "a wall of 3 screens"
    by_id = {m["reference_id"]: m for m in report["matches"]}
    assert len(by_id) == len(report["matches"]) and set(by_id) == {"feed-0", "feed-2"}
    for k, place in zip(MONITOR_FEEDS, MONITORS, strict=True):
        truth = (*(place.min(axis=0) / QUERY), *(place.max(axis=0) / QUERY))
        (region,) = [r for r in report["regions"]
                     if max(abs(a - b) for a, b in zip(r["box"], truth, strict=True)) <= 0.05]
        if k == 3:
            assert not region["reference_ids"] and region["unexplained"]
            continue
        assert region["reference_ids"] == [f"feed-{k}"]
        assert by_id[f"feed-{k}"]["region"] == region["box"]
        assert abs(_offset(by_id[f"feed-{k}"]) - OFFSETS[k]) <= 0.5


def test_another_moment_filmed_off_a_screen_is_neither_matched_nor_called_another_moment(
        wall: Wall) -> None:
    report = verify_json(wall.elsewhen, wall.db)
    assert report["verdict"] not in ("match", "same-scene")
    assert not report["matches"]


def test_screen_corners_and_angle_are_read_from_a_still() -> None:
    scene = _scenes()[0]
    frame = cv2.resize(scene.frame(2.0), QUERY)
    for yaw, pitch in ((10.0, 0.0), (30.0, 0.0), (20.0, 12.0)):
        shot = syn.filmed_off_screen(yaw, pitch)(frame)
        grey = cv2.cvtColor(shot, cv2.COLOR_BGR2GRAY)
        quad = geometry.screen_quad([grey])
        assert quad is not None
        truth = syn.screen_corners(QUERY, yaw, pitch)
        assert np.abs(quad - np.clip(truth, 0, [QUERY[0] - 1, QUERY[1] - 1])).max() \
            <= 0.03 * QUERY[0]
        angle = math.degrees(math.acos(math.cos(math.radians(yaw)) * math.cos(
            math.radians(pitch))))
        assert abs(geometry.screen_angle(quad, *QUERY) - angle) <= 3.0


@pytest.mark.parametrize("rows, cols", [(1, 2), (2, 1), (2, 2), (3, 3), (4, 4), (2, 3)])
def test_grid_lines_are_found_where_independent_feeds_meet(rows: int, cols: int) -> None:
    scenes = [syn.CCTVScene(seed=40 + k, width=160, height=90, label="", length=30)
              for k in range(rows * cols)]
    frames = np.stack([cv2.cvtColor(syn.grid([s.frame(t + 3 * k) for k, s in enumerate(scenes)],
                                             rows, cols, (320, 180), gap=0), cv2.COLOR_BGR2GRAY)
                       for t in np.arange(0, 8, 1.0)])
    assert layout.grid_lines(frames) == (rows, cols)


def test_one_plain_picture_is_no_layout() -> None:
    scene = _scenes()[1]
    frames = [cv2.cvtColor(cv2.resize(scene.frame(t), QUERY), cv2.COLOR_BGR2GRAY)
              for t in np.arange(0, 8, 1.0)]
    assert layout.find_layout(frames) is None


def test_a_picture_whose_own_edge_reads_as_a_grid_line_is_matched_whole(
        tmp_path: Path) -> None:
    # A doorframe down the middle of the picture, its whole height: a 1x2 grid line to the
    # seam test. Neither half matches the original; the screen as one picture does.
    scene = _scenes()[0]

    def framed(t: float) -> np.ndarray:
        frame = scene.frame(t).copy()
        cv2.rectangle(frame, (FEED[0] // 2 - 3, 0), (FEED[0] // 2 + 2, FEED[1] - 1),
                      (40, 40, 40), -1)
        return frame

    shot = syn.filmed_off_screen(25.0)
    stills = [cv2.cvtColor(shot(cv2.resize(framed(t), QUERY)), cv2.COLOR_BGR2GRAY)
              for t in np.arange(0, 8, 1.0)]
    (read,) = layout.find_layouts(stills)
    assert (read.rows, read.cols) == (1, 2)
    original, query, db = tmp_path / "door.mp4", tmp_path / "query.mp4", tmp_path / "lib.db"
    syn.write_video(str(original), (framed(i / FPS) for i in range(int(26 * FPS))), FPS)
    syn.write_video(str(query), (shot(cv2.resize(framed(OFFSETS[1] + i / FPS), QUERY))
                                 for i in range(int(LENGTH * FPS))), FPS)
    with Library(db, create=True) as lib:
        register(str(original), Original(id="door"), lib, load_settings())
    report = verify_json(query, db)
    (match,) = report["matches"]
    assert match["reference_id"] == "door" and abs(_offset(match) - OFFSETS[1]) <= 0.5
    assert report["layout"].startswith("one picture on a screen")
    (region,) = report["regions"]
    assert region["reference_ids"] == ["door"] and region["label"] == "screen"


def test_regions_are_hashed_from_each_detail_averaged_with_the_one_before() -> None:
    details = np.stack([np.full((4, 6), v, np.uint8) for v in (10, 20, 255, 0)])
    paired = layout.averaged(details)
    assert paired.dtype == np.uint8 and paired.shape == details.shape
    assert [int(f[0, 0]) for f in paired] == [10, 15, 138, 128]
