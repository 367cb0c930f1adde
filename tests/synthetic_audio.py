"""Seeded, non-repeating soundtracks for tests, samples and benchmarks.

Test scaffolding like ``tests/synthetic.py`` (not shipped).

Music-like: notes of random pitch and length with a few harmonics and an envelope, over a chord
that changes every few seconds, with bursts of filtered noise (steps, voices in a crowd). Like
``synthetic.CCTVScene``, the sound is a pure function of (seed, time), so a test can cut the
"same moment" out twice and know the truth. ``speech`` is speech-like: voiced syllables at a
wandering pitch through formant resonances, with pauses. Written with the bundled ffmpeg.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.synthetic import ffmpeg_exe

RATE = 22050
_BLOCK_S = 1.0


def _block(seed: int, index: int) -> np.ndarray:
    """One second of sound, drawn from its own seeded generator so any second can be rendered."""
    rng = np.random.default_rng((seed, index))
    t = np.arange(int(RATE * _BLOCK_S)) / RATE
    out = np.zeros_like(t)
    chord = 110.0 * 2 ** (rng.integers(0, 24, 3) / 12)
    for f in chord:
        out += 0.08 * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    start = 0.0
    while start < _BLOCK_S:
        length = float(rng.uniform(0.08, 0.35))
        f0 = 220.0 * 2 ** (rng.integers(0, 30) / 12)
        mask = (t >= start) & (t < start + length)
        local = t[mask] - start
        envelope = np.exp(-local * rng.uniform(3, 12)) * np.minimum(1.0, local * 200)
        note = sum(np.sin(2 * np.pi * f0 * k * local) / k for k in (1, 2, 3))
        out[mask] += 0.3 * envelope * note
        start += length
    if rng.random() < 0.5:
        burst = rng.normal(0, 0.15, len(t)) * np.exp(-((t - rng.uniform(0, 1)) / 0.05) ** 2)
        out += np.convolve(burst, np.ones(8) / 8, mode="same")
    return out


def _speech_block(seed: int, index: int) -> np.ndarray:
    """One second of speech-like sound: voiced syllables (a pulse train at a wandering pitch
    through two formant resonances) and pauses."""
    rng = np.random.default_rng((seed, index, 7))
    n = int(RATE * _BLOCK_S)
    out = np.zeros(n)
    at = 0
    while at < n:
        length = int(RATE * rng.uniform(0.08, 0.28))
        if rng.random() < 0.75:
            t = np.arange(length) / RATE
            pitch = rng.uniform(95, 230) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(1, 4) * t))
            phase = 2 * np.pi * np.cumsum(pitch) / RATE
            voice = sum(np.sin(k * phase) / k for k in range(1, 12))
            for formant in rng.uniform((300, 900), (900, 2600)):
                voice = voice + 0.6 * np.sin(2 * np.pi * formant * t) * np.sin(phase / 2) ** 2
            envelope = np.sin(np.pi * np.arange(length) / length) ** 0.5
            out[at:at + length] = (0.12 * voice * envelope)[: n - at]
        at += length + int(RATE * rng.uniform(0.0, 0.12))
    return out


def speech(seed: int, start: float, duration: float) -> np.ndarray:
    """``duration`` seconds of speech-like sound ``seed`` from ``start`` seconds."""
    return _excerpt(_speech_block, seed, start, duration)


def _excerpt(block: Callable[[int, int], np.ndarray], seed: int, start: float,
             duration: float) -> np.ndarray:
    first, last = int(start // _BLOCK_S), int((start + duration) // _BLOCK_S) + 1
    audio = np.concatenate([block(seed, i) for i in range(first, last + 1)])
    begin = int(round((start - first * _BLOCK_S) * RATE))
    return np.clip(audio[begin:begin + int(round(duration * RATE))], -1.0, 1.0)


def soundtrack(seed: int, start: float, duration: float) -> np.ndarray:
    """``duration`` seconds of the soundtrack ``seed`` from ``start`` seconds, float in [-1, 1]."""
    return _excerpt(_block, seed, start, duration)


def write_wav(path: str, samples: np.ndarray) -> None:
    """Mono 16-bit WAV."""
    with wave.open(path, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes((np.clip(samples, -1, 1) * 32000).astype("<i2").tobytes())


def with_sound(video: str, samples: np.ndarray, out: str, bitrate: str = "96k") -> None:
    """``video``'s picture (copied) with ``samples`` as its AAC sound track, written to ``out``."""
    with tempfile.TemporaryDirectory() as folder:
        wav = str(Path(folder) / "sound.wav")
        write_wav(wav, samples)
        subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", video,
                        "-i", wav, "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac",
                        "-b:a", bitrate, "-shortest", out], check=True)
