"""Claimed dates, read in English and French, checked against the originals."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date

from provenance.claims import (
    check,
    check_dates,
    check_places,
    date_claims,
    find_dates,
    place_claims,
    read_claims,
    recorded_range,
)
from provenance.models import Claim, ClaimKind, Original, Passage


def test_dates_in_english_and_french() -> None:
    text = ("Publié le jeudi 22 octobre 2015. Filmed 22/10/2015, posted October 23, 2015; "
            "le 1er septembre 2015; ISO 2015-09-16; US style 10/23/2015; not a date 45/99/2015.")
    found = find_dates(text)
    assert [(d.isoformat(), span) for d, span in found] == [
        ("2015-10-22", "22 octobre 2015"),
        ("2015-10-22", "22/10/2015"),
        ("2015-10-23", "October 23, 2015"),
        ("2015-09-01", "1er septembre 2015"),
        ("2015-09-16", "2015-09-16"),
        ("2015-10-23", "10/23/2015"),
    ]


def test_recorded_ranges() -> None:
    assert recorded_range(Original(id="a", recorded_at="2015-09-16")) == (
        date(2015, 9, 16), date(2015, 9, 16))
    assert recorded_range(Original(id="a", recorded_at="2015-09-14/2015-09-18")) == (
        date(2015, 9, 14), date(2015, 9, 18))
    assert recorded_range(Original(id="a", recorded_at="2015-09-16T02:13:00Z")) == (
        date(2015, 9, 16), date(2015, 9, 16))
    assert recorded_range(Original(id="a", recorded_at="mid-September")) is None


def test_footage_recorded_before_the_claimed_date_is_flagged() -> None:
    claims = date_claims([("caption", "Filmed tonight 22/10/2015")])
    originals = [Original(id="cam1", recorded_at="2015-09-16")]
    (checked,) = check_dates(claims, originals)
    assert checked.status == "contradicted"
    assert "36 day(s) before the claimed 2015-10-22" in checked.finding
    (ok,) = check_dates(date_claims([("caption", "16 September 2015")]), originals)
    assert ok.status == "consistent"
    (unknown,) = check_dates(claims, [Original(id="cam2", recorded_at="")])
    assert unknown.status == "unchecked"


def test_claimed_sources_and_uploader_against_the_original() -> None:
    from provenance.claims import check_sources, scene_flags, source_claims

    texts = [("article text", "Publié le 22/10. Vidéo partagée par « Calais Info Direct ». "
                              "Filmed by Eurotunnel security staff."),
             ("video description", "Source: BBC News")]
    found = source_claims(texts)
    assert [(c.value, c.found_in) for c in found] == [
        ("Eurotunnel security staff", "article text"),
        ("Calais Info Direct", "article text"),
        ("BBC News", "video description"),
    ]
    original = Original(id="cam1", source="Eurotunnel control room")
    checked = check_sources(found, [original])
    status = {c.value: c.status for c in checked}
    assert status["Eurotunnel security staff"] == "consistent"
    assert status["BBC News"] == "contradicted"  # credited as the source: a false claim
    # "partagée par" says who posted it, not who filmed it: a note, not a false claim
    assert status["Calais Info Direct"] == "flag"
    assert [c.kind for c in found] == ["source", "uploader", "source"]
    # sources were named: no "names no source" note beside them
    assert not any("no source" in c.finding for c in checked)
    uncredited = check_sources(source_claims([("caption", "posted by Calais Info Direct")]),
                               [original])
    assert uncredited[-1].status == "flag" and "no source of the footage is named" in \
        uncredited[-1].finding
    (flag,) = scene_flags([Original(id="cam2", source="Op", recorded_at="2015-09-16")])
    assert flag.kind == "scene" and "not the registered moment" in flag.finding


# (caption, the source read, its status against footage from "Eurotunnel")
_CREDITS = [
    # the article "les" is taken whole, and a name goes on past an elided "d'"
    ("Images filmées par les caméras d'Eurotunnel", "caméras d'Eurotunnel", "consistent"),
    ("filmées par des caméras d'Eurotunnel", "des caméras d'Eurotunnel", "consistent"),
    # a kind of camera names no owner: not checked, not a false credit; nor do a place or a
    # capital that names no one (a second audit)
    ("Images filmées par les caméras de surveillance", "caméras de surveillance", "unchecked"),
    ("filmed by CCTV cameras", "CCTV cameras", "unchecked"),
    ("filmed by a CCTV camera near Calais", "a CCTV camera near Calais", "unchecked"),
    ("Source: Security camera footage", "Security camera footage", "unchecked"),
    # a camera with someone's name is that someone's, after "de la" too, and an institution
    # named in lower case is whose it is
    ("filmé par une caméra SNCF", "une caméra SNCF", "contradicted"),
    ("filmé par une caméra de surveillance de la SNCF", "une caméra de surveillance de la SNCF",
     "contradicted"),
    ("filmé par les caméras de la gendarmerie", "caméras de la gendarmerie", "contradicted"),
    # the source's name inside a longer word: "the tunnel" of "Eurotunnel"
    ("filmées par les caméras du tunnel", "caméras du tunnel", "consistent"),
    # whoever is said to have filmed it is checked, named or not
    ("Filmed by a passer-by", "a passer-by", "contradicted"),
    ("Filmed by BBC News", "BBC News", "contradicted"),
    ("Filmed by the BBC's crew", "BBC's crew", "contradicted"),
]


def test_a_described_source_is_no_false_credit() -> None:
    from provenance.claims import check_sources, source_claims

    footage = [Original(id="cam1", source="Eurotunnel")]
    for caption, value, status in _CREDITS:
        found = source_claims([("command line (caption)", caption)])
        assert [(c.value, c.status) for c in check_sources(found, footage)] == [
            (value, status)], caption


def test_a_caption_ending_with_its_credit_names_the_source() -> None:
    from provenance.claims import source_claims

    def credited(where: str, text: str) -> list[str]:
        return [c.value for c in source_claims([(where, text)])]

    assert credited("figcaption", "Le front de flammes à Landiras. Images SDIS 33") == ["SDIS 33"]
    assert credited("figcaption", "The tunnel at night - Video Eurotunnel.") == ["Eurotunnel"]
    # a clause or a capitalised title is no credit
    assert credited("figcaption", "Video shows the crash") == []
    assert credited("figcaption", "Video Shows Tram Crash In Lyon") == []
    assert credited("embed title", "Tram crash - Video Of The Day") == []
    # "video by": a desk audit's "Video by Intel IoT DevKit, filmed 2019" read no credit, and
    # in capitals one to "BY INTEL IOT DEVKIT"
    assert credited("figcaption", "Video by Intel IoT DevKit, filmed 2019") == [
        "Intel IoT DevKit"]
    assert credited("figcaption", "VIDEO BY INTEL IOT DEVKIT") == ["INTEL IOT DEVKIT"]
    assert credited("figcaption", "Crash on the A1. Video Reuters, AFP") == ["Reuters, AFP"]
    assert credited("figcaption", "Footage by the roadside near Lyon") == []


def places(text: str) -> list[str]:
    """The places a caption says (not the cities it names in passing: tests/test_places.py)."""
    from provenance.claims import place_claims

    return [c.value for c in place_claims([("figcaption", text)]) if not c.named_in_passing]


def test_places_named_with_a_kind_of_place_or_a_street() -> None:
    assert places("La Seine au pont de l'Alma, jeudi 2 juin 2016.") == ["pont de l'Alma"]
    assert places("Feu d'artifice filmé depuis le Vieux-Port") == ["Vieux-Port"]
    assert places("A bus attacked on Oxford Street tonight") == ["Oxford Street"]
    # "on" a platform or a day, "depuis" a platform: no place
    assert places("Posted on Facebook on Tuesday") == []
    assert places("Vidéo publiée depuis Facebook") == []


def test_a_country_or_region_after_a_place_says_which_one() -> None:
    # a desk audit: "Riots in Paris, Texas" was read as Paris (France, 343 km... away)
    assert places("Riots in Paris, Texas last night") == ["Paris, Texas"]
    assert places("Protest in London, Ontario today") == ["London, Ontario"]
    assert places("Storm in Nice, France.") == ["Nice, France"]
    assert places("Fire in Springfield, MO, USA") == ["Springfield, MO, USA"]
    # another place, or anything else, after the comma is not part of it
    assert places("Filmed in Calais, Dover was next") == ["Calais"]
    assert places("Crash in Lyon, Marseille and Paris") == ["Lyon"]
    # the other two are cities named in passing, which a place said leaves out
    from provenance.claims import kept_places, place_claims

    assert [c.value for c in kept_places(place_claims(
        [("figcaption", "Crash in Lyon, Marseille and Paris")]), None)] == ["Lyon"]


def test_a_dateline_of_several_parts_names_the_place() -> None:
    # a desk audit: neither was read as a place
    assert places("Calais, France - 22 October 2015: migrants run towards trucks") == [
        "Calais, France"]
    assert places("Piazza del Duomo, Milano, 22/10/2015") == ["Piazza del Duomo, Milano"]
    # capitals beyond Latin-1 ("İstanbul", "Łódź") start a place's name
    assert places("Taksim Meydanı, İstanbul, 22/10/2015") == ["Taksim Meydanı, İstanbul"]
    assert places("Łódź, 22/10/2015") == ["Łódź"]
    # a day's name ends the place; a month's or a title's word is none
    assert places("Calais, Thursday, 22 October 2015") == ["Calais"]
    assert places("Published, 22 October 2015") == []
    # only where the date follows the dateline at once
    assert places("Calais, Dover and more: a report") == []


def test_a_year_in_an_article_s_story_is_not_the_footage_s() -> None:
    # "back in" dates a post's footage in a caption, not the story an article tells
    said = read_claims([Passage("Back in 2015, migrants crossed every night.", "paragraph", 0)])
    assert said == []
    (clip,) = read_claims([Passage("The clip is from 2015.", "paragraph", 0)])
    assert clip.value == "2015-01-01/2015-12-31"


def test_a_year_straight_after_filmed_or_footage_from() -> None:
    # a social-media audit: none was read ("in" was needed), and footage of another year rated
    # authentic
    for caption in ("Video by Jan Kowalski, filmed 2019", "Footage from 2019 shows the square",
                    "Vidéo filmée 2019 à Lyon"):
        said = read_claims([Passage(caption, "caption", 0)])
        assert [c.value for c in said if c.kind is ClaimKind.DATE] == ["2019-01-01/2019-12-31"]
    # a year of an event filmed, a tour's year, a denial: no claim of when it was filmed
    for caption in ("Filmed at the 2019 festival", "Tournée 2018 de Johnny", "Not filmed 2019"):
        assert [c for c in read_claims([Passage(caption, "caption", 0)])
                if c.kind is ClaimKind.DATE] == [], caption


def test_a_caption_s_places_named_without_in() -> None:
    # a desk audit: each was missed, and footage from elsewhere rated authentic
    assert places("Russian missile strike aftermath, Kharkiv, Ukraine") == ["Kharkiv, Ukraine"]
    assert places("Kyiv: traffic jam on the ring road") == ["Kyiv"]
    assert places("Scenes from Kyiv today") == ["Kyiv"]
    assert places("Traffic on the Kyiv ring road this morning") == ["Kyiv"]
    # a dateline after the caption's other words and a sign (a social-media audit)
    assert places("Walking into the office one by one 😂 Kraków, 15 Nov 2021") == ["Kraków"]
    assert places("Traffic jam | Lyon, 3 March 2022") == ["Lyon"]
    assert places("Great 👍 Monday, 3 March 2022") == []
    assert places("Fireworks over the Vieux-Port, July 14, 2024.") == ["Vieux-Port"]
    # words in capitals, as burned into a picture, are read as usually written
    assert places("FILMED IN KYIV") == ["Kyiv"]
    assert [c.text for c in place_claims([("figcaption", "FILMED IN KYIV")])] == ["IN KYIV"]
    # a credit's or a headline's label is no place, nor a name after "to"
    assert places("Video: migrants storm the tunnel") == places("Breaking: a crash") == []
    assert places("Thanks to Emmanuel Macron, France") == []
    # one place, read once
    assert places("Migrants in Calais, France") == ["Calais, France"]


def test_garbage_text_does_not_break_claims() -> None:
    from provenance.claims import source_claims

    huge = "<script>alert(1)</script> posted by " + "x" * 10_000_000 + " 99/99/2015"
    assert find_dates(huge) == []
    claims = source_claims([("title", huge)])
    assert all(len(c.value) <= 60 for c in claims)


def test_vague_dates_are_periods() -> None:
    claims = date_claims([("operator", "Selon l'exploitant, les images datent de mi-septembre; "
                                        "la vidéo aurait été filmée le 22/10/2015.")])
    period = next(c for c in claims if "/" in c.value)
    assert period.value == "2015-09-11/2015-09-20" and period.text == "mi-septembre"
    original = [Original(id="cam1", recorded_at="2015-09-16")]
    checked = {c.text: c for c in check_dates(claims, original)}
    assert checked["mi-septembre"].status == "consistent"
    assert checked["22/10/2015"].status == "contradicted"
    (late,) = check_dates(date_claims([("caption", "filmed in late October 2015")]), original)
    assert late.status == "contradicted" and "before the claimed 2015-10-21 to 2015-10-31" in \
        late.finding
    assert date_claims([("caption", "mid-September")]) == []  # no year anywhere: not a claim


def test_a_span_of_days_is_one_period() -> None:
    # read as its last day alone, "du 14 au 16" would call a recording of the 14th miscaptioned
    original = [Original(id="cam1", recorded_at="2015-09-14")]
    for text, value in [("Filmé du 14 au 16 septembre 2015.", "2015-09-14/2015-09-16"),
                        ("Filmed between 14 and 16 September 2015", "2015-09-14/2015-09-16"),
                        ("Recorded September 14-16, 2015", "2015-09-14/2015-09-16"),
                        ("la nuit du 13 au 14 septembre 2015", "2015-09-13/2015-09-14"),
                        # a list of days: read as its last day alone, the others contradicted it
                        ("Filmed on 14 and 15 September 2015", "2015-09-14/2015-09-15"),
                        ("Filmées les 14, 15 et 16 septembre 2015", "2015-09-14/2015-09-16"),
                        ("Shot on September 14, 15 and 16, 2015", "2015-09-14/2015-09-16"),
                        # full dates in every form a single date is read in
                        ("Filmed 14-09-2015 to 18-09-2015", "2015-09-14/2015-09-18"),
                        ("Filmed between 2015/09/14 and 2015/09/18", "2015-09-14/2015-09-18"),
                        ("Gefilmt 14.09.2015 – 18.09.2015", "2015-09-14/2015-09-18")]:
        (claim,) = date_claims([("caption", text)])
        assert claim.value == value
        assert check_dates([claim], original)[0].status == "consistent"
    (across,) = date_claims([("caption", "du 30 août au 2 septembre 2015")])
    assert across.value == "2015-08-30/2015-09-02"
    assert check_dates([across], original)[0].status == "contradicted"
    # without a year: the latest such span before the text was published
    from provenance.claims import read_claims
    from provenance.models import Passage
    (claim,) = read_claims([Passage("du 28 décembre au 2 janvier", "caption")], date(2016, 1, 5))
    assert claim.value == "2015-12-28/2016-01-02"


def test_en_before_a_country_names_a_place_and_nothing_else() -> None:
    assert places("La neige en Belgique, filmée lundi") == ["Belgique"]
    assert places("Des images tournées en Ukraine le 3 mars") == ["Ukraine"]
    # "en" that begins no country's name
    assert places("Filmé en fait à Calais") == ["Calais"]
    assert places("Meeting En Marche, vidéo en direct") == []


def test_a_denied_date_or_place_is_no_claim() -> None:
    from provenance.claims import read_claims
    from provenance.models import Passage

    def said(text: str) -> list[tuple[str, str]]:
        return [(c.kind.value, c.value) for c in read_claims([Passage(text, "figcaption")],
                                                             date(2025, 10, 22))]

    assert said("This video was not filmed in Calais but in Dover.") == [("place", "Dover")]
    assert said("Ces images n'ont pas été tournées à Calais.") == []
    assert said("The footage was not filmed on 22/10/2015 but on 16/09/2015.") == [
        ("date", "2015-09-16")]
    assert said("La vidéo ne date pas du 22 octobre 2015.") == []
    # a negation that qualifies something else is not a denial
    assert said("Never before seen footage filmed in Calais.") == [("place", "Calais")]
    assert said("Images tournées à Calais, plus précisément à Coquelles.") == [
        ("place", "Calais"), ("place", "Coquelles")]


def test_an_anniversary_is_the_day_years_back_not_today() -> None:
    from provenance.dates import find_relative

    day = date(2025, 10, 22)
    assert find_relative("Ten years ago today, migrants stormed the tunnel", day) == [
        (date(2015, 10, 22), date(2015, 10, 22), "Ten years ago today")]
    assert find_relative("Il y a dix ans jour pour jour", day)[0][:2] == (
        date(2015, 10, 22), date(2015, 10, 22))
    # loose: people round, so the year either side of the anniversary
    assert find_relative("filmed 10 years ago", day) == [
        (date(2014, 10, 22), date(2016, 10, 22), "10 years ago")]
    # a separate "today" still counts
    assert [span for *_, span in find_relative("A year ago; today it is calm", day)] == [
        "A year ago", "today"]


def test_footage_of_a_registered_camera_at_another_moment_has_its_place_not_its_date() -> None:
    camera = [Original(id="cam1", recorded_at="2015-09-16", location="Coquelles, Calais, France")]
    said = read_claims([Passage("Filmed 22/10/2015 in Lyon", "caption")])
    date_claim, place = check(said, [], same_view=camera)
    assert date_claim.status == "unchecked" and "its date is not known" in date_claim.finding
    assert "at another moment" in date_claim.finding
    assert place.status == "contradicted" and "not Lyon" in place.finding
    # the camera's view at a moment the evidence did not establish (an inconclusive verdict)
    undecided, place = check(said, [], same_view=camera, moment_known=False)
    assert undecided.status == "unchecked" and "not established" in undecided.finding
    assert "another moment than" not in undecided.finding and place.status == "contradicted"
    # nothing matched and no camera known: nothing to check with
    assert {c.status for c in check(said, [])} == {"unchecked"}
    # a claimed source is compared with the camera's owner (a desk audit: "nothing known to
    # compare it with"): theirs agrees, another's is left to the checker, and no flag says
    # that no source is named
    camera = [replace(camera[0], source="Eurotunnel")]
    for credit, status in (("Eurotunnel", "consistent"), ("Reuters", "unchecked")):
        said = read_claims([Passage(f"Filmed by {credit}", "caption")])
        (source,) = check(said, [], same_view=camera)
        assert source.status == status, credit
    assert "the camera of cam1 is Eurotunnel's" in source.finding
    assert check(read_claims([Passage("A caption", "caption")]), [], same_view=camera) == []


def test_a_place_is_consistent_only_when_every_part_of_it_names_the_location() -> None:
    calais = [Original(id="cam1", location="Coquelles, Calais, France")]

    def status(place: str) -> str:
        claim = Claim(kind=ClaimKind.PLACE, text=place, value=place, found_in="caption")
        (checked,) = check_places([claim], calais)
        return checked.status.value

    assert status("Calais, France") == "consistent" and status("Calais") == "consistent"
    assert status("Lyon") == "contradicted"
    # "France" agrees, "Lyon" names nothing of the location: names alone cannot tell a place
    # inside the location from another one
    assert status("Lyon, France") == "unchecked"
    # a point, and an original without coordinates
    assert status("50.94, 1.81") == "unchecked"


def test_claimed_coordinates_out_of_range_are_refused() -> None:
    import pytest

    from provenance.claims import stated_claims
    from provenance.errors import SettingsError
    from provenance.models import StatedClaims

    for place, message in (("999,999", "latitude 999"), ("95.0,200.0", "latitude 95"),
                           ("45.52,-1229.9", "longitude -1229.9"), ("-91, 3", "latitude -91"),
                           ("45.5,180.5", "longitude 180.5")):
        with pytest.raises(SettingsError) as refused:
            stated_claims(StatedClaims(place=place))
        assert message in refused.value.message and "between" in refused.value.message
        assert refused.value.hint and refused.value.exit_code == 2
    with pytest.raises(SettingsError) as refused:  # punctuation alone names no place
        stated_claims(StatedClaims(place=" , "))
    assert "names no place" in refused.value.message and refused.value.exit_code == 2
    for place in ("45.52,-122.99", "-90,180", "Hillsboro, Oregon", "48.85, 2.35"):
        (claim,) = stated_claims(StatedClaims(place=place))
        assert claim.kind is ClaimKind.PLACE and claim.value == place.strip()
    # points in the notations a desk copies (a desk audit: unchecked as names) are read;
    # a decimal comma or a third number, which a parser would misread, refused
    for typed, point in (("50°56'15.0\"N 1°48'38.0\"E", "50.9375,1.810556"),
                         ("50.9375 N 1.8106 E", "50.9375,1.8106"),
                         ("50.9375 1.8106", "50.9375,1.8106"), ("+50.9,+1.8", "+50.9,+1.8"),
                         ("75001", "75001")):  # a number alone is no point
        assert [c.value for c in stated_claims(StatedClaims(place=typed))] == [point], typed
    for typed, message in (("50,9375, 1,8106", "decimal comma"), ("50.9,1.8,100", "more than two"),
                           ("91 0", "[-90; 90]")):
        with pytest.raises(SettingsError) as refused:
            stated_claims(StatedClaims(place=typed))
        assert message in refused.value.message and "50°56'15\"N" in refused.value.hint
    # a typed place or source is one line, and a name's length at most
    (claim,) = stated_claims(StatedClaims(source="Eurotunnel\r\n  AUTHENTIC"))
    assert claim.value == claim.text == "Eurotunnel AUTHENTIC"
    for typed in (StatedClaims(place="Calais " * 40), StatedClaims(source="x" * 201)):
        with pytest.raises(SettingsError) as refused:
            stated_claims(typed)
        assert "characters long" in refused.value.message and refused.value.exit_code == 2


def test_cli_refuses_claimed_coordinates_out_of_range(media, library_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from provenance.cli import main

    result = CliRunner().invoke(main, ["verify", str(media.cam_a), "--db", str(library_path),
                                       "--claim-place", "95.0,200.0"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: claimed place '95.0,200.0': latitude 95")
    assert "Hint: " in result.stderr and "Traceback" not in result.output


def test_a_bad_claim_on_an_article_is_refused_before_any_video_is_verified(
        media, library_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each video of an article had been verified, each result an error ('inconclusive')."""
    from click.testing import CliRunner

    from provenance.cli import main

    shutil.copy(media.clip_a, tmp_path / "clip.mp4")
    page = tmp_path / "page.html"
    page.write_text('<html><body><p>Filmed in Calais.</p><video src="clip.mp4"></video>'
                    '</body></html>')
    for option, value in (("--claim-place", "999,999"), ("--claim-date", "notadate")):
        result = CliRunner().invoke(main, ["verify", str(page), "--db", str(library_path),
                                           "--json", option, value])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Error: claimed ") and "Hint: " in result.stderr
        assert result.stdout == ""  # no result: nothing was verified


# -- dates with a UTC offset ---------------------------------------------------------------------

def _checked_date(claimed: str, recorded: str) -> Claim:
    from provenance.claims import stated_claims
    from provenance.models import StatedClaims

    (claim,) = stated_claims(StatedClaims(date=claimed))
    (checked,) = check_dates([claim], [Original(id="cam", recorded_at=recorded)])
    return checked


def test_two_datetimes_with_offsets_are_compared_as_instants() -> None:
    same = _checked_date("2018-05-19T20:00:00-07:00", "2018-05-20T03:00:00Z")
    assert same.status == "consistent", same.finding
    assert "-07:00" in same.finding  # says the recording's time at the claim's offset
    later = _checked_date("2018-05-19T20:00:00-07:00", "2018-05-22T03:00:00Z")
    assert later.status == "contradicted"
    assert "2 day(s) after the claimed 2018-05-19T20:00:00-07:00" in later.finding
    # the same instant written in two offsets gets the same status
    assert _checked_date("2018-05-20T03:00:00+00:00", "2018-05-19T20:00:00-07:00").status == \
        _checked_date("2018-05-19T20:00:00-07:00", "2018-05-19T20:00:00-07:00").status == \
        "consistent"


def test_a_date_without_a_zone_against_a_datetime_allows_a_day_either_side() -> None:
    # audit13: the same instant as two datetimes against a plain recorded date: same status
    for claimed in ("2018-03-13T06:30:00Z", "2018-03-12T23:30:00-08:00"):
        checked = _checked_date(claimed, "2018-03-12")
        assert checked.status == "consistent", (claimed, checked.finding)
    near = _checked_date("2018-03-13T06:30:00Z", "2018-03-12")
    assert "time zone" in near.finding and "a day either side" in near.finding
    # a plain claimed date against a UTC recording of the evening before, US time
    local = _checked_date("2018-05-19", "2018-05-20T03:00:00Z")
    assert local.status == "consistent" and "time zone" in local.finding
    # several days apart is still a contradiction, said with the allowance
    far = _checked_date("2018-05-15", "2018-05-20T03:00:00Z")
    assert far.status == "contradicted" and "5 day(s) after the claimed 2018-05-15" in far.finding
    assert "a day either side" in far.finding
    assert _checked_date("2018-05-23T10:00:00+02:00", "2018-05-20").status == "contradicted"
    # two plain dates: compared day by day, as before
    plain = _checked_date("2018-05-19", "2018-05-20")
    assert plain.status == "contradicted" and "1 day(s) after" in plain.finding
    assert "time zone" not in plain.finding


def test_a_publication_date_against_a_recording_in_utc() -> None:
    from provenance.claims import published_claim

    recorded = [Original(id="cam", recorded_at="2018-05-20T03:00:00Z")]
    (same_evening,) = check_dates(published_claim("2018-05-19", "page metadata"), recorded)
    assert same_evening.status == "consistent", same_evening.finding
    (before,) = check_dates(published_claim("2018-05-17", "page metadata"), recorded)
    assert before.status == "contradicted"


def test_a_desk_audits_misread_dates() -> None:
    """Each of these was a false "miscaptioned" or "authentic ... as claimed" in a desk audit of
    250 date claims."""
    from provenance.dates import find_relative

    def said(text: str, published: date | None = date(2015, 10, 23)) -> list[tuple[str, str]]:
        return [(c.kind.value, c.value) for c in read_claims([Passage(text, "figcaption")],
                                                             published)
                if c.kind in (ClaimKind.DATE, ClaimKind.PUBLISHED)]

    # a period between two full dates, or two months, is one claim
    assert said("Filmed between 14/09/2015 and 18/09/2015") == [
        ("date", "2015-09-14/2015-09-18")]
    assert said("Recorded 2015-09-16 to 2015-09-18") == [("date", "2015-09-16/2015-09-18")]
    assert said("Crisis filmed from June to November 2015") == [
        ("date", "2015-06-01/2015-11-30")]
    # a day before the month with a full stop or "of" is that day, not the whole month
    assert said("Gefilmt am 22. Mai 2015") == [("date", "2015-05-22")]
    assert said("Filmed on the 22nd of October 2015") == [("date", "2015-10-22")]
    # dates of something else: a birth, an earlier report, another story, a version
    assert said("Jean Dupont, born on 12 March 1980, filmed the scene on 16 September 2015") \
        == [("date", "2015-09-16")]
    assert said("As we reported on 3 May 2012, migrants tried to cross.") == []
    assert said("In a story published on 3 May 2012, the paper showed the fence.") == []
    assert said("Version 1.5.2015 of the app") == []
    assert said('"On 3 May 2012 hundreds tried to cross," the mayor recalled.') == []
    assert said('"We filmed it on 16 September 2015," the operator said.') == [
        ("date", "2015-09-16")]
    # words that only look like days
    assert said("The Sunday Times obtained the footage.") == []
    assert said("He scored on 9/10 attempts") == []
    assert said("Das Video wurde hier aufgenommen") == []
    assert said("La vidéo a été filmée hier") == [("date", "2015-10-22")]
    assert find_relative("filmed on the night of Tuesday to Wednesday", date(2015, 10, 23)) == [
        (date(2015, 10, 20), date(2015, 10, 21), "the night of Tuesday to Wednesday")]
    # forms that were missed: a date-time's day, day first with dashes, year first with slashes
    assert said("Filmed 2015-09-16T23:50:00+02:00, 22-10-2015 and 2015/09/17") == [
        ("date", "2015-09-16"), ("date", "2015-10-22"), ("date", "2015-09-17")]
    # a two-digit year, read as the latest such year after a word saying the footage was
    # filmed then; not a ratio, a bus line, a time or a version number
    assert said("Filmed on 22/10/15 at the tunnel") == [("date", "2015-10-22")]
    assert said("Migrants storm the tunnel, 22/10/15. Ratio 8/10/10; bus 10/12/15") == []
    assert said("Police were called at 22.10.15. Version 1.2.15 of the app") == []
    # a year alone, only where it says when the footage was filmed
    assert said("Footage filmed in 2023 shows Calais") == [("date", "2023-01-01/2023-12-31")]
    assert said("The crisis began in 2014.") == said("The 2015 crisis, filmed there") == []
    # a caption saying one date 10,000 times is read once, and quickly
    assert said("Filmed " + "2015-10-22 " * 10_000, None) == [("date", "2015-10-22")]


def test_a_day_counted_from_the_publication_date_allows_a_day_either_side() -> None:
    # a desk audit: "hier soir" on a page published at 23:30 UTC (01:30 in Paris), counted
    # from the UTC day, called the night before's footage miscaptioned
    (claim,) = [c for c in read_claims([Passage("Vidéo tournée hier soir", "figcaption")],
                                       date(2015, 9, 16)) if c.kind is ClaimKind.DATE]
    original = [Original(id="cam1", recorded_at="2015-09-16")]
    (checked,) = check_dates([claim], original)
    assert checked.status == "consistent" and "whose time zone is not known" in checked.finding
    (far,) = check_dates([claim], [Original(id="cam1", recorded_at="2015-09-17")])
    assert far.status == "contradicted"
    # a weekday is the same from either side of midnight: no day either side
    (tuesday,) = [c for c in read_claims([Passage("Filmed on Tuesday near the terminal",
                                                  "figcaption")], date(2015, 9, 18))
                  if c.kind is ClaimKind.DATE]
    assert check_dates([tuesday], original)[0].status == "contradicted"
    # a date written out is what it says
    (written,) = check_dates(date_claims([("caption", "Filmed 15 September 2015")]), original)
    assert written.status == "contradicted"


def test_an_ambiguous_numeric_date_is_not_published_as_a_wrong_one() -> None:
    import pytest

    from provenance.claims import stated_claims
    from provenance.errors import SettingsError
    from provenance.models import StatedClaims

    original = [Original(id="cam1", recorded_at="2015-09-10")]
    # read day first (9 October), it would call footage of 10 September miscaptioned
    (unsure,) = check_dates(date_claims([("caption", "Video filmed 09/10/2015")]), original)
    assert unsure.status == "unchecked" and "2015-09-10 read month first" in unsure.finding
    (right,) = check_dates(date_claims([("caption", "Video filmed 10/09/2015")]), original)
    assert right.status == "consistent"
    (wrong,) = check_dates(date_claims([("caption", "Video filmed 11/09/2015")]), original)
    assert wrong.status == "contradicted"
    # a two-digit year can be read year first too: 10/09/15 is 2010-09-15 so (East Asia)
    odd = [Original(id="cam1", recorded_at="2010-09-15")]
    (unsure,) = check_dates(date_claims([("caption", "Video filmed 10/09/15")]), odd)
    assert unsure.status == "unchecked" and "2010-09-15 read year first" in unsure.finding
    # typed, it is refused as in the library's metadata (a two-digit year too); so are a
    # reversed range, control characters and several dates
    for typed, message in (("09/10/2015", "ambiguous"), ("22/10/15", "ambiguous"),
                           ("2015-09-18/2015-09-14", "ends before"),
                           ("2015-09-16\x1b[31mRED", "control characters"),
                           ("2015-10-22 " * 900, "too long for a date"),
                           ("on 3 May 2015 and 4 May 2015", "names 2 dates"),
                           ("2015-09-16T25:00:00Z", "hour must be")):
        with pytest.raises(SettingsError) as refused:
            stated_claims(StatedClaims(date=typed))
        assert message in refused.value.message and refused.value.exit_code == 2
    assert [c.value for c in stated_claims(StatedClaims(date="10/22/2015"))] == ["2015-10-22"]
    assert [c.value for c in stated_claims(StatedClaims(date="2015"))] == ["2015-01-01/2015-12-31"]
    assert [c.value for c in stated_claims(StatedClaims(date="2015-09-16 to 2015-09-18"))] == [
        "2015-09-16/2015-09-18"]


def test_a_desk_audits_misread_sources() -> None:
    """Each was a false confirmation or a false "miscaptioned" in a desk audit of 156 source
    claims."""
    import pytest

    from provenance.claims import check_sources, source_claims, stated_claims
    from provenance.errors import SettingsError
    from provenance.models import StatedClaims

    def status(credit: str, registered: str) -> str:
        (claim,) = stated_claims(StatedClaims(source=credit))
        return check_sources([claim], [Original(id="cam1", source=registered)])[0].status.value

    # a word many sources share names none of them
    for credit, registered in (("Sky News", "BBC News"), ("Reuters Images", "Getty Images / AFP"),
                               ("Daily Telegraph", "Daily Mail"), ("The Sun", "The Times"),
                               ("Groupe Renault", "Groupe Eurotunnel SE"),
                               ("Calais Libre", "@calais_cam"), ("@calais_news", "@calais_cam"),
                               ("Daily Express", "Ville de Paris")):
        assert status(credit, registered) == "contradicted", credit
    # the same name, short, abbreviated or with its organisation first, is the same source
    for credit, registered in (("AP", "AP"), ("AFP", "Agence France-Presse"),
                               ("Associated Press", "AP"), ("BBC", "BBC News"),
                               ("Eurotunnel", "Groupe Eurotunnel SE"),
                               ("Eurotunnel security staff", "Eurotunnel control room"),
                               ("city of Paris", "Ville de Paris"), ("Times", "The Times"),
                               ("Agence France-Presse", "Getty Images / AFP")):
        assert status(credit, registered) == "consistent", credit
    # a platform is where footage is posted, not who filmed it
    assert status("Twitter", "Eurotunnel") == "unchecked"
    # a credit in another script: the same words agree, other words do not, and a name no word
    # of which can be compared with the registered one is left to the checker
    assert status("РИА Новости", "РИА Новости") == "consistent"
    assert status("ТАСС", "РИА Новости") == "contradicted"
    assert status("Рейтер", "Reuters") == status("رويترز", "Reuters") == "unchecked"
    # a denied credit credits no one
    assert source_claims([("caption", "This video was not filmed by Eurotunnel")]) == []
    # a copyright line names who holds the footage; "Photo by" inside a closing bracket too
    for caption, credited in (("Migrants in the tunnel. © Reuters", "Reuters"),
                              ("Image: © Eurotunnel 2015", "Eurotunnel"),
                              ("© 2015 Eurotunnel", "Eurotunnel"), ("Crédit : ©AFP", "AFP"),
                              ("(Photo by John Smith/AFP via Getty Images)", "John Smith/AFP")):
        assert [c.value for c in source_claims([("figcaption", caption)])][:1] == [credited]
    assert source_claims([("caption", "the ©2015 clip")]) == []
    # an article after a credit label is a title's, not a name's ("Vidéo : la Jungle de Calais")
    assert source_claims([("figcaption", "Vidéo : la Jungle de Calais, 16/09/2015")]) == []
    assert source_claims([("figcaption", "Copyright Strike Hits Viral Calais Video")]) == []
    # a short name ending its sentence after "Copyright" is a credit, read once
    assert [(c.value, c.text) for c in source_claims(
        [("figcaption", "Copyright Eurotunnel. Coquelles, 16/09/2015")])] == [
        ("Eurotunnel", "Copyright Eurotunnel.")]
    assert [c.value for c in source_claims([("figcaption", "Copyright 2015 Eurotunnel")])] == [
        "Eurotunnel"]
    # a bracketed credit is one claim, not also the label's credit inside it
    assert [c.text for c in source_claims([("figcaption", "Coquelles (Video: AFP)")])] == [
        "(Video: AFP)"]
    # "via" names who passed the footage on: it agrees when it is the source, and is no false
    # credit when it is not (agencies pass on others' footage); "via" alone is no credit
    registered = [Original(id="cam1", source="Eurotunnel")]
    for caption, value, agreed in (("Footage via Eurotunnel, Coquelles", "Eurotunnel",
                                    "consistent"),
                                   ("Coquelles, 16/09/2015 (Video via Eurotunnel)",
                                    "Eurotunnel", "consistent"),
                                   ("Coquelles, 16/09/2015 (via Reuters)", "Reuters",
                                    "unchecked"),
                                   ("Footage via the BBC", "BBC", "unchecked")):
        (claim,) = source_claims([("figcaption", caption)])
        assert claim.value == value
        assert check_sources([claim], registered)[0].status.value == agreed, caption
    assert source_claims([("caption", "Migrants walked via the Channel Tunnel")]) == []
    # "courtesy" with a name after it, without "of" (a desk audit)
    assert [c.value for c in source_claims([("caption", "Taken in May 2019, courtesy City of "
                                                         "Portland")])] == ["City of Portland"]
    assert source_claims([("caption", "a courtesy call to the mayor")]) == []
    # "via" after the photographer's credit leaves it a credit to the photographer
    (photo,) = source_claims([("figcaption", "(Photo by John Smith/AFP via Getty Images)")])
    assert check_sources([photo], registered)[0].status.value == "contradicted"
    # "obtained by" ends the name: the kind of camera is left
    (obtained,) = source_claims([("caption", "Source: CCTV footage obtained by the BBC")])
    assert obtained.value == "CCTV footage"
    # a typed source naming no one, or with control characters, is refused
    for typed in ("...", "Eurotunnel\x07", "Not Eurotunnel"):
        with pytest.raises(SettingsError):
            stated_claims(StatedClaims(source=typed))


def test_claims_in_a_language_not_read_are_left_to_the_checker() -> None:
    """A desk audit of posts in ten other languages: dates of publication, births and denials
    were read as filming dates and the posts rated miscaptioned."""
    from provenance.language import language_of

    original = [Original(id="cam1", recorded_at="2015-09-16", location="Berlin, Deutschland")]
    said = read_claims([Passage("Die Bilder wurden laut der Polizei am 18.09.2015 gemacht, die "
                                "Aufnahmen des Tunnels am 16.09.2015", "figcaption")],
                       date(2015, 10, 23))
    checked = [c for c in check(said, original) if c.kind is ClaimKind.DATE]
    assert [(c.value, c.language, c.status.value) for c in checked] == [
        ("2015-09-18", "de", "unchecked"), ("2015-09-16", "de", "unchecked")]
    assert "read in German" in checked[0].finding and "does not agree" in checked[0].finding
    assert "agrees" in checked[1].finding
    # a dateline of names says nothing of its date to misread, whatever its language
    (dateline,) = [c for c in check(read_claims([Passage("Piazza del Duomo, Milano, 22/10/2015",
                                                         "figcaption")]), original)
                   if c.kind is ClaimKind.DATE]
    assert dateline.status.value == "contradicted"
    # a page's declared language counts where the text is too short to tell
    (dated,) = check(read_claims([Passage("El vídeo fue grabado el 22/10/2015", "figcaption",
                                          0, "es")]), original)[:1]
    assert dated.language == "es" and dated.status.value == "unchecked"
    # in a page of another language, "hier" is not French for yesterday
    assert read_claims([Passage("Das Video des Augenzeugen wurde hier aufgenommen", "figcaption",
                                0, "de")], date(2015, 10, 23)) == []
    # English and French are read as before, whatever the page declares
    (english,) = [c for c in check(read_claims([Passage(
        "The footage was filmed on 22 October 2015 near the tunnel entrance", "figcaption", 0,
        "de")]), original) if c.kind is ClaimKind.DATE]
    assert english.status.value == "contradicted" and english.language == "en"
    assert language_of("Filmed 16 September 2015, posted 22 October 2015") == ""
    assert language_of("Снято 16.09.2015") == "ru"


def test_dates_in_other_languages_are_read_as_written() -> None:
    """What a desk audit of posts in ten other languages found misread: a claim read in one is
    left to the checker, but a caption too short to tell its language is read as written."""

    def said(text: str) -> list[str]:
        return [c.value for c in read_claims([Passage(text, "figcaption")], date(2015, 10, 23))
                if c.kind is ClaimKind.DATE]

    # month names, and "de" around them
    assert said("Grabado el 16 de septiembre de 2015") == ["2015-09-16"]
    assert said("Видео снято 22 октября 2015 года") == ["2015-10-22"]
    # spans and parts of a month: read as a last day or a whole month, they were contradicted
    # or confirmed by another day
    for text, value in (("Grabado del 14/09/2015 al 18/09/2015", "2015-09-14/2015-09-18"),
                        ("Nagrano od 14.09.2015 do 18.09.2015", "2015-09-14/2015-09-18"),
                        ("Aufgenommen zwischen dem 14. und 18. September 2015",
                         "2015-09-14/2015-09-18"),
                        ("Gefilmd van 14 tot 18 september 2015", "2015-09-14/2015-09-18"),
                        ("Ende September 2015 aufgenommen", "2015-09-21/2015-09-30"),
                        ("Eind september 2015 gefilmd", "2015-09-21/2015-09-30")):
        assert said(text) == [value], text
    # publications, births, a start and denials are no filming dates
    assert said("Opublikowano 18.09.2015. Nagrano 16.09.2015") == ["2015-09-16"]
    assert said("Autor nagrania (ur. 12.03.1980) nagrał je 16.09.2015") == ["2015-09-16"]
    assert said("Los disturbios duran desde el 01/09/2015.") == []
    assert said("Nie nagrano 22.10.2015, lecz 16.09.2015") == ["2015-09-16"]
    # but "NATO", "Camera No. 4" and "the fine October weather" are not such words
    assert said("NATO exercise filmed 16/09/2015") == said("Camera No. 4, 16/09/2015") == [
        "2015-09-16"]
    assert said("Filmed in the fine October 2015 weather") == ["2015-10-01/2015-10-31"]


def test_where_footage_went_viral_is_not_where_it_was_filmed() -> None:
    from provenance.claims import place_claims, source_claims

    for caption in ("The video went viral in Germany", "La vidéo circule en Belgique"):
        assert place_claims([("figcaption", caption)]) == []
    assert [c.value for c in place_claims([("figcaption", "Filmée en Belgique")])] == [
        "Belgique"]
    # reposted, with its date between (a desk audit: "reposted on 22 October 2023 in Kyiv"
    # contradicted the place of filming, and the date was read as when it was filmed)
    caption = "Filmed in Coquelles on 16 September 2015 and reposted on 22 October 2015 in Kyiv"
    assert [c.value for c in place_claims([("figcaption", caption)])] == ["Coquelles"]
    assert [c.value for c in place_claims([("figcaption", "Shared on Tuesday in Dover")])] == []
    for reposted in ("Reposted on 22 October 2015", "Tweeted on 22/10/2015",
                     "Re-shared on 22 October 2015", "Retweeted 22/10/2015"):
        (claim,) = read_claims([Passage(reposted, "figcaption")])
        assert claim.kind is ClaimKind.PUBLISHED, reposted
    # a caption ending "Video" and a date credits no one
    assert source_claims([("figcaption", "Migrants. Video 16 September 2015")]) == []


def test_credits_and_places_in_other_scripts() -> None:
    from provenance.claims import sentences, source_claims

    for caption, credited in (("Quelle: Reuters", "Reuters"), ("Fuente: Agencia EFE",
                                                               "Agencia EFE"),
                              ("Источник: Первый канал", "Первый канал"),
                              ("المصدر: الجزيرة", "الجزيرة")):
        assert [c.value for c in source_claims([("figcaption", caption)])] == [credited]
    assert source_claims([("figcaption", "Quelle: privat")]) == []
    assert sentences("Опубликовано 18.09.2015. Снято 16.09.2015") == [
        "Опубликовано 18.09.2015.", "Снято 16.09.2015"]
    # a location written with the Arabic comma, and names in Cyrillic, compared by their words
    for location, claimed in (("بيروت، لبنان", "بيروت"), ("Москва, Россия", "Москва")):
        (place,) = check_places([Claim(kind=ClaimKind.PLACE, text=claimed, value=claimed,
                                       found_in="command line")],
                                [Original(id="cam1", location=location)])
        assert place.status.value == "consistent", location
