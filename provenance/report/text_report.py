"""Text a checker reads at a glance."""

from __future__ import annotations

from ..models import Alignment, Claim, Original, Verdict, Verification

_BANNER = {
    Verdict.MATCH: "MATCH: this footage is registered original footage",
    Verdict.SAME_SCENE: "SAME SCENE: same camera or view as an original, but another moment",
    Verdict.NO_MATCH: "NO MATCH: nothing in the library explains this footage",
    Verdict.INCONCLUSIVE: "INCONCLUSIVE",
}


def timecode(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60.0)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:05.2f}"
    return f"{minutes:02d}:{secs:05.2f}"


def display_name(query: str) -> str:
    """A local file's path rather than its file:// URL."""
    if query.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(query).path)
    return query


def _original_line(original: Original | None, ref_id: str) -> str:
    if original is None:
        return ref_id
    details = [d for d in (original.title, original.source and f"source: {original.source}",
                           original.recorded_at and f"recorded {original.recorded_at}") if d]
    return f"{ref_id} ({'; '.join(details)})" if details else ref_id


def _alignment_lines(alignment: Alignment, originals: dict[str, Original]) -> list[str]:
    lines = [f"  {_original_line(originals.get(alignment.reference_id), alignment.reference_id)}"
             f"  score {alignment.score:.2f}"]
    if alignment.edits:
        lines.append(f"    edits: {', '.join(alignment.edits)}")
    for s in alignment.segments:
        flags = []
        if s.mirrored:
            flags.append("mirrored")
        if abs(s.speed - 1.0) > 0.02:
            flags.append(f"speed x{s.speed:.2f}")
        extra = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(
            f"    query {timecode(s.query_start)}-{timecode(s.query_end)}  <-  original "
            f"{timecode(s.reference_start)}-{timecode(s.reference_end)}{extra}"
        )
    return lines


def to_text(verification: Verification) -> str:
    v = verification
    originals = {o.id: o for o in v.originals}
    lines = [f"{display_name(v.query)}", f"  {_BANNER[v.verdict]}"]
    if v.error:
        lines.append(f"  Error: {v.error}")
        if v.hint:
            lines.append(f"  Hint: {v.hint}")
        return "\n".join(lines)
    lines.append(f"  confidence {v.confidence:.2f} - {v.reason}")
    if v.matches:
        lines.append("Matched originals:")
        for alignment in v.matches:
            lines.extend(_alignment_lines(alignment, originals))
    if v.same_scene:
        lines.append("Same camera/view, different moment:")
        for alignment in v.same_scene:
            name = _original_line(originals.get(alignment.reference_id), alignment.reference_id)
            lines.append(f"  {name}  ({alignment.score:.0%} of frames show the same view)")
    if v.unexplained:
        spans = ", ".join(f"{timecode(a)}-{timecode(b)}" for a, b in v.unexplained)
        lines.append(f"Unexplained by the library: {spans}")
    lines.extend(_claim_lines(v))
    return "\n".join(lines)


def _claim_lines(v: Verification) -> list[str]:
    """Date claims grouped by the date they claim; then sources and flags, one line each."""
    lines: list[str] = []
    dates: dict[str, list[Claim]] = {}
    for claim in v.claims:
        if claim.kind == "date" and claim.status != "unchecked":
            dates.setdefault(claim.value, []).append(claim)
    for value, group in dates.items():
        mark = _MARKS[group[0].status]
        quoted = ", ".join(f'"{c.text}" ({c.found_in})' for c in group)
        lines.append(f"  [{mark}] date {value}, claimed as {quoted}")
        lines.extend(f"       {f}" for f in dict.fromkeys(group[0].finding.split("; ")) if f)
    for claim in v.claims:
        if claim.kind != "date" and claim.status != "unchecked":
            said = f' "{claim.text}" ({claim.found_in})' if claim.text else ""
            lines.append(f"  [{_MARKS[claim.status]}] {claim.kind}{said}: {claim.finding}")
    return ["Claims:", *lines] if lines else []


_MARKS = {"contradicted": "!!", "flag": "!!", "consistent": "ok", "unchecked": "  "}
