"""Text a checker reads at a glance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath, PureWindowsPath

from ..align import union
from ..finding import overall
from ..models import (
    Alignment,
    Claim,
    ClaimKind,
    ClaimStatus,
    Finding,
    Original,
    Verdict,
    Verification,
    in_shown_order,
)
from ..terminal import one_line

_BANNER = {
    Verdict.MATCH: "MATCH: this footage is registered original footage",
    Verdict.SAME_SCENE: "SAME SCENE: same camera or view as an original, but another moment",
    Verdict.NO_MATCH: "NO MATCH: nothing in the library explains this footage",
    Verdict.INCONCLUSIVE: "INCONCLUSIVE",
}



# Lines of burned-in text shown, as in the HTML report (the JSON result holds them all).
MAX_TEXT_LINES = 12
# How a line the caption stage found added to the original's picture is marked (both reports).
ADDED_TEXT = "added: not in the original"
# How a line read in the frame flipped left to right is marked (mirror-written in the video).
MIRRORED_TEXT = "read mirrored"
# How a clock found in a matched original's picture is marked (the camera's own).
OWN_CLOCK = "in the original's picture too"
# How a clock no original's picture was compared with is marked (it may have been laid on).
UNCOMPARED_CLOCK = "not compared with an original's picture: it may have been laid on"


HELD_PICTURE = "one picture held (a frozen frame)"


def same_view_label(verdict: Verdict | str, unsettled: bool = False, held: bool = False) -> str:
    """What a same-scene interval is: one picture held (``Segment.held``), another moment of
    the camera, or, where the verdict is inconclusive or the interval ``unsettled``
    (``Segment.unsettled``), its view at a moment the evidence did not establish."""
    if held:
        return HELD_PICTURE
    inconclusive = getattr(verdict, "value", verdict) == Verdict.INCONCLUSIVE.value
    return "moment not established" if inconclusive or unsettled else "another moment"


def same_view_pieces(verdict: Verdict | str,
                     pieces: Iterable[tuple[float, float, bool, bool]]
                     ) -> dict[str, list[tuple[float, float]]]:
    """One original's same-scene pieces (start, end, unsettled, held) by what they are
    (``same_view_label``); pieces that touch (cut at different stages) read as one stretch."""
    found: dict[str, list[tuple[float, float]]] = {}
    for start, end, unsettled, held in pieces:
        found.setdefault(same_view_label(verdict, unsettled, held), []).append((start, end))
    return {label: union(spans) for label, spans in sorted(found.items())}


# Longest time a timecode shows (366 days, the report schema's bound on a time): a larger or
# non-finite number from a hand-edited result is shown as this bound with a "+", never as the
# hundreds of digits 1e308 seconds would make.
MAX_TIMECODE_S = 366 * 86400.0


def timecode(seconds: float) -> str:
    """``MM:SS.ss``, or ``H:MM:SS.ss`` from an hour; any float gives a short string (negative
    and NaN as 0, beyond MAX_TIMECODE_S as that bound followed by "+")."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        value = 0.0
    if value > MAX_TIMECODE_S:
        return timecode(MAX_TIMECODE_S) + "+"
    minutes, secs = divmod(value if value > 0 else 0.0, 60.0)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:05.2f}"
    return f"{minutes:02d}:{secs:05.2f}"


def from_cache(record: object) -> str:
    """"from the cache, retrieved <time>" for a video read from the download cache (its
    provenance record says ``"cache": "hit"``), else "": a video that changed on the server
    since is not what was verified."""
    if not isinstance(record, dict) or record.get("cache") != "hit":
        return ""
    return f"from the cache, retrieved {record.get('retrieved_at') or 'at a time not recorded'}"


def display_name(query: str) -> str:
    """A local file's path rather than its file:// URL."""
    if query.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(query).path)
    return query


def file_name(query: str) -> str:
    """A web address as it is; a local file (a path, Windows' too, or a file:// URL) by its
    name alone: what is shown to others, for a path tells the checker's folders and user
    name."""
    shown = display_name(query)
    if "://" in shown:
        return shown
    return PureWindowsPath(shown).name if "\\" in shown else PurePosixPath(shown).name


def _original_line(original: Original | None, ref_id: str) -> str:
    if original is None:
        return one_line(ref_id)
    details = [d for d in (original.title, original.source and f"source: {original.source}",
                           original.recorded_at and f"recorded {original.recorded_at}") if d]
    return one_line(f"{ref_id} ({'; '.join(details)})" if details else ref_id)


def _alignment_lines(alignment: Alignment, originals: dict[str, Original]) -> list[str]:
    lines = [f"  {_original_line(originals.get(alignment.reference_id), alignment.reference_id)}"
             f"  score {alignment.score:.2f}"]
    if alignment.edits:
        lines.append(f"    edits: {'; '.join(map(str, alignment.edits))}")
    for s in alignment.segments:
        flags = []
        if s.mirrored:
            flags.append("mirrored")
        if s.reversed:
            flags.append("played backwards")
        if abs(s.speed - 1.0) > 0.02:
            flags.append(f"speed x{s.speed:.2f}")
        if s.moment is not None:
            flags.append(f"same-instant check {s.moment:.2f}")
        if s.too_still:
            flags.append("too still for the same-instant check")
        if s.spliced:
            flags.append("cut at a splice with another moment of the camera")
        extra = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(
            f"    query {timecode(s.query_start)}-{timecode(s.query_end)}  <-  original "
            + "-".join(map(timecode, in_shown_order(s.reference_start, s.reference_end,
                                                    s.reversed)))
            + extra
        )
    return lines


def to_text(verification: Verification, said_above: Sequence[str] = ()) -> str:
    """One result as text; ``said_above``: notes of what was not examined that the article's
    block already says (``shared_notes``), not said again."""
    v = verification
    originals = {o.id: o for o in v.originals}
    lines = [one_line(display_name(v.query)), *headline(v.finding),
             f"  footage: {_BANNER[v.verdict]}"]
    if v.error:
        lines.append(f"  Error: {v.error}")
        if v.hint:
            lines.append(f"  Hint: {v.hint}")
        return "\n".join(lines)
    # The reason once: a finding that says it already (an inconclusive one) is not repeated.
    said = v.finding is not None and v.reason and v.reason in v.finding.summary
    lines.append(f"  confidence {v.confidence:.2f}" + ("" if said else f" - {v.reason}"))
    if from_cache(v.provenance):
        lines.append(f"  video: {from_cache(v.provenance)} (`verify --refresh` downloads it "
                     "again)")
    if v.matches:
        lines.append("Matched originals:")
        for alignment in v.matches:
            lines.extend(_alignment_lines(alignment, originals))
    lines.extend(_same_view_lines(v, originals))
    if v.unexplained:
        spans = ", ".join(f"{timecode(a)}-{timecode(b)}" for a, b in v.unexplained)
        lines.append(f"Unexplained by the library: {spans}")
    lines.extend(_region_lines(v))
    lines.extend(f"Not examined: {skipped}" for skipped in v.skipped if skipped not in said_above)
    lines.extend(_claim_lines(v))
    lines.extend(_evidence_lines(v, originals))
    return "\n".join(lines)


def _same_view_lines(v: Verification, originals: dict[str, Original]) -> list[str]:
    """The same-scene intervals, under a heading for each kind (``same_view_label``)."""
    grouped: dict[str, list[tuple[Alignment, list[tuple[float, float]]]]] = {}
    for alignment in v.same_scene:
        pieces = same_view_pieces(v.verdict, ((s.query_start, s.query_end, s.unsettled, s.held)
                                              for s in alignment.segments))
        for label, spans in pieces.items():
            grouped.setdefault(label, []).append((alignment, spans))
    lines = []
    for label, shown in sorted(grouped.items()):
        lines.append(f"Same camera/view, {label}:")
        for alignment, spans in shown:
            name = _original_line(originals.get(alignment.reference_id), alignment.reference_id)
            lines.append(f"  {name}  (its view is in {alignment.score:.0%} of the video's frames)")
            lines.append("    query " + ", ".join(f"{timecode(a)}-{timecode(b)}"
                                                  for a, b in spans))
    return lines


def _region_lines(v: Verification) -> list[str]:
    """Each picture of a frame that holds several: where it is, what it shows."""
    if not v.regions:
        return []
    lines = [f"Regions of the frame ({v.layout}):"]
    for region in v.regions:
        x0, y0, x1, y1 = region.box
        where = f"x {x0:.0%}-{x1:.0%}, y {y0:.0%}-{y1:.0%}"
        shown = ", ".join(region.reference_ids)
        if region.same_scene:
            other = f"same view as {', '.join(region.same_scene)} at another moment"
            shown = f"{shown}; {other}" if shown else other
        if region.unexplained:
            spans = ", ".join(f"{timecode(a)}-{timecode(b)}" for a, b in region.unexplained)
            shown = f"{shown}; unexplained {spans}" if shown else f"unexplained {spans}"
        lines.append(f"  {region.label} ({where}): {shown}")
    return lines


def shared_notes(skipped: Sequence[Sequence[str]]) -> list[str]:
    """What was not examined for every one of several videos (the page's own notes: a
    reference it names that was not opened, videos past the limit), said once for the article
    rather than under each video (a desk audit saw them under every one)."""
    if len(skipped) < 2:
        return []
    rest = [set(notes) for notes in skipped[1:]]
    return [note for note in dict.fromkeys(skipped[0]) if all(note in r for r in rest)]


def to_texts(results: Sequence[Verification]) -> str:
    """Several results (an article's videos): the article's finding first, then each video."""
    shared = shared_notes([r.skipped for r in results])
    parts = [to_text(r, shared) for r in results]
    if len(results) > 1:
        found = overall([r.finding for r in results if r.finding])
        parts.insert(0, "\n".join(["Article:", *headline(found),
                                   *(f"Not examined: {note}" for note in shared)]))
    return "\n\n".join(parts)


def headline(finding: Finding | None) -> list[str]:
    """The finding first: 'MISCAPTIONED — authentic footage ... captioned as 22/10/2015'."""
    if finding is None:
        return []
    _, _, rest = finding.summary.partition(": ")
    return [f"  {finding.rating.value.upper()} — {rest or finding.summary}"]
def _evidence_lines(v: Verification, originals: dict[str, Original]) -> list[str]:
    """Sound-only matches, the sound on picture matches, Content Credentials (stages that did
    not run are said with the others, as "Not examined")."""
    lines: list[str] = []
    for alignment in v.audio_matches:
        lines.append("  audio-match (the sound only, not the picture):")
        lines.extend(f"  {line}" for line in _alignment_lines(alignment, originals))
    for alignment in v.matches:
        if alignment.audio in ("same", "different"):
            said = "the original's" if alignment.audio == "same" else "REPLACED"
            lines.append(f"  sound on {alignment.reference_id}: {said}")
        original = originals.get(alignment.reference_id)
        if original is not None and original.recorded_on_screen:
            lines.append(f"  camera clock of {original.id}: {original.recorded_on_screen}")
    for original in originals.values():
        if original.cut_off:
            lines.append(f"  file of {original.id}: cut off at registration; the library "
                         f"holds its first {original.duration:.1f} s of "
                         f"{original.announced_duration:.1f} s")
    lines.extend(f"  camera clock in this video's picture: {clock.reads} at "
                 f"{timecode(clock.time)}{clock_marks(clock.mirrored, clock.in_original)}"
                 for clock in v.screen_clocks[:MAX_TEXT_LINES])
    read = "; ".join(f'{timecode(line.time)} "{_collapsed(line.text)}"'
                     + (f" ({ADDED_TEXT})" if line.added else "")
                     + (f" ({MIRRORED_TEXT})" if line.mirrored else "")
                     for line in v.burned_in_text[:MAX_TEXT_LINES])
    if read:
        lines.append(f"  text in the picture: {read}")
    if v.content_credentials and v.content_credentials.state != "absent":
        lines.append(f"  Content Credentials: {v.content_credentials.summary}")
    return ["Evidence beyond the picture:", *lines] if lines else []


def clock_marks(mirrored: object, in_original: object) -> str:
    """' (read mirrored; in the original's picture too)': what is known of a clock read."""
    marks = [m for m, on in ((MIRRORED_TEXT, mirrored), (OWN_CLOCK, in_original),
                             (UNCOMPARED_CLOCK, in_original is None)) if on]
    return f" ({'; '.join(marks)})" if marks else ""


# A finding quotes a claim and names originals: longer than a text line, still bounded.
MAX_FINDING_CHARS = 600


def _collapsed(text: str, limit: int = 200) -> str:
    """Text read from a video, on one line and bounded (what the HTML report shows of it)."""
    return " ".join(text.split())[:limit]


def _claim_lines(v: Verification) -> list[str]:
    """Every claim with its status as a word first: dates and places grouped by what they
    claim and how it was checked (a caption and --claim-place saying the same place are one
    line); then sources and flags, one line each."""
    lines: list[str] = []
    grouped: dict[tuple[ClaimKind, str, ClaimStatus], list[Claim]] = {}
    for claim in v.claims:
        if claim.kind in _GROUPED:
            grouped.setdefault((claim.kind, claim.value, claim.status), []).append(claim)
    # a claim's words are the post's: one line each, so no line of theirs passes for the report's
    for (kind, value, status), group in grouped.items():
        quoted = ", ".join(f'"{_collapsed(c.text)}" ({_where(c)})' for c in group)
        lines.append(f"  [{status.value}] {_GROUPED[kind]} {_collapsed(value)}: {quoted}")
        lines.extend(f"       {_collapsed(f, MAX_FINDING_CHARS)}" for f in dict.fromkeys(
            (group[0].finding or NOTHING_TO_CHECK).split("; ")) if f)
    for claim in v.claims:
        if claim.kind not in _GROUPED:
            said = f' "{_collapsed(claim.text)}" ({_where(claim)})' if claim.text else ""
            lines.append(f"  [{claim.status.value}] {claim.kind.value}{said}: "
                         f"{_collapsed(claim.finding or NOTHING_TO_CHECK, MAX_FINDING_CHARS)}")
    return ["Claims:", *lines] if lines else []


# Said of a claim the library had nothing to check against (no matched original, or none
# with a recording date, location or source).
NOTHING_TO_CHECK = "not checked: nothing known to compare it with"


_GROUPED = {ClaimKind.DATE: "filmed", ClaimKind.PUBLISHED: "published", ClaimKind.PLACE: "place"}


def _where(claim: Claim) -> str:
    scope = " about every video" if claim.applies_to == "article" and claim.found_in in (
        "headline", "lede", "byline") else ""
    return f"{claim.found_in}{scope}"
