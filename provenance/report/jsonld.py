"""The finding as schema.org MediaReview / ClaimReview JSON-LD: the markup fact-checkers publish
and search engines read.

One MediaReview for every result, whatever its verdict, rendered from its ``finding`` (never
re-derived here); one ClaimReview per claim about the footage that the library contradicts (or,
for a date nothing in the library dates, the camera clock in the footage's own picture),
whose ``claimReviewed`` is the sentence that made it, quoted. Every value from the outside world
is bounded; URLs are written only when they are absolute http(s) URLs; dates are ISO 8601; and
``script_text`` escapes the JSON for a ``<script type="application/ld+json">`` element.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from ..models import BURNED_IN, ClaimStatus, Rating, in_shown_order, post_upload_date
from .text_report import file_name

_SCHEMA = "https://schema.org"
# Longest text and URL written from untrusted fields.
MAX_TEXT = 1000
MAX_URL = 2000
_RATING_NAMES = {Rating.MISCAPTIONED.value: "Miscaptioned", Rating.EDITED.value: "Edited",
                 Rating.AUTHENTIC.value: "Authentic", Rating.SAME_SCENE.value: "Same scene, "
                 "another moment", Rating.UNVERIFIED.value: "Unverified",
                 Rating.INCONCLUSIVE.value: "Inconclusive"}
# Claims a ClaimReview may review: what a page or post said about the footage itself.
_REVIEWABLE = {"date": "Misdated", "place": "Wrong place", "source": "Miscredited"}
# A date only the camera clock in the footage's own picture contradicts: reviewed, named so
# (a clock can be set wrong; the explanation says it).
_BY_CLOCK = {"date": "Misdated by its own camera clock"}


def authenticity_category(result: Mapping[str, Any]) -> str | None:
    """The schema.org mediaAuthenticityCategory of a result's finding (None when nothing was
    matched, or for a version 1 result, which has no finding)."""
    finding = result.get("finding") or {}
    category = finding.get("mediareview")
    return str(category) if category else None


def http_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL of sane length, else None (no
    ``javascript:``, ``file:`` or relative URLs in published markup)."""
    if not isinstance(value, str) or len(value) > MAX_URL or any(c in value for c in "\n\r\t "):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def iso_date(value: Any) -> str | None:
    """An ISO 8601 date from 'YYYY-MM-DD', an ISO datetime or yt-dlp's 'YYYYMMDD'."""
    text = str(value or "").strip()
    digits = text[:10].replace("-", "") if len(text) >= 10 and text[4] == "-" else text[:8]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
    except ValueError:
        return None


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return " ".join(str(value or "").split())[:limit]


def _results(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(report["results"]) if "results" in report else [report]


def _span(segment: Mapping[str, Any]) -> str:
    """The original's span a segment shows, in the order shown (from its end, played
    backwards), as the text and HTML reports give it."""
    backwards = segment.get("reversed") is True
    first, last = in_shown_order(float(segment["reference_start"]),
                                 float(segment["reference_end"]), backwards)
    return f"{first:.1f}-{last:.1f} s" + (" played backwards" if backwards else "")


def _context_description(result: Mapping[str, Any]) -> str:
    parts = []
    for match in result.get("matches", []):
        spans = ", ".join(_span(s) for s in match.get("segments", []))
        parts.append(f"{_text(match.get('reference_id'), 128)} "
                     f"({_text(match.get('source'), 200) or 'unknown source'}, recorded "
                     f"{_text(match.get('recorded_at'), 60) or 'at an unknown date'}): {spans}")
    return _text("Footage from: " + "; ".join(parts), 4 * MAX_TEXT) if parts else ""


# "C:\Users\...": a Windows path, whose drive letter urlsplit reads as a URL's scheme.
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]")


def _appearance(result: Mapping[str, Any]) -> dict[str, Any]:
    """The video as it appeared: its URL when it is a web address, else only its file name."""
    record = result.get("provenance") or {}
    query = str(result.get("query", ""))
    item: dict[str, Any] = {"@type": "VideoObject"}
    url = http_url(record.get("final_url")) or http_url(query)
    if url:
        item["contentUrl"] = url
    elif urlsplit(query).scheme in ("", "file") or _WINDOWS_PATH.match(query):
        item["name"] = _text(file_name(query), 200)  # a local file: its name, not its path
    if isinstance(record.get("sha256"), str) and len(record["sha256"]) == 64:
        item["sha256"] = record["sha256"]
    if record.get("uploader"):
        item["creator"] = {"@type": "Person", "name": _text(record["uploader"], 200)}
    uploaded = iso_date(post_upload_date(record))
    if uploaded:
        item["uploadDate"] = uploaded
    return item


def _rating(finding: Mapping[str, Any], explanation: str) -> dict[str, Any]:
    name = _RATING_NAMES.get(str(finding.get("rating")), "Inconclusive")
    return {"@type": "Rating", "alternateName": name, "ratingExplanation": explanation}


def _media_review(result: Mapping[str, Any], today: str,
                  author: dict[str, Any] | None) -> dict[str, Any]:
    finding = result.get("finding") or {
        "rating": "inconclusive", "reasons": [],
        "summary": f"No finding was recorded (a version 1 result): footage verdict "
                   f"{_text(result.get('verdict'), 40)}."}
    summary = _text(finding.get("summary"))
    review: dict[str, Any] = {
        "@context": _SCHEMA, "@type": "MediaReview", "datePublished": today,
        "reviewBody": summary,
        "reviewRating": _rating(finding, _text("; ".join(finding.get("reasons") or [])
                                               or summary)),
        "itemReviewed": {"@type": "MediaReviewItem",
                         "mediaItemAppearance": [_appearance(result)]},
    }
    category = authenticity_category(result)
    if category:
        review["mediaAuthenticityCategory"] = category
    description = _context_description(result)
    if description:
        review["originalMediaContextDescription"] = description
    links = [u for m in result.get("matches", []) if (u := http_url(m.get("url")))]
    if links:
        review["originalMediaLink"] = links[0]
    if author:
        review["author"] = author
    return review


def _claim_reviews(result: Mapping[str, Any], today: str,
                   author: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One ClaimReview per sentence that made a contradicted claim about the footage."""
    record = result.get("provenance") or {}
    page = http_url(record.get("article")) or http_url(result.get("query"))
    reviews: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()  # a sentence wrong on date and place is reviewed twice
    for claim in result.get("claims", []):
        names = {ClaimStatus.CONTRADICTED.value: _REVIEWABLE,
                 ClaimStatus.CLOCK_CONTRADICTED.value: _BY_CLOCK}.get(
            str(claim.get("status")), {})
        if claim.get("kind") not in names:
            continue
        said = _text(claim.get("quote") or claim.get("text"))
        if not said or (said, claim["kind"]) in seen:
            continue
        seen.add((said, claim["kind"]))
        item: dict[str, Any] = {"@type": "Claim"}
        if claim.get("found_in") == BURNED_IN:  # said in the video's own picture
            item["appearance"] = [_appearance(result)]
        elif page:
            item["appearance"] = [{"@type": "CreativeWork", "url": page}]
        review: dict[str, Any] = {
            "@context": _SCHEMA, "@type": "ClaimReview", "datePublished": today,
            "claimReviewed": f"\u201c{said}\u201d",
            "reviewRating": {"@type": "Rating", "alternateName": names[claim["kind"]],
                             "ratingExplanation": _text(claim.get("finding"))},
            "itemReviewed": item,
        }
        if author:
            review["author"] = author
        reviews.append(review)
    return reviews


def to_jsonld(report: Mapping[str, Any], publisher: str | None = None) -> list[dict[str, Any]]:
    """A MediaReview for every result verified, and a ClaimReview for every contradicted
    claim."""
    today = date.today().isoformat()
    author = {"@type": "Organization", "name": _text(publisher, 200)} if publisher else None
    documents: list[dict[str, Any]] = []
    for result in _results(report):
        if result.get("error"):  # not verified (a file that does not decode): nothing reviewed
            continue
        documents.append(_media_review(result, today, author))
        documents.extend(_claim_reviews(result, today, author))
    return documents


# Written as \\u escapes: what could close the script element (<, >, &), JavaScript's line
# separators, and the bidirectional overrides and isolates a caption may carry to reorder what
# a reader of the published file sees (U+202A-U+202E, U+2066-U+2069).
_ESCAPED = re.compile("[<>&\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def script_text(documents: Sequence[Mapping[str, Any]]) -> str:
    """JSON-LD text safe inside ``<script type="application/ld+json">`` and to read: no value
    can close the element or reorder the text around it. Still valid JSON with the same
    content."""
    text = json.dumps(list(documents), indent=2, ensure_ascii=False)
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
