"""Where verify's CPU goes: a per-stage split for the benchmarks (issue #11).

``StageClock`` wraps the functions ``pipeline.verify_video`` calls for each stage (looked up by
module and name when the clock is installed, so a renamed function shows up as "not found", not
as a silently missing stage) and adds up, while a verify is being timed, the CPU each spent:
``time.process_time`` (every thread of this process) plus the CPU of finished child processes
(ffmpeg reading the sound). Time is exclusive: a timed stage called from inside another (the
picture-edit check inside the local stage, say) is counted once, in the inner stage. Whatever
verify spent outside every listed stage (claims, finding, the library's reads, the result) is
"other".
"""

from __future__ import annotations

import functools
import importlib
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# (label, module, function): the stages of one verify, in the order they run.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("decode (the one pass)", "provenance.provider", "decode"),
    ("sound: query's Chromaprint", "provenance.evidence", "sound"),
    ("candidates + match", "provenance.pipeline", "match_fingerprint"),
    ("layout (screens, grids)", "provenance.layout", "layout_stage"),
    ("local features", "provenance.refine", "local_feature_stage"),
    ("screen angle", "provenance.layout", "with_screen"),
    ("saturation", "provenance.pipeline", "_saturation"),
    ("picture edits", "provenance.refine", "picture_edits_stage"),
    ("insets over matches", "provenance.refine", "inset_content_stage"),
    ("moment check", "provenance.moment", "moment_stage"),
    ("played backwards", "provenance.reverse", "backwards_stage"),
    ("turned on its side", "provenance.turn", "turned_stage"),
    ("sound on matches", "provenance.evidence", "check_sound"),
    ("sound-only search", "provenance.evidence", "sound_only"),
    ("OCR (burned-in text)", "provenance.evidence", "burned_in_text"),
    ("captions from the text read", "provenance.refine", "caption_edits_stage"),
    ("C2PA", "provenance.credentials", "read_credentials"),
    ("report frames", "provenance.pipeline", "report_frames"),
)
OTHER = "other (claims, finding, library reads)"
TOTAL = "verify, total"


def cpu_now() -> float:
    """CPU seconds of this process (all threads) and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class StageClock:
    """Exclusive CPU per stage, summed over the verifies timed with ``timing()``."""

    def __init__(self, stages: tuple[tuple[str, str, str], ...] = STAGES) -> None:
        self.stages = stages
        self.spent: dict[str, float] = {label: 0.0 for label, _, _ in stages}
        self.calls: dict[str, int] = {label: 0 for label, _, _ in stages}
        self.total = 0.0
        self.by_key: dict[str, dict[str, float]] = {}  # per timed verify: stage -> CPU s
        self.missing: list[str] = []
        self._stack: list[float] = []  # CPU spent in timed children of each open stage
        self._on = False
        self._restore: list[tuple[Any, str, Any]] = []

    def install(self) -> StageClock:
        for label, module_name, name in self.stages:
            module = importlib.import_module(module_name)
            function = getattr(module, name, None)
            if function is None:
                self.missing.append(f"{module_name}.{name}")
                continue
            self._restore.append((module, name, function))
            setattr(module, name, self._wrapped(label, function))
        return self

    def uninstall(self) -> None:
        for module, name, function in reversed(self._restore):
            setattr(module, name, function)
        self._restore.clear()

    def _wrapped(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self._on:
                return function(*args, **kwargs)
            start = cpu_now()
            self._stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = cpu_now() - start
                inner = self._stack.pop()
                self.spent[label] += elapsed - inner
                self.calls[label] += 1
                if self._stack:
                    self._stack[-1] += elapsed
        return timed

    @contextmanager
    def timing(self, key: str) -> Iterator[None]:
        """Time one verify (``key``: the query's name): its stages, and its whole CPU."""
        before = dict(self.spent)
        start = cpu_now()
        self._on = True
        try:
            yield
        finally:
            self._on = False
            elapsed = cpu_now() - start
            self.total += elapsed
            split = {label: self.spent[label] - before[label] for label in self.spent}
            self.by_key[key] = {**split, OTHER: elapsed - sum(split.values()), TOTAL: elapsed}

    def summed(self, keys: list[str]) -> dict[str, float]:
        """CPU seconds per stage (with OTHER and TOTAL) over the verifies of ``keys``."""
        return {label: sum(self.by_key[k][label] for k in keys)
                for label in (*self.spent, OTHER, TOTAL)}


def stage_rows(columns: list[dict[str, float]]) -> list[list[object]]:
    """[stage, CPU s (share of the total) per column] rows, OTHER and TOTAL last."""
    labels = [*columns[0]] if columns else []
    return [[label, *(f"{c[label]:.2f} ({c[label] / max(c[TOTAL], 1e-9):.0%})"
                      if label != TOTAL else f"{c[label]:.2f}" for c in columns)]
            for label in labels]
