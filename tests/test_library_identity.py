"""A library knows itself: its saved index is bound to it, foreign files are left alone, and
concurrent processes can create and add to one library (synthetic fingerprints, no video)."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from provenance.align import MIN_MOTION_ENERGY, MOTION_RADIUS, SCENE_RADIUS
from provenance.errors import LibraryError
from provenance.library import Library, Radii
from provenance.library import base as base_module
from provenance.library import store as store_module
from provenance.models import Fingerprint, Original
from tests.test_align import make_fp, random_hashes

# Libraries above SAVED_INDEX_MIN_FRAMES save their index; these tests lower it to SAVED_AT so
# two originals of BIG samples have a saved index that stays an exact scan (FAISS's inverted file
# takes over at EXACT_MAX_CODES, and on random synthetic hashes its probes miss true neighbours).
SAVED_AT = 1000
BIG = SAVED_AT // 2 + 50


@pytest.fixture(autouse=True, scope="module")
def _saved_index_threshold() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base_module, "SAVED_INDEX_MIN_FRAMES", SAVED_AT)
        yield


def fp(seed: int, n: int) -> Fingerprint:
    rng = np.random.default_rng(seed)
    return make_fp(random_hashes(rng, n), random_hashes(rng, n))


def original(original_id: str, sha: str) -> Original:
    return Original(id=original_id, sha256=sha, duration=10.0, fps=25.0, width=640, height=360)


def excerpt(source: Fingerprint, start: int, count: int) -> Fingerprint:
    """A verbatim copy of ``count`` samples of an original, as a query."""
    part = slice(start, start + count)
    return make_fp(source.scene[part], source.motion[part])


def events(lib: Library, query: Fingerprint) -> dict[str, int]:
    """Query samples per original found by the library's candidate index (its events: the same
    moment, scene and motion), as verify's first stage sees them."""
    radii = Radii(SCENE_RADIUS, MOTION_RADIUS)
    return dict(lib.index(MIN_MOTION_ENERGY).search(query, radii).events)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _big_library(path: Path, seeds: tuple[int, int]) -> dict[str, Fingerprint]:
    prints = {"one": fp(seeds[0], BIG), "two": fp(seeds[1], BIG)}
    with Library(path, create=True) as lib:
        for n, (original_id, print_) in enumerate(prints.items()):
            lib.add(original(original_id, f"{seeds[0]}{n}".ljust(64, "0")), print_)
    return prints


def test_an_index_left_by_another_library_at_the_same_path_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "big.db"
    _big_library(path, (1, 2))
    with Library(path) as lib:
        lib.index(MIN_MOTION_ENERGY)
        assert lib.index_folder.is_dir()
        first_revision = lib.revision
    path.unlink()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    prints = _big_library(path, (3, 4))  # same ids, same sizes, same revision
    with Library(path) as lib, caplog.at_level(logging.WARNING, "provenance"):
        assert lib.revision == first_revision
        found = events(lib, excerpt(prints["two"], 200, 240))
    assert found == {"two": 240}
    assert "belongs to another library" in caplog.text
    with Library(path) as lib, caplog.at_level(logging.INFO, "provenance"):
        caplog.clear()
        assert events(lib, excerpt(prints["one"], 5, 240)) == {"one": 240}
        assert "rebuilding" not in caplog.text  # the rebuilt index is saved and reused


def _zero(folder: Path, name: str) -> None:
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[:128] + bytes(len(data) - 128))  # same size, header kept


def _shuffle(folder: Path, name: str) -> None:
    table = np.load(folder / name)
    np.save(folder / name, np.random.default_rng(0).permutation(table))


def _short(folder: Path, name: str) -> None:
    table = np.load(folder / name)
    np.save(folder / name, table[: len(table) // 2])


def _meta(change: Callable[[dict[str, object]], object]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        meta = json.loads((folder / "meta.json").read_text())
        (folder / "meta.json").write_text(json.dumps(change(meta)))
    return damage


def _drop(key: str) -> Callable[[dict[str, object]], object]:
    return lambda meta: {k: v for k, v in meta.items() if k != key}


DAMAGE: dict[str, Callable[[Path], None]] = {
    "zeroed views.npy": lambda f: _zero(f, "views.npy"),
    "shuffled event_entry.npy": lambda f: _shuffle(f, "event_entry.npy"),
    "short event_time.npy": lambda f: _short(f, "event_time.npy"),
    "missing events.npy": lambda f: (f / "events.npy").unlink(),
    "reversed ids": _meta(lambda m: {**m, "ids": m["ids"][::-1]}),  # type: ignore[index]
    "meta []": _meta(lambda m: []),
    "meta missing ids": _meta(_drop("ids")),
    "meta missing checksums": _meta(_drop("sha256")),
    "frames changed": _meta(lambda m: {**m, "frames": m["frames"] - 1}),  # type: ignore
    "meta not JSON": lambda f: (f / "meta.json").write_text("{\x00"),
    "meta.json a folder": lambda f: ((f / "meta.json").unlink(), (f / "meta.json").mkdir()),
}


@pytest.fixture(scope="module")
def big_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Fingerprint]]:
    path = tmp_path_factory.mktemp("big") / "big.db"
    prints = _big_library(path, (5, 6))
    with Library(path) as lib:
        lib.index(MIN_MOTION_ENERGY)
    return path, prints


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_index_is_rebuilt_and_said_so(
    case: str, big_library: tuple[Path, dict[str, Fingerprint]], tmp_path: Path,
    caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    source, prints = big_library
    path = tmp_path / "big.db"
    shutil.copy(source, path)
    shutil.copytree(source.with_name("big.db.index"), tmp_path / "big.db.index")
    DAMAGE[case](tmp_path / "big.db.index")
    with Library(path) as lib, caplog.at_level(logging.WARNING, "provenance"):
        assert events(lib, excerpt(prints["one"], 300, 240)) == {"one": 240}, case
    assert "cannot be used" in caplog.text and "rebuilding" in caplog.text
    caplog.clear()
    with Library(path) as lib, caplog.at_level(logging.INFO, "provenance"):
        lib.index(MIN_MOTION_ENERGY)  # the repaired index is saved and used as it is
    assert "rebuilding" not in caplog.text


def test_stale_revision_rebuilds_quietly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(base_module, "SAVED_INDEX_MIN_FRAMES", 50)
    with Library(tmp_path / "lib.db", create=True) as lib, caplog.at_level(logging.WARNING):
        lib.add(original("one", "1" * 64), fp(1, 40))
        lib.add(original("two", "2" * 64), fp(2, 40))
        assert lib.index(MIN_MOTION_ENERGY).ids == ["one", "two"]
        lib.add(original("three", "3" * 64), fp(3, 40))
        assert lib.index(MIN_MOTION_ENERGY).ids == ["one", "three", "two"]
    assert caplog.text == ""


def test_foreign_database_with_a_library_like_table_is_refused_unchanged(tmp_path: Path) -> None:
    for version in (1, 2, 3, 99):
        path = tmp_path / f"foreign{version}.db"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE originals (id TEXT PRIMARY KEY, invoice REAL)")
            db.execute("INSERT INTO originals VALUES ('a', 1.0)")
            db.execute(f"PRAGMA user_version = {version}")
        db.close()
        before = _digest(path)
        for create in (False, True):
            with pytest.raises(LibraryError, match="not a provenance library"):
                Library(path, create=create)
        assert _digest(path) == before, version


def test_another_application_id_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    with Library(path, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1, 40))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1234")
    db.close()
    before = _digest(path)
    with pytest.raises(LibraryError, match="not a provenance library"):
        Library(path, create=True)
    assert _digest(path) == before


def test_new_library_carries_the_application_id_and_an_id(tmp_path: Path) -> None:
    ids = set()
    for name in ("a.db", "b.db"):
        with Library(tmp_path / name, create=True) as lib:
            ids.add(lib.library_id)
        with sqlite3.connect(tmp_path / name) as db:
            assert db.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID
        db.close()
    assert len(ids) == 2


def test_genuine_v5_library_is_upgraded_with_an_id(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    with Library(path, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1, 40))
    with sqlite3.connect(path) as db:  # back to the v5 layout: no application id, no library id
        db.execute("DELETE FROM meta WHERE key = 'library_id'")
        db.execute("PRAGMA application_id = 0")
        db.execute("PRAGMA user_version = 5")
    db.close()
    with Library(path) as lib:
        assert lib.get("cam-1").id == "cam-1" and lib.library_id > 0
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID
        assert db.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    db.close()


def test_fifo_and_trailing_newline_id_are_refused(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for create in (False, True):
        with pytest.raises(LibraryError, match="not a regular file"):
            Library(fifo, create=create)
    with Library(tmp_path / "lib.db", create=True) as lib:
        with pytest.raises(LibraryError, match="not a valid original id"):
            lib.add(original("cam-1\n", "a" * 64), fp(1, 40))
        assert len(lib) == 0


def _racer(path: str, worker: int) -> list[str]:
    """Create the library if needed and add one original of its own and one shared by all."""
    outcomes = []
    try:
        with Library(path, create=True) as lib:
            _, added = lib.add(original(f"own-{worker}", f"{worker:064d}"), fp(worker, 40))
            outcomes.append(f"own {added}")
            stored, added = lib.add(original(f"shared-{worker}", "f" * 64), fp(99, 40))
            outcomes.append(f"shared {added} {stored.id.startswith('shared-')}")
    except Exception as exc:  # reported to the parent, which fails the test with it
        outcomes.append(f"{type(exc).__name__}: {exc}")
    return outcomes


# Rounds of the race and processes per round (each round a new library file).
RACE_ROUNDS = 20
RACE_WORKERS = 5


def test_concurrent_processes_create_and_add_to_one_new_library(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    with context.Pool(RACE_WORKERS) as pool:
        for round_ in range(RACE_ROUNDS):
            path = str(tmp_path / f"race{round_}.db")
            results = pool.starmap(_racer, [(path, w) for w in range(RACE_WORKERS)],
                                   chunksize=1)
            flat = [line for outcome in results for line in outcome]
            assert all(line.startswith(("own", "shared")) for line in flat), flat
            assert flat.count("own True") == RACE_WORKERS
            assert flat.count("shared True True") == 1, flat
            assert flat.count("shared False True") == RACE_WORKERS - 1, flat
            with Library(path) as lib:
                assert len(lib) == RACE_WORKERS + 1
                assert lib.revision == RACE_WORKERS + 1
