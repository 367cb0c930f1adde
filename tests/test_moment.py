"""The moment check: a matched segment of a fixed camera is the original's very moment only if
the repost's frames at the original's stored instants show what the original shows then.

Real decodes of generated footage (a fixed camera, figures on random paths that never repeat):
the true mapping of a repost passes, a wrong mapping (another moment of the same camera, as a
repeated movement can make whole-frame hashes claim) is told apart."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from provenance import align, decode, finding, moment, provider
from provenance.library import Library
from provenance.models import (
    Alignment,
    DetectedEdit,
    Edit,
    Original,
    Rating,
    Segment,
    Verdict,
    Verification,
)
from provenance.registry import register
from provenance.report import json_report, to_html
from provenance.report.text_report import to_text
from provenance.settings import load_settings
from tests import synthetic as syn
from tests.conftest import FPS, Media, _ffmpeg
from tests.test_align import make_fp
from tests.test_match_cases import _encode

PARAMS = align.DEFAULT_PARAMS


def _segment(query: tuple[float, float], reference_start: float, speed: float = 1.0
             ) -> Segment:
    return Segment(reference_id="cam-a", query_start=query[0], query_end=query[1],
                   reference_start=reference_start,
                   reference_end=reference_start + speed * (query[1] - query[0]),
                   speed=speed, evidence=20, similarity=0.9)


# clip_a keeps the middle of the original (4 % cut off each side), as a match reports it.
CROP = (DetectedEdit(Edit.CROPPED, boxes=((0.04, 0.04, 0.96, 0.96),), share=0.846),)


def _check(decoded: provider.Decoded, library_path: Path, segment: Segment,
           edits: tuple[DetectedEdit, ...] = ()) -> moment.MomentCheck:
    with Library(library_path) as library:
        local = library.local_data("cam-a")
    assert local is not None
    (placement, *_) = moment.placements(decoded, Alignment("cam-a", 0.9, (segment,), edits))
    return moment.check_segment(decoded, local, segment, placement)


def _decoded(path: Path) -> provider.Decoded:
    return provider.decode(str(path), 4.0)


def test_the_true_moment_passes_and_another_moment_of_the_camera_does_not(
        media: Media, library_path: Path) -> None:
    clip = _decoded(media.clip_a)  # cam_a 8-20 s, cropped 4 %, 25 fps
    # 25 fps: the first frame in each fifteenth of a second, so one within 0.04 s of any instant.
    assert len(clip.moments) == len(clip.moment_times)
    assert clip.moment_times.max() > 11.9 and max(syn.np.diff(clip.moment_times)) <= 0.081
    true = _check(clip, library_path, _segment((0.0, 11.0), 8.0), CROP)
    assert true.ratio is not None and true.ratio < 0.5 and true.instants >= 20
    assert not true.another_moment(PARAMS)
    # The same repost said to show seconds 16-27 of the original: the same view, other figures.
    wrong = _check(clip, library_path, _segment((0.0, 11.0), 16.0), CROP)
    assert wrong.another_moment(PARAMS), wrong
    # The camera's later recording said to show seconds 2-13.
    later = _check(_decoded(media.cam_a_later), library_path, _segment((0.0, 11.0), 2.0))
    assert later.another_moment(PARAMS), later


def test_a_picture_too_small_in_the_repost_to_compare_is_not_judged(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # The true moment of camera A, shrunk to a picture a quarter of the frame wide laid over
    # camera B: laid on the original's whole frame, its instants are 16 x 9 of the repost's
    # 64-pixel moment frames against 64 x 36 of the original's, and read another moment
    # (copy-detection's picture-in-picture at 30 %: 11.7 s of 12 s, 27 motion-confirmed
    # samples); here 0.97 before the rule. Too small to compare, it is not judged; at half the
    # width it is (0.72: its small walkers neither confirm the moment nor deny it).
    truth = _segment((0.0, 10.0), 8.0)
    for width, judged in ((120, False), (240, True)):
        path = tmp_path / f"laid-{width}.mp4"
        _ffmpeg("-ss", "0", "-t", "10", "-i", str(media.cam_b), "-ss", "8", "-t", "10", "-i",
                str(media.cam_a), "-filter_complex",
                f"[1:v]scale={width}:-2[in];[0:v][in]overlay=24:16[v]", "-map", "[v]", "-an",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
        decoded = _decoded(path)
        box = (24 / 480, 16 / 270, (24 + width) / 480, (16 + width * 9 / 16) / 270)
        with Library(library_path) as library:
            local = library.local_data("cam-a")
        assert local is not None
        check = moment.check_segment(decoded, local, truth,
                                     moment.Placement(box, (0.0, 0.0, 1.0, 1.0), False))
        assert (check.ratio is not None) is judged, check
        assert not check.another_moment(PARAMS), check


def test_a_speed_change_needs_the_moment_check_to_confirm_it(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    fast = _encode(tmp_path / "fast.mp4", media.cam_a, 8, 12, "-vf", "setpts=PTS/1.25")
    decoded = _decoded(fast)
    true = _segment((0.0, 9.0), 8.0, speed=1.25)
    assert _check(decoded, library_path, true).confirms(PARAMS)
    checked, _ = _staged(fast, library_path, true)
    assert checked.verdict is Verdict.MATCH and checked.matches[0].segments[0].speed == 1.25
    # The same repost read at a speed it was not played at: not confirmed, so never a match.
    wrong = _segment((0.0, 9.0), 8.0, speed=0.9)
    assert not _check(decoded, library_path, wrong).confirms(PARAMS)
    checked, _ = _staged(fast, library_path, wrong)
    assert checked.verdict is not Verdict.MATCH and checked.matches == ()
    # Where the check does not show another moment either (here: its bars set out of reach),
    # the speed is simply not established: inconclusive, not `same-scene`.
    unsure = replace(PARAMS, moment_ratio=9.0, moment_still_share=9.0, moment_beyond_ratio=9.0)
    checked, duration = _staged(fast, library_path, wrong, params=unsure)
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()
    assert "changed speed (x0.90)" in checked.reason
    assert align.coverage_error(duration, checked.matches, checked.same_scene,
                                checked.unexplained) is None


def _staged(path: Path, library_path: Path, segment: Segment,
            edits: tuple[DetectedEdit, ...] = (), params: align.MatchParams = PARAMS
            ) -> tuple[align.AlignResult, float]:
    """The moment stage on a match of ``segment`` claimed by the aligner, and the duration."""
    decoded = _decoded(path)
    duration = decoded.fingerprint.duration
    result = align.AlignResult(Verdict.MATCH, 0.8, "11.0 s line up", (
        Alignment("cam-a", 0.8, (segment,), edits),), (), ((11.0, round(duration, 3)),),
        params=params)
    with Library(library_path) as library:
        stored = {"cam-a": library.local_data("cam-a")}
    return moment.moment_stage(decoded, result, stored), duration


def test_the_stage_turns_another_moment_into_same_scene_and_keeps_coverage(
        media: Media, library_path: Path) -> None:
    # The aligner's chance alignment of another moment, as weak as the sweeps' (at most 13
    # confirmed samples).
    chance = replace(_segment((0.0, 11.0), 2.0), evidence=10)
    checked, duration = _staged(media.cam_a_later, library_path, chance)
    assert checked.verdict is Verdict.SAME_SCENE and checked.matches == ()
    (scene,) = checked.same_scene
    assert [(s.query_start, s.query_end, s.evidence) for s in scene.segments] == [
        (0.0, 11.0, 10)]
    assert "at the very instants" in checked.reason
    assert not any(s.unsettled for s in scene.segments)
    assert align.coverage_error(duration, checked.matches, checked.same_scene,
                                checked.unexplained) is None


def test_pictures_against_strong_motion_are_a_conflict_not_another_moment(
        media: Media, library_path: Path) -> None:
    # The same pictures, but motion confirming the mapping as strongly as a true copy's: the
    # two disagree, so the seconds are not matched and not called another moment either.
    strong = replace(_segment((0.0, 11.0), 2.0), evidence=PARAMS.moment_conflict_confirmed)
    checked, duration = _staged(media.cam_a_later, library_path, strong)
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()
    assert "the two disagree" in checked.reason
    assert all(s.unsettled for a in checked.same_scene for s in a.segments)
    assert f"({PARAMS.moment_conflict_confirmed} confirmed samples)" in checked.reason
    assert [(s.query_start, s.query_end) for a in checked.same_scene for s in a.segments] == [
        (0.0, 11.0)]
    assert align.coverage_error(duration, checked.matches, checked.same_scene,
                                checked.unexplained) is None


def test_a_segment_the_check_leaves_unsettled_needs_enough_movement_to_stand(
        media: Media, library_path: Path) -> None:
    # The true mapping, with the bar for "clearly confirmed" raised out of reach: the check
    # neither confirms the moment nor shows another, so the motion evidence alone decides.
    unsettled = replace(PARAMS, moment_confirmed=0.0)
    enough = _segment((0.0, 11.0), 8.0)
    assert enough.evidence >= unsettled.moment_unsettled_confirmed
    checked, _ = _staged(media.clip_a, library_path, enough, CROP, unsettled)
    assert checked.verdict is Verdict.MATCH
    few = replace(enough, evidence=unsettled.moment_unsettled_confirmed - 1)
    checked, duration = _staged(media.clip_a, library_path, few, CROP, unsettled)
    # Nothing showed another moment either: inconclusive, the seconds kept as the camera's view.
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()
    need = unsettled.moment_unsettled_confirmed
    assert f"{need - 1} confirmed samples, {need} needed" in checked.reason
    assert [(s.query_start, s.query_end) for a in checked.same_scene for s in a.segments] == [
        (0.0, 11.0)]
    assert align.coverage_error(duration, checked.matches, checked.same_scene,
                                checked.unexplained) is None
    # Confirmed (a ratio under moment_confirmed), the same few movements are a match where a
    # segment on weak evidence is held to that bar too.
    lenient = replace(PARAMS, moment_weak_confirmed=PARAMS.moment_confirmed)
    checked, _ = _staged(media.clip_a, library_path, few, CROP, lenient)
    assert checked.verdict is Verdict.MATCH
    (segment,) = checked.matches[0].segments
    # By default, so few movements need clearer pictures than this heavily compressed copy
    # shows (its ratio lies where chance alignments of another moment measured 0.34-0.40).
    assert segment.moment is not None
    assert PARAMS.moment_weak_confirmed <= segment.moment < PARAMS.moment_confirmed
    checked, _ = _staged(media.clip_a, library_path, few, CROP)
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()


def test_a_repost_whose_picture_cannot_be_laid_on_the_original_is_not_judged(
        media: Media, library_path: Path) -> None:
    # Another camera said to be camera A: nothing lies on the original closely enough to judge
    # moments (the view check is the aligner's job, not this one's).
    decoded = _decoded(media.unrelated)
    check = _check(decoded, library_path, _segment((0.0, 11.0), 2.0))
    assert check.fit > PARAMS.moment_max_fit
    assert not check.another_moment(replace(PARAMS, moment_ratio=0.0))


def test_moment_frames_are_bounded_whatever_the_header_says() -> None:
    # A header can understate a video's length, which sets the moment frames' budget: past
    # MAX_MOMENTS the keeper keeps no more and the grid stops asking the decoder for frames.
    keeper = provider._Keeper(0, 1.0, provider.QUERY_DETAIL_LONG_SIDE)
    keeper.dense = decode.DenseGrid(1 / 15)
    frame = syn.np.zeros((360, 640), syn.np.uint8)
    for k in range(provider.MAX_MOMENTS + 50):
        if keeper.dense.first_in_cell(k / 15):
            keeper.keep_moment(k / 15, frame)
    assert len(keeper.moments) == provider.MAX_MOMENTS
    assert keeper.moments[0].shape == (36, 64)
    assert not keeper.dense.first_in_cell(10_000.0)
    assert not keeper.dense.needs(10_000.0, 9_999.0)


def test_the_stage_reports_the_measurement_on_a_confirmed_match(
        media: Media, library_path: Path) -> None:
    true = _segment((0.0, 11.0), 8.0)
    checked, _ = _staged(media.clip_a, library_path, true, CROP)
    assert checked.verdict is Verdict.MATCH and checked.reason == "11.0 s line up"
    (segment,) = checked.matches[0].segments
    assert segment.moment is not None and segment.moment < 0.5
    assert replace(segment, moment=None) == true


def _spliced(path: Path, *pieces: tuple[Path, float]) -> Path:
    """6 s of each (file, start) in turn, re-encoded as one video."""
    inputs = [arg for file, start in pieces
              for arg in ("-ss", f"{start:g}", "-t", "6", "-i", str(file))]
    streams = "".join(f"[{k}:v]" for k in range(len(pieces)))
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", *inputs,
                    "-filter_complex", f"{streams}concat=n={len(pieces)}:v=1:a=0[v]",
                    "-map", "[v]", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
                   check=True)
    return path


def _verified(path: Path, library_path: Path, tmp_path: Path) -> Verification:
    from provenance.acquire import local_video
    from provenance.pipeline import verify_video
    from provenance.settings import load_settings

    settings = load_settings(db=library_path, cache_dir=tmp_path / "cache")
    with Library(library_path) as library:
        return verify_video(local_video(str(path)), library, settings)


def _busy_edit(busy_camera: tuple[Path, Path], tmp_path: Path, graph: str) -> Verification:
    """The busy camera's registered recording edited by an ffmpeg filter graph (output
    ``[v]``), verified against its library."""
    path = tmp_path / "edited.mp4"
    original, db = busy_camera[0].with_name("cam.mp4"), busy_camera[1]
    _ffmpeg("-i", str(original), "-filter_complex", graph, "-map", "[v]", "-an", "-c:v",
            "libx264", "-pix_fmt", "yuv420p", str(path))
    return _verified(path, db, tmp_path)


def _two_pieces_at(first: tuple[float, float], second: tuple[float, float], speed: float
                   ) -> str:
    """An ffmpeg filter graph (output ``[v]``): two pieces of the input, (start, end) seconds
    each, played ``speed`` times as fast and joined without a cut the picture shows."""
    return (f"[0:v]split[a][b];[a]trim={first[0]:g}:{first[1]:g},setpts=(PTS-STARTPTS)/{speed:g}"
            f"[x];[b]trim={second[0]:g}:{second[1]:g},setpts=(PTS-STARTPTS)/{speed:g}[y];"
            "[x][y]concat=n=2,fps=25[v]")


def _assert_pieces(segments: tuple[Segment, ...] | list[Segment],
                   pieces: list[tuple[tuple[float, float], float]], speed: float,
                   tolerance: float = 0.3) -> None:
    """Each piece ((start, end) of the repost, the original's time at its start) matched at
    ``speed`` over 80 % of it or more, every segment in it mapping its start within
    ``tolerance`` of the truth."""
    for (start, end), first_second in pieces:
        inside = [s for s in segments if min(s.query_end, end) - max(s.query_start, start) > 1.0]
        assert sum(min(s.query_end, end) - max(s.query_start, start) for s in inside) >= \
            0.8 * (end - start), segments
        for s in inside:
            at = max(s.query_start, start)
            assert abs(s.speed - speed) <= 0.04, s
            assert s.speed * at + s.offset == pytest.approx(
                first_second + speed * (at - start), abs=tolerance), s


def _seconds(alignments: tuple[Alignment, ...], span: tuple[float, float],
             offset: float | None = None) -> float:
    """Seconds of ``span`` the alignments' segments cover (at ``offset`` only, if given)."""
    return sum(max(0.0, min(s.query_end, span[1]) - max(s.query_start, span[0]))
               for a in alignments for s in a.segments
               if offset is None or abs(s.reference_start - s.query_start - offset) < 0.5)


def test_a_montage_of_one_cameras_moments_is_matched_piece_by_piece(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # Camera A's registered seconds 10-16, then 6 s of its later recording (another moment),
    # and the other way round: one unbroken view for the whole-frame hashes. The registered
    # piece is the registered moment, the other is not.
    for pieces, registered in ((((media.cam_a, 10.0), (media.cam_a_later, 2.0)), (0.0, 6.0)),
                               (((media.cam_a_later, 2.0), (media.cam_a, 10.0)), (6.0, 12.0))):
        path = _spliced(tmp_path / f"spliced-{registered[0]:g}.mp4", *pieces)
        result = _verified(path, library_path, tmp_path)
        other = (6.0, 12.0) if registered[0] == 0.0 else (0.0, 6.0)
        assert _seconds(result.matches, registered, offset=10.0 - registered[0]) >= 5.0, result
        assert _seconds(result.matches, other) <= 0.5, result
        assert _seconds(result.same_scene, other) >= 5.0, result
        (segment,) = [s for m in result.matches for s in m.segments]
        assert segment.spliced and segment.moment is not None
        assert segment.moment < PARAMS.moment_confirmed
        # What a checker reads: the splice on the segment, and the other moment in the finding.
        assert "cut at a splice with another moment of the camera" in to_text(result)
        assert result.finding is not None and result.finding.rating is Rating.EDITED
        assert "at another moment than the registered footage" in result.finding.summary
        payload = json_report.to_dict(result)
        jsonschema.Draft202012Validator(json_report.schema()).validate(payload)
        # The HTML timeline draws the other moment as such, the original listed once.
        page = to_html(payload)
        assert "the same camera, another moment" in page and "cam-a, another moment" in page
        assert page.count("<td>cam-a</td>") == 1


def test_a_picture_held_inside_the_take_is_not_matched(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # Camera A's seconds 10-16, a still frame of its later recording held 6 s, then its
    # seconds 22-28, the take's timing kept: no cut sets the held frame apart, nothing in it
    # moves to contradict the take's offset, and whole frames matched all 18 s as the
    # registered footage (the instants' median confirmed it: 16 of 22 near 0.1). The moment
    # check's instants inside it show the repost standing still while the original moves (5 in
    # a row): those seconds are taken out, the moment left open.
    path = tmp_path / "held.mp4"
    _ffmpeg("-ss", "10", "-t", "6", "-i", str(media.cam_a), "-ss", "2", "-t", "6", "-i",
            str(media.cam_a_later), "-ss", "22", "-t", "6", "-i", str(media.cam_a),
            "-filter_complex", "[0:v]setpts=PTS-STARTPTS[a];[1:v]trim=0:0.1,"
            "setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop_duration=6,trim=0:6[b];"
            "[2:v]setpts=PTS-STARTPTS[c];[a][b][c]concat=n=3:v=1:a=0[v]",
            "-map", "[v]", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
    result = _verified(path, library_path, tmp_path)
    assert _seconds(result.matches, (6.5, 11.0)) == 0.0, result
    assert _seconds(result.same_scene, (6.5, 11.0)) == pytest.approx(4.5), result
    assert all(s.unsettled for a in result.same_scene for s in a.segments)
    for piece in ((0.0, 6.0), (12.0, 18.0)):
        assert _seconds(result.matches, piece, offset=10.0) >= 5.0, result
    held = re.search(r"the repost holds one picture for ([\d.]+) s", result.reason)
    assert held and 5.5 <= float(held.group(1)) <= 6.0, result.reason  # 6 s held


@pytest.mark.parametrize("card", ["title", "black"])
def test_a_title_card_or_a_black_leader_before_the_footage_is_no_frozen_frame(
        card: str, media: Media, library_path: Path, tmp_path: Path) -> None:
    # A desk audit: a 2 s title card (lettering on a coloured card, no camera's picture) before
    # camera A's seconds 10-18 was reported as "a frozen frame" of the camera, and 2 s of black
    # before it as "footage the library does not explain was added". The card is a still
    # picture added to the footage; black is no footage at all: the finding is not "edited".
    import cv2
    import numpy as np

    picture = np.zeros((270, 480, 3), np.uint8)
    if card == "title":
        picture[:] = (120, 40, 30)
        cv2.rectangle(picture, (30, 200), (450, 240), (20, 160, 220), -1)
        cv2.putText(picture, "BREAKING: TONIGHT", (30, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                    (255, 255, 255), 3)
    cv2.imwrite(str(tmp_path / "card.png"), picture)
    path = tmp_path / "card.mp4"
    _ffmpeg("-loop", "1", "-t", "2", "-framerate", str(FPS), "-i", str(tmp_path / "card.png"),
            "-ss", "10", "-t", "8", "-i", str(media.cam_a), "-filter_complex",
            "[0:v]scale=480:270,setsar=1,format=yuv420p[a];[1:v]scale=480:270,setsar=1,"
            "format=yuv420p,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0[v]",
            "-map", "[v]", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
    result = _verified(path, library_path, tmp_path)
    assert result.verdict is Verdict.MATCH, result.reason
    assert _seconds(result.matches, (2.0, 10.0), offset=8.0) >= 7.0, result
    said = (r"a still picture no registered camera shows for ([\d.]+) s" if card == "title"
            else r"its picture is blank \(black or one colour\) for ([\d.]+) s")
    held = re.search(said, result.reason)
    assert held and 1.5 <= float(held.group(1)) <= 2.0, result.reason
    assert "frozen frame" not in result.reason
    assert result.finding is not None and "frozen frame" not in result.finding.summary
    assert "frozen frame" not in to_text(result)
    added = "footage the library does not explain was added" in result.finding.summary
    assert added == (card == "title"), result.finding.summary


@pytest.fixture(scope="module")
def busy_camera(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A busier fixed camera (40 walkers a minute: something moves at almost every instant),
    its first 24 s registered, and a repost of seconds 4-16."""
    root = tmp_path_factory.mktemp("busy")
    scene = syn.CCTVScene(seed=7, label="CAM C", walkers_per_minute=40.0, length=60.0)
    syn.write_video(str(root / "cam.mp4"), syn.render(scene, 0, 24, 25.0), 25.0)
    syn.write_video(str(root / "repost.mp4"), syn.excerpt(str(root / "cam.mp4"), 4.0, 12.0, 25.0),
                    25.0, crf=30)
    settings = load_settings(db=root / "lib.db", cache_dir=root / "cache")
    with Library(settings.db, create=True) as library:
        register(str(root / "cam.mp4"), Original(id="cam-c"), library, settings)
    return root / "repost.mp4", settings.db


def test_the_mapping_is_followed_beyond_the_segment_where_the_repost_goes_on(
        busy_camera: tuple[Path, Path]) -> None:
    repost, db = busy_camera
    with Library(db) as library:
        local = library.local_data("cam-c")
    assert local is not None
    decoded = _decoded(repost)
    # The repost's seconds 3-7 are the original's 7-11; said to be 9-13 or 12-16 instead, the
    # seconds around them show another moment too.
    for reference_start, true in ((7.0, True), (9.0, False), (12.0, False)):
        segment = replace(_segment((3.0, 7.0), reference_start), reference_id="cam-c")
        around = moment._around(decoded.fingerprint, segment, local)
        assert [(p.query_start, p.query_end) for p in around] == [(0.0, 3.0), (7.0, 10.0)]
        assert all(p.reference_start - p.query_start == reference_start - 3.0 for p in around)
        (placement, *_) = moment.placements(decoded, Alignment("cam-c", 0.9, (segment,)))
        check = moment.check_segment(decoded, local, segment, placement, around=around)
        assert check.beyond is not None, check
        assert (check.beyond < 0.5) if true else (check.beyond >= PARAMS.moment_beyond_ratio), check


def test_what_lies_beyond_decides_only_a_judged_segment_not_clearly_confirmed() -> None:
    beyond = PARAMS.moment_beyond_ratio + 0.05
    unconfirmed = moment.MomentCheck(8, PARAMS.moment_confirmed + 0.1, fit=0.05, beyond=beyond)
    assert unconfirmed.another_moment(PARAMS)
    assert not replace(unconfirmed, beyond=PARAMS.moment_beyond_ratio - 0.05).another_moment(PARAMS)
    # Confirmed by its own instants, or too still to be judged (a splice may follow it).
    assert not replace(unconfirmed, ratio=PARAMS.moment_confirmed - 0.1).another_moment(PARAMS)
    assert not moment.MomentCheck(2, None, fit=0.05, beyond=beyond).another_moment(PARAMS)


def test_another_moment_is_not_called_on_the_fewest_instants_that_judge() -> None:
    few = moment.MomentCheck(moment.MIN_INSTANTS, PARAMS.moment_ratio + 0.05, fit=0.05)
    assert few.judged(PARAMS) and not few.another_moment(PARAMS)
    assert replace(few, instants=moment.MIN_INSTANTS_APART).another_moment(PARAMS)
    # Unconfirmed, it is left to the motion evidence (moment_unsettled_confirmed).
    assert not few.confirms(PARAMS)


def test_a_segment_on_few_movements_needs_its_pictures_to_show_the_moment_more_clearly() -> None:
    # Chance alignments of another moment held 6-9 motion-confirmed samples and pictures at
    # 0.34-0.40, just under moment_confirmed: on so little motion, that is not enough.
    between = (PARAMS.moment_weak_confirmed + PARAMS.moment_confirmed) / 2
    check = moment.MomentCheck(8, between, fit=0.05, laid=True)
    assert check.confirms(PARAMS) and not check.confirms(PARAMS, weak=True)
    assert not check.rests_on_motion(PARAMS)
    assert check.rests_on_motion(PARAMS, weak=True)
    clear = replace(check, ratio=PARAMS.moment_weak_confirmed - 0.05)
    assert clear.confirms(PARAMS, weak=True) and not clear.rests_on_motion(PARAMS, weak=True)
    # Laid only loosely, the pictures read higher at the very moment: the usual bar holds.
    loose = replace(check, fit=(PARAMS.moment_max_fit + PARAMS.moment_loose_fit) / 2)
    assert not loose.rests_on_motion(PARAMS, weak=True)


def test_a_loosely_laid_picture_neither_accuses_nor_confirms() -> None:
    # Between moment_max_fit and moment_loose_fit the check may not call another moment, but a
    # ratio that does not show the moment leaves the segment on its motion alone.
    loose = (PARAMS.moment_max_fit + PARAMS.moment_loose_fit) / 2
    unshown = moment.MomentCheck(8, PARAMS.moment_ratio + 0.05, fit=loose)
    assert not unshown.judged(PARAMS) and not unshown.another_moment(PARAMS)
    assert unshown.rests_on_motion(PARAMS)
    shown = replace(unshown, ratio=PARAMS.moment_confirmed - 0.1)
    assert not shown.confirms(PARAMS) and not shown.rests_on_motion(PARAMS)
    # Beyond the loose fit nothing is measured: the motion's own rules decide.
    assert not replace(unshown, fit=PARAMS.moment_loose_fit + 0.05).rests_on_motion(PARAMS)
    # A closely laid picture that does not show the moment rests on motion too.
    assert replace(unshown, fit=PARAMS.moment_max_fit, ratio=0.6).rests_on_motion(PARAMS)


def test_a_screen_read_at_a_small_angle_is_laid_by_its_box(media: Media) -> None:
    decoded = _decoded(media.clip_a)
    segment = _segment((0.0, 11.0), 8.0)

    def screen(angle: float) -> tuple[DetectedEdit, ...]:
        return (DetectedEdit(Edit.FILMED_OFF_SCREEN, boxes=((0.0, 0.07, 1.0, 1.0),),
                             angle=angle),)

    flat = moment.placements(decoded, Alignment("cam-a", 0.9, (segment,),
                                                screen(moment.LAID_SCREEN_ANGLE - 4)))
    assert [p.query_box for p in flat] == [(0.0, 0.07, 1.0, 1.0), (0.0, 0.0, 1.0, 1.0)]
    # At a real angle the box does not undo the perspective: not judged at all.
    assert moment.placements(decoded, Alignment("cam-a", 0.9, (segment,),
                                                screen(moment.LAID_SCREEN_ANGLE + 4))) == []


def test_a_spliced_piece_the_check_does_not_confirm_is_left_open_not_another_moment(
        media: Media, library_path: Path) -> None:
    # The check neither confirms nor accuses (its bars out of reach): a piece cut at a splice
    # lines up in its own motion, so its moment is open, not another one.
    unsure = replace(PARAMS, moment_ratio=9.0, moment_still_share=9.0, moment_beyond_ratio=9.0,
                     moment_confirmed=0.0)
    piece = replace(_segment((0.0, 11.0), 8.0), spliced=True)
    checked, duration = _staged(media.clip_a, library_path, piece, CROP, unsure)
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()
    assert all(s.unsettled for a in checked.same_scene for s in a.segments)
    assert align.coverage_error(duration, checked.matches, checked.same_scene,
                                checked.unexplained) is None


def test_a_repost_at_a_few_frames_a_second_is_not_judged(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # At 4 frames a second the repost's frame nearest an instant can be an eighth of a second
    # off it, as near the frame a quarter of a second before: instants and moments off blur.
    slow = _encode(tmp_path / "slow.mp4", media.cam_a, 8, 12, "-vf", "fps=4")
    check = _check(_decoded(slow), library_path, _segment((0.0, 11.0), 8.0))
    assert check.ratio is None and not check.judged(PARAMS)
    assert not check.another_moment(PARAMS)


def test_pictures_that_cannot_be_laid_need_as_much_motion_as_a_geometry_match(
        media: Media, library_path: Path) -> None:
    # Another place said to be camera A: nothing lies on the original, so what the match claims
    # rests on its motion under a geometry it assumed.
    claimed = replace(_segment((0.0, 11.0), 2.0), evidence=PARAMS.moment_unlaid_confirmed - 1)
    checked, duration = _staged(media.unrelated, library_path, claimed)
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()
    assert "could not be laid on the original's" in checked.reason
    assert all(s.unsettled for a in checked.same_scene for s in a.segments)
    enough = replace(claimed, evidence=PARAMS.moment_unlaid_confirmed)
    assert _staged(media.unrelated, library_path, enough)[0].verdict is Verdict.MATCH
    assert moment.MomentCheck(8, 0.5, fit=PARAMS.moment_loose_fit + 0.1).unlaid(PARAMS)
    assert not moment.MomentCheck(8, 0.5, fit=PARAMS.moment_loose_fit).unlaid(PARAMS)


def test_only_ends_where_the_repost_stands_still_are_cut_as_a_splice() -> None:
    times = [0.25 * k for k in range(11)]

    def measured(ends: list[tuple[float, bool]]) -> moment.MomentCheck:
        rest = [(0.05, False)] * (len(times) - len(ends))
        return moment.MomentCheck(len(times), 0.1, fit=0.05, measured=tuple(
            (t, r, s) for t, (r, s) in zip(times, [*ends, *rest], strict=True)))

    # A splice of another moment that stood still: the motion hashes could not see it.
    assert measured([(1.0, True)] * 3).agreeing(PARAMS) == (0.625, float("inf"))
    # Moving and showing another moment there: the motion agreed by chance, judged whole.
    assert measured([(1.2, False), (1.5, False), (1.0, False)]).agreeing(PARAMS) is None
    assert measured([(1.0, True)] * (moment.TRIM_RUN - 1)).agreeing(PARAMS) is None
    # As many moving instants as calling another moment takes (a registered piece followed by
    # its camera's other moment with no cut between): cut, if the rest confirms more clearly.
    long_run = [(1.0, False)] * moment.MIN_INSTANTS_APART
    assert measured(long_run).apart_at_ends(PARAMS) == (1.125, float("inf"))
    assert measured(long_run[1:]).apart_at_ends(PARAMS) is None
    assert measured([(0.8, False)] * 6).apart_at_ends(PARAMS) is None


def test_a_changed_speed_of_a_view_too_still_to_compare_needs_more_than_chance_motion(
        tmp_path: Path) -> None:
    # Nothing moves in the original's stored frames, so no instant can confirm the moment,
    # and a fixed camera's movements repeat at other speeds too: the room's other moment
    # played at 0.67x was matched at 0.54x on 12 confirmed samples, the check too still to
    # judge (other_moments.py --speed 0.67). Chance alignments held at most 12.
    video, library_path = _still_view(tmp_path)
    claimed = replace(_segment((0.0, 8.0), 1.0, speed=1.25),
                      evidence=PARAMS.moment_unsettled_confirmed - 1)
    check = _check(_decoded(video), library_path, claimed)
    assert check.ratio is None and check.laid and check.fixed_view(), check
    checked, duration = _staged(video, library_path, claimed)
    assert checked.verdict is Verdict.INCONCLUSIVE and checked.matches == ()
    assert "changed speed (x1.25)" in checked.reason
    assert all(s.unsettled for a in checked.same_scene for s in a.segments)
    assert align.coverage_error(duration, checked.matches, checked.same_scene,
                                checked.unexplained) is None
    # With more motion evidence than chance reached, or at the original's own speed, the
    # still view stands on its motion, as before.
    enough = replace(claimed, evidence=PARAMS.moment_unsettled_confirmed)
    assert _staged(video, library_path, enough)[0].verdict is Verdict.MATCH
    at_one = replace(_segment((0.0, 8.0), 1.0), evidence=claimed.evidence)
    assert _staged(video, library_path, at_one)[0].verdict is Verdict.MATCH
    # A check that never laid the pictures says nothing of the view.
    assert not moment.MomentCheck(0, None).fixed_view()


def _still_view(tmp_path: Path) -> tuple[Path, Path]:
    """A fixed camera where nothing moves (12 s at 10 fps), and a library holding it."""
    still = syn.CCTVScene(seed=505, width=480, height=270).background.astype(syn.np.uint8)
    video = tmp_path / "still.mp4"
    syn.write_video(str(video), (still for _ in range(120)), 10.0)
    library_path = tmp_path / "still.db"
    settings = load_settings(db=library_path, cache_dir=tmp_path / "cache")
    with Library(library_path, create=True) as library:
        register(str(video), Original(id="cam-a", source="test"), library, settings)
    return video, library_path


def test_a_match_too_still_to_compare_on_few_movements_says_another_moment_is_possible(
        tmp_path: Path) -> None:
    # At 1x a view where too little moves for the pictures to be compared stands on its
    # motion, but a fixed camera's other moment lined up so on 3-6 movements (the room and the
    # car park, other_moments.py, at 1x and played at other speeds): the finding cautions.
    video, library_path = _still_view(tmp_path)
    few = replace(_segment((0.0, 8.0), 1.0), evidence=PARAMS.moment_unsettled_confirmed - 1)
    result = _staged(video, library_path, few)[0]
    assert result.verdict is Verdict.MATCH
    (segment,) = result.matches[0].segments
    assert segment.too_still and segment.moment is None
    found = finding.assess(result.verdict, result.matches, result.unexplained, [],
                           [Original(id="cam-a", recorded_at="2015-09-16")],
                           same_scene=result.same_scene)
    assert "Caution: too little moves for the same-instant check" in found.summary
    assert any(f"only {few.evidence} movements line up" in r for r in found.reasons)
    verification = Verification(query="still.mp4", verdict=result.verdict, confidence=1.0,
                                reason=result.reason, duration=8.0, matches=result.matches,
                                finding=found)
    payload = json_report.to_dict(verification)
    assert payload["matches"][0]["segments"][0]["too_still"] is True
    assert "too still for the same-instant check" in to_text(verification)
    assert "too still for the same-instant check" in to_html(payload)
    # As many movements as no chance alignment reached: no caution.
    enough = replace(few, evidence=PARAMS.moment_unsettled_confirmed)
    result = _staged(video, library_path, enough)[0]
    assert not any(s.too_still for a in result.matches for s in a.segments)


def test_nearest_frame_by_bisection_is_the_nearest_and_the_earlier_of_two() -> None:
    rng = syn.np.random.default_rng(3)
    for _ in range(500):
        times = sorted(rng.choice([0.0, 0.04, 0.08, 0.1, 0.5], size=rng.integers(1, 7)))
        for time in (-1.0, 0.02, 0.06, 0.09, 0.3, 0.5, 2.0):
            nearest = int(syn.np.argmin(syn.np.abs(syn.np.asarray(times) - time)))
            assert provider.nearest_index(times, time) == nearest
            assert provider.nearest_index(syn.np.asarray(times), time) == nearest


@pytest.fixture(scope="module")
def still_camera(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fixed camera where nobody passes for its first 20 s (registered), and 8 s of it
    re-encoded with film grain (ffmpeg's temporal noise), as reposts often are."""
    root = tmp_path_factory.mktemp("still")
    scene = syn.CCTVScene(seed=11, label="CAM D", walkers_per_minute=0.05, length=600.0)
    assert all(w.start > 20.0 or w.start + w.duration < 0.0 for w in scene.walkers)
    syn.write_video(str(root / "cam.mp4"), syn.render(scene, 0, 20, 25.0), 25.0)
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-ss", "6",
                    "-t", "8", "-i", str(root / "cam.mp4"), "-vf", "noise=alls=12:allf=t",
                    "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(root / "grain.mp4")],
                   check=True)
    settings = load_settings(db=root / "lib.db", cache_dir=root / "cache")
    with Library(settings.db, create=True) as library:
        register(str(root / "cam.mp4"), Original(id="cam-d"), library, settings)
    return root / "grain.mp4", settings.db


def test_film_grain_on_the_registered_moment_is_no_evidence_of_another_moment(
        still_camera: tuple[Path, Path], tmp_path: Path) -> None:
    # Grain raises every sample's motion energy above the floor and makes its motion hash
    # random: the registered still view was called another moment on it. Its change is not
    # coherent (a moving thing's is), so it is no evidence.
    grain, db = still_camera
    decoded = provider.decode(str(grain), 4.0)
    query = decoded.fingerprint
    assert query.coherence is not None
    energetic = query.motion_energy >= PARAMS.scene_min_energy
    assert energetic.sum() >= 2 * PARAMS.scene_min_moving  # grain passes the energy floor
    assert (query.coherence[energetic] < PARAMS.scene_min_coherence).all()
    result = _verified(grain, db, tmp_path)
    assert result.verdict is not Verdict.SAME_SCENE, result.reason
    assert all(s.unsettled for a in result.same_scene for s in a.segments)
    # At another sampling rate (verify --fps 8) each sample takes its nearest detail's measure.
    eight = provider.decode(str(grain), 8.0).fingerprint
    assert eight.coherence is not None and len(eight.coherence) == len(eight)
    energetic = eight.motion_energy >= PARAMS.scene_min_energy
    assert energetic.any() and (eight.coherence[energetic] < PARAMS.scene_min_coherence).all()


def test_change_coherence_tells_a_moving_thing_from_noise() -> None:
    rng = syn.np.random.default_rng(5)
    still = rng.integers(60, 200, (72, 128)).astype(syn.np.uint8)
    noisy = syn.np.stack([syn.np.clip(still + rng.normal(0, 8, still.shape), 0, 255)
                          for _ in range(4)]).astype(syn.np.uint8)
    moving = syn.np.stack([still.copy() for _ in range(4)])
    for k in range(4):
        moving[k, 20:44, 10 + 16 * k:34 + 16 * k] = 250  # a bright block crossing the view
    assert (provider.change_coherence(noisy)[1:] < PARAMS.scene_min_coherence).all()
    assert (provider.change_coherence(moving)[1:] > 0.5).all()
    assert provider.change_coherence(noisy[:, :8, :8]).tolist() == [1.0] * 4  # too small


def _as_same_scene(ref_id: str, duration: float, evidence: int) -> align.AlignResult:
    """What the aligner says of a view whose sampled motion disagreed everywhere."""
    piece = Segment(reference_id=ref_id, query_start=0.0, query_end=duration,
                    reference_start=0.0, reference_end=0.0, evidence=evidence, similarity=0.9)
    return align.AlignResult(Verdict.SAME_SCENE, 1.0, "same place, different moment", (),
                             (Alignment(ref_id, 1.0, (piece,)),), ())


def test_the_search_finds_the_registered_moment_in_a_stretch_called_another_moment(
        busy_camera: tuple[Path, Path]) -> None:
    # Motion hashes sampled out of phase with the original's can disagree at the very moment;
    # the pictures at the original's instants cannot. Seconds 4-16 of the registered camera,
    # as if the aligner had called them another moment, are found at their own offset.
    repost, db = busy_camera
    decoded = provider.decode(str(repost), 4.0)
    duration = decoded.fingerprint.duration
    with Library(db) as library:
        result, read = moment.search_stage(decoded, _as_same_scene("cam-c", duration, 12),
                                           library)
    assert result.verdict is Verdict.MATCH
    assert set(read) == {"cam-c"} and read["cam-c"] is not None  # what it read, for the report
    segments = [s for m in result.matches for s in m.segments]
    assert sum(s.query_end - s.query_start for s in segments) >= 0.75 * duration
    for segment in segments:
        assert segment.reference_start - segment.query_start == pytest.approx(4.0, abs=0.1)
        assert segment.spliced and segment.moment is not None
        assert segment.moment < PARAMS.moment_confirmed
    assert "pictures at the original's very instants" in result.reason
    # Scored as the aligner scores a match (not as a share of the video).
    (found,) = result.matches
    assert found.score == pytest.approx(align.evidence_score(sum(s.evidence for s in segments)),
                                        abs=1e-3)
    assert align.coverage_error(duration, result.matches, result.same_scene,
                                result.unexplained) is None


def test_the_search_finds_nothing_in_another_moment(media: Media, library_path: Path) -> None:
    decoded = provider.decode(str(media.cam_a_later), 4.0)
    stated = _as_same_scene("cam-a", decoded.fingerprint.duration, 12)
    with Library(library_path) as library:
        result, _ = moment.search_stage(decoded, stated, library)
    assert result.verdict is Verdict.SAME_SCENE and not result.matches
    assert result.same_scene == stated.same_scene


def test_what_the_search_matches_gets_its_picture_edits(
        busy_camera: tuple[Path, Path], tmp_path: Path) -> None:
    # The verify pipeline gives an original the search newly matched the edits seen in its
    # pictures, as any match: here the repost's letterbox. (A burned-in caption lays the
    # pictures too loosely for the search to confirm anything: fit 0.16 against 0.1.)
    from provenance import pipeline

    repost, db = busy_camera
    boxed = tmp_path / "letterboxed.mp4"
    syn.write_video(str(boxed), (syn.letterbox(640, 480)(frame)
                                 for _, frame in syn.read_frames(str(repost))), 25.0)
    decoded = provider.decode(str(boxed), 4.0)
    stated = _as_same_scene("cam-c", decoded.fingerprint.duration, 12)
    with Library(db) as library:
        result, stored = pipeline._searched(str(boxed), decoded, stated, {}, library)
    assert set(stored) == {"cam-c"} and stored["cam-c"] is not None
    (found,) = result.matches
    assert Edit.LETTERBOX in {e.kind for e in found.edits}


def test_a_fingerprint_file_leaves_open_what_only_the_check_could_confirm() -> None:
    # Verified from a fingerprint file there are no frames for the moment check: a piece cut at
    # a splice, or a changed speed, is not confirmed, so its moment is left open.
    spliced = replace(_segment((0.0, 4.0), 10.0), spliced=True)
    faster = _segment((4.0, 8.0), 20.0, speed=1.25)
    kept = _segment((8.0, 12.0), 30.0)
    stated = align.AlignResult(Verdict.MATCH, 0.9, "12.0 s line up", (
        Alignment("cam-a", 0.9, (spliced, faster, kept)),), (), ())
    hashes = syn.np.arange(48, dtype=syn.np.uint64)
    result = moment.unchecked_stage(stated, make_fp(hashes, hashes))
    assert [(s.query_start, s.query_end) for m in result.matches for s in m.segments] == [
        (8.0, 12.0)]
    pieces = [s for a in result.same_scene for s in a.segments]
    assert [(s.query_start, s.query_end) for s in pieces] == [(0.0, 4.0), (4.0, 8.0)]
    assert all(s.unsettled and not s.spliced for s in pieces)
    # The reason names the original whose seconds it takes apart (a picture inside the frame
    # may be another camera than the footage that lines up).
    assert "4.0 s of cam-a cut from a longer view" in result.reason
    assert "could not be confirmed as the very moment" in result.reason


@pytest.mark.parametrize("read_as", [(1.28, 7.8), (1.22, 8.15)])
def test_a_changed_speed_read_a_little_off_is_placed_again_by_its_pictures(
        media: Media, library_path: Path, tmp_path: Path, read_as: tuple[float, float]) -> None:
    # Speeds come from 4-a-second samples: the desk audit's 1.25x copy read 1.28, its start
    # 0.3 s early. The pictures at the original's instants place it to a frame. (At 12.5 fps
    # every frame of the 10 fps original is kept, so the repost at t shows 8 + 1.25 t exactly.)
    fast = _encode(tmp_path / "fast.mp4", media.cam_a, 8, 12, "-vf", "setpts=PTS/1.25,fps=12.5")
    speed, start = read_as
    read = _segment((0.0, 9.0), start, speed=speed)
    checked, _ = _staged(fast, library_path, read,
                                (DetectedEdit(Edit.SPEED, speed=speed),))
    assert checked.verdict is Verdict.MATCH
    (match,) = checked.matches
    (placed,) = match.segments
    assert placed.speed == pytest.approx(1.25, abs=0.01)
    # Where the repost is mapped, to within a frame of the original (0.1 s), start to end.
    for time in (0.5, 4.5, 8.5):
        mapped = placed.reference_start + placed.speed * (time - placed.query_start)
        assert mapped == pytest.approx(8.0 + 1.25 * time, abs=0.1), time
    assert (placed.query_start, placed.query_end) == (0.0, 9.0)  # the intervals still tile
    assert [e.speed for e in match.edits if e.kind is Edit.SPEED] == [placed.speed]


def test_a_speed_read_within_sampling_jitter_of_the_originals_is_the_originals(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # An unedited excerpt whose segment came out of the aligner at 1.015x: placed by its
    # pictures, it is the original's own speed, and no speed edit is said.
    plain = _encode(tmp_path / "plain.mp4", media.cam_a, 8, 12)
    read = _segment((0.0, 11.0), 7.95, speed=1.015)
    checked, _ = _staged(plain, library_path, read, (DetectedEdit(Edit.SPEED, speed=1.015),))
    assert checked.verdict is Verdict.MATCH
    (match,) = checked.matches
    (placed,) = match.segments
    assert placed.speed == 1.0 and placed.reference_start == pytest.approx(8.0, abs=0.1)
    assert not any(e.kind is Edit.SPEED for e in match.edits)


def test_a_copy_sped_up_around_a_frozen_frame_is_matched_at_its_speed(
        busy_camera: tuple[Path, Path], tmp_path: Path) -> None:
    # A busy camera's seconds 2-8.25 played 1.25x faster, its last frame held 2 s, then its seconds
    # 8.25-17 at 1.25x. Each sped-up piece is only part of the repost's view of camera A, and a
    # speed may not be fitted to a piece of a longer view; at the original's speed the pieces
    # drifted off their moment and were "the same camera at another moment". The held picture
    # ends each piece as a cut would: both are matched at their speed and offset, the frozen
    # seconds are not, and the reason says why.
    result = _busy_edit(busy_camera, tmp_path, "[0:v]trim=2:8.25,setpts=(PTS-STARTPTS)/1.25,"
                        "fps=25,tpad=stop_mode=clone:stop_duration=2[a];[0:v]trim=8.25:17,"
                        "setpts=(PTS-STARTPTS)/1.25,fps=25[b];[a][b]concat=n=2[v]")
    assert result.verdict is Verdict.MATCH, result.reason
    (match,) = result.matches
    assert any(e.kind is Edit.SPEED for e in match.edits), match.edits
    _assert_pieces(match.segments, [((0.0, 5.0), 2.0), ((7.0, 14.0), 8.25)], 1.25)
    # The freeze is 5.0-7.0 s; the pieces' ends are sample times (a quarter of a second apart).
    assert _seconds(result.matches, (5.0, 7.0)) <= 0.55, result.matches
    assert _seconds(result.matches, (5.6, 7.0)) == 0.0, result.matches
    assert not any(not s.unsettled for a in result.same_scene for s in a.segments)
    assert "the repost holds one picture for" in result.reason
    # Every report says the held stretch is a frozen frame, not a moment left open.
    held = [s for a in result.same_scene for s in a.segments if s.held]
    assert held and _seconds(result.same_scene, (5.6, 7.0)) >= 1.3, result.same_scene
    assert all(s.query_start >= 4.5 and s.query_end <= 7.5 for s in held), held
    assert result.finding is not None and "a frozen frame: " in result.finding.summary
    assert "moment the evidence does not establish" not in result.finding.summary
    payload = json_report.to_dict(result)
    jsonschema.Draft202012Validator(json_report.schema()).validate(payload)
    assert "Same camera/view, one picture held (a frozen frame):" in to_text(result)
    assert "cam-c, one picture held (a frozen frame)" in to_html(payload)


def test_a_quiet_camera_sped_up_around_a_frozen_frame_is_matched_piece_by_piece(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # Camera A's seconds 4-10 played at 1.25x (4.8 s), its last picture held 2 s, then its
    # seconds 10-22 at 1.25x (9.6 s): an edit that freezes a frame joins two pieces, each
    # lined up at its own offset (``align._parts_between_held``). Camera A moves little: sought
    # over the whole repost, 1x lined up a little of both pieces and outvoted 1.25x.
    path = tmp_path / "fast-held.mp4"
    _ffmpeg("-i", str(media.cam_a), "-filter_complex",
            "[0:v]split[a][b];[a]trim=4:10,setpts=(PTS-STARTPTS)/1.25,"
            "tpad=stop_mode=clone:stop_duration=2[x];[b]trim=10:22,setpts=(PTS-STARTPTS)/1.25[y];"
            "[x][y]concat=n=2:v=1:a=0,fps=25[v]",
            "-map", "[v]", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path))
    result = _verified(path, library_path, tmp_path)
    segments = [s for a in result.matches for s in a.segments]
    # Each piece at its offset: the original's 4 s at the repost's 0, its 10 s at 6.8 s.
    _assert_pieces(segments, [((0.0, 4.8), 4.0), ((6.8, 14.4), 10.0)], 1.25, tolerance=0.15)
    assert not _seconds(result.matches, (4.9, 6.7)), result  # no footage plays in the freeze
    assert all(s.held for a in result.same_scene for s in a.segments
               if s.query_start < 6.5 and s.query_end > 5.0), result


def test_a_montage_of_one_camera_sped_up_is_matched_piece_by_piece(
        busy_camera: tuple[Path, Path], tmp_path: Path) -> None:
    # A busy camera's seconds 2-8 and 10-20, both played at 1.25x, joined without a cut the
    # picture shows (the same view on either side of a 2 s jump). Each piece is only part of
    # the repost's view of the camera, and a speed may not be fitted to a piece of a longer
    # view unless the rest of it lines up at that speed too (``align._rest_at_speed``): it
    # does, so both are matched at their offsets and the jump is said, where it was "another
    # moment".
    result = _busy_edit(busy_camera, tmp_path, _two_pieces_at((2, 8), (10, 20), 1.25))
    assert result.verdict is Verdict.MATCH, result.reason
    (match,) = result.matches
    assert all(abs(s.speed - 1.25) <= 0.04 for s in match.segments), match.segments
    _assert_pieces(match.segments, [((0.0, 4.8), 2.0), ((4.8, 12.8), 10.0)], 1.25)
    assert result.finding is not None and "not shown" in result.finding.summary, \
        result.finding


def test_an_alternative_speed_is_tried_where_1x_lays_its_pictures_too_loosely_to_judge(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # Camera A's 8-16 s played at 1.25x, read by the aligner at 1x with 1.25x as an
    # alternative. At a wrong mapping the pictures can lie too far apart to judge the moment
    # (the car park at 1x around a freeze: fit 0.108 against 0.1), and the alternative was then
    # never tried, leaving registered footage "not established"; it is measured all the same,
    # and taken where it confirms the moment.
    fast = _encode(tmp_path / "fast.mp4", media.cam_a, 8, 8, "-vf", "setpts=PTS/1.25")
    decoded = _decoded(fast)
    read = replace(_segment((0.0, 6.4), 8.4), alternatives=((1.25, 8.0),))
    with Library(library_path) as library:
        local = library.local_data("cam-a")
    assert local is not None
    candidates = moment.placements(decoded, Alignment("cam-a", 0.9, (read,)))
    at_1x = moment.check_segment(decoded, local, read, candidates[0])
    assert at_1x.measured and not at_1x.confirms(PARAMS)
    loose = replace(at_1x, fit=PARAMS.moment_max_fit + 0.01)
    assert not loose.judged(PARAMS)
    placed, check, _ = moment._at_alternative_speed(decoded, local, read, loose, candidates,
                                                    0.0, PARAMS)
    assert placed.speed == pytest.approx(1.25, abs=0.02) and check.confirms(PARAMS), placed
    # Through the 1x mapping's middle (0.4 s off there), the check's own shifts making up
    # the rest (``_placed_again`` then places it).
    assert placed.reference_start == pytest.approx(8.0, abs=0.5), placed


def test_two_short_pieces_of_a_busy_camera_sped_up_are_matched_at_their_speed(
        busy_camera: tuple[Path, Path], tmp_path: Path) -> None:
    # The busy camera's seconds 3-9 and 14-20, both played at 1.5x: two 4 s pieces of one view,
    # each on too little motion evidence for a segment at its speed of its own. The first was
    # read at 1x with only the speeds next to 1 as alternatives for the pictures, which showed
    # another moment at 1x; the speed that drew the most votes is an alternative too.
    result = _busy_edit(busy_camera, tmp_path, _two_pieces_at((3, 9), (14, 20), 1.5))
    assert result.verdict is Verdict.MATCH, result.reason
    assert not any(s.moment is not None and s.moment >= PARAMS.moment_ratio
                   for a in result.same_scene for s in a.segments), result.same_scene
    (match,) = result.matches
    first = [s for s in match.segments if s.query_start < 2.0]
    _assert_pieces(first, [((0.0, 4.0), 3.0)], 1.5)
    # The second piece, tried at the speeds that drew the most votes (1.12x-1.4x, as many),
    # stands at the one whose pictures confirm the moment, placed within 0.3 s at its middle.
    (second,) = [s for s in match.segments if s.query_start >= 2.0]
    assert second.query_end - second.query_start >= 3.2 and second.speed > 1.3, second
    assert second.speed * 6.0 + second.offset == pytest.approx(17.0, abs=0.3), second


def test_the_search_tries_the_changed_speed_the_views_motion_lines_up_at(
        busy_camera: tuple[Path, Path], tmp_path: Path) -> None:
    # The busy camera's seconds 6-14 played at 1.5x, as if the aligner had found no segment and
    # left the view open with the speed its motion lined up best at (``Segment.alternatives``):
    # the search finds the registered moment at that speed, where at 1x it finds nothing.
    fast = tmp_path / "fast.mp4"
    _ffmpeg("-i", str(busy_camera[0].with_name("cam.mp4")), "-vf",
            "trim=6:14,setpts=(PTS-STARTPTS)/1.5", "-an", "-c:v", "libx264", "-pix_fmt",
            "yuv420p", str(fast))
    decoded = provider.decode(str(fast), 4.0)
    duration = decoded.fingerprint.duration
    plain = _as_same_scene("cam-c", duration, 0)
    (view,) = plain.same_scene
    at_speed = replace(plain, same_scene=(replace(view, segments=tuple(
        replace(s, alternatives=((1.4, 6.2),)) for s in view.segments)),))
    with Library(busy_camera[1]) as library:
        assert not moment.search_stage(decoded, plain, library)[0].matches
        result, _ = moment.search_stage(decoded, at_speed, library)
    (found,) = result.matches
    assert any(e.kind is Edit.SPEED for e in found.edits), found.edits
    for segment in found.segments:
        assert segment.speed == pytest.approx(1.4) and segment.spliced
        middle = segment.query_middle
        assert segment.speed * middle + segment.offset == pytest.approx(6.0 + 1.5 * middle,
                                                                        abs=0.4)
    assert sum(s.query_end - s.query_start for s in found.segments) >= 2.0


def _leaving(background: syn.np.ndarray, colour: tuple[int, int, int], start_x: float,
             moving_s: float, still_s: float) -> list[syn.np.ndarray]:
    """10 frames a second of a fixed view: a figure crossing it left to right from ``start_x``
    (share of the width) at a steady pace for ``moving_s`` seconds, then the view empty."""
    height, width = background.shape[:2]
    noise = syn.np.random.default_rng(7).integers(0, 6, (5, height, width, 3), dtype=syn.np.uint8)
    frames = []
    for k in range(int(10 * (moving_s + still_s))):
        frame = background + noise[k % len(noise)]  # a sensor's noise: the view never frozen
        x = (start_x + 0.15 * k / 10) * width
        if k < 10 * moving_s:
            syn.cv2.circle(frame, (int(x), int(0.7 * height)), 30, colour, -1)
        frames.append(frame)
    return frames


def test_a_cut_to_another_moment_where_the_view_then_stands_still_is_not_matched(
        tmp_path: Path) -> None:
    # The car park's montage (other_moments.py --spliced): the registered piece ends as a car
    # leaves, the other moment starts as another car leaves along the same lane, then both
    # stand still. Motion lines up across the cut and nothing moves after it, so the other
    # moment's 8 s were matched; the picture jumps at the cut, the original's does not.
    background = syn.CCTVScene(seed=606, width=480, height=270).background
    recorded = [*(background.copy() for _ in range(10)),
                *_leaving(background, (30, 30, 30), 0.2, 5.8, 10.2)]
    original = tmp_path / "cam.mp4"
    syn.write_video(str(original), recorded, 10.0)
    library_path = tmp_path / "cam.db"
    settings = load_settings(db=library_path, cache_dir=tmp_path / "cache")
    with Library(library_path, create=True) as library:
        register(str(original), Original(id="cam-a", source="test"), library, settings)
    # Seconds 1-6 of the recording (the figure crossing), then another figure leaving the view
    # just ahead of where the first was, and the view empty for 7.4 s.
    other = _leaving(background, (250, 250, 250), 0.98, 0.6, 7.4)
    query = tmp_path / "montage.mp4"
    syn.write_video(str(query), [*recorded[10:60], *other], 10.0)
    jumps = provider.decode(str(query), 4.0).jumps(4.5, 5.5)
    assert [(jump.time, jump.moves_on) for jump in jumps] == [(pytest.approx(5.0), True)]
    result = _verified(query, library_path, tmp_path)
    assert _seconds(result.matches, (0.0, 5.0), offset=1.0) >= 4.5, result
    assert _seconds(result.matches, (5.2, 13.0)) == 0.0, result
    assert _seconds(result.same_scene, (5.2, 13.0)) >= 7.5, result
    # A copy of the recording without the cut: one segment, no jump.
    copy = tmp_path / "copy.mp4"
    syn.write_video(str(copy), recorded[10:140], 10.0)
    assert provider.decode(str(copy), 4.0).jumps(0.0, 13.0) == []
    result = _verified(copy, library_path, tmp_path)
    assert _seconds(result.matches, (0.0, 13.0), offset=1.0) >= 12.5, result


def _timed_captions(frames: list[syn.np.ndarray], fps: float) -> list[syn.np.ndarray]:
    """other_moments.py's "timed captions": a subtitle over seconds 1-4, another over 4.5-7,
    a banner across the middle over 7.5-9."""
    first = syn.caption("The footage shows the control room")
    second = syn.caption("filmed on 22 October 2015")

    def banner(frame: syn.np.ndarray) -> syn.np.ndarray:
        out = frame.copy()
        height, width = out.shape[:2]
        syn.cv2.rectangle(out, (width // 6, int(height * 0.38)),
                          (5 * width // 6, int(height * 0.52)), (0, 0, 0), -1)
        syn.cv2.putText(out, "SHARE IF YOU AGREE", (width // 6 + 10, int(height * 0.48)),
                        syn.cv2.FONT_HERSHEY_SIMPLEX, 1.1, (0, 255, 255), 3)
        return out

    shown = [(1.0, 4.0, first), (4.5, 7.0, second), (7.5, 9.0, banner)]
    return [next((edit(frame) for start, end, edit in shown if start <= k / fps < end), frame)
            for k, frame in enumerate(frames)]


def test_captions_that_come_and_go_are_no_evidence_of_another_moment(tmp_path: Path) -> None:
    # A fixed camera where little moves, reposted with subtitles and a banner that come and go
    # (other_moments.py --registered --edit "timed captions"): each coming and going changed
    # the samples as a moving thing does, and the registered moment was called another one.
    scene = syn.CCTVScene(seed=5, walkers_per_minute=2.0, length=120)
    original = tmp_path / "cam.mp4"
    syn.write_video(str(original), syn.render(scene, 0, 60, 25.0), 25.0)
    library_path = tmp_path / "cam.db"
    settings = load_settings(db=library_path, cache_dir=tmp_path / "cache")
    with Library(library_path, create=True) as library:
        register(str(original), Original(id="cam-a", source="test"), library, settings)
    excerpt = list(syn.excerpt(str(original), 8.0, 10.0, 25.0))
    captioned, plain = tmp_path / "captioned.mp4", tmp_path / "plain.mp4"
    syn.write_video(str(captioned), _timed_captions(excerpt, 25.0), 25.0)
    syn.write_video(str(plain), excerpt, 25.0)
    # Each caption coming on or going off is a jump of part of the picture that then holds
    # still; the footage itself holds none.
    decoded = provider.decode(str(captioned), 4.0)
    laid = decoded.fingerprint.times[decoded.overlay_samples()]
    # (a sample holds the change since the one before it, a quarter of a second earlier)
    events = [1.0, 4.0, 4.5, 7.0, 7.5, 9.0]
    assert len(laid) == len(events)
    assert all(0.0 <= t - event < 0.25 + 0.04 for t, event in zip(laid, events, strict=True))
    assert not decoded.fingerprint.coherence[decoded.overlay_samples()].any()
    assert not len(provider.decode(str(plain), 4.0).overlay_samples())
    # As recorded, the moment cannot be told (too little moves); captioned, it is not called
    # another moment either.
    for path in (plain, captioned):
        result = _verified(path, library_path, tmp_path)
        assert result.verdict is Verdict.INCONCLUSIVE, result
        assert all(s.unsettled for a in result.same_scene for s in a.segments), result


def test_what_changes_inside_a_picture_laid_over_the_repost_is_not_compared(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    # A news ticker over the true moment: its dark bar shifts every pixel's z-score and its
    # text changes in every frame, so the repost's pictures were laid loosely and differed
    # from the original's at the very instant about as much as a moment before (here 0.86;
    # the room's registered windows under a ticker, other_moments.py --registered --edit
    # "news ticker"). The match's overlay boxes are left out (``Placement.hidden``).
    from tests.test_match_cases import _with_ticker

    query = tmp_path / "ticker.mp4"
    syn.write_video(str(query), _with_ticker(list(syn.excerpt(str(media.cam_a), 8.0, 12.0,
                                                               FPS)), FPS), FPS)
    decoded = _decoded(query)
    with Library(library_path) as library:
        local = library.local_data("cam-a")
    assert local is not None
    whole = (0.0, 0.0, 1.0, 1.0)
    truth = _segment((0.0, 11.0), 8.0)
    seen = moment.check_segment(decoded, local, truth, moment.Placement(whole, whole, False))
    hidden = moment.check_segment(decoded, local, truth, moment.Placement(
        whole, whole, False, hidden=((0.0, 0.86, 1.0, 1.0),)))
    assert hidden.ratio is not None and seen.ratio is not None
    assert hidden.ratio < seen.ratio and hidden.ratio < 0.5
    # The match's overlay box is hidden where its picture moves (provider.MOVING_LAID_CHANGE).
    bar = (0.0, 0.86, 1.0, 1.0)
    overlay = (DetectedEdit(Edit.OVERLAY, boxes=(bar,)),)
    (placement, *_) = moment.placements(decoded, Alignment("cam-a", 0.9, (truth,), overlay))
    assert placement.hidden == (bar,)
