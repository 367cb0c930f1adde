"""Claims around a video, read from what a page, a post or a checker says, checked against the
originals the footage matches.

Dates are read in English and French: "22/10/2015", "2015-10-22", "jeudi 22 octobre 2015",
"October 22, 2015", "22 October 2015", and, given the date the text was published, "3 mars",
"mi-septembre", "yesterday", "la semaine dernière". Day/month order in numeric dates is read day
first, as in most of the world outside the US; a date that is only valid month first is read that
way. A date said to be when a page or post was published, updated or uploaded is a ``published``
claim: not about when the footage was filmed, only an upper bound on it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from .errors import SettingsError
from .models import ARTICLE, Claim, ClaimKind, ClaimStatus, Original, Passage, StatedClaims
from .when import MONTH_PATTERN as _MONTH
from .when import MONTHS, day_range

_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")),
    ("day-month", re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({_MONTH})\.?\s+(\d{{4}})\b",
                             re.I)),
    ("month-day", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
                             re.I)),
]
# Without a year, read only when the date the text was published is known (the latest such day
# not after it).
_NO_YEAR = [
    ("day-month", re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({_MONTH})\b\.?(?!\s+\d)",
                             re.I)),
    ("month-day", re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+\d{{4}})",
                             re.I)),
    # "le 22/10", "on 22/10": only after a word that announces a date ("24/7" is not one)
    ("numeric", re.compile(r"(?:(?<=\ble )|(?<=\bdu )|(?<=\bau )|(?<=\bon )|(?<=\bthe ))"
                           r"(\d{1,2})/(\d{1,2})(?![\d/])", re.I)),
]
# Text longer than this is cut before scanning (metadata is untrusted).
MAX_TEXT_CHARS = 200_000


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _to_date(kind: str, groups: Sequence[str]) -> date | None:
    if kind == "iso":
        return _make_date(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "numeric":
        first, second, year = int(groups[0]), int(groups[1]), int(groups[2])
        return _make_date(year, second, first) or _make_date(year, first, second)
    if kind == "day-month":
        return _make_date(int(groups[2]), MONTHS[groups[1].lower()], int(groups[0]))
    return _make_date(int(groups[2]), MONTHS[groups[0].lower()], int(groups[1]))


def _before(reference: date, month: int, day: int) -> date | None:
    """The latest (month, day) not after ``reference``."""
    for year in (reference.year, reference.year - 1):
        value = _make_date(year, month, day)
        if value is not None and value <= reference:
            return value
    return None


def _no_year(kind: str, groups: Sequence[str], reference: date,
             known: Mapping[tuple[int, int], date]) -> date | None:
    """A day without its year: the same day written with its year elsewhere in the text, else
    the latest such day not after ``reference``."""
    if kind == "day-month":
        month, day = MONTHS[groups[1].lower()], int(groups[0])
    elif kind == "month-day":
        month, day = MONTHS[groups[0].lower()], int(groups[1])
    else:
        month, day = int(groups[1]), int(groups[0])
    return known.get((month, day)) or _before(reference, month, day)


# Vague dates: "mi-septembre", "mid-September 2015", "début octobre", "late October": parts of
# a month as (first day, last day); the year, when missing, is taken from a full date in the
# same text, else from the date the text was published.
_PARTS = {"mi": (11, 20), "mid": (11, 20), "début": (1, 10), "debut": (1, 10), "early": (1, 10),
          "fin": (21, 31), "late": (21, 31)}
_VAGUE = re.compile(rf"\b({'|'.join(_PARTS)})[- ]({_MONTH})\b\.?(?:\s+(\d{{4}}))?\b", re.I)


def _month_part(year: int, month: int, first: int, last: int) -> tuple[date, date]:
    end = 31
    while _make_date(year, month, end) is None:
        end -= 1
    return date(year, month, first), date(year, month, min(last, end))


_MONTH_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{4}})\b", re.I)


def find_periods(text: str, reference: date | None = None) -> list[tuple[date, date, str]]:
    """Vague dates in ``text`` as (first day, last day, text read): parts of a month
    ("mi-septembre") and whole months ("in November 2019")."""
    text = text[:MAX_TEXT_CHARS]
    full = find_dates(text)
    taken = [(at, at + len(span)) for at, _, span in _dates_at(text, None)]
    taken += [(m.start(), m.end()) for m in _VAGUE.finditer(text)]
    found = []
    for match in _MONTH_YEAR.finditer(text):
        if not any(a < match.end() and match.start() < b for a, b in taken):
            first, last = _month_part(int(match.group(2)), MONTHS[match.group(1).lower()], 1, 31)
            found.append((first, last, match.group(0)))
    for match in _VAGUE.finditer(text):
        part, month, year = match.group(1).lower(), MONTHS[match.group(2).lower()], match.group(3)
        if year:
            first, last = _month_part(int(year), month, *_PARTS[part])
        elif full:
            first, last = _month_part(full[0][0].year, month, *_PARTS[part])
        elif reference:
            first, last = _month_part(reference.year, month, *_PARTS[part])
            if first > reference:
                first, last = _month_part(reference.year - 1, month, *_PARTS[part])
        else:
            continue
        found.append((first, last, match.group(0)))
    return found


def find_dates(text: str, reference: date | None = None) -> list[tuple[date, str]]:
    """Dates written in ``text`` with the exact text they were read from, in order of appearance.
    With ``reference`` (when the text was published), dates without a year too."""
    return [(value, span) for _, value, span in _dates_at(text, reference)]


def _dates_at(text: str, reference: date | None,
              known: Mapping[tuple[int, int], date] | None = None
              ) -> list[tuple[int, date, str]]:
    text = text[:MAX_TEXT_CHARS]
    found: list[tuple[int, date, str]] = []
    taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in _VAGUE.finditer(text)]
    patterns = [(kind, pattern, True) for kind, pattern in _PATTERNS]
    if reference is not None:
        patterns += [(kind, pattern, False) for kind, pattern in _NO_YEAR]
    for kind, pattern, with_year in patterns:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            value = (_to_date(kind, match.groups()) if with_year or reference is None
                     else _no_year(kind, match.groups(), reference, known or {}))
            if value is not None:
                taken.append((match.start(), match.end()))
                found.append((match.start(), value, match.group(0)))
    return sorted(found, key=lambda f: f[0])


# Days relative to when the text was published: (pattern, first and last day offsets).
_RELATIVE = [
    (re.compile(r"\b(yesterday|hier|last night|hier soir|la nuit dernière)\b", re.I), (-1, -1)),
    (re.compile(r"\b(today|tonight|this (?:morning|afternoon|evening)|aujourd'hui|"
                r"ce (?:matin|soir)|cet après-midi)\b", re.I), (0, 0)),
    (re.compile(r"\b(cette nuit)\b", re.I), (-1, 0)),  # said in the morning: the night before
    (re.compile(r"\b(last week|la semaine dernière|la semaine passée)\b", re.I), (-13, -1)),
    (re.compile(r"\b(earlier this week|cette semaine|this week)\b", re.I), (-6, 0)),
]
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3,
             "vendredi": 4, "samedi": 5, "dimanche": 6}
# "on Tuesday", "Tuesday's protest", "mardi soir", "lundi dernier": the latest such day.
_WEEKDAY = re.compile(rf"\b(?:on |last |this |ce )?({'|'.join(_WEEKDAYS)})(?:'s| night| evening| "
                      r"morning| soir| matin| dernier| après-midi)?\b", re.I)
_WEEKEND = re.compile(r"\b(?:this|last) weekend\b|\b(?:ce|le) week-?end(?: dernier)?\b", re.I)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
            "huit": 8, "neuf": 9, "dix": 10}
_COUNT = rf"(\d{{1,2}}|{'|'.join(_NUMBERS)})"
_DAYS_AGO = re.compile(rf"\b(?:{_COUNT} days ago|il y a {_COUNT} jours)\b", re.I)


def find_relative(text: str, reference: date) -> list[tuple[date, date, str]]:
    """Days said relative to ``reference`` ("yesterday", "il y a 3 jours") as ranges."""
    found = []
    for pattern, (start, end) in _RELATIVE:
        for match in pattern.finditer(text[:MAX_TEXT_CHARS]):
            found.append((reference + timedelta(start), reference + timedelta(end),
                          match.group(0)))
    for match in _WEEKEND.finditer(text[:MAX_TEXT_CHARS]):
        saturday = reference - timedelta((reference.weekday() - 5) % 7)
        found.append((saturday, saturday + timedelta(1), match.group(0)))
    for match in _WEEKDAY.finditer(text[:MAX_TEXT_CHARS]):
        back = (reference.weekday() - _WEEKDAYS[match.group(1).lower()]) % 7
        day = reference - timedelta(back)
        found.append((day, day, match.group(0)))
    for match in _DAYS_AGO.finditer(text[:MAX_TEXT_CHARS]):
        count = (match.group(1) or match.group(2)).lower()
        day = reference - timedelta(int(count) if count.isdigit() else _NUMBERS[count])
        found.append((day, day, match.group(0)))
    return found


def date_claims(texts: Iterable[tuple[str, str]], reference: date | None = None) -> list[Claim]:
    """Claimed dates of the events from (where, text) pairs. A vague date's value is a range,
    'FIRST/LAST'."""
    return [claim for where, text in texts
            for claim in read_claims([Passage(text or "", where)], reference)
            if claim.kind is ClaimKind.DATE]


# Words that say a date is when something went online, not when it was filmed; and words that
# say it is when the events happened. The nearest such word before a date decides.
_PUBLISHED_CUE = re.compile(
    r"\b(publi\w*|posted|uploaded|updated|mis en ligne|mise à jour|mis à jour|modifié\w*|"
    r"last modified|shared|partag\w*|circulat\w*|circul\w*|viewed|went viral|vue?s?|"
    r"first (?:published|posted|shared))\b", re.I)
_EVENT_CUE = re.compile(
    r"\b(film\w*|tourn\w*|record\w*|enregistr\w*|shot|captur\w*|took place|happened|"
    r"survenu\w*|datent|date from|dating from|show\w*|montr\w*|during|pendant|lors|"
    r"occurred|incident|night of|soir du|nuit du|footage|images?)\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"“'])|\n+")
# How far before a date (characters, same sentence) a cue word is looked for.
CUE_WINDOW = 80
_PUBLICATION_PLACES = ("byline", "page metadata", "upload metadata (upload_date)")


def _kind_of(sentence: str, at: int, span: str, where: str) -> ClaimKind:
    if where in _PUBLICATION_PLACES:
        return ClaimKind.PUBLISHED
    before = sentence[max(0, at - CUE_WINDOW):at]
    cues = [(m.end(), ClaimKind.PUBLISHED) for m in _PUBLISHED_CUE.finditer(before)]
    cues += [(m.end(), ClaimKind.DATE) for m in _EVENT_CUE.finditer(before)]
    if cues:
        return max(cues)[1]
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
    filmed; with one video, the whole page is about it."""
    passages, cut = _within_budget(list(passages))
    known = {(day.month, day.day): day for p in passages for day, _ in find_dates(p.text)}
    claims: list[Claim] = []
    for passage in passages:
        # "tonight" in a caption that also gives the date is that date, not a second claim
        relative = reference if not find_dates(passage.text, reference) else None
        for sentence in sentences(passage.text):
            if several_videos and passage.found_in in _PAGE_WIDE and not _FOOTAGE.search(
                    sentence):
                continue
            claims += _sentence_dates(sentence, passage, reference, known, relative)
            claims += [_bound(c, passage, sentence) for c in
                       source_claims([(passage.found_in, sentence)])
                       + place_claims([(passage.found_in, sentence)])]
    if cut:
        claims.append(Claim(kind=ClaimKind.NOTE, text="", value="", found_in="page",
                            finding=f"only the first {MAX_TEXT_CHARS:,} characters of text "
                                    f"about this video were read for claims ({cut} passage(s) "
                                    "left out)", status=ClaimStatus.FLAG))
    return claims


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
    return Claim(kind=claim.kind, text=claim.text, value=claim.value, found_in=claim.found_in,
                 applies_to=passage.applies_to, quote=sentence[:300])


def _sentence_dates(sentence: str, passage: Passage, reference: date | None,
                    known: Mapping[tuple[int, int], date], relative: date | None
                    ) -> list[Claim]:
    found: list[tuple[int, str, str]] = [
        (at, value.isoformat(), span)
        for at, value, span in _dates_at(sentence, reference, known=known)]
    found += [(sentence.find(span), _range(first, last), span)
              for first, last, span in find_periods(sentence, reference)]
    if relative is not None and not found:
        found += [(sentence.find(span), _range(first, last), span)
                  for first, last, span in find_relative(sentence, relative)]
    return [Claim(kind=_kind_of(sentence, at, span, passage.found_in), text=span, value=value,
                  found_in=passage.found_in, applies_to=passage.applies_to,
                  quote=sentence[:300]) for at, value, span in sorted(found)]


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
        found = day_range(stated.date) if re.fullmatch(r"[\d/T:+\-Z. ]+", stated.date) else None
        if found is not None:
            value = found[0].isoformat() if found[0] == found[1] else \
                f"{found[0].isoformat()}/{found[1].isoformat()}"
            claims.append(Claim(kind=ClaimKind.DATE, text=stated.date, value=value,
                                found_in=STATED, quote=stated.date))
        else:
            read = [c for c in read_claims([Passage(stated.date, STATED)])
                    if c.kind is ClaimKind.DATE]
            if not read:
                raise SettingsError(f"claimed date {stated.date[:80]!r} is not a date",
                                    "write it as YYYY-MM-DD, e.g. 2015-10-22")
            claims += read
    if stated.place.strip():
        claims.append(Claim(kind=ClaimKind.PLACE, text=stated.place, value=stated.place.strip(),
                            found_in=STATED, quote=stated.place))
    if stated.source.strip():
        claims.append(Claim(kind=ClaimKind.SOURCE, text=stated.source,
                            value=stated.source.strip(), found_in=STATED, quote=stated.source))
    if stated.caption:
        claims += read_claims([Passage(stated.caption, f"{STATED} (caption)")])
    return [_applying(c, applies_to) for c in claims]


def _applying(claim: Claim, applies_to: int | str) -> Claim:
    return Claim(kind=claim.kind, text=claim.text, value=claim.value, found_in=claim.found_in,
                 applies_to=applies_to, quote=claim.quote)


def _checked(claim: Claim, status: ClaimStatus, finding: str) -> Claim:
    return Claim(kind=claim.kind, text=claim.text, value=claim.value, found_in=claim.found_in,
                 finding=finding, status=status, applies_to=claim.applies_to, quote=claim.quote)


def check_dates(claims: Sequence[Claim], originals: Sequence[Original]) -> list[Claim]:
    """Compare each claimed date with when the matched originals were recorded: an event date
    must overlap the recording; a publication date can only be after it."""
    return [_check_published(c, originals) if c.kind is ClaimKind.PUBLISHED
            else _check_event(c, originals) for c in claims]


def _claimed_range(claim: Claim) -> tuple[date, date]:
    first, _, last = claim.value.partition("/")
    return date.fromisoformat(first), date.fromisoformat(last or first)


def _check_event(claim: Claim, originals: Sequence[Original]) -> Claim:
    start, end = _claimed_range(claim)
    said = claim.value.replace("/", " to ")
    findings = []
    status = ClaimStatus.UNCHECKED
    for original in originals:
        recorded = recorded_range(original)
        if recorded is None:
            continue
        first, last = recorded
        if last < start or first > end:
            days, side = ((start - last).days, "before") if last < start else (
                (first - end).days, "after")
            findings.append(f"footage of {original.id} was recorded {_when(original)}, "
                            f"{days} day(s) {side} the claimed {said}")
            status = ClaimStatus.CONTRADICTED
        elif status is not ClaimStatus.CONTRADICTED:
            findings.append(f"consistent with {original.id} recorded {_when(original)}")
            status = ClaimStatus.CONSISTENT
    return _checked(claim, status, "; ".join(findings))


def _check_published(claim: Claim, originals: Sequence[Original]) -> Claim:
    """Footage cannot be recorded after it was published: only that is checked."""
    published = date.fromisoformat(claim.value.partition("/")[0])
    known = [(o, r) for o in originals if (r := recorded_range(o)) is not None]
    if not known:
        return _checked(claim, ClaimStatus.UNCHECKED, "")
    later = [o for o, (first, _) in known if first > published]
    if later:
        return _checked(claim, ClaimStatus.CONTRADICTED, "; ".join(
            f"published {published.isoformat()}, before the footage of {o.id} was recorded "
            f"({_when(o)})" for o in later))
    return _checked(claim, ClaimStatus.CONSISTENT,
                    f"published after the footage was recorded ({_span(known)}); a publication "
                    "date is not a claim about when it was filmed, only an upper bound")


def _span(known: Sequence[tuple[Original, tuple[date, date]]]) -> str:
    first = min(r[0] for _, r in known).isoformat()
    last = max(r[1] for _, r in known).isoformat()
    return first if first == last else f"{first} to {last}"


def _when(original: Original) -> str:
    return f"on {original.recorded_at}" if "/" not in original.recorded_at else (
        f"between {original.recorded_at.replace('/', ' and ')}")


# "filmed by X", "source: X", "filmé par « X »": who made the footage. "posted by X",
# "partagé par X": who put it online (an uploader, not a claim about who filmed it).
_NAME = r"[«\"“']?\s*([^\n.,;:!?«»\"“”()\[\]<>]{2,60}?)\s*(?:[»\"”]|'(?!s\b)|[.,;:!?()\n]|$)"
# Up to this many characters ("on 2 June 2016") may stand between "filmed" and "by".
_BETWEEN = r"\b(?:(?!\b(?:and|et|but|mais|then|puis)\b)[^.;:!?\n]){0,40}?\s"
_MADE_BY = [
    re.compile(r"\b(?:filmed|shot|recorded|captured)" + _BETWEEN + r"by\s+" + _NAME, re.I),
    re.compile(r"\b(?:credited to|courtesy of|provided by|supplied by)\s+" + _NAME, re.I),
    re.compile(r"\b(?:fournie?s?|transmise?s?|communiquée?s?)\s+par\s+" + _NAME, re.I),
    # "Video: TCL Lyon", "Crédit : SDIS 33": a credit line names someone (a capital letter, a
    # digit or a handle), unlike "Tram crash video: what we know"
    re.compile(r"\b(?:source|credit|crédits?|footage|video|vidéo|images?)\s*:\s*(?=[«\"“']?\s*"
               r"(?-i:[A-ZÀ-Ý0-9@]))" + _NAME, re.I),
    re.compile(r"\b(?:filmée?s?|tournée?s?|enregistrée?s?)" + _BETWEEN + r"par\s+" + _NAME,
               re.I),
]
_POSTED_BY = [
    re.compile(r"\b(?:posted|shared|uploaded|published)\s+by\s+" + _NAME, re.I),
    re.compile(r"\b(?:publiée?s?|partagée?s?|diffusée?s?|mise?s? en ligne)\s+par\s+" + _NAME,
               re.I),
]
# A name ends before words that start a clause: "@LyonNewsNow and has been viewed 2 million times".
_NAME_END = re.compile(r"\s+(?:and|et|who|qui|which|que|has|have|had|a|ont|on|le|la|les|in|at|"
                       r"à|au|with|avec|via|from|depuis|sur|this|ce|cette|last|yesterday|hier|"
                       r"shows?|showed|says|said|claims?|montre|explique|affirme)\b.*$", re.I)
_ARTICLE_START = re.compile(r"^(?:the|le|la|les|l['’])\s*", re.I)


def _name(raw: str) -> str:
    name = _NAME_END.sub("", " ".join(raw.split())).strip(" -'’")
    return _ARTICLE_START.sub("", name) if len(name.split()) > 1 else name


# A caption ending with its credit in brackets: "... near Landiras. (SDIS 33)", "(Video: AFP)".
_BRACKET_CREDIT = re.compile(r"\((?:\s*(?:video|vidéo|photo|images?|source|crédits?|credit)\s*:?)?"
                             r"\s*((?-i:[A-ZÀ-Ý0-9@])[^()\n]{1,60}?)\s*\)\s*\.?\s*$", re.I)


def source_claims(texts: Iterable[tuple[str, str]]) -> list[Claim]:
    """Who the text says made the footage ("filmed by ...") and who posted it ("partagé par")."""
    claims = []
    for where, text in texts:
        credit = _BRACKET_CREDIT.search(text or "") if where in _CAPTIONS else None
        if credit:
            claims.append(Claim(kind=ClaimKind.SOURCE, text=credit.group(0).strip(),
                                value=_name(credit.group(1)), found_in=where))
        for kind, patterns in ((ClaimKind.SOURCE, _MADE_BY), (ClaimKind.UPLOADER, _POSTED_BY)):
            for pattern in patterns:
                for match in pattern.finditer((text or "")[:MAX_TEXT_CHARS]):
                    name = _name(match.group(1))
                    if len(name) >= 2:
                        claims.append(Claim(kind=kind, text=match.group(0).strip(), value=name,
                                            found_in=where))
    return claims


def _tokens(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return {t for t in re.findall(r"\w+", plain) if len(t) >= 3}


def _credits(name: str, original: Original) -> bool:
    return bool(_tokens(name) & _tokens(original.source))


def check_sources(claims: Sequence[Claim], originals: Sequence[Original]) -> list[Claim]:
    """Compare claimed sources with the matched originals' source (a wrong one is contradicted),
    and uploaders (a repost by someone else is a flag, not a false claim); flag a repost that
    names no source at all."""
    with_source = [o for o in originals if o.source]
    checked = []
    for claim in claims:
        credited = [o for o in with_source if _credits(claim.value, o)]
        if credited:
            checked.append(_checked(claim, ClaimStatus.CONSISTENT,
                                    f"credits the source of {', '.join(o.id for o in credited)}"))
        elif not with_source:
            checked.append(_checked(claim, ClaimStatus.UNCHECKED, ""))
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


def _owners(originals: Sequence[Original]) -> str:
    return " and ".join(dict.fromkeys(o.source for o in originals))


# "filmed in Calais", "tournée à Lyon": a place, read only in a sentence about the footage.
_PLACE = re.compile(r"\b(?:in|at|near|over|à|au|aux|près de|sur|outside)\s+"
                    r"(?:the\s+|la\s+|le\s+|l['’])?"
                    r"((?:[A-ZÉÈÀ][\w'’-]+)"
                    r"(?:[ -](?:de|du|des|la|le|sur|l['’][A-ZÉÈÀ][\w-]+|[A-ZÉÈÀ][\w'’-]+))*)")
_NOT_PLACES = {m.capitalize() for m in MONTHS} | {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Lundi",
    "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche", "The", "This", "Le", "La",
    "Les", "Un", "Une", "A", "An", "By", "Par", "Published", "Publié", "Updated", "Facebook",
    "Twitter", "X", "Instagram", "TikTok", "YouTube", "Telegram", "WhatsApp", "Snapchat",
    "Internet", "Reddit", "Vimeo", "Dailymotion"}


# Short texts that are about the footage itself: a place they name is where it was filmed.
_CAPTIONS = ("figcaption", "embed title", "upload metadata (title)",
             "upload metadata (description)", "command line (caption)")


# A dateline: a place, then a date ("Landiras, 10/08/2022 : ...", "PARIS, June 2 -").
_DATELINE = re.compile(r"^((?:[A-ZÀ-Ý][\w'’-]+)(?:[ -][A-ZÀ-Ý][\w'’-]+){0,3})\s*[,—–-]\s*")


def place_claims(texts: Iterable[tuple[str, str]]) -> list[Claim]:
    """Places the text says the footage was filmed in: in a caption, any place it names; in
    running text, places in a sentence about the footage ("filmed in Calais"); a dateline."""
    claims = []
    for where, text in texts:
        for sentence in sentences(text or ""):
            dateline = _DATELINE.match(sentence) if where != "byline" else None
            if dateline and dateline.group(1).split()[0] not in _NOT_PLACES and any(
                    at == dateline.end() for at, _, _ in _dates_at(sentence, date.max)):
                claims.append(Claim(kind=ClaimKind.PLACE, text=dateline.group(0).strip(),
                                    value=dateline.group(1).title() if dateline.group(
                                        1).isupper() else dateline.group(1), found_in=where))
            if where not in _CAPTIONS and not _EVENT_CUE.search(sentence) and not any(
                    c.kind is ClaimKind.DATE for c in _sentence_dates(
                        sentence, Passage(sentence, where), None, {}, None)):
                continue
            for match in _PLACE.finditer(sentence):
                name = re.sub(r"(?:[ -](?:de|du|des|la|le|sur))+$", "", match.group(1))
                if name.split()[0] not in _NOT_PLACES:
                    claims.append(Claim(kind=ClaimKind.PLACE, text=match.group(0), value=name,
                                        found_in=where))
    return claims


# A claimed place given as coordinates is consistent within this distance of the original's.
# Wide enough for a city and its suburbs (Calais to Coquelles is 5 km), narrow enough to tell
# neighbouring cities apart (Calais to Dunkerque is 40 km).
PLACE_RADIUS_KM = 25.0


def check_places(claims: Sequence[Claim], originals: Sequence[Original]) -> list[Claim]:
    """Compare claimed places with the originals' recorded location: consistent when the claim
    names one of its parts ("Coquelles, Calais, France") or lies within PLACE_RADIUS_KM of its
    coordinates, contradicted otherwise, unchecked when no location is recorded."""
    located = [o for o in originals if o.location or o.latitude is not None]
    checked = []
    for claim in claims:
        if not located:
            checked.append(_checked(claim, ClaimStatus.UNCHECKED, ""))
            continue
        near = [o for o in located if _same_place(claim.value, o)]
        if near:
            checked.append(_checked(claim, ClaimStatus.CONSISTENT, "consistent with "
                                    + "; ".join(f"{o.id} filmed at {_where(o)}" for o in near)))
        else:
            checked.append(_checked(claim, ClaimStatus.CONTRADICTED, "; ".join(
                f"footage of {o.id} was filmed at {_where(o)}, not {claim.value}"
                for o in located)))
    return checked


def _where(original: Original) -> str:
    if original.location:
        return original.location
    return f"{original.latitude:.4f}, {original.longitude:.4f}"


def _same_place(value: str, original: Original) -> bool:
    point = re.fullmatch(r"\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*", value)
    if point and original.latitude is not None and original.longitude is not None:
        return _km(float(point.group(1)), float(point.group(2)), original.latitude,
                   original.longitude) <= PLACE_RADIUS_KM
    parts = [_tokens(p) for p in re.split(r"[,;/]", original.location)]
    return any(part and part <= _tokens(value) or _tokens(value) and _tokens(value) <= part
               for part in parts)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from math import asin, cos, radians, sin, sqrt

    a = sin(radians(lat2 - lat1) / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(
        radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(a))


def scene_flags(same_scene: Sequence[Original]) -> list[Claim]:
    """Footage from a registered camera, but not a registered moment."""
    return [Claim(kind=ClaimKind.SCENE, text="", value=o.id, found_in="video",
                  finding=f"same camera or view as {o.id} ({o.source or 'unknown source'}, "
                          f"recorded {o.recorded_at or 'at an unknown date'}), but not the "
                          "registered moment: recycled or misdated footage is possible",
                  status=ClaimStatus.FLAG)
            for o in same_scene]


def check(claims: Sequence[Claim], matched: Sequence[Original]) -> list[Claim]:
    """Every claim checked against the matched originals, each by its kind."""
    dates = [c for c in claims if c.kind in (ClaimKind.DATE, ClaimKind.PUBLISHED)]
    places = [c for c in claims if c.kind is ClaimKind.PLACE]
    sources = [c for c in claims if c.kind in (ClaimKind.SOURCE, ClaimKind.UPLOADER)]
    return [*check_dates(dates, matched), *check_places(places, matched),
            *check_sources(sources, matched)]
