"""The small, typed data model passed between stages. No I/O here."""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

FINGERPRINT_VERSION = 1


class Verdict(str, enum.Enum):
    """What a query is, relative to the library."""

    MATCH = "match"
    SAME_SCENE = "same-scene"
    NO_MATCH = "no-match"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class VideoRef:
    """A video referenced by an article: where it points and where in the page it was found."""

    url: str
    found_in: str
    kind: str = "video"


@dataclass(frozen=True)
class LocalVideo:
    """A video file on disk with the record of where it came from."""

    path: str
    sha256: str
    source_url: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


def post_upload_date(record: Mapping[str, Any]) -> str:
    """The upload date a download's record (``LocalVideo.provenance``) gives the post, as yt-dlp
    writes it (YYYYMMDD), or "" for a direct link to a file: yt-dlp's generic extractor dates
    that by the server's Last-Modified header, when the file last changed there, not when anyone
    posted it (a desk audit's local server gave "published" today, and its JSON-LD an
    ``uploadDate`` of today); the record keeps it."""
    if record.get("extractor") == "generic":
        return ""
    return str(record.get("upload_date") or "")


def in_shown_order(reference_start: float, reference_end: float, reversed_: bool
                   ) -> tuple[float, float]:
    """A segment's original span in the order the repost shows it: from its end when played
    backwards (``Segment.reversed``), as every report gives it."""
    return (reference_end, reference_start) if reversed_ else (reference_start, reference_end)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """Per-sample hashes of one video. Times are seconds from the stream's timestamps.

    ``scene`` is a 64-bit perceptual hash of each sampled frame, ``mirror`` the same hash of the
    horizontally flipped frame, ``motion`` a 64-bit hash of the change since the previous sample
    (``motion_mirror`` the same for the flipped frames) and ``motion_energy`` how much changed
    (mean absolute grey-level difference).
    ``informative`` is False for black, flat or faded frames, which never count as evidence.
    ``decoder`` records what decoded the video ("opencv", "pyav-nonref", "pyav-full"; "" when
    not recorded): fingerprints of every decoder match each other.
    ``coherence`` is, per sample, the share of the change since the previous sample that is
    spatially coherent (``provider.change_coherence``: a moving thing, not grain or sensor
    noise), measured by verify from the repost's larger detail frames; it is not stored (None
    for a fingerprint read from a file or a library).
    """

    times: np.ndarray
    scene: np.ndarray
    mirror: np.ndarray
    motion: np.ndarray
    motion_mirror: np.ndarray
    motion_energy: np.ndarray
    informative: np.ndarray
    duration: float
    width: int
    height: int
    native_fps: float
    sample_fps: float
    version: int = FINGERPRINT_VERSION
    decoder: str = ""
    # The first sound track as Chromaprint codes, one per ``audio.HOP_S`` seconds (empty: no
    # sound, or not read).
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    coherence: np.ndarray | None = None

    # The per-sample arrays and their stored types: the .npz file and the library loop over
    # this table, so a new hash channel is one field here plus its line in the table.
    ARRAYS: ClassVar[dict[str, type]] = {
        "times": np.float64,
        "scene": np.uint64,
        "mirror": np.uint64,
        "motion": np.uint64,
        "motion_mirror": np.uint64,
        "motion_energy": np.float32,
        "informative": np.bool_,
    }
    # Channels on their own time base (not one value per sample), stored like ARRAYS; empty
    # when a file or library from before the channel has none.
    CHANNELS: ClassVar[dict[str, type]] = {
        "audio": np.uint32,
    }

    def __len__(self) -> int:
        return int(self.times.shape[0])


@dataclass(frozen=True, eq=False)
class LocalData:
    """What the second matching stage needs of an original, stored at registration so verify
    never opens the original's file: small grey whole frames (``details``, at ``detail_times``)
    to hash any region of, and ORB keypoints of a few frames (``key_counts[i]`` points of frame
    ``key_times[i]``, in pixels of a ``key_size`` image) to find where a repost's picture sits.
    ``saturation`` is the original's mean colour saturation (0-255). ``pictures`` are the
    report's pictures of the keyframes (JPEG, one per ``key_times``; grey JPEGs when the decoder
    read luma only; none in libraries made before schema v8)."""

    detail_times: np.ndarray
    details: np.ndarray
    key_times: np.ndarray
    key_counts: np.ndarray
    key_points: np.ndarray
    key_descriptors: np.ndarray
    key_size: tuple[int, int]
    saturation: float
    pictures: tuple[bytes, ...] = ()

    def keyframes(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(points, descriptors) of each keyframe."""
        bounds = np.r_[0, np.cumsum(self.key_counts)]
        return [(self.key_points[a:b], self.key_descriptors[a:b])
                for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@dataclass(frozen=True)
class Shot:
    """A run of samples between two cuts, and the time of the frame that best represents it."""

    start: float
    end: float
    keyframe: float


@dataclass(frozen=True)
class Original:
    """A registered reference video and what is known about it."""

    id: str
    title: str = ""
    source: str = ""
    recorded_at: str = ""
    published_at: str = ""
    url: str = ""
    notes: str = ""
    sha256: str = ""
    duration: float = 0.0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    added_at: str = ""
    file: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    # The camera's own clock read in the picture at registration: "ISO datetime; where it was
    # read; how it compares with ``recorded_at`` from the metadata" (empty: none read).
    recorded_on_screen: str = ""
    # The length the file's header announced, where decoding stopped well before it at
    # registration (a file cut off or damaged): the library holds only its first ``duration``
    # seconds. 0.0 when it decoded to its end, or was registered before this was recorded.
    announced_duration: float = 0.0

    @property
    def cut_off(self) -> bool:
        return self.announced_duration > self.duration


@dataclass(frozen=True)
class Segment:
    """A query interval that shows a reference interval (seconds)."""

    reference_id: str
    query_start: float
    query_end: float
    reference_start: float
    reference_end: float
    speed: float = 1.0
    mirrored: bool = False
    evidence: int = 0
    similarity: float = 0.0
    # The moment check (moment.py): how well the repost's frames at the original's instants
    # explain the original's frames, against its frames a quarter of a second before (median
    # ratio: near 0, the very moment; 0.9 or more, another moment). None: not judged.
    moment: float | None = None
    # Cut out of a longer stretch of the same view whose motion contradicts this mapping, or
    # at a cut in the repost where the original runs on without one (a montage of one
    # camera's moments): it stands only where the moment check confirms the very moment
    # (align.MAX_CONTRADICTION, align._cuts_not_shared, MatchParams.moment_confirmed).
    spliced: bool = False
    # A same-scene interval whose moment the evidence left open (``moment.py``: too few
    # movements without the picture's confirmation, a changed speed it does not confirm, or
    # pictures and motion in conflict): the camera's view, not shown to be another moment.
    unsettled: bool = False
    # A fixed camera's matched segment in which too little moves for the moment check to compare
    # the pictures, resting on fewer motion-confirmed samples than chance alignments of another
    # moment reached (``MatchParams.moment_unsettled_confirmed``): kept, with a caution that
    # another moment of the same camera is possible (``moment._checked``).
    too_still: bool = False
    # A same-scene interval in which the repost holds one picture (a frozen frame) while the
    # original moves, beside a matched segment: no footage plays there, so no moment is
    # matched (``align.with_held_pictures``). It is unsettled too.
    held: bool = False
    # A segment the aligner placed at the original's own speed although changed speeds either
    # side of it explained its motion as well (``align._alternatives``): over a few seconds a
    # 10 % change drifts about two samples, which the motion cannot tell apart, not even its
    # direction: (speed, offset) of each such mapping, the offset its votes put it at. The
    # moment check's pictures choose (``moment._at_alternative_speed``). Not part of the report.
    alternatives: tuple[tuple[float, float], ...] = ()
    # The repost plays this piece backwards: its ``query_start`` shows the original's
    # ``reference_end`` and time runs back from there (``reverse.py``). Its reference interval
    # is still given low to high; ``reference_time`` and ``query_time`` map either way.
    reversed: bool = False

    def reference_time(self, query_time: float) -> float:
        """The original's time shown at ``query_time`` (on this segment's mapping, also
        beyond its ends)."""
        if self.reversed:
            return self.reference_end - self.speed * (query_time - self.query_start)
        return self.reference_start + self.speed * (query_time - self.query_start)

    def query_time(self, reference_time: float) -> float:
        """The repost's time that shows the original's ``reference_time`` (this mapping)."""
        if self.reversed:
            return self.query_start + (self.reference_end - reference_time) / self.speed
        return self.query_start + (reference_time - self.reference_start) / self.speed

    def same_mapping(self, other: Segment, within: float) -> bool:
        """Whether two segments map the repost onto the original alike: the same speed,
        mirroring and direction, their offsets at most ``within`` seconds apart."""
        return (self.speed == other.speed and self.mirrored == other.mirrored
                and self.reversed == other.reversed
                and abs(self.offset - other.offset) <= within)

    @property
    def changed_speed(self) -> bool:
        """Whether the repost plays this piece at another speed than the original's."""
        return abs(self.speed - 1.0) > 1e-6

    @property
    def query_middle(self) -> float:
        """The query time halfway through the segment."""
        return (self.query_start + self.query_end) / 2

    @property
    def offset(self) -> float:
        """The mapping's offset: the original's time at query time q is speed x q + offset
        (played forwards; a reversed segment's is -speed x q + offset)."""
        if self.reversed:
            return self.reference_end + self.speed * self.query_start
        return self.reference_start - self.speed * self.query_start


class Edit(str, enum.Enum):
    """An edit seen between a repost and the original it shows."""

    MIRRORED = "mirrored"
    SPEED = "speed"
    GRAYSCALE = "grayscale"
    OVERLAY = "overlay"
    CROPPED = "cropped"
    PICTURE_IN_PICTURE = "picture-in-picture"
    REFRAMED_VERTICAL = "reframed-vertical"
    LETTERBOX = "letterbox"
    PILLARBOX = "pillarbox"
    AUDIO_REPLACED = "audio replaced"
    # Sound put under the picture that is not the original's: over its silent track, or another
    # original's sound where the original's own is not known.
    AUDIO_ADDED = "audio added"
    STRETCHED = "stretched"
    ROTATED = "rotated"
    # One of several pictures in the frame (a grid, a wall, side by side); ``layout`` says which
    # ("2x2 grid", "one of 3 screens").
    MULTI_VIEW = "multi-view"
    # A camera filmed a screen showing the original; ``angle`` is the screen's tilt from facing it.
    FILMED_OFF_SCREEN = "filmed off a screen"
    # The repost plays the original backwards (``Segment.reversed``).
    REVERSED = "reversed"


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as shares of a frame


@dataclass(frozen=True)
class DetectedEdit:
    """One edit with where it applies: ``boxes`` are the overlay's places, the original's kept
    region (crop) or where the original sits in the repost (picture-in-picture, reframes);
    ``share`` is the share of the original a crop keeps; ``speed`` the playback speed;
    ``aspect`` the repost's width scale relative to its height against the original (0.56: a
    picture made 1.78 times taller than wide), ``ratio`` the aspect ratio it is shown at;
    ``rotation`` the repost's tilt in degrees."""

    kind: Edit
    boxes: tuple[Box, ...] = ()
    share: float | None = None
    speed: float | None = None
    aspect: float | None = None
    ratio: str | None = None
    rotation: float | None = None
    layout: str | None = None
    angle: float | None = None

    def __str__(self) -> str:
        def place(b: Box) -> str:
            return f"x {b[0]:.0%}-{b[2]:.0%}, y {b[1]:.0%}-{b[3]:.0%}"

        where = " and ".join(place(b) for b in self.boxes)
        if self.kind is Edit.OVERLAY:
            return f"overlay (caption, logo or picture) at {where}"
        if self.kind is Edit.CROPPED:
            return f"cropped/reframed: keeps {self.share or 0.0:.0%} of the original ({where})"
        if self.kind is Edit.PICTURE_IN_PICTURE:
            return f"picture-in-picture: the original fills {where} of the frame"
        if self.kind is Edit.REFRAMED_VERTICAL:
            return (f"reframed to vertical: the original fills {where} of the frame, the rest "
                    "filled (bars, a blurred copy or another picture)")
        if self.kind in (Edit.LETTERBOX, Edit.PILLARBOX):
            return f"{self.kind.value}: the picture fills {where} of the frame"
        if self.kind is Edit.STRETCHED and self.aspect:
            shape = "taller" if self.aspect < 1 else "wider"
            shown = f", shown as {self.ratio}" if self.ratio else ""
            return f"stretched (aspect x{self.aspect:.2f}: {shape} than the original{shown})"
        if self.kind is Edit.MULTI_VIEW:
            return f"one of several pictures in the frame ({self.layout}) at {where}"
        if self.kind is Edit.FILMED_OFF_SCREEN and self.angle is not None:
            return f"filmed off a screen at about {self.angle:.0f}° (seen at {where})"
        if self.kind is Edit.ROTATED and self.rotation is not None:
            # near a half turn, clockwise or not says nothing
            way = "" if abs(self.rotation) >= 170 or round(self.rotation) == 0 else \
                " clockwise" if self.rotation > 0 else " counterclockwise"
            return f"rotated {abs(self.rotation):.0f}°{way}"
        if self.kind is Edit.SPEED and self.speed:
            return f"speed x{self.speed:.2f}"
        return self.kind.value


def merged_edits(*groups: Iterable[DetectedEdit]) -> tuple[DetectedEdit, ...]:
    """The edits of several stages' findings, in order, each said once: an edit that reads as
    one already kept is left out (two stages measuring the same screen tilt or crop a fraction
    apart printed it twice)."""
    kept: dict[str, DetectedEdit] = {}
    for group in groups:
        for edit in group:
            kept.setdefault(str(edit), edit)
    return tuple(kept.values())


@dataclass(frozen=True)
class Alignment:
    """Everything the query shares with one original."""

    reference_id: str
    score: float
    segments: tuple[Segment, ...]
    edits: tuple[DetectedEdit, ...] = ()
    # The sound on the picture's segments: "same", "different" (replaced), "none" (either side
    # has no sound) or "" (not checked); "audio-only" when the segments come from the sound alone.
    audio: str = ""
    # Where in the query frame the original is seen when the frame holds several pictures
    # (``Verification.regions``); None: the whole frame (or the place its edits give).
    region: Box | None = None

    @property
    def evidence(self) -> int:
        """Its segments' samples together: motion-confirmed ones for a match, moving ones that
        disagreeing with the original where it lines up best for a same-scene alignment."""
        return sum(s.evidence for s in self.segments)


@dataclass(frozen=True)
class Region:
    """One picture of a frame that holds several (a grid cell, a monitor of a wall, a screen
    filmed at an angle): its bounding box and its four corners in the query frame (shares,
    clockwise from top-left), the originals seen in it (their alignments carry this box as
    ``region``), and the query time it shows that no original explains."""

    box: Box
    corners: tuple[tuple[float, float], ...]
    label: str
    reference_ids: tuple[str, ...] = ()
    unexplained: tuple[tuple[float, float], ...] = ()
    # Originals whose view the region shows at no matching moment (same camera, other moment).
    same_scene: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatedClaims:
    """What a checker says a post claims, typed from the post they saw (not read from a page).

    ``date`` is any date form the claims stage reads ("2015-10-22", "22/10/2015"); ``caption``
    is the post's text, searched for dates and sources like a caption in a page; ``origin``
    says where they were typed, as each claim's ``found_in`` names it.
    """

    date: str = ""
    place: str = ""
    source: str = ""
    caption: str = ""
    origin: str = "command line"

    def __bool__(self) -> bool:
        return any((self.date, self.place, self.source, self.caption))


class ClaimKind(str, enum.Enum):
    """What a claim is about. ``published`` is when a page or post went online: not a claim
    about the footage, only an upper bound on when it was recorded."""

    DATE = "date"
    PUBLISHED = "published"
    PLACE = "place"
    SOURCE = "source"
    UPLOADER = "uploader"
    SCENE = "scene"
    NOTE = "note"  # about the reading itself (text left unread past a budget)


class ClaimStatus(str, enum.Enum):
    """What the library says about a claim. ``flag`` is a note for the reader (an uncredited
    repost, a recycled camera), not a claim found false. A date no matched original's
    metadata could check is compared with the camera clock read in the query's own picture
    (``ScreenClock``): ``clock-contradicted`` when the clock reads another date,
    ``clock-consistent`` when it reads the claimed one. A clock can be set wrong, so these
    weigh less than a match's metadata: the footage's own record, nothing the library
    confirms."""

    UNCHECKED = "unchecked"
    CONSISTENT = "consistent"
    CONTRADICTED = "contradicted"
    FLAG = "flag"
    CLOCK_CONTRADICTED = "clock-contradicted"
    CLOCK_CONSISTENT = "clock-consistent"


# A claim read around the whole page (headline, lede), as opposed to one video's index.
ARTICLE = "article"
# ``Claim.found_in`` of a claim read in the video's own picture (a caption burned into it), and
# the head of that stage's line in ``Verification.skipped`` when it did not run.
BURNED_IN = "burned-in text"
# The heads of the other evidence stages' lines in ``Verification.skipped`` (the HTML report's
# method says a check was made only where no line says otherwise).
SOUND_STAGE = "sound"
CREDENTIALS_STAGE = "Content Credentials"


@dataclass(frozen=True)
class Passage:
    """A piece of text that says something about a video: where it was read (``figcaption``,
    ``paragraph``, ``headline``, ``upload metadata``, ``command line``...) and which video it
    is about (its index in the page, or ``"article"`` for every video); ``language``, the one its
    page declares (``"en"``), '' when none."""

    text: str
    found_in: str
    applies_to: int | str = ARTICLE
    language: str = ""


@dataclass(frozen=True)
class Claim:
    """A claim found around a video, checked against the library. ``text`` is the words the
    value was read from; ``quote`` the sentence they were in (what was actually said);
    ``language`` the language of its passage where it is known ('' otherwise);
    ``named_in_passing``: a place a caption names without words saying the footage was filmed
    there ("Tanks entering Kyiv", "#Kyiv"), checked but left to the checker."""

    kind: ClaimKind
    text: str
    value: str
    found_in: str
    finding: str = ""
    status: ClaimStatus = ClaimStatus.UNCHECKED
    applies_to: int | str = ARTICLE
    quote: str = ""
    language: str = ""
    named_in_passing: bool = False


class Rating(str, enum.Enum):
    """The finding a checker publishes about a video (see ``finding.py``)."""

    MISCAPTIONED = "miscaptioned"
    EDITED = "edited"
    AUTHENTIC = "authentic"
    SAME_SCENE = "same-scene"
    UNVERIFIED = "unverified"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Finding:
    """The rating, one sentence a reader understands, the reasons behind it and the schema.org
    ``mediaAuthenticityCategory`` that follows (None when nothing was matched)."""

    rating: Rating
    summary: str
    reasons: tuple[str, ...] = ()
    mediareview: str | None = None


@dataclass(frozen=True)
class ContentCredentials:
    """A C2PA manifest read from a file: who signed it, with which tool, what it says was done.

    ``state`` is "absent" (no manifest), "valid" (signature and hashes check, signer not on a
    trust list), "trusted" (valid and the signer chains to a given trust anchor), "invalid"
    (the file or manifest changed after signing, or the signature fails), "unreadable" or
    "skipped" (c2pa-python not installed). ``summary`` says it in one sentence.
    """

    state: str
    summary: str
    signer: str = ""
    issuer: str = ""
    claim_generator: str = ""
    signed_at: str = ""
    title: str = ""
    actions: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BurnedInText:
    """A line of text read in the query's picture at ``time`` seconds, where (``box``, shares
    of the frame; None when the reader gave none), and whether the caption stage found it
    ``added``: text the matched original does not show where it maps to (an overlay edit);
    None when it was not compared with an original (nothing matched, a match not laid on its
    original's pictures, or too short to tell)."""

    time: float
    text: str
    box: Box | None = None
    added: bool | None = None
    # Read in the frame flipped left to right: mirror-written in the query (a mirrored match's
    # own burned-in text); ``box`` is where it lies in the query's frame as it is.
    mirrored: bool = False


@dataclass(frozen=True)
class ScreenClock:
    """A camera clock read in the query's own picture (a line with a date and a time of day
    that the caption stage did not find added to a matched original's picture): at ``time``
    seconds, it ``reads`` an ISO date and time; ``text`` is the span read, ``mirrored`` as in
    ``BurnedInText``; ``in_original``: True where the caption stage found it in a matched
    original's picture (the camera's own), or, over another moment of a registered camera, where
    that camera's stored pictures show a clock at its place (``refine.same_scene_clocks``: its
    digits are not compared, another moment's differ); None where nothing was compared (it may
    be made up)."""

    time: float
    reads: str
    text: str
    mirrored: bool = False
    in_original: bool | None = None


@dataclass(frozen=True)
class Verification:
    """The result of verifying one query video."""

    query: str
    verdict: Verdict
    confidence: float
    reason: str
    duration: float
    matches: tuple[Alignment, ...] = ()
    same_scene: tuple[Alignment, ...] = ()
    unexplained: tuple[tuple[float, float], ...] = ()
    originals: tuple[Original, ...] = ()
    claims: tuple[Claim, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    hint: str = ""
    video_path: str = ""
    finding: Finding | None = None
    # The matching parameters (with the fingerprint version) the verdict was reached with, and
    # the stages a budget skipped or cut short.
    params: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    # Originals whose sound (not picture) is in the query: evidence, never a picture match.
    audio_matches: tuple[Alignment, ...] = ()
    content_credentials: ContentCredentials | None = None
    # Text burned into the query's picture, line by line, and the camera clocks among it.
    burned_in_text: tuple[BurnedInText, ...] = ()
    screen_clocks: tuple[ScreenClock, ...] = ()
    # The HTML report's pictures (JPEG) of each matched segment, keyed "match-segment-side"
    # (side "query" or "reference"): from the query's one decode and the original's frames
    # stored at registration. Not part of the JSON report.
    frames: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    # What the report says under a picture that is not the plain colour frame at the segment's
    # middle (grey, an old library's thumbnail, taken at another time), by the same keys.
    frame_notes: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # The pictures of a frame that holds several (``layout.layout_stage``); empty: one picture.
    regions: tuple[Region, ...] = ()
    layout: str = ""

    # Reports of this result; the writing lives in report/ and outputs.py (imported when used).
    def to_dict(self) -> dict[str, Any]:
        """The JSON report as a dict (validates against ``provenance/report/schema.json``)."""
        from .report import to_dict

        return to_dict(self)

    def to_json(self) -> str:
        """The JSON report, as ``provenance verify --json`` prints it."""
        from .report import to_json

        return to_json([self])

    def to_html(self, path: str | os.PathLike[str]) -> None:
        """Write the self-contained HTML report (with its frames) to ``path``."""
        from .outputs import write_html_report
        from .report import to_payload

        write_html_report(to_payload([self]), path, [self])

    def to_jsonld(self, publisher: str | None = None) -> list[dict[str, Any]]:
        """schema.org MediaReview / ClaimReview objects, ``publisher`` named as their author."""
        from .report import to_jsonld, to_payload

        return to_jsonld(to_payload([self]), publisher)
