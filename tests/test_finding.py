"""The finding: claims bound to each video, event vs publication dates, the rating, and the
claims a checker types (verify --claim-*), on real media and real pages."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from provenance.cli import main
from provenance.finding import assess, overall
from provenance.models import (
    Alignment,
    Claim,
    ClaimKind,
    ClaimStatus,
    DetectedEdit,
    Edit,
    Original,
    Rating,
    Segment,
    Verdict,
)
from provenance.pipeline import verify_article
from provenance.report import schema
from tests.conftest import Media


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


TWO_VIDEOS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Two videos of the same night</title>
<meta property="article:published_time" content="2016-03-20T10:00:00Z"></head><body><article>
<h1>Two videos of the same night</h1>
<p class="byline">Published 20 March 2016</p>
<p>Two videos have been shared widely this week.</p>
<figure><video src="{first}"></video><figcaption>Filmed on 16 September 2015.</figcaption></figure>
<p>The first clip has been viewed 40,000 times.</p>
<figure><video src="{second}"></video><figcaption>Recorded on 3 March 2016, according to the
account that posted it.</figcaption></figure>
</article></body></html>"""


def test_two_videos_each_checked_against_its_own_caption(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "two.html"
    # a saved page names videos in its own folder (a path outside it is refused)
    shutil.copy(media.cam_a, tmp_path / "first.mp4")
    shutil.copy(media.cam_b, tmp_path / "second.mp4")
    page.write_text(TWO_VIDEOS.format(first="first.mp4", second="second.mp4"))
    first, second = verify_article(str(page), library_path)
    dates = {(c.value, c.applies_to) for c in first.claims if c.kind is ClaimKind.DATE}
    assert dates == {("2015-09-16", 0)}  # not "3 March 2016", which is under the second video
    assert all(c.status is ClaimStatus.CONSISTENT for c in first.claims
               if c.kind is ClaimKind.DATE)
    assert first.finding is not None and first.finding.rating is Rating.AUTHENTIC
    (claimed,) = [c for c in second.claims if c.kind is ClaimKind.DATE]
    assert (claimed.value, claimed.applies_to, claimed.found_in) == ("2016-03-03", 1,
                                                                    "figcaption")
    assert claimed.status is ClaimStatus.CONTRADICTED
    assert second.finding is not None and second.finding.rating is Rating.MISCAPTIONED
    assert "3 March 2016" in second.finding.summary
    assert "recorded 2015-09-14 to 2015-09-15" in second.finding.summary
    # the publication date is an upper bound, for both videos, and holds for both
    for result in (first, second):
        published = [c for c in result.claims if c.kind is ClaimKind.PUBLISHED]
        assert published and all(c.status is ClaimStatus.CONSISTENT for c in published)


def test_a_page_whose_only_date_is_its_publication_date(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "published.html"
    shutil.copy(media.cam_a, tmp_path / "clip.mp4")
    page.write_text("""<html><head><title>CCTV clip</title>
<meta property="article:published_time" content="2024-03-15"></head><body>
<h1>CCTV clip shows the terminal</h1><p class="byline">Published 15 March 2024</p>
<p>The clip below circulated on social media.</p><video src="clip.mp4"></video>
</body></html>""")
    (result,) = verify_article(str(page), library_path)
    assert not [c for c in result.claims if c.status is ClaimStatus.CONTRADICTED]
    assert not [c for c in result.claims if c.kind is ClaimKind.DATE]
    assert {c.found_in for c in result.claims if c.kind is ClaimKind.PUBLISHED} == {
        "byline", "page metadata"}
    assert result.finding is not None and result.finding.rating is Rating.AUTHENTIC


def test_claim_date_on_a_bare_file_decides_the_finding(media: Media, library_path: Path) -> None:
    code, out, _ = run("verify", media.cam_a, "--db", library_path, "--json", "--check",
                       "--claim-date", "2015-10-22", "--caption", "attaque eurotunnel 22/10/2015")
    result = json.loads(out)
    assert code == 10 and result["finding"]["rating"] == "miscaptioned"
    assert "2015-10-22" in result["finding"]["summary"]
    assert {c["found_in"] for c in result["claims"] if c["status"] == "contradicted"} == {
        "command line", "command line (caption)"}
    jsonschema.Draft202012Validator(schema()).validate(result)
    code, out, _ = run("verify", media.cam_a, "--db", library_path, "--json", "--check",
                       "--claim-date", "16/09/2015", "--claim-source", "Operator CCTV")
    result = json.loads(out)
    assert code == 0 and result["finding"]["rating"] == "authentic"
    assert result["finding"]["mediareview"] == "OriginalMediaContent"
    code, out, _ = run("verify", media.cam_a, "--db", library_path, "--claim-source",
                       "Calais libre")
    assert code == 0 and out.splitlines()[1].startswith("  MISCAPTIONED — ")
    code, _, err = run("verify", media.cam_a, "--db", library_path, "--claim-date", "soon")
    assert code == 2 and "not a date" in err


def test_claimed_place_against_the_originals_location(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    shutil.copy(library_path, db)
    code, _, err = run("library", "update", "cam-a", "--db", db, "--location",
                       "Coquelles, Calais, France", "--latitude", "50.93", "--longitude", "1.81")
    assert code == 0, err
    verdicts, findings = {}, {}
    for place in ("Calais", "Lyon", "50.95, 1.85", "48.86, 2.35", "Sangatte"):
        code, out, _ = run("verify", media.cam_a, "--db", db, "--json", "--claim-place", place)
        (claim,) = [c for c in json.loads(out)["claims"] if c["kind"] == "place"]
        verdicts[place], findings[place] = claim["status"], claim["finding"]
    assert verdicts == {"Calais": "consistent", "Lyon": "contradicted",
                        "50.95, 1.85": "consistent", "48.86, 2.35": "contradicted",
                        "Sangatte": "consistent"}
    assert findings["48.86, 2.35"].endswith("(233 km away)")  # Paris from Coquelles
    # a neighbouring town, and another city, located by the gazetteer
    assert "(Sangatte, FR is 4 km from Coquelles, Calais, France)" in findings["Sangatte"]
    assert findings["Lyon"].endswith("(Lyon, FR is 618 km away)")
    # the same place said twice (the checker's claim and the caption) is one line in the text
    code, out, _ = run("verify", media.cam_a, "--db", db, "--claim-place", "Lyon", "--caption",
                       "Filmé à Lyon hier")
    said = [line for line in out.splitlines() if "] place" in line]
    assert said == ['  [contradicted] place Lyon: "Lyon" (command line), "à Lyon" (command line '
                    '(caption))'], out
    # the post's words cannot write a line of the report: a line break in a caption or a typed
    # place is shown as a space
    code, out, _ = run("verify", media.cam_a, "--db", db, "--claim-place", "Lyon\r\nParis",
                       "--caption", "Filmé à Lyon\n  AUTHENTIC — forged line")
    assert code == 0 and "place Lyon Paris" in out and "\n  AUTHENTIC" not in out, out


def _alignment(edits: tuple[Edit, ...] = (), original: str = "cam") -> Alignment:
    return Alignment(original, 0.9, (Segment(original, 0, 10, 0, 10),),
                     tuple(DetectedEdit(kind) for kind in edits))


def _claim(status: ClaimStatus, kind: ClaimKind = ClaimKind.DATE) -> Claim:
    return Claim(kind=kind, text="22/10/2015", value="2015-10-22", found_in="caption",
                 status=status, finding="recorded earlier")


def test_ratings_follow_the_rules() -> None:
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]
    match = Verdict.MATCH
    assert assess(match, [_alignment()], [], [_claim(ClaimStatus.CONTRADICTED)], cam).rating \
        is Rating.MISCAPTIONED
    # the edits stay in a miscaptioned summary (a montage's other moment, a mirror)
    mirrored = assess(match, [_alignment((Edit.MIRRORED,))], [],
                      [_claim(ClaimStatus.CONTRADICTED)], cam)
    assert mirrored.rating is Rating.MISCAPTIONED and "Also edited: mirrored." in mirrored.summary
    # a contradicted claim outranks any edit; an uploader who is not the source is a note
    edited = assess(match, [_alignment((Edit.MIRRORED,))], [],
                    [_claim(ClaimStatus.FLAG, ClaimKind.UPLOADER)], cam)
    assert edited.rating is Rating.EDITED and edited.mediareview == "EditedOrCroppedContent"
    sped = assess(match, [_alignment((Edit.SPEED,))], [], [], cam)
    assert sped.mediareview == "TransformedContent"
    measured = Alignment("cam", 0.9, (Segment("cam", 0, 10, 0, 11.2, speed=1.12),),
                         (DetectedEdit(Edit.SPEED, speed=1.12),))
    assert "speed changed (x1.12)" in assess(match, [measured], [], [], cam).summary
    assert str(measured.edits[0]) == "speed x1.12"
    two = [_alignment(), _alignment(original="cam2")]
    montage = assess(match, two, [(10.0, 15.0)], [], cam)
    assert montage.rating is Rating.EDITED and "montage" in montage.summary
    # stitched from several originals, every second authentic: still an edit
    stitched = assess(match, two, [], [], cam)
    assert stitched.rating is Rating.EDITED and "a montage of 2 originals" in stitched.summary
    # the registered moment spliced with the same camera at another moment (the Eurotunnel
    # montage's kind): every matched second is authentic, the rest is not the registered footage
    later = Alignment("cam", 0.7, (Segment("cam", 10, 15, 0, 0),))
    mixed = assess(match, [_alignment()], [], [], cam, same_scene=[later])
    assert mixed.rating is Rating.EDITED
    assert "5.0 s of it show the camera of cam at another moment" in mixed.summary
    # a piece whose moment the evidence left open is not said to be another moment, but it is
    # not the registered footage as far as the evidence goes (like unexplained footage)
    unsettled = Alignment("cam", 0.7, (Segment("cam", 10, 15, 0, 0, unsettled=True),))
    left_open = assess(match, [_alignment()], [], [], cam, same_scene=[unsettled])
    assert left_open.rating is Rating.EDITED and "another moment" not in left_open.summary
    assert ("5.0 s of it show the camera of cam at a moment the evidence does not establish"
            in left_open.summary)
    # another moment beside seconds whose moment is open: both said
    both = Alignment("cam", 0.9, (Segment("cam", 0, 5, 0, 0),
                                  Segment("cam", 5, 11, 0, 0, unsettled=True)))
    scene = assess(Verdict.SAME_SCENE, [], [], [], cam, same_scene=[both])
    assert scene.rating is Rating.SAME_SCENE and "recycled or misdated" in scene.summary
    assert "6.0 s of it show the camera of cam at a moment the evidence does not establish" \
        in scene.summary
    # the ends of a sample are no footage
    end = Alignment("cam", 0.7, (Segment("cam", 10, 10.25, 0, 0),))
    assert assess(match, [_alignment()], [], [], cam, same_scene=[end]).rating is Rating.AUTHENTIC
    assert assess(match, [_alignment()], [(10.0, 10.32)], [], cam).rating is Rating.AUTHENTIC
    # a same-instant check that does not clearly confirm the moment is a caution, not an edit
    unsure = Alignment("cam", 0.9, (Segment("cam", 0, 10, 0, 10, moment=0.55),))
    cautious = assess(match, [unsure], [], [], cam)
    assert cautious.rating is Rating.AUTHENTIC
    assert any("does not clearly confirm the very moment" in r for r in cautious.reasons)
    assert "Caution: the same-instant check does not clearly confirm" in cautious.summary
    sure = Alignment("cam", 0.9, (Segment("cam", 0, 10, 0, 10, moment=0.05),))
    assert not any("clearly" in r for r in assess(match, [sure], [], [], cam).reasons)
    # a trim of a few per cent a side is listed with the match, not an edit a reader must know
    def cropped(share: float) -> Alignment:
        return replace(_alignment(), edits=(DetectedEdit(Edit.CROPPED, share=share),))
    assert assess(match, [cropped(0.85)], [], [], cam).rating is Rating.AUTHENTIC
    cut = assess(match, [cropped(0.72)], [], [], cam)
    assert cut.rating is Rating.EDITED and "cropped to part of the picture" in cut.summary
    # re-encoding, resizing, letterboxing and grayscale are not edits a reader must know
    plain = assess(match, [_alignment((Edit.GRAYSCALE,))], [], [_claim(ClaimStatus.CONSISTENT)],
                   cam)
    assert plain.rating is Rating.AUTHENTIC and plain.mediareview == "OriginalMediaContent"
    # another moment of a registered camera is no evidence of a wrong context by itself...
    assert assess(Verdict.SAME_SCENE, [], [], [], cam).mediareview is None
    # ... but it still has the camera's place
    lyon = Claim(kind=ClaimKind.PLACE, text="in Lyon", value="Lyon", found_in="caption",
                 status=ClaimStatus.CONTRADICTED, finding="footage of cam was filmed at Calais, "
                 "not Lyon")
    elsewhere = assess(Verdict.SAME_SCENE, [], [], [lyon], cam)
    assert elsewhere.rating is Rating.SAME_SCENE
    assert elsewhere.mediareview == "DecontextualizedContent"
    assert elsewhere.summary.endswith("; footage of cam was filmed at Calais, not Lyon.")
    # the camera's view at a moment not established: its place still said, and what to do
    view = Alignment("cam", 0.9, (Segment("cam", 0, 6, 0, 0),))
    undecided = assess(Verdict.INCONCLUSIVE, [], [], [lyon], cam, reason="moment not told",
                       same_scene=[view])
    assert undecided.rating is Rating.INCONCLUSIVE
    assert "footage of cam was filmed at Calais, not Lyon" in undecided.summary
    assert "To decide, find a longer or less edited copy" in undecided.summary
    assert "recycled" not in undecided.summary
    assert assess(Verdict.NO_MATCH, [], [], [], []).rating is Rating.UNVERIFIED
    failed = assess(Verdict.INCONCLUSIVE, [], [], [], [], error="download refused")
    assert failed.rating is Rating.INCONCLUSIVE and "download refused" in failed.summary
    worst = overall([plain, edited, assess(match, [_alignment()], [],
                                           [_claim(ClaimStatus.CONTRADICTED)], cam)])
    # the other videos' findings are said too (a desk audit: "1 of 2 videos miscaptioned"
    # left out the other's wrong place)
    assert worst.rating is Rating.MISCAPTIONED and worst.summary.endswith(
        "(1 of 3 videos miscaptioned; 1 edited; 1 authentic).")
    misplaced = replace(assess(Verdict.SAME_SCENE, [], [], [], cam), mediareview="x")
    miscaptioned = assess(match, [_alignment()], [], [_claim(ClaimStatus.CONTRADICTED)], cam)
    assert overall([miscaptioned, misplaced]).summary.endswith(
        "(1 of 2 videos miscaptioned; 1 same-scene, 1 of them with a claimed place "
        "contradicted).")


def test_a_date_claimed_twice_in_two_ways_is_said_once() -> None:
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]
    stated = replace(_claim(ClaimStatus.CONTRADICTED), text="2015-10-22", found_in="stated")
    later = replace(_claim(ClaimStatus.CONTRADICTED), text="23/10/2015", value="2015-10-23")
    claims = [stated, _claim(ClaimStatus.CONTRADICTED), later]
    summary = assess(Verdict.MATCH, [_alignment()], [], claims, cam).summary
    # not "captioned as 2015-10-22 and 22/10/2015" (a desk audit): one date, then another
    assert "captioned as 2015-10-22 and 23/10/2015." in summary and "22/10/2015" not in summary
    # a date written in words is said with the date it was read as (a desk audit: "captioned as
    # yesterday")
    yesterday = replace(_claim(ClaimStatus.CONTRADICTED), text="yesterday", value="2015-10-22")
    summary = assess(Verdict.MATCH, [_alignment()], [], [yesterday], cam).summary
    assert 'captioned as 2015-10-22 ("yesterday").' in summary


def test_a_montages_originals_are_said_each_with_its_date_as_a_reader_reads_it() -> None:
    road = Original(id="road", source="DIR Nord", recorded_at="2015-09-16")
    line = Original(id="line", source="Factory", recorded_at="2019-03-02T10:00:00+00:00")
    montage = [_alignment(original="road"), _alignment(original="line")]
    summary = assess(Verdict.MATCH, montage, [], [], [road, line]).summary
    # not "recorded 2015-09-16 to 2019-03-02T10:00:00+00:00" (a desk audit): no span, no ISO;
    # each source with its own date
    assert "DIR Nord (recorded 2015-09-16) and Factory (recorded 2019-03-02 10:00 UTC)" in \
        summary
    # three: "A, B and C", not "A and B and C" (a desk audit)
    hall = Original(id="hall", source="Intel", recorded_at="2018-11-07")
    summary = assess(Verdict.MATCH, [*montage, _alignment(original="hall")], [], [],
                     [road, line, hall]).summary
    assert "DIR Nord (recorded 2015-09-16), Factory (recorded 2019-03-02 10:00 UTC) and Intel" \
        in summary


def test_as_claimed_says_which_claims_agree() -> None:
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]

    def summary(*kinds: ClaimKind) -> str:
        claims = [_claim(ClaimStatus.CONSISTENT, kind) for kind in kinds]
        return assess(Verdict.MATCH, [_alignment()], [], claims, cam).summary

    assert summary(ClaimKind.DATE).endswith("recorded 2015-09-16, as claimed.")
    # a place or a source alone says nothing of the date (a desk audit: it read "as claimed")
    assert summary(ClaimKind.PLACE).endswith(
        "recorded 2015-09-16; the claimed place agrees with it.")
    assert summary(ClaimKind.PLACE, ClaimKind.SOURCE).endswith(
        "; the claimed place and source agree with it.")
    assert summary(ClaimKind.DATE, ClaimKind.PLACE, ClaimKind.SOURCE).endswith(
        ", as claimed (date, place and source).")
    # what was claimed and could not be checked is said, not covered by "as claimed" (a desk
    # audit: a place nothing was known of, beside an agreeing date)
    claims = [_claim(ClaimStatus.CONSISTENT, ClaimKind.DATE),
              _claim(ClaimStatus.UNCHECKED, ClaimKind.PLACE)]
    assert assess(Verdict.MATCH, [_alignment()], [], claims, cam).summary.endswith(
        ", as claimed (date); the claimed place could not be checked.")


def test_claims_left_to_the_checker_for_their_language_are_said() -> None:
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]
    german = [replace(_claim(ClaimStatus.UNCHECKED, ClaimKind.DATE), language="de")] * 2
    summary = assess(Verdict.MATCH, [_alignment()], [], german, cam).summary
    assert "no claim about it could be checked" not in summary
    assert "2 claim(s) written in German are left to the checker" in summary


def test_authentic_footage_with_a_claim_that_disagrees_as_read_is_inconclusive() -> None:
    """A desk audit: a Russian caption whose date, as read, was four years off gave "Authentic"
    and a MediaReview "OriginalMediaContent"."""
    from datetime import date

    from provenance.claims import check, read_claims
    from provenance.models import Passage

    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]

    def finding(caption: str) -> tuple[str, str]:
        said = check(read_claims([Passage(caption, "figcaption")], date(2020, 1, 1)), cam)
        result = assess(Verdict.MATCH, [_alignment()], [], said, cam)
        return result.rating.value, result.summary

    rating, summary = finding("Видео снято на Крещатике 22.10.2019, очевидцы в шоке")
    assert rating == "inconclusive", summary
    assert "1 claim(s) written in Russian do not agree with it as read" in summary
    # a claim that agrees as read leaves the footage authentic, said to be left to the checker
    rating, summary = finding("Видео снято на Крещатике 16.09.2015, очевидцы в шоке")
    assert rating == "authentic" and "written in Russian are left to the checker" in summary


def test_unexplained_time_is_added_footage_only_where_the_video_cuts_to_it() -> None:
    """A stretch the library does not explain, with no cut in it or at its ends, continues the
    matched shot: not said to be footage added (a 20 % crop of one shot, matched over 5 s of
    15, was), but a caution; where the video cuts to it, or where its cuts are unknown, it is
    added footage as before."""
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]
    matched = [_alignment()]  # query 0-10 s
    gap = [(10.0, 15.0)]
    same_shot = assess(Verdict.MATCH, matched, gap, [], cam, cuts=[])
    assert same_shot.rating is Rating.AUTHENTIC and "was added" not in same_shot.summary
    assert ("Caution: 5.0 s of the matched shot (no cut sets it apart) could not be placed"
            in same_shot.summary)
    for cuts in ([10.0], [12.5], [15.25], None):
        added = assess(Verdict.MATCH, matched, gap, [], cam, cuts=cuts)
        assert added.rating is Rating.EDITED, cuts
        assert "footage the library does not explain was added" in added.summary, cuts
        assert "Caution" not in added.summary
    # a cut elsewhere does not set this stretch apart
    far = assess(Verdict.MATCH, matched, gap, [], cam, cuts=[4.0])
    assert "was added" not in far.summary and "could not be placed" in far.summary
    # more of the shot unplaced than matched: not authentic (a desk audit: a crop's
    # fingerprint file, 3.2 s of 20 s matched, was); an edited one says its edits
    short = [Alignment("cam", 0.5, (Segment("cam", 4.8, 8.0, 4.8, 8.0),))]
    rest = [(0.0, 4.8), (8.0, 20.0)]
    unplaced = assess(Verdict.MATCH, short, rest, [], cam, cuts=[])
    assert unplaced.rating is Rating.INCONCLUSIVE, unplaced.summary
    assert "over 3.2 s, but 16.8 s more of the same shot could not be placed" in unplaced.summary
    assert unplaced.summary.count("could not be placed") == 1
    cropped = [Alignment("cam", 0.5, (Segment("cam", 4.8, 8.0, 4.8, 8.0),),
                         (DetectedEdit(Edit.CROPPED, boxes=((0.2, 0.2, 0.8, 0.8),), share=0.36),))]
    assert assess(Verdict.MATCH, cropped, rest, [], cam, cuts=[]).rating is Rating.EDITED


def test_a_picture_held_in_one_originals_footage_is_not_said_out_of_order() -> None:
    # A helper's audit: the bottle line's 3-8 s, its last frame held 3 s, then its 8-14 s:
    # matched 0-5.3 s at 3.0 and 10.9-14 s at 10.9. The original's order is kept; the repost
    # took 5.6 s over 2.6 s of it. It was said "its 10.9 s shown after its 8.3 s, out of order".
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]

    def said(second: Segment) -> str:
        first = Segment("cam", 0.0, 5.28, 3.0, 8.28, evidence=19)
        pieces = [Alignment("cam", 0.9, (first, second))]
        return assess(Verdict.MATCH, pieces, [(5.28, second.query_start)], [], cam,
                      cuts=[]).summary

    held = said(Segment("cam", 10.89, 14.0, 10.9, 14.01, evidence=12))
    assert "cut within the footage of cam at 10.9 s: 3.0 s more between its 8.3 s and its " \
           "10.9 s than the original takes (a picture held or footage put in)" in held, held
    assert "out of order" not in held
    # As the pieces are now found (the held picture ends a run): the second piece takes up
    # where the first left off, 2.7 s of the repost later.
    resumed = said(Segment("cam", 8.0, 14.0, 8.3, 14.3, evidence=19))
    assert "cut within the footage of cam at 8.0 s: 2.7 s more at its 8.3 s than the " \
           "original takes (a picture held or footage put in)" in resumed, resumed
    # The piece before the freeze ran 0.2 s into it, past where the next takes up: still in
    # the original's order (it was "its 8.1 s shown after its 8.3 s, out of order").
    overrun = said(Segment("cam", 8.0, 14.0, 8.1, 14.1, evidence=19))
    assert "2.9 s more at its 8.1 s than the original takes" in overrun, overrun
    assert "out of order" not in overrun
    back = said(Segment("cam", 10.89, 14.0, 1.0, 4.11, evidence=12))
    assert "its 1.0 s shown after its 8.3 s, out of order" in back, back
    # Played at 1.25x around a 2 s freeze (a helper's audit: it read "2.6 s more", the
    # original's seconds the repost's 2.0 s would have shown).
    first = Segment("cam", 0.0, 4.8, 1.0, 7.0, speed=1.25, evidence=12)
    fast = assess(Verdict.MATCH, [Alignment("cam", 0.9, (
        first, Segment("cam", 6.8, 14.0, 7.0, 16.0, speed=1.25, evidence=20)))],
        [(4.8, 6.8)], [], cam, cuts=[]).summary
    assert "cut within the footage of cam at 6.8 s: 2.0 s more at its 7.0 s than the " \
           "original takes" in fast, fast


def test_a_frozen_frame_between_two_pieces_is_said_once_and_does_not_hide_a_jump() -> None:
    # A helper's audit: pieces at 1.5x around a 2 s frozen frame the aligner marked held.
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]
    first = Segment("cam", 0.0, 4.0, 2.0, 8.0, speed=1.5, evidence=12)
    freeze = Alignment("cam", 0.5, (Segment("cam", 4.0, 6.0, 0.0, 0.0, held=True,
                                            unsettled=True),))

    def said(second: Segment) -> str:
        return assess(Verdict.MATCH, [Alignment("cam", 0.9, (first, second))], [], [], cam,
                      same_scene=[freeze], cuts=[]).summary

    # The footage takes up where it froze: the freeze alone ("1.9 s more ... than the
    # original takes" said it twice).
    resumed = said(Segment("cam", 6.0, 10.0, 8.0, 14.0, speed=1.5, evidence=12))
    assert "a frozen frame: 2.0 s" in resumed and "cut within" not in resumed, resumed
    # It takes up 4 s further on: that jump is said (the freeze's 2 s at 1.5x had hidden 3).
    jumped = said(Segment("cam", 6.0, 10.0, 12.0, 18.0, speed=1.5, evidence=12))
    assert "cut within the footage of cam at 6.0 s: its 8.0-12.0 s not shown" in jumped, jumped


def test_a_version_1_result_is_still_rendered(demo_payload: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    old = json.loads(json.dumps(demo_payload))
    old["schema_version"] = 1
    del old["finding"]
    for result in old["results"]:
        result["schema_version"] = 1
        del result["finding"]
        for claim in result["claims"]:
            claim.pop("applies_to"), claim.pop("quote")
    saved = tmp_path / "v1.json"
    saved.write_text(json.dumps(old))
    code, _, err = run("report", saved, "-o", tmp_path / "v1.html", "--jsonld",
                       tmp_path / "v1.jsonld")
    assert code == 0, err
    page = (tmp_path / "v1.html").read_text()
    assert '<span class="v">MATCH</span>' in page and "MISCAPTIONED" not in page
    (review, *_) = json.loads((tmp_path / "v1.jsonld").read_text())
    assert review["@type"] == "MediaReview" and "version 1" in review["reviewBody"]


def test_two_frozen_frames_are_counted_apart() -> None:
    # A helper's audit: the room's pieces around two 1.5 s freezes read "a frozen frame: 2.8 s".
    cam = [Original(id="cam", source="Operator", recorded_at="2015-09-16")]
    pieces = (Segment("cam", 0.0, 5.0, 40.0, 45.0, evidence=12),
              Segment("cam", 6.4, 11.3, 45.0, 49.9, evidence=12),
              Segment("cam", 12.8, 17.4, 49.9, 54.5, evidence=12))
    held = Alignment("cam", 0.5, tuple(Segment("cam", a, b, 0.0, 0.0, held=True, unsettled=True)
                                       for a, b in ((5.0, 6.4), (11.3, 12.8))))
    two = assess(Verdict.MATCH, [Alignment("cam", 0.9, pieces)], [], [], cam,
                 same_scene=[held], cuts=[]).summary
    assert "2 frozen frames: 2.9 s of it in all hold a picture of the camera of cam" in two, two


def test_each_source_and_camera_is_said_with_its_own_recording_date() -> None:
    """A montage of two sources' footage recorded on two days pairs each source with its day,
    and so does a same-scene finding of two cameras (a desk audit read "from B and A recorded
    2018-11-20 and 2020-06-05", B's day being 2020-06-05)."""
    originals = [Original(id="road", source="City traffic dept", recorded_at="2020-06-05"),
                 Original(id="bottles", source="Factory QA", recorded_at="2018-11-20")]
    montage = [Alignment("road", 0.5, (Segment("road", 0.0, 5.0, 0.0, 5.0),)),
               Alignment("bottles", 0.5, (Segment("bottles", 5.0, 10.0, 0.0, 5.0),))]
    summary = assess(Verdict.MATCH, montage, [], [], originals).summary
    assert "from City traffic dept (recorded 2020-06-05) and Factory QA (recorded " \
           "2018-11-20)" in summary
    scene = assess(Verdict.SAME_SCENE, [], [], [], originals, same_scene=montage).summary
    assert "as road (recorded 2020-06-05) and bottles (recorded 2018-11-20)" in scene
    one_source = [replace(o, source="Operator") for o in originals]
    assert "from Operator recorded 2018-11-20 and 2020-06-05" in assess(
        Verdict.MATCH, montage, [], [], one_source).summary
    # an undated original, or one of no named source, is said as such (a review)
    undated = [originals[0], replace(originals[1], recorded_at="")]
    assert "from City traffic dept (recorded 2020-06-05) and Factory QA (at an unknown date)" \
        in assess(Verdict.MATCH, montage, [], [], undated).summary
    unnamed = [originals[0], replace(originals[1], source="")]
    assert "from City traffic dept (recorded 2020-06-05) and an unnamed source (recorded " \
           "2018-11-20)" in assess(Verdict.MATCH, montage, [], [], unnamed).summary


def test_a_place_said_twice_the_second_time_with_its_country_is_said_once() -> None:
    # a desk audit: "placed in Kharkiv, Ukraine and Kharkiv"
    cam = [Original(id="cam", location="Portland, Oregon, United States")]
    places = [Claim(kind=ClaimKind.PLACE, text=v, value=v, found_in="caption",
                    status=ClaimStatus.CONTRADICTED, finding="not there")
              for v in ("Kharkiv, Ukraine", "Kharkiv")]
    summary = assess(Verdict.MATCH, [_alignment()], [], places, cam).summary
    assert "placed in Kharkiv, Ukraine." in summary and "and Kharkiv" not in summary, summary
