"""Claims around a video, read from what a page, a post or a checker says, checked against the
originals the footage matches.

A date said to be when a page or post was published, updated or uploaded is a ``published``
claim: not about when the footage was filmed, only an upper bound on it. Dates themselves are
read by ``dates``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from . import dates, language
from .dates import (
    MAX_DATE_CHARS,
    MAX_TEXT_CHARS,
    MONTHS,
    Moment,
    day_range,
    find_dates,
    find_periods,
)
from .errors import SettingsError
from .gazetteer import Gazetteer, city_names, country_code, folded, region_named
from .models import (
    ARTICLE,
    Claim,
    ClaimKind,
    ClaimStatus,
    Original,
    Passage,
    ScreenClock,
    StatedClaims,
)
from .places import check_places


def date_claims(texts: Iterable[tuple[str, str]], reference: date | None = None) -> list[Claim]:
    """Claimed dates of the events from (where, text) pairs. A vague date's value is a range,
    'FIRST/LAST'."""
    return [claim for where, text in texts
            for claim in read_claims([Passage(text or "", where)], reference)
            if claim.kind is ClaimKind.DATE]


# Words that say a date is when something went online, not when it was filmed; and words that
# say it is when the events happened. The nearest such word before a date decides.
# Posted again: where footage was reposted is not where it was filmed, and when, not when it was
# filmed (a desk audit's "Reposted on 22 October 2023" was read as filmed then).
_REPOSTED = r"re-?(?:posted|shared|uploaded)|(?:re)?tweeted"
_PUBLISHED_CUE = re.compile(
    r"\b(publi\w*|posted|uploaded|updated|mis en ligne|mise à jour|mis à jour|modifié\w*|"
    r"last modified|shared|partag\w*|circulat\w*|circul\w*|viewed|went viral|vue?s?|"
    r"first (?:published|posted|shared)|" + _REPOSTED
    + r"|re-?(?:published|tweeted)|repartag\w*|republi\w*|retweet\w*|"
    # the same in German, Dutch, Italian, Spanish, Portuguese, Polish, Russian, Ukrainian and
    # Turkish: a claim read in one is left to the checker (language.py), but a caption too short
    # to tell its language is read as written (a desk audit: "Opublikowano 18.09.2015")
    r"veröffentlicht|aktualisiert|gepubliceerd|bijgewerkt|pubblicat\w*|aggiornat\w*|"
    r"actualizad\w*|atualizad\w*|opublikowan\w*|zaktualizowan\w*|опубликован\w*|"
    r"обновлен\w*|опублікован\w*|оновлен\w*|yayınlan\w*|güncellen\w*)\b", re.I)
_EVENT_CUE = re.compile(
    r"\b(film\w*|tourn\w*|record\w*|enregistr\w*|shot|captur\w*|took place|happened|"
    r"survenu\w*|datent|date from|dating from|show\w*|montr\w*|during|pendant|lors|"
    r"occurred|incident|night of|soir du|nuit du|footage|images?|"
    r"gefilmt|aufgenommen|gedreht|gefilmd|opgenomen|girat\w*|grabad\w*|gravad\w*|"
    r"nagra\w*|снят\w*|знят\w*|çekil\w*)(?!\w)", re.I)
# Words that say a date is of something else: a birth, a death, an earlier report, a version
# (a desk audit: "born on 12 March 1980", "As we reported on 3 May 2012", "a story published on
# 3 May 2012" were each read as when the footage was filmed or put online, and rated the post
# miscaptioned). Not "since"/"depuis": "circule
# depuis hier" says when the footage went online (the claims set).
_OTHER_CUE = re.compile(
    r"\b(born|née?s?|birth\w*|anniversa\w*|died|death|décéd\w*|mort\w*|reported|recalled|"
    r"rappel\w*|version|turned \d+|(?:story|article|report|interview|piece)\s+"
    r"(?:was\s+|first\s+)?(?:published|posted|publiée?)|"
    # births and starts in the other languages above ("geboren am", "nacido el", "ur.",
    # "родился"; "seit dem", "desde el" a date something has gone on since)
    # (lower case "nato", "desde" with its article: "NATO a day after", "Desde Media")
    r"geboren|nacid[oa]s?|(?-i:nat[oa])\s+(?:il|a|nel)|nascid[oa]s?|ur\.|urodzon\w*|родил\w*|"
    r"народи\w*|doğum\w*|seit|desde\s+(?:el|la|hace)|sinds)(?!\w)", re.I)
# A quotation someone recalls ('"On 3 May 2012 hundreds tried to cross," the mayor recalled'):
# its dates are of what they remember, not of the footage (a desk audit's page was rated
# miscaptioned on one). A quotation merely said ("..., the author said") may date the footage.
_RECALLED = re.compile(r"[“\"«]([^”\"»]{1,300})[”\"»]\s*,?\s*(?:[\w'’-]+\s+){0,3}?"
                       r"(?:recall\w*|remember\w*|se souvien\w*|se rappel\w*|rappel\w*)\b", re.I)
# Capital letters of the Latin, Cyrillic and Greek alphabets, and Arabic letters (it has no
# capitals): a sentence starts with one, and a credit's name with one, a digit or a handle.
# Latin Extended-A's capitals too: "İstanbul", "Łódź", "Černá" (a desk audit: no dateline).
CAPITALS = ("A-ZÀ-Ý" + "".join(c for c in map(chr, range(0x100, 0x180)) if c.isupper())
            + "А-ЯЁЄІЇҐΑ-Ω\u0600-\u06ff")
_NAME_START = rf"(?-i:[{CAPITALS}0-9@])"
# A full stop after a number before a month's name is a day's ("22. Mai 2015"), not a sentence's.
_SENTENCE = re.compile(rf"(?<=[.!?])(?<!\d\.)\s+(?=[{CAPITALS}«\"“'])|"
                       rf"(?<=\d\.)\s+(?=[{CAPITALS}«\"“'])"
                       rf"(?!(?i:{'|'.join(MONTHS)})\b)|\n+")
# How far before a date (characters, same sentence) a cue word is looked for.
CUE_WINDOW = 80
_PUBLICATION_PLACES = ("byline", "page metadata", "upload metadata (upload_date)")


# A date or place the sentence denies ("not filmed in Calais", "n'a pas été tournée le 22
# octobre") is no claim of it: a negation within NEGATION_WINDOW characters before it, not
# cancelled by a contrast word between them ("not in Calais but in Dover" claims Dover). The
# window holds a negated verb group ("n'ont pas été tournées ", 23 characters) but not a
# negation further back that qualifies something else ("Never before seen footage filmed in").
_NEGATION = re.compile(r"\b(?:not|never|no longer|isn['’]t|wasn['’]t|weren['’]t|aren['’]t|"
                       r"didn['’]t|doesn['’]t|n['’]\w+|ne|pas|jamais|"
                       # and in the other languages of _PUBLISHED_CUE; not their "no" and
                       # "non", English and French words ("No injuries on 22 October", "vidéo
                       # non vérifiée du 22 octobre": an audit of this change)
                       r"nicht|niet|não|nie|не|ні|değil)\b", re.I)
_CONTRAST = re.compile(r"\b(?:but|rather|instead|mais|plutôt|en réalité|actually|"
                       r"sondern|maar|sino|ma|mas|lecz|ale|а|але|ama)\b", re.I)
NEGATION_WINDOW = 25


def _negated(sentence: str, at: int) -> bool:
    before = sentence[max(0, at - NEGATION_WINDOW):at]
    contrasts = list(_CONTRAST.finditer(before))
    if contrasts:
        before = before[contrasts[-1].end():]
    return _NEGATION.search(before) is not None


def _kind_of(sentence: str, at: int, span: str, where: str) -> ClaimKind | None:
    """What a date claims: the nearest cue word before it decides (None: a date of something
    else, no claim about the footage)."""
    if where in _PUBLICATION_PLACES:
        return ClaimKind.PUBLISHED
    cued, kind = _nearest_cue(sentence, at)
    if cued:
        return kind
    if where == "embedded post" and sentence.rstrip(" .").endswith(span):
        return ClaimKind.PUBLISHED  # an embedded post ends with the date it was posted
    return ClaimKind.DATE


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text[:MAX_TEXT_CHARS]) if s.strip()]


# Words that show a sentence speaks of the footage itself.
_FOOTAGE = re.compile(r"\b(videos?|vidéos?|footage|clips?|images?|cctv|vidéosurveillance|"
                      r"film\w*|tourn\w*|record\w*|enregistr\w*|cam[eé]ras?|posts?)\b", re.I)
_PAGE_WIDE = ("headline", "lede")


def read_claims(passages: Iterable[Passage], reference: date | None = None,
                several_videos: bool = False) -> list[Claim]:
    """Every date, place and source claim the passages make, each bound to the video its
    passage is about. ``reference`` is when the text was published (for "3 mars", "hier").

    On a page with ``several_videos``, a headline or lede sentence that does not speak of
    footage ("The Seine peaked on 3 June") is news, not a claim about when any video was
    filmed, and one that does is not applied to a video whose own passages claim the same
    kind of thing (``_own_first``); with one video, the whole page is about it."""
    passages, cut = _within_budget(list(passages))
    known = {(day.month, day.day): day for p in passages for day, _ in find_dates(p.text)}
    claims: list[Claim] = []
    for passage in passages:
        # "tonight" in a caption that also gives the date is that date, not a second claim;
        # the English and French words for a day are none in a page of another language
        # (German "hier" is "here", a desk audit's page was rated on "yesterday")
        relative = reference if not find_dates(passage.text, reference) and not language.unread(
            passage.language) else None
        said: list[Claim] = []
        for sentence in sentences(passage.text):
            if several_videos and passage.found_in in _PAGE_WIDE and not _FOOTAGE.search(
                    sentence):
                continue
            said += _sentence_dates(sentence, passage, reference, known, relative)
            said += [_bound(c, passage, sentence) for c in
                     source_claims([(passage.found_in, sentence)])
                     + place_claims([(passage.found_in, sentence)])]
        if said and passage.found_in != STATED:  # a checker's typed claim is taken as typed
            in_language = language.language_of(passage.text, passage.language)
            said = [replace(c, language=in_language) for c in said]
        claims += said
    claims = list(dict.fromkeys(claims))  # a caption saying one date many times says it once
    if several_videos:
        claims = _own_first(claims)
    if cut:
        claims.append(Claim(kind=ClaimKind.NOTE, text="", value="", found_in="page",
                            finding=f"only the first {MAX_TEXT_CHARS:,} characters of text "
                                    f"about this video were read for claims ({cut} passage(s) "
                                    "left out)", status=ClaimStatus.FLAG))
    return claims


def _own_first(claims: list[Claim]) -> list[Claim]:
    """The claims without the headline's and lede's of a kind (date, place, source) that the
    video's own passages (caption, title, its paragraphs) also claim: on a page of several
    videos the page's opening speaks of one of them, or of all, while a video's own text
    speaks of it (a desk audit's second video, captioned "Lyon, 13 July 2023", had been
    "placed in Lyon and Paris" through a lede about the first)."""
    own = {c.kind for c in claims if c.found_in not in _PAGE_WIDE and c.applies_to != ARTICLE
           and not c.named_in_passing}  # a city named in passing says not where it was filmed
    return [c for c in claims if not (c.found_in in _PAGE_WIDE and c.kind in own)]


def _within_budget(passages: list[Passage]) -> tuple[list[Passage], int]:
    """The passages that fit in MAX_TEXT_CHARS (untrusted pages can be huge), and how many
    were left out."""
    kept: list[Passage] = []
    total = 0
    for passage in passages:
        total += len(passage.text)
        if total > MAX_TEXT_CHARS:
            return kept, len(passages) - len(kept)
        kept.append(passage)
    return kept, 0


def _bound(claim: Claim, passage: Passage, sentence: str) -> Claim:
    return replace(claim, applies_to=passage.applies_to, quote=sentence[:300])


def _sentence_dates(sentence: str, passage: Passage, reference: date | None,
                    known: Mapping[tuple[int, int], date], relative: date | None
                    ) -> list[Claim]:
    found: list[tuple[int, str, str]] = [
        (at, value.isoformat(), span)
        for at, value, span in dates.dates_at(sentence, reference, known=known)
        # a two-digit year only after a word saying the footage was filmed then ("Ratio
        # 8/10/10", "Like 9/11/01", "Bus 10/12/15": an audit of this change)
        if not dates.TWO_DIGIT_YEAR.fullmatch(span) or _filmed_then(sentence, at)]
    found += [(sentence.find(span), _range(first, last), span)
              for first, last, span in find_periods(sentence, reference)]
    found += [(at, _range(first, last), span) for first, last, span in dates.find_years(sentence)
              if _filmed_then(sentence, at := sentence.find(span))]
    said_from = _THROWBACK_YEAR if passage.found_in in _CAPTIONS else _FOOTAGE_FROM_YEAR
    for pattern in (said_from, _FILMED_YEAR):
        found += [(m.start(1), _range(date(year, 1, 1), date(year, 12, 31)), m.group(1))
                  for m in pattern.finditer(sentence[:MAX_TEXT_CHARS])
                  if not any(a <= m.start(1) < a + len(span) for a, _, span in found)
                  and (year := int(m.group(1)))]
    if relative is not None and not found:
        found += [(sentence.find(span), _range(first, last), span)
                  for first, last, span in dates.find_relative(sentence, relative)]
    recalled = [m.span(1) for m in _RECALLED.finditer(sentence)]
    return [Claim(kind=kind, text=span, value=value, found_in=passage.found_in,
                  applies_to=passage.applies_to, quote=sentence[:300])
            for at, value, span in sorted(found) if not _negated(sentence, at)
            and not any(a <= at < b for a, b in recalled)
            and (kind := _kind_of(sentence, at, span, passage.found_in)) is not None]


# A year alone a post says the footage is from: "#throwback to my summer 2019 road trip",
# "#tbt ... back in 2018", "This video is from 2019, not 2022" (a social-media audit: none
# read, and the posts rated authentic): a year within 30 characters after such words, in the
# same sentence; in an article's running text only after the footage's own words ("Back in
# 2015, migrants crossed..." is the story's past, not the footage's date).
_YEAR_AFTER_WORDS = r")\b[^.!?\d]{0,30}?\b((?:19|20)\d{2})\b(?![/.-]\d)"
_FOOTAGE_FROM = r"\b(?:video|footage|clip|images?|vidéo)\s+(?:is|was|are|were|date)\s+from"
_FOOTAGE_FROM_YEAR = re.compile(r"(?:" + _FOOTAGE_FROM + _YEAR_AFTER_WORDS, re.I)
# A year straight after a word for filming or for the footage ("Video by X, filmed 2019",
# "Footage from 2019 shows the square", "filmée 2018": a social-media audit read none of
# them, as find_years asks for "in"); not after any other word ("filmed at the 2019 festival"
# names an event, not when the footage was filmed), nor "tournée" (a tour: "Tournée 2018").
_FILMED_YEAR = re.compile(r"\b(?:filmed|shot|recorded|taken|captured|filmée?s?|"
                          r"(?:video|footage|clip|images?|vidéo)\s+from)\s*,?\s+"
                          r"((?:19|20)\d{2})\b(?![/.-]\d)", re.I)
_THROWBACK_YEAR = re.compile(r"(?:#?\bthrowback|#?\btbt|\bback in|\bthis\s+(?:is|was)\s+from|"
                             + _FOOTAGE_FROM + _YEAR_AFTER_WORDS, re.I)


def _filmed_then(sentence: str, at: int) -> bool:
    """Whether the nearest cue word before a year alone says the footage was filmed then."""
    return _nearest_cue(sentence, at) == (True, ClaimKind.DATE)


def _nearest_cue(sentence: str, at: int) -> tuple[bool, ClaimKind | None]:
    """Whether a cue word lies within CUE_WINDOW before ``at``, and what the nearest says: an
    event date, a publication date, or None (a date of something else). A cue of something
    else ending where another does ("story published") is the one read."""
    before = sentence[max(0, at - CUE_WINDOW):at]
    cues: list[tuple[int, int, ClaimKind | None]] = [
        (m.end(), 0, ClaimKind.PUBLISHED) for m in _PUBLISHED_CUE.finditer(before)]
    cues += [(m.end(), 0, ClaimKind.DATE) for m in _EVENT_CUE.finditer(before)]
    cues += [(m.end(), 1, None) for m in _OTHER_CUE.finditer(before)]
    return (True, max(cues, key=lambda cue: cue[:2])[2]) if cues else (False, None)


def _range(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def published_claim(value: str, where: str) -> list[Claim]:
    """When a page or post went online (its metadata), as an upper bound on the recording."""
    found = day_range(value[:40]) if value else None
    if found is None:
        return []
    return [Claim(kind=ClaimKind.PUBLISHED, text=value[:40], value=found[0].isoformat(),
                  found_in=where)]


def recorded_range(original: Original) -> tuple[date, date] | None:
    """When an original was recorded, as a (first, last) day, or None when unknown."""
    return day_range(original.recorded_at)


STATED = "command line"


def stated_claims(stated: StatedClaims, applies_to: int | str = ARTICLE) -> list[Claim]:
    """What a checker typed: the date, place and source as given, and what the typed caption
    says (read like a caption in a page)."""
    claims: list[Claim] = []
    if stated.date:
        claims += _typed_date(stated.date)
    place, source = _typed(stated.place, "place"), _typed(stated.source, "source")
    if place:
        claims.append(Claim(kind=ClaimKind.PLACE, text=place, value=_typed_point(place),
                            found_in=STATED, quote=place))
    if source:
        claims.append(Claim(kind=ClaimKind.SOURCE, text=source, value=source, found_in=STATED,
                            quote=source))
    if stated.caption:
        claims += read_claims([Passage(stated.caption, f"{STATED} (caption)")])
    # named where they were typed ("submitted with the job": a desk audit found a server's
    # claims labelled "command line"), once read as a checker's typed claims are
    return [_applying(replace(c, found_in=c.found_in.replace(STATED, stated.origin, 1)),
                      applies_to) for c in claims]


def _typed_date(typed: str) -> list[Claim]:
    """A typed date (or period) as one claim; SettingsError for anything else: an ambiguous
    numeric date ("09/10/2015", refused in metadata too), a range that ends before it starts,
    control characters, several dates, or none."""
    text = typed.strip()
    hint = "write it as YYYY-MM-DD, e.g. 2015-10-22, or a period FIRST/LAST"
    if len(text) > MAX_DATE_CHARS:
        raise SettingsError(f"claimed date {text[:80]!r}... is too long for a date "
                            f"({len(text):,} characters)", hint)
    if _controls(text):
        raise SettingsError(f"claimed date {text!r} holds control characters", hint)
    if dates.TWO_DIGIT_YEAR.fullmatch(text):
        raise SettingsError(f"claimed date {text!r} is ambiguous: a two-digit year reads day, "
                            "month or year first", hint)
    found = None
    if re.fullmatch(r"(?:[\d/T:+\-Z. ]|UTC|GMT)+", text, re.I):
        try:
            found = day_range(dates.normalise(text, "claimed date"))
        except SettingsError as refused:  # a date-time, ambiguous or reversed: not read again
            if re.search(r"\dT\d|:", text) or re.search("ambiguous|ends before",
                                                          refused.message):
                raise
    if found is not None:
        return [Claim(kind=ClaimKind.DATE, text=text, value=_range(*found), found_in=STATED,
                      quote=text)]
    read = [c for c in read_claims([Passage(text, STATED)]) if c.kind is ClaimKind.DATE]
    if len(read) != 1:
        raise SettingsError(f"claimed date {text[:80]!r} is not a date" if not read else
                            f"claimed date {text[:80]!r} names {len(read)} dates", hint)
    if "/" not in read[0].value and (others := dates.other_readings(
            read[0].text, date.fromisoformat(read[0].value))):
        readings = "; ".join(f"{day.isoformat()} read {how}" for day, how in others)
        raise SettingsError(f"claimed date {text!r} is ambiguous: {read[0].value} read day "
                            f"first, but {readings}", hint)
    return read


def _controls(typed: str) -> bool:
    """Whether typed text holds control characters (an escape sequence, a bell)."""
    return any(unicodedata.category(c) == "Cc" for c in typed)


# A typed place or source longer than this is no name (a place's parts, MAX_PARTS, have
# gazetteer.MAX_NAME_CHARS each at most, and every place of the places benchmark is under 60).
MAX_TYPED_CHARS = 200


def _typed(value: str, what: str) -> str:
    """A typed place or source on one line (a line break or tab is a space), or refused: too
    long, with control characters, or naming nothing ("...")."""
    value = " ".join(value.split())
    if _controls(value):
        raise SettingsError(f"claimed {what} {value[:80]!r} holds control characters",
                            f"type the {what}'s name alone")
    if what == "source" and re.match(r"(?:not|pas|non)\b", value, re.I):
        raise SettingsError(f"claimed source {value[:80]!r} credits no one",
                            "give who the post credits, e.g. Eurotunnel")
    if value and not re.search(r"\w", value):
        raise SettingsError(f"claimed {what} {value[:80]!r} names no "
                            f"{'place' if what == 'place' else 'one'}",
                            "give a place name, e.g. Calais, or LAT,LON" if what == "place"
                            else "give who is credited, e.g. Eurotunnel")
    if len(value) > MAX_TYPED_CHARS:
        raise SettingsError(f"claimed {what} {value[:80]!r}... is {len(value):,} characters long",
                            f"give a name of at most {MAX_TYPED_CHARS} characters")
    return value


# A claimed place written as two numbers is a point, LAT,LON: read as one (and refused when it
# cannot be one), never as a place name "999".
_NUMBERS_PAIR = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*,\s*([-+]?\d+(?:\.\d+)?)\s*")


# The largest magnitude of each coordinate, in decimal degrees.
COORDINATE_LIMITS = {"latitude": 90.0, "longitude": 180.0}


def off_the_globe(name: str, value: object) -> str | None:
    """"latitude 200 is not between -90 and 90" for a coordinate (``name`` in
    COORDINATE_LIMITS) that is no number in its range, else None: a claimed point and an
    original's location are held to it alike."""
    limit = COORDINATE_LIMITS[name]
    if isinstance(value, (int, float)) and -limit <= value <= limit:
        return None
    shown = f"{value:g}" if isinstance(value, (int, float)) else repr(value)
    return f"{name} {shown} is not between {-limit:g} and {limit:g}"


# Coordinates as a desk copies them in other notations (Google Maps' 50°56'15.0"N 1°48'38.0"E,
# "50.9375 N 1.8106 E", "50.9375 1.8106"): the characters of such notations alone, so a name
# never is one. geopy's parser reads them; a decimal comma or a third number it would misread
# ("50,9375, 1,8106" as 1, -174), so those are refused.
_POINT_NOTATION = re.compile(r"[\d\s.,;°º′″'\"+\-NSEW]*\d[\d\s.,;°º′″'\"+\-NSEW]*")
_POINT_HINT = ("give LAT,LON in decimal degrees (45.52,-122.99), degrees, minutes and seconds "
               "(50°56'15\"N 1°48'38\"E), or a place name")


def _typed_point(place: str) -> str:
    """A typed place as LAT,LON when it is a point in any notation, else as typed; SettingsError
    (exit 2, as ``library add --latitude 200``) for a point out of range or unreadable."""
    numbers = _NUMBERS_PAIR.fullmatch(place)
    if numbers:
        for name, text in (("latitude", numbers.group(1)), ("longitude", numbers.group(2))):
            problem = off_the_globe(name, float(text))
            if problem:
                raise SettingsError(f"claimed place {place[:80]!r}: {problem}", _POINT_HINT)
        return place
    if not _POINT_NOTATION.fullmatch(place) or len(re.findall(r"\d+", place)) < 2:
        return place  # a name, or a number alone ("75001")
    if re.search(r"\d,\d", place):
        raise SettingsError(f"claimed place {place[:80]!r} is not a point: a decimal comma, or "
                            "more than two numbers", _POINT_HINT)
    import warnings

    from geopy.point import Point

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            point = Point.from_string(place)
    except ValueError as problem:
        raise SettingsError(f"claimed place {place[:80]!r} is not a point: {problem}",
                            _POINT_HINT) from None
    return f"{round(point.latitude, 6)},{round(point.longitude, 6)}"


def _applying(claim: Claim, applies_to: int | str) -> Claim:
    return replace(claim, applies_to=applies_to, finding="", status=ClaimStatus.UNCHECKED)


def _checked(claim: Claim, status: ClaimStatus, finding: str) -> Claim:
    return replace(claim, finding=finding, status=status)


def check_dates(claims: Sequence[Claim], originals: Sequence[Original]) -> list[Claim]:
    """Compare each claimed date with when the matched originals were recorded: an event date
    must overlap the recording; a publication date can only be after it."""
    return [_check_published(c, originals) if c.kind is ClaimKind.PUBLISHED
            else _check_event(c, originals) for c in claims]


def _claimed_range(claim: Claim) -> tuple[date, date]:
    first, _, last = claim.value.partition("/")
    return date.fromisoformat(first), date.fromisoformat(last or first)


def _claimed_moments(claim: Claim) -> tuple[Moment, Moment]:
    """The claimed period; with its instants when the claim was written as a date-time with a
    UTC offset ("2018-05-19T20:00:00-07:00" typed as --claim-date) naming the same days."""
    start, end = _claimed_range(claim)
    written = dates.moments(claim.text) if "T" in claim.text or ":" in claim.text else None
    if written is not None and (written[0].day, written[1].day) == (start, end):
        return written
    return Moment(start), Moment(end)


# A calendar date with no time zone against a date-time with one: the day that date names
# begins anywhere from 14 h before to 12 h after the same day in UTC (offsets run from -12:00 to
# +14:00), so a recording a day either side of it can be the same moment. More than this many
# days apart is a contradiction no time zone explains.
ZONE_SLACK_DAYS = 1


def _apart(claimed: tuple[Moment, Moment], recorded: tuple[Moment, Moment]) -> tuple[int, str]:
    """How many days the recording lies after (positive) or before (negative) the claimed
    period, 0 when it falls in it, and a note saying how they were compared when not day
    against day. Two date-times with UTC offsets are compared as instants (the recording's
    day taken in the claim's offset); a plain date against a date-time with an offset is
    allowed ZONE_SLACK_DAYS either side; two dates without zones, day against day."""
    instants = [m.instant for m in (*claimed, *recorded)]
    start, end = claimed[0].day, claimed[1].day
    first, last = recorded[0].day, recorded[1].day
    if all(instants):
        zone = claimed[0].instant.tzinfo  # type: ignore[union-attr]
        seen = [m.instant.astimezone(zone) for m in recorded]  # type: ignore[union-attr]
        first, last = seen[0].date(), seen[1].date()
        note = "" if (first, last) == (recorded[0].day, recorded[1].day) else (
            f" (compared as instants: {seen[0].isoformat()} at the claim's UTC offset)")
        return _days(start, end, first, last), note
    days = _days(start, end, first, last)
    if not any(instants) or days == 0:
        return days, ""
    unzoned = "the claimed date" if claimed[0].instant is None else "the recording date"
    if abs(days) <= ZONE_SLACK_DAYS:
        return 0, (f" ({abs(days)} day {'after' if days > 0 else 'before'} the claimed day, "
                   f"which a time-zone difference can explain: {unzoned} gives no time zone, "
                   "so a day either side of it is allowed)")
    return days, f" ({unzoned} gives no time zone: a day either side of it is allowed)"


def _days(start: date, end: date, first: date, last: date) -> int:
    if last < start:
        return -(start - last).days
    if first > end:
        return (first - end).days
    return 0


def _check_event(claim: Claim, originals: Sequence[Original]) -> Claim:
    checked = _check_period(claim, originals)
    if "/" in claim.value or checked.status is not ClaimStatus.CONTRADICTED:
        return checked
    for other, how in dates.other_readings(claim.text, date.fromisoformat(claim.value)):
        swapped = _check_period(replace(claim, value=other.isoformat(), text=other.isoformat()),
                                originals)
        if swapped.status is ClaimStatus.CONSISTENT:
            # a desk audit: "09/10/2015" on a page written month first rated miscaptioned
            return _checked(claim, ClaimStatus.UNCHECKED, (
                f"{claim.text.strip()} is {claim.value} read day first, but "
                f"{other.isoformat()} read {how}, and {swapped.finding}: which was meant is "
                "not known"))
    return checked


def _check_period(claim: Claim, originals: Sequence[Original]) -> Claim:
    claimed = _claimed_moments(claim)
    said = claim.text.strip() if claimed[0].instant else claim.value.replace("/", " to ")
    findings = []
    status = ClaimStatus.UNCHECKED
    for original in originals:
        recorded = dates.moments(original.recorded_at)
        if recorded is None:
            continue
        days, note = _apart(claimed, recorded)
        if days and abs(days) <= ZONE_SLACK_DAYS and dates.is_relative(claim.text):
            # a desk audit: "hier soir" on a page published at 23:30 UTC, 01:30 where it was
            # written, was counted from the UTC day and rated miscaptioned
            note = (f" ({abs(days)} day {'after' if days > 0 else 'before'} the day counted "
                    "from the publication date, whose time zone is not known: a day either "
                    "side is allowed)")
            days = 0
        if days:
            side = "before" if days < 0 else "after"
            findings.append(f"footage of {original.id} was recorded {_when(original)}, "
                            f"{abs(days)} day(s) {side} the claimed {said}{note}")
            status = ClaimStatus.CONTRADICTED
        elif status is not ClaimStatus.CONTRADICTED:
            findings.append(f"consistent with {original.id} recorded {_when(original)}{note}")
            status = ClaimStatus.CONSISTENT
    return _checked(claim, status, "; ".join(findings))


def _check_published(claim: Claim, originals: Sequence[Original]) -> Claim:
    """Footage cannot be recorded after it was published: only that is checked (a day either
    side allowed when one of the two dates has a time zone and the other none, as for event
    dates)."""
    published = date.fromisoformat(claim.value.partition("/")[0])
    day = _claimed_moments(claim)[0]
    known = [(o, r) for o in originals if (r := dates.moments(o.recorded_at)) is not None]
    if not known:
        return _checked(claim, ClaimStatus.UNCHECKED, "")
    compared = [(o, *_apart((day, day), r)) for o, r in known]
    later = [(o, note) for o, days, note in compared if days > 0]
    if later:
        return _checked(claim, ClaimStatus.CONTRADICTED, "; ".join(
            f"published {published.isoformat()}, before the footage of {o.id} was recorded "
            f"({_when(o)}){note}" for o, note in later))
    notes = "".join(dict.fromkeys(note for _, _, note in compared))
    spans = [(o, (r[0].day, r[1].day)) for o, r in known]
    return _checked(claim, ClaimStatus.CONSISTENT,
                    f"published after the footage was recorded ({_span(spans)}){notes}; a "
                    "publication date is not a claim about when it was filmed, only an upper "
                    "bound")


def _span(known: Sequence[tuple[Original, tuple[date, date]]]) -> str:
    first = min(r[0] for _, r in known).isoformat()
    last = max(r[1] for _, r in known).isoformat()
    return first if first == last else f"{first} to {last}"


def _when(original: Original) -> str:
    return f"on {original.recorded_at}" if "/" not in original.recorded_at else (
        f"between {original.recorded_at.replace('/', ' and ')}")


# What a reader must be told with any conclusion drawn from a clock in the picture.
CLOCK_CAVEAT = ("a camera's clock can be set wrong: this is the footage's own record, which "
                "the library does not confirm")
# Said besides where no clock read was found in an original's picture (a desk audit's clock
# drawn over another moment of a registered camera was said to be "the camera clock" and to
# support the false date it showed).
LAID_ON_CAVEAT = ("nor was it found in an original's picture: a clock can be laid over footage "
                  "after it was filmed")
# Clocks cited in one claim's finding (a montage of many cameras' pieces lists the first ones).
MAX_CLOCKS_SAID = 3


def clock_caveat(clocks: Sequence[ScreenClock]) -> str:
    """CLOCK_CAVEAT, with LAID_ON_CAVEAT where no clock was found in an original's picture
    (``clocks``: those a conclusion rests on: one camera's own clock vouches for no other)."""
    return CLOCK_CAVEAT if any(c.in_original for c in clocks) else \
        f"{CLOCK_CAVEAT}; {LAID_ON_CAVEAT}"


def clock_subject(clocks: Sequence[ScreenClock]) -> str:
    """"the camera clock in its picture" where a clock was found in an original's picture (the
    camera's own), else "a clock in its picture"."""
    return "the camera clock in its picture" if any(c.in_original for c in clocks) else \
        "a clock in its picture"


def clock_days(clocks: Sequence[ScreenClock]) -> list[ScreenClock]:
    """Each day the clocks read once, as its first clock read (days in the order of their last
    reading)."""
    return list({c.reads[:10]: c for c in reversed(clocks)}.values())[::-1]


def clock_reads_claimed(claim: Claim, clocks: Sequence[ScreenClock]) -> bool:
    """Whether some clock reads a day the date claim claims."""
    start, end = _claimed_range(claim)
    return any(start <= date.fromisoformat(c.reads[:10]) <= end for c in clocks)


def check_clocks(claims: Sequence[Claim], clocks: Sequence[ScreenClock]) -> list[Claim]:
    """Date claims compared with the camera clocks read in the query's own picture. A claim a
    matched original's recording date decided keeps its status, the clocks said beside it
    (agreeing or not: an original's metadata is weighed above a clock); an unchecked one
    becomes ``clock-consistent`` when a clock reads a day it claims, ``clock-contradicted``
    when none does, with CLOCK_CAVEAT. A publication date is checked only when unchecked, as
    an upper bound: contradicted by a clock reading a later day."""
    if not clocks:
        return list(claims)
    return [_against_clocks(c, clocks) if c.kind in (ClaimKind.DATE, ClaimKind.PUBLISHED)
            and c.status in (ClaimStatus.UNCHECKED, ClaimStatus.CONSISTENT,
                             ClaimStatus.CONTRADICTED) else c for c in claims]


def _against_clocks(claim: Claim, clocks: Sequence[ScreenClock]) -> Claim:
    start, end = _claimed_range(claim)
    said = claim.value.replace("/", " to ")
    shown = clock_days(clocks)[:MAX_CLOCKS_SAID]
    days = [date.fromisoformat(c.reads[:10]) for c in shown]
    if claim.kind is ClaimKind.PUBLISHED:
        if claim.status is not ClaimStatus.UNCHECKED:
            return claim
        later = [(c, d) for c, d in zip(shown, days, strict=True) if d > start]
        if later:
            text = "; ".join(f"{_clock(c)}, {(d - start).days} day(s) after it was published "
                             f"on {start.isoformat()}" for c, d in later)
            return _checked(claim, ClaimStatus.CLOCK_CONTRADICTED,
                            f"{text}; {clock_caveat([c for c, _ in later])}")
        return _checked(claim, ClaimStatus.CLOCK_CONSISTENT,
                        f"{'; '.join(_clock(c) for c in shown)}, before it was published; "
                        f"{clock_caveat(clocks)}")
    agrees = any(start <= d <= end for d in days)
    text = "; ".join(_clock(c) + (f", on the claimed {said}" if start <= d <= end else
                                  _days_apart(d, start, end, said))
                     for c, d in zip(shown, days, strict=True))
    if claim.status is ClaimStatus.UNCHECKED:
        status = ClaimStatus.CLOCK_CONSISTENT if agrees else ClaimStatus.CLOCK_CONTRADICTED
        deciding = [c for c, d in zip(shown, days, strict=True)
                    if (start <= d <= end) == agrees]
        finding = "; ".join(filter(None, (claim.finding, text, clock_caveat(deciding))))
        return _checked(claim, status, finding)
    if agrees == (claim.status is ClaimStatus.CONSISTENT):
        return _checked(claim, claim.status, f"{claim.finding}; {text}")
    return _checked(claim, claim.status, f"{claim.finding}; {text}, against the original's "
                    "recording date, which is weighed above it (a camera's clock can be set "
                    "wrong)")


def _clock(clock: ScreenClock) -> str:
    how = " (read mirrored)" if clock.mirrored else ""
    return f"{clock_subject([clock])} reads {clock.text!r} at {clock.time:.1f} s{how}"


def _days_apart(day: date, start: date, end: date, said: str) -> str:
    if day < start:
        return f", {(start - day).days} day(s) before the claimed {said}"
    return f", {(day - end).days} day(s) after the claimed {said}"


# The words that label a credit line ("Video: TCL Lyon", "Quelle: dpa").
CREDIT_LABELS = (r"(?:source|credit|crédits?|footage|video|vidéo|images?|fuente|quelle|vídeo|bron|"
                 r"źródło|fonte|fonti|источник|джерело|kaynak|المصدر)")


# "filmed by X", "source: X", "filmé par « X »": who made the footage. "posted by X",
# "partagé par X": who put it online (an uploader, not a claim about who filmed it).
# A straight quote closes a quoted name only where no letter follows it: "the BBC's", "les
# caméras d'Eurotunnel" go on (a name cut at "d'" was read as "caméras d").
_NAME = r"[«\"“']?\s*([^\n.,;:!?«»\"“”()\[\]<>]{2,60}?)\s*(?:[»\"”]|'(?!\w)|[.,;:!?()\n]|$)"
# A name that names someone: starting with a capital letter, a digit or a handle (a quote
# before it aside).
_A_NAME = r"(?=[«\"“']?\s*" + _NAME_START + r")" + _NAME
# Up to this many characters ("on 2 June 2016") may stand between "filmed" and "by".
_BETWEEN = r"\b(?:(?!\b(?:and|et|but|mais|then|puis)\b)[^.;:!?\n]){0,40}?\s"
# "Video: TCL Lyon", "Crédit : SDIS 33": a credit line names someone (a capital letter, a
# digit or a handle), unlike "Tram crash video: what we know", and says no more than a name:
# "VIDEO: Workers at a bottling plant in Lyon" describes the footage (``_describes_footage``).
_LABELLED = re.compile(r"\b" + CREDIT_LABELS + r"\s*:\s*" + _A_NAME, re.I)
# Words that make what follows a label a description, not a name: a preposition, an article or
# a verb's helper after its first word ("Workers at a bottling plant", "Bottles flying off the
# line", "Intruders caught on office CCTV"); a social-media audit found each read as a credit
# and the honest post rated miscaptioned. Names keep "of", "de", "via", "and"...
_DESCRIBING = re.compile(r"^\S+\s.*?\b(?:a|an|at|in|on|off|into|onto|over|under|to|is|are|was|"
                         r"were|being|as|while|when|after|before|during|near|through|across|"
                         r"inside|outside|who|that|which|(?<!\bof\s)(?<!\bde\s)the|un|une|dans|"
                         r"sur|sous|à|au|aux|en|pendant|près|qui|que|est|sont)\b", re.I)


_OBTAINED = re.compile(r"\s(?:obtained|acquired|obtenue?s?|récupérée?s?)\b.*$", re.I)


def _describes_footage(raw: str) -> bool:
    """Whether the words after a credit label describe the footage rather than name someone
    (a handle names someone whatever follows it; "CCTV footage obtained by the BBC" names what
    was obtained, up to "obtained")."""
    said = _OBTAINED.sub("", " ".join(raw.split()))
    return not said.startswith("@") and _DESCRIBING.search(said) is not None


_MADE_BY = [
    re.compile(r"\b(?:filmed|shot|recorded|captured)" + _BETWEEN + r"by\s+" + _NAME, re.I),
    re.compile(r"\b(?:credited to|courtesy of|provided by|supplied by)\s+" + _NAME, re.I),
    # "Video by Intel IoT DevKit" (a desk audit: not read, the credit left unchecked), not a
    # place beside ("footage by the roadside")
    re.compile(r"\b(?:video|footage|clip|images?)\s+by\s+(?!(?:the|a|an|my|our|his|her|"
               r"their)\b)" + _NAME, re.I),
    # "courtesy City of Portland" (a desk audit), a name after it
    re.compile(r"\bcourtesy\s+(?!of\b)" + _A_NAME, re.I),
    re.compile(r"\b(?:fournie?s?|transmise?s?|communiquée?s?)\s+par\s+" + _NAME, re.I),
    # a camera's sign for who filmed it, as posts write it ("🎥: @pdx_commuter", "📹 City of
    # Portland"), and a credit's word before a handle ("credit @lyonbottling"): a social-media
    # audit found neither read
    re.compile(r"(?:🎥|📹|📷|📸)\ufe0f?\s*:?(?!\s*(?i:" + CREDIT_LABELS + r")\s*:)\s*"
               + _A_NAME),
    re.compile(r"\b(?:credits?|crédits?|source)\s+(?=@)" + _A_NAME, re.I),
    # a credit line (``_LABELLED``), and the same labels in the other languages of
    # _PUBLISHED_CUE ("Quelle: dpa" is read as a
    # name only with a capital: "Quelle: privat" names no one); not "Foto:", a title's word too
    # ("Foto: Paris by night")
    _LABELLED,
    re.compile(r"\b(?:filmée?s?|tournée?s?|enregistrée?s?)" + _BETWEEN + r"par\s+" + _NAME,
               re.I),
    # "Footage via Eurotunnel": only after a word for the footage ("via the Channel Tunnel" is
    # a way, not a source)
    re.compile(r"\b(?:footage|video|vidéo|images?|photos?|clip)\s+via\s+(?:the\s+)?"
               + _A_NAME, re.I),
    # "© Reuters", "©AFP", "Image: © Eurotunnel 2015", "Copyright Getty Images": who holds the
    # rights (a desk audit: unread)
    # (the word alone only with © or a year: "Copyright Strike Hits Viral Calais Video" is a
    # headline)
    re.compile(r"(?:©|\bcopyright\s*(?:©|\(c\))|\bcopyright\s+(?=(?:19|20)\d{2}\s))\s*"
               r"(?:(?:19|20)\d{2}\s+|(?!(?:19|20)\d{2}\b))" + _A_NAME, re.I),
    # or a short name that ends its sentence: "Copyright Eurotunnel. Coquelles, 16/09/2015"
    re.compile(r"\bcopyright\s+(?!(?:19|20)\d{2}\b)(?=" + _NAME_START + r")"
               r"((?:[^\s.,;:!?()]+\s+){0,2}[^\s.,;:!?()]+)\s*(?:[.;\n]|$)", re.I),
]
_POSTED_BY = [
    re.compile(r"\b(?:posted|shared|uploaded|published)\s+by\s+" + _NAME, re.I),
    re.compile(r"\b(?:publiée?s?|partagée?s?|diffusée?s?|mise?s? en ligne)\s+par\s+" + _NAME,
               re.I),
]
# A name ends before words that start a clause: "@LyonNewsNow and has been viewed 2 million times".
# (not "la" after "de": "une caméra de la SNCF" names the SNCF)
_NAME_END = re.compile(r"(?<!\bde)\s+(?:and|et|who|qui|which|que|has|have|had|a|ont|on|le|la|"
                       r"les|in|at|à|au|with|avec|via|from|depuis|sur|this|ce|cette|last|"
                       r"yesterday|hier|shows?|showed|says|said|claims?|montre|explique|"
                       r"affirme|obtained|acquired|obtenue?s?|récupérée?s?)\b.*$", re.I)
# "les" before "le", whole words only: "les caméras" was read as "s caméras".
_ARTICLE_START = re.compile(r"^(?:(?:the|les|le|la)\b|l['’])\s*", re.I)


_HANDLE = re.compile(r"@[\w.]*\w")


def _whole_handle(text: str, start: int, name: str) -> str:
    """A handle read from ``start`` with its dots, which end other names ("@marc.dupont.films"
    was read "@marc")."""
    handle = _HANDLE.match(text, text.find("@", start))
    return handle.group(0) if handle else name


# A copyright's year after the name: "© Eurotunnel 2015".
_YEAR_AFTER = re.compile(r"\s+(?:19|20)\d{2}$")


def _name(raw: str) -> str:
    name = _YEAR_AFTER.sub("", _NAME_END.sub("", " ".join(raw.split()))).strip(" -'’")
    if name.startswith("@"):  # a handle is one word: "@bottlefactoryfan 🙏 DM for removal"
        name = name.split()[0]
    return _ARTICLE_START.sub("", name) if len(name.split()) > 1 else name


# A caption ending with its credit in brackets: "... near Landiras. (SDIS 33)", "(Video: AFP)".
# "(Video via Eurotunnel)", "(via Reuters)": who the footage came from (a desk audit: read as a
# credit to "Video", or not at all).
_BRACKET_CREDIT = re.compile(r"\((?:\s*(?:video|vidéo|photo|images?|source|crédits?|credit)"
                             r"(?:\s*:|\s+by|\s+par|\s+via)?|\s*via)?"
                             r"\s*(" + _NAME_START + r"[^()\n]{1,60}?)\s*\)\s*\.?\s*$", re.I)


# A caption ending with its credit without a colon: "... à Landiras. Images SDIS 33", "- Vidéo
# Eurotunnel". Only as the caption's last words after a sentence end or a dash, naming someone
# (a capital letter, a digit or a handle) and not starting a clause, so "Video shows the crash"
# is no credit; not in titles, whose every word may be capitalised ("Video Of The Day"); "by"
# may follow the label ("VIDEO BY INTEL IOT DEVKIT" was a credit to "BY INTEL..."), and the name
# ends before a comma and a word in small letters ("Video by X, filmed 2019").
_TRAILING_CREDIT = re.compile(r"(?:^|[.!?]\s+|\s[-–—|·]\s*)(?:video|vidéo|photo|images?|"
                              r"crédits?|credit)(?:\s+(?:by|par|via))?\s+(" + _NAME_START
                              + r"(?:(?!,\s*(?-i:[a-z]))[^.\n:()]){1,40}?)\s*\.?\s*$", re.I)


_TITLES = ("embed title", "upload metadata (title)")


def _caption_credit(text: str, where: str) -> re.Match[str] | None:
    credit = _BRACKET_CREDIT.search(text)
    if credit is None and where not in _TITLES:
        credit = _TRAILING_CREDIT.search(text[-200:])
        if credit and not _NAME_END.sub("", " " + credit.group(1)).strip():
            return None
    # "Video 16 September 2015", "(22 octobre 2015)", "(Warsaw, Nov 2021)": a date, or a place
    # and a date, not a name (desk audits: read as credits to "16 Eylül 2015'te çekildi" and
    # to "Warsaw, Nov", and contradicted)
    if credit and (find_dates(credit.group(1)) or dates.find_periods(credit.group(1))):
        return None
    return credit if credit and _name(credit.group(1)) else None


def source_claims(texts: Iterable[tuple[str, str]]) -> list[Claim]:
    """Who the text says made the footage ("filmed by ...") and who posted it ("partagé par")."""
    claims = []
    for where, text in texts:
        credit = _caption_credit(text or "", where) if where in _CAPTIONS else None
        credited = [Claim(kind=ClaimKind.SOURCE, text=credit.group(0).strip(),
                          value=_name(credit.group(1)), found_in=where)] if credit else []
        claims.extend(credited)
        for kind, patterns in ((ClaimKind.SOURCE, _MADE_BY), (ClaimKind.UPLOADER, _POSTED_BY)):
            for pattern in patterns:
                for match in pattern.finditer((text or "")[:MAX_TEXT_CHARS]):
                    name, said = _name(match.group(1)), match.group(0).strip()
                    if name.startswith("@"):
                        name = _whole_handle(text, match.start(1), name)
                    if pattern is _LABELLED and _describes_footage(match.group(1)):
                        continue
                    # "not filmed by Eurotunnel" credits no one (a desk audit: it was read as
                    # a credit, and the quote left out the "not"); "(Video: AFP)" is one
                    # credit, not also "Video: AFP)"
                    if len(name) >= 2 and not _negated(text, match.start()) and not any(
                            said in c.text and name == c.value for c in credited):
                        claims.append(Claim(kind=kind, text=said, value=name, found_in=where))
    return claims


# A source that describes a camera: its kind ("les caméras de surveillance", "Security camera
# footage", "an iPhone"), and what else is said of it in words that name no one ("privées",
# "du terminal", "near Calais"). A name says whose it is: a capital letter, a digit or a handle
# among the other words ("une caméra de la SNCF", "l'autoroute A16"), or an institution named
# in lower case ("les caméras de la gendarmerie", "a police bodycam").
_CAMERA_WORDS = re.compile(
    r"\b(?:cam[ée]ras?|cctv|webcams?|dashcams?|bodycams?|gopros?|iphones?|smartphones?|phones?|"
    r"t[ée]l[ée]phones?|portables?|drones?|(?:vid[ée]o)?(?:surveillance|protection)|security|"
    r"s[ée]curit[ée]|traffic|trafic|circulation|footage|images?|vid[ée]os?)\b", re.I)
_WHERE = re.compile(r"\b(?:near|in|at|outside|on|à|au|aux|près|dans|sur)\b.*$", re.I)
_NAMES_SOMEONE = re.compile(_NAME_START)
_INSTITUTIONS = re.compile(r"\b(?:police|gendarmerie|army|arm[ée]e|military|militaire|mairie|"
                           r"city|council|ministry|minist[èe]re|government|gouvernement|"
                           r"pr[ée]fecture|douanes?|customs)\b", re.I)


# Where footage is posted, not who filmed it: "Source: Twitter" credits no one (a desk audit:
# each was a false source, and the post rated miscaptioned).
PLATFORMS = ("Facebook", "Twitter", "X", "Instagram", "TikTok", "YouTube", "Telegram",
             "WhatsApp", "Snapchat", "Reddit", "Vimeo", "Dailymotion")


def _describes_a_camera(value: str) -> bool:
    """Whether a claimed source is a camera described, with no word saying whose it is."""
    kind = _WHERE.sub("", value)
    rest = _CAMERA_WORDS.sub("", kind)
    return rest != kind and not _NAMES_SOMEONE.search(rest) and not _INSTITUTIONS.search(rest)


# Words many sources share, which name none of them: "Sky News" is not "BBC News", "Groupe
# Renault" not "Groupe Eurotunnel SE", "Reuters Images" not "Getty Images" (a desk audit: each
# was credited to the other through the word they share).
_GENERIC_SOURCE_WORDS = frozenset({
    "the", "les", "des", "and", "of", "de", "du", "la", "le", "en", "et", "by", "an", "news",
    "info", "infos", "images", "image", "video", "videos",
    "photo", "photos", "footage", "media", "medias", "daily", "weekly", "times", "journal",
    "press", "presse", "agency", "agence", "group", "groupe", "channel", "chaine", "radio",
    "live", "direct", "official", "officiel", "officielle", "inc", "ltd", "plc", "llc", "corp",
    "cameras", "camera", "cctv", "surveillance", "via", "par", "from", "city", "ville", "town"})


def _source_words(name: str) -> list[str]:
    """A source's words, lower-case without accents, in any script ("РИА Новости" is two
    words, not none), an article set aside ("The Times" is "Times"), a handle whole
    ("@calais_cam" is not "Calais Libre")."""
    return [w for w in folded(name).split() if w not in _ARTICLES]


def _in_another_script(name: str, originals: Sequence[Original]) -> bool:
    """Whether a credit's letters are all in scripts the originals' sources are not written in
    ("Рейтер" or "رويترز" for Reuters: no word can be compared, and no transliteration agrees
    with the name an agency gives itself in Latin letters)."""
    said = set(language.scripts(name))
    return bool(said) and said.isdisjoint(language.scripts(" ".join(o.source for o in originals)))


_ARTICLES = frozenset({"the", "le", "la", "les", "l"})


def _credit_words(name: str, original: Original) -> set[str] | None:
    """The words on which a claimed source names the original's, None where it does not:
    the same words ("AP"), the same distinctive words ("city of Paris", "Ville de Paris") or
    the initials of the other's ("AFP", Agence France-Presse), an empty set, resting on no one
    word; the distinctive words of one all found in the other's
    (_GENERIC_SOURCE_WORDS set aside; a word of five letters or more may lie inside one: "les
    caméras du tunnel", "Eurotunnel"); or the same first distinctive word, an organisation
    before its unit ("Eurotunnel security staff", "Eurotunnel control room")."""
    said, source = _source_words(name), _source_words(original.source)
    if not said or not source:
        return None
    if name.startswith("@"):
        return _spelled_by_handle(name, original)
    if said == source or _initials(said, source) or _initials(source, said):
        return set()
    mine = [w for w in said if w not in _GENERIC_SOURCE_WORDS and len(w) >= 2]
    theirs = [w for w in source if w not in _GENERIC_SOURCE_WORDS and len(w) >= 2]
    if not mine or not theirs:
        return None
    if set(mine) == set(theirs):  # "city of Paris", "Ville de Paris"
        return set()
    for words, others in ((set(mine), set(theirs)), (set(theirs), set(mine))):
        if _within(words, others):
            return words
    return {mine[0]} if mine[0] == theirs[0] else None


# A word alone names a town (one sources are named after, or a caption names without "in") when
# the most populous place so called has this many people: Calais (74,000), Portland (650,000),
# Kyiv; not the namesakes of sources' and headlines' own words, Police (PL, 34,000), "BBC"
# (Bay City, US, 18,000), Golden Gate (US, 24,000), Panorama (GR, 17,000), Vice (PE, 13,000),
# Tribune, Herald, Bridge and Home (about 1,000-2,000), which credited or placed nothing when
# they counted.
KNOWN_TOWN_PEOPLE = 50_000


def _a_known_town(name: str, gazetteer: Gazetteer | None) -> bool:
    places = gazetteer.places(name) if gazetteer is not None else []
    return bool(places and places[0].population >= KNOWN_TOWN_PEOPLE)


def _named_after_a_place(words: set[str], gazetteer: Gazetteer | None) -> bool:
    """Whether a credit rests only on the names of countries and towns, which many sources are
    named after ("Portland Tribune" is not "City of Portland traffic dept", "Paris Match" not
    "Ville de Paris", "France 24" not "France Info"; a desk audit: the first was credited to
    the second)."""
    return bool(words) and all(country_code(w) or _a_known_town(w, gazetteer) for w in words)


def _handle_parts(handle: str) -> list[str]:
    """A handle's words: "@gdansk_office_sec" gdansk, office, sec; "@CityofPortland" city,
    of, portland (where its capitals set them apart)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|[_.\d-]+", " ", handle.lstrip("@"))
    spaced = re.sub(r"(?i)(?<=[a-z])(of|de)(?=[A-Z])", r" \1 ", spaced)
    return [w for w in folded(spaced).split() if w]


def _handle_matches(part: str, word: str) -> bool:
    return part == word or (len(part) >= 3 and word.startswith(part)) or (
        len(word) >= 5 and word in part)


def _handle_words(handle: str, original: Original) -> tuple[set[str], set[str]]:
    """(the source's distinctive words a handle's words give, all of them); a source that is a
    handle too, word for word."""
    parts = _handle_parts(handle)
    if original.source.startswith("@"):
        words = _distinctive(_handle_parts(original.source))
        given = {w for w in words if w in parts}
    else:
        words = _distinctive(_source_words(original.source))
        given = {w for w in words if any(_handle_matches(p, w) for p in parts)}
    return given, set(words)


def _distinctive(words: Iterable[str]) -> list[str]:
    """A source's words but the generic ones ("news", "video", "tv")."""
    return [w for w in words if w not in _GENERIC_SOURCE_WORDS]


def _mostly_spelled_by_handle(handle: str, original: Original) -> bool:
    """Whether a handle gives more than half of the source's distinctive words ("@gdansk_office"
    for Gdansk Office Security): it may be the source's own account."""
    given, words = _handle_words(handle, original)
    return len(given) * 2 > len(words)


def _spelled_by_handle(handle: str, original: Original) -> set[str] | None:
    """The words on which a handle spells the source's whole name ("@gdansk_office_sec" for
    Gdansk Office Security, "@CityofPortland"), else None: a handle is not compared word by
    word (``_source_words`` keeps it whole), and a social-media audit found the source's own
    handle contradicted."""
    letters = "".join(_handle_parts(handle))
    source = _source_words(original.source)
    distinctive = _distinctive(source)
    if letters == "".join(source):
        return set()  # the name run together: "@lyonbottling", "@CityofPortland"
    if letters == "".join(distinctive):
        return set(distinctive)  # its distinctive words: a town's alone credits no one
    given, words = _handle_words(handle, original)
    return given if words and given == words else None


def _initials(words: list[str], name: list[str]) -> bool:
    """Whether a word of one is the other name's initials ("ap": Associated Press; "afp" of
    "Getty Images / AFP": Agence France-Presse)."""
    initials = "".join(w[0] for w in name)
    # not a common word ("Daily Express" is no "de" of "Ville de Paris")
    return len(name) > 1 and initials in words and initials not in _GENERIC_SOURCE_WORDS


def _within(words: set[str], others: set[str]) -> bool:
    return all(any(a == b or (len(a) >= 5 and a in b) for b in others) for a in words)


def _passed_on(claim: Claim) -> bool:
    """Whether the claim names who passed the footage on ("Footage via Reuters"), an agency or
    an account, not always who made it ("Eurotunnel via Reuters"): it agrees when it names the
    source, else it is no false credit. Not "Photo by Denis Charlet/AFP via Getty Images",
    a credit to the photographer."""
    return re.search(r"\bvia\s+(?:the\s+)?" + re.escape(claim.value), claim.text,
                     re.I) is not None


def check_sources(claims: Sequence[Claim], originals: Sequence[Original],
                  gazetteer: Gazetteer | None = None) -> list[Claim]:
    """Compare claimed sources with the matched originals' source (a wrong one is contradicted),
    and uploaders (a repost by someone else is a flag, not a false claim); flag a repost that
    names no source at all."""
    with_source = [o for o in originals if o.source]
    checked = []
    for claim in claims:
        words = {o.id: _credit_words(claim.value, o) for o in with_source}
        named = [o for o in with_source if words[o.id] is not None]
        credited = [o for o in named if not _named_after_a_place(words[o.id] or set(), gazetteer)]
        if credited:
            checked.append(_checked(claim, ClaimStatus.CONSISTENT,
                                    f"credits the source of {', '.join(o.id for o in credited)}"))
        elif named:
            checked.append(_checked(claim, ClaimStatus.UNCHECKED,
                                    f"{claim.value!r} shares only a place's name with the "
                                    f"footage's source ({_owners(named)}), and many sources "
                                    f"are named after their town: check by hand"))
        elif not with_source:
            checked.append(_checked(claim, ClaimStatus.UNCHECKED, ""))
        elif claim.value.startswith("@") and any(_mostly_spelled_by_handle(claim.value, o)
                                                 for o in with_source):
            checked.append(_checked(claim, ClaimStatus.UNCHECKED,
                                    f"the account {claim.value!r} shares words with the name of "
                                    f"the footage's source ({_owners(with_source)}): whose "
                                    f"account it is cannot be told from its name; check by "
                                    f"hand"))
        elif claim.value.strip().casefold() in {p.casefold() for p in PLATFORMS}:
            checked.append(_checked(claim, ClaimStatus.UNCHECKED,
                                    f"{claim.value!r} is where footage is posted, not who "
                                    f"filmed it; the footage is from {_owners(with_source)}"))
        elif claim.kind is ClaimKind.SOURCE and _in_another_script(claim.value, with_source):
            checked.append(_checked(claim, ClaimStatus.UNCHECKED,
                                    f"{claim.value!r} is written in another script than the "
                                    f"footage's source ({_owners(with_source)}): compare by "
                                    f"hand"))
        elif _describes_a_camera(claim.value):
            # "filmées par les caméras de surveillance" names the kind of camera, not whose it
            # is: the source's own cameras, as like as not, so it is no false credit ("filmed
            # by a passer-by", "by me" name who filmed, and are).
            checked.append(_checked(claim, ClaimStatus.UNCHECKED,
                                    f"{claim.value!r} names a kind of camera, not whose; the "
                                    f"footage is from {_owners(with_source)}"))
        elif _passed_on(claim):
            checked.append(_checked(claim, ClaimStatus.UNCHECKED,
                                    f"the footage came via {claim.value!r}, which may have "
                                    f"passed on another's footage; it is from "
                                    f"{_owners(with_source)}"))
        elif claim.kind is ClaimKind.SOURCE:
            checked.append(_checked(claim, ClaimStatus.CONTRADICTED,
                                    f"{claim.value!r} is not the source of the footage "
                                    f"({_owners(with_source)})"))
        else:
            checked.append(_checked(claim, ClaimStatus.FLAG,
                                    f"posted by {claim.value!r}, not by the source of the "
                                    f"footage ({_owners(with_source)})"))
    if with_source and not any(c.kind is ClaimKind.SOURCE for c in claims):
        checked.append(Claim(
            kind=ClaimKind.SOURCE, text="", value="", found_in="page, post and upload metadata",
            finding=f"no source of the footage is named; it is from {_owners(with_source)}",
            status=ClaimStatus.FLAG))
    return checked


def _camera_sources(claims: Sequence[Claim], cameras: Sequence[Original],
                    gazetteer: Gazetteer | None) -> list[Claim]:
    """Claimed sources of footage of registered cameras at another moment, compared with the
    cameras' owners: a credit to them agrees; another is left to the checker, since another
    moment's footage may be someone else's (a desk audit: "nothing known to compare it with",
    although the camera's owner was known)."""
    ids = ", ".join(o.id for o in cameras)
    checked = []
    for claim in check_sources(claims, cameras, gazetteer):
        if not claim.value:  # "no source is named": this footage's own source is not known
            continue
        if claim.status is ClaimStatus.CONSISTENT:
            claim = _checked(claim, ClaimStatus.CONSISTENT,
                             f"credits the owner of the camera of {ids}")
        elif claim.kind is ClaimKind.UPLOADER and claim.status is ClaimStatus.FLAG:
            claim = _checked(claim, ClaimStatus.FLAG, (
                f"posted by {claim.value!r}; the camera of {ids} is {_owners(cameras)}'s"))
        elif claim.status is ClaimStatus.CONTRADICTED:
            claim = _checked(claim, ClaimStatus.UNCHECKED, (
                f"the camera of {ids} is {_owners(cameras)}'s, and this is another moment of it, "
                f"whose source is not known: check whether {claim.value!r} filmed it by hand"))
        checked.append(claim)
    return checked


def _owners(originals: Sequence[Original]) -> str:
    return listed(list(dict.fromkeys(o.source for o in originals)))


def listed(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C' (a desk audit: "from A and B and C")."""
    return f"{', '.join(items[:-1])} and {items[-1]}" if len(items) > 1 else "".join(items)


# "filmed in Calais", "tournée à Lyon", "depuis le Vieux-Port", "au pont de l'Alma", "on Oxford
# Street", "tanks roll into Kyiv", "des chars dans Kiev", "convoy moving through Kharkiv" (two
# desk audits: the last three unread, and false posts rated authentic): a place, read only in a
# sentence about the footage. A lower-case word that names a
# kind of place ("pont", "quai") is part of the name; "on" only before a street's name ("on
# Tuesday", "on Facebook" are no places).
_KIND_OF_PLACE = (r"(?:pont|place|rue|quai|avenue|boulevard|port|gare|porte|parc|plage|"
                  r"aéroport|aeroport)\s+(?:de\s+l['’]|d['’]|de\s+la\s+|du\s+|des\s+|de\s+)?")
_STREET = r"(?:Street|Road|Avenue|Square|Bridge|Boulevard|Lane|Row|Place)"
_PLACE = re.compile(r"\b(?:(?:in|at|near|over|à|au|aux|près de|sur|outside|depuis|into|inside|"
                    r"through|across|dans)\s+"
                    r"(?:the\s+|la\s+|le\s+|l['’])?"
                    rf"((?:{_KIND_OF_PLACE})?(?:[A-ZÉÈÀ][\w'’-]+)"
                    r"(?:[ -](?:de|du|des|la|le|sur|l['’][A-ZÉÈÀ][\w-]+|[A-ZÉÈÀ][\w'’-]+))*)"
                    rf"|on\s+(?:the\s+)?((?:[A-ZÉÈÀ][\w'’-]+\s+)+{_STREET}))\b")
_NOT_PLACES = {m.capitalize() for m in dates.EN_FR_MONTHS} | {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Lundi",
    "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche", "The", "This", "Le", "La",
    "Les", "Un", "Une", "A", "An", "By", "Par", "Published", "Publié", "Updated", "Internet",
    # words in capitals read as usually written: "IN THE CITY" names no place
    "City", "Town", "Village", "World", "Country", "Ville", "Monde",
    # greetings before a place's name: "Thanks, Texas!"
    "Thanks", "Thank", "Hello", "Hi", "Welcome", "Congrats", "Sorry", "Merci", "Bravo", "Bonjour",
    *PLATFORMS}


# French puts "en" before a feminine country's name ("en Belgique", "en Ukraine"), but "en"
# also begins "en fait", "en direct", "En Marche": a place only where the name is a country's.
_EN_COUNTRY = re.compile(r"\ben\s+([A-ZÉÈÀ][\w'’-]+(?:[ -][A-ZÉÈÀ][\w'’-]+)*)")


# Short texts that are about the footage itself: a place they name is where it was filmed.
_CAPTIONS = ("figcaption", "embed title", "embed description", "upload metadata (title)",
             "upload metadata (description)", "command line (caption)")


# A dateline: a place, then a date ("Landiras, 10/08/2022 : ...", "PARIS, June 2 -"), the place
# in up to three parts ("Calais, France - 22 October 2015", "Piazza del Duomo, Milano,
# 22/10/2015": a desk audit found neither read), a part's names joined by the little words of
# place names ("Piazza del Duomo", "Place de la Concorde", "Unter den Linden").
_PLACE_NAME_JOIN = r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|of|the|von|am|an|der|den)"
_DATELINE_PART = (rf"[{CAPITALS}][\w'’-]+(?:[ -](?:{_PLACE_NAME_JOIN}\s+){{0,2}}"
                  rf"[{CAPITALS}][\w'’-]+){{0,3}}")
_DATELINE = re.compile(r"^(" + _DATELINE_PART + r"(?:,\s*" + _DATELINE_PART + r"){0,2})"
                       r"\s*[,—–-]\s*")


# Places a caption names without "in" (a desk audit: each was missed, and footage from Portland
# captioned in Kyiv rated authentic): a place with its country after a comma ("... aftermath,
# Kharkiv, Ukraine"); a location pin ("📍 Kyiv, Ukraine", how posts say where they were made: a
# social-media audit found none read); and, only where a town of KNOWN_TOWN_PEOPLE has that
# very name (``_as_placed``), a name opening the caption before a colon ("Kyiv: traffic jam"),
# a name after "from" ("Scenes from Kyiv today") and a town's road or bridge ("on the Kyiv
# ring road").
_WITH_COUNTRY = re.compile(r"(?:^|[,;:]\s*|\s[-–—|]\s*)(" + _DATELINE_PART + r"(?:,\s*"
                           + _DATELINE_PART + r")?),\s*(" + _DATELINE_PART
                           + r")(?=\s*(?:[.,;:!?)]|$)|\s+[^\w\s]|\s+[a-z])")
_PIN = re.compile(r"📍\ufe0f?\s*(" + _DATELINE_PART + r"(?:,\s*" + _DATELINE_PART + r")?)")
# (not a credit's or a headline's label: "Video: AFP", "Breaking: ...")
# (after a flag or another sign: "🇺🇦 Kyiv: ...")
_OPENING_NAME = re.compile(r"^(?:[^\w\s]+\s*)?(?!(?i:" + CREDIT_LABELS + r"|photos?|cctv|breaking|"
                           r"update|watch|live|exclusive|urgent|alert|warning)\b)(" + _DATELINE_PART
                           + r")\s*:(?=\s|$)")
_FROM_NAME = re.compile(rf"\bfrom\s+(?:the\s+)?([{CAPITALS}][\w'’-]+(?:[ -][{CAPITALS}][\w'’-]+)?)"
                        rf"(?![\w'’-])")
_TOWN_ROAD = re.compile(rf"\b(?:on|along|across|over)\s+the\s+([{CAPITALS}][\w'’-]+)\s+"
                        r"(?:ring road|bypass|motorway|highway|expressway|bridge|road|square)\b")
# A place written small after a filming word ("filmed in kyiv last night", "tourné à lyon"),
# or after "in"/"at"/"near"/"à" in a caption written all in small letters ("traffic jam in kyiv
# today"): posts are often written so (a desk audit: missed, footage from Portland rated
# authentic). Up to three words, ending before a word that names no place; counted only where
# a town of KNOWN_TOWN_PEOPLE has that very name (``_a_town_so_named``: GeoNames' other names
# make towns of "part", "fog" and "turn"), and never the English words that are also towns'
# names ("filmed in nice weather", "shot in spring", "at most"): of 2,940 words found 3 times
# or more after "in", "at" or "near" in the English of Python's and its packages' sources, 12
# are a town's own name (most, sig, normal, ann, split, union, paradise, san, reservoir, delta,
# perm, coro); the longer ones are listed, and a name needs 4 letters.
# (letters of any alphabet, "łódź"; in small letters only, ``_unannounced_places`` sees to it)
_SMALL_NAME = r"[^\W\d_](?:[^\W\d_]|['’-])*[^\W\d_]"
_NOT_A_NAME = (r"(?:today|tonight|yesterday|last|this|that|these|those|on|at|in|near|and|or|but|"
               r"by|during|when|while|after|before|as|with|the|a|an|of|for|from|to|was|is|are|"
               r"were|has|have|had|it|its|his|her|their|our|my|your|le|la|les|et|ou|par|pendant|"
               r"hier|aujourd'hui|ce|cette|ces|en|du|des|de|un|une|où|qui|que|about|around|"
               r"just|only|early|late|morning|evening|night|week|month|year|day|am|pm|spring|"
               r"summer|autumn|fall|winter|nice|mobile|split|paradise|real|slow|secret|public|"
               r"private|reverse|portrait|landscape|full|black|white|colou?r|most|normal|union|reservoir|"
               r"delta|perm|coro|bath|reading|general|order|time|home|town|city)")
_SMALL_PLACE = (rf"((?!{_NOT_A_NAME}\b){_SMALL_NAME}(?:\s(?!{_NOT_A_NAME}\b){_SMALL_NAME}){{0,2}})"
                r"(?![\w'’-])")
_FILMED_IN_SMALL = re.compile(
    r"\b(?:filmed|shot|recorded|captured|taken|film[ée]e?s?|tourn[ée]e?s?|enregistr[ée]e?s?)"
    r"\s+(?:in|à|au)\s+" + _SMALL_PLACE)
_IN_SMALL = re.compile(r"\b(?:in|at|near|à|au)\s+" + _SMALL_PLACE)
_WRITTEN_SMALL = (_FILMED_IN_SMALL, _IN_SMALL)
_TENTATIVE = (_OPENING_NAME, _FROM_NAME, _TOWN_ROAD, _FILMED_IN_SMALL)
# A place a caption names in passing, without words saying its footage was filmed there
# ("Tanks entering Kyiv", "#Kyiv tanks on the road", "Kyiv right now 🇺🇦", "Cars flee Kyiv on
# Feb. 24": a desk audit's false posts so captioned were rated authentic): a whole run of
# capitalised words, or a hashtag's word, that a city of MENTIONED_CITY_PEOPLE has as its very
# name ("Paris Hilton", "New York Times", "Manchester United" name none; the run's first word is
# left out at a sentence's start: "Watch Kyiv burn"). Such a name may be a person's, a team's or
# the news the footage is posted about, so it is checked but left to the checker
# (``Claim.named_in_passing``): where it does not agree, authentic footage is inconclusive,
# never miscaptioned; and a caption that says where its footage was filmed has said it (a
# video's other place claims leave its names in passing out).
_CAPITALISED_RUN = re.compile(rf"(?<![\w@#'’/.-])[{CAPITALS}][\w'’-]*(?:\s+(?:"
                              rf"{_PLACE_NAME_JOIN}\s+){{0,2}}[{CAPITALS}][\w'’-]*)*")
_HASHTAG = re.compile(r"(?<![\w#])#([^\W\d_]{4,})(?!\w)")
MENTIONED_CITY_PEOPLE = 500_000
# A caption that says what its footage shows is ("Fake. It's Gdańsk, not Warsaw", "This is
# actually Lyon"): there a city of ASSERTED_CITY_PEOPLE is read too (Gdańsk has 487,000 people:
# a social-media audit's correction was left unread), not a word that is also a common one
# ("It's Reading", ``_NOT_A_NAME``).
ASSERTED_CITY_PEOPLE = 100_000
# A name that films or posts is a person's ("Austin filmed this", "Victoria shot it from her
# balcony": a social-media audit read them as cities).
_DOES_THE_FILMING = re.compile(r"\s+(?:filmed|shot|recorded|captured|took|posted|shared|"
                               r"uploaded|sent)\b", re.I)
_SAID_TO_BE = re.compile(r"\b(?:it['’]s|it\s+is|it\s+was|this\s+is|this\s+was|that['’]s|"
                         r"that\s+is)\s+(?:actually\s+|really\s+|in\s+)?$", re.I)


def _capitalised(name: str) -> str:
    """A name as places are written: "kyiv" as "Kyiv", "new york" as "New York"; a name
    written with capitals as it is."""
    return name if any(c.isupper() for c in name) else name.title()


def _as_placed(claim: Claim, gazetteer: Gazetteer | None) -> Claim | None:
    """The place claim if it names a place: read from words that name a place only if the
    name is a town's (``_TENTATIVE``: "Breaking: ...", "footage from Reuters" name none), only
    where it is; written small, as the first of its words that a town has as its very name
    ("in paris right now": Paris), or None."""
    if claim.named_in_passing:  # a city's very name (``_cities_named``)
        return claim
    said = _as_written(claim.text)
    if any((m := p.fullmatch(said)) and m.group(1).islower() for p in _WRITTEN_SMALL):
        words = claim.value.split()
        for n in range(len(words), 0, -1):
            if _a_town_so_named(" ".join(words[:n]), gazetteer):
                text = " ".join(claim.text.split()[:len(claim.text.split()) - len(words) + n])
                return replace(claim, text=text, value=" ".join(words[:n]))
        return None
    # as written and as read ("JUST IN:" is read "Just in:", which no longer opens with a name)
    tentative = any(p.fullmatch(text) for text in (said, claim.text) for p in _TENTATIVE)
    return claim if not tentative or _a_town_so_named(claim.value, gazetteer) else None


def _a_town_so_named(name: str, gazetteer: Gazetteer | None) -> bool:
    """Whether a town of KNOWN_TOWN_PEOPLE has this very name, not as one of its other names
    (GeoNames lists airport codes and abbreviations among them: a social-media audit's "POV:",
    "PSA:", "TBT:" and "DIY:" opening captions were Prešov, Pisa, Tabatinga and Diyarbakır, and
    honest posts rated miscaptioned), in 4 letters or more."""
    places = gazetteer.places(name) if gazetteer is not None and len(name) >= 4 else []
    return any(p.population >= KNOWN_TOWN_PEOPLE and folded(p.name) == folded(name)
               for p in places)


# A caption's dateline after its other words and a sign ("... one by one 😂 Kraków, 15 Nov
# 2021", "Traffic jam | Lyon, 3 March 2022"): a social-media audit found it unread, and a post
# placing Gdańsk's footage in Kraków rated authentic.
# (a sign standing apart: not the hyphen of "the Vieux-Port, July 14, 2024")
_AFTER_A_SIGN = re.compile(rf"(?<!\S)[^\w\s,.'’\"“”(]+\ufe0f?\s*(?=[{CAPITALS}])")


def _dateline_after_a_sign(caption: str) -> list[tuple[int, int, str]]:
    """(start, end, place) of a dateline that follows a sign in a caption (_AFTER_A_SIGN)."""
    for sign in _AFTER_A_SIGN.finditer(caption):
        dateline = _dateline_place(caption[sign.end():])
        if dateline:
            return [(sign.end(), sign.end() + len(dateline[0]), dateline[1])]
    return []


def _dateline_place(sentence: str) -> tuple[str, str] | None:
    """A dateline whose date follows it, as (its words, its place), the place's parts up to the
    first that is a day's or a month's name ("Calais, Thursday, 22 October 2015" is Calais) or
    a word that names no place ("The", "Published")."""
    dateline = _DATELINE.match(sentence)
    if not dateline or not any(at == dateline.end()
                               for at, _, _ in dates.dates_at(sentence, date.max)):
        return None
    parts = dateline.group(1).split(",")
    kept = ",".join(itertools.takewhile(lambda part: part.split()[0] not in _NOT_PLACES, parts))
    if not kept:
        return None
    said = dateline.group(0).strip() if kept == dateline.group(1) else kept
    return said, kept.title() if kept.isupper() else kept


# After a place's name, a country or region that says which one it is ("Paris, Texas",
# "London, Ontario", "Calais, France", "Springfield, MO, USA").
_QUALIFIER = re.compile(r",\s*([A-ZÉÈÀ][\w'’.-]+(?:[ -][A-ZÉÈÀ][\w'’.-]+){0,2})")


def _qualified(sentence: str, match: re.Match[str], name: str) -> tuple[str, str]:
    """The claim's text and place with the countries and regions that follow the name."""
    end = match.end()
    while (more := _QUALIFIER.match(sentence, end)) and (
            country_code(more.group(1)) or region_named(more.group(1))):
        said = more.group(1)
        if said.endswith(".") and "." not in said[:-1]:  # the sentence's end, not "U.S."
            said = said[:-1]
        name, end = f"{name}, {said}", more.start(1) + len(said)
    return sentence[match.start():end], name


# Where footage was seen, not filmed: "went viral in Germany", "shared in France", "circule en
# Belgique" (a desk audit: read as the place of filming, and the post rated miscaptioned).
_FILMED = re.compile(r"\b(?:film\w*|shot|recorded|tourn\w*|enregistr\w*|captur\w*)\b", re.I)
# Not "seen", "watched", "vus": "Migrants seen in Dover on 16/09/2015" says where they were filmed.
# A date may stand between: "reposted on 22 October 2015 in Kyiv" (a desk audit).
_SEEN_WORD = (r"\b(?:viral|trending|popular|shared|circulat\w*|spread|banned|broadcast|aired|"
              r"virale?s?|partagée?s?|circul\w*|diffusée?s?|" + _REPOSTED + ")")
_DATE_WORD = (r"(?:on|le|the|\d[\w/.:-]*|yesterday|today|hier|aujourd'hui|\w+day|\w+di|"
              r"dimanche|" + "|".join(sorted(dates.EN_FR_MONTHS, key=len, reverse=True)) + r")")
_SEEN_BEFORE = re.compile(_SEEN_WORD + r"(?:\s+" + _DATE_WORD + r"){0,5}\s+\S+$", re.I)


def _seen_there(sentence: str, at: int) -> bool:
    """Whether the place at ``at`` is where the footage was seen (_SEEN_BEFORE), not also
    where it was filmed ("Filmed and shared in Calais")."""
    seen = _SEEN_BEFORE.search(sentence, max(0, at - 60), at + 1)
    return seen is not None and _FILMED.search(sentence, max(0, seen.start() - 30),
                                               seen.start()) is None


def place_claims(texts: Iterable[tuple[str, str]]) -> list[Claim]:
    """Places the text says the footage was filmed in: in a caption, any place it names (and
    the cities it names in passing, ``named_in_passing``); in running text, places in a
    sentence about the footage ("filmed in Calais"); a dateline. Each is read in
    ``_as_written`` letters and quoted as written."""
    found = []
    for where, text in texts:
        for sentence in sentences(text or ""):
            read = _as_written(sentence)
            spans = _place_spans(read, where)
            found += [Claim(kind=ClaimKind.PLACE, text=sentence[a:b], value=place,
                            found_in=where) for a, b, place in spans]
            if where in _CAPTIONS:
                # a city the caption says its footage is ("It's Gdańsk") is said where it was
                # filmed, not named in passing (so its other names are context)
                found += [Claim(kind=ClaimKind.PLACE, text=sentence[a:b], value=name,
                                found_in=where, named_in_passing=not said_to_be)
                          for a, b, name, said_to_be in _cities_named(read, spans,
                                                                      sentence.isupper())]
    return found


def _cities_named(read: str, spans: list[tuple[int, int, str]], shouted: bool
                  ) -> list[tuple[int, int, str, bool]]:
    """(start, end, name, whether the caption says its footage is that city) of each run of
    capitalised words and each hashtag of a caption's sentence (read in ``_as_written``
    letters; ``shouted``: written in capitals) that is a city's very name (``_a_city``) and
    that no place read (``spans``) covers, where the words do not deny it, share it there
    (``_filmed_there``) or make it a person's (``_DOES_THE_FILMING``)."""
    covered = _covered(len(read), spans)
    names = [(m.start(1) - 1, m.end(), _capitalised(m.group(1))) for m in _HASHTAG.finditer(read)]
    for run in _CAPITALISED_RUN.finditer(read):
        words = list(re.finditer(r"\S+", run.group(0)))
        if shouted:  # "TANKS ENTERING KYIV", read "Tanks Entering Kyiv": any 1-3 of its words
            names += [(run.start() + words[i].start(), run.start() + words[j - 1].end(),
                       run.group(0)[words[i].start():words[j - 1].end()])
                      for i in range(len(words)) for j in range(i + 1, min(i + 4, len(words) + 1))]
            continue
        names.append((run.start(), run.end(), run.group(0)))
        if len(words) > 1 and not re.search(r"\w", read[:run.start()]):  # capitalised to open it
            names.append((run.start() + words[1].start(), run.end(),
                           run.group(0)[words[1].start():]))
    cities = city_names(MENTIONED_CITY_PEOPLE) if names else frozenset()
    found = []
    for a, b, name in names:
        said_to_be = bool(_SAID_TO_BE.search(read[:a]))
        # denied by the word just before it too ("It's Lyon, not Paris"), which the place
        # words' check reads from
        if _a_city(name, said_to_be, cities) and not any(covered[a:b]) \
                and not _negated(read, a) and not _DOES_THE_FILMING.match(read, b) \
                and _filmed_there(read, _word_before(read, a)):
            found.append((a, b, name, said_to_be))
    return found


def _a_city(name: str, said_to_be: bool, cities: frozenset[str]) -> bool:
    """Whether ``name`` is a city's very name: a big city's (``cities``, MENTIONED_CITY_PEOPLE),
    or, where the caption says its footage is it (``said_to_be``, ``_SAID_TO_BE``), a smaller
    one's (ASSERTED_CITY_PEOPLE) that is no common word."""
    if folded(name) in cities:
        return True
    return said_to_be and not re.fullmatch(_NOT_A_NAME, name, re.I) \
        and folded(name) in city_names(ASSERTED_CITY_PEOPLE)


def _covered(length: int, spans: Iterable[tuple[int, int, str]]) -> bytearray:
    """Per character of a text ``length`` long, whether a place read (``spans``: start, end,
    place) holds it."""
    covered = bytearray(length)
    for start, end, _ in spans:
        covered[start:end] = b"\x01" * (end - start)
    return covered


def _word_before(sentence: str, at: int) -> int:
    """Where the word before ``at`` starts (``at`` at the sentence's first word): "went viral
    in Kyiv" is read from "in", as a place after "in" is."""
    before = re.search(r"\S+\s+$", sentence[:at])
    return before.start() if before else at


def _place_spans(read: str, where: str) -> list[tuple[int, int, str]]:
    """(start, end, place) of each place a sentence (read in ``_as_written`` letters) names."""
    found: list[tuple[int, int, str]] = []  # start, end, place
    dateline = _dateline_place(read) if where != "byline" else None
    if dateline:
        found.append((0, len(dateline[0]), dateline[1]))
    elif where in _CAPTIONS:
        found += _dateline_after_a_sign(read)
    if where not in _CAPTIONS and not _EVENT_CUE.search(read) and not any(
            c.kind is ClaimKind.DATE for c in _sentence_dates(
                read, Passage(read, where), None, {}, None)):
        return found
    for match in _PLACE.finditer(read):
        name = re.sub(r"(?:[ -](?:de|du|des|la|le|sur))+$", "", match.group(1) or match.group(2))
        if name.split()[0] not in _NOT_PLACES and _filmed_there(read, match.start()):
            said, name = _qualified(read, match, name)
            found.append((match.start(), match.start() + len(said), name))
    found += [(m.start(), m.end(), m.group(1)) for m in _EN_COUNTRY.finditer(read)
              if country_code(m.group(1)) and _filmed_there(read, m.start())]
    if where in _CAPTIONS:
        found += _unannounced_places(read, found)
    return found


def _filmed_there(sentence: str, at: int) -> bool:
    return not _negated(sentence, at) and not _seen_there(sentence, at)


# Where a town is written with its state after a comma ("Portland, Maine", "Portland, ME",
# "Paris, Texas"): a social-media audit's "Portland, Maine this morning" was not read, and
# footage from Portland, Oregon rated authentic. Elsewhere a region after a comma is read only
# after "in" (``_qualified``): "Migrants, Paris" names no town in the region of Paris.
_STATE_COUNTRIES = ("US", "CA", "AU")


def _country_or_state(name: str) -> bool:
    region = region_named(name)
    return bool(country_code(name)) or (region is not None
                                        and region.country in _STATE_COUNTRIES)


def _unannounced_places(caption: str, found: list[tuple[int, int, str]]
                        ) -> list[tuple[int, int, str]]:
    """A caption's places named without "in" (``_PIN``, ``_WITH_COUNTRY``, ``_TENTATIVE``),
    where no other place was read at the same words."""
    more: list[tuple[int, int, str]] = [(m.start(), m.end(), m.group(1))
                                        for m in _PIN.finditer(caption)
                                        if m.group(1).split()[0] not in _NOT_PLACES]
    for match in _WITH_COUNTRY.finditer(caption):
        if _country_or_state(match.group(2)) and \
                match.group(1).split()[0].rstrip(",") not in _NOT_PLACES:
            more.append((match.start(1), match.end(2), f"{match.group(1)}, {match.group(2)}"))
    small = [_IN_SMALL] if not any(c.isupper() for c in caption) else []
    for pattern in (*_TENTATIVE, *small):
        more += [(m.start(), m.end(), _capitalised(m.group(1))) for m in pattern.finditer(caption)
                 if _capitalised(m.group(1)).split()[0] not in _NOT_PLACES
                 and (pattern not in _WRITTEN_SMALL or m.group(1).islower())
                 and _filmed_there(caption, m.start())]
    covered = _covered(len(caption), found)
    kept = []
    for start, end, place in more:
        if not any(covered[start:end]):
            kept.append((start, end, place))
            covered[start:end] = b"\x01" * (end - start)
    return kept


# Words written small in a caption in capitals ("FILMED IN KYIV", burned into the picture):
# read as "Filmed in Kyiv", so that the words before a place are known.
_SMALL_WORDS = frozenset({"in", "at", "near", "on", "over", "from", "outside", "of", "the", "à",
                          "au", "aux", "près", "de", "du", "des", "la", "le", "les", "sur", "en",
                          "et", "and", "by", "par", "depuis", "a", "an"})


def _as_written(sentence: str) -> str:
    """A sentence in capitals in the case words are usually written in, letter for letter in
    place (a letter whose case changes its length, "İ", leaves it as it is)."""
    if not sentence.isupper():
        return sentence
    cased = re.sub(r"[^\W\d_]+", lambda w: w.group(0).lower() if w.group(0).lower()
                   in _SMALL_WORDS else w.group(0).capitalize(), sentence)
    return cased if len(cased) == len(sentence) else sentence


def scene_flags(same_scene: Sequence[Original]) -> list[Claim]:
    """Footage from a registered camera, but not a registered moment."""
    return [Claim(kind=ClaimKind.SCENE, text="", value=o.id, found_in="video",
                  finding=f"same camera or view as {o.id} ({o.source or 'unknown source'}, "
                          f"recorded {o.recorded_at or 'at an unknown date'}), but not the "
                          "registered moment: recycled or misdated footage is possible",
                  status=ClaimStatus.FLAG)
            for o in same_scene]


def kept_places(claims: Sequence[Claim], gazetteer: Gazetteer | None) -> list[Claim]:
    """The claims with the place claims that name no place left out (``_as_placed``), and the
    cities named in passing where another place claim says where the footage was filmed (the
    rest is context), each city named in passing once: the place claims ``check`` checks."""
    places = [placed for c in claims if c.kind is ClaimKind.PLACE
              for placed in [_as_placed(c, gazetteer)] if placed is not None]
    if any(not c.named_in_passing for c in places):
        places = [c for c in places if not c.named_in_passing]
    named: dict[object, Claim] = {}  # a city named twice ("Kyiv factory ... #Kyiv") is one claim
    for c in places:
        named.setdefault((folded(c.value), c.applies_to) if c.named_in_passing else c, c)
    return [c for c in claims if c.kind is not ClaimKind.PLACE] + list(named.values())


def check(claims: Sequence[Claim], matched: Sequence[Original],
          same_view: Sequence[Original] = (), moment_known: bool = True,
          gazetteer: Gazetteer | None = None) -> list[Claim]:
    """Every claim checked against the matched originals, each by its kind. ``same_view``:
    where nothing matched, the originals whose camera the footage shows at another moment (or,
    not ``moment_known``, at a moment the evidence did not establish); its place is theirs,
    its date unknown. Places are compared by name alone without a ``gazetteer``."""
    dates = [c for c in claims if c.kind in (ClaimKind.DATE, ClaimKind.PUBLISHED)]
    places = [c for c in kept_places(claims, gazetteer) if c.kind is ClaimKind.PLACE]
    sources = [c for c in claims if c.kind in (ClaimKind.SOURCE, ClaimKind.UPLOADER)]
    if not matched and same_view:
        checked = [*(_date_unknown(c, same_view, moment_known) for c in dates),
                   *check_places(places, same_view, gazetteer),
                   *_camera_sources(sources, same_view, gazetteer)]
    else:
        checked = [*check_dates(dates, matched), *check_places(places, matched, gazetteer),
                   *check_sources(sources, matched, gazetteer)]
    return [_left_to_the_checker(c) if language.unread(c.language)
            and language.says_more_than_names(c.quote or c.text)
            else _passing_left_to_the_checker(c) if c.named_in_passing else c for c in checked]


_AS_READ_DISAGREES = "as read, it does not agree"


def _left_to_the_checker(claim: Claim) -> Claim:
    """A claim read in a language whose words provenance does not read: what the library says
    is given, the decision left to the checker (in such a text a date may be when the post
    was published, someone's birth, or denied)."""
    if claim.status not in (ClaimStatus.CONSISTENT, ClaimStatus.CONTRADICTED):
        return claim
    said = ("as read, it agrees" if claim.status is ClaimStatus.CONSISTENT
            else _AS_READ_DISAGREES)
    return _checked(claim, ClaimStatus.UNCHECKED, (
        f"read in {language.name(claim.language)}, whose words provenance does not read (what "
        f"the text says of the {claim.kind.value}: filmed, published, born, denied...): check "
        f"by hand; {said}: {claim.finding}"))


def _passing_left_to_the_checker(claim: Claim) -> Claim:
    """A place named in passing that does not agree: what the library says is given, the
    decision left to the checker (the name may be a person's, or the news the footage is
    posted about)."""
    if claim.status is not ClaimStatus.CONTRADICTED:
        return claim
    return _checked(claim, ClaimStatus.UNCHECKED, (
        "named in the caption without words saying the footage was filmed there: check what "
        f"the post says of it; {_AS_READ_DISAGREES}: {claim.finding}"))


def disagrees_as_read(claim: Claim) -> bool:
    """Whether a claim left to the checker (for its language, or a city named in passing) does
    not agree as it was read."""
    return claim.status is ClaimStatus.UNCHECKED and _AS_READ_DISAGREES in claim.finding


def _date_unknown(claim: Claim, same_view: Sequence[Original], moment_known: bool) -> Claim:
    """A date claimed for footage of a registered camera not matched to its registered
    moment: not checkable."""
    ids = ", ".join(o.id for o in same_view)
    moment = ("at another moment than its registered footage" if moment_known else
              "at a moment not established (its registered footage or another)")
    return _checked(claim, ClaimStatus.UNCHECKED, f"the footage is the camera of {ids} "
                    f"{moment}: its date is not known")
