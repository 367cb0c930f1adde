"""The fast decoder (PyAV): the same samples as decoding every frame, for less decoding.

Variable frame rate: test_frames_fingerprint.py samples it with both decoders."""

from __future__ import annotations

import os
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from provenance import decode
from provenance import fingerprint as fpm
from provenance.errors import MediaError, SettingsError
from provenance.frames import VideoStream, chosen_decoder
from tests import synthetic as syn
from tests.conftest import Media

_ARRAYS = ("times", "scene", "mirror", "motion", "motion_mirror", "motion_energy", "informative")


def _encode(path: Path, *args: str, seconds: int = 6, rate: int = 30) -> Path:
    """Non-repeating content (mandelbrot zoom) encoded with the bundled ffmpeg."""
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                    "-i", f"mandelbrot=size=320x240:rate={rate}", "-t", str(seconds), *args,
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def _assert_same(fast: fpm.Fingerprint, full: fpm.Fingerprint) -> None:
    # Times to within float rounding (OpenCV reports milliseconds), hashes bit for bit.
    assert np.allclose(fast.times, full.times, rtol=0, atol=1e-9)
    for name in _ARRAYS[1:]:
        assert np.array_equal(getattr(fast, name), getattr(full, name)), name


def _packet_times(path: Path) -> list[Fraction]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = stream.start_time or 0
        return sorted((p.pts - start) * stream.time_base for p in container.demux(stream)
                      if p.pts is not None)


@pytest.fixture(scope="module")
def b_frames(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 fps H.264 with B frames (x264 defaults): the case where frames are skipped."""
    return _encode(tmp_path_factory.mktemp("decode") / "b-frames.mp4", "-c:v", "libx264")


def test_fast_fingerprint_is_the_full_decode_one_bit_for_bit(b_frames: Path) -> None:
    full = fpm.fingerprint_video(str(b_frames), 4.0, decoder="full")
    fast = fpm.fingerprint_video(str(b_frames), 4.0, decoder="fast")
    _assert_same(fast, full)
    assert (full.decoder, fast.decoder) == ("opencv", "pyav-nonref")
    decoder = decode.FastDecoder(str(b_frames))
    try:
        assert len(list(decoder.frames(0.25))) == len(fast)
        assert decoder.decoded < 0.8 * decoder.packets  # it did skip frames
    finally:
        decoder.close()


def test_timestamps_are_the_stream_presentation_times(b_frames: Path) -> None:
    fast = fpm.fingerprint_video(str(b_frames), 4.0, decoder="fast")
    exact = {float(t) for t in _packet_times(b_frames)}
    assert set(fast.times.tolist()) <= exact
    # 30 fps: the first frame at or after each 0.25 s instant.
    expected = [float(Fraction(-(-k * 30 // 4), 30)) for k in range(len(fast))]
    assert fast.times.tolist() == pytest.approx(expected, abs=1e-9)


def test_a_dense_grid_decodes_a_frame_after_each_of_its_instants_and_moves_no_sample(
        b_frames: Path) -> None:
    # The moment check's frames: the first frame in each 1/15 s is decoded (x264's B frames
    # are skipped otherwise) and shown to on_frame, once, in presentation order.
    plain = decode.FastDecoder(str(b_frames))
    dense = decode.FastDecoder(str(b_frames))
    seen: list[float] = []
    try:
        samples = list(plain.frames(0.25))
        with_dense = list(dense.frames(0.25, lambda t, _: seen.append(t),
                                      decode.DenseGrid(1 / 15)))
        assert [t for t, _ in with_dense] == [t for t, _ in samples]
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(with_dense, samples,
                                                                 strict=True))
        assert plain.decoded < dense.decoded < dense.packets
    finally:
        plain.close()
        dense.close()
    exact = sorted(float(t) for t in _packet_times(b_frames))
    firsts = sorted({next(t for t in exact if t >= k / 15 - 1e-9)
                     for k in range(int(exact[-1] * 15) + 1)})
    assert seen == firsts


def test_a_dense_grid_with_a_period_keeps_frames_only_in_its_windows(b_frames: Path) -> None:
    # A long query's budget: moment frames in the first second of every 2 s only.
    decoder = decode.FastDecoder(str(b_frames))
    seen: list[float] = []
    try:
        list(decoder.frames(0.25, lambda t, _: seen.append(t), decode.DenseGrid(1 / 15, 2.0, 1.0)))
    finally:
        decoder.close()
    assert seen and all(t % 2.0 < 1.0 + 1 / 30 for t in seen)
    assert {int(t) for t in seen} == {0, 2, 4}  # 6 s of video


def _decode_counts(path: Path) -> tuple[int, int, int]:
    """(packets, frames decoded, packets never handed to the decoder) of the fast decoder."""
    decoder = decode.FastDecoder(str(path))
    try:
        for _ in decoder.frames(0.25):
            pass
        return decoder.packets, decoder.decoded, decoder.dropped
    finally:
        decoder.close()


def test_all_intra_stream_decodes_only_the_sampled_frames(tmp_path: Path) -> None:
    # Every frame an IDR picture: no frame depends on another, so only sampled ones are decoded.
    path = _encode(tmp_path / "intra.mp4", "-c:v", "libx264", "-g", "1", seconds=4)
    fast = fpm.fingerprint_video(str(path), 4.0, decoder="fast")
    _assert_same(fast, fpm.fingerprint_video(str(path), 4.0, decoder="full"))
    assert fast.decoder == "pyav-nonref"
    packets, decoded, dropped = _decode_counts(path)
    assert (packets, decoded, dropped) == (120, len(fast), 120 - len(fast))


@pytest.mark.parametrize("container", ["mp4", "ts"])
def test_frames_before_an_idr_picture_that_no_sample_needs_are_not_decoded(
    tmp_path: Path, container: str
) -> None:
    # H.264 Baseline: no B frames, every frame a reference (so NONREF skips nothing), an IDR
    # picture every 10 frames; the frames after a group's last sample feed nothing sampled.
    # MPEG-TS carries the NAL units with start codes (Annex B), MP4 with length prefixes.
    path = _encode(tmp_path / f"baseline.{container}", "-c:v", "libx264", "-profile:v",
                   "baseline", "-x264-params", "keyint=10:min-keyint=10:scenecut=0", rate=25)
    fast = fpm.fingerprint_video(str(path), 4.0, decoder="fast")
    _assert_same(fast, fpm.fingerprint_video(str(path), 4.0, decoder="full"))
    packets, decoded, dropped = _decode_counts(path)
    # 25 fps, 4 samples a second: frames 0, 7, 13, 19 of each 25 are sampled; in each group of
    # 10 the ones after its last sample are left (frames 8-9 of 0-9, 20-24 of 20-29...).
    assert packets == 150 and dropped > 20 and decoded + dropped == packets


def test_variable_frame_rate_with_short_groups(tmp_path: Path) -> None:
    # 30 fps then 5 fps, an IDR picture every 12 frames: frames are left undecoded at both rates.
    path = tmp_path / "vfr-groups.mp4"
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                    "-i", "mandelbrot=size=320x240:rate=30", "-frames:v", "120",
                    "-vf", "setpts='if(lt(N,90),N/30,3+(N-90)/5)/TB'", "-fps_mode", "vfr",
                    "-c:v", "libx264", "-x264-params", "keyint=12:min-keyint=12:scenecut=0",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    fast = fpm.fingerprint_video(str(path), 4.0, decoder="fast")
    _assert_same(fast, fpm.fingerprint_video(str(path), 4.0, decoder="full"))
    assert set(fast.times.tolist()) <= {float(t) for t in _packet_times(path)}
    assert _decode_counts(path)[2] > 0


def test_nothing_is_left_undecoded_when_every_frame_is_sampled(tmp_path: Path) -> None:
    path = _encode(tmp_path / "slow.mp4", "-c:v", "libx264", "-g", "4", rate=4)
    fast = fpm.fingerprint_video(str(path), 4.0, decoder="fast")
    _assert_same(fast, fpm.fingerprint_video(str(path), 4.0, decoder="full"))
    assert fast.decoder == "pyav-full"


def test_nal_unit_types_of_both_layouts() -> None:
    sps, idr, sei = b"\x67\x42\x00\x1e", b"\x65\x88\x84", b"\x06\x05\x01"
    prefixed = b"".join(len(nal).to_bytes(4, "big") + nal for nal in (sps, sei, idr))
    assert decode.nal_types(prefixed, 4) == {7, 6, 5}
    assert decode.nal_types(prefixed[:-1], 4) == {7, 6, 5, -1}  # cut short
    annex_b = b"\x00\x00\x00\x01" + sps + b"\x00\x00\x01" + idr
    assert decode.nal_types(annex_b, 0) == {7, 5}
    assert decode.nal_types(b"\x12\x34", 0) == {-1}


def test_open_gop_stream(tmp_path: Path) -> None:
    # Open GOPs: B frames after a non-IDR keyframe refer to the GOP before it.
    path = _encode(tmp_path / "open-gop.mp4", "-c:v", "libx264", "-x264-params",
                   "open-gop=1:keyint=20:min-keyint=20:scenecut=0:bframes=3", seconds=5)
    fast = fpm.fingerprint_video(str(path), 4.0, decoder="fast")
    _assert_same(fast, fpm.fingerprint_video(str(path), 4.0, decoder="full"))
    assert fast.decoder == "pyav-nonref"
    assert set(fast.times.tolist()) <= {float(t) for t in _packet_times(path)}


def test_samples_too_far_from_decoded_frames_fall_back_to_decoding_every_frame(
    b_frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend no sample needs a non-reference frame (as lying timestamps could): samples come
    # from the nearest decoded frame within the tolerance...
    monkeypatch.setattr(decode._Picker, "sampled", lambda self, time, known: False)
    full = fpm.fingerprint_video(str(b_frames), 4.0, decoder="full")
    near = fpm.fingerprint_video(str(b_frames), 4.0, decoder="fast")
    shift = np.abs(near.times - full.times)
    assert len(near) == len(full) and shift.max() <= 0.05 + 1e-9 and shift.max() > 0
    # ...and beyond it the decoder seeks back and decodes every frame from there: the samples
    # are the full decode's again.
    monkeypatch.setattr(decode, "SKIP_TOLERANCE_SHARE", 0.01)
    fast = fpm.fingerprint_video(str(b_frames), 4.0, decoder="fast")
    _assert_same(fast, full)
    assert fast.decoder == "pyav-full"


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts Linux threads")
def test_decoder_starts_no_threads_even_after_falling_back(
    b_frames: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Threads cost CPU and save none (benchmarks/README.md): PyAV's default would start one
    # slice thread per core. The fallback path reopens the file when seeking misses.
    monkeypatch.setattr(decode.FastDecoder, "_seek", lambda self, time: self._reopen())
    monkeypatch.setattr(decode, "SKIP_TOLERANCE_SHARE", 0.01)
    monkeypatch.setattr(decode._Picker, "sampled", lambda self, time, known: False)
    before = _threads()
    decoder = decode.FastDecoder(str(b_frames))
    try:
        frames = decoder.frames(0.25)
        next(frames)
        assert _threads() == before
        assert len(list(frames)) > 10 and decoder.mode == "full"  # it fell back and reopened
        assert _threads() == before
        assert decoder._stream.codec_context.thread_count == decode.DECODER_THREADS == 1
    finally:
        decoder.close()


def test_picker_takes_the_nearest_decoded_frame_within_the_tolerance() -> None:
    picker = decode._Picker(step=0.25, tolerance=0.05)
    for t in (0.0, 0.1, 0.2, 0.3, 0.4):
        picker.seen(t)
    assert [t for t, _ in picker.offer(0.0, "a")] == [0.0]
    assert picker.offer(0.2, "c") == []  # 0.3 was skipped: a full decode samples it
    with pytest.raises(decode._TooFar) as far:
        picker.offer(0.4, "e")  # nearest decoded frames are 0.1 s from 0.3
    assert far.value.target == pytest.approx(0.3)


def test_decoder_is_recorded_in_saved_fingerprints(b_frames: Path, tmp_path: Path) -> None:
    fast = fpm.fingerprint_video(str(b_frames), 4.0)
    assert fast.decoder == "pyav-nonref"  # the default
    fpm.save(fast, str(tmp_path / "fp.npz"))
    assert fpm.load(str(tmp_path / "fp.npz")).decoder == "pyav-nonref"
    data = dict(np.load(tmp_path / "fp.npz"))
    del data["decoder"]  # a file written before decoders were recorded
    np.savez(tmp_path / "old.npz", **data)
    assert fpm.load(str(tmp_path / "old.npz")).decoder == "opencv"


def test_decoder_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROVENANCE_DECODER", raising=False)
    assert chosen_decoder() == "fast"
    monkeypatch.setenv("PROVENANCE_DECODER", "full")
    assert chosen_decoder() == "full" and chosen_decoder("fast") == "fast"
    monkeypatch.setenv("PROVENANCE_DECODER", "gpu")
    with pytest.raises(SettingsError, match="unknown decoder"):
        chosen_decoder()


def test_audio_only_file_is_a_media_error(media: Media) -> None:
    with pytest.raises(MediaError, match="no video stream"):
        VideoStream(str(media.no_frames), decoder="fast")


def test_grey_frames_after_sampling_come_from_a_full_decode(media: Media) -> None:
    with VideoStream(str(media.cam_a), decoder="fast") as stream:
        first = next(iter(stream.samples(4.0)))
        frames = stream.frames_at([1.0, 2.0])
    assert first.time == 0.0 and sorted(frames) == [1.0, 2.0]
    assert frames[1.0].ndim == 2


def _pictures(path: Path, decoder: str) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """Each sampled grey picture and, with the fast decoder, its colour thumb (a quarter of its
    width and height)."""
    greys: list[np.ndarray] = []
    colours: list[np.ndarray | None] = []
    with VideoStream(str(path), decoder=decoder) as stream:
        for _ in stream.samples(4.0, on_picture=lambda _t, grey, _box: greys.append(grey)):
            colours.append(stream.colour_thumb(greys[-1].shape[1] // 4, greys[-1].shape[0] // 4))
    return greys, colours


@pytest.mark.parametrize(("rotation", "turns"), [(90, 1), (-90, 3), (180, 2)])
def test_a_display_rotation_is_decoded_upright_as_a_player_shows_it(
        b_frames: Path, tmp_path: Path, rotation: int, turns: int) -> None:
    # A phone records its frames sideways and says how to show them (a display matrix); the
    # same coded frames, flagged, must be the very pictures turned, by either decoder (the fast
    # decoder handed them over as stored: its fingerprint and OpenCV's differed by 32 bits).
    flagged = tmp_path / f"phone{rotation}.mp4"
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error",
                    "-display_rotation", str(rotation), "-i", str(b_frames), "-c", "copy",
                    str(flagged)], check=True)
    stored_greys, stored_colours = _pictures(b_frames, "fast")
    greys, colours = _pictures(flagged, "fast")
    assert len(greys) == len(stored_greys) == len(colours)
    for grey, stored in zip(greys, stored_greys, strict=True):
        assert np.array_equal(grey, np.rot90(stored, turns))
    for colour, stored_colour in zip(colours, stored_colours, strict=True):
        assert colour is not None and stored_colour is not None
        assert np.array_equal(colour, np.rot90(stored_colour, turns))
    fast = fpm.fingerprint_video(str(flagged), 4.0, decoder="fast")
    full = fpm.fingerprint_video(str(flagged), 4.0, decoder="full")
    _assert_same(fast, full)
    shown = (240, 320) if turns % 2 else (320, 240)
    assert (fast.width, fast.height) == (full.width, full.height) == shown
