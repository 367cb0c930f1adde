"""Batch verify: one `provenance verify` process for 20 inputs against 20 separate processes.

The library holds the shared footage clips. The 20 inputs are 17 excerpts of them (6-10 s,
some mirrored or cropped, re-encoded), an article on a local HTTP server (127.0.0.1) that embeds
one more excerpt, a broken file and a URL that answers 404. Both ways run alternately, each
with an empty download cache, `--runs` times; CPU is user + system of the child processes.
Then the batch is interrupted with SIGINT after a few lines and resumed, and the output file is
checked: 20 lines, each input once.

    python benchmarks/batch.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _common import WORK, ffmpeg, footage_clips, table, timed_cpu

from provenance import Library, Original, register
from provenance.settings import load_settings

CLI = [sys.executable, "-c", "import sys; from provenance.cli import main; sys.exit(main())"]
EDITS = ["", "hflip", "crop=iw*0.85:ih*0.85", ""]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def make_inputs(folder: Path, site: Path, clips: list[Path]) -> list[str]:
    rng = random.Random(15)
    inputs = []
    for number in range(18):
        clip = clips[number % len(clips)]
        start, length = rng.uniform(2, 25), rng.uniform(6, 10)
        edit = EDITS[number % len(EDITS)]
        out = (site / "embedded.mp4") if number == 17 else folder / f"q{number:02d}.mp4"
        ffmpeg("-ss", f"{start:.2f}", "-t", f"{length:.2f}", "-i", str(clip),
               *(["-vf", edit] if edit else []), "-an", "-c:v", "libx264", "-preset",
               "veryfast", "-crf", "28", str(out))
        if number < 17:
            inputs.append(str(out))
    (site / "story.html").write_text("<html><head><title>Seen tonight</title></head><body>"
                                     "<p>Filmed on 22/10/2015.</p>"
                                     "<video src='embedded.mp4'></video></body></html>")
    broken = folder / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4000))  # a header, then nothing
    return inputs + ["ARTICLE", str(broken), "MISSING"]


def serve(root: Path) -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def run_batch(inputs: list[str], db: Path, out: Path, cache: Path) -> int:
    shutil.rmtree(cache, ignore_errors=True)
    command = [*CLI, "-q", "--cache-dir", str(cache), "verify", *inputs, "--db", str(db),
               "--jsonl", str(out)]
    return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def run_separately(inputs: list[str], db: Path, cache: Path) -> list[dict[str, object]]:
    shutil.rmtree(cache, ignore_errors=True)
    results = []
    for query in inputs:
        done = subprocess.run([*CLI, "-q", "--cache-dir", str(cache), "verify", query, "--db",
                               str(db), "--json"], capture_output=True, text=True)
        results.append(json.loads(done.stdout) if done.stdout else {"exit": done.returncode})
    return results


def verdicts(payload: dict[str, object]) -> list[str]:
    """A separate process that fails prints no JSON (its exit code says why); in a batch the
    same input is an inconclusive line with the error."""
    if "exit" in payload:
        return ["inconclusive"]
    results = payload.get("results")
    if isinstance(results, list):
        return [str(r["verdict"]) for r in results]
    return [str(payload.get("verdict", "error"))]


def interrupt_and_resume(inputs: list[str], db: Path, out: Path, cache: Path) -> str:
    out.unlink(missing_ok=True)
    command = [*CLI, "--cache-dir", str(cache), "verify", *inputs, "--db", str(db), "--jsonl",
               str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    while not out.exists() or len(out.read_text().splitlines()) < 5:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate()
    first = [json.loads(line)["input"] for line in out.read_text().splitlines()]
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    names = [line["input"] for line in lines]
    return (f"SIGINT after {len(first)} line(s): exit {process.returncode}, "
            f"stderr {err.strip().splitlines()[-1]!r}\n"
            f"--resume: exit {resumed.returncode}, stderr {resumed.stderr.strip()!r}\n"
            f"output: {len(lines)} lines, {len(set(names))} distinct inputs, "
            f"each input once: {sorted(names) == sorted(inputs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    clips = footage_clips()
    work = WORK / "batch"
    shutil.rmtree(work, ignore_errors=True)
    (work / "site").mkdir(parents=True)
    db = work / "library.db"
    settings = load_settings(db=db, cache_dir=work / "cache")
    with Library(db, create=True) as library:
        for clip in clips:
            register(str(clip), Original(id=clip.stem, source="Intel IoT DevKit"), library,
                     settings)
    inputs = make_inputs(work, work / "site", clips)
    site = serve(work / "site")
    inputs = [f"{site}/story.html" if q == "ARTICLE" else f"{site}/gone.mp4"
              if q == "MISSING" else q for q in inputs]
    batch_cpu, batch_wall, single_cpu, single_wall = [], [], [], []
    for _ in range(args.runs):
        cpu, wall, code = timed_cpu(lambda: run_batch(inputs, db, work / "out.jsonl",
                                                      work / "cache-batch"), children=True)
        batch_cpu.append(cpu)
        batch_wall.append(wall)
        cpu, wall, separate = timed_cpu(lambda: run_separately(inputs, db, work / "cache-one"),
                                        children=True)
        single_cpu.append(cpu)
        single_wall.append(wall)
    lines = [json.loads(line) for line in (work / "out.jsonl").read_text().splitlines()]
    same = [verdicts(line) for line in lines] == [verdicts(r) for r in separate]
    counts: dict[str, int] = {}
    for line in lines:
        for verdict in verdicts(line):
            counts[verdict] = counts.get(verdict, 0) + 1
    print(f"{len(inputs)} inputs, {len(clips)} originals, {args.runs} runs (medians); "
          f"batch exit code {code}; {len(lines)} JSON lines; verdicts {counts}; "
          f"same verdicts both ways: {same}")
    for line in lines:
        if line.get("error"):
            print(f"  {line['input']}: {line['verdict']} - {line['reason']}")
    rows = [["20 separate `verify` processes", f"{statistics.median(single_cpu):.1f}",
             f"{statistics.median(single_wall):.1f}", "1.00"],
            ["one `verify` process, 20 inputs", f"{statistics.median(batch_cpu):.1f}",
             f"{statistics.median(batch_wall):.1f}",
             f"{statistics.median(single_cpu) / statistics.median(batch_cpu):.2f}"]]
    print(table(["how", "CPU s", "wall s", "speed-up (CPU)"], rows))
    print(f"separate processes' exit codes: {[r.get('exit', 0) for r in separate]}")
    print(interrupt_and_resume(inputs, db, work / "interrupted.jsonl", work / "cache-int"))


if __name__ == "__main__":
    main()
