"""Load on `provenance serve`: N concurrent clients submitting verifications of short clips and
polling them until done; throughput, API and whole-job latency, and that no job was lost.

The library holds the shared footage clips (registered through the API); each query is a short
excerpt of one of them, re-encoded at a lower quality, so every job should come back `match`
against its source. The server runs as its own process with its default worker count (cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import WORK, ffmpeg, footage_clips, table, timed_cpu

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.serve_support import ServerProcess, bearer  # noqa: E402 (after the path is set)

# An excerpt this long is a typical short repost and costs well under a second to verify.
CLIP_SECONDS = 6.0
POLL_INTERVAL = 0.25


@dataclass
class Tally:
    calls: dict[str, list[float]] = field(default_factory=lambda: {"submit": [], "poll": []})
    jobs: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.calls[kind].append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def outcome(self, name: str, seconds: float | None = None) -> None:
        with self.lock:
            self.outcomes[name] = self.outcomes.get(name, 0) + 1
            if seconds is not None:
                self.jobs.append(seconds)


def make_queries(clips: list[Path], count: int) -> list[tuple[Path, str]]:
    """(excerpt file, id of the original it comes from), spread over the footage."""
    out = WORK / "serve_load"
    out.mkdir(parents=True, exist_ok=True)
    queries = []
    for number in range(count):
        clip = clips[number % len(clips)]
        start = 3.0 + 7.0 * (number // len(clips))
        path = out / f"{clip.stem}-{start:05.1f}.mp4"
        if not path.exists():
            ffmpeg("-ss", str(start), "-t", str(CLIP_SECONDS), "-i", str(clip), "-an",
                   "-vf", "scale=480:-2", "-c:v", "libx264", "-preset", "veryfast", "-crf", "30",
                   str(path))
        queries.append((path, clip.stem))
    return queries


def client(url: str, token: str, jobs: list[tuple[Path, tuple[str, list[str]]]], tally: Tally,
           deadline: float) -> None:
    import httpx

    with httpx.Client(base_url=url, timeout=60, headers=bearer(token)) as http:
        submitted = []
        path_of: dict[str, str] = {}
        for path, expected in jobs:
            start = time.perf_counter()
            with open(path, "rb") as video:
                answer = http.post("/api/v1/verifications", files={"file": video})
            tally.call("submit", time.perf_counter() - start, answer.status_code)
            if answer.status_code != 202:
                tally.outcome(f"refused {answer.status_code}")
                continue
            submitted.append((answer.json()["id"], expected, start))
            path_of[answer.json()["id"]] = path.name
        for job_id, expected, start in submitted:
            while True:
                if time.perf_counter() > deadline:
                    tally.outcome("unfinished at the deadline")
                    break
                t0 = time.perf_counter()
                answer = http.get(f"/api/v1/verifications/{job_id}")
                tally.call("poll", time.perf_counter() - t0, answer.status_code)
                job = answer.json() if answer.status_code == 200 else {"status": "lost"}
                if job["status"] in ("done", "failed", "lost"):
                    tally.outcome(_outcome(job, expected, path_of[job_id]),
                                  time.perf_counter() - start)
                    break
                time.sleep(POLL_INTERVAL)


def _outcome(job: dict[str, Any], expected: tuple[str, list[str]], name: str) -> str:
    """"done: as verify" when the job's verdict and originals are what `verify` gives."""
    result = job.get("result") or {}
    if job["status"] != "done" or not result:
        return f"{job['status']}: {job.get('error')}"
    found = (result["verdict"], [m["reference_id"] for m in result["matches"]])
    return "done: as verify" if found == expected else f"done: {found} for {name}"


def _expected(queries: list[tuple[Path, str]],
              db: Path) -> tuple[list[tuple[Path, tuple[str, list[str]]]], float]:
    """Each query with the verdict and originals `provenance.verify` gives it on this library,
    and the mean CPU seconds of that verification plus its HTML report, in this process
    (what one job costs without the server)."""
    from provenance import outputs, verify
    from provenance.report import to_payload

    out, costs = [], []
    for path, _ in queries:
        def work(path: Path = path) -> Any:
            result = verify(str(path), db)
            outputs.write_html_report(to_payload([result]), WORK / "serve_load" / "report.html")
            return result

        cpu, _, result = timed_cpu(work)
        costs.append(cpu)
        out.append((path, (result.verdict.value, [m.reference_id for m in result.matches])))
    verdicts = [e[1][0] for e in out]
    print(f"queries: {len(out)} excerpts; verify says " +
          ", ".join(f"{v}: {verdicts.count(v)}" for v in sorted(set(verdicts))))
    return out, statistics.fmean(costs)


def pct(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.3f}"


def server_cpu(server: ServerProcess) -> tuple[float, float]:
    """CPU seconds (user + system) so far of the server process and of its worker processes."""
    import os

    assert server.process is not None

    def cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return sum(int(v) for v in fields[11:13]) / os.sysconf("SC_CLK_TCK")  # utime, stime

    return cpu(server.process.pid), sum(cpu(pid) for pid in server.children())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=5, help="jobs per client")
    parser.add_argument("--workers", type=int, default=None, help="server's (default: cores)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole run")
    args = parser.parse_args()
    import httpx

    clips = footage_clips()
    queries = make_queries(clips, min(12, args.clients * args.jobs))
    root = WORK / "serve_load" / f"run-{int(time.time())}"
    root.mkdir(parents=True)
    tokens = {f"client{n}": f"client-{n:02d}-token-0123456789" for n in range(args.clients)}
    (root / "tokens.txt").write_text("".join(f"{k}:{v}\n" for k, v in tokens.items()))
    server = ServerProcess(root / "desk.db", "127.0.0.1", "--token-file",
                           str(root / "tokens.txt"), "--max-queued", str(args.jobs),
                           *(["--workers", str(args.workers)] if args.workers else [])).start()
    try:
        with httpx.Client(base_url=server.url, timeout=300,
                          headers=bearer(tokens["client0"])) as http:
            for clip in clips:
                with open(clip, "rb") as video:
                    added = http.post("/api/v1/originals", files={"file": video},
                                      data={"id": clip.stem})
                assert added.status_code == 201, added.text
            workers = http.get("/api/v1/health").json()["workers"]
        expected, baseline = _expected(queries, root / "desk.db")
        tally = Tally()
        cpu0, wall0 = server_cpu(server), time.perf_counter()
        deadline = wall0 + args.timeout
        threads = [threading.Thread(target=client, args=(
            server.url, token, [expected[(n * args.jobs + j) % len(queries)]
                                for j in range(args.jobs)], tally, deadline))
            for n, token in enumerate(tokens.values())]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall, cpu1 = time.perf_counter() - wall0, server_cpu(server)
    finally:
        server.stop()
    total = args.clients * args.jobs
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    front, back = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    cpu = front + back
    print(f"{args.clients} clients x {args.jobs} jobs = {total} jobs of {CLIP_SECONDS:g} s "
          f"clips, {workers} workers, {wall:.1f} s wall, server CPU {cpu:.1f} s "
          f"(HTTP process {front:.1f} s, workers {back:.1f} s)")
    print(table(["measure", "value"], [
        ["throughput (jobs/min)", f"{60 * len(tally.jobs) / wall:.1f}"],
        ["server CPU per job (s): HTTP process + workers",
         f"{front / max(1, len(tally.jobs)):.2f} + {back / max(1, len(tally.jobs)):.2f}"],
        ["verify + report in-process, CPU per job (s)", f"{baseline:.2f} (mean)"],
        ["submit p50 / p95 (s)", f"{pct(tally.calls['submit'], .5)} / "
                                 f"{pct(tally.calls['submit'], .95)}"],
        ["poll p50 / p95 (s)", f"{pct(tally.calls['poll'], .5)} / {pct(tally.calls['poll'], .95)}"],
        ["whole job p50 / p95 (s)", f"{pct(tally.jobs, .5)} / {pct(tally.jobs, .95)}"],
        ["API calls", str(sum(len(v) for v in tally.calls.values()))],
        ["HTTP statuses", ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))],
        ["5xx answers", str(server_errors)],
        ["jobs by outcome", ", ".join(f"{k}: {v}" for k, v in sorted(tally.outcomes.items()))],
        ["lost jobs", str(total - sum(tally.outcomes.values()))],
    ]))
    if server_errors or tally.outcomes.get("done: as verify", 0) != total:
        sys.exit(1)


if __name__ == "__main__":
    main()
