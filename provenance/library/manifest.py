"""Manifests: many originals described in one CSV or JSON file, for import and export.

A manifest row names the video (``file``: a path, relative to the manifest, or a URL) and its
metadata: ``id`` (required), ``title``, ``source``, ``recorded_at``, ``published_at``, ``url``,
``notes``, ``location``, ``latitude``, ``longitude``. JSON is a list of objects; CSV has a
header row with those names.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SettingsError
from ..models import Original

METADATA_FIELDS = ("id", "title", "source", "recorded_at", "published_at", "url", "notes",
                   "location", "latitude", "longitude")
# Manifests larger than this are refused (they are read whole).
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
# Longest id kept of a row that cannot be registered (for naming it in the import's report).
MAX_SHOWN_ID = 200
# What a manifest is, for the hints of one that cannot be read.
_FORM = (f"a JSON manifest is a list of objects, a CSV one has a header row; columns: file, "
         f"{', '.join(METADATA_FIELDS)}")


@dataclass(frozen=True)
class ManifestRow:
    """One row: where it is in the file, the video it names, its metadata, or what is wrong."""

    number: int
    file: str
    original: Original | None
    error: str = ""
    id: str = ""  # as the row gives it, also when the row cannot be registered


def _resolve(file: str, base: Path) -> str:
    if urlsplit(file).scheme in ("http", "https"):
        return file
    path = Path(file).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def read_row(number: int, record: object, base: Path) -> ManifestRow:
    """One manifest record (or one web form, read the same way) as a row: the original, or why
    it cannot be registered."""
    if not isinstance(record, dict):
        return ManifestRow(number, "", None, "not an object with fields")
    values = {k: ("" if v is None else str(v)).strip() for k, v in record.items()}
    file, given_id = values.get("file", ""), values.get("id", "")

    def refused(why: str, shown: str = file) -> ManifestRow:
        return ManifestRow(number, shown, None, why, given_id[:MAX_SHOWN_ID])

    if not file:
        return refused("no `file` given")
    if not given_id:
        return refused("no `id` given")
    try:
        point = [float(values[k]) if values.get(k) else None for k in ("latitude", "longitude")]
    except ValueError:
        return refused("latitude/longitude are not numbers")
    if not all(p is None or -limit <= p <= limit
               for p, limit in zip(point, (90, 180), strict=True)):
        return refused("latitude/longitude are out of range")
    original = Original(id=values["id"], title=values.get("title", ""),
                        source=values.get("source", ""),
                        recorded_at=values.get("recorded_at", ""),
                        published_at=values.get("published_at", ""),
                        url=values.get("url", ""), notes=values.get("notes", ""),
                        location=values.get("location", ""), latitude=point[0],
                        longitude=point[1])
    try:
        resolved = _resolve(file, base)
    except (ValueError, RuntimeError, OSError):  # NUL bytes, an unknown ~user
        return refused("`file` is not a usable path or URL", file[:200])
    return ManifestRow(number, resolved, original, id=original.id)


def read_manifest(path: str | os.PathLike[str]) -> list[ManifestRow]:
    """Rows of a CSV or JSON manifest; rows that cannot be read carry their error. A manifest
    that cannot be read at all is a SettingsError (exit 2): the mistake is in the file given,
    not in a library."""
    manifest = Path(path)
    if not manifest.is_file():
        raise SettingsError(f"{manifest}: no such manifest", "give a .csv or .json file")
    if manifest.stat().st_size > MAX_MANIFEST_BYTES:
        raise SettingsError(f"{manifest} is over {MAX_MANIFEST_BYTES // 2**20} MB",
                            "split it into several manifests")
    try:
        text = manifest.read_text("utf-8-sig", errors="replace")
    except OSError as exc:
        raise SettingsError(f"{manifest} cannot be read ({exc.strerror})",
                            "check its permissions") from None
    base = manifest.resolve().parent
    if manifest.suffix.lower() == ".json" or text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise SettingsError(f"{manifest} is not valid JSON ({exc})", _FORM) from None
        if not isinstance(records, list):
            raise SettingsError(f"{manifest}: a JSON manifest is a list of objects, not "
                                f"{_json_kind(records)}",
                                'put one object per original in a list: [{"file": "cam1.mp4", '
                                '"id": "cam1"}, ...]')
        return [read_row(n, record, base) for n, record in enumerate(records, start=1)]
    return _csv_rows(manifest, text, base)


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", str: "a string", bool: "true or false", int: "a number",
             float: "a number", type(None): "null"}
    return kinds.get(type(value), "a single value")


def _csv_rows(manifest: Path, text: str, base: Path) -> list[ManifestRow]:
    # Fields may be as long as the file itself (csv's default cap, 131,072 characters, is an
    # error mid-file); the file's size is already bounded by MAX_MANIFEST_BYTES.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_MANIFEST_BYTES))
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "file" not in reader.fieldnames:
            raise SettingsError(f"{manifest}: the CSV header has no `file` column", _FORM)
        # Row numbers count the header as line 1, as a spreadsheet shows them.
        return [read_row(n, {k: _csv_value(v) for k, v in record.items()}, base)
                for n, record in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise SettingsError(f"{manifest} is not a readable CSV file ({exc})",
                            "save it again as CSV (UTF-8) from a spreadsheet") from None


# A text cell a spreadsheet would run as a formula (=HYPERLINK(...), +cmd, -2+3, @SUM, or one of
# those after a tab or line break) is written to CSV behind a single quote, as OWASP advises for
# CSV injection, and read back without it: a cell that begins with a quote before one of these
# loses that one quote on import (where a carriage return is read as a line break, and the
# white space around a value is dropped, as for every value imported).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: object) -> object:
    return "" if value is None else value


def _csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a quote before text it would run as a formula
    (and before a quote that begins such text, so that import gives back the value)."""
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_STARTS):
        return "'" + value
    return _cell(value)


def _csv_value(value: object) -> object:
    """A CSV cell as written by ``_csv_cell``, its guarding quote taken off (a row's cells past
    the header's come as a list, left as they are)."""
    if isinstance(value, str) and value.startswith("'") and \
            value.lstrip("'").startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def write_manifest(originals: Iterable[Original], fmt: str = "json") -> str:
    """A manifest of the given originals (``file`` is where each was registered from)."""
    rows = [{"file": o.file, **{k: _cell(getattr(o, k)) for k in METADATA_FIELDS},
             "sha256": o.sha256, "duration": o.duration} for o in originals]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["file", *METADATA_FIELDS, "sha256", "duration"])
    writer.writeheader()
    writer.writerows({k: _csv_cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()

