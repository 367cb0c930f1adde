"""Many queries in one process: the library and its index are loaded once, each input yields
its results as soon as it is done, and a JSON Lines file of them can be resumed.

An input that cannot be verified (missing, not a video, nothing downloadable) does not stop the
batch: it yields an ``inconclusive`` result carrying the error and its hint.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import ProvenanceError, SettingsError
from .library import Library
from .models import StatedClaims, Verification
from .pipeline import Progress, _failed, library_for, opened_library, verify_many
from .report import to_payload
from .settings import Settings, load_settings

# What `verify DIR/` picks up in a folder (not its sub-folders): video containers and
# fingerprint files from `provenance fingerprint`.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg",
                            ".ts", ".flv", ".wmv", ".3gp", ".npz"})
# A batch file (`-a`) larger than this is refused (about 100,000 URLs).
MAX_BATCH_FILE = 16 * 1024**2


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch and what came of it."""

    query: str
    results: list[Verification]
    error: ProvenanceError | None = None  # the input as a whole could not be verified

    @property
    def failed(self) -> bool:
        """Nothing of this input could be verified (an article: none of its videos)."""
        return self.error is not None or all(r.error for r in self.results)

    def payload(self) -> dict[str, Any]:
        """The JSON line for this input: its report (as `verify --json` prints it) + "input"."""
        one_video = len(self.results) == 1 and "article" not in self.results[0].provenance
        report = to_payload(self.results, article=None if one_video else self.query)
        return {"input": self.query, **report}


def read_batch_file(path: str) -> list[str]:
    """Inputs listed one per line (URLs or paths); blank lines and comments are skipped.
    ``-`` reads standard input.

    A comment is a line whose first non-blank character is ``#``. A ``#`` later in a line is
    kept as part of the input: URLs carry it (``page#t=30``) and file names may (``clip #2.mp4``),
    so ``video.mp4  # note`` cannot be told from a file of that name."""
    import sys

    try:
        if path == "-":
            text = sys.stdin.read(MAX_BATCH_FILE + 1)
        else:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(MAX_BATCH_FILE + 1)
    except OSError as exc:
        raise SettingsError(f"cannot read batch file {path} ({exc.strerror})",
                            "give a text file with one URL or path per line") from None
    if len(text) > MAX_BATCH_FILE:
        raise SettingsError(f"batch file {path} is larger than {MAX_BATCH_FILE} bytes",
                            "split it into several batches")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Folders become the videos in them (sorted); repeated inputs are kept once, in order."""
    expanded: list[str] = []
    for item in inputs:
        if os.path.isdir(item):
            expanded += sorted(str(p) for p in Path(item).iterdir()
                               if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
        else:
            expanded.append(item)
    return list(dict.fromkeys(expanded))


def verify_each(
    queries: Iterable[str],
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
    stated: StatedClaims | None = None,
    workers: int = 1,
    cluster: str | None = None,
) -> Iterator[BatchItem]:
    """Verify each query (video file or URL, article, fingerprint file) in turn, yielding its
    results as soon as they are ready; the library is opened and indexed once.

    With ``workers`` > 1 (local processes) or a ``cluster`` scheduler address, Dask workers
    verify (each opens the library once, by its path, which the workers must be able to read)
    and the results come back in input order."""
    settings = settings or load_settings()
    if cluster is None and workers <= 1:
        with opened_library(library, settings) as lib:
            for query in queries:
                yield _verify_one(query, lib, settings, progress, stated)
        return
    from . import cluster as engine

    path = library.target if isinstance(library, Library) else str(library)
    with engine.client(workers, cluster) as dask_client:
        for _, outcome in engine.map_ordered(dask_client, _verify_remote, queries,
                                             shared=(path, settings, stated)):
            assert outcome.value is not None  # _verify_remote turns failures into results
            yield outcome.value


def _verify_one(query: str, library: Library, settings: Settings, progress: Progress | None,
                stated: StatedClaims | None) -> BatchItem:
    try:
        return BatchItem(query, verify_many(query, library, settings, progress, stated))
    except ProvenanceError as error:
        return BatchItem(query, [_failed(query, error, settings)], error)


# A worker process's open library, by path: opened (and its index loaded) once per worker.
_WORKER_LIBRARIES: dict[str, Library] = {}


def _verify_remote(query: str, shared: tuple[str, Settings, StatedClaims | None]) -> BatchItem:
    """On a worker: one query against the library at the given path."""
    path, settings, stated = shared
    if path not in _WORKER_LIBRARIES:
        _WORKER_LIBRARIES[path] = library_for(path, settings)
    return _verify_one(query, _WORKER_LIBRARIES[path], settings, None, stated)


def done_inputs(path: str) -> set[str]:
    """Inputs already in a JSON Lines output file. A last line cut short (the process was killed
    while writing it) is removed, so the file stays valid and that input is done again; any
    other line that is not a result is an error (the file is left as it is)."""
    if not os.path.exists(path):
        return set()
    done: set[str] = set()
    good_end = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            if not isinstance(record, dict) or not isinstance(record.get("input"), str):
                raise SettingsError(f"line {number} of {path} is not a provenance result",
                                    "resume from a file written by `provenance verify --jsonl`")
            done.add(record["input"])
            good_end += len(raw)
    if good_end < os.path.getsize(path):
        with open(path, "r+b") as handle:
            handle.truncate(good_end)
    return done


class JsonlWriter:
    """Appends one line per input and flushes it (to disk, with ``sync``) before the next
    input starts."""

    def __init__(self, handle: IO[str], sync: bool = True) -> None:
        self._handle = handle
        self._sync = sync

    def write(self, item: BatchItem) -> None:
        self._handle.write(json.dumps(item.payload(), ensure_ascii=False) + "\n")
        self._handle.flush()
        if self._sync:
            os.fsync(self._handle.fileno())


def outcome(result: Verification | dict[str, Any]) -> str:
    """What a summary counts: "failed" for a video that could not be verified (a desk audit:
    a missing file was counted among the videos as "inconclusive"), the finding's rating when
    the result has one, else the verdict."""
    data = result if isinstance(result, dict) else to_payload([result])
    if data.get("error"):
        return "failed"
    finding = data.get("finding")
    if isinstance(finding, dict) and finding.get("rating"):
        return str(finding["rating"])
    return str(data.get("verdict"))


def tally(items: Iterable[BatchItem]) -> Counter[str]:
    """Videos per outcome, over every result of every input."""
    return Counter(outcome(result) for item in items for result in item.results)
