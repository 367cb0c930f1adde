"""Claims around a video (dates in the article, caption, upload metadata) against the originals.

Dates are read in English and French: "22/10/2015", "2015-10-22", "jeudi 22 octobre 2015",
"October 22, 2015", "22 October 2015". Day/month order in numeric dates is read day first, as
in most of the world outside the US; a date that is only valid month first is read that way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from .models import Claim, Original, StatedClaims

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")),
    ("day-month", re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH})\s+(\d{{4}})\b", re.I)),
    ("month-day", re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)),
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


# Vague dates: "mi-septembre", "mid-September 2015", "début octobre", "late October": parts of
# a month as (first day, last day); the year, when missing, is taken from a full date in the
# same text.
_PARTS = {"mi": (11, 20), "mid": (11, 20), "début": (1, 10), "debut": (1, 10), "early": (1, 10),
          "fin": (21, 31), "late": (21, 31)}
_VAGUE = re.compile(rf"\b({'|'.join(_PARTS)})[- ]({_MONTH})(?:\s+(\d{{4}}))?\b", re.I)


def _month_part(year: int, month: int, first: int, last: int) -> tuple[date, date]:
    end = 31
    while _make_date(year, month, end) is None:
        end -= 1
    return date(year, month, first), date(year, month, min(last, end))


def find_periods(text: str) -> list[tuple[date, date, str]]:
    """Vague dates in ``text`` as (first day, last day, text read)."""
    text = text[:MAX_TEXT_CHARS]
    full = find_dates(text)
    found = []
    for match in _VAGUE.finditer(text):
        part, month, year = match.group(1).lower(), MONTHS[match.group(2).lower()], match.group(3)
        if year is None and not full:
            continue
        first, last = _month_part(int(year) if year else full[0][0].year, month, *_PARTS[part])
        found.append((first, last, match.group(0)))
    return found


def find_dates(text: str) -> list[tuple[date, str]]:
    """Dates written in ``text`` with the exact text they were read from, in order of appearance."""
    text = text[:MAX_TEXT_CHARS]
    found: list[tuple[int, date, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            value = _to_date(kind, match.groups())
            if value is not None:
                taken.append((match.start(), match.end()))
                found.append((match.start(), value, match.group(0)))
    return [(value, span) for _, value, span in sorted(found, key=lambda f: f[0])]


def recorded_range(original: Original) -> tuple[date, date] | None:
    """When an original was recorded, as a (first, last) day; accepts 'YYYY-MM-DD',
    an ISO datetime, or a range 'YYYY-MM-DD/YYYY-MM-DD'."""
    parts = [p for p in re.split(r"/|\s+to\s+|\.\.", original.recorded_at or "") if p.strip()]
    days = []
    for part in parts[:2]:
        match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", part)
        if match:
            value = _make_date(*(int(g) for g in match.groups()))
            if value:
                days.append(value)
    if not days:
        return None
    return min(days), max(days)


def date_claims(texts: Iterable[tuple[str, str]]) -> list[Claim]:
    """Claimed dates from (where, text) pairs, e.g. ('article text', ...). A vague date's value
    is a range, 'FIRST/LAST'."""
    claims = []
    for where, text in texts:
        for value, span in find_dates(text or ""):
            claims.append(Claim(kind="date", text=span, value=value.isoformat(), found_in=where))
        for first, last, span in find_periods(text or ""):
            claims.append(Claim(kind="date", text=span,
                                value=f"{first.isoformat()}/{last.isoformat()}", found_in=where))
    return claims


STATED = "command line"


def stated_claims(stated: StatedClaims) -> tuple[list[Claim], list[Claim]]:
    """(date claims, source claims) a checker typed: the date and source as given, plus what
    the typed caption says."""
    caption = [(f"{STATED} (caption)", stated.caption)] if stated.caption else []
    dates = date_claims([(STATED, stated.date)]) if stated.date else []
    sources = [Claim(kind="source", text=stated.source, value=stated.source, found_in=STATED)
               ] if stated.source.strip() else []
    return dates + date_claims(caption), sources + source_claims(caption)


def check_dates(claims: Sequence[Claim], originals: Sequence[Original]) -> list[Claim]:
    """Compare each claimed date with when the matched originals were recorded."""
    checked = []
    for claim in claims:
        claimed_first, _, claimed_last = claim.value.partition("/")
        start = date.fromisoformat(claimed_first)
        end = date.fromisoformat(claimed_last) if claimed_last else start
        said = claim.value.replace("/", " to ")
        findings = []
        status = "unchecked"
        for original in originals:
            recorded = recorded_range(original)
            if recorded is None:
                continue
            first, last = recorded
            if last < start:
                days = (start - last).days
                findings.append(f"footage of {original.id} was recorded {_when(original)}, "
                                f"{days} day(s) before the claimed {said}")
                status = "contradicted"
            elif first > end:
                days = (first - end).days
                findings.append(f"footage of {original.id} was recorded {_when(original)}, "
                                f"{days} day(s) after the claimed {said}")
                status = "contradicted"
            elif status != "contradicted":
                findings.append(f"consistent with {original.id} recorded {_when(original)}")
                status = "consistent"
        checked.append(Claim(kind=claim.kind, text=claim.text, value=claim.value,
                             found_in=claim.found_in, finding="; ".join(findings), status=status))
    return checked


def _when(original: Original) -> str:
    return f"on {original.recorded_at}" if "/" not in original.recorded_at else (
        f"between {original.recorded_at.replace('/', ' and ')}")


# "posted by X", "filmed by X", "source: X", "partagé par « X »", "filmé par X"...
_NAME = r"[«\"“']?\s*([^\n.,;:!?«»\"“”()\[\]<>]{2,60}?)\s*(?:[»\"”']|[.,;:!?()\n]|$)"
_SOURCE_PATTERNS = [
    re.compile(r"\b(?:posted|filmed|shot|shared|uploaded|recorded|published|credit(?:ed)?)"
               r"\s+by\s+" + _NAME, re.I),
    re.compile(r"\b(?:source|credit|footage|video|images?)\s*:\s*" + _NAME, re.I),
    re.compile(r"\b(?:publiée?s?|partagée?s?|filmée?s?|tournée?s?|diffusée?s?|mise?s? en ligne)"
               r"\s+par\s+" + _NAME, re.I),
]


def source_claims(texts: Iterable[tuple[str, str]]) -> list[Claim]:
    """Who the text says made or posted the footage ("filmed by ...", "partagé par ...")."""
    claims = []
    for where, text in texts:
        for pattern in _SOURCE_PATTERNS:
            for match in pattern.finditer((text or "")[:MAX_TEXT_CHARS]):
                name = " ".join(match.group(1).split())
                if name:
                    claims.append(Claim(kind="source", text=match.group(0).strip(), value=name,
                                        found_in=where))
    return claims


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"\w+", text.lower()) if len(t) >= 4}


def _credits(name: str, original: Original) -> bool:
    return bool(_tokens(name) & _tokens(original.source))


def check_sources(claims: Sequence[Claim], originals: Sequence[Original]) -> list[Claim]:
    """Compare claimed sources and the uploader with the matched originals' source, and flag a
    repost that credits none of them."""
    with_source = [o for o in originals if o.source]
    checked = []
    for claim in claims:
        credited = [o for o in with_source if _credits(claim.value, o)]
        if credited:
            finding = f"credits the source of {', '.join(o.id for o in credited)}"
            status = "consistent"
        elif with_source:
            who = "the uploader" if claim.kind == "uploader" else "the credited source"
            finding = f"{who} {claim.value!r} is not the source of the footage " \
                      f"({_owners(with_source)})"
            status = "contradicted"
        else:
            finding, status = "", "unchecked"
        checked.append(Claim(kind=claim.kind, text=claim.text, value=claim.value,
                             found_in=claim.found_in, finding=finding, status=status))
    if with_source and not any(c.status == "consistent" for c in checked):
        checked.append(Claim(
            kind="source", text="", value="", found_in="article, caption and upload metadata",
            finding=f"the repost credits no original source; the footage is from "
                    f"{_owners(with_source)}",
            status="flag"))
    return checked


def _owners(originals: Sequence[Original]) -> str:
    return " and ".join(dict.fromkeys(o.source for o in originals))


def scene_flags(same_scene: Sequence[Original]) -> list[Claim]:
    """Footage from a registered camera, but not a registered moment."""
    return [Claim(kind="scene", text="", value=o.id, found_in="video",
                  finding=f"same camera or view as {o.id} ({o.source or 'unknown source'}, "
                          f"recorded {o.recorded_at or 'at an unknown date'}), but not the "
                          "registered moment: recycled or misdated footage is possible",
                  status="flag")
            for o in same_scene]
