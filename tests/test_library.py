"""The library (each test marked `library_target` runs against SQLite and PostgreSQL) and the
candidate index, on synthetic fingerprints (no video)."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from provenance.align import (
    DEFAULT_PARAMS,
    MIN_MOTION_ENERGY,
    MOTION_RADIUS,
    SCENE_RADIUS,
    view_radius,
)
from provenance.errors import LibraryError
from provenance.library import FrameIndex, Library, Radii, Scores, merge, store
from provenance.library.index import KEYS_PER_KEYFRAME, key_sample
from provenance.models import Fingerprint, LocalData, Original, Verdict
from provenance.pipeline import (
    MAX_CANDIDATES,
    MIN_CANDIDATE_SAMPLES,
    match_fingerprint,
    rank_candidates,
)
from tests.test_align import make_fp, random_hashes


def fp(seed: int, n: int = 40):
    rng = np.random.default_rng(seed)
    return make_fp(random_hashes(rng, n), random_hashes(rng, n))


def original(original_id: str, sha: str) -> Original:
    return Original(id=original_id, title="t", source="s", recorded_at="2015-09-16", sha256=sha,
                    duration=10.0, fps=25.0, width=640, height=360)


def test_add_list_show_remove_round_trip(library_target: Path | str) -> None:
    path = library_target
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


_READ_ONLY_CHECK = """
import sys
from provenance.errors import LibraryError
from provenance.library import Library
from provenance.registry import register
from tests.test_library import fp, original
with Library(sys.argv[1]) as lib:
    print(",".join(o.id for o in lib.list()), len(lib.fingerprint("cam-1")))
    try:
        lib.add(original("cam-2", "b" * 64), fp(2))
    except LibraryError as error:
        print("refused:", error.message)
    try:  # said before any work: the video is not even looked for
        register("/nonexistent/video.mp4", original("cam-3", "c" * 64), lib)
    except LibraryError as error:
        print("register:", error.message)
"""


def test_a_library_in_a_read_only_folder_can_be_read(tmp_path: Path) -> None:
    # SQLite's write-ahead log wants its -wal/-shm files beside the library even to read it
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="provenance-ro-"))
    try:
        with Library(shared / "desk.db", create=True) as lib:
            lib.add(original("cam-1", "a" * 64), fp(1))
        before = _digest(shared / "desk.db")
        shared.chmod(0o555)
        (shared / "desk.db").chmod(0o444)
        command = [sys.executable, "-c", _READ_ONLY_CHECK, str(shared / "desk.db")]
        if os.geteuid() == 0:  # root may write anywhere: read as the unprivileged user
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv (util-linux) to drop privileges")
            command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        root = Path(__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": str(root), "HOME": str(shared)}  # not our config
        can_import = subprocess.run([*command[:-3], "-c", "import provenance, tests"], cwd=root,
                                    capture_output=True, text=True, timeout=60, env=env)
        if can_import.returncode:
            pytest.skip("the unprivileged user cannot read this checkout: "
                        f"{can_import.stderr[-200:]}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=root,
                              env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[0] == "cam-1 40"
        assert "refused:" in done.stdout and "read-only here" in done.stdout
        assert done.stdout.splitlines()[-1].endswith("is read-only here")  # register's, first
        assert _digest(shared / "desk.db") == before
        assert sorted(p.name for p in shared.iterdir()) == ["desk.db"]
    finally:
        shared.chmod(0o755)
        shutil.rmtree(shared)


def test_same_file_twice_is_a_noop_and_id_clash_is_an_error(library_target: Path | str) -> None:
    with Library(library_target, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1))
        stored, added = lib.add(original("other-id", "a" * 64), fp(1))
        assert not added and stored.id == "cam-1"
        with pytest.raises(LibraryError, match="already used"):
            lib.add(original("cam-1", "c" * 64), fp(3))
        assert len(lib) == 1


def test_update_reindex_and_revision(library_target: Path | str) -> None:
    with Library(library_target, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1))
        assert lib.revision == 1
        updated = lib.update("cam-1", location="Coquelles, Calais, France", latitude=50.93,
                             longitude=1.81, notes="")
        assert (updated.location, updated.latitude, updated.longitude) == (
            "Coquelles, Calais, France", 50.93, 1.81)
        with pytest.raises(LibraryError, match="sha256 cannot be updated"):
            lib.update("cam-1", sha256="b" * 64)
        lib.replace_fingerprint("cam-1", fp(7))
        assert lib.fingerprint("cam-1").scene.tobytes() == fp(7).scene.tobytes()
        assert lib.revision == 3
        lib.add(original("other", "a" * 64), fp(1))  # the same file again changes nothing
        assert lib.revision == 3
        stats = lib.stats()
        assert (stats["originals"], stats["samples"], stats["fingerprint_bytes"]) == (
            1, 40, 40 * (8 * 5 + 4 + 1))


def test_bad_ids_are_refused(library_target: Path | str) -> None:
    with Library(library_target, create=True) as lib:
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


def _brute_force_scores(refs: dict[str, Fingerprint], query: Fingerprint) -> Scores:
    """What the index must find, computed pair by pair: per original, distinct query samples
    agreeing in scene and motion within one 1-second offset bin (or a neighbour), and distinct
    samples sharing a view."""
    events, views = {}, {}
    for ref_id, ref in refs.items():
        votes: dict[int, set[int]] = {}
        shared = set()
        for qi in range(len(query.scene)):
            for scene, motion in ((query.scene[qi], query.motion[qi]),
                                  (query.mirror[qi], query.motion_mirror[qi])):
                for fi in range(len(ref.scene)):
                    near = bin(int(scene) ^ int(ref.scene[fi])).count("1") <= SCENE_RADIUS
                    shared |= {qi} if near else set()
                    if near and bin(int(motion) ^ int(ref.motion[fi])).count("1") <= MOTION_RADIUS:
                        offset = int(np.floor(ref.times[fi] - query.times[qi]))
                        for b in (offset - 1, offset, offset + 1):
                            votes.setdefault(b, set()).add(qi)
        if votes:
            events[ref_id] = max(len(v) for v in votes.values())
        if shared:
            views[ref_id] = len(shared)
    return Scores(events, views)


def test_exact_index_scores_equal_brute_force() -> None:
    from tests.test_align import flip_bits

    rng = np.random.default_rng(3)
    refs = {f"r{i}": fp(i, n=int(n)) for i, n in enumerate(rng.integers(50, 200, 6))}
    ref = refs["r2"]
    query = make_fp(flip_bits(rng, ref.scene[10:40], 6), flip_bits(rng, ref.motion[10:40], 6))
    index = FrameIndex.build(list(refs), list(refs.values()), MIN_MOTION_ENERGY)
    assert index.kind == "exact"
    scores = index.search(query, Radii(SCENE_RADIUS, MOTION_RADIUS))
    assert scores == _brute_force_scores(refs, query)
    assert scores.events["r2"] == 30


def test_shards_merged_give_the_scores_of_one_index() -> None:
    from tests.test_align import flip_bits

    rng = np.random.default_rng(9)
    refs = {f"r{i}": fp(50 + i, n=120) for i in range(9)}
    refs["r9"] = make_fp(refs["r4"].scene, refs["r4"].motion)  # the same footage twice
    query = make_fp(flip_bits(rng, refs["r4"].scene[20:60], 5),
                    flip_bits(rng, refs["r4"].motion[20:60], 5))
    radii = Radii(SCENE_RADIUS, MOTION_RADIUS)
    whole = FrameIndex.build(list(refs), list(refs.values()), MIN_MOTION_ENERGY).search(query,
                                                                                        radii)
    names = list(refs)
    shards = [FrameIndex.build(part, [refs[n] for n in part], MIN_MOTION_ENERGY)
              for part in (names[:3], names[3:7], names[7:])]
    assert merge([shard.search(query, radii) for shard in shards]) == whole
    assert whole.events["r4"] == whole.events["r9"] == 40


def test_same_camera_at_another_moment_ranks_after_the_true_original() -> None:
    """A fixed camera: every original shows the same view (a few bits apart); only the true one
    holds the query's events. The query is cropped (12 bits off in scene) and re-encoded."""
    from tests.test_align import flip_bits

    rng = np.random.default_rng(5)
    view = random_hashes(rng, 1)[0]
    refs = {}
    for k in range(40):
        scene = flip_bits(rng, np.full(400, view, np.uint64), 3)
        refs[f"archive-{k:02d}"] = make_fp(scene, random_hashes(rng, 400))
    true = refs["archive-17"]
    query = make_fp(flip_bits(rng, true.scene[200:248], 12),
                    flip_bits(rng, true.motion[200:248], 4))
    index = FrameIndex.build(list(refs), list(refs.values()), MIN_MOTION_ENERGY)
    scores = index.search(query, Radii(SCENE_RADIUS, MOTION_RADIUS))
    ranked = rank_candidates(scores)
    assert ranked[0] == "archive-17" and scores.events["archive-17"] == 48
    assert len(ranked) == MAX_CANDIDATES  # the others share the view: same-scene candidates
    assert all(scores.events.get(r, 0) < MIN_CANDIDATE_SAMPLES for r in ranked[1:])


def test_the_view_radius_keeps_chance_neighbours_under_the_bound() -> None:
    """Unrelated views fall within r bits of one another like 64 fair coins (binomial): the
    radius is the largest, up to the scene radius, whose chance over a library's views (both
    orientations) stays within the bound; small libraries keep the scene radius."""
    from math import comb

    def chance(views: int, radius: int) -> float:
        return 2 * views * sum(comb(64, k) for k in range(radius + 1)) / 2 ** 64

    assert view_radius(600, DEFAULT_PARAMS) == SCENE_RADIUS
    previous = SCENE_RADIUS
    for views in (700, 3_000, 30_000, 300_000, 1_440_000, 10**7):
        radius = view_radius(views, DEFAULT_PARAMS)
        assert chance(views, radius) <= DEFAULT_PARAMS.view_chance < chance(views, radius + 1)
        assert radius <= previous
        previous = radius
    assert view_radius(1_440_000, DEFAULT_PARAMS) == 10  # 100 hours at 4 samples a second


def test_a_view_near_one_of_many_originals_by_chance_is_no_same_scene(tmp_path: Path) -> None:
    """A library of many views: a fixed camera that none of its originals shows, lying a few
    bits nearer one original's sample than the scene radius, is no match, not "the same view"
    (with the scene radius it was); the fixed camera the library holds, at another moment, is
    still the same view."""
    from tests.test_align import flip_bits

    rng = np.random.default_rng(21)
    refs = {f"long-{k}": make_fp(random_hashes(rng, 7200), random_hashes(rng, 7200))
            for k in range(4)}
    camera = random_hashes(rng, 1)[0]
    refs["camera"] = make_fp(flip_bits(rng, np.full(400, camera, np.uint64), 2),
                             random_hashes(rng, 400))
    with Library(tmp_path / "many.db", create=True) as lib:
        for k, (ref_id, ref) in enumerate(refs.items()):
            lib.add(original(ref_id, f"{k:064x}"), ref)
        radius = view_radius(lib.index(MIN_MOTION_ENERGY).views, DEFAULT_PARAMS)
        assert radius == 12  # about 29,000 views
        chance_view = flip_bits(rng, refs["long-2"].scene[3000:3001], radius + 2)[0]
        still = make_fp(flip_bits(rng, np.full(160, chance_view, np.uint64), 1),
                        random_hashes(rng, 160), energy=0.0)
        result = match_fingerprint(still, lib)
        assert result.params.view_radius == radius
        assert result.verdict is Verdict.NO_MATCH and not result.same_scene
        wide = match_fingerprint(still, lib, replace(DEFAULT_PARAMS, view_chance=float("inf")))
        assert "long-2" in [a.reference_id for a in wide.same_scene]
        other_moment = make_fp(flip_bits(rng, np.full(160, camera, np.uint64), 3),
                               random_hashes(rng, 160))
        result = match_fingerprint(other_moment, lib)
        assert result.verdict is Verdict.SAME_SCENE
        assert [a.reference_id for a in result.same_scene] == ["camera"]


def test_inverted_file_finds_the_original_among_many(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.library import index as index_module
    from tests.test_align import flip_bits

    monkeypatch.setattr(index_module, "EXACT_MAX_CODES", 5_000)
    rng = np.random.default_rng(11)
    refs = {f"r{i:03d}": fp(100 + i, n=400) for i in range(150)}
    index = FrameIndex.build(list(refs), list(refs.values()), MIN_MOTION_ENERGY)
    assert index.kind == "ivf"
    for bits in (0, 4, 8):
        true = refs["r123"]
        query = make_fp(flip_bits(rng, true.scene[100:148], bits),
                        flip_bits(rng, true.motion[100:148], bits))
        scores = index.search(query, Radii(SCENE_RADIUS, MOTION_RADIUS))
        assert rank_candidates(scores)[0] == "r123", bits
        # Random 64-bit hashes fall within 16 bits of each other by chance (p ~ 4e-5), so a few
        # originals share a view or two with any query; none shares its events.
        # (an inverted file is approximate: on random codes, which cluster worse than real ones,
        # 16 probes miss a few samples 16 bits away)
        assert list(scores.events) == ["r123"] and scores.events["r123"] >= 36, bits
    noise = make_fp(random_hashes(rng, 48), random_hashes(rng, 48))
    assert index.search(noise, Radii(SCENE_RADIUS, MOTION_RADIUS)).events == {}


def test_repeated_hashes_are_searched_once_with_the_same_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A fixed camera's samples repeat their hashes: each distinct row is searched once, and
    # every row gets the answer a search of it alone gives, from the inverted file too.
    from provenance.library import index as index_module

    monkeypatch.setattr(index_module, "EXACT_MAX_CODES", 5_000)
    refs = {f"r{i:03d}": fp(100 + i, n=400) for i in range(150)}
    index = FrameIndex.build(list(refs), list(refs.values()), MIN_MOTION_ENERGY)
    assert index.kind == "ivf"
    true = refs["r042"]
    codes = index_module._codes(np.tile(true.scene[100:110], 30),
                                np.tile(true.motion[100:110], 30))
    searched: list[int] = []
    events = index._events

    class Counting:
        def search(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            searched.append(len(rows))
            return events.search(rows, k)

    distance, found = index_module._search_distinct(Counting(), codes, 8)
    assert searched == [10]
    alone = [events.search(codes[k:k + 1], 8) for k in range(len(codes))]
    assert (distance == np.concatenate([d for d, _ in alone])).all()
    assert (found == np.concatenate([f for _, f in alone])).all()
    assert (found[:, 0] >= 0).all()


def test_library_index_follows_changes(library_target: Path | str) -> None:
    with Library(library_target, create=True) as lib:
        lib.add(original("one", "1" * 64), fp(1))
        assert lib.index(MIN_MOTION_ENERGY).ids == ["one"]
        lib.add(original("two", "2" * 64), fp(2))
        assert lib.index(MIN_MOTION_ENERGY).ids == ["one", "two"]
        lib.remove("one")
        assert lib.index(MIN_MOTION_ENERGY).ids == ["two"]


def test_old_schema_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with Library(path, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1))
    with sqlite3.connect(path) as db:  # back to the v1 layout: no `file`, meta or decoder
        for column in ("file", "location", "latitude", "longitude"):
            db.execute(f"ALTER TABLE originals DROP COLUMN {column}")
        db.execute("ALTER TABLE fingerprints DROP COLUMN decoder")
        db.execute("DROP TABLE meta")
        db.execute("DROP TABLE local_data")
        db.execute("PRAGMA user_version = 1")
    with Library(path) as lib:
        assert lib.get("cam-1").file == ""
        assert lib.fingerprint("cam-1").decoder == "opencv"  # every v1/v2 fingerprint was
        lib.add(Original(**{**original("cam-2", "b" * 64).__dict__, "file": "/x.mp4"}), fp(2))
        assert lib.get("cam-2").file == "/x.mp4"
        assert lib.get("cam-1").location == "" and lib.get("cam-1").latitude is None
        lib.update("cam-1", location="Coquelles, Calais, France", latitude=50.93,
                   longitude=1.81)
        assert lib.get("cam-1").location.startswith("Coquelles")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert db.execute("SELECT COUNT(*) FROM local_data").fetchone()[0] == 0


def test_library_without_sound_columns_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    with Library(path, create=True) as lib:
        lib.add(original("cam-1", "a" * 64), fp(1))
    with sqlite3.connect(path) as db:  # the v6 layout: no camera clock, no sound
        db.execute("ALTER TABLE originals DROP COLUMN recorded_on_screen")
        db.execute("ALTER TABLE fingerprints DROP COLUMN audio")
        db.execute("PRAGMA user_version = 6")
    with Library(path) as lib:
        assert lib.get("cam-1").recorded_on_screen == ""
        assert len(lib.fingerprint("cam-1").audio) == 0
        codes = np.arange(20, dtype=np.uint32)
        lib.add(original("cam-2", "b" * 64), replace(fp(2), audio=codes))
        assert np.array_equal(lib.fingerprint("cam-2").audio, codes)
        assert list(lib.audio_fingerprints(10)) == ["cam-2"]


def test_large_library_saves_its_index_and_notices_changes(
    library_target: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance.library import base

    monkeypatch.setattr(base, "SAVED_INDEX_MIN_FRAMES", 50)
    path = library_target
    radii = Radii(SCENE_RADIUS, MOTION_RADIUS)
    # "one" stored keypoints (two keyframes of random descriptors): the keypoint index holds
    # KEYS_PER_KEYFRAME of each, and each of them votes for "one" alone.
    descriptors = np.random.default_rng(5).integers(0, 256, (400, 32), dtype=np.uint8)
    local = LocalData(detail_times=np.arange(4) / 4.0, details=np.zeros((4, 36, 64), np.uint8),
                      key_times=np.array([0.0, 0.5]), key_counts=np.array([200, 200], np.int32),
                      key_points=np.zeros((400, 2), np.float32), key_descriptors=descriptors,
                      key_size=(640, 360), saturation=0.0)
    kept = key_sample(descriptors, local.key_counts)
    with Library(path, create=True) as lib:
        lib.add(original("one", "1" * 64), fp(1, n=40), local)
        lib.add(original("two", "2" * 64), fp(2, n=40))
        lib.add(original("three", "3" * 64), fp(3, n=40))
        built = lib.index(MIN_MOTION_ENERGY).search(fp(2, n=40), radii)
        assert built.events == {"two": 40} and lib.index_folder.is_dir()
        assert len(kept) == 2 * KEYS_PER_KEYFRAME
        assert lib.index(MIN_MOTION_ENERGY).key_scores(kept[:50]) == {"one": 50.0}
        assert lib.without_local_data() == 2
        # beside an SQLite file; for PostgreSQL in this machine's cache, by library id
        assert lib.index_folder.parent == (tmp_path if isinstance(path, Path)
                                           else tmp_path / "cache" / "libraries")
    loads = []
    original_load = FrameIndex.load

    def counted(*args: object) -> FrameIndex:
        from provenance.library.index import IndexMismatch

        try:
            loaded = original_load(*args)  # type: ignore[arg-type]
        except IndexMismatch:
            loads.append(False)
            raise
        loads.append(True)
        return loaded

    monkeypatch.setattr(FrameIndex, "load", counted)
    with Library(path) as lib:  # a new process: the saved index is used as it is
        assert lib.index(MIN_MOTION_ENERGY).search(fp(2, n=40), radii) == built
        assert lib.index(MIN_MOTION_ENERGY).key_scores(kept[50:80]) == {"one": 30.0}
        assert loads == [True]
        lib.remove("two")
        assert lib.index(MIN_MOTION_ENERGY).search(fp(2, n=40), radii).events == {}
        assert loads == [True, False]  # stale: rebuilt (and saved again)
        assert lib.index(MIN_MOTION_ENERGY).ids == ["one", "three"]


def test_keyframe_pictures_pack_and_a_damaged_value_gives_none() -> None:
    from provenance.library.common import pack_pictures, unpack_pictures

    pictures = (b"\xff\xd8one", b"", b"\xff\xd8three")
    packed = pack_pictures(pictures)
    assert unpack_pictures(packed) == pictures and unpack_pictures(pack_pictures(())) == ()
    for damaged in (packed[:-1], packed + b"x", packed[:6], b"\xff\xff\xff\xff"):
        assert unpack_pictures(damaged) == ()


def test_a_damaged_keypoint_row_leaves_the_other_originals_keys(tmp_path: Path) -> None:
    # The keypoint index is built with every verify's candidate index: a row whose counts do
    # not add up to its descriptors (a damaged or foreign file) must not stop it.
    rng = np.random.default_rng(9)
    path = tmp_path / "lib.db"
    with Library(path, create=True) as lib:
        for name in ("good", "bad"):
            descriptors = rng.integers(0, 256, (300, 32), dtype=np.uint8)
            lib.add(original(name, name[0] * 64), fp(len(name), n=40), LocalData(
                detail_times=np.arange(4) / 4.0, details=np.zeros((4, 36, 64), np.uint8),
                key_times=np.array([0.0]), key_counts=np.array([300], np.int32),
                key_points=np.zeros((300, 2), np.float32), key_descriptors=descriptors,
                key_size=(640, 360), saturation=0.0))
        good = key_sample(lib.local_data("good").key_descriptors,  # type: ignore[union-attr]
                          np.array([300], np.int32))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE local_data SET key_counts = ? WHERE original_id = 'bad'",
                   (np.array([900], np.int32).tobytes(),))
    assert len(key_sample(good, np.array([900], np.int32))) == 0
    with Library(path) as lib:
        assert lib.index(MIN_MOTION_ENERGY).key_scores(good[:20]) == {"good": 20.0}


def test_a_csv_export_holds_no_formula_a_spreadsheet_would_run_and_reads_back_the_same(
        tmp_path: Path) -> None:
    """Text that begins like a formula is written behind a quote (OWASP's CSV injection advice),
    and an import gives back the very values (a desk audit's =HYPERLINK(...) title opened as a
    live link)."""
    import csv
    import io

    from provenance.library.manifest import read_manifest, write_manifest
    from provenance.models import Original

    texts = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
             "'=quoted", "plain 'text'", "'", "-", "\t=cmd", "\r=cr"]
    originals = [Original(id=f"o{n}", title=text, notes=text, longitude=-1.85, latitude=50.9,
                          file=str(tmp_path / f"o{n}.mp4")) for n, text in enumerate(texts)]
    written = write_manifest(originals, "csv")
    cells = [c for row in csv.reader(io.StringIO(written)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells
                   if c != "-1.85")
    assert "-1.85" in cells  # numbers stay numbers
    manifest = tmp_path / "export.csv"
    manifest.write_text(written, "utf-8")
    read = [row.original for row in read_manifest(manifest)]
    # values come back as written, but for the white space around them import drops
    assert [(o.title, o.notes, o.longitude) for o in read if o] == [
        (t.strip(), t.strip(), -1.85) for t in texts]
