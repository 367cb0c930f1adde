"""The SQLite library and the Hamming index, on synthetic fingerprints (no video)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from provenance.errors import LibraryError
from provenance.library import ChunkIndex, HammingIndex, Library
from provenance.models import Original
from tests.test_align import make_fp, random_hashes


def fp(seed: int, n: int = 40):
    rng = np.random.default_rng(seed)
    return make_fp(random_hashes(rng, n), random_hashes(rng, n))


def original(original_id: str, sha: str) -> Original:
    return Original(id=original_id, title="t", source="s", recorded_at="2015-09-16", sha256=sha,
                    duration=10.0, fps=25.0, width=640, height=360)


def test_add_list_show_remove_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    with Library(path, create=True) as lib:
        stored, added = lib.add(original("cam-1", "a" * 64), fp(1))
        assert added and stored.added_at
        lib.add(original("cam-2", "b" * 64), fp(2))
    with Library(path) as lib:
        assert [o.id for o in lib.list()] == ["cam-1", "cam-2"]
        assert lib.get("cam-1").recorded_at == "2015-09-16"
        loaded = lib.fingerprint("cam-2")
        expected = fp(2)
        for name in ("times", "scene", "mirror", "motion", "motion_mirror", "motion_energy",
                     "informative"):
            assert np.array_equal(getattr(loaded, name), getattr(expected, name)), name
        lib.remove("cam-1")
        assert [o.id for o in lib.list()] == ["cam-2"]
        with pytest.raises(LibraryError, match="no original with id 'cam-1'"):
            lib.get("cam-1")


def test_same_file_twice_is_a_noop_and_id_clash_is_an_error(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db", create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1))
        stored, added = lib.add(original("other-id", "a" * 64), fp(1))
        assert not added and stored.id == "cam-1"
        with pytest.raises(LibraryError, match="already used"):
            lib.add(original("cam-1", "c" * 64), fp(3))
        assert len(lib) == 1


def test_bad_ids_are_refused(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db", create=True) as lib:
        for bad in ("", "../etc", "a b", "-lead"):
            with pytest.raises(LibraryError, match="not a valid original id"):
                lib.add(original(bad, "d" * 64), fp(4))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_non_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("precious notes, not a database\n")
    before = _digest(path)
    for create in (False, True):
        with pytest.raises(LibraryError, match="not an SQLite file"):
            Library(path, create=create)
    assert _digest(path) == before


def test_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (n INTEGER)")
    before = _digest(path)
    with pytest.raises(LibraryError, match="not a provenance library"):
        Library(path, create=True)
    assert _digest(path) == before


def test_missing_library_and_directory_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="no library at"):
        Library(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()
    with pytest.raises(LibraryError, match="is a directory"):
        Library(tmp_path)


def test_index_matches_brute_force_and_follows_changes(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    refs = {f"r{i}": random_hashes(rng, int(n)) for i, n in enumerate(rng.integers(50, 300, 6))}
    index = HammingIndex()
    for ref_id, hashes in refs.items():
        index.add(ref_id, hashes)
    query = np.concatenate([refs["r2"][10:20], random_hashes(rng, 70)])
    rows, entries, frames = index.query(query, radius=20)
    found = {(int(q), index.ids[int(e)], int(f)) for q, e, f in
             zip(rows, entries, frames, strict=True)}
    expected = {
        (qi, ref_id, fi)
        for ref_id, hashes in refs.items()
        for qi, qh in enumerate(query)
        for fi, rh in enumerate(hashes)
        if bin(int(qh) ^ int(rh)).count("1") <= 20
    }
    assert found == expected
    assert {(q, "r2", 10 + q) for q in range(10)} <= found
    counts = index.candidates(query, radius=20)
    assert counts["r2"] >= 10
    assert counts == {ref: len({q for q, r, _ in found if r == ref}) for ref in
                      {r for _, r, _ in found}}

    with Library(tmp_path / "lib.db", create=True) as lib:
        lib.add(original("one", "1" * 64), fp(1))
        assert lib.index().ids == ["one"]
        lib.add(original("two", "2" * 64), fp(2))
        assert lib.index().ids == ["one", "two"]
        lib.remove("one")
        assert lib.index().ids == ["two"]


def test_chunk_index_finds_the_original_among_many() -> None:
    from tests.test_align import flip_bits

    rng = np.random.default_rng(11)
    refs = [random_hashes(rng, 2000) for _ in range(200)]
    index = ChunkIndex.build([f"r{i}" for i in range(200)], refs)
    for bits in (0, 2, 4):
        query = flip_bits(rng, refs[123][500:740], bits)  # 60 s at 4 samples/s, edited
        counts = index.candidates(query, 16)
        best = max(counts, key=lambda k: counts[k])
        assert best == "r123", bits
        assert counts["r123"] >= (240 if bits <= 2 else 60), bits
        assert list(counts) == ["r123"], bits  # chance collisions are filtered out
    assert index.candidates(random_hashes(rng, 480), 16) == {}


def test_old_schema_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with Library(path, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1))
    with sqlite3.connect(path) as db:  # back to the v1 layout: no `file` column, no meta
        for column in ("file", "location", "latitude", "longitude"):
            db.execute(f"ALTER TABLE originals DROP COLUMN {column}")
        db.execute("DROP TABLE meta")
        db.execute("DROP TABLE local_data")
        db.execute("PRAGMA user_version = 1")
    with Library(path) as lib:
        assert lib.get("cam-1").file == ""
        lib.add(Original(**{**original("cam-2", "b" * 64).__dict__, "file": "/x.mp4"}), fp(2))
        assert lib.get("cam-2").file == "/x.mp4"
        assert lib.get("cam-1").location == "" and lib.get("cam-1").latitude is None
        lib.update("cam-1", location="Coquelles, Calais, France", latitude=50.93,
                   longitude=1.81)
        assert lib.get("cam-1").location.startswith("Coquelles")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM local_data").fetchone()[0] == 0


def test_large_library_saves_its_chunk_index_and_notices_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance.library import store

    monkeypatch.setattr(store, "EXACT_INDEX_MAX_FRAMES", 50)
    path = tmp_path / "lib.db"
    with Library(path, create=True) as lib:
        lib.add(original("one", "1" * 64), fp(1, n=40))
        lib.add(original("two", "2" * 64), fp(2, n=40))
        index = lib.index()
        assert isinstance(index, ChunkIndex) and lib.index_folder.is_dir()
        assert index.candidates(fp(2, n=40).scene, 8) == {"two": 40}
    with Library(path) as lib:  # a new process: the saved index is used as it is
        reloaded = lib.index()
        assert isinstance(reloaded._keys, np.memmap)
        lib.remove("two")
        assert lib.index().candidates(fp(2, n=40).scene, 8) == {}
        assert lib.index().ids == ["one"]
