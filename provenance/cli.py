"""The `provenance` command: thin click commands over the library API.

Exit codes: 0 ok, 1 unexpected error, 2 usage or settings (an output that cannot be written
too), 3 acquire, 4 media, 5 library, 6 partial import, 7 some inputs of a batch failed,
10 `verify --check` found a finding other than authentic, 130 interrupted (Ctrl-C), 141 the
output's reader went away.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import logging
import os
import re
import shlex
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, acquire, batch, outputs, pipeline, registry
from .display import Display, make_display
from .errors import LibraryError, ProvenanceError, SettingsError, unwritable
from .fingerprint import fingerprint_video
from .fingerprint import save as save_fingerprint
from .frames import quiet_decoder_logs
from .library import Library
from .library.copy import copy_library
from .library.manifest import read_manifest, write_manifest
from .library.store import remove_library_file
from .models import Original, Rating, StatedClaims, Verdict, Verification
from .report import script_text, to_jsonld, to_payload, to_texts
from .report.json_report import REPORT_SCHEMA_VERSION, result_problem
from .settings import (
    CONFIG_KEYS,
    Settings,
    config_path,
    db_target,
    is_postgres,
    load_settings,
    parse_size,
    redact,
    resolve_settings,
)
from .terminal import SafeStream, one_line, safe_text

F = TypeVar("F", bound=Callable[..., Any])


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """Print a line, its terminal control characters escaped before click sees it: click
    removes ANSI sequences when the output is not a terminal, which would hide what a file
    name or a title holds instead of showing it (the streams' SafeStream filter escapes them
    on a terminal; this makes a pipe show the same)."""
    click.echo(safe_text(str(message)), err=err, nl=nl)


# Options of the `provenance` group that may also be written after the subcommand
# (`provenance verify x.mp4 -q --debug`): flags, and options that take a value.
GLOBAL_FLAGS = frozenset({"--debug", "--quiet", "-q", "--progress"})
GLOBAL_VALUE_OPTIONS = frozenset({"--cache-dir"})
# A `provenance library ...` or `provenance verify ...` command a hint names, in backquotes (it
# may quote its own values: --title 'Fence cam') or in single quotes.
_HINTED_COMMAND = re.compile(r"(`)(provenance (?:library|verify)\b[^`]*)`"
                             r"|(')(provenance (?:library|verify)\b[^']*)'")


def hoist_global_options(args: list[str]) -> list[str]:
    """Move the global options found anywhere on the line (before any `--`) to the front."""
    front: list[str] = []
    rest: list[str] = []
    position = 0
    while position < len(args):
        arg = args[position]
        if arg == "--":
            rest += args[position:]
            break
        if arg in GLOBAL_FLAGS or arg.split("=", 1)[0] in GLOBAL_VALUE_OPTIONS and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_VALUE_OPTIONS and position + 1 < len(args):
            front += args[position:position + 2]
            position += 1
        else:
            rest.append(arg)
        position += 1
    return front + rest


def with_db(hint: str, db: str) -> str:
    """A hint's `provenance ...` commands with the user's own --db, so they work as printed."""
    def add(match: re.Match[str]) -> str:
        quote, command = match.groups()[:2] if match.group(1) else match.groups()[2:]
        given = shlex.quote(db)
        if "--db" in command:
            command = re.sub(r"--db \S+", lambda _: f"--db {given}", command)
        else:
            command += f" --db {given}"
        return f"{quote}{command}{quote}"

    return _HINTED_COMMAND.sub(add, hint)


class FullHelpGroup(click.Group):
    """Lists its commands with their whole first sentence, never cut with "..."."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


# The exit code of a command stopped by Ctrl-C, as shells report a process ended by SIGINT.
INTERRUPTED = 130
# The exit code of a command whose output's reader went away, as shells report SIGPIPE.
BROKEN_PIPE = 141


class ProvenanceGroup(FullHelpGroup):
    """Global options anywhere on the line; expected errors as `Error:` / `Hint:` lines and
    their exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context) -> Any:
        # Everything printed goes through one filter for terminal control characters.
        streams = sys.stdout, sys.stderr
        # A failed write of the output (a full disk) is an `Error:` naming it, as for a file.
        sys.stdout = SafeStream(sys.stdout, "standard output")  # type: ignore
        sys.stderr = SafeStream(sys.stderr)  # type: ignore
        try:
            return super().invoke(ctx)
        except ProvenanceError as error:
            if ctx.find_root().params.get("debug"):
                raise
            db = ctx.find_root().meta.get(_DB_GIVEN)
            hint = with_db(error.hint, db) if db and error.hint else error.hint
            _fail(ctx, error.message, hint, error.exit_code)
        except BrokenPipeError:
            # The reader of the output went away (`| head`): stop quietly, as other tools do,
            # with the code shells report for SIGPIPE. Output still buffered goes nowhere
            # instead of failing again at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(BROKEN_PIPE)
        except OSError as error:  # a file or folder the command could not read or write
            if ctx.find_root().params.get("debug"):
                raise
            where = f"{error.filename}: " if error.filename else ""
            _fail(ctx, f"{where}{error.strerror or error}",
                  "check the path exists and its permissions", 1)
        except click.UsageError as error:  # click's own (a missing file, a bad option value)
            if ctx.find_root().params.get("debug"):
                raise
            command = " ".join(["provenance", *(error.ctx or ctx).command_path.split()[1:]])
            _fail(ctx, error.format_message(), f"see `{command} --help`", error.exit_code)
        except KeyboardInterrupt:
            # Ctrl-C: 130 as shells report it. Library writes are transactions and outputs are
            # written whole at the end, so nothing half-written is left.
            _fail(ctx, "interrupted", "nothing was changed by the unfinished step; run the "
                  "command again", INTERRUPTED)
        finally:
            sys.stdout, sys.stderr = streams


def _fail(ctx: click.Context, message: str, hint: str | None, code: int) -> None:
    echo(f"Error: {message}", err=True)
    if hint:
        echo(f"Hint: {hint}", err=True)
    ctx.exit(code)


def _check_output(*paths: str | None) -> None:
    """Refuse, before any work, an output file whose folder is missing or not writable."""
    for path in paths:
        if not path:
            continue
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise SettingsError(f"cannot write {path}: the folder {folder} does not exist",
                                "create the folder first, or write somewhere else")
        if not os.access(folder, os.W_OK) or os.path.isdir(path):
            raise SettingsError(f"cannot write {path}", "choose a file in a folder you can write")
        _try_writing_in(folder, path)


def _try_writing_in(folder: str, path: str) -> None:
    """Make and remove a file in ``folder``, before the work rather than after it: os.access
    says yes to root everywhere, and a folder such as /proc takes no new file from root
    either."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".provenance-", dir=folder)
    except OSError as exc:
        raise SettingsError(f"cannot write {path}: no file can be made in {folder} "
                            f"({exc.strerror})", unwritable(path, exc).hint) from None
    os.close(handle)
    os.unlink(probe)


# Where the --db a user typed is kept for the hints.
_DB_GIVEN = "provenance.db_given"


def db_option(f: F) -> F:
    return click.option("--db", type=click.Path(dir_okay=False), metavar="FILE|URL",
                        help="Library: an SQLite file, or a postgresql://user@host/dbname URL "
                             "(a library shared in PostgreSQL). Default: $PROVENANCE_DB, then "
                             "`db` in the "
                             "config file, then ~/.local/share/provenance/library.db.")(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


# Fact-check search features need the review's author: without --publisher there is none.
PUBLISHER_HELP = ("Organisation named as author of the JSON-LD, in the --jsonld file and the "
                  "HTML report (without it the reviews have no author, which search engines "
                  "require).")


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
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS", help="Longest one download may take (default 1800)."),
        click.option("--refresh", is_flag=True,
                     help="Download URLs again and replace their cached copies (a URL already "
                          "downloaded is otherwise read from the cache, which the output "
                          "says)."),
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
        click.option("--publisher", default=None, help=PUBLISHER_HELP),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _write_reports(payload: dict[str, Any], report: str | None, jsonld: str | None,
                   publisher: str | None, results: list[Verification] | None = None) -> None:
    # Made before anything is written: a result that cannot be rendered leaves no half output.
    document = script_text(to_jsonld(payload, publisher)) + "\n" if jsonld else ""
    if report:
        outputs.write_html_report(payload, report, results, publisher)
        echo(f"HTML report: {report}", err=True)
    if jsonld:
        outputs.write_whole(document, jsonld)
        echo(f"JSON-LD: {jsonld}", err=True)


def _download_settings(max_filesize: str | None, cookies: str | None,
                       cookies_from_browser: str | None, proxy: str | None,
                       limit_rate: str | None, timeout: float | None = None,
                       refresh: bool = False) -> dict[str, Any]:
    return {
        "download_timeout": timeout, "refresh": refresh or None,
        "max_filesize": parse_size(max_filesize) if max_filesize is not None else None,
        "cookies": cookies, "cookies_from_browser": cookies_from_browser, "proxy": proxy,
        "rate_limit": parse_size(limit_rate) if limit_rate is not None else None,
    }


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    root = ctx.find_root()
    if overrides.get("db"):
        given = str(overrides["db"])
        root.meta[_DB_GIVEN] = redact(given) if is_postgres(given) else given
    return load_settings(cache_dir=root.params.get("cache_dir"), **overrides)


def _library(ctx: click.Context, settings: Settings, create: bool = False) -> Library:
    """Open the library for this command; it is closed when the command ends."""
    library = pipeline.library_for(settings.db, settings, create)
    ctx.call_on_close(library.close)
    return library


def _progress(ctx: click.Context) -> Display:
    root = ctx.find_root().params
    return make_display(bool(root.get("quiet")), bool(root.get("progress")))


@click.group(cls=ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
@click.option("--debug", is_flag=True,
              help="Show tracebacks, and the decoder's own log lines (FFmpeg, OpenCV).")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--progress", is_flag=True,
              help="Progress on stderr even when it is not a terminal (one line per step).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where downloads are kept. Default: $PROVENANCE_CACHE, then `cache_dir` in "
                   "the config file, then ~/.cache/provenance.")
def main(debug: bool, quiet: bool, progress: bool, cache_dir: str | None) -> None:
    """Is this video what its caption claims? Match reposted footage against known originals.

    Global options (--debug, --quiet/-q, --progress, --cache-dir) may also be written after
    the command. Settings come from flags, then the environment, then the config file
    ($PROVENANCE_CONFIG or ~/.config/provenance/config.toml): see `provenance config`.

    \b
    Exit codes: 0 ok, 1 unexpected error, 2 usage (or an output that cannot be
    written), 3 acquire, 4 media, 5 library, 6 some rows of a `library import`
    failed, 7 some inputs of a batch failed, 10 (`verify --check`) a finding is
    not `authentic`, 130 interrupted, 141 the output's reader went away (`| head`).
    """
    _show_warnings(debug)
    if not debug:
        quiet_decoder_logs()


class _WarningHandler(logging.Handler):
    """Library warnings (e.g. a truncated file) as `Warning: ...` lines on stderr, and with
    --debug the debug log as `Debug: ...` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        label = "Warning" if record.levelno >= logging.WARNING else "Debug"  # --debug's
        echo(f"{label}: {record.getMessage()}", err=True)


def _show_warnings(debug: bool) -> None:
    logger = logging.getLogger("provenance")
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not any(isinstance(h, _WarningHandler) for h in logger.handlers):
        logger.addHandler(_WarningHandler())


def batch_options(f: F) -> F:
    """Many inputs in one run: a list file, JSON Lines output, resuming an interrupted run."""
    options = [
        click.option("-a", "--batch-file", "batch_file", default=None, metavar="FILE",
                     help="Also verify the inputs listed in FILE, one URL or path a line "
                          "(a line starting with `#` is a comment; a `#` later in a line is "
                          "part of the input, as in URLs and file names; `-` reads standard "
                          "input)."),
        click.option("--jsonl", default=None, metavar="FILE",
                     help="Write one JSON result per input to FILE as each finishes "
                          "(`-`: standard output). A FILE holding results already is "
                          "refused, unless --resume."),
        click.option("--resume", is_flag=True,
                     help="Skip the inputs already in the --jsonl file and append the others."),
        click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Verify a batch on N local processes."),
        click.option("--cluster", metavar="tcp://HOST:8786", default=None,
                     help="Verify a batch on the Dask cluster whose scheduler is at this "
                          "address (its workers must reach the library and the inputs)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command()
@click.argument("queries", nargs=-1)
@db_option
@json_option
@fps_option
@download_options
@report_options
@batch_options
@click.option("--claim-date", default="", metavar="DATE",
              help="The date the post claims the footage was filmed, e.g. 2015-10-22, a "
                   "year (2015), a month (2015-10) or a period (2015-10-20/2015-10-22).")
@click.option("--claim-place", default="", metavar="PLACE",
              help="Where the post claims it was filmed: a name, most specific first "
                   "('Calais, France'), or a point (LAT,LON or 50°56'15\"N 1°48'38\"E).")
@click.option("--claim-source", default="", metavar="NAME",
              help="Who the post credits as the source of the footage.")
@click.option("--caption", default="", metavar="TEXT",
              help="The post's text, read for dates, places and sources like a caption "
                   "(in English or French; what is read in another language is shown, and "
                   "left unchecked).")
@click.option("--check", is_flag=True, help="Exit 10 unless every finding is `authentic`.")
@click.pass_context
def verify(ctx: click.Context, queries: tuple[str, ...], db: str | None, as_json: bool,
           fps: float | None, check: bool, report: str | None, jsonld: str | None,
           publisher: str | None, batch_file: str | None, jsonl: str | None, resume: bool,
           workers: int, cluster: str | None,
           claim_date: str, claim_place: str, claim_source: str, caption: str,
           **download: Any) -> None:
    """Verify each QUERY (video file or URL, article file or URL, folder of videos, or a .npz
    fingerprint from `provenance fingerprint`) against the library.

    An article yields one result per video it references; a video that cannot be
    downloaded gets a result with its error, and exit code 3 means none could be.
    Several inputs, a folder, -a or --jsonl make a batch: one line per input as it
    finishes, a summary at the end, exit code 7 when some inputs failed.
    The --claim-* options and --caption say what a post you saw claims (for every input).
    """
    _check_output(report, jsonld)
    settings = _settings(ctx, db=db, sample_fps=fps, **_download_settings(**download))
    stated = StatedClaims(date=claim_date, place=claim_place, source=claim_source,
                          caption=caption)
    listed = batch.read_batch_file(batch_file) if batch_file else []
    if batch_file and not listed and not queries:
        shown = "the list on standard input" if batch_file == "-" else \
            f"the list file {batch_file}"
        raise SettingsError(f"{shown} is empty: it names no video, article or folder",
                            "write one path or URL a line (a line starting with # is a "
                            "comment)")
    inputs = batch.expand_inputs([*queries, *listed])
    folders = [q for q in queries if os.path.isdir(q)]
    if not inputs and folders:
        suffixes = ", ".join(sorted(batch.VIDEO_SUFFIXES))
        raise SettingsError(f"no video in {', '.join(folders)}",
                            f"a folder is verified file by file: its {suffixes} files")
    if not inputs:
        raise click.UsageError("give a video, an article, a folder, or -a FILE")
    if resume and (not jsonl or jsonl == "-"):  # said before any work, for one input too
        raise click.UsageError("--resume reads the output file: give --jsonl FILE")
    if jsonl and jsonl != "-" and not resume and os.path.isfile(jsonl) and \
            os.path.getsize(jsonl):
        # Writing it anew would throw away the results of an earlier batch (after a Ctrl-C, the
        # run that was told to --resume).
        raise SettingsError(f"{jsonl} already holds results",
                            "add --resume to skip the inputs it holds and append the others, "
                            "or give another --jsonl path (delete the file to start over)")
    library = _library(ctx, settings)
    if (len(inputs) > 1 or batch_file or jsonl or folders or len(queries) != len(inputs)
            or workers > 1 or cluster):
        _verify_batch(ctx, inputs, library, settings, stated, as_json, check, jsonl, resume,
                      bool(report or jsonld), (workers, cluster))
        return
    progress = _progress(ctx)
    try:
        results = pipeline.verify_many(inputs[0], library, settings, progress, stated)
    finally:
        progress.close()
    payload = batch.BatchItem(inputs[0], results).payload()
    del payload["input"]
    if as_json:
        echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        echo(to_texts(results))
    _write_reports(payload, report, jsonld, publisher, results)
    if all(r.error for r in results):
        ctx.exit(3)
    if check and not _all_ok(results):
        ctx.exit(10)


def _all_ok(results: list[Verification]) -> bool:
    """What `verify --check` asks: every finding is `authentic`."""
    return all(r.finding is not None and r.finding.rating is Rating.AUTHENTIC for r in results)


def _verify_batch(ctx: click.Context, inputs: list[str], library: Library, settings: Settings,
                  stated: StatedClaims,
                  as_json: bool, check: bool, jsonl: str | None, resume: bool,
                  reports: bool, parallel: tuple[int, str | None] = (1, None)) -> None:
    """Each input in turn (or on Dask workers: ``parallel`` is (local processes, scheduler
    address)); a line per input, in input order, on stdout (JSON with --json) and in --jsonl."""
    if reports:
        raise click.UsageError("--report and --jsonld write one result; with several inputs "
                               "use --jsonl, then `provenance report` on a line of it")
    done = batch.done_inputs(jsonl) if resume and jsonl else set()
    todo = [query for query in inputs if query not in done]
    if done:
        echo(f"resuming: {len(inputs) - len(todo)} of {len(inputs)} input(s) already in "
             f"{jsonl}", err=True)
    handle = _open_jsonl(jsonl, append=resume)
    writer = batch.JsonlWriter(handle, sync=jsonl != "-") if handle else None
    progress = _progress(ctx)
    finished: list[batch.BatchItem] = []
    progress("batch", 0, len(todo))
    try:
        for number, item in enumerate(batch.verify_each(todo, library, settings, progress,
                                                        stated, *parallel), 1):
            progress("batch", number, len(todo))
            finished.append(item)
            if writer:
                writer.write(item)
            if as_json and jsonl != "-":
                echo(json.dumps(item.payload(), ensure_ascii=False))
            elif not as_json and jsonl != "-":
                echo(_batch_line(item))
    except KeyboardInterrupt:
        progress.close()
        _summary(finished, len(todo), jsonl)
        echo(f"interrupted: {len(finished)} of {len(todo)} input(s) done"
             + (f"; run again with --resume to do the rest (kept in {jsonl})"
                if jsonl and jsonl != "-" else ""), err=True)
        ctx.exit(INTERRUPTED)
    finally:
        progress.close()
        if handle and handle is not sys.stdout:
            handle.close()
    _summary(finished, len(todo), jsonl)
    if any(item.failed for item in finished):
        ctx.exit(7)
    if check and not _all_ok([r for item in finished for r in item.results]):
        ctx.exit(10)


def _open_jsonl(path: str | None, append: bool) -> Any:
    if path is None:
        return None
    if path == "-":
        return sys.stdout
    try:
        return open(path, "a" if append else "w", encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot write {path} ({exc.strerror})",
                            "choose another --jsonl path") from None


def _batch_line(item: batch.BatchItem) -> str:
    """A batch input's line: its name, then each video's outcome and confidence."""
    parts = []
    for result in item.results:
        text = f"{batch.outcome(result)}"
        if result.error:
            text += f" ({result.error})"
        elif result.verdict is not Verdict.INCONCLUSIVE:
            text += f" {result.confidence:.2f}"
        parts.append(text)
    return f"{one_line(item.query)}: {'; '.join(parts)}"


def _summary(items: list[batch.BatchItem], planned: int, jsonl: str | None) -> None:
    counts: Counter[str] = batch.tally(items)
    failed = sum(1 for item in items if item.failed)
    videos = ", ".join(f"{count} {name}" for name, count in counts.most_common())
    echo(f"{len(items)} of {planned} input(s) done, {failed} failed; "
         f"videos: {videos or 'none'}" + (f"; results in {jsonl}"
                                           if jsonl and jsonl != "-" else ""), err=True)


@main.command()
@click.argument("video", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Fingerprint file to write; its name ends in .npz (how verify tells it "
                   "from a video).")
@fps_option
@click.pass_context
def fingerprint(ctx: click.Context, video: str, output: str, fps: float | None) -> None:
    """Fingerprint VIDEO and write it to a file (nothing is written on failure)."""
    if not output.lower().endswith(".npz"):
        stem = os.path.splitext(output)[0] if not output.endswith(".") else output[:-1]
        raise SettingsError(f"{output}: a fingerprint file's name must end in .npz (verify "
                            "reads a fingerprint file by that name, anything else as a video)",
                            f"write it as -o {shlex.quote(stem + '.npz')}")
    _check_output(output)
    settings = _settings(ctx, sample_fps=fps)
    progress = _progress(ctx)
    try:
        fp = fingerprint_video(video, settings.sample_fps,
                               lambda t, total: progress("fingerprint", t, total))
    finally:
        progress.close()
    save_fingerprint(fp, output)
    echo(f"{output}: {len(fp)} samples over {fp.duration:.1f} s "
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
        echo(json.dumps(index, indent=2))
        return
    for entry in index:
        echo(f"{entry['file']}  shot {entry['start']:.2f}-{entry['end']:.2f} s")
    echo(f"{len(index)} keyframe(s) in {output}")


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
        echo(json.dumps({"article": source, "title": title, "published": published,
                         "videos": [asdict(r) for r in refs]}, indent=2,
                        ensure_ascii=False))
        return
    echo(f"{title or source}" + (f" (published {published})" if published else ""))
    if not refs:
        echo("no video found in the page")
    for ref in refs:
        echo(f"  {ref.url}\n      found in {ref.found_in}")


@main.group(cls=FullHelpGroup)
def library() -> None:
    """Manage the reference library of known originals."""


def metadata_options(f: F) -> F:
    """What is known about an original, for `library add` and `library update`."""
    options = [
        click.option("--title", default=None, help="What the footage shows."),
        click.option("--source", "source_name", default=None,
                     help="Who made it (broadcaster, operator)."),
        click.option("--recorded-at", default=None,
                     help="When it was shot: YYYY-MM-DD, an ISO datetime, a year (YYYY) or "
                          "month (YYYY-MM), or a FIRST/LAST range (a day-first date such as "
                          "16/09/2015 is read and stored as ISO)."),
        click.option("--published-at", default=None,
                     help="When it was first published (same forms; not before "
                          "--recorded-at)."),
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
                longitude: float | None, **download: Any) -> None:
    """Fingerprint SOURCE (a file or URL) and register it as a known original."""
    settings = _settings(ctx, db=db, sample_fps=fps, **_download_settings(**download))
    meta = Original(id=original_id, **_metadata(
        source_name, title=title, recorded_at=recorded_at, published_at=published_at, url=url,
        notes=notes, location=location, latitude=latitude, longitude=longitude))
    meta = registry.checked_metadata(meta)
    progress = _progress(ctx)
    try:
        with _adding_to(ctx, settings) as lib:
            stored, added = registry.register(source, meta, lib, settings, progress)
    finally:
        progress.close()
    changes = {} if added else registry.metadata_changes(meta, stored)
    if as_json:
        echo(json.dumps({"added": added, "original": asdict(stored)}, indent=2))
    elif added:
        echo(f"added {stored.id}: {stored.duration:.1f} s, {stored.width}x{stored.height}")
    else:
        echo(f"already in the library as {stored.id} (same sha256); nothing added")
    if changes:
        hint = ("the metadata you gave differs from what is stored; update it with "
                f"`provenance library update {stored.id} {registry.metadata_options(changes)}`")
        db_given = ctx.find_root().meta.get(_DB_GIVEN)
        echo(f"Hint: {with_db(hint, db_given) if db_given else hint}", err=True)


@library.command("update")
@click.argument("original_id")
@metadata_options
@click.option("--no-coordinates", is_flag=True,
              help="Clear the stored latitude and longitude (changing --location asks for "
                   "this, or for coordinates, when some are stored).")
@db_option
@json_option
@click.pass_context
def library_update(ctx: click.Context, original_id: str, source_name: str | None,
                   db: str | None, as_json: bool, no_coordinates: bool, **given: Any) -> None:
    """Change an original's metadata (title, source, dates, location, notes)."""
    changes = _metadata(source_name, **given)
    if no_coordinates:
        if {"latitude", "longitude"} & set(changes):
            raise SettingsError("--no-coordinates clears the coordinates --latitude and "
                                "--longitude set", "give one or the other")
        changes.update(latitude=None, longitude=None)
    if not changes:
        raise SettingsError("nothing to update", "give at least one option, e.g. --title")
    stored = registry.update(original_id, _library(ctx, _settings(ctx, db=db)), **changes)
    if as_json:
        echo(json.dumps(asdict(stored), indent=2))
    else:
        echo(f"updated {stored.id}: {', '.join(sorted(changes))}")


# Below this many manifest rows `library import` works in its own process unless told otherwise:
# starting two worker processes cost 12 s wall under load here (benchmarks/ingest_scale.py),
# more than fingerprinting a few short files.
MIN_PARALLEL_ROWS = 8


@library.command("import")
@click.argument("manifest", type=click.Path(dir_okay=False))
@db_option
@fps_option
@json_option
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Fingerprint on N local processes (default: one per core from 8 rows up; "
                   "1: in this process).")
@click.option("--cluster", metavar="tcp://HOST:8786", default=None,
              help="Fingerprint on the Dask cluster whose scheduler is at this address.")
@click.pass_context
def library_import(ctx: click.Context, manifest: str, db: str | None, fps: float | None,
                   as_json: bool, workers: int | None, cluster: str | None) -> None:
    """Register every original a CSV or JSON MANIFEST lists.

    \b
    Columns: file (path relative to the manifest, or URL), id, title, source,
    recorded_at, published_at, url, notes, location, latitude, longitude.
    Bad rows (a bad date, a missing file...) are reported and skipped;
    the others are added. Exit code 6 when any row failed. Files already in the
    library (same sha256) are skipped, so an interrupted import can be re-run.
    """
    settings = _settings(ctx, db=db, sample_fps=fps)
    rows = read_manifest(manifest)  # a manifest that cannot be read creates no library
    progress = _progress(ctx)

    def status(now: registry.ImportStatus) -> None:
        hours = now.video_seconds / 3600.0
        progress("import", now.done, now.total)
        progress("video-hours", round(hours, 3), None)
        if now.elapsed > 0:
            progress("video-hours per hour", round(hours / (now.elapsed / 3600.0), 1), None)

    try:
        with _adding_to(ctx, settings) as lib:
            report = registry.import_manifest(
                manifest, lib, settings, progress,
                workers=_import_workers(workers, cluster, len(rows)), cluster=cluster,
                on_status=status)
    finally:
        progress.close()
    failed = report.failed
    if as_json:
        echo(json.dumps({"added": report.added, "already_present": report.already_present,
                         "failed": [{"row": n, "id": i, "reason": r}
                                    for n, i, r in failed]}, indent=2))
    else:
        for number, original_id, reason in failed:
            echo(f"row {number} ({original_id or 'no id'}): {reason}", err=True)
        total = len(report.added) + len(report.already_present) + len(report.failed)
        echo(f"added {len(report.added)}, already present {len(report.already_present)}, "
             f"failed {len(report.failed)} of {total} rows")
    if report.failed:
        ctx.exit(6)


@contextmanager
def _adding_to(ctx: click.Context, settings: Settings) -> Iterator[Library]:
    """The library a command adds originals to, made if there is none; one it made is removed
    again when nothing was added (a failed add or import leaves no empty library behind, for
    a later command to take for the one it meant)."""
    made = not is_postgres(settings.db) and not os.path.lexists(settings.db)
    library = _library(ctx, settings, create=True)
    try:
        yield library
    finally:
        if made and not len(library):
            library.close()
            remove_library_file(Path(settings.db))


def _import_workers(workers: int | None, cluster: str | None, rows: int) -> int:
    """Workers asked for; by default one per core when Dask is installed and the manifest is
    long enough to repay starting them (MIN_PARALLEL_ROWS), else this process."""
    from . import cluster as engine

    if workers is not None or cluster:
        return workers or 1
    if rows < MIN_PARALLEL_ROWS or engine.default_workers() == 1:
        return 1
    if not engine.available():
        echo("note: fingerprinting in this process; for one process per core: "
             "pip install 'provenance[cluster]'", err=True)
        return 1
    return engine.default_workers()


@library.command("copy")
@click.argument("source")
@click.argument("dest")
@click.option("--replace", is_flag=True,
              help="Empty a destination that already holds originals, then copy.")
@click.pass_context
def library_copy(ctx: click.Context, source: str, dest: str, replace: bool) -> None:
    """Copy the library SOURCE into DEST, between SQLite files and PostgreSQL databases
    (postgresql://user@host/dbname) either way. Metadata and fingerprints are copied as they
    are (no video is decoded); DEST is created, and refused if it already holds originals."""
    progress = _progress(ctx)
    try:
        with Library(db_target(source)) as src, Library(db_target(dest), create=True) as dst:
            count = copy_library(src, dst, replace=replace, progress=progress)
    finally:
        progress.close()
    echo(f"copied {count} originals from {src.path} to {dst.path}")


@library.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@db_option
@click.pass_context
def library_export(ctx: click.Context, fmt: str, output: str | None, db: str | None) -> None:
    """Write the library's originals as a manifest (re-importable with `library import`).

    In CSV, text a spreadsheet would run as a formula (beginning =, +, -, @) is written behind
    a single quote, which `library import` takes off again."""
    _check_output(output)
    text = write_manifest(_library(ctx, _settings(ctx, db=db)).list(), fmt)
    if output:
        outputs.write_whole(text, output)
        echo(f"wrote {output}")
    else:
        echo(text, nl=False)


@library.command("stats")
@db_option
@json_option
@click.pass_context
def library_stats(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Size of the library: originals, hours, samples, bytes, index kind."""
    stats = _library(ctx, _settings(ctx, db=db)).stats()
    if as_json:
        echo(json.dumps(stats, indent=2))
        return
    for key, value in stats.items():
        echo(f"{key.replace('_', ' ') + ':':<19} {value}")


@library.command("list")
@db_option
@json_option
@click.pass_context
def library_list(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """List the registered originals."""
    originals = _library(ctx, _settings(ctx, db=db)).list()
    if as_json:
        echo(json.dumps([asdict(o) for o in originals], indent=2))
        return
    if not originals:
        echo("the library is empty")
        return
    rows = [(o.id, f"{o.duration:7.1f} s", o.recorded_at or "-", o.source or "-", o.title)
            for o in originals]
    # Columns as wide as their longest value (a recorded_at with a time, a long source), so
    # they stay in line; the widths are measured on the text as it is shown (escaped).
    header = ("ID", "DURATION", "RECORDED", "SOURCE", "TITLE")
    widths = [max(len(one_line(str(row[i]))) for row in (header, *rows)) for i in range(4)]
    for row in (header, *rows):
        cells = [one_line(str(cell)) for cell in row]
        echo(f"{cells[0]:<{widths[0]}}  {cells[1]:>{widths[1]}}  {cells[2]:<{widths[2]}}  "
             f"{cells[3]:<{widths[3]}}  {cells[4]}".rstrip())


@library.command("show")
@click.argument("original_id")
@db_option
@json_option
@click.pass_context
def library_show(ctx: click.Context, original_id: str, db: str | None, as_json: bool) -> None:
    """Show one original's metadata."""
    original = _known(_library(ctx, _settings(ctx, db=db)), original_id)
    if as_json:
        echo(json.dumps(asdict(original), indent=2))
        return
    for key, value in asdict(original).items():
        if key == "announced_duration" and not value:  # 0: the file was decoded whole
            continue
        echo(f"{key + ':':<19} {'' if value is None else value}".rstrip())


@library.command("reindex")
@click.argument("original_ids", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every original in the library.")
@db_option
@fps_option
@click.pass_context
def library_reindex(ctx: click.Context, original_ids: tuple[str, ...], everything: bool,
                    db: str | None, fps: float | None) -> None:
    """Fingerprint originals again from their files (after an upgrade of the format).

    An original added from a URL is downloaded again (or taken from the cache); either way its
    file must be the one registered (same sha256)."""
    settings = _settings(ctx, db=db, sample_fps=fps)
    lib = _library(ctx, settings)
    ids = [o.id for o in lib.list()] if everything else list(original_ids)
    if not ids:
        raise SettingsError("no original given", "name ids, or pass --all")
    for original_id in ids:
        _known(lib, original_id)
    progress = _progress(ctx)
    try:
        for original_id in ids:
            registry.reindex(original_id, lib, settings, progress)
            progress.close()
            echo(f"re-indexed {original_id}")
    finally:
        progress.close()


@library.command("remove")
@click.argument("original_id")
@db_option
@click.pass_context
def library_remove(ctx: click.Context, original_id: str, db: str | None) -> None:
    """Remove one original and its fingerprint."""
    lib = _library(ctx, _settings(ctx, db=db))
    _known(lib, original_id)
    removed = lib.remove(original_id)
    echo(f"removed {removed.id}")


def _known(lib: Library, original_id: str) -> Original:
    """The original with this id; for an unknown id, the library's error with the ids it
    probably meant."""
    try:
        return lib.get(original_id)
    except LibraryError as error:
        close = difflib.get_close_matches(original_id, [o.id for o in lib.list()], n=3,
                                          cutoff=0.5)
        if not close:
            raise
        guesses = " or ".join(repr(c) for c in close)
        raise LibraryError(error.message, f"did you mean {guesses}? ({error.hint})") from None


@main.command("config")
@db_option
@json_option
@click.pass_context
def config(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Show each setting, its value and where it comes from (flag, environment, config file,
    default).

    \b
    The config file is TOML, at $PROVENANCE_CONFIG or ~/.config/provenance/config.toml:
        db = "~/desk/library.db"      # relative paths: relative to the file
        cache_dir = "/data/provenance-cache"
        sample_fps = 4
        max_filesize = "2G"
        download_timeout = 1800       # seconds per download
        article_timeout = 3600        # seconds per article
        audio = true                  # sound fingerprints (evidence beyond the picture)
        ocr = true                    # burned-in text
        credentials = true            # Content Credentials (C2PA)
        trust_anchors = "c2pa-trust.pem"
    """
    root = ctx.find_root().params
    settings, sources = resolve_settings(db=db, cache_dir=root.get("cache_dir"))
    values = settings.to_dict()
    rows: dict[str, dict[str, Any]] = {
        key: {"value": values[key], "source": sources[key]} for key in CONFIG_KEYS}
    for key, module in _EXTRA_MODULES.items():
        if values[key] and importlib.util.find_spec(module) is None:
            rows[key]["missing"] = module  # on, but skipped at every verify
    path = config_path()
    if as_json:
        echo(json.dumps({"config_file": str(path), "exists": path.is_file(),
                         "settings": rows}, indent=2))
        return
    echo(f"config file: {path}" + ("" if path.is_file() else " (none)"))
    for key, row in rows.items():
        missing = (f"  ({row['missing']} is not installed, so this is skipped: "
                   "pip install 'provenance[evidence]')" if "missing" in row else "")
        echo(f"{key:<16} {row['value']!s:<44} {row['source']}{missing}")


# Settings that need a module of the `evidence` extra (the name it is imported by).
_EXTRA_MODULES = {"ocr": "rapidocr", "credentials": "c2pa"}


@main.command()
@click.argument("result", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="HTML file to write.")
@click.option("--jsonld", type=click.Path(dir_okay=False), default=None,
              help="Also write schema.org MediaReview/ClaimReview JSON-LD to this file.")
@click.option("--publisher", default=None, help=PUBLISHER_HELP)
def report(result: str, output: str, jsonld: str | None, publisher: str | None) -> None:
    """Re-render a saved `verify --json` RESULT as an HTML report (and JSON-LD).

    The result is first checked against the report's JSON schema. Frames are read again
    from the video files the result names, where they still exist and still have the
    sha256 the result records.
    """
    _check_output(output, jsonld)
    payload = _read_result(result)
    try:
        _write_reports(payload, output, jsonld, publisher)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise SettingsError(f"{result} is not a complete provenance result "
                            f"({type(exc).__name__}: {str(exc)[:200]})",
                            "save one with `provenance verify ... --json > result.json`") from None


# A saved result larger than this is refused before it is parsed (a verify of an article with
# 100 videos writes a few MB; parsing holds about 5 times the file in memory).
MAX_RESULT_FILE = 64 * 1024**2


def _json_lines(path: str) -> int:
    """How many lines of the file are each a JSON object (0 when any line is not)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line for line in handle if line.strip()]
        return len(lines) if all(isinstance(json.loads(line), dict) for line in lines) else 0
    except (OSError, ValueError, RecursionError):
        return 0


def _read_result(path: str) -> dict[str, Any]:
    save = "save one with `provenance verify ... --json > result.json`"
    if os.path.getsize(path) > MAX_RESULT_FILE:
        raise SettingsError(f"{path} is {os.path.getsize(path) / 1024**2:.0f} MB, larger than "
                            f"any result ({MAX_RESULT_FILE // 1024**2} MB at most)", save)
    try:
        with open(path, encoding="utf-8") as handle:
            payload = json.load(handle, parse_constant=_no_constant)
    except (OSError, ValueError, RecursionError) as exc:
        lines = _json_lines(path)
        if lines > 1:  # a desk audit: "Extra data", no way on
            raise SettingsError(
                f"{path} holds {lines} results, one a line (JSON Lines: what `verify A B --json` "
                "writes for several inputs); a report is of one result",
                f"render each line on its own, e.g. `sed -n 1p {shlex.quote(path)} > one.json` "
                "then `provenance report one.json -o one.html`") from None
        raise SettingsError(f"{path} is not a JSON result ({str(exc)[:200]})", save) from None
    if not isinstance(payload, dict) or not ("verdict" in payload or "results" in payload):
        raise SettingsError(f"{path} is not a provenance result", save)
    version = payload.get("schema_version")
    if isinstance(version, int) and version > REPORT_SCHEMA_VERSION:
        raise SettingsError(f"{path} is a result of schema v{version}, written by a newer "
                            f"provenance (this one reads v{REPORT_SCHEMA_VERSION})",
                            "upgrade provenance: pip install -U provenance")
    problem = result_problem(payload)
    if problem:
        raise SettingsError(f"{path} is not a complete provenance result: {problem}",
                            "re-render a result as `provenance verify ... --json` saved it, "
                            "or verify the video again")
    return payload


def _no_constant(name: str) -> None:
    """json.load's reader of NaN and Infinity, which are not JSON: refused."""
    raise ValueError(f"{name} is not a number JSON allows")


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

    _check_output(report)
    progress = _progress(ctx)
    try:
        outcome = run_demo(samples, progress=progress, echo=None if as_json else echo)
    finally:
        progress.close()
    payload = to_payload(outcome.results, article=outcome.article)
    if as_json:
        echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        echo("")
        echo(to_texts(outcome.results))
    _write_reports(payload, report, None, None, list(outcome.results))


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs tokens to verify.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", type=int, default=None,
              help="Verifications run at once (default: cores).")
@click.option("--token-file", type=click.Path(dir_okay=False), default=None,
              help="Editors' tokens, one `name:token` a line (also $PROVENANCE_TOKEN).")
@click.option("--allow-net", multiple=True, metavar="NETWORK",
              help="A non-public network submitted URLs may reach (repeatable).")
@click.option("--max-upload", default="500M", show_default=True, metavar="SIZE",
              help="Largest upload.")
@click.option("--max-download", default="500M", show_default=True, metavar="SIZE",
              help="Largest download.")
@click.option("--max-queued", default=50, show_default=True, type=int,
              help="Verifications one token may have queued or running.")
@click.option("--state-dir", type=click.Path(file_okay=False), default=None,
              help="Folder for jobs, uploads and reports (default: beside an SQLite library; "
                   "for PostgreSQL, one per library under the user's data folder).")
@click.option("--create", is_flag=True,
              help="Make a new, empty library at --db if there is none (add originals at "
                   "/library or POST /api/v1/originals).")
@fps_option
@click.pass_context
def serve(ctx: click.Context, db: str | None, fps: float | None, **options: Any) -> None:
    """Serve the library to a desk: web page at / and HTTP API under /api/v1.

    Adding or removing originals needs an editor's token ($PROVENANCE_TOKEN or --token-file),
    and so does verifying on any address but loopback. The API is described at
    /api/v1/openapi.json and in docs/serve.md. On loopback, downloads and the place-name
    index go to the cache folder the other commands use (--cache-dir, $PROVENANCE_CACHE); on
    any other address to a folder of the server's own, so that a URL a checker downloaded
    with --cookies is never served from the cache to whoever submits it.

    \b
    Examples:
      provenance serve --db desk.db --create       # a new desk library
      PROVENANCE_TOKEN=... provenance serve --db desk.db --host 0.0.0.0 --port 8080
    """
    from . import server

    settings = _settings(ctx, db=db)
    server.run(str(settings.db), sample_fps=fps, cache_dir=str(settings.cache_dir), **options)
