"""Fixtures that make their own media: synthetic CCTV footage encoded with the bundled ffmpeg."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provenance.library import Library
from provenance.models import Original
from provenance.registry import register
from provenance.settings import load_settings
from tests import synthetic as syn

FPS = 10.0
SIZE = (480, 270)


@dataclass(frozen=True)
class Media:
    root: Path
    cam_a: Path  # 30 s original, camera A
    cam_b: Path  # 30 s original, camera B
    cam_a_later: Path  # camera A, 60-80 s into the same recording: another moment
    clip_a: Path  # cam_a 8-20 s, cropped and re-encoded
    unrelated: Path  # 12 s of another place
    flat: Path  # 4 s of black
    not_video: Path
    empty: Path  # 0 bytes
    no_frames: Path  # a valid container with no video stream


def _scene(seed: int, label: str) -> syn.CCTVScene:
    return syn.CCTVScene(seed=seed, width=SIZE[0], height=SIZE[1], label=label, length=120)


def _ffmpeg(*args: str) -> None:
    subprocess.run([syn.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    root = tmp_path_factory.mktemp("media")
    cam_a, cam_b = _scene(101, "CAM A"), _scene(202, "CAM B")
    paths = {name: root / f"{name}.mp4" for name in
             ("cam_a", "cam_b", "cam_a_later", "clip_a", "unrelated", "flat", "no_frames")}
    syn.write_video(str(paths["cam_a"]), syn.render(cam_a, 0, 30, FPS), FPS)
    syn.write_video(str(paths["cam_b"]), syn.render(cam_b, 0, 30, FPS), FPS)
    syn.write_video(str(paths["cam_a_later"]), syn.render(cam_a, 60, 20, FPS), FPS)
    clip = syn.excerpt(str(paths["cam_a"]), 8.0, 12.0, 25.0)
    syn.write_video(str(paths["clip_a"]), (syn.crop(0.04)(f) for f in clip), 25.0, crf=32)
    syn.write_video(str(paths["unrelated"]), syn.render(_scene(303, "X"), 5, 12, FPS), FPS)
    syn.write_video(str(paths["flat"]),
                    (syn.np.zeros((SIZE[1], SIZE[0], 3), syn.np.uint8) for _ in range(40)), FPS)
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "1", "-c:a", "aac",
            str(paths["no_frames"]))
    not_video = root / "notes.mp4"
    not_video.write_text("this is not a video\n" * 50)
    empty = root / "empty.mp4"
    empty.write_bytes(b"")
    return Media(root=root, not_video=not_video, empty=empty, **paths)


ORIGINALS = {
    "cam-a": dict(title="Camera A", source="Operator CCTV", recorded_at="2015-09-16"),
    "cam-b": dict(title="Camera B", source="Operator CCTV", recorded_at="2015-09-14/2015-09-15"),
}


@pytest.fixture(scope="session")
def library_path(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library file holding cam-a and cam-b. Tests must not modify it (copy it first)."""
    path = tmp_path_factory.mktemp("lib") / "library.db"
    settings = load_settings(db=path, cache_dir=path.parent / "cache")
    with Library(path, create=True) as library:
        files = (media.cam_a, media.cam_b)
        for (original_id, meta), file in zip(ORIGINALS.items(), files, strict=True):
            register(str(file), Original(id=original_id, **meta), library, settings)
    return path


@pytest.fixture(scope="session")
def demo_payload() -> dict[str, object]:
    """The JSON result of `provenance demo` (the Calais article), computed once."""
    from provenance.demo import run_demo
    from provenance.report import to_payload

    outcome = run_demo()
    return to_payload(outcome.results, article=outcome.article)


def assert_coverage(report: dict) -> None:  # type: ignore[type-arg]
    """Matched + same-scene + unexplained cover a JSON result's query exactly, no overlap."""
    from provenance.align import coverage_error
    from provenance.models import Alignment, Segment

    def alignments(key: str) -> list[Alignment]:
        return [Alignment(a["reference_id"], a["score"], tuple(
            Segment(**{k: s[k] for k in ("reference_id", "query_start", "query_end",
                                         "reference_start", "reference_end")})
            for s in a["segments"]), region=tuple(a["region"]) if a.get("region") else None)
            for a in report[key]]

    problem = coverage_error(report["duration"], alignments("matches"), alignments("same_scene"),
                             [(u["query_start"], u["query_end"]) for u in report["unexplained"]])
    assert problem is None, problem


def verify_json(path: Path, db: Path) -> dict:  # type: ignore[type-arg]
    """`provenance verify --json` in process, held to the coverage invariant."""
    import json

    from click.testing import CliRunner

    from provenance.cli import main

    result = CliRunner().invoke(main, ["verify", str(path), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert_coverage(report)
    return report  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A real PostgreSQL server (the binaries of the `pgserver` wheel) for the whole session,
    listening on a Unix socket in its data folder; as root pgserver runs it as a `pgserver`
    system user. Stopped and deleted at the end.

    Its folder is not under pytest's temporary folder: every pytest run as root makes
    /tmp/pytest-of-root private again (0700), which would cut the server user off its data."""
    import pgserver
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="provenance-pg-"))
    server = pgserver.get_server(root / "data", cleanup_mode="delete")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as db:
        # A throwaway server: no flush to disk on commit (CREATE DATABASE 3x faster).
        db.execute("ALTER SYSTEM SET fsync = off")
        db.execute("ALTER SYSTEM SET synchronous_commit = off")
        db.execute("SELECT pg_reload_conf()")
    yield server
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


_DATABASES = itertools.count()


@pytest.fixture
def pg_url(pg_server: Any) -> str:
    """The URL of a new, empty database on the session's server."""
    import psycopg

    name = f"test_{next(_DATABASES)}"
    with psycopg.connect(pg_server.get_uri("postgres"), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return str(pg_server.get_uri(name))


@pytest.fixture(params=["sqlite", "postgresql"])
def library_target(request: pytest.FixtureRequest, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Path | str:
    """Where a new library goes, once per engine: an SQLite file, then a PostgreSQL database
    (its index cache kept under this test's folder)."""
    if request.param == "sqlite":
        return tmp_path / "lib.db"
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "cache"))
    return str(request.getfixturevalue("pg_url"))
