"""The JSON report. Field names are a public contract: add, never rename.

Times are seconds from the start of the query (``query_*``) or of the original (``reference_*``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from ..finding import overall
from ..models import Alignment, Claim, Finding, Original, Region, Segment, Verification

# 2: every result and every article has a ``finding``; claims say what they apply to; every
# result echoes its matching ``params`` and the stages a budget ``skipped``; alignments carry
# ``edit_details`` (kind and parameters of each edit). Added within 2: ``layout`` and ``regions``
# (the pictures of a frame that holds several), an alignment's ``region``, and edits' ``layout``
# and ``angle``; each ``burned_in_text`` line's ``box`` and whether it was found ``added``;
# whether it was read ``mirrored``, the ``screen_clocks`` read in the query's picture and the
# claim statuses ``clock-contradicted`` and ``clock-consistent``; an alignment's ``sha256`` (of
# the original's file, so a saved result's pictures are read only from that very file) and
# ``announced_duration`` (of an original whose file was cut off at registration); a matched
# segment's ``too_still`` (too little moves for the moment check, on few movements); a
# same-scene segment's ``held`` (the repost holds one picture there, a frozen frame); a matched
# segment's ``reversed`` (played backwards) and the edit ``reversed``; a claim's ``language``
# and ``named_in_passing``.
REPORT_SCHEMA_VERSION = 2


def _alignment(alignment: Alignment, originals: dict[str, Original]) -> dict[str, Any]:
    original = originals.get(alignment.reference_id)
    meta = asdict(original) if original else {}
    return {
        "reference_id": alignment.reference_id,
        "score": alignment.score,
        "title": meta.get("title", ""),
        "source": meta.get("source", ""),
        "recorded_at": meta.get("recorded_at", ""),
        "published_at": meta.get("published_at", ""),
        "url": meta.get("url", ""),
        "file": meta.get("file", ""),
        "sha256": meta.get("sha256", ""),
        "edits": [str(edit) for edit in alignment.edits],
        "edit_details": [{"kind": e.kind.value, "boxes": [list(b) for b in e.boxes],
                          "share": e.share, "speed": e.speed,
                          "aspect": e.aspect, "ratio": e.ratio, "rotation": e.rotation,
                          "layout": e.layout, "angle": e.angle}
                         for e in alignment.edits],
        "audio": alignment.audio or None,
        "recorded_on_screen": meta.get("recorded_on_screen") or None,
        "announced_duration": (meta["announced_duration"]
                               if original is not None and original.cut_off else None),
        "segments": [_segment(segment) for segment in alignment.segments],
        "region": list(alignment.region) if alignment.region else None,
    }


def _segment(segment: Segment) -> dict[str, Any]:
    # The speed the aligner set aside is the matching's working, not a finding.
    found = asdict(segment)
    del found["alternatives"]
    return found


def _region(region: Region) -> dict[str, Any]:
    return {"box": list(region.box), "corners": [list(c) for c in region.corners],
            "label": region.label, "reference_ids": list(region.reference_ids),
            "unexplained": [{"query_start": a, "query_end": b} for a, b in region.unexplained],
            "same_scene": list(region.same_scene)}


def _credentials(verification: Verification) -> dict[str, Any] | None:
    found = verification.content_credentials
    if found is None:
        return None
    return {**asdict(found), "actions": list(found.actions), "problems": list(found.problems)}


def to_dict(verification: Verification) -> dict[str, Any]:
    from .. import __version__

    originals = {o.id: o for o in verification.originals}
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "provenance", "version": __version__},
        "query": verification.query,
        "verdict": verification.verdict.value,
        "confidence": verification.confidence,
        "reason": verification.reason,
        "duration": verification.duration,
        "matches": [_alignment(a, originals) for a in verification.matches],
        "same_scene": [_alignment(a, originals) for a in verification.same_scene],
        "unexplained": [{"query_start": a, "query_end": b} for a, b in verification.unexplained],
        "claims": [_claim(claim) for claim in verification.claims],
        "finding": _finding(verification.finding),
        "provenance": verification.provenance,
        "settings": verification.settings,
        "error": verification.error or None,
        "hint": verification.hint or None,
        "video_path": verification.video_path or None,
        "params": verification.params,
        "skipped": list(verification.skipped),
        "audio_matches": [_alignment(a, originals) for a in verification.audio_matches],
        "content_credentials": _credentials(verification),
        "burned_in_text": [{"time": line.time, "text": line.text,
                            "box": list(line.box) if line.box else None, "added": line.added,
                            "mirrored": line.mirrored}
                           for line in verification.burned_in_text],
        "screen_clocks": [asdict(clock) for clock in verification.screen_clocks],
        "layout": verification.layout or None,
        "regions": [_region(r) for r in verification.regions],
    }


def _claim(claim: Claim) -> dict[str, Any]:
    return {**asdict(claim), "kind": claim.kind.value, "status": claim.status.value}


def _finding(finding: Finding | None) -> dict[str, Any]:
    if finding is None:  # a Verification built by hand, without the finding stage
        return {"rating": "inconclusive", "summary": "No finding was made.", "reasons": [],
                "mediareview": None}
    return {"rating": finding.rating.value, "summary": finding.summary,
            "reasons": list(finding.reasons), "mediareview": finding.mediareview}


def to_payload(results: Sequence[Verification], article: str | None = None) -> dict[str, Any]:
    """One result as an object; an article's results as ``{"article": ..., "results": [...]}``."""
    if article is None and len(results) == 1:
        return to_dict(results[0])
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "article": article,
        "finding": _finding(overall([r.finding for r in results if r.finding])),
        "results": [to_dict(r) for r in results],
    }


def to_json(results: Sequence[Verification], article: str | None = None) -> str:
    return json.dumps(to_payload(results, article), indent=2, ensure_ascii=False)


def schema() -> dict[str, Any]:
    """The JSON Schema every report validates against (shipped in the package)."""
    from importlib.resources import files

    text = files("provenance.report").joinpath("schema.json").read_text("utf-8")
    return dict(json.loads(text))


def result_problem(payload: dict[str, Any]) -> str | None:
    """The first thing in a saved result that its JSON schema (provenance/report/schema.json)
    does not allow, with where it is ("results[0].finding.rating: ..."); None when it is valid.
    A version 1 result (before ``finding``) is held to the same schema without it."""
    import copy

    import jsonschema

    document = schema()
    if payload.get("schema_version") == 1:
        document = copy.deepcopy(document)
        for name in ("result", "article"):
            definition = document["$defs"][name]
            definition["properties"]["schema_version"] = {"const": 1}
            definition["required"] = [k for k in definition["required"] if k != "finding"]
    # Held to the one shape it has (the schema's oneOf would report both shapes' problems).
    del document["oneOf"]
    document["$ref"] = "#/$defs/" + ("article" if "results" in payload else "result")
    validator = jsonschema.Draft202012Validator(document)
    error = jsonschema.exceptions.best_match(validator.iter_errors(payload))
    if error is None:
        return None
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                    for part in error.absolute_path).lstrip(".")
    return f"{where or 'the top level'}: {error.message[:200]}"
