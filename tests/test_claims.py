"""Claimed dates, read in English and French, checked against the originals."""

from __future__ import annotations

from datetime import date

from provenance.claims import check_dates, date_claims, find_dates, recorded_range
from provenance.models import Original


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
