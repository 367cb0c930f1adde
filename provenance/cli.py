"""The `provenance` command: thin click commands over the library API.

Exit codes: 0 ok, 1 unexpected error, 2 usage or settings, 3 acquire, 4 media, 5 library,
6 partial import, 10 `verify --check` found a finding other than authentic.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import click

from . import __version__, acquire, outputs, pipeline, registry
from .errors import ProvenanceError, SettingsError
from .fingerprint import fingerprint_video
from .fingerprint import save as save_fingerprint
from .library import Library
from .library.manifest import read_manifest, write_manifest
from .models import Original, Rating, StatedClaims
from .report import script_text, to_jsonld, to_payload, to_texts
from .settings import Settings, load_settings, parse_size

F = TypeVar("F", bound=Callable[..., Any])


class ProvenanceGroup(click.Group):
    """Turns expected errors into `Error:` / `Hint:` lines and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProvenanceError as error:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"Error: {error.message}", err=True)
            if error.hint:
                click.echo(f"Hint: {error.hint}", err=True)
            ctx.exit(error.exit_code)


class Progress:
    """A progress line on stderr for long work; silent with --quiet or when not a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._shown = False

    def __call__(self, stage: str, done: float, total: float | None) -> None:
        if not self.enabled:
            return
        if stage == "download":
            text = f"downloading {done / 1e6:.1f} MB"
            text += f" of {total / 1e6:.1f} MB" if total else ""
        else:
            text = f"{stage} {done:6.1f} s" + (f" of {total:.1f} s" if total else "")
            if total:
                filled = int(30 * min(1.0, done / total))
                text += f" [{'#' * filled}{'.' * (30 - filled)}]"
        sys.stderr.write("\r" + text.ljust(70))
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()
            self._shown = False


def db_option(f: F) -> F:
    return click.option("--db", type=click.Path(dir_okay=False), envvar="PROVENANCE_DB",
                        help="Library file (SQLite). Default: $PROVENANCE_DB or "
                             "~/.local/share/provenance/library.db.")(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def fps_option(f: F) -> F:
    return click.option("--fps", type=float, default=None,
                        help="Frames sampled per second of video (default 4).")(f)


def download_options(f: F) -> F:
    """Options passed to yt-dlp when a URL is downloaded."""
    options = [
        click.option("--max-filesize", default=None, metavar="SIZE",
                     help="Largest download, e.g. 500M (default 2G)."),
        click.option("--cookies", type=click.Path(dir_okay=False), default=None,
                     help="Netscape-format cookies file (for posts that need a login)."),
        click.option("--cookies-from-browser", default=None, metavar="BROWSER[:PROFILE]",
                     help="Read cookies from a local browser, e.g. firefox."),
        click.option("--proxy", default=None, metavar="URL", help="HTTP/HTTPS/SOCKS proxy."),
        click.option("--limit-rate", default=None, metavar="RATE",
                     help="Download rate limit in bytes/s, e.g. 2M."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def report_options(f: F) -> F:
    """Where to write the HTML report and the schema.org JSON-LD."""
    options = [
        click.option("--report", type=click.Path(dir_okay=False), default=None,
                     help="Write a self-contained HTML report to this file."),
        click.option("--jsonld", type=click.Path(dir_okay=False), default=None,
                     help="Write schema.org MediaReview/ClaimReview JSON-LD to this file."),
        click.option("--publisher", default=None,
                     help="Organisation named as author in the JSON-LD."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _write_reports(payload: dict[str, Any], report: str | None, jsonld: str | None,
                   publisher: str | None) -> None:
    if report:
        outputs.write_html_report(payload, report)
        click.echo(f"HTML report: {report}", err=True)
    if jsonld:
        with open(jsonld, "w", encoding="utf-8") as handle:
            handle.write(script_text(to_jsonld(payload, publisher)) + "\n")
        click.echo(f"JSON-LD: {jsonld}", err=True)


def _download_settings(max_filesize: str | None, cookies: str | None,
                       cookies_from_browser: str | None, proxy: str | None,
                       limit_rate: str | None) -> dict[str, Any]:
    return {
        "max_filesize": parse_size(max_filesize) if max_filesize else None,
        "cookies": cookies, "cookies_from_browser": cookies_from_browser, "proxy": proxy,
        "rate_limit": parse_size(limit_rate) if limit_rate else None,
    }


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    root = ctx.find_root().params
    return load_settings(cache_dir=root.get("cache_dir"), **overrides)


def _library(ctx: click.Context, settings: Settings, create: bool = False) -> Library:
    """Open the library for this command; it is closed when the command ends."""
    library = Library(settings.db, create=create)
    ctx.call_on_close(library.close)
    return library


def _progress(ctx: click.Context) -> Progress:
    return Progress(bool(ctx.find_root().params.get("quiet")))


@click.group(cls=ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              envvar="PROVENANCE_CACHE", help="Where downloads are kept.")
def main(debug: bool, quiet: bool, cache_dir: str | None) -> None:
    """Is this video what its caption claims? Match reposted footage against known originals.

    \b
    Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 acquire, 4 media, 5 library,
    6 some rows of a `library import` failed, 10 (`verify --check`) a finding is not
    `authentic`.
    """
    _show_warnings(debug)


class _WarningHandler(logging.Handler):
    """Library warnings (e.g. a truncated file) as `Warning: ...` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"Warning: {record.getMessage()}", err=True)


def _show_warnings(debug: bool) -> None:
    logger = logging.getLogger("provenance")
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not any(isinstance(h, _WarningHandler) for h in logger.handlers):
        logger.addHandler(_WarningHandler())


@main.command()
@click.argument("query")
@db_option
@json_option
@fps_option
@download_options
@report_options
@click.option("--claim-date", default="", metavar="DATE",
              help="The date the post claims the footage was filmed, e.g. 2015-10-22.")
@click.option("--claim-place", default="", metavar="PLACE",
              help="Where the post claims it was filmed (a name, or LAT,LON).")
@click.option("--claim-source", default="", metavar="NAME",
              help="Who the post credits as the source of the footage.")
@click.option("--caption", default="", metavar="TEXT",
              help="The post's text, read for dates, places and sources like a caption.")
@click.option("--check", is_flag=True, help="Exit 10 unless every finding is `authentic`.")
@click.pass_context
def verify(ctx: click.Context, query: str, db: str | None, as_json: bool, fps: float | None,
           check: bool, report: str | None, jsonld: str | None, publisher: str | None,
           claim_date: str, claim_place: str, claim_source: str, caption: str,
           **download: str | None) -> None:
    """Verify QUERY (video file, video URL, or article file/URL) against the library.

    An article yields one result per video it references; a video that cannot be
    downloaded gets a result with its error, and exit code 3 means none could be.
    The --claim-* options and --caption say what a post you saw claims.
    """
    settings = _settings(ctx, db=db, sample_fps=fps, **_download_settings(**download))
    stated = StatedClaims(date=claim_date, place=claim_place, source=claim_source,
                          caption=caption)
    library = _library(ctx, settings)
    progress = _progress(ctx)
    try:
        results = pipeline.verify_many(query, library, settings, progress, stated)
    finally:
        progress.close()
    is_article = len(results) != 1 or "article" in results[0].provenance
    payload = to_payload(results, article=query if is_article else None)
    if as_json:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(to_texts(results))
    _write_reports(payload, report, jsonld, publisher)
    if all(r.error for r in results):
        ctx.exit(3)
    if check and any(r.finding is None or r.finding.rating is not Rating.AUTHENTIC
                     for r in results):
        ctx.exit(10)


@main.command()
@click.argument("video", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Fingerprint file to write (.npz).")
@fps_option
@click.pass_context
def fingerprint(ctx: click.Context, video: str, output: str, fps: float | None) -> None:
    """Fingerprint VIDEO and write it to a file (nothing is written on failure)."""
    settings = _settings(ctx, sample_fps=fps)
    progress = _progress(ctx)
    try:
        fp = fingerprint_video(video, settings.sample_fps,
                               lambda t, total: progress("fingerprint", t, total))
    finally:
        progress.close()
    save_fingerprint(fp, output)
    click.echo(f"{output}: {len(fp)} samples over {fp.duration:.1f} s "
               f"({fp.width}x{fp.height}, {int(fp.informative.sum())} informative)")


@main.command()
@click.argument("video", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(file_okay=False), required=True,
              help="Folder for the JPEGs and keyframes.json (created if missing).")
@fps_option
@json_option
@click.pass_context
def keyframes(ctx: click.Context, video: str, output: str, fps: float | None,
              as_json: bool) -> None:
    """Export one keyframe per shot of VIDEO as JPEG, with its time (for reverse image search)."""
    progress = _progress(ctx)
    try:
        index = outputs.export_keyframes(video, output, _settings(ctx, sample_fps=fps), progress)
    finally:
        progress.close()
    if as_json:
        click.echo(json.dumps(index, indent=2))
        return
    for entry in index:
        click.echo(f"{entry['file']}  shot {entry['start']:.2f}-{entry['end']:.2f} s")
    click.echo(f"{len(index)} keyframe(s) in {output}")


@main.command()
@click.argument("source")
@json_option
@click.pass_context
def article(ctx: click.Context, source: str, as_json: bool) -> None:
    """List the videos an article (URL or saved HTML file) references."""
    settings = _settings(ctx)
    html, base = pipeline.read_article(source, settings)
    refs = acquire.find_videos(html, base, acquire.is_supported)
    title, _ = acquire.page_text(html)
    published = acquire.published_date(html, base)
    if as_json:
        click.echo(json.dumps({"article": source, "title": title, "published": published,
                               "videos": [asdict(r) for r in refs]}, indent=2,
                              ensure_ascii=False))
        return
    click.echo(f"{title or source}" + (f" (published {published})" if published else ""))
    if not refs:
        click.echo("no video found in the page")
    for ref in refs:
        click.echo(f"  {ref.url}\n      found in {ref.found_in}")


@main.group()
def library() -> None:
    """Manage the reference library of known originals."""


def metadata_options(f: F) -> F:
    """What is known about an original, for `library add` and `library update`."""
    options = [
        click.option("--title", default=None, help="What the footage shows."),
        click.option("--source", "source_name", default=None,
                     help="Who made it (broadcaster, operator)."),
        click.option("--recorded-at", default=None,
                     help="When it was shot: YYYY-MM-DD, an ISO datetime, or a FIRST/LAST range "
                          "(a day-first date such as 16/09/2015 is read and stored as ISO)."),
        click.option("--published-at", default=None,
                     help="When it was first published (same forms)."),
        click.option("--url", default=None, help="Where the original is published."),
        click.option("--notes", default=None, help="Licence or other notes."),
        click.option("--location", default=None,
                     help="Where it was filmed, most specific first: 'Coquelles, Calais, France'."),
        click.option("--latitude", type=float, default=None, help="Decimal degrees."),
        click.option("--longitude", type=float, default=None, help="Decimal degrees."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _metadata(source_name: str | None, **given: Any) -> dict[str, Any]:
    given["source"] = source_name
    return {k: v for k, v in given.items() if v is not None}


@library.command("add")
@click.argument("source")
@click.option("--id", "original_id", required=True, help="Short unique id, e.g. eurotunnel-cam1.")
@metadata_options
@db_option
@fps_option
@download_options
@json_option
@click.pass_context
def library_add(ctx: click.Context, source: str, original_id: str, source_name: str | None,
                db: str | None, fps: float | None, as_json: bool, title: str | None,
                recorded_at: str | None, published_at: str | None, url: str | None,
                notes: str | None, location: str | None, latitude: float | None,
                longitude: float | None, **download: str | None) -> None:
    """Fingerprint SOURCE (a file or URL) and register it as a known original."""
    settings = _settings(ctx, db=db, sample_fps=fps, **_download_settings(**download))
    meta = Original(id=original_id, **_metadata(
        source_name, title=title, recorded_at=recorded_at, published_at=published_at, url=url,
        notes=notes, location=location, latitude=latitude, longitude=longitude))
    meta = registry.checked_metadata(meta)
    lib = _library(ctx, settings, create=True)
    progress = _progress(ctx)
    try:
        stored, added = registry.register(source, meta, lib, settings, progress)
    finally:
        progress.close()
    changes = {} if added else registry.metadata_changes(meta, stored)
    if as_json:
        click.echo(json.dumps({"added": added, "original": asdict(stored)}, indent=2))
    elif added:
        click.echo(f"added {stored.id}: {stored.duration:.1f} s, {stored.width}x{stored.height}")
    else:
        click.echo(f"already in the library as {stored.id} (same sha256); nothing added")
    if changes:
        flags = " ".join(f"--{k.replace('_', '-')} {shlex.quote(str(v))}"
                         for k, v in changes.items())
        click.echo(f"Hint: the metadata you gave differs from what is stored; update it with "
                   f"`provenance library update {stored.id} {flags}`", err=True)


@library.command("update")
@click.argument("original_id")
@metadata_options
@db_option
@json_option
@click.pass_context
def library_update(ctx: click.Context, original_id: str, source_name: str | None,
                   db: str | None, as_json: bool, **given: Any) -> None:
    """Change an original's metadata (title, source, dates, location...)."""
    changes = _metadata(source_name, **given)
    if not changes:
        raise SettingsError("nothing to update", "give at least one option, e.g. --title")
    stored = registry.update(original_id, _library(ctx, _settings(ctx, db=db)), **changes)
    if as_json:
        click.echo(json.dumps(asdict(stored), indent=2))
    else:
        click.echo(f"updated {stored.id}: {', '.join(sorted(changes))}")


@library.command("import")
@click.argument("manifest", type=click.Path(dir_okay=False))
@db_option
@fps_option
@json_option
@click.pass_context
def library_import(ctx: click.Context, manifest: str, db: str | None, fps: float | None,
                   as_json: bool) -> None:
    """Register every original a CSV or JSON MANIFEST lists.

    \b
    Columns: file (path relative to the manifest, or URL), id, title, source,
    recorded_at, published_at, url, notes, location, latitude, longitude.
    Bad rows (a bad date, a missing file...) are reported and skipped;
    the others are added. Exit code 6 when any row failed.
    """
    settings = _settings(ctx, db=db, sample_fps=fps)
    rows = read_manifest(manifest)
    lib = _library(ctx, settings, create=True)
    quiet = bool(ctx.find_root().params.get("quiet"))
    with click.progressbar(length=len(rows), label="importing", file=sys.stderr,
                           hidden=quiet or as_json) as bar:
        report = registry.import_manifest(manifest, lib, settings, on_row=lambda _: bar.update(1))
    if as_json:
        click.echo(json.dumps({"added": report.added, "already_present": report.already_present,
                               "failed": [{"row": n, "id": i, "reason": r}
                                          for n, i, r in report.failed]}, indent=2))
    else:
        for number, original_id, reason in report.failed:
            click.echo(f"row {number} ({original_id or 'no id'}): {reason}", err=True)
        click.echo(f"added {len(report.added)}, already present {len(report.already_present)}, "
                   f"failed {len(report.failed)} of {len(rows)} rows")
    if report.failed:
        ctx.exit(6)


@library.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@db_option
@click.pass_context
def library_export(ctx: click.Context, fmt: str, output: str | None, db: str | None) -> None:
    """Write the library's originals as a manifest (re-importable with `library import`)."""
    text = write_manifest(_library(ctx, _settings(ctx, db=db)).list(), fmt)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@library.command("stats")
@db_option
@json_option
@click.pass_context
def library_stats(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Size of the library: originals, hours, samples, bytes, index kind."""
    stats = _library(ctx, _settings(ctx, db=db)).stats()
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    for key, value in stats.items():
        click.echo(f"{key.replace('_', ' ') + ':':<19} {value}")


@library.command("list")
@db_option
@json_option
@click.pass_context
def library_list(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """List the registered originals."""
    originals = _library(ctx, _settings(ctx, db=db)).list()
    if as_json:
        click.echo(json.dumps([asdict(o) for o in originals], indent=2))
        return
    if not originals:
        click.echo("the library is empty")
    for o in originals:
        click.echo(f"{o.id:<24} {o.duration:7.1f} s  {o.recorded_at or '-':<22} "
                   f"{o.source or '-':<20} {o.title}")


@library.command("show")
@click.argument("original_id")
@db_option
@json_option
@click.pass_context
def library_show(ctx: click.Context, original_id: str, db: str | None, as_json: bool) -> None:
    """Show one original's metadata."""
    original = _library(ctx, _settings(ctx, db=db)).get(original_id)
    if as_json:
        click.echo(json.dumps(asdict(original), indent=2))
        return
    for key, value in asdict(original).items():
        click.echo(f"{key + ':':<13} {value}")


@library.command("reindex")
@click.argument("original_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every original in the library.")
@db_option
@fps_option
@click.pass_context
def library_reindex(ctx: click.Context, original_ids: tuple[str, ...], everything: bool,
                    db: str | None, fps: float | None) -> None:
    """Fingerprint originals again from their files (after an upgrade of the format)."""
    settings = _settings(ctx, db=db, sample_fps=fps)
    lib = _library(ctx, settings)
    ids = [o.id for o in lib.list()] if everything else list(original_ids)
    if not ids:
        raise SettingsError("no original given", "name ids, or pass --all")
    progress = _progress(ctx)
    try:
        for original_id in ids:
            registry.reindex(original_id, lib, settings, progress)
            progress.close()
            click.echo(f"re-indexed {original_id}")
    finally:
        progress.close()


@library.command("remove")
@click.argument("original_id")
@db_option
@click.pass_context
def library_remove(ctx: click.Context, original_id: str, db: str | None) -> None:
    """Remove one original and its fingerprint."""
    removed = _library(ctx, _settings(ctx, db=db)).remove(original_id)
    click.echo(f"removed {removed.id}")


@main.command()
@click.argument("result", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="HTML file to write.")
@click.option("--jsonld", type=click.Path(dir_okay=False), default=None,
              help="Also write schema.org MediaReview/ClaimReview JSON-LD to this file.")
@click.option("--publisher", default=None, help="Organisation named as author in the JSON-LD.")
def report(result: str, output: str, jsonld: str | None, publisher: str | None) -> None:
    """Re-render a saved `verify --json` RESULT as an HTML report (and JSON-LD).

    Frames are read again from the video files the result names, where they still exist.
    """
    _write_reports(_read_result(result), output, jsonld, publisher)


def _read_result(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{path} is not a JSON result ({exc})",
                            "save one with `provenance verify ... --json > result.json`") from None
    if not isinstance(payload, dict) or not ("verdict" in payload or "results" in payload):
        raise SettingsError(f"{path} is not a provenance result",
                            "save one with `provenance verify ... --json > result.json`")
    return payload


@main.command()
@click.option("--samples", type=click.Path(file_okay=False, exists=True), default=None,
              help="Samples folder (default: the one shipped with provenance).")
@click.option("--report", type=click.Path(dir_okay=False), default="provenance-demo.html",
              show_default=True, help="Where to write the HTML report.")
@json_option
@click.pass_context
def demo(ctx: click.Context, samples: str | None, report: str, as_json: bool) -> None:
    """Run the main job on the bundled samples: build a library, verify the repost."""
    from .demo import run_demo

    progress = _progress(ctx)
    try:
        outcome = run_demo(samples, progress=progress, echo=None if as_json else click.echo)
    finally:
        progress.close()
    payload = to_payload(outcome.results, article=outcome.article)
    if as_json:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo("")
        click.echo(to_texts(outcome.results))
    _write_reports(payload, report, None, None)
