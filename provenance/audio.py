"""Sound: Chromaprint fingerprints through the bundled ffmpeg, and their alignment in time.

ffmpeg's ``chromaprint`` muxer (``-f chromaprint -fp_format raw``) writes one 32-bit code per
``HOP_S`` seconds of sound (Chromaprint's default algorithm: 11,025 Hz, 4,096-sample frames,
a new frame every 1,365 samples). Codes from the same sound stay within a few bits of each other
through re-encoding and mixing; codes of different sounds differ in about half their bits.

Alignment votes like the picture's: query and reference codes that are equal vote for a
(speed, offset); the strongest mapping is then checked code by code (bit error rate), and the
runs where the codes agree become segments. Sound mixed under louder sound leaves no equal
codes: then every offset at speed 1 is scanned, within a budget. ``compare`` checks the sound
on a mapping found by the picture: the same sound, no sound, or a different one.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import MediaError

HOP_S = 1365 / 11025
# A code summarises the 4,096-sample frame it starts and the 15 frames after it (the widest of
# Chromaprint's filters): a run of codes ends this long after its last code starts.
CODE_SPAN_S = 4096 / 11025 + 15 * HOP_S
# Constant sound (silence, a test tone) gives the same code again and again; a run this long of
# one code is silence, never evidence.
SILENT_RUN = 4
# Chromaprint needs ~2 s before its first code (frame plus filter length); shorter sound is none.
MIN_CODES = 8
# Bit error rate of a code against the code it is aligned with, averaged over WINDOW codes (1 s).
# Measured on 6 seeded music-like soundtracks (tests/synthetic_audio.py), 15 s excerpts of a 90 s
# original: the same sound through AAC at 64 kbit/s has windows at 0.00-0.10 (5th-95th
# percentile), under another track at -12 dB 0.02-0.13, at 48 kbit/s under noise at -30 dB
# 0.00-0.09; unrelated sound 0.35-0.56. The threshold sits in the gap.
SAME_BER = 0.25
# Below this share of agreeing windows on a picture segment the sound is "different" (replaced).
SAME_SHARE = 0.5
WINDOW = 8
# Sound a repost puts where its original's track is silent: the share of its heard codes over
# the original's silence (``added``). Quiet stretches between sounds are not silence to Chromaprint
# (only a constant signal is, SILENT_RUN), so an original with any sound there falls far below.
ADDED_OVER_SILENCE = 0.9
# An audio segment needs this many seconds of agreeing windows.
MIN_SEGMENT_S = 2.0
# Speeds tried when voting (a repost sped up with its sound resampled moves every code).
SPEEDS = (0.9, 0.95, 1.0, 1.05, 1.1)
# A (speed, offset) needs this many equal codes (same measurement: 7-86 equal codes on the true
# mapping in 15 s of the same sound, 7-26 under another track; unrelated sound had none), then
# the bit error rate decides.
MIN_VOTES = 4
MAX_CANDIDATES = 16
# When no codes are equal (the original's sound under louder commentary or music), every offset
# at speed 1 is scanned: the share of query codes within SCAN_BITS of the reference code they
# meet. Measured on 4 seeds, speech under music at -12 dB: 0.68-0.92 at the true offset (found
# to 0.03 s); other speech or music, best of all offsets: 0.08-0.14.
SCAN_BITS = 8
SCAN_SHARE = 0.35
# The scan compares this many (query code, reference code) pairs per verify at most, about a
# second of CPU (20 ns a pair measured); references past it are not scanned, and it is said.
MAX_SCAN_PAIRS = 50_000_000
_SCAN_CHUNK = 512
_TIMEOUT_S = 600.0
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


@dataclass(frozen=True)
class AudioSegment:
    """A query interval whose sound is a reference interval's (seconds)."""

    reference_id: str
    query_start: float
    query_end: float
    reference_start: float
    reference_end: float
    speed: float
    bit_error_rate: float


def ffmpeg_exe() -> str:
    """The ffmpeg binary the imageio-ffmpeg wheel ships (it has the chromaprint muxer)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def fingerprint_audio(path: str, ffmpeg: str, max_seconds: float = 3600.0) -> np.ndarray:
    """The file's first sound track as Chromaprint codes (uint32); empty when it has no sound."""
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", path,
               "-map", "0:a:0?", "-vn", "-t", str(max_seconds), "-ac", "1",
               "-f", "chromaprint", "-fp_format", "raw", "-"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as error:
        raise MediaError(f"reading the sound of {path} took over {_TIMEOUT_S:.0f} s",
                         "check the file is a video") from error
    if done.returncode != 0:
        # No sound stream: ffmpeg refuses an output without streams. Anything else is the
        # picture decoder's concern (it reports unreadable files).
        return np.zeros(0, dtype=np.uint32)
    codes = np.frombuffer(done.stdout[: len(done.stdout) // 4 * 4], dtype="<u4")
    return codes.astype(np.uint32) if len(codes) >= MIN_CODES else np.zeros(0, np.uint32)


def code_times(codes: np.ndarray) -> np.ndarray:
    return np.arange(len(codes)) * HOP_S


def bit_errors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Differing bits between paired 32-bit codes."""
    x = np.bitwise_xor(a.astype(np.uint32), b.astype(np.uint32)).view(np.uint8)
    return _POPCOUNT[x].reshape(-1, 4).sum(axis=1)


def _mapped_positions(times: np.ndarray, offset: float, speed: float) -> np.ndarray:
    """The reference code each query code time maps to: query time q shows reference time
    offset + speed * q (an index, perhaps outside the reference)."""
    return np.rint((offset + speed * times) / HOP_S).astype(np.int64)


def _on_segment(times: np.ndarray, query_start: float, query_end: float) -> np.ndarray:
    """Which query codes lie wholly on a picture segment (the last may end one hop past it)."""
    return (times >= query_start) & (times + CODE_SPAN_S <= query_end + HOP_S)


def mapped_errors(query: np.ndarray, ref: np.ndarray, offset: float, speed: float) -> np.ndarray:
    """Per query code, the bit error rate against the reference code it maps to (NaN outside):
    query time q shows reference time offset + speed * q."""
    positions = _mapped_positions(code_times(query), offset, speed)
    inside = (positions >= 0) & (positions < len(ref))
    inside &= ~silent(query)
    inside[inside] &= ~silent(ref)[positions[inside]]
    rates = np.full(len(query), np.nan)
    if inside.any():
        rates[inside] = bit_errors(query[inside], ref[positions[inside]]) / 32.0
    return rates


def silent(codes: np.ndarray) -> np.ndarray:
    """True for codes inside a run of SILENT_RUN or more equal codes."""
    out = np.zeros(len(codes), dtype=bool)
    same = np.concatenate([[False], codes[1:] == codes[:-1]])
    for start, end in _runs(same):
        if end - start + 1 >= SILENT_RUN:
            out[max(0, start - 1):end] = True
    return out


def _smoothed(rates: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(rates)
    kernel = np.ones(WINDOW)
    total = np.convolve(np.where(valid, rates, 0.0), kernel, mode="same")
    count = np.convolve(valid.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= WINDOW / 2, total / np.maximum(count, 1), np.nan)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _votes(query: np.ndarray, ref: np.ndarray) -> list[tuple[int, float, float]]:
    """(equal codes, speed, offset seconds) of the best-supported mappings, best first.
    Silent codes do not vote (every silence has the same code)."""
    kept = np.flatnonzero(~silent(ref))
    order = kept[np.argsort(ref[kept], kind="stable")]
    sorted_ref = ref[order]
    heard = ~silent(query)
    lo = np.searchsorted(sorted_ref, query, side="left")
    hi = np.where(heard, np.searchsorted(sorted_ref, query, side="right"), lo)
    counts = hi - lo
    if counts.sum() == 0:
        return []
    q_idx = np.repeat(np.arange(len(query)), counts)
    # The k-th pair of query code i is reference position order[lo[i] + k].
    within = np.arange(len(q_idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    r_idx = order[np.repeat(lo, counts) + within]
    found = []
    for speed in SPEEDS:
        bins = np.rint(r_idx - speed * q_idx).astype(np.int64)
        values, votes = np.unique(bins, return_counts=True)
        # Neighbouring bins share the rounding of one offset.
        padded = np.convolve(votes, [1, 1, 1], mode="same") if len(votes) > 1 else votes
        best = int(np.argmax(padded))
        found.append((int(padded[best]), speed, float(values[best] * HOP_S)))
    return sorted(found, key=lambda v: -v[0])


def align_audio(query: np.ndarray, ref_id: str, ref: np.ndarray) -> list[AudioSegment]:
    """Where the query's sound is the reference's, found without the picture, from equal
    codes."""
    if len(query) < MIN_CODES or len(ref) < MIN_CODES:
        return []
    for votes, speed, offset in _votes(query, ref)[:2]:
        if votes < MIN_VOTES:
            break
        segments = segments_on(query, ref_id, ref, offset, speed)
        if segments:
            return segments
    return []


def scan_offsets(query: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """(share of close codes, offset seconds) of the best offset at speed 1, trying every
    offset that overlaps at least half the query."""
    n = len(query)
    offsets = np.arange(-(n // 2), len(ref) - n // 2)
    best = (0.0, 0.0)
    heard = ~silent(query)
    for chunk in np.array_split(offsets, max(1, len(offsets) // _SCAN_CHUNK)):
        positions = chunk[:, None] + np.arange(n)[None, :]
        valid = (positions >= 0) & (positions < len(ref)) & heard[None, :]
        codes = ref[np.clip(positions, 0, len(ref) - 1)]
        bits = bit_errors(np.broadcast_to(query, codes.shape).ravel(), codes.ravel())
        close = (bits.reshape(codes.shape) <= SCAN_BITS) & valid
        share = close.sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
        share[valid.sum(axis=1) < n // 2] = 0.0
        index = int(np.argmax(share))
        if share[index] > best[0]:
            best = (float(share[index]), float(chunk[index] * HOP_S))
    return best


def segments_on(query: np.ndarray, ref_id: str, ref: np.ndarray, offset: float,
                speed: float) -> list[AudioSegment]:
    """The runs of the query whose sound agrees with the reference on one mapping."""
    rates = _smoothed(mapped_errors(query, ref, offset, speed))
    agree = np.nan_to_num(rates, nan=1.0) < SAME_BER
    runs: list[list[int]] = []
    for start, end in _runs(agree):
        # A code speaks for CODE_SPAN_S of sound: runs closer than that are one segment.
        if runs and start * HOP_S <= (runs[-1][1] - 1) * HOP_S + CODE_SPAN_S:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    out = []
    for start, end in runs:
        q0, q1 = start * HOP_S, (end - 1) * HOP_S + CODE_SPAN_S
        if q1 - q0 < MIN_SEGMENT_S:
            continue
        out.append(AudioSegment(ref_id, round(q0, 3), round(q1, 3),
                                round(offset + speed * q0, 3), round(offset + speed * q1, 3),
                                speed, round(float(np.nanmean(rates[start:end])), 3)))
    return out


def search(query: np.ndarray, references: Mapping[str, np.ndarray]
           ) -> tuple[list[AudioSegment], int]:
    """(audio segments against every reference, the best-covered references first; how many
    references the offset scan had to leave out). Equal codes first; when they find nothing,
    the offset scan within MAX_SCAN_PAIRS."""
    found: list[tuple[float, list[AudioSegment]]] = []
    for ref_id, ref in references.items():
        segments = align_audio(query, ref_id, ref)
        if segments:
            found.append((sum(s.query_end - s.query_start for s in segments), segments))
    left_out = 0
    if not found and len(query) >= MIN_CODES:
        budget = MAX_SCAN_PAIRS
        for ref_id, ref in references.items():
            if len(ref) < MIN_CODES:
                continue
            budget -= len(query) * len(ref)
            if budget < 0:
                left_out += 1
                continue
            share, offset = scan_offsets(query, ref)
            segments = segments_on(query, ref_id, ref, offset, 1.0) if share >= SCAN_SHARE \
                else []
            if segments:
                found.append((sum(s.query_end - s.query_start for s in segments), segments))
    found.sort(key=lambda item: -item[0])
    return [s for _, segments in found[:MAX_CANDIDATES] for s in segments], left_out


def added(query: np.ndarray, ref: np.ndarray, query_start: float, query_end: float,
          offset: float, speed: float) -> bool:
    """Whether the query has sound on a picture segment where the original's sound track is
    silent: sound heard in at least half the segment's codes (as ``compare`` asks of sound it
    compares), nearly all of it over the original's silence. An original without codes says
    nothing: it has no sound, or its sound was never fingerprinted (audio off at registration, a
    library from before sound was stored)."""
    times = code_times(query)
    span = _on_segment(times, query_start, query_end)
    heard = span & ~silent(query)
    if len(ref) < MIN_CODES or heard.sum() < max(WINDOW, span.sum() / 2):
        return False
    positions = _mapped_positions(times[heard], offset, speed)
    inside = (positions >= 0) & (positions < len(ref))
    quiet = silent(ref)[positions[inside]]
    return bool(inside.any()) and float(quiet.mean()) >= ADDED_OVER_SILENCE


def compare(query: np.ndarray, ref: np.ndarray, query_start: float, query_end: float,
            offset: float, speed: float) -> str:
    """The query's sound on a picture segment: "same", "none" (either side silent or without
    sound) or "different"."""
    if len(query) < MIN_CODES or len(ref) < MIN_CODES:
        return "none"
    rates = _smoothed(mapped_errors(query, ref, offset, speed))
    span = _on_segment(code_times(query), query_start, query_end)
    inside = span & ~np.isnan(rates)
    if inside.sum() < max(WINDOW, span.sum() / 2):
        return "none"
    return "same" if float(np.mean(rates[inside] < SAME_BER)) >= SAME_SHARE else "different"
