"""Dates in an original's metadata (``recorded_at``, ``published_at``), read strictly, as ISO.

Accepted: an ISO date (``2015-09-16``), an ISO datetime (``2015-09-16T02:13:00Z``), a range
``FIRST/LAST`` of those, and day-first forms that cannot be misread (``16/09/2015``,
``16.09.2015``, ``16 September 2015``, ``16 septembre 2015``, ``September 16, 2015``), normalised
to ISO. Anything else is refused, so a date check never silently disappears because a date could
not be read.
"""

from __future__ import annotations

import re
from datetime import date, datetime

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
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = MONTH_PATTERN
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DAY_MONTH = re.compile(rf"^(\d{{1,2}})(?:er|st|nd|rd|th)?\s+({_MONTH})\.?\s+(\d{{4}})$", re.I)
_MONTH_DAY = re.compile(rf"^({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", re.I)
# Longest metadata date accepted (a range of two ISO datetimes with offsets is ~51 characters).
MAX_DATE_CHARS = 80
_FORMS = "YYYY-MM-DD, an ISO datetime, FIRST/LAST, or a day-first date such as 16/09/2015"


def _one(text: str) -> tuple[str, date]:
    """(ISO text, day) of one date or datetime; ValueError with the reason otherwise."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return day.isoformat(), day
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
                    text):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
        return moment.isoformat(), moment.date()
    numeric = _NUMERIC.match(text)
    if numeric:
        day_n, month_n, year = (int(g) for g in numeric.groups())
        if day_n <= 12 and day_n != month_n:
            raise ValueError("ambiguous, day and month could be swapped")
        day = date(year, month_n, day_n)
        return day.isoformat(), day
    words = _DAY_MONTH.match(text)
    if words:
        day = date(int(words.group(3)), MONTHS[words.group(2).lower()], int(words.group(1)))
        return day.isoformat(), day
    words = _MONTH_DAY.match(text)
    if words:
        day = date(int(words.group(3)), MONTHS[words.group(1).lower()], int(words.group(2)))
        return day.isoformat(), day
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
            return _one(text)[0]
        except ValueError:
            if text.count("/") != 1 or _NUMERIC.match(text):
                raise
        first, last = (_one(part) for part in text.split("/"))
        if last[1] < first[1]:
            raise ValueError("the range ends before it starts")
        return f"{first[0]}/{last[0]}"
    except ValueError as exc:
        raise SettingsError(f"{name} {text[:MAX_DATE_CHARS]!r}: {exc}",
                            f"write it as {_FORMS}") from None


def day_range(value: str) -> tuple[date, date] | None:
    """The (first, last) day of a normalised metadata date, or None when there is none or it was
    stored before dates were checked and cannot be read."""
    try:
        parts = [_one(part)[1] for part in normalise(value).split("/") if part]
    except SettingsError:
        return None
    return (min(parts), max(parts)) if parts else None
