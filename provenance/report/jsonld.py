"""The finding as schema.org MediaReview / ClaimReview JSON-LD: the markup fact-checkers publish
and search engines read. One MediaReview per matched video; one ClaimReview per claimed date the
footage contradicts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .text_report import display_name

_SCHEMA = "https://schema.org"


def authenticity_category(result: Mapping[str, Any]) -> str | None:
    """schema.org mediaAuthenticityCategory for a result, or None when nothing was matched.

    A sped-up or slowed copy is TransformedContent; authentic footage presented with a date or
    source it contradicts is DecontextualizedContent; a montage (several originals, footage the
    library does not explain) or a mirrored/cropped copy is EditedOrCroppedContent; a plain copy
    is OriginalMediaContent."""
    if result.get("verdict") != "match":
        return None
    matches = result.get("matches", [])
    edits = {e for m in matches for e in m.get("edits", [])}
    claims = result.get("claims", [])
    if "speed" in edits:
        return "TransformedContent"
    if any(c.get("status") in ("contradicted", "flag") and c.get("kind") in ("date", "scene")
           for c in claims):
        return "DecontextualizedContent"
    if len(matches) > 1 or result.get("unexplained") or edits:
        return "EditedOrCroppedContent"
    return "OriginalMediaContent"


def _context_description(result: Mapping[str, Any]) -> str:
    parts = []
    for match in result.get("matches", []):
        spans = ", ".join(f"{s['reference_start']:.1f}-{s['reference_end']:.1f} s"
                          for s in match.get("segments", []))
        parts.append(f"{match['reference_id']} ({match.get('source') or 'unknown source'}, "
                     f"recorded {match.get('recorded_at') or 'at an unknown date'}): {spans}")
    return "Footage from: " + "; ".join(parts) if parts else ""


def _appearance(result: Mapping[str, Any]) -> dict[str, Any]:
    record = result.get("provenance") or {}
    item: dict[str, Any] = {"@type": "VideoObject",
                            "contentUrl": display_name(str(result.get("query", "")))}
    if record.get("sha256"):
        item["sha256"] = record["sha256"]
    if record.get("uploader"):
        item["creator"] = {"@type": "Person", "name": str(record["uploader"])[:200]}
    if record.get("upload_date"):
        item["uploadDate"] = str(record["upload_date"])[:40]
    return item


def to_jsonld(report: Mapping[str, Any], publisher: str | None = None) -> list[dict[str, Any]]:
    results = report["results"] if "results" in report else [report]
    today = date.today().isoformat()
    author = {"@type": "Organization", "name": publisher} if publisher else None
    documents: list[dict[str, Any]] = []
    for result in results:
        category = authenticity_category(result)
        if category is None:
            continue
        review: dict[str, Any] = {
            "@context": _SCHEMA, "@type": "MediaReview", "datePublished": today,
            "mediaAuthenticityCategory": category,
            "originalMediaContextDescription": _context_description(result),
            "itemReviewed": {"@type": "MediaReviewItem",
                             "mediaItemAppearance": [_appearance(result)]},
        }
        links = [m["url"] for m in result.get("matches", []) if m.get("url")]
        if links:
            review["originalMediaLink"] = links[0]
        if author:
            review["author"] = author
        documents.append(review)
        documents.extend(_claim_reviews(result, today, author))
    return documents


def _claim_reviews(result: Mapping[str, Any], today: str,
                   author: dict[str, Any] | None) -> list[dict[str, Any]]:
    record = result.get("provenance") or {}
    reviews: list[dict[str, Any]] = []
    seen: set[str] = set()
    for claim in result.get("claims", []):
        if claim.get("kind") != "date" or claim.get("status") != "contradicted":
            continue
        if claim["value"] in seen:
            continue
        seen.add(claim["value"])
        review: dict[str, Any] = {
            "@context": _SCHEMA, "@type": "ClaimReview", "datePublished": today,
            "claimReviewed": f"This video was filmed on {claim['value']} "
                             f"(\u201c{str(claim.get('text'))[:200]}\u201d)",
            "reviewRating": {"@type": "Rating", "alternateName": "Misdated footage",
                             "ratingExplanation": str(claim.get("finding"))[:1000]},
            "itemReviewed": {"@type": "Claim", "appearance": [
                {"@type": "CreativeWork",
                 "url": str(record.get("article") or result.get("query", ""))[:2000]}]},
        }
        if author:
            review["author"] = author
        reviews.append(review)
    return reviews
