"""Sound fingerprints and their alignment on seeded, non-repeating soundtracks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from provenance import audio
from tests import synthetic as syn
from tests import synthetic_audio as sa


def _codes(samples: np.ndarray, path: Path, bitrate: str = "64k") -> np.ndarray:
    wav = path.with_suffix(".wav")
    sa.write_wav(str(wav), samples)
    subprocess.run([syn.ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "aac",
                    "-b:a", bitrate, str(path)], check=True)
    return audio.fingerprint_audio(str(path), syn.ffmpeg_exe())


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    return _codes(sa.soundtrack(1, 0, 60), tmp_path_factory.mktemp("audio") / "ref.m4a")


def test_soundtrack_does_not_repeat() -> None:
    first, later = sa.soundtrack(1, 0, 5), sa.soundtrack(1, 30, 5)
    assert abs(float(np.corrcoef(first, later)[0, 1])) < 0.1
    assert np.array_equal(sa.soundtrack(1, 12.5, 2), sa.soundtrack(1, 12.5, 2))


@pytest.mark.parametrize("start", [3.0, 20.0, 41.5])
def test_excerpt_is_found_at_its_offset(reference: np.ndarray, tmp_path: Path,
                                        start: float) -> None:
    query = _codes(sa.soundtrack(1, start, 12), tmp_path / "q.m4a")
    segments = audio.align_audio(query, "ref", reference)
    assert segments, "an excerpt of the reference's sound must be found"
    for segment in segments:
        assert segment.reference_start - segment.query_start == pytest.approx(start, abs=0.2)
        assert segment.speed == 1.0
    assert sum(s.query_end - s.query_start for s in segments) >= 10.0


def test_excerpt_under_other_sound_is_found(reference: np.ndarray, tmp_path: Path) -> None:
    mixed = sa.soundtrack(1, 20, 12) + 0.25 * sa.soundtrack(7, 0, 12)
    segments = audio.align_audio(_codes(mixed, tmp_path / "mix.m4a"), "ref", reference)
    assert segments and segments[0].reference_start - segments[0].query_start == \
        pytest.approx(20.0, abs=0.2)


def test_other_sound_and_silence_are_not_found(reference: np.ndarray, tmp_path: Path) -> None:
    other = _codes(sa.soundtrack(2, 20, 12), tmp_path / "other.m4a")
    silence = _codes(np.zeros(12 * sa.RATE), tmp_path / "silence.m4a")
    assert audio.align_audio(other, "ref", reference) == []
    assert audio.align_audio(silence, "ref", reference) == []
    assert audio.compare(other, reference, 0, 12, 20.0, 1.0) == "different"
    assert audio.compare(silence, reference, 0, 12, 20.0, 1.0) == "none"


def test_compare_on_a_known_mapping(reference: np.ndarray, tmp_path: Path) -> None:
    query = _codes(sa.soundtrack(1, 20, 12), tmp_path / "q.m4a")
    assert audio.compare(query, reference, 0, 12, 20.0, 1.0) == "same"
    assert audio.compare(query, np.zeros(0, np.uint32), 0, 12, 20.0, 1.0) == "none"


def test_video_without_sound_has_no_codes(media_without_sound: Path) -> None:
    assert len(audio.fingerprint_audio(str(media_without_sound), syn.ffmpeg_exe())) == 0


@pytest.fixture
def media_without_sound(tmp_path: Path) -> Path:
    path = tmp_path / "silent.mp4"
    syn.write_video(str(path), (np.full((64, 64, 3), i, np.uint8) for i in range(20)), 10.0)
    return path


def test_sound_channel_round_trips_through_npz() -> None:
    from dataclasses import replace

    from provenance import fingerprint
    from tests.test_align import make_fp, random_hashes

    codes = np.array([1, 2**32 - 1, 77], dtype=np.uint32)
    rng = np.random.default_rng(3)
    fp = replace(make_fp(random_hashes(rng, 10), random_hashes(rng, 10)), audio=codes)
    back = fingerprint.from_bytes(fingerprint.to_bytes(fp))
    assert back.audio.dtype == np.uint32 and np.array_equal(back.audio, codes)


def test_speech_excerpt_is_found_and_other_speech_is_not(tmp_path: Path) -> None:
    reference = _codes(sa.speech(2, 0, 60), tmp_path / "speech.m4a")
    query = _codes(sa.speech(2, 31.5, 12), tmp_path / "q.m4a")
    segments = audio.align_audio(query, "ref", reference)
    assert segments and all(s.reference_start - s.query_start == pytest.approx(31.5, abs=0.2)
                            for s in segments)
    other = _codes(sa.speech(40, 31.5, 12), tmp_path / "other.m4a")
    assert audio.align_audio(other, "ref", reference) == []


def test_sound_under_louder_music_is_found_by_the_offset_scan(tmp_path: Path) -> None:
    reference = _codes(sa.speech(3, 0, 90), tmp_path / "speech.m4a")
    under = sa.speech(3, 47.0, 12) + 0.25 * sa.soundtrack(12, 0, 12)  # commentary music on top
    query = _codes(under, tmp_path / "under.m4a", "48k")
    assert audio.align_audio(query, "ref", reference) == []  # no equal codes to vote
    segments, left_out = audio.search(query, {"ref": reference})
    assert left_out == 0 and segments
    for segment in segments:
        assert segment.reference_start - segment.query_start == pytest.approx(47.0, abs=0.2)
    other = _codes(sa.speech(33, 47.0, 12) + 0.25 * sa.soundtrack(12, 0, 12),
                   tmp_path / "other.m4a", "48k")
    assert audio.search(other, {"ref": reference}) == ([], 0)


def test_sound_over_a_silent_track_is_added_and_over_no_codes_says_nothing(
        reference: np.ndarray) -> None:
    """``audio.added``: the query's sound over an original's silent track (one code again and
    again, as digital silence gives) is put under; over an original with sound it is not; an
    original without codes (no sound, or never fingerprinted) says nothing."""
    hush = np.full(len(reference), 12345, dtype=np.uint32)
    end = float(len(reference) * audio.HOP_S) - 1.0
    assert audio.added(reference, hush, 0.0, end, 0.0, 1.0)
    assert not audio.added(reference, reference, 0.0, end, 0.0, 1.0)
    assert not audio.added(reference, np.zeros(0, np.uint32), 0.0, end, 0.0, 1.0)
    assert not audio.added(hush, hush, 0.0, end, 0.0, 1.0)
