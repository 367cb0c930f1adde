"""`provenance demo` on the bundled samples: the story end to end."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from provenance.cli import main
from provenance.demo import default_samples_dir


def test_demo_finds_every_original_in_the_repost_and_flags_the_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--json", "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    (video,) = report["results"]
    assert video["verdict"] == "match"
    truth = json.loads((Path(__file__).parent / "repost.truth.json").read_text())
    segments = {s["reference_id"]: s for m in video["matches"] for s in m["segments"]}
    for expected in truth:
        if expected["reference_id"] is None:
            continue
        got = segments[expected["reference_id"]]
        for key in ("query_start", "query_end", "reference_start", "reference_end"):
            assert abs(got[key] - expected[key]) <= 1.0, (expected["reference_id"], key)
    # Each shot's own edit, under the letterbox and caption the whole repost carries: the
    # cropped shot keeps the original's centre (6 % off each side, make_samples.py).
    edits = {m["reference_id"]: {e["kind"]: e for e in m["edit_details"]} for m in video["matches"]}
    for expected in truth:
        if expected["reference_id"] is None:
            continue
        kinds = set(edits[expected["reference_id"]])
        assert {"letterbox", "overlay"} <= kinds, expected["reference_id"]
        assert ("cropped" in kinds) == (expected["edit"] == "crop"), (expected, kinds)
        assert ("mirrored" in kinds) == (expected["edit"] == "mirror"), (expected, kinds)
    kept = edits["calais-cam1-platform"]["cropped"]["boxes"][0]
    assert all(abs(a - b) <= 0.02 for a, b in zip(kept, (0.06, 0.06, 0.94, 0.94), strict=True))
    unexplained = [(u["query_start"], u["query_end"]) for u in video["unexplained"]]
    filler = next(t for t in truth if t["reference_id"] is None)
    assert any(abs(a - filler["query_start"]) <= 1 and abs(b - filler["query_end"]) <= 1
               for a, b in unexplained)
    flagged = [c for c in video["claims"] if c["status"] == "contradicted"]
    assert any(c["value"] == "2015-10-22" and "before the claimed" in c["finding"]
               for c in flagged)
    # the finding: miscaptioned, naming the recorded and the claimed dates
    assert video["finding"]["rating"] == report["finding"]["rating"] == "miscaptioned"
    assert video["finding"]["mediareview"] == "DecontextualizedContent"
    summary = video["finding"]["summary"]
    assert "recorded 2015-09-15 and 2015-09-16" in summary and "22/10/2015" in summary
    # the operator's "mi-septembre" agrees; the article's publication date is only an upper
    # bound, never a contradicted claim about when it was filmed
    (vague,) = [c for c in video["claims"] if c["text"] == "mi-septembre"]
    assert vague["status"] == "consistent" and vague["value"] == "2015-09-11/2015-09-20"
    published = [c for c in video["claims"] if c["kind"] == "published"]
    assert published and all(c["status"] == "consistent" for c in published)
    assert all(c["value"] != "2015-10-22" or c["kind"] == "date" for c in flagged)
    assert {c["found_in"] for c in flagged} >= {"lede", "paragraph"}
    # The mirrored shot's own clock, mirror-written in the repost, is read and is the camera's
    # own (not an overlay); the finding about the claimed date cites it.
    if video["screen_clocks"]:  # read with the [evidence] extra only
        mirrored = [c for c in video["screen_clocks"] if c["mirrored"]]
        assert [c["reads"][:16] for c in mirrored] == ["2015-09-16T02:20"]
        assert all(t["added"] is False for t in video["burned_in_text"] if t["mirrored"])
        assert "which the camera clock in its picture contradicts too (it reads 2015-09-16 " \
               "02:20:" in summary
        (claim,) = [c for c in flagged if c["found_in"] == "lede"]
        assert "(read mirrored), 36 day(s) before the claimed 2015-10-22" in claim["finding"]


def test_demo_text_output(tmp_path: Path) -> None:
    report = tmp_path / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--report", str(report)])
    assert result.exit_code == 0
    assert report.is_file() and "MATCH" in report.read_text()
    assert "MATCH" in result.stdout and "calais-cam1-platform" in result.stdout
    assert "[contradicted] filmed 2015-10-22" in result.stdout
    assert "[consistent] published 2015-10-22" in result.stdout


def test_samples_are_small_and_complete() -> None:
    folder = default_samples_dir()
    total = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    assert total < 5 * 1024 * 1024
    for name in ("article.html", "repost.mp4", "originals.json"):
        assert (folder / name).is_file()
