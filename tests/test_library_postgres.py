"""The PostgreSQL engine on a real server: what differs from a file (foreign databases, the
server's absence), the same schema as SQLite, processes adding at once, and `library copy`."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.errors import LibraryError
from provenance.library import Library
from provenance.library.store import SCHEMA_VERSION
from tests.conftest import Media
from tests.test_library import fp, original


def _tables(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_schema = current_schema() ORDER BY ordinal_position")
        tables: dict[str, list[str]] = {}
        for table, column in rows:
            tables.setdefault(table, []).append(column)
    return tables


def test_same_tables_columns_and_schema_version_as_sqlite(pg_url: str, tmp_path: Path) -> None:
    Library(pg_url, create=True).close()
    Library(tmp_path / "lib.db", create=True).close()
    with sqlite3.connect(tmp_path / "lib.db") as db:
        names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        sqlite_tables = {name: [row[1] for row in db.execute(f"PRAGMA table_info({name})")]
                         for name in names}
        sqlite_version = db.execute("PRAGMA user_version").fetchone()[0]
    assert _tables(pg_url) == sqlite_tables
    with psycopg.connect(pg_url) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        types = dict(db.execute("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_schema = current_schema()").fetchall())
    assert (types["duration"], types["latitude"], types["scene"], types["value"]) == (
        "double precision", "double precision", "bytea", "bigint")
    assert meta["schema_version"] == sqlite_version == SCHEMA_VERSION
    assert meta["revision"] == 0 and meta["library_id"] > 0


def test_v7_library_gains_the_pictures_column(media: Media, library_path: Path,
                                              pg_url: str) -> None:
    """A PostgreSQL library of schema v7 (no keyframe pictures) is upgraded in place; its
    originals read back without pictures, and new ones store theirs."""
    assert CliRunner().invoke(main, ["library", "copy", str(library_path), pg_url]).exit_code == 0
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("ALTER TABLE local_data DROP COLUMN pictures")
        db.execute("UPDATE meta SET value = 7 WHERE key = 'schema_version'")
    with Library(pg_url) as lib:
        old = lib.local_data("cam-a")
        assert old is not None and old.pictures == () and len(old.key_times) > 0
        with Library(library_path) as source:
            stored = source.local_data("cam-b")
        assert stored is not None and stored.pictures
        lib.replace_local("cam-b", stored)
        again = lib.local_data("cam-b")
        assert again is not None and again.pictures == stored.pictures
    assert _tables(pg_url)["local_data"][-1] == "pictures"
    with psycopg.connect(pg_url) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            SCHEMA_VERSION,)


def test_foreign_database_is_refused_and_left_untouched(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("CREATE TABLE invoices (n INTEGER)")
        db.execute("INSERT INTO invoices VALUES (7)")
    for create in (False, True):
        with pytest.raises(LibraryError, match="PostgreSQL database but not a provenance"):
            Library(pg_url, create=create)
    # a table called meta is not enough: a library has its id and schema version there
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('owner', 'accounts')")
    with pytest.raises(LibraryError, match="not a provenance library; it was left untouched"):
        Library(pg_url, create=True)
    assert _tables(pg_url) == {"invoices": ["n"], "meta": ["key", "value"]}


def test_missing_library_newer_schema_and_unreachable_server(pg_url: str) -> None:
    with pytest.raises(LibraryError, match="no library in .*the database is empty"):
        Library(pg_url)
    assert _tables(pg_url) == {}
    Library(pg_url, create=True).close()
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
    with pytest.raises(LibraryError, match="newer provenance"):
        Library(pg_url)
    with pytest.raises(LibraryError, match="cannot reach the PostgreSQL library") as caught:
        Library("postgresql://someone:s3cret@127.0.0.1:1/nothing")
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


def test_metadata_postgresql_cannot_hold_is_an_error_not_a_traceback(pg_url: str) -> None:
    with Library(pg_url, create=True) as lib:
        bad = original("cam-0", "0" * 64)
        outcomes = lib.add_many([
            (bad.__class__(**{**bad.__dict__, "title": "a\x00b"}), fp(0), None),
            (original("cam-1", "1" * 64), fp(1), None)])
        assert isinstance(outcomes[0], LibraryError) and "cam-0" in str(outcomes[0])
        assert outcomes[1] == (lib.get("cam-1"), True) and len(lib) == 1


ADDS_PER_PROCESS = 30
SHARED = 10  # files both processes add under the same ids: one adds each, the other finds it


def _add_many_at_once(url: str, worker: int, start: multiprocessing.synchronize.Event,
                      results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start.wait()
    added = []
    with Library(url, create=True) as lib:  # both create the library at once, too
        for k in range(ADDS_PER_PROCESS):
            original_id = f"shared-{k}" if k < SHARED else f"w{worker}-{k}"
            sha = (f"s{k}" if k < SHARED else f"w{worker}{k}").ljust(64, "0")
            _, new = lib.add(original(original_id, sha), fp(100 + k if k < SHARED else k))
            added.append(new)
        results.put((added, lib.library_id))


def test_two_processes_creating_and_adding_at_once_lose_and_duplicate_nothing(
    pg_url: str
) -> None:
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_add_many_at_once, args=(pg_url, w, start, results))
               for w in (1, 2)]
    for process in workers:
        process.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    unique = 2 * (ADDS_PER_PROCESS - SHARED)
    assert sum(sum(added) for added, _ in outcomes) == unique + SHARED
    with Library(pg_url) as lib:
        assert {library_id for _, library_id in outcomes} == {lib.library_id}  # one library
        ids = [o.id for o in lib.list()]
        assert len(ids) == len(set(ids)) == unique + SHARED
        assert lib.revision == unique + SHARED  # one revision per add that wrote something
        for k in range(SHARED):
            assert (lib.fingerprint(f"shared-{k}").scene == fp(100 + k).scene).all()
        with psycopg.connect(pg_url) as db:
            assert db.execute("SELECT COUNT(*) FROM fingerprints").fetchone() == (len(ids),)


def _verify_json(query: Path, db: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["verify", str(query), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload.pop("settings")["db"] == db  # differs by library
    payload["provenance"].pop("retrieved_at")  # differs by second
    return payload  # type: ignore[no-any-return]


def test_library_copy_both_ways_keeps_everything_and_verify_agrees(
    media: Media, library_path: Path, pg_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["library", "copy", str(library_path), pg_url])
    assert result.exit_code == 0, result.output
    assert "copied 2 originals" in result.stdout
    back = tmp_path / "back.db"
    result = runner.invoke(main, ["library", "copy", pg_url, str(back)])
    assert result.exit_code == 0, result.output
    with Library(library_path) as first, Library(pg_url) as shared, Library(back) as last:
        assert first.list() == shared.list() == last.list()
        for o in first.list():
            a, b, c = first.fingerprint(o.id), shared.fingerprint(o.id), last.fingerprint(o.id)
            for name in ("times", "scene", "mirror", "motion", "motion_mirror",
                         "motion_energy", "informative"):
                assert getattr(a, name).tobytes() == getattr(b, name).tobytes() \
                    == getattr(c, name).tobytes(), name
            assert (a.sample_fps, a.version, a.decoder, a.duration) == (
                b.sample_fps, b.version, b.decoder, b.duration) == (
                c.sample_fps, c.version, c.decoder, c.duration)
            local = [lib.local_data(o.id) for lib in (first, shared, last)]
            assert all(data is not None for data in local)
            for name in ("detail_times", "details", "key_times", "key_counts", "key_points",
                         "key_descriptors"):
                assert len({getattr(data, name).tobytes() for data in local}) == 1, name
            assert len({(data.key_size, data.saturation) for data in local}) == 1
            # the report's keyframe pictures (JPEG bytes), one per keyframe, as stored
            assert len({data.pictures for data in local}) == 1  # type: ignore[union-attr]
            assert local[0] is not None and len(local[0].pictures) == len(local[0].key_times)
            assert all(p.startswith(b"\xff\xd8") for p in local[0].pictures)
    expected = _verify_json(media.clip_a, str(library_path))
    assert expected["verdict"] == "match"
    assert _verify_json(media.clip_a, pg_url) == expected
    assert _verify_json(media.clip_a, str(back)) == expected
    # a destination holding originals is refused, untouched, unless told to replace them
    result = runner.invoke(main, ["library", "copy", str(library_path), str(back)])
    assert result.exit_code == 5
    assert "already holds 2 originals" in result.output and "--replace" in result.output
    result = runner.invoke(main, ["library", "copy", "--replace", str(library_path), str(back)])
    assert result.exit_code == 0, result.output
    # a library is never its own destination, whatever path names it
    other_name = tmp_path / "alias.db"
    other_name.symlink_to(back)
    result = runner.invoke(main, ["library", "copy", "--replace", str(back), str(other_name)])
    assert result.exit_code == 5 and "both the source and the destination" in result.output
    with Library(back) as kept:
        assert len(kept) == 2


def test_commands_take_a_postgresql_url_from_db_and_the_environment(
    media: Media, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["library", "add", str(media.cam_b), "--id", "cam-b",
                                  "--db", pg_url, "--recorded-at", "2015-09-14"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("PROVENANCE_DB", pg_url)
    listed = runner.invoke(main, ["library", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [o["id"] for o in json.loads(listed.stdout)] == ["cam-b"]
    stats = json.loads(runner.invoke(main, ["library", "stats", "--json"]).stdout)
    assert stats["originals"] == 1 and stats["path"].startswith("postgresql://")



def test_the_index_is_cached_where_the_command_s_cache_folder_is(
        media: Media, library_path: Path, pg_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A desk audit: a PostgreSQL library's index went to $PROVENANCE_CACHE or the default cache
    whatever --cache-dir or the config file said. It follows the settings' cache folder."""
    from provenance.library import base

    monkeypatch.setattr(base, "SAVED_INDEX_MIN_FRAMES", 1)  # every index saved
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "env"))
    assert CliRunner().invoke(main, ["library", "copy", str(library_path), pg_url]).exit_code == 0
    flag = tmp_path / "flag"
    result = CliRunner().invoke(main, ["--cache-dir", str(flag), "verify", str(media.clip_a),
                                       "--db", pg_url, "--json"])
    assert result.exit_code == 0, result.output
    assert len(list((flag / "libraries").glob("*.index"))) == 1
    assert not (tmp_path / "env" / "libraries").exists()
    # without the flag: the environment, then the config file's `cache_dir`
    with Library(pg_url) as lib:
        assert lib.index_folder.parent == tmp_path / "env" / "libraries"
    monkeypatch.delenv("PROVENANCE_CACHE")
    config = tmp_path / "config.toml"
    config.write_text(f'cache_dir = "{tmp_path / "configured"}"\n')
    monkeypatch.setenv("PROVENANCE_CONFIG", str(config))
    with Library(pg_url) as lib:
        assert lib.index_folder.parent == tmp_path / "configured" / "libraries"
