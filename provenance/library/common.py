"""What both library engines (SQLite in store.py, PostgreSQL in postgres.py) share: the row <->
``Original`` mapping, id and metadata checks, fingerprint and local-data (de)serialisation, and
the errors a person sees."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..errors import LibraryError
from ..models import FINGERPRINT_VERSION, Fingerprint, LocalData, Original

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")

# Fingerprint arrays, each stored as the raw bytes of its dtype (BLOB in SQLite, bytea in
# PostgreSQL).
ARRAY_COLUMNS = {**Fingerprint.ARRAYS, **Fingerprint.CHANNELS}
ORIGINAL_COLUMNS = [f.name for f in fields(Original)]
FINGERPRINT_COLUMNS = ["version", "sample_fps", "decoder", *ARRAY_COLUMNS]
# models.LocalData as stored (v4); ``details`` is zlib-compressed uint8 frames; ``pictures``
# (v8) the keyframes' JPEGs, packed by ``pack_pictures``.
LOCAL_COLUMNS = ["detail_times", "detail_height", "detail_width", "details", "key_times",
                 "key_counts", "key_points", "key_descriptors", "key_width", "key_height",
                 "saturation", "pictures"]
# Metadata `update` may change (what the file is, its fingerprint and identity stay).
EDITABLE = ("title", "source", "recorded_at", "published_at", "url", "notes", "location",
            "latitude", "longitude")


def validate_id(original_id: str) -> str:
    if not isinstance(original_id, str) or not _ID_PATTERN.fullmatch(original_id):
        raise LibraryError(
            f"{original_id!r} is not a valid original id",
            "use letters, digits, '.', '_', ':' or '-' (up to 128), "
            "starting with a letter or digit",
        )
    return original_id


def check_editable(changes: dict[str, object]) -> None:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise LibraryError(f"{', '.join(sorted(unknown))} cannot be updated",
                           f"fields that can: {', '.join(EDITABLE)}")


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def to_original(row: Sequence[object]) -> Original:
    """A row selected as ORIGINAL_COLUMNS -> the Original."""
    return Original(**dict(zip(ORIGINAL_COLUMNS, row, strict=True)))  # type: ignore[arg-type]


def new_row(original: Original) -> tuple[Original, list[object]]:
    """The original as it will be stored (added now unless it says when) and its row values."""
    stored = Original(**{**asdict(original), "added_at": original.added_at or now()})
    values = asdict(stored)
    return stored, [values[c] for c in ORIGINAL_COLUMNS]


def fingerprint_row(fp: Fingerprint) -> list[object]:
    """The FINGERPRINT_COLUMNS values of a fingerprint."""
    return [fp.version, fp.sample_fps, fp.decoder,
            *(np.ascontiguousarray(getattr(fp, name), dtype=kind).tobytes()
              for name, kind in ARRAY_COLUMNS.items())]


def to_fingerprint(original: Original, row: Sequence[object]) -> Fingerprint:
    """An original and its FINGERPRINT_COLUMNS row (empty: none) -> the Fingerprint (lossless)."""
    if not row:
        raise LibraryError(f"original {original.id!r} has no fingerprint",
                           "remove it and add the file again")
    version, sample_fps, decoder, *blobs = row
    if version != FINGERPRINT_VERSION:
        raise LibraryError(
            f"original {original.id!r} has a fingerprint of format v{version}; "
            f"this provenance reads v{FINGERPRINT_VERSION}",
            f"re-index it from its file: `provenance library reindex {original.id}`",
        )
    arrays: dict[str, np.ndarray] = {
        name: np.frombuffer(blob, dtype=kind)  # type: ignore[call-overload]
        for (name, kind), blob in zip(ARRAY_COLUMNS.items(), blobs, strict=True)}
    return Fingerprint(**arrays, duration=original.duration, width=original.width,
                       height=original.height, native_fps=original.fps,
                       sample_fps=float(sample_fps), version=int(version),  # type: ignore[arg-type]
                       decoder=str(decoder))


def local_row(local: LocalData) -> list[object]:
    """The LOCAL_COLUMNS values of an original's local-matching data."""
    height, width = local.details.shape[1:3]
    return [np.ascontiguousarray(local.detail_times, np.float64).tobytes(),
            int(height), int(width),
            zlib.compress(np.ascontiguousarray(local.details, np.uint8).tobytes(), 6),
            np.ascontiguousarray(local.key_times, np.float64).tobytes(),
            np.ascontiguousarray(local.key_counts, np.int32).tobytes(),
            np.ascontiguousarray(local.key_points, np.float32).tobytes(),
            np.ascontiguousarray(local.key_descriptors, np.uint8).tobytes(),
            int(local.key_size[0]), int(local.key_size[1]), float(local.saturation),
            pack_pictures(local.pictures)]


def pack_pictures(pictures: Sequence[bytes]) -> bytes:
    """JPEGs as one value: their count and lengths (little-endian uint32), then their bytes.
    None stored: empty."""
    if not pictures:
        return b""
    lengths = np.asarray([len(p) for p in pictures], dtype="<u4")
    return np.asarray([len(pictures)], dtype="<u4").tobytes() + lengths.tobytes() + b"".join(
        pictures)


def unpack_pictures(packed: bytes) -> tuple[bytes, ...]:
    """``pack_pictures`` undone; a value that does not add up (a damaged or foreign row) gives
    none, and the report falls back to the grey detail frames."""
    data = bytes(packed)
    if len(data) < 4:
        return ()
    count = int(np.frombuffer(data[:4], dtype="<u4")[0])
    if len(data) < 4 * (count + 1):
        return ()
    lengths = np.frombuffer(data[4:4 * (count + 1)], dtype="<u4").astype(np.int64)
    if 4 * (count + 1) + int(lengths.sum()) != len(data):
        return ()
    ends = 4 * (count + 1) + np.cumsum(lengths)
    return tuple(data[int(end - length):int(end)] for end, length in zip(ends, lengths,
                                                                            strict=True))


def to_local(row: Sequence[Any]) -> LocalData | None:
    """A LOCAL_COLUMNS row (empty: none stored) -> the LocalData."""
    if not row:
        return None
    (detail_times, height, width, details, key_times, key_counts, key_points,
     key_descriptors, key_width, key_height, saturation, pictures) = row
    times = np.frombuffer(detail_times, dtype=np.float64)
    return LocalData(
        detail_times=times,
        details=np.frombuffer(zlib.decompress(details), dtype=np.uint8).reshape(
            len(times), int(height), int(width)),
        key_times=np.frombuffer(key_times, dtype=np.float64),
        key_counts=np.frombuffer(key_counts, dtype=np.int32),
        key_points=np.frombuffer(key_points, dtype=np.float32).reshape(-1, 2),
        key_descriptors=np.frombuffer(key_descriptors, dtype=np.uint8).reshape(-1, 32),
        key_size=(int(key_width), int(key_height)),
        saturation=float(saturation),
        pictures=unpack_pictures(pictures),
    )


def id_taken(original_id: str, where: object) -> LibraryError:
    return LibraryError(
        f"id {original_id!r} is already used by another original in {where}",
        f"choose another --id, or remove the old one with `provenance library remove "
        f"{original_id}`",
    )


def not_found(original_id: str, where: object) -> LibraryError:
    return LibraryError(f"no original with id {original_id!r} in {where}",
                        "list the ids with `provenance library list`")
