"""Claims benchmark: what pages and posts say about each video, read, bound and rated.

A labelled set written for it (`benchmarks/claims_data/`: short articles and posts in English and
French, one to three videos each, with the claims a careful reader finds about each video and
the finding they expect, given what the library knows of the footage). The footage verdict of
each video is part of the label (matching footage is measured by the other benchmarks), so this
measures the claims and finding stages on their own, with the real page parser, the real claim
reader and checker and the real finding stage:

- extraction precision and recall: the (kind, value) claims read from a page (dates of the
  events, publication dates, places, sources) against the labelled ones;
- binding accuracy: of the claims read correctly, those applied to exactly the videos they are
  about;
- rating accuracy: the finding of each video against its label.

Against the baseline "every date in the page applies to every video" (the first round's way:
every date, place and source read anywhere in the page or post, each a claim about when/where/by
whom every video was filmed), in the same run, and with the date reader swapped for dateparser's
``search_dates`` (the maintained parser htmldate already installs) to choose between them.

Then the place check on its own (`claims_data/places.json`: claimed places against registered
locations, each labelled the same place, a neighbouring one or another one): by names alone
(the first rounds' way) beside names and then the gazetteer, in the same run.

Then typed and captioned dates on their own (`claims_data/dates.json`: 177 cases of a desk
audit, each a --claim-date or a --caption against one registered recording date, labelled the
same day, within the period, another date, no filming date, or input to refuse), read and
checked by the functions verify uses; right, wrong, missed and debatable as the audit judged.

Then the same articles and posts with every text written in small letters (as many posts are):
the labelled places read, places read that are not labelled, and findings as labelled.

Then claims in ten other languages (`claims_data/languages.json`: 226 cases of a desk audit,
captions, pages and typed claims in Spanish, German, Italian, Portuguese, Dutch, Polish, Russian,
Ukrainian, Arabic and Turkish, each against one registered original), gathered and checked as
verify does, each claim kind judged as the audit judged it (right, wrong, unread, debatable),
and how the language of English, French and other-language texts is identified.

    python benchmarks/claims.py [--runs 5] [--errors] [--only dates|places|small|languages]
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from _common import ROOT, WORK, table, timed_cpu

from provenance import acquire, claims, dates, finding, pipeline
from provenance.gazetteer import Gazetteer
from provenance.models import (
    ARTICLE,
    Alignment,
    Claim,
    ClaimKind,
    ClaimStatus,
    DetectedEdit,
    Edit,
    Original,
    Passage,
    Segment,
    Verdict,
)
from provenance.places import check_places

DATA = ROOT / "benchmarks" / "claims_data"
COUNTED = (ClaimKind.DATE, ClaimKind.PUBLISHED, ClaimKind.PLACE, ClaimKind.SOURCE)
Said = Callable[[dict[str, Any], str | None], list[list[Claim]]]


@dataclass
class Score:
    found: int = 0  # claims read (page level, distinct kind+value)
    right: int = 0  # of those, labelled
    labelled: int = 0
    bound: int = 0  # right claims applied to exactly their videos
    videos: int = 0
    rated: int = 0  # videos whose finding matches the label
    errors: list[str] | None = None

    def add(self, other: Score) -> None:
        for name in ("found", "right", "labelled", "bound", "videos", "rated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors = (self.errors or []) + (other.errors or [])


def load() -> tuple[dict[str, Original], list[dict[str, Any]]]:
    data = json.loads((DATA / "cases.json").read_text("utf-8"))
    originals = {o["id"]: Original(**o) for o in data["originals"]}
    return originals, data["cases"]


def _page(case: dict[str, Any]) -> str | None:
    return (DATA / case["page"]).read_text("utf-8") if case.get("page") else None


def _url(case: dict[str, Any]) -> str:
    return f"https://news.example/{case['id']}.html"


def ours(case: dict[str, Any], html: str | None) -> list[list[Claim]]:
    """Claims about each video as `verify` gathers them and checks them (place claims that
    name no place, and cities named in passing beside a place said, left out:
    ``claims.kept_places``)."""
    videos = case["videos"]
    contexts: list[pipeline.ArticleContext | None] = [None] * len(videos)
    if html is not None:
        refs, found, _ = pipeline.article_contexts(html, _url(case), _url(case))
        if len(refs) != len(videos):
            raise ValueError(f"{case['id']}: {len(refs)} videos found, {len(videos)} labelled")
        contexts = list(found)
    return [claims.kept_places(pipeline.said_about(i, contexts[i], video.get("post") or {}),
                               GAZETTEER) for i, video in enumerate(videos)]


def baseline(case: dict[str, Any], html: str | None) -> list[list[Claim]]:
    """Every date, place and source anywhere in the page and posts, about every video, each
    date a claim about when it was filmed."""
    texts = []
    if html is not None:
        title, text = acquire.page_text(html)
        texts += [title, text]
    for video in case["videos"]:
        post = video.get("post") or {}
        texts += [post.get("title", ""), post.get("description", "")]
    said = claims.read_claims([Passage(t, "page") for t in texts if t], _reference(case, html))
    every = [Claim(kind=ClaimKind.DATE if c.kind is ClaimKind.PUBLISHED else c.kind,
                   text=c.text, value=c.value, found_in=c.found_in, applies_to=ARTICLE)
             for c in said]
    return [list(every) for _ in case["videos"]]


def _reference(case: dict[str, Any], html: str | None) -> date | None:
    published = acquire.published_date(html, _url(case)) if html else ""
    for video in case["videos"]:
        published = published or (video.get("post") or {}).get("upload_date", "")
    return pipeline._day(published)


def _footage(video: dict[str, Any], originals: dict[str, Original]
             ) -> tuple[Verdict, list[Alignment], list[tuple[float, float]], list[Original]]:
    footage = video["footage"]
    verdict = Verdict(footage["verdict"])
    refs = footage.get("matches", [])
    edits = tuple(DetectedEdit(Edit(name)) for name in footage.get("edits", []))
    alignments = [Alignment(ref, 0.9, (Segment(ref, 0.0, 10.0, 0.0, 10.0),), edits)
                  for ref in refs] if verdict is Verdict.MATCH else []
    unexplained = [(10.0, 15.0)] if footage.get("unexplained") else []
    return verdict, alignments, unexplained, [originals[r] for r in refs]


# The product's place-name index, built in the benchmarks' work folder at the first lookup.
GAZETTEER = Gazetteer(WORK / "gazetteer")


def rate(video: dict[str, Any], said: list[Claim], originals: dict[str, Original]) -> str:
    verdict, alignments, unexplained, known = _footage(video, originals)
    matched = known if verdict is Verdict.MATCH else []
    checked = [*claims.check(said, matched, gazetteer=GAZETTEER),
               *claims.scene_flags(known if verdict is Verdict.SAME_SCENE else [])]
    return finding.assess(verdict, alignments, unexplained, checked, known).rating.value


def _keys(said: list[Claim]) -> set[tuple[str, str]]:
    return {(c.kind.value, c.value) for c in said if c.kind in COUNTED}


def score_case(case: dict[str, Any], said: list[list[Claim]],
               originals: dict[str, Original]) -> Score:
    n = len(case["videos"])
    labelled = {(c["kind"], c["value"]): set(range(n)) if c["videos"] == "all" else
                set(c["videos"]) for c in case["claims"]}
    found: dict[tuple[str, str], set[int]] = {}
    for index, video_claims in enumerate(said):
        for key in _keys(video_claims):
            found.setdefault(key, set()).add(index)
    right = set(found) & set(labelled)
    bound = {k for k in right if found[k] == labelled[k]}
    score = Score(found=len(found), right=len(right), labelled=len(labelled),
                  bound=len(bound), videos=n, errors=[])
    errors = score.errors if score.errors is not None else []
    errors += [f"{case['id']}: extra {k}" for k in sorted(set(found) - set(labelled))]
    errors += [f"{case['id']}: missed {k}" for k in sorted(set(labelled) - set(found))]
    errors += [f"{case['id']}: {k} bound to {sorted(found[k])}, not {sorted(labelled[k])}"
               for k in sorted(right - bound)]
    for index, video in enumerate(case["videos"]):
        got = rate(video, said[index], originals)
        score.rated += got == video["rating"]
        if got != video["rating"]:
            errors.append(f"{case['id']} video {index}: rated {got}, labelled {video['rating']}")
    return score


def run(reader: Said, cases: list[dict[str, Any]], originals: dict[str, Original]
        ) -> tuple[Score, float]:
    total = Score(errors=[])
    pages = [(case, _page(case)) for case in cases]

    def work() -> list[list[list[Claim]]]:
        return [reader(case, html) for case, html in pages]

    cpu, _, said = timed_cpu(work)
    for (case, _), case_said in zip(pages, said, strict=True):
        total.add(score_case(case, case_said, originals))
    return total, cpu


# -- dateparser in place of the hand-written date patterns ------------------------------------

def _dateparser_dates(text: str, reference: date | None,
                      known: object = None) -> list[tuple[int, date, str]]:
    from dateparser.search import search_dates

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "DATE_ORDER": "DMY",
                                "REQUIRE_PARTS": ["day", "month", "year"]}
    if reference is not None:
        settings = {**settings, "RELATIVE_BASE": datetime(reference.year, reference.month,
                                                          reference.day),
                    "REQUIRE_PARTS": ["day", "month"]}
    found = search_dates(text[:dates.MAX_TEXT_CHARS], languages=["en", "fr"],
                         settings=settings) or []
    out, start = [], 0
    for span, moment in found:
        at = text.find(span, start)
        start = at + len(span) if at >= 0 else start
        out.append((max(at, 0), moment.date(), span))
    return out


@contextmanager
def dateparser_reader() -> Iterator[None]:
    """claims' date reading done by dateparser (which also reads relative dates)."""
    saved = dates.dates_at, dates.find_relative
    dates.dates_at = _dateparser_dates  # type: ignore[assignment]
    dates.find_relative = lambda text, reference: []  # type: ignore[assignment]
    try:
        yield
    finally:
        dates.dates_at, dates.find_relative = saved


def _row(name: str, score: Score, cpu: float) -> list[object]:
    precision = score.right / max(score.found, 1)
    recall = score.right / max(score.labelled, 1)
    return [name, f"{precision:.3f}", f"{recall:.3f}", f"{score.bound / max(score.right, 1):.3f}",
            f"{score.rated / max(score.videos, 1):.3f}", f"{1000 * cpu:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs for the CPU time median")
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    parser.add_argument("--only", choices=("dates", "places", "small", "languages"),
                        default=None, help="only the typed dates', the places', the small "
                        "letters' or the other languages' part")
    args = parser.parse_args()
    if args.only == "dates":
        return typed_dates(args.errors)
    if args.only == "places":
        return places(args.runs, args.errors)
    if args.only == "small":
        return small_letters(args.errors)
    if args.only == "languages":
        return other_languages(args.errors)
    originals, every = load()
    readers = [("ours (hand-written date patterns)", ours, None),
               ("ours with dateparser.search_dates", ours, dateparser_reader),
               ("baseline: every date applies to every video", baseline, None)]
    for split in ("development", "held-out", "held-out 2", "all"):
        cases = [c for c in every if split in ("all", c.get("split", "development"))]
        videos = sum(len(c["videos"]) for c in cases)
        langs = {lang: sum(c["lang"] == lang for c in cases) for lang in ("en", "fr")}
        print(f"\n{split}: {len(cases)} cases ({langs['en']} EN, {langs['fr']} FR), {videos} "
              f"videos, {sum(len(c['claims']) for c in cases)} labelled claims")
        rows = []
        for name, reader, swap in readers:
            cpus, score = [], Score()
            for _ in range(args.runs):
                with swap() if swap else _nothing():
                    score, cpu = run(reader, cases, originals)
                cpus.append(cpu)
            rows.append(_row(name, score, statistics.median(cpus)))
            if args.errors:
                print(f"{name}:", *(score.errors or []), sep="\n  ")
        print(table(["reader", "extraction precision", "extraction recall", "binding accuracy",
                     "rating accuracy", "CPU ms"], rows))
    places(args.runs, args.errors)
    typed_dates(args.errors)
    small_letters(args.errors)
    other_languages(args.errors)


def _in_small_letters(case: dict[str, Any], html: str | None
                      ) -> tuple[dict[str, Any], str | None]:
    """The case with its page's text and its posts' titles and descriptions in small letters."""
    small = copy.deepcopy(case)
    for video in small["videos"]:
        post = video.get("post") or {}
        for key in ("title", "description"):
            if post.get(key):
                post[key] = post[key].lower()
    page = re.sub(r">([^<]+)<", lambda m: ">" + m.group(1).lower() + "<", html) if html else None
    return small, page


def small_letters(errors: bool) -> None:
    """Places read in every case written in small letters (labels compared case aside), and the
    findings, checked as verify checks them."""
    originals, cases = load()
    labelled = found = extra = rated = videos = 0
    said_wrong: list[str] = []
    for case in cases:
        small, page = _in_small_letters(case, _page(case))
        said = ours(small, page)
        places = {c["value"].casefold() for c in case["claims"] if c["kind"] == "place"}
        read: set[str] = set()
        for index, video in enumerate(small["videos"]):
            verdict, _, _, known = _footage(video, originals)
            checked = claims.check(said[index], known if verdict is Verdict.MATCH else [],
                                   gazetteer=GAZETTEER)
            read |= {c.value.casefold() for c in checked if c.kind is ClaimKind.PLACE}
            rated += rate(video, said[index], originals) == video["rating"]
            videos += 1
        labelled, found, extra = (labelled + len(places), found + len(read & places),
                                  extra + len(read - places))
        said_wrong += [f"{case['id']}: read {p}" for p in sorted(read - places)]
        said_wrong += [f"{case['id']}: missed {p}" for p in sorted(places - read)]
    print(f"\nthe {len(cases)} cases in small letters: labelled places read {found} of "
          f"{labelled}, places read that are not labelled {extra}, findings as labelled "
          f"{rated} of {videos}")
    if errors:
        print(*said_wrong, sep="\n  ")


def typed_dates(errors: bool) -> None:
    """The desk audit's typed and captioned dates, judged as it judged them."""
    from provenance.errors import SettingsError
    from provenance.models import StatedClaims

    data = json.loads((DATA / "dates.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    cpu_total = 0.0
    for case in data["cases"]:
        text = case["text"] if "text" in case else "".join(
            piece * times for piece, times in case["parts"])
        given = StatedClaims(date=text) if case["how"] == "date" else StatedClaims(caption=text)
        original = Original(id="cam1", recorded_at=case["recorded"])
        try:
            cpu, _, read = timed_cpu(lambda g=given: claims.stated_claims(g))
        except SettingsError:
            verdict = _typed_verdict(case, None)
        else:
            cpu_total += cpu
            checked = [c for c in claims.check(read, [original]) if c.kind in (
                ClaimKind.DATE, ClaimKind.PUBLISHED)]
            verdict = _typed_verdict(case, checked)
        counts[verdict] = counts.get(verdict, 0) + 1
        if errors and verdict not in ("right", "not scored"):
            print(f"  dates: audit #{case['audit']} {case['how']} {text[:60]!r} "
                  f"({case['truth']}, recorded {case['recorded']}): {verdict}")
    scored = sum(v for k, v in counts.items() if k != "not scored")
    print(f"\ntyped and captioned dates: {len(data['cases'])} cases ({scored} scored)")
    print(table(["right", "wrong", "missed", "debatable", "CPU s (reading)"],
                [[*(counts.get(k, 0) for k in ("right", "wrong", "missed", "debatable")),
                  f"{cpu_total:.2f}"]]))


def _typed_verdict(case: dict[str, Any], checked: list[Claim] | None) -> str:
    """The audit's judgement: wrong where a false date is confirmed or a true one contradicted,
    or malformed input is accepted; missed where nothing is read (or a readable typed date is
    refused); debatable where a date that is no claim is found consistent."""
    truth = case["truth"]
    if truth == "D":
        return "not scored"
    if checked is None:
        return "right" if truth == "E" else "missed"
    if truth == "E":
        return "wrong"
    contradicted = any(c.status is ClaimStatus.CONTRADICTED for c in checked)
    # a publication date after the recording is consistent, but says nothing of the filming
    consistent = any(c.status is ClaimStatus.CONSISTENT and c.kind is ClaimKind.DATE
                     for c in checked)
    if truth in "SW":
        return "wrong" if contradicted else "right" if consistent else "missed"
    if truth == "O":
        return "right" if contradicted else "wrong" if consistent else "missed"
    return "wrong" if contradicted else "debatable" if consistent else "right"


# The right status for each label; the wrong ones. "unchecked" is neither.
PLACE_RIGHT = {"same": ClaimStatus.CONSISTENT, "other": ClaimStatus.CONTRADICTED}
PLACE_WRONG = {"same": ClaimStatus.CONTRADICTED, "near": ClaimStatus.CONTRADICTED,
               "other": ClaimStatus.CONSISTENT}


def places(runs: int, errors: bool) -> None:
    """Claimed places against registered locations, by names alone and with the gazetteer."""
    data = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
    originals = {key: Original(id=key, **fields) for key, fields in data["originals"].items()}
    cases = [(Claim(kind=ClaimKind.PLACE, text=said, value=said, found_in="caption"),
              originals[key], truth) for said, key, truth in data["cases"]]
    build, _, _ = timed_cpu(lambda: GAZETTEER.places("Calais"))
    truths = ("same", "near", "other")
    print(f"\nplaces: {len(cases)} claimed places against {len(originals)} registered "
          "locations (" + ", ".join(f"{sum(t == truth for *_, t in cases)} {truth}"
                                    for truth in truths) + ")")
    rows = []
    for name, gazetteer in (("names alone", None), ("names, then the gazetteer", GAZETTEER)):
        cpus = []
        for _ in range(runs):
            cpu, _, statuses = timed_cpu(lambda g=gazetteer: [
                check_places([claim], [original], g)[0] for claim, original, _ in cases])
            cpus.append(cpu)
        right = wrong = 0
        for (claim, original, truth), checked in zip(cases, statuses, strict=True):
            right += PLACE_RIGHT.get(truth) is checked.status
            wrong += PLACE_WRONG[truth] is checked.status
            if errors and PLACE_RIGHT.get(truth) is not checked.status:
                print(f"  {name}: {claim.value!r} vs {original.id} ({truth}): "
                      f"{checked.status.value}: {checked.finding}")
        rows.append([name, *(_tally(cases, statuses, truth) for truth in truths),
                     f"{right}/{len(cases)}", wrong,
                     f"{1000 * statistics.median(cpus) / len(cases):.2f}"])
    print(table(["checker", *(f"{t}: consistent / unchecked / contradicted" for t in truths),
                 "right", "wrong", "CPU ms a claim"], rows))
    print(f"(building the place-name index, once: {build:.1f} s of CPU"
          + (", already built)" if build < 1 else ")"))


def _tally(cases: list[tuple[Claim, Original, str]], statuses: list[Claim], truth: str) -> str:
    chosen = [c.status for (*_, t), c in zip(cases, statuses, strict=True) if t == truth]
    return " / ".join(str(chosen.count(s)) for s in (
        ClaimStatus.CONSISTENT, ClaimStatus.UNCHECKED, ClaimStatus.CONTRADICTED))


@contextmanager
def _nothing() -> Iterator[None]:
    yield



# -- claims in other languages ------------------------------------------------------------------

JUDGED = (ClaimStatus.CONSISTENT, ClaimStatus.CONTRADICTED)
KINDS = {"date": (ClaimKind.DATE,), "place": (ClaimKind.PLACE,),
         "source": (ClaimKind.SOURCE, ClaimKind.UPLOADER)}


def other_languages(errors: bool) -> None:
    """The desk audit's posts in ten other languages, judged claim kind by claim kind."""
    from provenance.errors import SettingsError
    from provenance.models import StatedClaims

    data = json.loads((DATA / "languages.json").read_text(encoding="utf-8"))
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for case in data["cases"]:
        original = Original(id="cam1", **data["libraries"][case["library"]])
        try:
            said = _said_in_language(case, StatedClaims)
        except SettingsError:
            said = None
        matched = [] if case.get("unrelated") else [original]
        checked = None if said is None else claims.check(said, matched, gazetteer=GAZETTEER)
        for kind in KINDS:
            expected = case["expect"].get(kind, "-")
            verdict = _language_verdict(case, kind, expected, checked)
            for key in ((case["lang"], kind), ("all", kind)):
                tally = counts.setdefault(key, {})
                tally[verdict] = tally.get(verdict, 0) + 1
            if errors and verdict in ("wrong", "debatable"):
                text = case.get("text") or case.get("body", "")
                print(f"  languages: {case['id']} {kind} {expected} {text[:70]!r}: {verdict} "
                      f"({[(c.kind.value, c.value, c.status.value) for c in checked or []]})")
    print(f"\nclaims in other languages: {len(data['cases'])} cases; per claim kind, a kind "
          "not claimed right where nothing is contradicted")
    order = ("right", "wrong", "unread", "debatable")
    rows = [[lang, kind, *(counts[(lang, kind)].get(k, 0) for k in order)]
            for lang, kind in counts if lang == "all"]
    print(table(["", "kind", *order], rows))
    _identification()


def _said_in_language(case: dict[str, Any], stated: Any) -> list[Claim]:  # noqa: ANN401
    """The claims verify gathers for the case (SettingsError where a typed one is refused)."""
    if case["how"] == "page":
        html = (f'<!doctype html><html lang="{case["page_lang"]}"><head><meta charset="utf-8">'
                f'<meta property="article:published_time" content="{case["published"]}">'
                f'</head><body>{case["body"]}</body></html>')
        url = f"https://news.example/{case['id']}.html"
        refs, contexts, _ = pipeline.article_contexts(html, url, url)
        return pipeline.said_about(0, contexts[0], {}) if refs else []
    field = {"caption": "caption", "date": "date", "place": "place", "source": "source"}
    return claims.stated_claims(stated(**{field[case["how"]]: case["text"]}))


def _language_verdict(case: dict[str, Any], kind: str, expected: str,
                      checked: list[Claim] | None) -> str:
    """As the audit judged: a true claim consistent, a false one contradicted, a date of
    something else or a kind not claimed never contradicted (debatable where consistent), and
    nothing judged without a match; unread where a claim was not read, left unchecked, or a
    typed one refused."""
    if checked is None:
        return "unread" if kind == {"date": "date", "place": "place", "source": "source"}.get(
            case["how"]) else ("right" if expected in "-NU" else "unread")
    said = [c for c in checked if c.kind in KINDS[kind] and c.status is not ClaimStatus.FLAG
            and not (c.kind is ClaimKind.PUBLISHED and c.found_in == "page metadata")]
    contradicted = [c for c in said if c.status is ClaimStatus.CONTRADICTED]
    consistent = [c for c in said if c.status is ClaimStatus.CONSISTENT]
    if case.get("debatable") and expected in "CX" and (contradicted or consistent) and (
            bool(contradicted) == (expected == "C")):
        return "debatable"
    if expected == "C":
        return "wrong" if contradicted else "right" if consistent else "unread"
    if expected == "X":
        return "wrong" if consistent else "right" if contradicted else "unread"
    if expected == "U":
        return "wrong" if contradicted or consistent else "right"
    return "wrong" if contradicted else "debatable" if consistent else "right"


# The dates audit's captions in other languages, by its notes ("German", "Spanish"...).
OTHER_LANGUAGE_NOTE = re.compile(r"(?:German|Spanish|Italian|Dutch|Portuguese|Ukrainian|Russian)")


def _identification() -> None:
    """How often English and French passages (this benchmark's pages and posts, the dates
    audit's captions) are taken for another language, and other-language captions are
    identified, at the thresholds in provenance.language."""
    from provenance import language

    originals, cases = load()
    ours_texts = [p.text for case in cases for p in _passages(case)]
    dated = json.loads((DATA / "dates.json").read_text(encoding="utf-8"))
    ours_texts += [c["text"] for c in dated["cases"] if c["how"] == "caption" and "text" in c
                   and not OTHER_LANGUAGE_NOTE.match(c.get("note", ""))]
    data = json.loads((DATA / "languages.json").read_text(encoding="utf-8"))
    theirs = [(c["lang"], c["text"]) for c in data["cases"] if c["how"] == "caption"]
    taken = [t for t in ours_texts if language.unread(language.language_of(t))]
    found = [lang for lang, t in theirs if language.unread(language.language_of(t))]
    right = [lang for lang, t in theirs if language.language_of(t) == lang]
    print(f"\nlanguage identification (min confidence {language.MIN_CONFIDENCE}, English and "
          f"French under {language.MAX_READ_PROBABILITY}):")
    print(table(["texts", "count", "taken for a language not read", "identified rightly"],
                [["English and French passages and captions", len(ours_texts), len(taken), "-"],
                 ["captions in ten other languages", len(theirs), len(found), len(right)]]))
    for text in taken:
        print(f"  taken for another language: {text[:70]!r}")


def _passages(case: dict[str, Any]) -> list[Passage]:
    html = _page(case)
    found: list[Passage] = []
    if html is not None:
        _, contexts, _ = pipeline.article_contexts(html, _url(case), _url(case))
        found = list(dict.fromkeys(p for c in contexts if c for p in c.passages))
    for video in case["videos"]:
        post = video.get("post") or {}
        found += [Passage(post[k], "post") for k in ("title", "description") if post.get(k)]
    return found


if __name__ == "__main__":
    sys.exit(main())
