"""Decoding, border stripping and fingerprints, on video made by the fixtures."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from provenance import fingerprint as fpm
from provenance.errors import MediaError
from provenance.frames import Sample, StreamInfo, VideoStream, border_box, shrink, to_grey
from tests import synthetic as syn
from tests.conftest import Media, verify_json


def test_samples_follow_presentation_time(media: Media) -> None:
    with VideoStream(str(media.cam_a)) as stream:
        times = [s.time for s in stream.samples(4.0)]
    assert len(times) == pytest.approx(120, abs=2)
    assert np.allclose(np.diff(times), 0.25, atol=0.051)  # 10 fps source: within one frame
    assert times[0] == 0.0


def test_letterbox_and_caption_bars_are_stripped() -> None:
    scene = syn.CCTVScene(seed=5, width=480, height=270)
    frame = scene.frame(3.0)
    boxed = syn.chain(syn.letterbox(480, 400), syn.caption("22/10/2015 BREAKING"))(frame)
    top, bottom, left, right = border_box(boxed)
    assert (left, right) == (0, 480)
    assert abs(top - 65) <= 2 and abs(bottom - 335) <= 2
    assert border_box(frame) == (0, 270, 0, 480)  # no bars: nothing stripped


def test_bars_are_found_the_same_in_a_padded_plane() -> None:
    """Decoders hand over planes whose rows are padded (line size > width): bar detection reads
    strided views of them and must find what it finds in a contiguous copy."""
    scene = syn.CCTVScene(seed=7, width=480, height=270)
    boxed = syn.chain(syn.letterbox(480, 400), syn.caption("22/10/2015 BREAKING"))(
        scene.frame(2.0))
    grey = to_grey(boxed)
    padded = np.zeros((grey.shape[0], grey.shape[1] + 32), np.uint8)
    padded[:, :grey.shape[1]] = grey
    view = padded[:, :grey.shape[1]]
    assert not view.flags.c_contiguous
    box = border_box(view)
    assert box == border_box(grey.copy()) == border_box(np.ascontiguousarray(view))
    assert abs(box[0] - 65) <= 2 and abs(box[1] - 335) <= 2
    tall = np.zeros((grey.shape[1], grey.shape[0] + 32), np.uint8)  # pillarbox, padded rows
    tall[:, :grey.shape[0]] = grey.T
    portrait = tall[:, :grey.shape[0]]
    assert not portrait.flags.c_contiguous
    assert border_box(portrait) == border_box(portrait.copy())
    assert abs(border_box(portrait)[2] - 65) <= 2


@pytest.mark.parametrize("shape", [(270, 480), (271, 481), (480, 270), (97, 130)])
def test_bar_measures_read_from_whole_rows_equal_the_strided_probe_ones(
    shape: tuple[int, int]
) -> None:
    """Line steps and side roughness are computed on whole rows of the (padded) frame: the
    values must be those of the plain numpy formulas over the strided probe, bit for bit."""
    from provenance import frames

    rng = np.random.default_rng(sum(shape))
    padded = rng.integers(0, 256, (shape[0], shape[1] + 24), dtype=np.uint8)
    padded[:, :: 7] //= 3  # some structure besides noise
    grey = padded[:, : shape[1]]
    probe = grey[::2, ::2].astype(np.int16)
    for columns, lines in ((False, probe), (True, probe.T)):
        expected = np.abs(np.diff(lines, axis=0)).mean(axis=1)
        assert np.array_equal(frames._line_steps(grey, columns), expected)
    cols = probe.shape[1]
    for first, last in ((0, 5), (cols // 2 - 5, cols // 2 + 5), (cols - 5, cols)):
        steps = np.abs(np.diff(probe[:, first:last], axis=0))
        assert frames._roughness(grey, first, last) == int(steps.sum()) / steps.size


def test_fingerprint_round_trip_is_lossless(media: Media, tmp_path: Path) -> None:
    fp = fpm.fingerprint_video(str(media.cam_a), 4.0)
    path = tmp_path / "cam_a.npz"
    fpm.save(fp, str(path))
    loaded = fpm.load(str(path))
    for name in ("times", "scene", "mirror", "motion", "motion_mirror", "motion_energy",
                 "informative"):
        assert np.array_equal(getattr(fp, name), getattr(loaded, name))
    assert loaded.scene.dtype == np.uint64
    assert (loaded.duration, loaded.width, loaded.sample_fps) == (fp.duration, 480, 4.0)


def test_older_fingerprint_format_is_refused_with_the_fix(media: Media, tmp_path: Path) -> None:
    fp = fpm.fingerprint_video(str(media.unrelated), 4.0)
    path = tmp_path / "old.npz"
    fpm.save(fp, str(path))
    data = dict(np.load(path))
    data["version"] = np.asarray(0)
    np.savez(path, **data)
    with pytest.raises(MediaError, match="format v0") as caught:
        fpm.load(str(path))
    assert "provenance fingerprint" in (caught.value.hint or "")


def test_mirror_hash_is_the_hash_of_the_flipped_video(media: Media, tmp_path: Path) -> None:
    flipped = tmp_path / "flipped.mp4"
    syn.write_video(str(flipped), (syn.mirror(f) for _, f in syn.read_frames(str(media.cam_a))),
                    10.0, crf=18)
    original = fpm.fingerprint_video(str(media.cam_a), 4.0)
    mirrored = fpm.fingerprint_video(str(flipped), 4.0)
    n = min(len(original), len(mirrored))
    assert np.median(np.bitwise_count(mirrored.mirror[:n] ^ original.scene[:n])) <= 2
    assert np.median(np.bitwise_count(mirrored.scene[:n] ^ original.scene[:n])) >= 16


def test_a_fingerprint_played_backwards_is_the_fingerprint_of_the_reversed_frames() -> None:
    # The same thumbs in reverse order, hashed as a video: the scene hashes are the same
    # samples' and each change is the one after it negated (every bit flipped but the mean's
    # and the middle coefficient's: one bit), up to grey levels rounded the other way.
    scene = syn.CCTVScene(seed=7, width=320, height=180)
    thumbs = [shrink(to_grey(scene.frame(t))) for t in np.arange(0, 20, 0.25)]
    info = StreamInfo(path="", width=320, height=180, fps=4.0, frame_count=len(thumbs))
    forward = fpm.fingerprint_samples([Sample(0.25 * k, t) for k, t in enumerate(thumbs)],
                                      info, 4.0)
    reversed_ = fpm.fingerprint_samples(
        [Sample(0.25 * k, t) for k, t in enumerate(thumbs[::-1])], info, 4.0)
    computed = fpm.played_backwards(forward, frame_s=0.25)
    assert computed.times == pytest.approx(reversed_.times)
    assert computed.scene.tolist() == reversed_.scene.tolist()
    assert computed.motion_energy == pytest.approx(reversed_.motion_energy, abs=1e-4)
    for name in ("motion", "motion_mirror"):
        apart = np.bitwise_count(getattr(computed, name) ^ getattr(reversed_, name))
        assert np.median(apart) <= 1 and apart.max() <= 4, (name, apart)
        # the forward change into the same sample, not negated: nearly every bit differs
        shifted = getattr(forward, name)[::-1][:-1]
        assert np.median(np.bitwise_count(shifted ^ getattr(reversed_, name)[1:])) >= 48


def test_black_frames_are_not_evidence(media: Media) -> None:
    fp = fpm.fingerprint_video(str(media.flat), 4.0)
    assert not fp.informative.any()


@pytest.mark.parametrize("name", ["not_video", "empty", "no_frames"])
def test_unusable_files_raise_media_error_naming_the_file(media: Media, name: str) -> None:
    path = getattr(media, name)
    with pytest.raises(MediaError) as caught:
        fpm.fingerprint_video(str(path), 4.0)
    assert str(path) in caught.value.message


def test_missing_file_raises_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file"):
        fpm.fingerprint_video(str(tmp_path / "absent.mp4"), 4.0)


def test_batch_phash_is_imagehash_bit_for_bit() -> None:
    rng = np.random.default_rng(0)
    scene = syn.CCTVScene(seed=9, width=320, height=180)
    thumbs = [shrink(to_grey(scene.frame(t))) for t in np.linspace(0, 60, 120)]
    thumbs += [rng.integers(0, 256, (32, 32)).astype(np.uint8) for _ in range(120)]
    batch = np.stack(thumbs)
    scene_hashes, mirror_hashes = fpm.phash_batch(batch)
    assert scene_hashes.tolist() == [fpm.phash64(t) for t in batch]
    assert mirror_hashes.tolist() == [fpm.phash64(t[:, ::-1]) for t in batch]


def test_blurred_copy_bars_of_a_vertical_reframe_are_stripped() -> None:
    import cv2

    frame = syn.CCTVScene(seed=6, width=640, height=360).frame(4.0)
    # As platforms do it: the frame enlarged to fill 540x960, blurred, the frame on top.
    enlarged = cv2.resize(frame, (1707, 960))[:, 583:1123]
    canvas = cv2.blur(np.ascontiguousarray(enlarged), (41, 41))
    canvas[328:632] = cv2.resize(frame, (540, 304))
    top, bottom, left, right = border_box(canvas)
    assert abs(top - 328) <= 4 and abs(bottom - 632) <= 4 and (left, right) == (0, 540)


@pytest.mark.parametrize("decoder", ["fast", "full"])
def test_variable_frame_rate_is_sampled_by_timestamp(tmp_path: Path, decoder: str) -> None:
    # 90 frames over the first 3 s (30 fps), then 30 frames over the next 6 s (5 fps).
    path = tmp_path / "vfr.mp4"
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                    "-i", "mandelbrot=size=320x240:rate=30", "-frames:v", "120",
                    "-vf", "setpts='if(lt(N,90),N/30,3+(N-90)/5)/TB'", "-fps_mode", "vfr",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    with VideoStream(str(path), decoder=decoder) as stream:
        times = np.array([s.time for s in stream.samples(4.0)])
    assert times[-1] == pytest.approx(8.8, abs=0.01)
    assert np.all(np.diff(times) > 0)
    # Each sample is the first frame at or after a point of the 0.25 s grid: within one frame
    # interval of it (1/30 s in the first part, 1/5 s in the second), never drifting.
    lag = times - np.floor(times / 0.25 + 1e-9) * 0.25
    assert np.all(lag[times < 3.0] < 1 / 30 + 1e-6)
    assert np.all(lag[times >= 3.0] < 0.2 + 1e-6)
    assert times[12] == pytest.approx(3.0) and len(times) == 12 + 24  # 4 grid points a second


def _cut_off(media: Media, tmp_path: Path) -> tuple[Path, Path]:
    """(cam_a remuxed with its index first, the first half of that file's bytes)."""
    whole = tmp_path / "whole.mp4"
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i",
                    str(media.cam_a), "-c", "copy", "-movflags", "+faststart", str(whole)],
                   check=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.5)])
    return whole, cut


def test_truncated_file_fingerprints_what_decodes_and_warns(
    media: Media, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, cut = _cut_off(media, tmp_path)
    with caplog.at_level(logging.WARNING, logger="provenance"):
        fp = fpm.fingerprint_video(str(cut), 4.0)
    assert 5.0 < fp.duration < 25.0
    assert any("cut off or damaged" in r.getMessage() for r in caplog.records)


def test_a_verify_of_a_cut_off_file_says_only_its_beginning_was_examined(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    """What decodes of a file cut off is verified, and the result says so where it is read and
    published (the finding's summary, ``skipped``), not only in a warning on stderr."""
    whole, cut = _cut_off(media, tmp_path)
    report = verify_json(cut, library_path)
    assert report["verdict"] == "match"
    decoded = report["duration"]
    (said,) = [s for s in report["skipped"] if "cut off or damaged" in s]
    assert f"only its first {decoded:.1f} s of the 30.0 s" in said
    assert said in report["finding"]["summary"]
    # a whole file says nothing of the kind
    assert not any("cut off" in s for s in verify_json(whole, library_path)["skipped"])


def test_an_original_cut_off_at_registration_is_said_where_its_missing_part_matters(
        media: Media, tmp_path: Path) -> None:
    """The library records an original whose file decoded only partly, and a verify whose
    repost goes on past the part held says the rest may be that original's missing end."""
    from provenance.library import Library
    from provenance.models import Original
    from provenance.registry import register, reindex
    from provenance.settings import load_settings

    whole, cut = _cut_off(media, tmp_path)
    db = tmp_path / "cut.db"
    with Library(db, create=True) as library:
        stored, _ = register(str(cut), Original(id="cam-a-cut"), library,
                             load_settings(db=db, cache_dir=tmp_path / "cache"))
    assert stored.cut_off and stored.announced_duration == pytest.approx(30.0, abs=0.1)
    assert 5.0 < stored.duration < 25.0
    report = verify_json(whole, db)
    (alignment,) = report["matches"]
    assert alignment["announced_duration"] == stored.announced_duration
    held = f"the library holds only the first {stored.duration:.1f} s of cam-a-cut"
    assert held in report["finding"]["summary"]  # the repost goes on past what is held
    assert any(held in reason for reason in report["finding"]["reasons"])
    # What carries on the matched footage past the held end is the camera's view at a moment not
    # established, not "another moment", and the match is not "cut at a splice" there.
    assert report["same_scene"] and all(s["unsettled"] for a in report["same_scene"]
                                        for s in a["segments"])
    assert "another moment than the registered" not in report["finding"]["summary"]
    assert not any(s["spliced"] for s in alignment["segments"])
    from provenance.report import to_html
    # once, though the original is both matched and seen as the same scene here
    assert report["same_scene"] and \
        to_html(report).count("file of cam-a-cut: cut off at registration, of 30.0 s") == 1
    # A repost inside the part held needs no caution; the alignment still says it was cut off.
    clip = tmp_path / "inside.mp4"
    syn.write_video(str(clip), syn.excerpt(str(media.cam_a), 1.0, 6.0, 25.0), 25.0)
    inside = verify_json(clip, db)
    assert inside["verdict"] == "match" and held not in inside["finding"]["summary"]
    assert inside["matches"][0]["announced_duration"] == stored.announced_duration
    # A library made before the length was recorded (schema v9: 0 for every original) learns
    # it by a reindex.
    with closing(sqlite3.connect(db)) as raw, raw:
        raw.execute("UPDATE originals SET announced_duration = 0")
    with Library(db) as library:
        assert not library.get("cam-a-cut").cut_off
        reindexed = reindex("cam-a-cut", library, load_settings(db=db, cache_dir=tmp_path / "c"))
    assert reindexed.cut_off and reindexed.announced_duration == stored.announced_duration


def test_blurred_side_bars_of_vertical_video_in_a_landscape_frame_are_stripped() -> None:
    import cv2

    vertical = cv2.resize(syn.CCTVScene(seed=8, width=640, height=360).frame(2.0)[:, 219:421],
                          (304, 540))
    canvas = cv2.blur(cv2.resize(vertical, (960, 1706))[583:1123], (41, 41))
    canvas[:, 328:632] = vertical
    top, bottom, left, right = border_box(canvas)
    assert (top, bottom) == (0, 540) and abs(left - 328) <= 4 and abs(right - 632) <= 4


def test_fixed_crop_boxes_are_clipped_to_the_frame(media: Media) -> None:
    for box in ((0.2, 0.2, 0.6, 0.7), (0.99, 0.99, 1.0, 1.0), (-0.5, 0.0, 2.0, 1.0)):
        with VideoStream(str(media.cam_b)) as stream:
            first = next(iter(stream.samples(4.0, crop=box)))
        assert first.thumb.shape == (32, 32)


def _energies(values: list[float]) -> fpm.Fingerprint:
    from tests.test_align import make_fp
    n = len(values)
    fp = make_fp(np.zeros(n, np.uint64), np.zeros(n, np.uint64))
    return fpm.Fingerprint(**{**fp.__dict__, "motion_energy": np.asarray(values, np.float32)})


def test_a_frozen_frame_is_a_held_picture_and_a_quiet_or_slowed_scene_is_not() -> None:
    # 4 samples a second. A 2 s freeze (changes of 0-0.004, as re-encoded frozen frames measure)
    # with a keyframe redrawing it once (0.06) inside; a quiet room's compression noise
    # (0.02-0.3); a copy slowed to 0.67x, whose repeated frames make short runs of zeros.
    moving = [1.5, 0.8, 2.0, 1.1]
    freeze = [0.004, 0.0, 0.002, 0.06, 0.0, 0.0, 0.001, 0.0, 0.002]
    held = fpm.held_pictures(_energies([0.0, *moving, *freeze, *moving]))
    # the last moving sample already shows the frame that is then held
    assert held.tolist() == [False] * 4 + [True] * 10 + [False] * 4
    quiet = [0.29, 0.05, 0.02, 0.04, 0.017, 0.3, 0.03, 0.02] * 3
    slowed = [0.0, 0.0, 0.05, 0.0, 0.0, 0.0, 0.4, 0.0] * 3
    for values in (quiet, slowed, [0.0] * 3 + [1.0]):
        assert not fpm.held_pictures(_energies(values)).any(), values
