"""The finding a checker publishes: the footage verdict and the checked claims turned into one
rating, a sentence a reader understands, the reasons, and the schema.org category that follows.

Reports render this; they never re-derive it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import pairwise

from . import language
from .align import DEFAULT_PARAMS, MatchParams, intersect, subtract, union
from .claims import (
    CLOCK_CAVEAT,
    clock_caveat,
    clock_days,
    clock_reads_claimed,
    clock_subject,
    disagrees_as_read,
    listed,
)
from .dates import readable
from .fingerprint import cut_apart
from .models import (
    Alignment,
    Claim,
    ClaimKind,
    ClaimStatus,
    DetectedEdit,
    Edit,
    Finding,
    Original,
    Rating,
    Region,
    ScreenClock,
    Segment,
    Verdict,
)

# Worst first: an article's finding is its worst video's.
SEVERITY = (Rating.MISCAPTIONED, Rating.SAME_SCENE, Rating.EDITED, Rating.UNVERIFIED,
            Rating.INCONCLUSIVE, Rating.AUTHENTIC)
# Claims about the footage a contradiction of which makes a post miscaptioned.
_CAPTION_KINDS = (ClaimKind.DATE, ClaimKind.PUBLISHED, ClaimKind.PLACE, ClaimKind.SOURCE)
# Edits a reader should know about (as align/refine name them). Re-encoding, resizing,
# letterboxing and grayscale leave what the footage shows unchanged and are not listed.
_MEANINGFUL = {Edit.MIRRORED: "mirrored", Edit.SPEED: "speed changed",
               Edit.CROPPED: "cropped to part of the picture",
               Edit.PICTURE_IN_PICTURE: "shown inside another picture",
               Edit.OVERLAY: "text, logos or pictures overlaid",
               Edit.AUDIO_REPLACED: "its sound replaced (not the original's)",
               Edit.AUDIO_ADDED: "sound put under it that is not the original's",
               Edit.STRETCHED: "stretched or squeezed", Edit.ROTATED: "tilted",
               Edit.MULTI_VIEW: "shown with other footage in one frame",
               Edit.FILMED_OFF_SCREEN: "filmed off a screen",
               Edit.REVERSED: "played backwards"}
_TRANSFORMING = {Edit.SPEED, Edit.REVERSED}
# What a checker can do when a registered camera's view was found but not its moment.
UNDECIDED_MOMENT_STEP = ("To decide, find a longer or less edited copy of the video (more "
                         "movement to compare), or ask its source for the original file")
# What a checker can do when most of a matched shot could not be placed in the original.
UNPLACED_STEP = ("To decide, find a less edited copy of the video, or ask its source for the "
                 "original file")
# Unexplained or same-scene intervals in a matched video adding up to less than this are the
# ends of its samples (a quarter of a second each; the audit saw a 0.32 s one called added
# footage), not footage: a piece spliced in lasts 2 s or more (a match's own minimum length).
MIN_ADDED_S = 1.0
_CATEGORY = {Rating.MISCAPTIONED: "DecontextualizedContent",
             Rating.SAME_SCENE: "DecontextualizedContent",
             Rating.AUTHENTIC: "OriginalMediaContent"}


# A crop keeping at least this share of the original's picture (4 % or so off each side, as
# reframing for an encoder or a player trims) leaves what the footage shows: it is listed with
# the match, not an edit a reader must know. The copy-detection set's "crop 15%" keeps 72 %.
TRIM_SHARE = 0.8


def _edit_names(matches: Sequence[Alignment]) -> list[str]:
    found = []
    for alignment in matches:
        found += [_edit_name(edit) + (f" (x{edit.speed:.2f})" if edit.speed else "")
                  + _backwards(alignment, edit, len(matches) > 1)
                  for edit in alignment.edits if edit.kind in _MEANINGFUL and not _trim(edit)]
    return list(dict.fromkeys(found))


def _edit_name(edit: DetectedEdit) -> str:
    """What a reader is told of an edit: a rotation by how far it turns the picture."""
    turned = abs(edit.rotation or 0.0) if edit.kind is Edit.ROTATED else 0.0
    if turned >= 135.0:
        return "turned upside down"
    if turned >= 45.0:
        return "turned on its side"
    return _MEANINGFUL[edit.kind]


def _backwards(alignment: Alignment, edit: DetectedEdit, montage: bool) -> str:
    """Which footage is played backwards: its original in a montage, and where, when only some
    of its pieces are (" (cam-a; 6.0-12.0 s)": a "boomerang", forwards and then back)."""
    if edit.kind is not Edit.REVERSED:
        return ""
    backwards = [s for s in alignment.segments if s.reversed]
    said = [alignment.reference_id] if montage else []
    if len(backwards) < len(alignment.segments):
        said.append(", ".join(f"{s.query_start:.1f}-{s.query_end:.1f} s" for s in backwards))
    return f" ({'; '.join(said)})" if said else ""


def _trim(edit: DetectedEdit) -> bool:
    return edit.kind is Edit.CROPPED and (edit.share or 0.0) >= TRIM_SHARE


def _unplaced(unexplained: Sequence[tuple[float, float]], cuts: Sequence[float] | None
              ) -> tuple[Sequence[tuple[float, float]], list[str], float]:
    """(the unexplained intervals that may be footage added, what to say of the others, their
    seconds). Time
    the library does not explain is footage added only where the video cuts to it: a stretch
    with no cut in it or at its ends (``cut_apart``) continues the matched shot, which
    the comparison could not place (a desk audit: a 20 % centre crop of the car park, one shot,
    matched over 5 s of 15, was "footage the library does not explain was added"). Where the
    cuts are not known (None), every interval may be added footage."""
    if cuts is None or not unexplained:
        return unexplained, [], 0.0
    added = [(a, b) for a, b in unexplained
             if cut_apart(a, b, cuts)]
    seconds = sum(b - a for a, b in unexplained if (a, b) not in added)
    said = [f"{seconds:.1f} s of the matched shot (no cut sets it apart) could not be placed "
            "in the original: shown neither to be the registered footage nor to be added"] \
        if seconds >= MIN_ADDED_S else []
    return (added if sum(b - a for a, b in added) >= MIN_ADDED_S else ()), said, \
        seconds if said else 0.0


def _cuts_within(matches: Sequence[Alignment],
                 held: Sequence[tuple[float, float]] = ()) -> list[str]:
    """Cuts inside one original's footage: consecutive matched pieces (in the video's order)
    with no other original's footage between them, whose original times do not follow on,
    MIN_ADDED_S or more left out between them, added between them (the original's order
    kept, more of the repost's time than of the original's) or shown in another order than
    the original's (a desk audit's jump of 40 s and reordered pieces of one camera were rated
    authentic with no edit; a montage that goes to another camera and back is said as a
    montage). A frozen frame between them (``held``: its spans) is time the repost adds,
    said on its own: the original's time runs on over the rest of the gap only (a helper's
    audit: a 1.5 s freeze was said again as "1.4 s more ... than the original takes", and a
    jump of 4 s hidden behind a 2 s freeze at 1.5x was not said)."""
    said = []
    for alignment in matches:
        pieces = sorted(alignment.segments, key=lambda s: s.query_start)
        others = [(s.query_start, s.query_end) for m in matches
                  if m.reference_id != alignment.reference_id for s in m.segments]
        for before, after in pairwise(pieces):
            if before.reversed or after.reversed or any(
                    a < after.query_start and b > before.query_end for a, b in others):
                continue  # the pieces played backwards are said as an edit of their own
            gap = (before.query_end, after.query_start)
            frozen = sum(b - a for a, b in intersect(gap, held))
            follows = before.reference_end + (gap[1] - gap[0] - frozen) * before.speed
            jump = after.reference_start - follows
            if jump >= MIN_ADDED_S:
                said.append(f"cut within the footage of {alignment.reference_id} at "
                            f"{after.query_start:.1f} s: its {before.reference_end:.1f}-"
                            f"{after.reference_start:.1f} s not shown")
            elif jump <= -MIN_ADDED_S and \
                    after.reference_start >= before.reference_end - MIN_ADDED_S:
                # In the original's order, but the repost takes longer over it: a picture
                # held or footage put in (a desk audit's 3 s freeze was said "out of order").
                # The piece before a frozen frame can run up to MIN_ADDED_S into it, past where
                # the next takes up (a helper's audit: 0.2-1.0 s): no going back in time.
                between = (f"at its {after.reference_start:.1f} s" if
                           after.reference_start < before.reference_end + 0.05 else
                           f"between its {before.reference_end:.1f} s and its "
                           f"{after.reference_start:.1f} s")
                # In the repost's seconds: a piece at 1.25x takes 0.8 s over 1 s of footage.
                said.append(f"cut within the footage of {alignment.reference_id} at "
                            f"{after.query_start:.1f} s: {-jump / before.speed:.1f} s more "
                            f"{between} than the original takes (a picture held or footage "
                            "put in)")
            elif jump <= -MIN_ADDED_S and (again := _shown_again(before, after)):
                # footage shown before shown once more (a loop, or a piece played twice)
                said.append(f"cut within the footage of {alignment.reference_id} at "
                            f"{after.query_start:.1f} s: its {again[0]:.1f}-{again[1]:.1f} s "
                            "shown again")
            elif jump <= -MIN_ADDED_S:
                said.append(f"cut within the footage of {alignment.reference_id} at "
                            f"{after.query_start:.1f} s: its {after.reference_start:.1f} s shown "
                            f"after its {before.reference_end:.1f} s, out of order")
    return said


def _shown_again(before: Segment, after: Segment) -> tuple[float, float] | None:
    """The original's seconds the later piece shows that the earlier one showed already, where
    they are MIN_ADDED_S or more and most of it (a loop, a piece played twice), or None (a
    piece from further back that runs into them is shown out of order)."""
    first = max(before.reference_start, after.reference_start)
    last = min(before.reference_end, after.reference_end)
    again = last - first
    return (first, last) if again >= MIN_ADDED_S and \
        again >= (after.reference_end - after.reference_start) / 2 else None


def _other_moment(same_scene: Sequence[Alignment], unsettled: bool = False) -> str:
    """The edit a matched video with another moment of an original's camera carries, or ""
    (``unsettled``: with its view at a moment the evidence did not establish; a held picture
    is said apart, ``_held_picture``)."""
    shown = _camera_time(same_scene, lambda s: s.unsettled == unsettled and not s.held)
    if shown is None:
        return ""
    seconds, cameras = shown
    if unsettled:
        return (f"{seconds:.1f} s of it show the camera of {cameras} at a moment the evidence "
                "does not establish (its registered footage or another)")
    return (f"{seconds:.1f} s of it show the camera of {cameras} at another moment than the "
            "registered footage (recycled or misdated footage is possible there)")


def _camera_time(same_scene: Sequence[Alignment], kept: Callable[[Segment], bool]
                 ) -> tuple[float, str] | None:
    """The seconds of the same-scene pieces ``kept`` says, and their cameras named; None under
    MIN_ADDED_S."""
    pieces = [(a.reference_id, s) for a in same_scene for s in a.segments if kept(s)]
    seconds = sum(s.query_end - s.query_start for _, s in pieces)
    if seconds < MIN_ADDED_S:
        return None
    return seconds, ", ".join(dict.fromkeys(reference_id for reference_id, _ in pieces))


def _held_picture(same_scene: Sequence[Alignment], held: Sequence[tuple[float, float]]) -> str:
    """The edit a matched video that holds one picture of an original's camera carries (a
    frozen frame, ``Segment.held``; ``held``: their spans), or ""."""
    shown = _camera_time(same_scene, lambda s: s.held)
    if shown is None:
        return ""
    seconds, cameras = shown
    freezes = len(union(held))
    if freezes > 1:  # a helper's audit: two 1.5 s freezes read as one of 2.8 s
        return (f"{freezes} frozen frames: {seconds:.1f} s of it in all hold a picture of the "
                f"camera of {cameras} while the original moves on")
    return (f"a frozen frame: {seconds:.1f} s of it hold one picture of the camera of "
            f"{cameras} while the original moves on")


def _unconfirmed_moments(matches: Sequence[Alignment], params: MatchParams) -> list[str]:
    """A caution for each matched segment whose moment check was judged but does not clearly
    confirm the very moment (a fixed camera's other moment can line up by chance)."""
    return [f"caution: the same-instant check of {s.reference_id} over query "
            f"{s.query_start:.1f}-{s.query_end:.1f} s ({s.moment:.2f}) does not clearly confirm "
            "the very moment; another moment of the same camera is possible"
            for m in matches for s in m.segments
            if s.moment is not None and s.moment >= params.moment_confirmed]


def _too_still_moments(matches: Sequence[Alignment], params: MatchParams) -> list[str]:
    """A caution for each matched segment of a view where too little moves for the moment
    check to compare the pictures, resting on few movements (``Segment.too_still``)."""
    return [f"caution: too little moves in query {s.query_start:.1f}-{s.query_end:.1f} s for "
            f"the same-instant check to compare it with {s.reference_id}, and only "
            f"{s.evidence} movements line up (chance alignments of another moment reached "
            f"{params.moment_unsettled_confirmed - 1}); another moment of the same camera, or "
            "another time in the original, is possible"
            for m in matches for s in m.segments if s.too_still]


def _held_only(originals: Iterable[Original]) -> list[str]:
    """What the library lacks of originals whose file was cut off or damaged at registration:
    footage from after the part it holds is neither matched nor told from another moment."""
    return [f"the library holds only the first {o.duration:.1f} s of {o.id} (its file decoded "
            f"no further at registration, of the {o.announced_duration:.1f} s it announces): "
            "footage from after that can be neither matched nor told from another moment"
            for o in {o.id: o for o in originals}.values() if o.cut_off]


def _recorded(originals: Iterable[Original]) -> str:
    """'recorded 2015-09-16', or each original's date: 'recorded 2015-09-16 and 2019-03-02
    10:00 UTC' (a montage's originals are not one span of time)."""
    dates = [readable(d) for d in sorted({o.recorded_at for o in originals if o.recorded_at})]
    if not dates:
        return "at an unknown date"
    return "recorded " + listed(dates)


def _cameras(originals: Sequence[Original]) -> str:
    """'cam-a (recorded 2015-09-16)', or each camera with its own date where they differ:
    'cam-a (recorded 2015-09-16) and cam-b (at an unknown date)'."""
    ids = list(dict.fromkeys(o.id for o in originals))
    if len({o.recorded_at for o in originals}) < 2:
        return f"{', '.join(ids)} ({_recorded(originals)})"
    return listed([f"{i} ({_recorded([o for o in originals if o.id == i])})" for i in ids])


def _footage(originals: Sequence[Original]) -> str:
    """'authentic footage from A recorded 2015-09-16', or, where several sources' originals were
    recorded on several dates, each source with its own: 'authentic footage from A (recorded
    2018-11-20) and B (recorded 2020-06-05)' (a desk audit read "from B and A recorded
    2018-11-20 and 2020-06-05" the wrong way round)."""
    owners = list(dict.fromkeys(o.source for o in originals))  # "": no source named
    if len(owners) < 2 or len({o.recorded_at for o in originals}) < 2:
        named = [owner for owner in owners if owner]
        return (f"authentic footage from {listed(named)}" if named else
                "authentic footage") + f" {_recorded(originals)}"
    return "authentic footage from " + listed([
        f"{owner or 'an unnamed source'} ({_recorded([o for o in originals if o.source == owner])})"
        for owner in owners])



def _claimed(claims: Sequence[Claim]) -> str:
    """'captioned as 22/10/2015 and 23/10/2015, credited to X': each value once, as it was
    first written (the post's "22/10/2015" and a stated 2015-10-22 are one date)."""
    said: dict[str, dict[str, str]] = {}
    for claim in claims:
        verb = {ClaimKind.PUBLISHED: "published", ClaimKind.PLACE: "placed in",
                ClaimKind.SOURCE: "credited to"}.get(claim.kind, "captioned as")
        said.setdefault(verb, {}).setdefault(claim.value, _as_said(claim))
    return ", ".join(f"{verb} {' and '.join(_widest(values))}" for verb, values in said.items())


def _widest(values: Mapping[str, str]) -> list[str]:
    """Each value said once, a place left out where another says it with more ("Kharkiv"
    beside "Kharkiv, Ukraine": a desk audit read "placed in Kharkiv, Ukraine and Kharkiv")."""
    return [shown for value, shown in values.items()
            if not any(other != value and other.startswith(value + ",") for other in values)]


def _as_said(claim: Claim) -> str:
    """A date as it was written ("22/10/2015"), or, written in words with no number, the date
    they were read as with them ("2023-10-22 ("yesterday")": a desk audit's summary read
    "captioned as yesterday"); a place or source by its name."""
    if claim.kind is not ClaimKind.DATE or not claim.text:
        return claim.value
    if any(c.isdigit() for c in claim.text):
        return claim.text
    return f"{readable(claim.value)} (\"{claim.text}\")"


def _clocks_read(clocks: Sequence[ScreenClock]) -> str:
    """'2015-09-16 02:20:16 and 2015-09-15 23:41:05': each day a clock in the picture reads,
    once."""
    return " and ".join(c.reads.replace("T", " ") for c in clock_days(clocks))


def _against_clock(claims: Sequence[Claim], clocks: Sequence[ScreenClock]) -> str:
    """What the camera clock in the picture says of the claimed dates no original's metadata
    checked: '; captioned as 22/10/2015, but the camera clock in its picture reads 2015-09-16
    02:20:16 (...)', or that a claimed date agrees with that clock only; "" when neither."""
    against = [c for c in claims if c.status is ClaimStatus.CLOCK_CONTRADICTED]
    agreeing = [c for c in claims if c.status is ClaimStatus.CLOCK_CONSISTENT]
    # what a conclusion rests on: the clocks reading a claimed day where one supports a claim
    # (a camera's own clock beside them vouches for none of them), else every clock
    deciding = [c for c in clocks if any(clock_reads_claimed(a, [c]) for a in agreeing)] \
        if agreeing and not against else list(clocks)
    said = f"({_clocks_read(clocks)}; {clock_caveat(deciding)})" if clocks else \
        f"({CLOCK_CAVEAT})"
    clock = clock_subject(deciding)
    if against:
        return f"; {_claimed(against)}, but {clock} reads another date {said}"
    if agreeing:
        return f"; {_claimed(agreeing)}, which only {clock} supports {said}"
    return ""


def _agreeing_clocks(contradicted: Sequence[Claim], clocks: Sequence[ScreenClock]) -> str:
    """', which the camera clock in its picture contradicts too (it reads 2015-09-16 02:20:16)'
    when no clock read in the picture reads a day any contradicted date claims; else ""."""
    dated = [c for c in contradicted if c.kind is ClaimKind.DATE]
    if not clocks or not dated or any(clock_reads_claimed(c, clocks) for c in dated):
        return ""
    return f", which {clock_subject(clocks)} contradicts too (it reads {_clocks_read(clocks)})"


def _heard(audio_matches: Sequence[Alignment]) -> list[str]:
    """'audio-match: the sound of cam-a 8.0-20.0 s is heard at 0.0-12.0 s; the picture is
    not the original's (evidence from the sound only)'."""
    out = []
    for alignment in audio_matches:
        spans = ", ".join(f"{s.reference_start:.1f}-{s.reference_end:.1f} s at "
                          f"{s.query_start:.1f}-{s.query_end:.1f} s" for s in alignment.segments)
        out.append(f"audio-match: the sound of {alignment.reference_id} ({spans}) is in this "
                   "video; its picture was not matched (evidence from the sound only)")
    return out


def _regions_said(regions: Sequence[Region]) -> tuple[list[str], list[str]]:
    """What a frame of several pictures adds: (edits, reasons). A region nothing explains is
    footage the library does not explain; a region showing a registered camera at another
    moment is said, as a whole video's same scene is."""
    edits, reasons = [], []
    for region in regions:
        if region.same_scene and not region.reference_ids:
            reasons.append(f"{region.label}: the same camera or view as "
                           f"{', '.join(region.same_scene)}, at another moment")
        elif region.unexplained and not region.reference_ids:
            edits.append("a picture in the frame the library does not explain")
            reasons.append(f"{region.label}: footage the library does not explain")
    return list(dict.fromkeys(edits)), reasons


def assess(
    verdict: Verdict,
    matches: Sequence[Alignment],
    unexplained: Sequence[tuple[float, float]],
    claims: Sequence[Claim],
    originals: Sequence[Original],
    reason: str = "",
    error: str = "",
    audio_matches: Sequence[Alignment] = (),
    regions: Sequence[Region] = (),
    same_scene: Sequence[Alignment] = (),
    params: MatchParams = DEFAULT_PARAMS,
    clocks: Sequence[ScreenClock] = (),
    cuts: Sequence[float] | None = None,
    blank: Sequence[tuple[float, float]] = (),
) -> Finding:
    """The rating of one video: see ``Rating``'s values and the rules below, in order.
    ``audio_matches`` (originals whose sound, not picture, is in the video) never make a match:
    they are said in the reasons; ``regions`` (a grid, a wall of screens) say what each picture
    of the frame shows; ``same_scene``: the intervals that show an original's view at another
    moment (in a matched video, a montage with the same camera's other footage); ``params``:
    the matching parameters the result was made with; ``clocks``: the camera clocks read in the
    video's own picture, which claims no original's metadata checked were compared with
    (``claims.check_clocks``): said in the summary, weighed below a match's metadata;
    ``cuts``: the query's cut times, where known (``_unplaced``); ``blank``: the stretches whose
    picture is blank (``align.blank_spans``: a black leader is no footage added)."""
    heard = _heard(audio_matches)
    clocked = [c.finding for c in claims if c.finding and c.status in (
        ClaimStatus.CLOCK_CONTRADICTED, ClaimStatus.CLOCK_CONSISTENT)]
    by_clock = _against_clock(claims, clocks)
    # The camera's place is known whatever the moment.
    misplaced = [c.finding for c in claims
                 if c.status is ClaimStatus.CONTRADICTED and c.kind is ClaimKind.PLACE]
    if error or verdict is Verdict.INCONCLUSIVE:
        why = error or reason or "too little evidence"
        if error or not same_scene:
            return Finding(Rating.INCONCLUSIVE, f"Inconclusive: {why}.", (why, *heard))
        summary = (f"Inconclusive: {why}" + "".join(f"; {m}" for m in misplaced)
                   + f". {UNDECIDED_MOMENT_STEP}.")
        return Finding(Rating.INCONCLUSIVE, summary,
                       (why, *misplaced, *clocked, *heard, *_held_only(originals)))
    if verdict is Verdict.NO_MATCH:
        if heard:
            return Finding(Rating.UNVERIFIED, "Unverified: the picture matches nothing in the "
                           "library, but the sound is an original's (audio-match: evidence "
                           "from the sound only).", tuple(heard))
        return Finding(Rating.UNVERIFIED, "Unverified: nothing in the library explains this "
                       f"footage{by_clock}.", (*((reason,) if reason else ()), *clocked))
    matched = [o for o in originals if any(m.reference_id == o.id for m in matches)]
    flags = [c.finding for c in claims if c.status is ClaimStatus.FLAG and c.finding]
    if verdict is Verdict.SAME_SCENE:
        others = [o for o in originals if o not in matched]
        # Seconds of the same view at a moment not established are no recycled footage.
        left_open = [m for m in (_other_moment(same_scene, unsettled=True),) if m]
        held_only = _held_only(others)
        summary = (f"Same scene: the same camera or view as {_cameras(others)}, but another "
                   "moment; recycled or misdated footage "
                   "is possible" + "".join(f"; {m}" for m in [*misplaced, *left_open])
                   + f"{by_clock}." + "".join(f" Caution: {h}." for h in held_only))
        # Another moment of the camera is no evidence the post put it in a wrong context: only
        # a place it claims against the camera's is (its date cannot be checked).
        return Finding(Rating.SAME_SCENE, summary,
                       tuple(dict.fromkeys([*clocked, *flags, *left_open, *heard, *held_only])),
                       _CATEGORY[Rating.SAME_SCENE] if misplaced else None)
    contradicted = [c for c in claims
                    if c.status is ClaimStatus.CONTRADICTED and c.kind in _CAPTION_KINDS]
    # Only claims no original's recording date checked are compared with a clock (the
    # metadata is weighed above it): the original's own clock (the caption stage found it in
    # the original's picture) against the claimed date is a miscaption too, said as such; a
    # clock nothing was compared with may be made up, and is only said.
    against_clock = [c for c in claims if c.status is ClaimStatus.CLOCK_CONTRADICTED
                     and c.kind in _CAPTION_KINDS] if any(k.in_original for k in clocks) else []
    region_edits, region_reasons = _regions_said(regions)
    edits = _edit_names(matches) + region_edits
    # Several originals one after another (not side by side: regions say that, nor one laid
    # over another's footage) is a montage, an edit a reader must know even when every second
    # of it is authentic.
    sources = len({m.reference_id for m in matches if m.region is None}) if not regions else 1
    unexplained = [piece for span in unexplained for piece in subtract(span, blank)]
    unexplained = unexplained if sum(b - a for a, b in unexplained) >= MIN_ADDED_S else ()
    unexplained, unplaced, unplaced_s = _unplaced(unexplained, cuts)
    if sources > 1 and unexplained:
        edits.insert(0, "a montage with footage the library does not explain")
    elif sources > 1:
        edits.insert(0, f"a montage of {sources} originals")
    elif unexplained:
        edits.insert(0, "footage the library does not explain was added")
    held = [(s.query_start, s.query_end) for a in same_scene for s in a.segments if s.held]
    edits += _cuts_within(matches, held) if not regions else []
    # Like footage the library does not explain: the camera's view at a moment not
    # established is not the registered footage as far as the evidence goes.
    other_moments = [m for m in (_held_picture(same_scene, held), *(
        _other_moment(same_scene, unsettled) for unsettled in (True, False))) if m]
    for moment in other_moments:
        edits.insert(0, moment)
    cautions = _unconfirmed_moments(matches, params)
    too_still = _too_still_moments(matches, params)
    held_only = _held_only(matched)
    reasons = ([c.finding for c in contradicted] + clocked + [f"edited: {e}" for e in edits]
               + region_reasons + cautions + too_still + unplaced + held_only + flags + heard)
    # A match the moment check does not clearly confirm says so where it is read first, and so
    # does footage of the matched shot the library could not place, and time an original cut
    # off at registration may hold.
    unmatched = bool(unexplained or unplaced or other_moments)
    moment_caution = (" Caution: the same-instant check does not clearly confirm the very "
                      "moment; another moment of the same camera is possible." if cautions
                      else "") + \
        (" Caution: too little moves for the same-instant check to confirm the very moment, "
         "nor where in the original it lies; another moment of the same camera is possible."
         if too_still else "")
    held_caution = "".join(f" Caution: {h}." for h in held_only if unmatched)
    caution = moment_caution + "".join(f" Caution: {u}." for u in unplaced) + held_caution
    if contradicted or against_clock:
        # The edits stay in the summary: a montage's other moment could be from the claimed date.
        also = f" Also edited: {'; '.join(edits)}." if edits else ""
        said = (f", {_claimed(contradicted)}{_agreeing_clocks(contradicted, clocks)}"
                if contradicted else by_clock)
        summary = (f"Miscaptioned: {_footage(matched)}{said}."
                   f"{also}{caution}")
        return Finding(Rating.MISCAPTIONED, summary, tuple(dict.fromkeys(reasons)),
                       _CATEGORY[Rating.MISCAPTIONED])
    if edits:
        # schema.org: a video whose footage itself was transformed, its speed changed
        # (or its time reversed), is TransformedContent
        category = ("TransformedContent"
                    if any(e.kind in _TRANSFORMING for m in matches for e in m.edits)
                    else "EditedOrCroppedContent")
        summary = (f"Edited: {_footage(matched)}, {'; '.join(edits)}"
                   f"{by_clock}{_unread_languages(claims)}.{caution}")
        return Finding(Rating.EDITED, summary, tuple(dict.fromkeys(reasons)), category)
    matched_s = sum(s.query_end - s.query_start for m in matches if m.region is None
                    for s in m.segments)
    if unplaced_s > matched_s:
        # most of the matched shot could not be placed: what was matched does not vouch for
        # the rest as authentic (a desk audit: a crop's fingerprint file, 3.2 s of 20 s
        # matched, was "authentic"; an edited video says its edits and the caution)
        return Finding(Rating.INCONCLUSIVE, (
            f"Inconclusive: {_footage(matched)} over {matched_s:.1f} s, but {unplaced_s:.1f} s "
            "more of the same shot could not be placed in the original (a crop, a picture edit "
            f"or another moment the comparison could not tell). {UNPLACED_STEP}."
            f"{moment_caution}{held_caution}"),
            tuple(dict.fromkeys(reasons)))
    doubtful = [c for c in claims if c.kind in _CAPTION_KINDS and disagrees_as_read(c)]
    if doubtful:
        # authentic footage, but a claim that, as read, does not agree, in words not read or
        # a place named in passing: no answer to publish as "authentic" (desk audits: a
        # Russian caption four years off; "Tanks entering Kyiv" over footage from California)
        return Finding(Rating.INCONCLUSIVE, (
            f"Inconclusive: {_footage(matched)}, but {_doubts(doubtful)}: check "
            f"{'it' if len(doubtful) == 1 else 'them'} by hand.{caution}"),
            tuple(dict.fromkeys([*reasons, *(c.finding for c in doubtful)])))
    checked = [c for c in claims if c.status is ClaimStatus.CONSISTENT]
    unread = _unread_languages(claims)
    summary = (f"Authentic: {_footage(matched)}"
               + (_as_claimed(checked, _not_checked(claims, checked)) if checked
                  else "" if by_clock or unread else "; no claim about it could be checked")
               + f"{by_clock}{unread}." + caution)
    return Finding(Rating.AUTHENTIC, summary, tuple(dict.fromkeys(reasons)),
                   _CATEGORY[Rating.AUTHENTIC])


def _doubts(doubtful: Sequence[Claim]) -> str:
    """What the claims that do not agree as read are: in a language whose words are not read,
    or places named in passing."""
    unread = [c for c in doubtful if not c.named_in_passing]
    named = list(dict.fromkeys(c.value for c in doubtful if c.named_in_passing))
    said = []
    if unread:
        said.append(f"{len(unread)} claim(s) written in {_languages(unread)} do not agree with "
                    "it as read; provenance reads the words around a claim in English and "
                    "French only")
    if named:
        said.append(f"its caption names {listed(named)}, which does not agree with where it "
                    "was filmed, without words saying it was filmed there")
    return "; and ".join(said)


_CLAIMED = {ClaimKind.DATE: "date", ClaimKind.PUBLISHED: "publication date",
            ClaimKind.PLACE: "place", ClaimKind.SOURCE: "source", ClaimKind.UPLOADER: "uploader"}


def _unread_languages(claims: Sequence[Claim]) -> str:
    """The claims left to the checker for the language they were read in, said after the
    footage (a desk audit: "no claim about it could be checked" was read as "authentic")."""
    left = [c for c in claims if c.kind in _CAPTION_KINDS and c.status is ClaimStatus.UNCHECKED
            and language.unread(c.language)]
    if not left:
        return ""
    return (f"; {len(left)} claim(s) written in {_languages(left)} are left to the checker "
            "(provenance reads the words around a claim in English and French only)")


def _languages(claims: Sequence[Claim]) -> str:
    """The languages claims were written in, each named once: "German and Russian"."""
    return listed(list(dict.fromkeys(language.name(c.language) for c in claims)))


def _as_claimed(consistent: Sequence[Claim], not_checked: Sequence[str] = ()) -> str:
    """What the consistent claims confirm, said after the recording date: "as claimed" only
    where a date was claimed (a desk audit: a place alone read "recorded 2015-09-15, as
    claimed", a date no one had claimed), and what was claimed but could not be checked
    (``not_checked``: a desk audit's "as claimed" covered a place nothing was known of)."""
    kinds = [_CLAIMED[k] for k in dict.fromkeys(c.kind for c in consistent) if k in _CLAIMED]
    named = listed(kinds)
    left = (f"; the claimed {listed(not_checked)} could not be checked" if not_checked
            else "")
    if kinds == ["date"] and not left:
        return ", as claimed"
    if "date" in kinds:
        return f", as claimed ({named}){left}"
    if not kinds:
        return left
    return f"; the claimed {named} {'agrees' if len(kinds) == 1 else 'agree'} with it{left}"


def _not_checked(claims: Sequence[Claim], consistent: Sequence[Claim]) -> list[str]:
    """The kinds claimed (date, place, source) of which no claim could be checked, where none
    of that kind agrees (claims in a language not read are said apart)."""
    agreed = {c.kind for c in consistent}
    return [_CLAIMED[kind] for kind in dict.fromkeys(
        c.kind for c in claims if c.status is ClaimStatus.UNCHECKED and c.value
        and c.kind in (ClaimKind.DATE, ClaimKind.PLACE, ClaimKind.SOURCE) and c.kind not in agreed
        and not language.unread(c.language))]


def overall(findings: Sequence[Finding]) -> Finding:
    """An article's finding: its worst video's, saying how many videos share it."""
    if not findings:
        return Finding(Rating.INCONCLUSIVE, "Inconclusive: no video was verified.")
    worst = min(findings, key=lambda f: SEVERITY.index(f.rating))
    if len(findings) == 1:
        return worst
    count = sum(f.rating is worst.rating for f in findings)
    others = [_rated(rating, [f for f in findings if f.rating is rating])
              for rating in SEVERITY if rating is not worst.rating
              and any(f.rating is rating for f in findings)]
    summary = (f"{worst.summary[:-1]} ({count} of {len(findings)} videos {worst.rating.value}"
               + "".join(f"; {other}" for other in others) + ").")
    return Finding(worst.rating, summary, worst.reasons, worst.mediareview)


def _rated(rating: Rating, findings: Sequence[Finding]) -> str:
    """'1 same-scene, its claimed place contradicted': the other videos of an article, so that
    its summary hides none of its findings (a desk audit: "1 of 2 videos miscaptioned" left out
    the other's wrong place)."""
    misplaced = sum(rating is Rating.SAME_SCENE and f.mediareview is not None for f in findings)
    said = f"{len(findings)} {rating.value}"
    if misplaced:
        said += f", {misplaced} of them with a claimed place contradicted"
    return said
