"""One self-contained HTML file a person reads at a glance: no external requests, images inline.

Rendered from the JSON report (so a saved result re-renders the same), plus JPEG frames keyed by
``frame_key`` and what their captions add (grey, a thumbnail, taken at another time). Every value
from the outside world is escaped and shortened before it is written.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ..models import BURNED_IN, CREDENTIALS_STAGE, SOUND_STAGE, ClaimStatus, in_shown_order
from ..terminal import safe_text
from .jsonld import iso_date
from .text_report import (
    ADDED_TEXT,
    HELD_PICTURE,
    MAX_TEXT_LINES,
    MIRRORED_TEXT,
    NOTHING_TO_CHECK,
    clock_marks,
    display_name,
    file_name,
    from_cache,
    same_view_pieces,
    shared_notes,
    timecode,
)

# Longest text shown from any field (titles and descriptions are untrusted and unbounded).
MAX_SHOWN_CHARS = 600
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
# The timeline's colours for the same camera's view (same-scene intervals): at another moment,
# and at a moment the evidence did not establish (an inconclusive verdict's, or
# ``Segment.unsettled``; a light shade of the inconclusive verdict's purple, apart from the
# grey of time nothing explains).
_OTHER_MOMENT = "#6b7280"
_OPEN_MOMENT = "#c9a3dc"
_HELD = "#e5d3ee"
_SAME_VIEW_COLOUR = {"another moment": _OTHER_MOMENT, "moment not established": _OPEN_MOMENT,
                     HELD_PICTURE: _HELD}
_VERDICTS = {
    "match": ("#1b7f3b", "MATCH", "This footage is registered original footage."),
    "same-scene": ("#b35c00", "SAME SCENE",
                   "Same camera or view as a registered original, but another moment."),
    "no-match": ("#555555", "NO MATCH", "Nothing in the library explains this footage."),
    "inconclusive": ("#7a1fa2", "INCONCLUSIVE", "Too little evidence to say."),
}

# The finding's rating: banner colour and the word shown (a word, never colour alone).
_RATINGS = {
    "miscaptioned": ("#b71c1c", "MISCAPTIONED"),
    "edited": ("#b35c00", "EDITED"),
    "authentic": ("#1b7f3b", "AUTHENTIC"),
    "same-scene": ("#8a4b00", "SAME SCENE"),
    "unverified": ("#555555", "UNVERIFIED"),
    "inconclusive": ("#7a1fa2", "INCONCLUSIVE"),
}

_CSS = """
body{font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1d;
background:#f4f4f2}h1,code,p{overflow-wrap:anywhere}main{max-width:960px;margin:auto;padding:12px}
h1{font-size:1.4em;margin:.4em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}
h3{font-size:1em;margin:1em 0 .3em}
section.video{background:#fff;border-radius:8px;padding:12px 14px;margin:14px 0;
box-shadow:0 1px 3px #0002}
.banner{color:#fff;border-radius:6px;padding:10px 14px;font-weight:600}
.banner .v{font-size:1.5em;letter-spacing:.04em;display:block}
.muted{color:#666;font-size:.9em}code{word-break:break-all;font-size:.85em}
.timeline{position:relative;height:34px;background:repeating-linear-gradient(45deg,#ddd,#ddd 6px,
#eee 6px,#eee 12px);border-radius:4px;margin:8px 0 2px;overflow:hidden}
.timeline div{position:absolute;top:0;bottom:0;color:#fff;font-size:.75em;overflow:hidden;
white-space:nowrap;padding:8px 4px;box-sizing:border-box;border-right:1px solid #fff}
.lane{font-size:.8em;color:#444;margin-top:6px}
.scale{display:flex;justify-content:space-between;font-size:.75em;color:#666}
.legend span{display:inline-block;margin:2px 10px 2px 0;font-size:.85em}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;
vertical-align:-1px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:6px 0 14px}
.pair figure{margin:0}.pair img{width:100%;height:auto;border-radius:4px;display:block;
background:#ccc}.pair figcaption{font-size:.8em;color:#444}
.shot{position:relative}.shot .box{position:absolute;box-sizing:border-box;
border:2px solid #ff1744;border-radius:2px;box-shadow:0 0 0 1px #fff}.added{color:#c62828}
.missing{aspect-ratio:16/9;background:#ddd;display:flex;align-items:center;
justify-content:center;color:#666;font-size:.85em;border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:.9em;display:block;overflow-x:auto}
td,th{border-bottom:1px solid #e3e3e3;padding:4px 6px;text-align:left;vertical-align:top;
min-width:5.5em}
ul.claims{padding-left:0;list-style:none}ul.claims li{margin:6px 0;padding:6px 8px;
border-left:4px solid #999;background:#fafafa}ul.claims li.bad{border-color:#c62828}
ul.claims li.ok{border-color:#2e7d32}
.status{font-size:.75em;font-weight:700;letter-spacing:.05em;text-transform:uppercase;
margin-right:6px;padding:1px 5px;border-radius:3px;background:#eee}
.footage{border-left:4px solid;padding:4px 10px;margin:8px 0;font-size:.95em}
@media (max-width:600px){.pair{grid-template-columns:1fr}body{font-size:15px}}
"""


def frame_key(result: int, match: int, segment: int, side: str) -> str:
    """Key of one report image: result, match and segment numbers, 'query' or 'reference'."""
    return f"{result}:{match}:{segment}:{side}"


def _text(value: Any, limit: int = MAX_SHOWN_CHARS) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    # Control characters (an ESC read off a picture or typed in a claim) shown as the terminal
    # shows them, as visible escapes, rather than as a raw byte the browser draws as a box.
    return html.escape(safe_text(text), quote=True)


def _colour(index: int) -> str:
    return _PALETTE[index % len(_PALETTE)]


def _results(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(report["results"]) if "results" in report else [report]


def _timeline(result: Mapping[str, Any]) -> str:
    duration = max(float(result.get("duration") or 0.0), 0.001)
    matches = list(result.get("matches", []))
    regions = result.get("regions") or []
    whole = [(i, m) for i, m in enumerate(matches) if not m.get("region")]
    verdict = result.get("verdict", "")
    elsewhere = [(m["reference_id"], _same_view(verdict, m))
                 for m in result.get("same_scene", []) if not m.get("region")]
    lanes = ""
    if whole or not regions:
        lanes = ('<div class="lane">whole frame</div>' if regions else "") + _lane(
            duration, whole, "timeline of the video", elsewhere)
    for region in regions:
        inside = [(i, m) for i, m in enumerate(matches) if m.get("region") == region.get("box")]
        label = _text(region.get("label"), 60)
        lanes += f'<div class="lane">{label}</div>' + _lane(duration, inside,
                                                            f"timeline of region {label}")
    legend = "".join(
        f'<span><i style="background:{_colour(i)}"></i>{_text(m["reference_id"], 80)}</span>'
        for i, m in enumerate(matches))
    for label in sorted({label for _, pieces in elsewhere for label in pieces}):
        legend += (f'<span><i style="background:{_SAME_VIEW_COLOUR[label]}"></i>the same camera, '
                   f"{label}</span>")
    legend += ('<span><i style="background:#ddd"></i>not explained by the library</span>')
    return (f'{lanes}<div class="scale"><span>00:00</span>'
            f"<span>{timecode(duration)}</span></div><div class=\"legend\">{legend}</div>")


def _lane(duration: float, matches: list[tuple[int, Mapping[str, Any]]], name: str,
          elsewhere: Sequence[tuple[str, Mapping[str, list[tuple[float, float]]]]] = ()) -> str:
    """One bar of the timeline: the whole frame's, or one region's of a frame holding
    several pictures; ``elsewhere``: each same-scene original with its pieces by what they
    are (``_same_view``)."""
    blocks = []
    for m_index, match in matches:
        for segment in match.get("segments", []):
            label = f"{match['reference_id']} {timecode(segment['reference_start'])}"
            blocks.append(_block(duration, segment, _colour(m_index), label,
                                 _text(match["reference_id"], 40)))
    for reference_id, pieces in elsewhere:
        for moment, spans in pieces.items():
            label = f"{reference_id}, {moment}"
            blocks += [_block(duration, {"query_start": a, "query_end": b},
                              _SAME_VIEW_COLOUR[moment], label, _text(label, 60))
                       for a, b in spans]
    return (f'<div class="timeline" role="img" aria-label="{name}">'
            f'{"".join(blocks)}</div>')


def _same_view(verdict: str, alignment: Mapping[str, Any]) -> dict[str, list[tuple[float, float]]]:
    """A same-scene alignment's pieces by what they are (``same_view_pieces``); a report made
    before ``unsettled`` existed reads as it did."""
    return same_view_pieces(verdict, ((float(s["query_start"]), float(s["query_end"]),
                                       bool(s.get("unsettled")), bool(s.get("held")))
                                      for s in alignment.get("segments", [])))


def _block(duration: float, segment: Mapping[str, Any], colour: str, title: str,
           shown: str) -> str:
    left = 100.0 * float(segment["query_start"]) / duration
    width = 100.0 * (float(segment["query_end"]) - float(segment["query_start"])) / duration
    return (f'<div style="left:{left:.2f}%;width:{max(width, 0.5):.2f}%;background:{colour}" '
            f'title="{_text(title)}">{shown}</div>')


def _image(images: Mapping[str, bytes], key: str, alt: str) -> str:
    data = images.get(key)
    if not data:
        return '<div class="missing">frame not available</div>'
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{_text(alt)}" src="data:image/jpeg;base64,{encoded}">'


def _boxed(picture: str, boxes: Sequence[Sequence[float]]) -> str:
    """A picture with boxes (shares of it) drawn over it: the repost's overlay edits."""
    drawn = "".join(f'<span class="box" style="left:{100 * x0:.2f}%;top:{100 * y0:.2f}%;'
                    f'width:{100 * (x1 - x0):.2f}%;height:{100 * (y1 - y0):.2f}%" '
                    'title="overlay (caption, logo or picture)"></span>'
                    for x0, y0, x1, y1 in boxes)
    return f'<div class="shot">{picture}{drawn}</div>' if drawn else picture


def _overlay_boxes(match: Mapping[str, Any]) -> list[tuple[float, float, float, float]]:
    """The boxes of a match's overlay edits, shares of the repost's frame (none for a match of
    a region of the frame: its picture is that region); a saved result's malformed boxes are
    left out."""
    if match.get("region"):
        return []
    found: list[tuple[float, float, float, float]] = []
    for edit in _listed(match.get("edit_details")):
        if not isinstance(edit, Mapping) or edit.get("kind") != "overlay":
            continue
        for box in _listed(edit.get("boxes")):
            try:
                x0, y0, x1, y1 = (float(v) for v in box)
            except (TypeError, ValueError):
                continue
            if 0.0 <= x0 < x1 <= 1.0 and 0.0 <= y0 < y1 <= 1.0:
                found.append((x0, y0, x1, y1))
    return found


def _listed(value: Any) -> list[Any]:
    """A saved result's list field, or nothing when it holds anything else."""
    return value if isinstance(value, list) else []


def _note(notes: Mapping[str, str], key: str) -> str:
    """What a picture's caption adds (grey, a thumbnail, taken at another time), escaped."""
    return f" ({_text(notes[key])})" if notes.get(key) else ""


def _segments(r_index: int, result: Mapping[str, Any], images: Mapping[str, bytes],
              notes: Mapping[str, str]) -> str:
    parts = []
    for m_index, match in enumerate(result.get("matches", [])):
        title = f"{match['reference_id']}" + (f" — {match['title']}" if match.get("title") else "")
        edits = "; ".join(match.get("edits") or []) or "none detected"
        boxes = _overlay_boxes(match)
        parts.append(f"<h3>{_text(title, 200)}</h3><p class=\"muted\">score "
                     f"{float(match['score']):.2f} · edits: {_text(edits)}</p>")
        for s_index, s in enumerate(match.get("segments", [])):
            q_mid = (float(s["query_start"]) + float(s["query_end"])) / 2
            r_mid = (float(s["reference_start"]) + float(s["reference_end"])) / 2
            query = frame_key(r_index, m_index, s_index, "query")
            reference = frame_key(r_index, m_index, s_index, "reference")
            drawn = boxes if images.get(query) else []
            flags = " · mirrored" if s.get("mirrored") else ""
            backwards = s.get("reversed") is True
            if backwards:
                flags += " · played backwards"
            if abs(float(s.get("speed", 1.0)) - 1.0) > 0.02:
                flags += f" · speed ×{float(s['speed']):.2f}"
            if isinstance(s.get("moment"), (int, float)):
                flags += (' · <span title="the repost\'s frames at the original\'s instants '
                          'against its frames a quarter of a second before: near 0, the very '
                          f'moment">same-instant check {float(s["moment"]):.2f}</span>')
            if s.get("spliced") is True:
                flags += " · cut at a splice with another moment of the camera"
            if s.get("too_still") is True:
                flags += " · too still for the same-instant check"
            parts.append(
                f"<p>query {timecode(s['query_start'])}–{timecode(s['query_end'])} ← original "
                + "–".join(map(timecode, in_shown_order(float(s["reference_start"]),
                                                        float(s["reference_end"]), backwards)))
                + f"{flags}</p>"
                '<div class="pair"><figure>'
                + (_boxed(_image(images, query, "query frame"), drawn) if drawn
                   else _image(images, query, "query frame"))
                + f"<figcaption>repost at {timecode(q_mid)}{_note(notes, query)}"
                + (" · red boxes: overlays (text, logos or pictures added)" if drawn else "")
                + "</figcaption>"
                "</figure><figure>"
                + _image(images, reference, "original frame")
                + f"<figcaption>original {_text(match['reference_id'], 80)} at "
                  f"{timecode(r_mid)}{_note(notes, reference)}</figcaption></figure></div>")
    return "".join(parts)


def _originals(result: Mapping[str, Any]) -> str:
    rows, seen = [], set()
    for group in ("matches", "same_scene"):
        for m in result.get(group, []):
            if m.get("reference_id") in seen:  # matched and, elsewhere, at another moment
                continue
            seen.add(m.get("reference_id"))
            rows.append("<tr>" + "".join(f"<td>{_text(m.get(k, ''), 300)}</td>" for k in (
                "reference_id", "title", "source", "recorded_at", "published_at"))
                + f"<td><code>{_text(m.get('url', ''), 300)}</code></td></tr>")
    if not rows:
        return ""
    head = "".join(f"<th>{h}</th>" for h in ("id", "title", "source", "recorded", "published",
                                               "where published"))
    return f"<h2>Originals</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _lang(claim: Mapping[str, Any]) -> str:
    """The claim's language as an HTML attribute, where it is a plain language code."""
    code = claim.get("language")
    return f' lang="{code}"' if isinstance(code, str) and re.fullmatch(r"[a-z]{2,3}", code) \
        else ""


def _claims(result: Mapping[str, Any]) -> str:
    """Every claim with its status (as the text report shows them); claims of the same kind,
    value, finding and status are one item citing each place they were read."""
    groups: dict[tuple[str, str, str, str], list[Mapping[str, Any]]] = {}
    for claim in result.get("claims", []):
        key = (str(claim.get("kind")), str(claim.get("value")),
               str(claim.get("finding") or NOTHING_TO_CHECK), str(claim.get("status")))
        groups.setdefault(key, []).append(claim)
    items = []
    for (kind, value, finding, status), group in groups.items():
        # a date only the footage's own clock supports is not marked as checked
        css = _CLAIM_CSS.get(status, "")
        # <bdi>: a claim in Arabic or Hebrew is isolated, so it does not reorder the sentence
        # around it
        said = "; ".join(f"“<bdi{_lang(c)}>{_text(c.get('text'), 200)}</bdi>” "
                         f"({_text(c.get('found_in'), 100)})" for c in group if c.get("text"))
        shown = f" {_text(value, 100)}" if kind in ("date", "published") else ""
        items.append(f'<li class="{css}"><span class="status">{_text(status)}</span>'
                     f"<b>{_text(_KIND_WORDS.get(kind, kind))}{shown}</b>"
                     + (f" — {said}" if said else "") + f"<br>{_text(finding)}</li>")
    return f"<h2>Claims checked</h2><ul class=\"claims\">{''.join(items)}</ul>" if items else ""


_CLAIM_CSS = {ClaimStatus.CONTRADICTED.value: "bad", ClaimStatus.FLAG.value: "bad",
              ClaimStatus.CLOCK_CONTRADICTED.value: "bad", ClaimStatus.UNCHECKED.value: "muted",
              ClaimStatus.CONSISTENT.value: "ok"}
_KIND_WORDS = {"date": "filmed", "published": "published (an upper bound only)"}


def _finding_banner(finding: Mapping[str, Any] | None) -> str:
    """The finding as the headline: its rating as a word and its one-sentence summary."""
    if not finding:
        return ""
    colour, word = _RATINGS.get(str(finding.get("rating")), _RATINGS["inconclusive"])
    summary = str(finding.get("summary") or "")
    _, _, rest = summary.partition(": ")
    reasons = "".join(f"<li>{_text(r, 300)}</li>" for r in (finding.get("reasons") or [])[:20])
    return (f'<div class="banner" style="background:{colour}"><span class="v">{word}</span>'
            f"{_text(rest or summary)}</div>"
            + (f"<ul>{reasons}</ul>" if reasons else ""))
_SOUND = {"same": "the original's sound", "different": "REPLACED (not the original's sound)",
          "none": "no sound to compare"}


def _evidence(result: Mapping[str, Any]) -> str:
    """Sound, burned-in text and Content Credentials: evidence beyond the picture."""
    items = []
    for m in result.get("matches", []):
        if m.get("audio") in _SOUND:
            css = ' class="bad"' if m["audio"] == "different" else ""
            items.append(f"<li{css}>sound on the segments of {_text(m['reference_id'], 100)}: "
                         f"{_SOUND[m['audio']]}</li>")
    for m in result.get("audio_matches", []):
        spans = ", ".join(f"{timecode(s['query_start'])}–{timecode(s['query_end'])} ← "
                          f"{timecode(s['reference_start'])}–{timecode(s['reference_end'])}"
                          for s in m.get("segments", []))
        items.append(f'<li class="bad"><b>audio-match</b>: the sound of '
                     f"{_text(m['reference_id'], 100)} is in this video ({_text(spans)}), the "
                     "picture is not: evidence from the sound only</li>")
    for m in result.get("matches", []):
        if m.get("recorded_on_screen"):
            items.append(f"<li>camera clock of {_text(m['reference_id'], 100)}: "
                         f"{_text(m['recorded_on_screen'])}</li>")
    cut_off = {m.get("reference_id"): m for m in [*result.get("matches", []),
                                                   *result.get("same_scene", [])]
               if isinstance(m.get("announced_duration"), (int, float))}
    for m in cut_off.values():  # each original once, matched and same scene alike
        items.append(f'<li class="bad">file of {_text(m["reference_id"], 100)}: cut off at '
                     f"registration, of {float(m['announced_duration']):.1f} s announced; "
                     "footage after the part the library holds cannot be matched</li>")
    items += [f"<li>camera clock in this video's picture: {_text(c.get('reads'), 40)} at "
              f"{timecode(float(c.get('time') or 0.0))}"
              f"{_text(clock_marks(c.get('mirrored'), c.get('in_original')))}</li>"
              for c in result.get("screen_clocks", [])[:MAX_TEXT_LINES]]
    lines = "; ".join(f"{timecode(t['time'])} “{_text(t['text'], 200)}”"
                      + (f' <span class="added">({ADDED_TEXT})</span>'
                         if t.get("added") is True else "")
                      + (f" ({MIRRORED_TEXT})" if t.get("mirrored") else "")
                      for t in result.get("burned_in_text", [])[:MAX_TEXT_LINES])
    if lines:
        items.append(f"<li>text in the picture: {lines}</li>")
    credentials = result.get("content_credentials") or {}
    if credentials and credentials.get("state") != "absent":
        css = {"invalid": ' class="bad"', "unreadable": ' class="bad"',
               "trusted": ' class="ok"'}.get(str(credentials.get("state")), "")
        details = "".join(f"<br>{label}: {_text(credentials.get(key), 300)}" for label, key in (
            ("signer", "signer"), ("issuer", "issuer"), ("made with", "claim_generator"),
            ("signed", "signed_at")) if credentials.get(key))
        actions = ", ".join(credentials.get("actions") or [])
        problems = "; ".join(credentials.get("problems") or [])
        items.append(f"<li{css}><b>Content Credentials "
                     f"({_text(credentials.get('state'))})</b>: {_text(credentials.get('summary'))}"
                     f"{details}" + (f"<br>actions: {_text(actions)}" if actions else "")
                     + (f"<br>problems: {_text(problems)}" if problems else "") + "</li>")
    return (f"<h2>Sound, text and credentials</h2><ul class=\"claims\">{''.join(items)}</ul>"
            if items else "")


def _skipped(notes: Sequence[Any], said_above: Sequence[str] = ()) -> str:
    """Stages that did not run or were cut short, and why (but for what the article's section
    says of every video, ``said_above``)."""
    items = "".join(f"<li class=\"muted\">{_text(s)}</li>" for s in notes
                    if s not in said_above)
    return f"<h2>Not examined</h2><ul class=\"claims\">{items}</ul>" if items else ""


def _source(result: Mapping[str, Any]) -> str:
    record = result.get("provenance")
    record = record if isinstance(record, dict) else {}
    rows = [(label, record.get(key)) for label, key in (
        ("article", "article"), ("article published", "article_published"),
        ("found in the page as", "found_in"), ("requested URL", "requested_url"),
        ("uploader", "uploader"), ("upload date", "upload_date"), ("title", "title"),
        ("retrieved", "retrieved_at"), ("sha256", "sha256"))]
    # yt-dlp's upload date is YYYYMMDD: shown as ISO 8601, like every other date here.
    rows = [(label, iso_date(value) or value if label == "upload date" else value)
            for label, value in rows]
    if from_cache(record):  # read from the download cache: not downloaded for this report
        rows = [(label, from_cache(record) if label == "retrieved" else value)
                for label, value in rows]
    body = "".join(f"<tr><th>{label}</th><td><code>{_text(value)}</code></td></tr>"
                   for label, value in rows if value)
    return f"<h2>Where this video came from</h2><table>{body}</table>" if body else ""


def _not_verified(result: Mapping[str, Any]) -> str:
    """A video that could not be verified at all (a file that does not decode, a download that
    failed): what went wrong and what to do, once, without a footage verdict (a desk audit's
    empty file read "Footage: INCONCLUSIVE. Too little evidence to say.", its error thrice)."""
    colour, _ = _RATINGS["inconclusive"]
    hint = f"<p><b>Hint:</b> {_text(result.get('hint'))}</p>" if result.get("hint") else ""
    return (f'<section class="video"><div class="banner" style="background:{colour}">'
            f'<span class="v">NOT VERIFIED</span>{_text(result.get("error"))}</div>'
            f"<p>{_query_name(result)}</p>{hint}{_source(result)}</section>")


def _query_name(result: Mapping[str, Any]) -> str:
    """The verified video: its URL, or a local file's name alone. The page is made to be
    shared, and a path tells the checker's folders and user name."""
    return f"<code>{_text(file_name(str(result.get('query', ''))), 400)}</code>"


def _video(r_index: int, result: Mapping[str, Any], images: Mapping[str, bytes],
           notes: Mapping[str, str], said_above: Sequence[str] = ()) -> str:
    if result.get("error"):
        return _not_verified(result)
    colour, label, meaning = _VERDICTS.get(result.get("verdict", ""), _VERDICTS["inconclusive"])
    unexplained = ", ".join(f"{timecode(u['query_start'])}–{timecode(u['query_end'])}"
                            for u in result.get("unexplained", [])) or "none"
    shown = [(m, moment, spans) for m in result.get("same_scene", [])
             for moment, spans in _same_view(result.get("verdict", ""), m).items()]
    same = "".join(f"<li>{_text(m['reference_id'])}, {moment}: query "
                   + ", ".join(f"{timecode(a)}–{timecode(b)}" for a, b in spans)
                   + f" (its view is in {float(m['score']):.0%} of the video's frames)</li>"
                   for m, moment, spans in shown)
    moment = " / ".join(sorted({moment for _, moment, _ in shown}))
    footage = (f'<div class="footage" style="border-color:{colour}"><b>Footage: {label}.</b> '
               f"{meaning} Confidence {float(result.get('confidence') or 0):.2f}.</div>")
    if not result.get("finding"):  # a version 1 result: the footage verdict is its headline
        footage = (f'<div class="banner" style="background:{colour}"><span class="v">{label}'
                   f"</span>{meaning} Confidence {float(result.get('confidence') or 0):.2f}."
                   "</div>")
    return (
        f'<section class="video">{_finding_banner(result.get("finding"))}{footage}'
        f"<p>{_query_name(result)}<br>"
        f"{_text(result.get('reason'))}</p>"
        f"<h2>Timeline</h2>{_timeline(result)}<p class=\"muted\">Not explained by the "
        f"library: {unexplained}</p>"
        + (f"<h2>Segments, side by side</h2>{_segments(r_index, result, images, notes)}"
           if result.get("matches") else "")
        + (f"<h2>Same camera, {moment}</h2><ul>{same}</ul>" if same else "")
        + _originals(result) + _claims(result) + _evidence(result)
        + _skipped(result.get("skipped", []), said_above)
        + _source(result)
        + "</section>")


_METHOD = """<h2>How this was determined</h2>
<p>Each video was decoded once and sampled {fps:g} times a second by its timestamps. Bars around
the picture were removed and every sample was reduced to a perceptual hash of the picture, of its
mirror image, and of what changed since the previous sample. Originals sharing views with the
repost were found in the library, then aligned in time: a segment is reported only where many
samples agree on one offset between repost and original, both in what the picture shows and in
what moves in it. A single frame never decides, and a fixed camera's background alone cannot
make a match: that is reported as <i>same scene</i>. {evidence} What the page says about each
video (its caption, the paragraphs around it, the embed's title, the post's own text and upload
metadata, and the page's headline and lede, which are about every video) was read for dates,
places and sources and compared with what the library records about the matched originals. A
date the page or post says it was published is not a claim about when the footage was filmed,
only an upper bound on it. The finding at the top follows from the footage verdict and those
claims.</p>"""


_SOUND_COMPARED = (
    "The sound track's fingerprint was compared with the matched originals' on the same time "
    "mapping (the same sound, none, or replaced), and searched alone where the picture matched "
    "nothing (an <i>audio-match</i> is evidence from the sound only).")
_TEXT_READ = "Text burned into a few frames was read."
_CREDENTIALS_READ = ("A C2PA manifest (Content Credentials) was validated where the file "
                     "carries one.")


def _checks_made(results: Sequence[Mapping[str, Any]]) -> str:
    """The method's sentences on the sound, burned-in text and Content Credentials: each said
    to be made only where it was made for a video (a desk audit: a report made without OCR or
    c2pa-python said both had run). Each video's "Not examined" says why."""
    done = [r for r in results if not r.get("error")]

    def made(skipped_as: tuple[str, ...]) -> bool:
        return any(not any(str(s).startswith(skipped_as) for s in r.get("skipped", []))
                   for r in done)

    credentials = made((CREDENTIALS_STAGE, f"{BURNED_IN} and {CREDENTIALS_STAGE}")) and any(
        (r.get("content_credentials") or {}).get("state") != "skipped" for r in done)
    return " ".join((
        # "sound:", not "sound-only search:", a search the stage cut short
        _SOUND_COMPARED if made((f"{SOUND_STAGE}:",)) else "The sound was not compared.",
        _TEXT_READ if made((BURNED_IN,)) else "Text burned into the picture was not read.",
        _CREDENTIALS_READ if credentials else "Content Credentials (C2PA) were not validated."))


def _jsonld_script(report: Mapping[str, Any], publisher: str | None) -> str:
    """The schema.org MediaReview/ClaimReview, embedded as publishers embed it."""
    from .jsonld import script_text, to_jsonld

    documents = to_jsonld(report, publisher)
    return f'<script type="application/ld+json">{script_text(documents)}</script>'


def to_html(report: Mapping[str, Any], images: Mapping[str, bytes] | None = None,
            notes: Mapping[str, str] | None = None, publisher: str | None = None) -> str:
    """The report as one HTML document; ``notes`` by the images' keys; ``publisher``: the
    organisation named as author of its embedded JSON-LD."""
    images, notes = images or {}, notes or {}
    results = _results(report)
    first = results[0] if results else {}
    settings = first.get("settings") or {}
    tool = first.get("tool") or {}
    title = "provenance report"
    if report.get("article"):
        title += f": {display_name(str(report['article']))}"
    generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    shared = shared_notes([[str(s) for s in r.get("skipped", [])] for r in results])
    body = "".join(_video(i, r, images, notes, shared) for i, r in enumerate(results))
    if len(results) > 1 and (report.get("finding") or shared):
        banner = _finding_banner(report["finding"]) if report.get("finding") else ""
        body = f"<h2>The article</h2>{banner}{_skipped(shared)}{body}"
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_text(title, 200)}</title><style>{_CSS}</style>"
        f"{_jsonld_script(report, publisher)}"
        "</head><body><main>"
        f"<h1>{_text(title, 300)}</h1>"
        f"<p class=\"muted\">{len(results)} video(s) · provenance "
        f"{_text(tool.get('version', ''))} · generated {generated}</p>{body}"
        + (_METHOD.format(fps=float(settings.get("sample_fps") or 4.0),
                          evidence=_checks_made(results))
           if any(not r.get("error") for r in results) else "")
        + "</main></body></html>\n")
