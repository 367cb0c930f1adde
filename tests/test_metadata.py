"""Strict metadata in: dates refused unless they can be read, normalised to ISO; library update."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.dates import normalise
from provenance.errors import SettingsError
from tests.conftest import Media


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_dates_are_normalised_or_refused() -> None:
    assert normalise("2015-09-16") == "2015-09-16"
    assert normalise("16/09/2015") == "2015-09-16"
    assert normalise("16.09.2015") == "2015-09-16"
    assert normalise("16 septembre 2015") == "2015-09-16"
    assert normalise("September 16, 2015") == "2015-09-16"
    assert normalise("2015-09-16T02:13:00Z") == "2015-09-16T02:13:00+00:00"
    # a zone after a space, or by its name
    assert normalise("2015-09-16 23:30:00 +02:00") == "2015-09-16T23:30:00+02:00"
    assert normalise("2015-09-16 02:13 UTC") == "2015-09-16T02:13:00+00:00"
    assert normalise("2015-09-14/2015-09-18") == "2015-09-14/2015-09-18"
    assert normalise("  ") == ""
    # a year or a month alone is the period it names
    assert normalise("2015") == "2015-01-01/2015-12-31"
    assert normalise("2016-02") == "2016-02-01/2016-02-29"
    assert normalise("2015-09/2015-10") == "2015-09-01/2015-10-31"
    for bad in ("2015-02-30", "not-a-date", "05/06/2015", "16/09/15", "2015-09-18/2015-09-14",
                "mid-September", "2015-13", "2016/2015", "16/09/2015/17/09/2015", "x" * 1000):
        with pytest.raises(SettingsError):
            normalise(bad, "recorded_at")


def test_bad_dates_are_refused_by_add(media: Media, tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    for bad in ("2015-02-30", "not-a-date"):
        code, _, err = run("library", "add", media.cam_a, "--id", "a", "--db", db,
                           "--recorded-at", bad)
        assert code == 2 and f"recorded_at {bad!r}" in err and "Hint: write it as" in err
    assert not db.exists()  # refused before anything was written
    code, out, err = run("library", "add", media.cam_a, "--id", "a", "--db", db,
                         "--recorded-at", "16/09/2015", "--json")
    assert code == 0, err
    assert json.loads(out)["original"]["recorded_at"] == "2015-09-16"


def test_import_reports_a_bad_date_and_adds_the_good_rows(media: Media, tmp_path: Path) -> None:
    manifest = tmp_path / "originals.csv"
    manifest.write_text(
        "file,id,recorded_at,location,latitude,longitude\n"
        f"{media.cam_a},a,2015-09-16,\"Coquelles, Calais, France\",50.93,1.81\n"
        f"{media.cam_b},b,2015-02-30,,,\n"
        f"{media.unrelated},c,16 September 2015,,,\n")
    db = tmp_path / "lib.db"
    code, out, err = run("library", "import", manifest, "--db", db)
    assert code == 6
    assert "row 3 (b): recorded_at '2015-02-30'" in err
    assert "added 2, already present 0, failed 1 of 3 rows" in out
    code, out, _ = run("library", "show", "c", "--db", db, "--json")
    assert json.loads(out)["recorded_at"] == "2015-09-16"
    code, out, _ = run("library", "show", "a", "--db", db, "--json")
    assert json.loads(out)["latitude"] == 50.93


def test_update_and_the_hint_when_a_known_file_comes_with_new_metadata(
        media: Media, library_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    shutil.copy(library_path, db)
    code, out, err = run("library", "add", media.cam_a, "--id", "again", "--db", db,
                         "--title", "Platform camera", "--recorded-at", "2015-09-17")
    assert code == 0 and "nothing added" in out
    assert ("provenance library update cam-a --title 'Platform camera' "
            "--recorded-at 2015-09-17") in err
    code, out, err = run("library", "update", "cam-a", "--db", db, "--title", "Platform camera",
                         "--recorded-at", "17/09/2015")
    assert code == 0 and "updated cam-a" in out, err
    code, out, _ = run("library", "show", "cam-a", "--db", db, "--json")
    shown = json.loads(out)
    assert (shown["title"], shown["recorded_at"], shown["source"]) == (
        "Platform camera", "2015-09-17", "Operator CCTV")
    code, _, err = run("library", "update", "cam-a", "--db", db, "--recorded-at", "not-a-date")
    assert code == 2 and "not a date" in err
    code, _, err = run("library", "update", "cam-a", "--db", db, "--latitude", "95",
                       "--longitude", "1")
    assert code == 2 and "latitude" in err
    code, _, err = run("library", "update", "nope", "--db", db, "--title", "x")
    assert code == 5


def test_a_new_location_does_not_keep_the_old_ones_coordinates_silently(
        library_path: Path, tmp_path: Path) -> None:
    # a desk audit: the location changed, the old coordinates kept, and they placed the footage
    db = tmp_path / "lib.db"
    shutil.copy(library_path, db)

    def update(*options: str) -> tuple[int, str]:
        code, _, err = run("library", "update", "cam-a", "--db", db, *options)
        return code, err

    def shown() -> tuple[object, ...]:
        out = run("library", "show", "cam-a", "--db", db, "--json")[1]
        return tuple(json.loads(out)[k] for k in ("location", "latitude", "longitude"))

    assert update("--location", "Coquelles, France", "--latitude", "50.93",
                  "--longitude", "1.81")[0] == 0
    code, err = update("--location", "Westminster, London, UK")
    assert code == 2 and "Error: cam-a's coordinates (50.93, 1.81) were given with its old " \
                         "location (Coquelles, France)" in err
    assert "--latitude 50.93 --longitude 1.81" in err and "--no-coordinates" in err
    assert shown() == ("Coquelles, France", 50.93, 1.81)  # nothing changed
    assert update("--location", "Coquelles, France", "--title", "Fence")[0] == 0  # the same
    code, err = update("--no-coordinates", "--latitude", "51.5")
    assert code == 2 and "give one or the other" in err
    assert update("--location", "Westminster, London, UK", "--no-coordinates")[0] == 0
    assert shown() == ("Westminster, London, UK", None, None)
