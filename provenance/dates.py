"""Dates, in English and French: read strictly from an original's metadata, and leniently from
what a page or post says.

Metadata (``recorded_at``, ``published_at``): an ISO date (``2015-09-16``), an ISO datetime
(``2015-09-16T02:13:00Z``), a range ``FIRST/LAST`` of those, and forms that cannot be misread
(``16/09/2015``, ``10/22/2015``, ``16.09.2015``, ``16 September 2015``, ``16 septembre 2015``,
``September 16, 2015``), normalised to ISO; anything else is refused, so a date check never
silently disappears because a date could not be read.

Text: "22/10/2015", "2015-10-22", "jeudi 22 octobre 2015", "October 22, 2015", "Oct. 22, 2015",
"22 October 2015", spans of days ("du 14 au 16 septembre 2015"); given the date the text was
published, "3 mars", "mi-septembre", "in November 2019", "yesterday", "mardi soir", "la semaine
dernière", "three days ago". Day/month order in numeric dates is read day first, as in most of
the world outside the US; a date that is only valid month first is read that way. Chosen over
dateparser by measurement (benchmarks/claims.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import SettingsError

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # abbreviations, read with or without their full stop ("Oct. 22", "22 sept.")
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12, "janv": 1, "févr": 2, "fevr": 2, "avr": 4, "juil": 7,
    "déc": 12,
}
# Month names of ten other languages, so that a date in one is read as the date it is (a claim
# read in a language whose words are not read is left to the checker, language.py; a caption
# too short to tell its language is read as written). Genitive forms where a day comes first
# (Polish, Russian, Ukrainian). Not Arabic: its numerals and names are not read.
_OTHER_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "januari februari maart april mei juni juli augustus september oktober november december",
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık")
# The English and French names alone are read where a month comes first or has no day
# ("Mayo 2015" is a surname and a year, "Simon Mayo 2015 interview": an audit of this change).
EN_FR_MONTHS = dict(MONTHS)
MONTHS |= {name: number for names in _OTHER_MONTHS
           for number, name in enumerate(names.split(), start=1) if name not in MONTHS}
MONTHS |= {"setiembre": 9, "jänner": 1}


def _names(names: Iterable[str]) -> str:
    """A regex alternation of names, longest first, tried only where a letter stands (not
    where a digit does: 2x faster on numbers)."""
    return "(?=[^\\W\\d_])(?:" + "|".join(sorted(names, key=len, reverse=True)) + ")"


_MONTH = _names(MONTHS)
_EN_FR_MONTH = _names(EN_FR_MONTHS)
# "de" before a year ("16 de septiembre de 2015"), only before a year of ours ("en septembre de
# 1500 à 2000 intrusions")
_DE_YEAR = r"(?:de\s+(?=(?:19|20)\d{2}))?"
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({_MONTH})\.?\s+(\d{{4}})$", re.I)
_MONTH_DAY = re.compile(rf"^({_EN_FR_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", re.I)
# Longest metadata date accepted (a range of two ISO datetimes with offsets is ~51 characters).
MAX_DATE_CHARS = 80
_FORMS = ("YYYY-MM-DD, an ISO datetime, a year (YYYY) or month (YYYY-MM), FIRST/LAST, or a "
          "day-first date such as 16/09/2015")


@dataclass(frozen=True)
class Moment:
    """One end of a metadata date: its calendar day as written (a datetime's day in its own
    UTC offset), and, when it was written with a time and a UTC offset, the instant it names
    (aware); ``instant`` is None for a plain date or a datetime without an offset, whose zone
    is unknown."""

    day: date
    instant: datetime | None = None


def _ends(text: str) -> tuple[tuple[str, date], tuple[str, date]]:
    """The first and last (ISO text, day) of a date, a datetime, or a year or month written
    alone ("2015", "2015-09": where a library knows no more, or a checker was told no more)."""
    reduced = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text.strip())
    if reduced is None:
        one = _one(text)
        return one, one
    year, month = int(reduced.group(1)), reduced.group(2)
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError("no such month")
    first, last = (_month_part(year, int(month), 1, 31) if month
                   else (date(year, 1, 1), date(year, 12, 31)))
    return (first.isoformat(), first), (last.isoformat(), last)


def _one(text: str) -> tuple[str, date]:
    """(ISO text, day) of one date or datetime; ValueError with the reason otherwise."""
    iso, moment = _moment(text)
    return iso, moment.day


# A zone written after a space or as a name: "2015-09-16 23:30:00 +02:00", "... 23:30 UTC".
# After a time of day only: "2015-10-22 GMT" is a day (it was refused).
_SPACED_ZONE = re.compile(r"(?<=:\d\d)\s*(?:(Z|UTC|GMT)|\s([+-]\d{2}:?\d{2}))$", re.I)


# A UTC offset ending a date-time: "+25:00", "-0430".
_UTC_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)$")


def _check_offset(text: str) -> None:
    """ValueError, in words, for a UTC offset no clock has: 24 hours or more, or 60 minutes
    or more (Python refuses the first in timedelta terms, and reads "+02:75" as +03:15)."""
    offset = _UTC_OFFSET.search(text)
    if offset and (int(offset[2]) >= 24 or int(offset[3]) >= 60):
        raise ValueError(f"{offset[0]} is not a UTC offset (offsets run from -23:59 to "
                         f"+23:59)")


def _moment(text: str) -> tuple[str, Moment]:
    text = _SPACED_ZONE.sub(lambda m: "+00:00" if m[1] else m[2], text.strip())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return day.isoformat(), Moment(day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
                    text):
        _check_offset(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
        return moment.isoformat(), Moment(moment.date(),
                                          moment if moment.tzinfo is not None else None)
    numeric = _NUMERIC.match(text)
    if numeric:
        day_n, month_n, year = (int(g) for g in numeric.groups())
        if day_n <= 12 and month_n <= 12 and day_n != month_n:
            raise ValueError("ambiguous, day and month could be swapped")
        if month_n > 12 >= day_n:  # only valid month first: "10/22/2015"
            day_n, month_n = month_n, day_n
        day = date(year, month_n, day_n)
        return day.isoformat(), Moment(day)
    words = _DAY_MONTH.match(text)
    if words:
        day = date(int(words.group(3)), MONTHS[words.group(2).lower()], int(words.group(1)))
        return day.isoformat(), Moment(day)
    words = _MONTH_DAY.match(text)
    if words:
        day = date(int(words.group(3)), MONTHS[words.group(1).lower()], int(words.group(2)))
        return day.isoformat(), Moment(day)
    raise ValueError("not a date")


def normalise(value: str, name: str = "date") -> str:
    """``value`` as ISO text ('' stays ''); SettingsError (exit 2) naming ``name`` otherwise."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        if len(text) > MAX_DATE_CHARS:
            raise ValueError("too long for a date")
        try:
            first, last = _ends(text)
        except ValueError:
            if text.count("/") != 1 or _NUMERIC.match(text):
                raise
            head, tail = text.split("/")
            first, last = _ends(head)[0], _ends(tail)[1]
        if last[1] < first[1]:
            raise ValueError("the range ends before it starts")
        return first[0] if first == last else f"{first[0]}/{last[0]}"
    except ValueError as exc:
        raise SettingsError(f"{name} {text[:MAX_DATE_CHARS]!r}: {exc}",
                            f"write it as {_FORMS}") from None


def readable(value: str) -> str:
    """A metadata date as a reader reads it: an ISO day as it is, a time without its "T" (and
    its seconds where they are zero) with its UTC offset, a range's ends joined by "to"
    ("2019-03-02 10:00 UTC", "2015-09-11 to 2015-09-20"); a value that is not one, as it is."""
    try:
        parts = [part for part in normalise(value).split("/") if part]
    except SettingsError:
        return value
    return " to ".join(_readable_moment(part) for part in parts)


def _readable_moment(iso: str) -> str:
    if "T" not in iso:
        return iso
    moment = datetime.fromisoformat(iso)
    clock = f"{moment:%H:%M}" if not (moment.second or moment.microsecond) else f"{moment:%H:%M:%S}"
    offset = moment.utcoffset()
    zone = "" if offset is None else " UTC" if not offset else f" UTC{iso[-6:]}"
    return f"{moment:%Y-%m-%d} {clock}{zone}"


def day_range(value: str) -> tuple[date, date] | None:
    """The (first, last) day of a normalised metadata date, or None when there is none or it was
    stored before dates were checked and cannot be read."""
    found = moments(value)
    return None if found is None else (found[0].day, found[1].day)


def moments(value: str) -> tuple[Moment, Moment] | None:
    """The (first, last) ``Moment`` of a metadata date, each with its instant where it was
    written with one, or None (``day_range``)."""
    try:
        parts = [_moment(part)[1] for part in normalise(value).split("/") if part]
    except (SettingsError, ValueError):
        return None
    if not parts:
        return None
    return min(parts, key=lambda m: m.day), max(parts, key=lambda m: m.day)


# Numbers that are a score, not a date: "on 9/10 attempts", "le 8/10 des votes".
_NOT_A_SCORE = (r"(?!\s+(?:attempts?|tries|shots?|times|votes?|points?|goals?|marks?|"
                r"questions?|tentatives?|essais?|fois|buts?|des\b))")
# A day, a month and a two-digit year with slashes (claims reads it only after a filming word).
_TWO_DIGIT_YEAR = r"(\d{1,2})/(\d{1,2})/(\d{2})"
TWO_DIGIT_YEAR = re.compile(_TWO_DIGIT_YEAR)
_PATTERNS = [
    # also a date-time's day ("2015-09-16T23:50:00+02:00") and year first with slashes
    ("iso", re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\b|(?=T\d))")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")),
    # a two-digit year, day first, with slashes: "22/10/15" (not with dots: "23.05.12" is a
    # time, "03.21.12.10.15" a telephone number; not followed by more numbers: "1/2/15/3")
    ("numeric", re.compile(rf"\b{_TWO_DIGIT_YEAR}\b(?![/.-]\d)" + _NOT_A_SCORE, re.I)),
    # "16 de septiembre de 2015", "16. September 2015", "16 сентября 2015"
    ("day-month", re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?({_MONTH})\.?"
                             rf"\s+{_DE_YEAR}(\d{{4}})\b", re.I)),
    ("month-day", re.compile(rf"\b({_EN_FR_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
                             r"(\d{4})\b", re.I)),
]
# Without a year, read only when the date the text was published is known (the latest such day
# not after it).
_NO_YEAR = [
    ("day-month", re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th|\.)?\s+(?:de\s+)?({_MONTH})\b\.?"
                             r"(?!\s+(?:de\s+)?\d)", re.I)),
    ("month-day", re.compile(rf"\b({_EN_FR_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"
                             r"(?!,?\s+\d{4})", re.I)),
    # "le 22/10", "on 22/10": only after a word that announces a date ("24/7" is not one)
    ("numeric", re.compile(r"(?:(?<=\ble )|(?<=\bdu )|(?<=\bau )|(?<=\bon )|(?<=\bthe ))"
                           r"(\d{1,2})/(\d{1,2})(?![\d/])" + _NOT_A_SCORE, re.I)),
]
# Text longer than this is cut before scanning (metadata is untrusted).
MAX_TEXT_CHARS = 200_000


class _Taken:
    """The characters of a text already read as part of a date: each date is checked against
    them in its own length, not against every date before it (a caption of 10,000 dates took
    78 s a verify so)."""

    def __init__(self, text: str, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._marks = bytearray(len(text))
        for start, end in spans:
            self.add(start, end)

    def overlaps(self, start: int, end: int) -> bool:
        return any(self._marks[start:end])

    def add(self, start: int, end: int) -> None:
        self._marks[start:end] = b"\x01" * (end - start)


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _to_date(kind: str, groups: Sequence[str]) -> date | None:
    if kind == "iso":
        return _make_date(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "numeric":
        first, second, year = int(groups[0]), int(groups[1]), _full_year(groups[2])
        return _make_date(year, second, first) or _make_date(year, first, second)
    if kind == "day-month":
        return _make_date(int(groups[2]), MONTHS[groups[1].lower()], int(groups[0]))
    return _make_date(int(groups[2]), MONTHS[groups[0].lower()], int(groups[1]))


def _full_year(year: str) -> int:
    """A year as written, a two-digit one as the latest such year not after this one ("15":
    2015, "99": 1999)."""
    if len(year) != 2:
        return int(year)
    this_year = date.today().year
    return this_year - (this_year - int(year)) % 100


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
          "fin": (21, 31), "late": (21, 31),
          # German, Dutch, Spanish, Italian and Portuguese ("Ende September", "eind september",
          # "mediados de septiembre": read as the whole month, they confirmed another part);
          # not their words that are English ones too ("the fine October weather": begin,
          # half, fine, final, fines)
          "anfang": (1, 10), "mitte": (11, 20), "ende": (21, 31), "medio": (11, 20),
          "eind": (21, 31), "principios": (1, 10), "mediados": (11, 20), "finales": (21, 31),
          "inizio": (1, 10), "metà": (11, 20), "início": (1, 10), "inicio": (1, 10),
          "meados": (11, 20), "finais": (21, 31), "fim": (21, 31)}
_VAGUE = re.compile(rf"\b({'|'.join(_PARTS)})[- ](?:d[ei]\s+)?({_MONTH})\b\.?"
                    rf"(?:\s+{_DE_YEAR}(\d{{4}}))?\b", re.I)


def _month_part(year: int, month: int, first: int, last: int) -> tuple[date, date]:
    end = 31
    while _make_date(year, month, end) is None:
        end -= 1
    return date(year, month, first), date(year, month, min(last, end))


_MONTH_YEAR = re.compile(rf"\b({_EN_FR_MONTH})\.?\s+(\d{{4}})\b", re.I)

# Spans of days: "du 14 au 16 septembre 2015", "between 14 and 16 September", "14-16 Sept.
# 2015", "la nuit du 18 au 19 octobre", "du 30 septembre au 2 octobre 2015", "September 14-16,
# 2015", "from Sept. 14 to 16". Read as one period: its last day alone would make a claim that
# the first day's recording contradicts. A list of days is one period too ("on 16 and 17
# September", "les 16, 17 et 18 septembre", "September 16, 17 and 18": the footage is said to be
# from one of them; read alone, the last day was a claim the others' recordings contradicted),
# from its first day to its last (a day between them is accepted too: the claim's value is a
# period).
_D = r"(\d{1,2})(?:er|st|nd|rd|th|\.)?"
_MORE_DAYS = r"(?:\s*,\s*\d{1,2}(?:er|st|nd|rd|th)?)*"
# The words that open and join a span, in English and French, and in German, Dutch, Spanish,
# Italian, Portuguese, Polish, Russian and Ukrainian ("vom 14. bis 18. September", "van 14 tot
# 18 september", "del 14 al 18 de septiembre": read as their last day, the first day's
# recording contradicted it).
_FROM = r"from|du|vom|von|van|del|dal|od|с|з"
_BETWEEN = r"between|entre(?:\s+(?:le|el))?|zwischen(?:\s+dem)?|tussen|między|между|між"
_TO = r"au|to|until|bis|tot|al|do|по|a|até|hasta"
_AND = r"and|et(?:\s+le)?|und|en|y|e|i|и|і"
_SPAN_OPENS = f"{_FROM}|{_BETWEEN}"
_SPAN_JOINS = f"{_TO}|{_AND}"
_DAY_FIRST_SPAN = re.compile(
    rf"\b(?:(?:{_SPAN_OPENS})\s+{_D}(?:\s+(?:de\s+)?({_MONTH})\.?)?\s+"
    rf"(?:(?:{_SPAN_JOINS})\s+(?:(?:le|el|il|dem)\s+)?|[-–]\s+)|{_D}\s*[-–]\s*){_D}"
    rf"\s+(?:de\s+)?({_MONTH})\b\.?(?:,?\s+{_DE_YEAR}(\d{{4}})\b)?", re.I)
_MONTH_FIRST_SPAN = re.compile(
    rf"\b(?:(?:from|between)\s+)?({_EN_FR_MONTH})\.?\s+{_D}{_MORE_DAYS}\s*(?:[-–]|,?\s(?:to|until|and))"
    rf"\s*{_D}\b(?:,?\s+(\d{{4}})\b)?", re.I)
_DAY_LIST = re.compile(rf"\b{_D}{_MORE_DAYS},?\s+(?:and|et|und|en|y|e|i|и|і)\s+{_D}\s+(?:de\s+)?"
                       rf"({_MONTH})\b\.?(?:,?\s+{_DE_YEAR}(\d{{4}})\b)?", re.I)


# Periods between two full dates: "between 14/09/2015 and 18/09/2015", "from 2015-09-14 to
# 2015-09-18", "du 14/09/2015 au 18/09/2015", "2015-09-16 to 2015-09-18": one claim (a desk
# audit: read as two dates, each was contradicted by a recording between them). The dates are
# those ``_PATTERNS`` read, joined by what lies between them; "and"/"et" only after
# "between"/"entre", as for spans of days; at most a year long.
_JOINED = re.compile(rf"\s*(?:\s(?:{_TO}|till|through|до)\s|[-–])\s*", re.I)
_JOINED_AND = re.compile(rf"\s+(?:{_AND})\s+", re.I)
_OPENS_BETWEEN = re.compile(rf"\b(?:{_BETWEEN})\s+$", re.I)
_OPENS_FROM = re.compile(rf"\b(?:{_FROM}|desde(?:\s+el)?)\s+$", re.I)
_OPENER_CHARS = 16  # longer than any opener above
# Months: "from June to November 2015", "de juin à novembre 2015", "between June and July
# 2015" (not "November 2015" alone).
_MONTH_SPAN = re.compile(
    rf"\b(?:from|between|de|d['’]|entre)\s*({_EN_FR_MONTH})\.?\s+(?:to|until|and|à|au|et)\s+"
    rf"({_EN_FR_MONTH})\.?\s+(\d{{4}})\b", re.I)
MAX_SPAN_DAYS = 366


def _full_spans(text: str) -> list[tuple[date, date, str, int, int]]:
    """(first day, last day, text read, start, end) of each period between two full dates or
    two months."""
    found = []
    full = _full_dates(text)
    for (start, joint, first), (following, end, last) in itertools.pairwise(full):
        before = text[max(0, start - _OPENER_CHARS):start]
        between = _OPENS_BETWEEN.search(before)
        if not (_JOINED.fullmatch(text, joint, following)
                or between and _JOINED_AND.fullmatch(text, joint, following)):
            continue
        if first <= last and (last - first).days <= MAX_SPAN_DAYS:
            opener = between or _OPENS_FROM.search(before)
            start -= len(opener.group(0)) if opener else 0
            found.append((first, last, text[start:end], start, end))
    for match in _MONTH_SPAN.finditer(text):
        month1, month2 = MONTHS[match.group(1).lower()], MONTHS[match.group(2).lower()]
        year = int(match.group(3))
        first = _month_part(year - (month1 > month2), month1, 1, 31)[0]
        found.append((first, _month_part(year, month2, 1, 31)[1], match.group(0),
                      match.start(), match.end()))
    return found


def _full_dates(text: str) -> list[tuple[int, int, date]]:
    """(start, end, day) of each date written with its year, in order."""
    found = []
    taken = _Taken(text)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            value = _to_date(kind, match.groups())
            if value is not None and not taken.overlaps(*match.span()):
                taken.add(*match.span())
                found.append((*match.span(), value))
    return sorted(found)


def _day_spans(text: str, reference: date | None, year_in_text: int | None
               ) -> list[tuple[date, date, str, int, int]]:
    """(first day, last day, text read, start, end) of each span of days. Without a year, the
    year of a full date in the same text, else the latest such span not after ``reference``."""
    found = []
    for match in _DAY_FIRST_SPAN.finditer(text):
        day1 = match.group(1) or match.group(3)
        month1, day2, month2, year = match.group(2), match.group(4), match.group(5), match.group(6)
        found.append((match, int(day1), MONTHS[(month1 or month2).lower()], int(day2),
                      MONTHS[month2.lower()], year))
    for match in _DAY_LIST.finditer(text):
        month = MONTHS[match.group(3).lower()]
        found.append((match, int(match.group(1)), month, int(match.group(2)), month,
                      match.group(4)))
    for match in _MONTH_FIRST_SPAN.finditer(text):
        month = MONTHS[match.group(1).lower()]
        found.append((match, int(match.group(2)), month, int(match.group(3)), month,
                      match.group(4)))
    spans = []
    taken = _Taken(text)
    for match, day1, month1, day2, month2, year in found:
        span = _span(day1, month1, day2, month2, int(year) if year else year_in_text, reference)
        if span is not None and not taken.overlaps(*match.span()):
            taken.add(*match.span())
            spans.append((*span, match.group(0), match.start(), match.end()))
    return spans


def _span(day1: int, month1: int, day2: int, month2: int, year: int | None,
          reference: date | None) -> tuple[date, date] | None:
    if year is None:
        if reference is None:
            return None
        for candidate in (reference.year, reference.year - 1):
            span = _span(day1, month1, day2, month2, candidate, None)
            if span is not None and span[0] <= reference:
                return span
        return None
    last = _make_date(year, month2, day2)
    first = _make_date(year - (month1 > month2), month1, day1)
    if first is None or last is None or not first < last or (last - first).days > 62:
        return None
    return first, last


def other_readings(text: str, read: date) -> list[tuple[date, str]]:
    """The other days a numeric date read day first can be, each with how it is read that way:
    month first ("09/10/2015", 9 October: 10 September, as in the US) and, with a two-digit year,
    year first ("15/10/22", 22 October 2015: 15 October 2022, as in East Asia)."""
    numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?", text.strip())
    if numeric is None or (read.month, read.day) != (int(numeric[2]), int(numeric[1])):
        return []
    first, second = int(numeric[1]), int(numeric[2])
    found = []
    if first != second and first <= 12:
        found.append((_make_date(read.year, first, second), "month first (as in the US)"))
    if numeric[3] is not None and len(numeric[3]) == 2 and len(numeric[1]) == 2:
        found.append((_make_date(_full_year(numeric[1]), second, int(numeric[3])),
                      "year first (as in East Asia)"))
    return [(day, how) for day, how in found if day is not None and day != read]


def find_periods(text: str, reference: date | None = None) -> list[tuple[date, date, str]]:
    """Vague dates in ``text`` as (first day, last day, text read): spans of days ("du 14 au
    16 septembre"), parts of a month ("mi-septembre") and whole months ("in November 2019")."""
    text = text[:MAX_TEXT_CHARS]
    full = dates_at(text, None)
    year_in_text = full[0][1].year if full else None
    spans = _day_spans(text, reference, year_in_text) + _full_spans(text)
    taken = _Taken(text, [(at, at + len(span)) for at, _, span in full]
                   + [m.span() for m in _VAGUE.finditer(text)]
                   + [(start, end) for *_, start, end in spans])
    found = [(first, last, span) for first, last, span, _, _ in spans]
    for match in _MONTH_YEAR.finditer(text):
        if not taken.overlaps(*match.span()):
            first, last = _month_part(int(match.group(2)), MONTHS[match.group(1).lower()], 1, 31)
            found.append((first, last, match.group(0)))
    for match in _VAGUE.finditer(text):
        part, month, year = match.group(1).lower(), MONTHS[match.group(2).lower()], match.group(3)
        if year:
            first, last = _month_part(int(year), month, *_PARTS[part])
        elif year_in_text:
            first, last = _month_part(year_in_text, month, *_PARTS[part])
        elif reference:
            first, last = _month_part(reference.year, month, *_PARTS[part])
            if first > reference:
                first, last = _month_part(reference.year - 1, month, *_PARTS[part])
        else:
            continue
        found.append((first, last, match.group(0)))
    return found


# A year alone: "filmed in 2015", "tournée en 2019" (the caller asks for a word saying it is
# when the footage was filmed: "the 2015 crisis", "since 2014" are no claim of it).
_YEAR = re.compile(r"\b(?:in|en|during|pendant|durant)\s+((?:19|20)\d{2})\b(?![/.-]\d)", re.I)


def find_years(text: str) -> list[tuple[date, date, str]]:
    """Years said alone ("in 2015") as (first day, last day, text read)."""
    return [(date(int(m.group(1)), 1, 1), date(int(m.group(1)), 12, 31), m.group(0))
            for m in _YEAR.finditer(text[:MAX_TEXT_CHARS])]


def find_dates(text: str, reference: date | None = None) -> list[tuple[date, str]]:
    """Dates written in ``text`` with the exact text they were read from, in order of appearance.
    With ``reference`` (when the text was published), dates without a year too."""
    return [(value, span) for _, value, span in dates_at(text, reference)]


def dates_at(text: str, reference: date | None,
             known: Mapping[tuple[int, int], date] | None = None
             ) -> list[tuple[int, date, str]]:
    """(position, day, text read) of every date in ``text``; with ``reference``, days without
    a year too (``known``: days written with their year elsewhere on the page)."""
    text = text[:MAX_TEXT_CHARS]
    found: list[tuple[int, date, str]] = []
    taken = _Taken(text, [m.span() for m in _VAGUE.finditer(text)]
                   + [m.span() for pattern in (_DAY_FIRST_SPAN, _DAY_LIST, _MONTH_FIRST_SPAN)
                      for m in pattern.finditer(text)]
                   + [(start, end) for *_, start, end in _full_spans(text)])
    patterns = [(kind, pattern, True) for kind, pattern in _PATTERNS]
    if reference is not None:
        patterns += [(kind, pattern, False) for kind, pattern in _NO_YEAR]
    for kind, pattern, with_year in patterns:
        for match in pattern.finditer(text):
            if taken.overlaps(*match.span()):
                continue
            value = (_to_date(kind, match.groups()) if with_year or reference is None
                     else _no_year(kind, match.groups(), reference, known or {}))
            if value is not None:
                taken.add(*match.span())
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
# Not a capitalised word's part: "The Sunday Times", "Dimanche Ouest-France".
_WEEKDAY = re.compile(rf"\b(?:on |last |this |ce )?({'|'.join(_WEEKDAYS)})(?:'s| night| evening| "
                      r"morning| soir| matin| dernier| après-midi)?\b(?!\s+(?-i:[A-Z]))", re.I)
_DAY_NAMES = "|".join(_WEEKDAYS)
# "the night of Tuesday to Wednesday", "la nuit de mardi à mercredi": one night, two days.
_NIGHT = re.compile(rf"\b(?:the\s+)?night\s+(?:of|from)\s+({_DAY_NAMES})\s+(?:to|into)\s+"
                    rf"({_DAY_NAMES})\b|\bnuit\s+(?:de|du)\s+({_DAY_NAMES})\s+(?:à|au)\s+"
                    rf"({_DAY_NAMES})\b", re.I)
# French "hier" is German and Dutch "here": read only in a sentence with a French word.
_FRENCH = re.compile(r"\b(?:le|la|les|des|du|est|été|une|à|et|dans|sur|vidéo|filmée?s?)\b",
                     re.I)
_WEEKEND = re.compile(r"\b(?:this|last) weekend\b|\b(?:ce|le) week-?end(?: dernier)?\b", re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
            "twenty": 20, "thirty": 30, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
            "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15,
            "vingt": 20, "trente": 30}
_COUNT = rf"(\d{{1,2}}|{'|'.join(_NUMBERS)})"
_DAYS_AGO = re.compile(rf"\b(?:{_COUNT} days ago|il y a {_COUNT} jours)\b", re.I)
# "ten years ago today" is an anniversary (that day, N years back), not today; "a year ago",
# "il y a dix ans" alone is loose: people round, so the claim is the year before to the year
# after the anniversary, checked only for a contradiction.
_YEARS_AGO = re.compile(rf"\b(?:(?:{_COUNT}|a) years? ago|il y a {_COUNT} ans?)"
                        r"((?:,)?\s+(?:today|this day|to the day|aujourd'hui|jour pour jour))?\b",
                        re.I)


def _years_ago(text: str, reference: date) -> list[tuple[date, date, str]]:
    found = []
    for match in _YEARS_AGO.finditer(text):
        count = (match.group(1) or match.group(2) or "1").lower()
        years = int(count) if count.isdigit() else _NUMBERS[count]
        try:
            day = reference.replace(year=reference.year - years)
        except ValueError:  # 29 February
            day = reference.replace(year=reference.year - years, day=28)
        if match.group(3):
            found.append((day, day, match.group(0)))
        else:
            found.append((day.replace(year=day.year - 1), day.replace(year=day.year + 1),
                          match.group(0)))
    return found


def is_relative(text: str) -> bool:
    """Whether ``text`` is a day counted from the day it was published ("hier", "today", "3
    days ago"), so a day off if that day was taken in another time zone. Not a weekday: "on
    Tuesday" is the same Tuesday from either side of midnight (a desk audit's page published
    on Friday, "filmed on Tuesday" against a Wednesday recording, is contradicted)."""
    said = text.strip()
    return any(pattern.fullmatch(said) for pattern in (
        *(pattern for pattern, (start, end) in _RELATIVE if start == end), _DAYS_AGO))


def find_relative(text: str, reference: date) -> list[tuple[date, date, str]]:
    """Days said relative to ``reference`` ("yesterday", "il y a 3 jours") as ranges."""
    found = _years_ago(text[:MAX_TEXT_CHARS], reference)
    taken = [m.span() for m in _YEARS_AGO.finditer(text[:MAX_TEXT_CHARS])]
    for match in _NIGHT.finditer(text[:MAX_TEXT_CHARS]):
        first = _WEEKDAYS[(match.group(1) or match.group(3)).lower()]
        second = _WEEKDAYS[(match.group(2) or match.group(4)).lower()]
        last = reference - timedelta((reference.weekday() - second) % 7)
        found.append((last - timedelta((second - first) % 7 or 7), last, match.group(0)))
        taken.append(match.span())
    for pattern, (start, end) in _RELATIVE:
        for match in pattern.finditer(text[:MAX_TEXT_CHARS]):
            if any(a <= match.start() < b for a, b in taken):
                continue  # the "today" of "ten years ago today"
            if match.group(0).lower() == "hier" and not _FRENCH.search(text[:MAX_TEXT_CHARS]):
                continue
            found.append((reference + timedelta(start), reference + timedelta(end),
                          match.group(0)))
    for match in _WEEKEND.finditer(text[:MAX_TEXT_CHARS]):
        saturday = reference - timedelta((reference.weekday() - 5) % 7)
        found.append((saturday, saturday + timedelta(1), match.group(0)))
    for match in _WEEKDAY.finditer(text[:MAX_TEXT_CHARS]):
        if any(a <= match.start() < b for a, b in taken):
            continue
        back = (reference.weekday() - _WEEKDAYS[match.group(1).lower()]) % 7
        day = reference - timedelta(back)
        found.append((day, day, match.group(0)))
    for match in _DAYS_AGO.finditer(text[:MAX_TEXT_CHARS]):
        count = (match.group(1) or match.group(2)).lower()
        day = reference - timedelta(int(count) if count.isdigit() else _NUMBERS[count])
        found.append((day, day, match.group(0)))
    return found


