"""Verify's CPU by stage on the copy-detection set (main set and geometry block), with every
query's answer written out, so two versions of the code can be compared answer by answer.

    python benchmarks/local_stage.py OUT.json            # this checkout's code
    python benchmarks/local_stage.py --compare A.json B.json

Run it from an exported copy of another commit (``git archive``) to measure that commit on the
same files; the set is made (or reused) by ``copy_detection.py``. CPU is ``time.process_time``
around each stage function of ``pipeline.verify_video``, registrations not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copy_detection as cd
from _common import footage_clips, table

STAGES = {"decode": ("provider", "decode"), "match": ("pipeline", "match_fingerprint"),
          "layout": ("layout", "layout_stage"), "local": ("refine", "local_feature_stage"),
          "picture_edits": ("refine", "picture_edits_stage"),
          "evidence": ("evidence", "beyond_picture")}


def _timed(spent: dict[str, float], name: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return work(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
    return run


def _answer(result: Any) -> dict[str, Any]:
    return {"verdict": result.verdict.value,
            "matches": [{"ref": m.reference_id, "score": round(m.score, 4),
                         "edits": sorted(str(e) for e in m.edits),
                         "segments": [[round(s.query_start, 3), round(s.query_end, 3),
                                       round(s.reference_start, 3), round(s.reference_end, 3),
                                       s.evidence] for s in m.segments]}
                        for m in result.matches],
            "same_scene": [{"ref": a.reference_id,
                            "segments": [[round(s.query_start, 3), round(s.query_end, 3)]
                                         for s in a.segments]} for a in result.same_scene],
            "unexplained": [[round(a, 3), round(b, 3)] for a, b in result.unexplained],
            "burned_in_text": [[line.time, line.text] for line in result.burned_in_text],
            "claims": sorted([str(c.kind), c.value, str(c.status)] for c in result.claims),
            "skipped": list(result.skipped)}


def measure(out: Path) -> None:
    from provenance import evidence, layout, pipeline, provider, refine
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.registry import register
    from provenance.settings import load_settings

    modules = {"provider": provider, "pipeline": pipeline, "layout": layout, "refine": refine,
               "evidence": evidence}
    spent: dict[str, float] = {}
    for name, (module, function) in STAGES.items():
        setattr(modules[module], function,
                _timed(spent, name, getattr(modules[module], function)))
    references, queries = cd.build_set(footage_clips())
    answers: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "cache")
        with Library(settings.db, create=True) as library:
            for ref_id, path in references.items():
                register(str(path), Original(id=ref_id, source="bench"), library, settings)
            for query in queries:
                spent.clear()
                start = time.process_time()
                result = pipeline.verify_video(local_video(str(query.path)), library, settings)
                answers[query.name] = {**_answer(result), "geometry": cd.is_geometry(query),
                                       "cpu": time.process_time() - start,
                                       "stages": dict(spent)}
    out.write_text(json.dumps(answers, indent=1))
    print(table(["block", *STAGES, "verify"], _totals(answers)))


def _totals(answers: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for block, geometry in (("main set", False), ("geometry block", True)):
        chosen = [a for a in answers.values() if a["geometry"] == geometry]
        rows.append([f"{block} ({len(chosen)})",
                     *(f"{sum(a['stages'].get(s, 0.0) for a in chosen):.2f}" for s in STAGES),
                     f"{sum(a['cpu'] for a in chosen):.2f}"])
    return rows


def compare(before: Path, after: Path) -> None:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    changed = 0
    for name, answer in old.items():
        for field in ("verdict", "matches", "same_scene", "unexplained", "burned_in_text",
                      "claims", "skipped"):
            if answer.get(field) != new[name].get(field):
                changed += 1
                print(f"{name}: {field}\n  before {answer[field]}\n  after  {new[name][field]}")
    print(f"{changed} answers changed over {len(old)} queries\n")
    print(table(["block", *STAGES, "verify"],
                   [[f"{row[0]} before", *row[1:]] for row in _totals(old)]
                   + [[f"{row[0]} after", *row[1:]] for row in _totals(new)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="where to write the answers (JSON)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
    elif args.out:
        measure(args.out)
    else:
        sys.exit("give OUT.json or --compare BEFORE AFTER")


if __name__ == "__main__":
    main()
