"""schema.org JSON-LD: checked against the schema.org vocabulary (shipped with the tests, see
tests/data/make_schemaorg_vocab.py), for every verdict, with hostile metadata."""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from provenance.report.jsonld import http_url, iso_date, script_text, to_jsonld

VOCAB = Path(__file__).parent / "data" / "schemaorg-vocab.json.gz"
_LITERALS = {"Text", "URL", "Date", "DateTime", "Number", "Boolean", "Integer", "Time"}


@lru_cache(maxsize=1)
def vocab() -> dict[str, Any]:
    with gzip.open(VOCAB, "rt", encoding="utf-8") as handle:
        return dict(json.load(handle))


def ancestors(name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += vocab()["types"].get(current, [])
    return seen


def schema_errors(node: Any, path: str = "$") -> list[str]:
    """Every type, property, domain, range and enumeration value in ``node`` that schema.org
    does not define or allow."""
    if isinstance(node, list):
        return [e for i, item in enumerate(node) for e in schema_errors(item, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    kind = node.get("@type")
    if kind not in vocab()["types"]:
        return [f"{path}: unknown type {kind!r}"]
    errors = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        prop = vocab()["properties"].get(key)
        if prop is None:
            errors.append(f"{path}.{key}: not a schema.org property")
            continue
        if not ancestors(kind) & set(prop["domain"]):
            errors.append(f"{path}.{key}: not a property of {kind}")
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            errors += _range_errors(item, prop["range"], f"{path}.{key}[{i}]")
    return errors


def _range_errors(value: Any, allowed: list[str], path: str) -> list[str]:
    if isinstance(value, dict):
        if not ancestors(value.get("@type", "")) & set(allowed):
            return [f"{path}: a {value.get('@type')} where {allowed} are expected"]
        return schema_errors(value, path)
    members = {m for t in allowed for m in vocab()["members"].get(t, [])}
    if isinstance(value, str) and not _LITERALS & set(allowed) and value not in members:
        return [f"{path}: {value!r} is not one of {allowed}"]
    only = set(allowed) & _LITERALS
    if only == {"URL"} and not members and http_url(value) is None:
        return [f"{path}: {value!r} is not an http(s) URL"]
    if only and only <= {"Date", "DateTime"} and not re.fullmatch(
            r"\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?", str(value)):
        return [f"{path}: {value!r} is not an ISO 8601 date"]
    return []


def test_the_vocabulary_check_catches_mistakes() -> None:
    assert schema_errors({"@type": "MediaReview", "mediaAuthenticityCategory": "Fake"})
    assert schema_errors({"@type": "MediaReview", "claimReviewed": "x"})  # ClaimReview's
    assert schema_errors({"@type": "VideoObject", "sha265": "x"})
    assert schema_errors({"@type": "MediaReview", "itemReviewed": {"@type": "Nonsense"}})
    assert schema_errors({"@type": "VideoObject", "uploadDate": "20261125"})
    assert schema_errors({"@type": "MediaReview", "originalMediaLink": "javascript:x"})
    assert not schema_errors({"@type": "MediaReview",
                              "mediaAuthenticityCategory": "OriginalMediaContent"})


def _result(verdict: str, rating: str, category: str | None, **extra: Any) -> dict[str, Any]:
    return {"verdict": verdict, "query": "https://example.org/v.mp4", "matches": [],
            "claims": [], "provenance": {}, "unexplained": [],
            "finding": {"rating": rating, "summary": f"{rating.capitalize()}: because.",
                        "reasons": ["a reason"], "mediareview": category}, **extra}


EVERY_RATING = [
    ("match", "miscaptioned", "DecontextualizedContent"),
    ("match", "edited", "EditedOrCroppedContent"),
    ("match", "edited", "TransformedContent"),
    ("match", "authentic", "OriginalMediaContent"),
    ("same-scene", "same-scene", "DecontextualizedContent"),
    ("same-scene", "same-scene", None),
    ("no-match", "unverified", None),
    ("inconclusive", "inconclusive", None),
]


@pytest.mark.parametrize(("verdict", "rating", "category"), EVERY_RATING)
def test_a_media_review_for_every_verdict_valid_schema_org(
        verdict: str, rating: str, category: str | None) -> None:
    documents = to_jsonld(_result(verdict, rating, category), publisher="Desk")
    (review,) = documents
    assert review["@type"] == "MediaReview"
    assert review.get("mediaAuthenticityCategory") == category
    assert review["reviewBody"] and review["reviewRating"]["alternateName"]
    assert schema_errors(documents) == []


def test_the_demo_reviews_are_valid_schema_org(demo_payload: dict[str, Any]) -> None:
    documents = to_jsonld(demo_payload, publisher="Desk")
    assert [d["@type"] for d in documents].count("MediaReview") == 1
    assert "ClaimReview" in [d["@type"] for d in documents]
    assert schema_errors(documents) == []


def test_hostile_metadata_cannot_break_out_or_smuggle_urls() -> None:
    hostile = _result("match", "miscaptioned", "DecontextualizedContent")
    hostile["query"] = "javascript:alert(1)"
    hostile["provenance"] = {"uploader": "</script><script>alert(1)</script>",
                             "upload_date": "20261125", "sha256": "0" * 64,
                             "final_url": "data:text/html,<b>x</b>",
                             "article": "file:///etc/passwd"}
    hostile["matches"] = [{"reference_id": "cam", "url": "javascript:alert(2)",
                           "segments": [], "source": "<b>x</b> & co"}]
    hostile["claims"] = [{"kind": "date", "status": "contradicted", "text": "22/10/2015",
                          "quote": "Filmed 22/10/2015 </script><img src=x onerror=alert(3)>",
                          "finding": "recorded 2015-09-16"}]
    documents = to_jsonld(hostile)
    text = json.dumps(documents)
    assert "javascript:" not in text and "file:" not in text and "data:text" not in text
    review = documents[0]
    video = review["itemReviewed"]["mediaItemAppearance"][0]
    assert "contentUrl" not in video and video["uploadDate"] == "2026-11-25"
    assert "originalMediaLink" not in review
    assert schema_errors(documents) == []
    embedded = script_text(documents)
    assert "<" not in embedded and ">" not in embedded and "&" not in embedded
    assert "\\u003c/script\\u003e" in embedded
    assert json.loads(embedded) == documents  # the same data, still valid JSON


def test_urls_and_dates() -> None:
    assert http_url("https://example.org/v") == "https://example.org/v"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "/relative", "ftp://x", "http://",
                "https://exa mple.org", None, 3, "https://x.org/" + "a" * 3000):
        assert http_url(bad) is None, bad
    assert iso_date("20261125") == "2026-11-25"
    assert iso_date("2015-09-16T02:13:00+00:00") == "2015-09-16"
    assert iso_date("20150230") is None and iso_date("not a date") is None


def test_html_report_embeds_the_escaped_json_ld() -> None:
    from provenance.report import to_html

    hostile = _result("match", "miscaptioned", "DecontextualizedContent")
    hostile["provenance"] = {"uploader": "</script><script>alert(1)</script>"}
    page = to_html({**hostile, "duration": 1.0, "confidence": 1.0, "reason": ""})
    assert page.count("<script") == 1 and "alert(1)</script>" not in page
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">')
    documents = json.loads(page[start:page.index("</script>", start)])
    assert documents[0]["@type"] == "MediaReview"
    assert "author" not in documents[0]
    # --publisher names the author of the embedded reviews too (a desk audit: only the
    # --jsonld file had one, and the HTML was what the desk published)
    page = to_html({**hostile, "duration": 1.0, "confidence": 1.0, "reason": ""},
                   publisher="Desk")
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">')
    documents = json.loads(page[start:page.index("</script>", start)])
    assert documents[0]["author"] == {"@type": "Organization", "name": "Desk"}


def test_what_the_reviews_say_of_the_post_and_its_claims() -> None:
    """A direct link's Last-Modified date is no upload date of a post; a sentence wrong on date
    and place gets a review of each; a local file keeps the "#" of its name (a desk audit)."""
    direct = _result("match", "miscaptioned", "DecontextualizedContent")
    direct["provenance"] = {"extractor": "generic", "upload_date": "20261128"}
    video = to_jsonld(direct)[0]["itemReviewed"]["mediaItemAppearance"][0]
    assert "uploadDate" not in video
    posted = {**direct, "provenance": {"extractor": "youtube", "upload_date": "20151023"}}
    assert to_jsonld(posted)[0]["itemReviewed"]["mediaItemAppearance"][0]["uploadDate"] == \
        "2015-10-23"
    said = "Filmed tonight 22/10/2023 in Paris"
    both = _result("match", "miscaptioned", "DecontextualizedContent", claims=[
        {"kind": kind, "status": "contradicted", "text": text, "quote": said,
         "finding": f"not {text}"} for kind, text in (("date", "22/10/2023"), ("place", "Paris"))])
    reviews = [d for d in to_jsonld(both) if d["@type"] == "ClaimReview"]
    assert sorted(r["reviewRating"]["ratingExplanation"] for r in reviews) == [
        "not 22/10/2023", "not Paris"]
    assert schema_errors(to_jsonld(both)) == []
    local = {**direct, "query": "/desk/in/clip #2.mp4"}
    assert to_jsonld(local)[0]["itemReviewed"]["mediaItemAppearance"][0]["name"] == "clip #2.mp4"
