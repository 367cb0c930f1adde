"""Whether a claimed place agrees with where the originals were filmed: by the names they share
("Calais" in "Coquelles, Calais, France"), else by where the gazetteer puts both ("Sangatte"
is 4 km from Coquelles; "Dover" is across the Channel)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .gazetteer import Gazetteer, Place, Region, country_code, folded, km_between, region_named
from .models import Claim, ClaimStatus, Original

# A claimed place given as coordinates is consistent within this distance of the original's.
# Wide enough for a city and its suburbs (Calais to Coquelles is 5 km), narrow enough to tell
# neighbouring cities apart (Calais to Dunkerque is 40 km).
PLACE_RADIUS_KM = 25.0

# Two places located by the gazetteer agree when they lie within their two areas' radii
# (gazetteer.PEOPLE_PER_KM2) and this slack, for a built-up edge beyond a radius or a camera
# filming across a river; beyond, they are other places (Nice and Cannes, 26 km apart;
# Coquelles and Marck, 10 km). A first design left an unsure band up to twice that distance:
# it left Cannes for Nice unchecked, which the claims benchmark labels a miscaption
# (benchmarks/README.md, "Places located by a gazetteer").
NAMED_PLACE_SLACK_KM = 5.0

_POINT = re.compile(r"\s*([-+]?\d{1,2}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*")
_PARTS = re.compile(r"[,;/،]")  # the Arabic comma too ("بيروت، لبنان")
# A place of more parts than this is no place ("Coquelles, Calais, Pas-de-Calais, France" has 4).
MAX_PARTS = 6
# A region's or a country's code written after a name without a comma: "Washington DC",
# "Paris TX", "Calais UK" (a desk audit: "DC", two letters, named no words, so "Washington
# DC" was consistent with Seattle, Washington).
_CODE_AFTER = re.compile(r"^(.+?)\s+((?-i:[A-Z]{2,3}|(?:[A-Z]\.){2,3}))$")


def place_parts(value: str) -> list[str]:
    """A place's parts, most specific first: split at commas (``_PARTS``), and before a region's
    or a country's code that ends a part (``_CODE_AFTER``)."""
    parts: list[str] = []
    for part in (p.strip() for p in _PARTS.split(value)):
        coded = _CODE_AFTER.match(part)
        if coded and (region_named(coded.group(2)) or country_code(coded.group(2))):
            parts.extend(coded.groups())
        elif part:
            parts.append(part)
    return parts


def name_words(text: str) -> set[str]:
    """The words of three letters or more of a name, lower-case and without accents, in any
    script ("Москва" is a word, not none)."""
    return {t for t in folded(text).split() if len(t) >= 3}


@dataclass(frozen=True)
class _Spot:
    """Where a claim or an original is, as far as is known: a point and the radius of the area
    it stands for (0 for coordinates), the country, and the ISO 3166-2 code of its first-level
    region ("" if unknown)."""

    latitude: float
    longitude: float
    radius_km: float
    country: str | None
    label: str
    region: str = ""

    def km_to(self, other: _Spot) -> float:
        return km_between(self.latitude, self.longitude, other.latitude, other.longitude)


@dataclass(frozen=True)
class _Agreement:
    """How a claimed place agrees with an original's: "same", "partly" (some of the claim's
    parts name a part of the location, some do not), "unknown" (nothing to compare with) or
    "different"; ``note`` says what the gazetteer showed."""

    how: str
    note: str = ""


def check_places(claims: Sequence[Claim], originals: Sequence[Original],
                 gazetteer: Gazetteer | None = None) -> list[Claim]:
    """Compare claimed places with the originals' recorded location: consistent when every part
    of the claim ("Calais, France") names a part of it ("Coquelles, Calais, France"), or the
    gazetteer (when given) puts the claim within reach of it (NAMED_PLACE_SLACK_KM; a point
    against coordinates: PLACE_RADIUS_KM); contradicted when it puts the claim beyond reach,
    or, where it cannot locate the original, when no part of the claim names the location;
    contradicted too when it agrees with some originals of a montage and not with others.
    Unchecked when it locates the original but not the claimed name (a street, a landmark, a
    village: "Rue de Rivoli" may lie in Paris), when only some parts of the claim name the
    location and nothing locates it ("Lyon, France": a place inside it or another one), when
    a point is claimed and the original cannot be located, or when no location is
    recorded."""
    located = [o for o in originals if o.location or o.latitude is not None]
    checked = []
    for claim in claims:
        agreement = {o.id: _place_agreement(claim.value, o, gazetteer) for o in located}
        near = [o for o in located if agreement[o.id].how == "same"]
        unsure = [o for o in located if agreement[o.id].how in ("partly", "unknown")]
        if not located:
            checked.append(replace(claim, status=ClaimStatus.UNCHECKED, finding=""))
        elif near and (elsewhere := [o for o in located
                                     if agreement[o.id].how == "different"]):
            # a montage's footage from elsewhere is misplaced by the claim, as a date one
            # original's recording contradicts is (a desk audit: "Portland" was consistent
            # with a montage two thirds of which was filmed in Gdańsk and Lyon)
            checked.append(replace(claim, status=ClaimStatus.CONTRADICTED, finding=(
                "; ".join(f"footage of {o.id} was filmed {_at(o)}, not {claim.value}"
                          + _noted(agreement[o.id]) for o in elsewhere)
                + "; only " + "; ".join(f"{o.id}'s agrees" for o in near))))
        elif near:
            checked.append(replace(claim, status=ClaimStatus.CONSISTENT, finding=(
                "consistent with " + "; ".join(f"{o.id} filmed {_at(o)}"
                                               + _noted(agreement[o.id]) for o in near))))
        elif unsure:
            checked.append(replace(claim, status=ClaimStatus.UNCHECKED, finding="; ".join(
                f"{o.id} was filmed {_at(o)}: {_unsure(agreement[o.id])}"
                for o in unsure)))
        else:
            checked.append(replace(claim, status=ClaimStatus.CONTRADICTED, finding="; ".join(
                f"footage of {o.id} was filmed {_at(o)}, not {claim.value}"
                + _noted(agreement[o.id]) for o in located)))
    return checked


def _noted(agreement: _Agreement) -> str:
    return f" ({agreement.note})" if agreement.note else ""


def _unsure(agreement: _Agreement) -> str:
    if agreement.note:
        return agreement.note
    if agreement.how == "partly":
        return "only part of the claimed place names it"
    return "no coordinates to compare the claimed point with"


def _at(original: Original) -> str:
    """'at Coquelles, Calais, France', 'in France' (a country), 'at 50.4501, 30.5234'."""
    return ("in " if country_code(original.location) else "at ") + _where(original)


def _where(original: Original) -> str:
    return original.location or _where_at(original)


def _where_at(original: Original) -> str:
    return f"{original.latitude:.4f}, {original.longitude:.4f}"


def _place_agreement(value: str, original: Original, gazetteer: Gazetteer | None) -> _Agreement:
    point = _POINT.fullmatch(value)
    if point and original.latitude is not None and original.longitude is not None:
        km = km_between(float(point.group(1)), float(point.group(2)), original.latitude,
                        original.longitude)
        return _Agreement("same" if km <= PLACE_RADIUS_KM else "different",
                          f"{km:,.0f} km away")
    by_name = "unknown" if point else _named(value, original, gazetteer)
    if by_name != "same" and gazetteer is not None:
        mapped = _mapped(value, original, gazetteer)
        if mapped is not None:
            return mapped
    return _Agreement(by_name)


def _named(value: str, original: Original, gazetteer: Gazetteer | None = None) -> str:
    """How the claim's names agree with the location's: "same" when each comma-separated part
    of the claim names a part of the location (``_names``), "partly" when some parts name
    nothing of it, else "different"."""
    located = place_parts(original.location) or [""]
    country = name_words(located[-1]) if country_code(located[-1].strip()) else None
    # a part of short words alone ("TX", "US") names nothing, but is still a part
    claimed = place_parts(value)
    named = [any(_names(said, part, country, gazetteer) for part in located) for said in claimed]
    if named and all(named):
        return "same"
    return "partly" if any(named) else "different"


def _names(said: str, part: str, country: set[str] | None, gazetteer: Gazetteer | None) -> bool:
    """Whether a claimed name names a part of the location: the same words, or the words of one
    inside the other's ("Pas-de-Calais" holds "Calais", "Alma" lies in "Pont de l'Alma"),
    unless the larger is a place of its own the gazetteer holds ("New London" is not London)
    or a region whose places it can compare ("Washington State" is not Washington, D.C.), or
    the smaller is the location's country ("Île-de-France" is not all of France)."""
    words, location_words = name_words(said), name_words(part)
    if not words or not location_words:
        return False
    if words == location_words:
        return True
    if location_words < words:
        larger, smaller = said, location_words
    elif words < location_words:
        larger, smaller = part, words
    else:
        return False
    return smaller != country and (gazetteer is None or not (
        gazetteer.places(larger) or _compared(gazetteer.region(larger), gazetteer)))


def _mapped(value: str, original: Original, gazetteer: Gazetteer) -> _Agreement | None:
    """The agreement the gazetteer gives, or None when the original's location names nothing it
    can place and no country."""
    where, country, unplaced = _original_place(original, gazetteer)
    claimed_country, region, names, candidates = _claimed_spots(value, gazetteer)
    if gazetteer.broken:
        return _Agreement("unknown", "the place-name index cannot be read, and names alone "
                                     "cannot tell a neighbouring place from another one")
    apart = _located_apart(original, where, gazetteer)
    if apart:
        return _Agreement("unknown", apart)
    if claimed_country and country and claimed_country != country and not candidates:
        return _Agreement("different", f"in {country}, not {claimed_country}")
    if names and not candidates:
        return _Agreement("unknown", _not_held(names[0], claimed_country))
    if region and not names and where is not None:
        return _in_region(region, where)
    if where is None:
        if not unplaced:
            return _by_country(country, claimed_country, candidates)
        if candidates and country and country not in {c.country for c in candidates}:
            return _Agreement("different", f"{candidates[0].label} is not in {country}")
        return _Agreement("unknown", _not_held(unplaced))
    if not candidates:
        return _by_country(country, claimed_country, candidates)
    reaches = [(spot.km_to(where), spot.radius_km + where.radius_km + NAMED_PLACE_SLACK_KM, spot)
               for spot in candidates]
    km, reach, spot = min(reaches, key=lambda r: r[0] - r[1])
    if km <= reach:
        return _Agreement("same", f"{spot.label} is {km:,.0f} km from {where.label}"
                          if km >= 1 else "")
    km, _, spot = min(reaches, key=lambda r: r[0])
    if len(candidates) > 1 and names:
        # several places are so called: the nearest is named as the nearest, not as the one the
        # text meant (a desk audit: "Calais, US is 4,241 km away", of footage from Oregon)
        nearest = _called(spot, names[0]).rstrip(",")
        return _Agreement("different", f"no place called {names[0]} lies within reach; the "
                                       f"nearest is {nearest}, {km:,.0f} km away")
    said = _called(spot, names[0]) if names else spot.label
    return _Agreement("different", f"{said} is {km:,.0f} km away")


def _called(spot: _Spot, name: str) -> str:
    """A place found by another of its names, said with it: "Palmyra, US, also called
    Springfield,", not as a namesake the reader never named."""
    own = spot.label.rsplit(", ", 1)[0]
    return spot.label if folded(own) == folded(name) else f"{spot.label}, also called {name},"


def _located_apart(original: Original, where: _Spot | None, gazetteer: Gazetteer) -> str:
    """Why the original cannot be placed: its coordinates lie beyond reach of the place its
    location names (the location was changed and the coordinates kept, or one is wrong)."""
    if where is None or where.radius_km or not original.location:
        return ""  # placed by its name, or by coordinates alone
    named, _, _ = _named_place(original, gazetteer)
    if named is None:
        return ""
    km = named.km_to(where)
    if km <= named.radius_km + NAMED_PLACE_SLACK_KM:
        return ""
    return (f"its coordinates ({_where_at(original)}) are {km:,.0f} km from {named.label}, "
            "which its location names, so where it was filmed is not known; correct one with "
            "`provenance library update`")


def _in_region(region: Region, where: _Spot) -> _Agreement:
    """A region claimed alone ("Scotland") against a located original in its country."""
    if not where.region:
        return _Agreement("unknown", f"the gazetteer does not hold the regions of "
                                     f"{region.country}, so it cannot tell whether {where.label} "
                                     f"is in {region.name}")
    if where.region == region.code:
        return _Agreement("same")
    return _Agreement("different", f"{where.label} is not in {region.name}")


def _not_held(name: str, country: str | None = None) -> str:
    within = f" in {country}" if country else ""
    return (f"{name} is not among the gazetteer's places of 1,000 people or more{within}, so "
            "names alone cannot tell where it is")


def _by_country(country: str | None, claimed_country: str | None, candidates: list[_Spot]
                ) -> _Agreement | None:
    """Only the countries to compare ("Paris" against a location "France")."""
    placed = [c for c in candidates if c.country]
    if country is None or (claimed_country is None and not placed):
        return None
    if any(c.country == country for c in placed) or claimed_country == country:
        return _Agreement("same")
    return _Agreement("different", f"{placed[0].label} is not in {country}" if placed
                      else f"in {country}, not {claimed_country}")


def _claimed_spots(value: str, gazetteer: Gazetteer
                   ) -> tuple[str | None, Region | None, list[str], list[_Spot]]:
    """The country and region a claim names, its other names from the first the gazetteer
    places, and where each populated place that name may be lies: a street or a landmark the
    gazetteer does not hold is placed by the town after it, as an original's location is
    ("Place de la Concorde, Paris" is in Paris). A name no populated place has may be a
    region's ("Bretagne")."""
    point = _POINT.fullmatch(value)
    if point:
        latitude, longitude = float(point.group(1)), float(point.group(2))
        around = gazetteer.nearest(latitude, longitude)
        return None, None, [], [_Spot(latitude, longitude, 0.0,
                                      around.country if around else None, value.strip())]
    country, region, names = _split(value, gazetteer)
    placed = _placed(names, country, region, gazetteer)
    if not placed and region is not None and len(names) > 1:
        # the region's name may be the town's: "Burnside Bridge, Portland" is not in Jamaica's
        # parish of Portland (a desk audit)
        named_country = gazetteer.country(place_parts(value)[-1])
        placed = _placed(names, named_country, None, gazetteer)
        if placed:
            country, region = named_country, None
    if not placed:
        if len(names) == 1 and region is None:
            region = gazetteer.region(names[0], country)
            if region:
                return region.country, region, [], []
        return country, region, names, []
    (first, spots), *towns = placed
    if towns:
        spots, first = _within_the_town(spots, first, towns[0])
    return country, region, names[first:], spots


def _placed(names: list[str], country: str | None, region: Region | None, gazetteer: Gazetteer
            ) -> list[tuple[int, list[_Spot]]]:
    """(index, where its places lie) of each name the gazetteer places."""
    placed = [(at, [_spot(p) for p in gazetteer.places(name, country,
                                                     _compared(region, gazetteer))])
              for at, name in enumerate(names)]
    return [(at, spots) for at, spots in placed if spots]


def _within_the_town(spots: list[_Spot], at: int, town: tuple[int, list[_Spot]]
                     ) -> tuple[list[_Spot], int]:
    """A name's places that lie in the town named after it ("Old Town, Gdansk" is not
    Stockholm's Gamla Stan, also called Old Town: a desk audit), else the town's, with the
    index of the name they are of."""
    within = [spot for spot in spots if any(
        spot.km_to(other) <= spot.radius_km + other.radius_km + NAMED_PLACE_SLACK_KM
        for other in town[1])]
    return (within, at) if within else (town[1], town[0])


def _compared(region: Region | None, gazetteer: Gazetteer) -> str | None:
    """A region's code where the gazetteer's places carry it (``regions_compared``)."""
    return region.code if region and gazetteer.regions_compared(region.country) else None


def _original_place(original: Original, gazetteer: Gazetteer
                    ) -> tuple[_Spot | None, str | None, str]:
    """Where an original was filmed, its country, and the name of its location the gazetteer
    does not hold ("" when it places one, or names none): its coordinates, else the most
    populous place its location names first ("Coquelles" of "Coquelles, Calais, France"), in
    the country it names."""
    if original.latitude is not None and original.longitude is not None:
        around = gazetteer.nearest(original.latitude, original.longitude)
        country = around.country if around else None
        return _Spot(original.latitude, original.longitude, 0.0, country, _where(original),
                     _region_of(around, gazetteer) if around else ""), country, ""
    return _named_place(original, gazetteer)


def _named_place(original: Original, gazetteer: Gazetteer
                 ) -> tuple[_Spot | None, str | None, str]:
    """``_original_place`` by the location's name alone."""
    country, region, names = _split(original.location, gazetteer)
    for name in names:
        places = gazetteer.places(name, country, _compared(region, gazetteer))
        if places:
            spot = _spot(places[0])
            return replace(spot, region=region.code if region else _region_of(places[0],
                                                                                gazetteer)
                           ), places[0].country, ""
    return None, country, names[0] if names else ""


def _split(value: str, gazetteer: Gazetteer) -> tuple[str | None, Region | None, list[str]]:
    """A place's comma-separated parts (the first MAX_PARTS): the country its last part names
    (a place is written most specific first), the region it or the last other part naming one
    names ("London, England", "Paris, Texas", "London, Ontario"), and its names, regions'
    included. A region
    is read as one only after another name: first, "Washington" (of "Washington, D.C.") or
    "Berlin" is a place as much as a region."""
    parts = place_parts(value)[:MAX_PARTS]
    country = gazetteer.country(parts[-1]) if parts else None
    names = parts[:-1] if country else parts
    region = gazetteer.region(parts[-1], country) if country else None
    # the most general first: "Pioneer Courthouse Square, Portland, Oregon" is in Oregon, not
    # in Jamaica's parish of Portland (a desk audit)
    region = region or next(filter(None, (gazetteer.region(n, country)
                                          for n in reversed(names[1:]))), None)
    return (region.country if region else country), region, names


def _region_of(place: Place, gazetteer: Gazetteer) -> str:
    """A place's region as ISO 3166-2 codes it, where the gazetteer's code is ISO's."""
    return place.region if gazetteer.regions_compared(place.country) else ""


def _spot(place: Place) -> _Spot:
    return _Spot(place.latitude, place.longitude, place.radius_km, place.country,
                 f"{place.name}, {place.country}")
