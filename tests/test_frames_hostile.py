"""Hostile video headers: absurd timestamps and giant frames end in a result or a MediaError,
in time linear in the frames decoded and without the memory a giant frame would take."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provenance.errors import MediaError
from provenance.fingerprint import fingerprint_video
from provenance.frames import MAX_FRAME_PIXELS, VideoStream
from tests import synthetic as syn


def _ffmpeg(*args: str) -> None:
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True)


def test_frames_a_billion_seconds_apart_are_sampled_once_each(tmp_path: Path,
                                                               library_path: Path) -> None:
    path = tmp_path / "jump.mkv"  # about 3 KB: three frames, 10^9 s apart
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=s=64x64:r=1", "-frames:v", "3",
            "-vf", "setpts=N*1000000000/TB", "-fps_mode", "passthrough", "-c:v", "libx264",
            str(path))
    with VideoStream(str(path)) as stream:
        times = [sample.time for sample in stream.samples(30.0)]
    assert times == pytest.approx([0.0, 1e9, 2e9])
    assert len(fingerprint_video(str(path), 4.0)) == 3
    # The whole verify (one decode feeding every stage through the frame provider) too.
    from provenance.pipeline import verify

    assert verify(str(path), library_path).duration == pytest.approx(2e9, rel=1e-3)


def test_a_few_frames_hours_apart_last_as_the_stream_says_and_are_said_too_few(
        tmp_path: Path, library_path: Path) -> None:
    """4 frames 3,000 s apart average 2,250 s a frame; the stream's header ends the last 1 s
    after it (ffmpeg: 2:30:01). 11,250 s had been reported, and "almost every frame is black,
    flat or faded" for a colourful test pattern."""
    path = tmp_path / "sparse.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=1", "-frames:v", "4",
            "-vf", "setpts=N*3000/TB", "-fps_mode", "passthrough", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", str(path))
    for decoder in ("fast", "full"):  # PyAV, and OpenCV decoding every frame
        fp = fingerprint_video(str(path), 4.0, decoder=decoder)
        assert len(fp) == 4 and fp.duration == pytest.approx(9001.0, abs=0.01), decoder
    from provenance.pipeline import verify

    result = verify(str(path), library_path)
    assert result.duration == pytest.approx(9001.0, abs=0.01)
    assert "holds 4 sampled frame(s)" in result.reason and "flat" not in result.reason


def test_frames_over_the_pixel_cap_are_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "giant.mkv"
    width, height = 8000, 6000
    assert width * height > MAX_FRAME_PIXELS
    _ffmpeg("-f", "lavfi", "-i", f"color=c=gray:s={width}x{height}:r=1", "-frames:v", "1",
            "-c:v", "mjpeg", str(path))
    with pytest.raises(MediaError, match="8000x6000 pixels"):
        fingerprint_video(str(path), 4.0)


def test_timestamps_going_back_are_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ten.mkv"
    _ffmpeg("-f", "lavfi", "-i", "mandelbrot=s=64x64:r=10", "-frames:v", "40", "-c:v", "mjpeg",
            str(path))
    # Muxers refuse to write timestamps that go back, so the OpenCV stream's clock is replaced:
    # frame 20 jumps to 1000 s, then the clock goes back to where it was.
    clock = [i / 10 for i in range(20)] + [1000.0] + [2.0 + i / 10 for i in range(19)]
    monkeypatch.setattr(VideoStream, "_frame_time", lambda self, index: clock[index])
    with VideoStream(str(path), decoder="full") as stream, caplog.at_level("WARNING"):
        times = [sample.time for sample in stream.samples(4.0)]
    assert times[-1] == 1000.0 and len(times) == 9
    assert "timestamps go back from 1000.0 s" in caplog.text
