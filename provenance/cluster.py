"""Running one function over many inputs on Dask: local worker processes or a cluster.

``--workers N`` starts a ``LocalCluster`` of N single-threaded processes on this machine;
``--cluster tcp://HOST:8786`` connects to a running scheduler (started by hand, by
dask-jobqueue on an HPC queue or by dask-kubernetes). Workers only compute; results come back to
the calling process in input order, with a bounded number of tasks in flight, so the caller can
write them as they arrive and a crash loses only what was in flight. Dask is imported here only
(``pip install 'provenance[cluster]'``).
"""

from __future__ import annotations

import os
import signal
import socket
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import ProvenanceError, SettingsError

T = TypeVar("T")
R = TypeVar("R")

# Tasks submitted ahead per worker thread: enough that a worker never waits for the next file,
# few enough that a crash loses little and memory holds only a handful of fingerprints.
AHEAD_PER_WORKER = 2
# Seconds to wait for a scheduler to answer before giving up with an error.
CONNECT_TIMEOUT_S = 30


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What one task gave: its value, or the expected failure it raised (message and hint)."""

    value: R | None = None
    error: str = ""
    hint: str = ""


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _guarded(fn: Callable[[T, Any], R], item: T, shared: Any) -> Outcome[R]:
    """Run on a worker: an expected failure comes back as data, not as a remote traceback."""
    try:
        return Outcome(value=fn(item, shared))
    except ProvenanceError as error:
        return Outcome(error=error.message, hint=error.hint or "")


# How a Dask scheduler is reached over a network (a dashboard's http:// address, pasted by
# mistake, is not one; inproc:// is within one process).
_SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss")


def _check_reachable(address: str) -> None:
    """Refuse an address that is not one (a desk audit's `--cluster notaurl` ended in a
    traceback) and a TCP scheduler nothing listens at, at once (Dask retries until its timeout:
    30 s for a refused connection)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    hint = "e.g. tcp://10.0.0.5:8786, as `dask scheduler` prints it"
    try:
        scheme, location = parse_address(address)
        if scheme not in _SCHEDULER_SCHEMES:
            raise ValueError(f"{scheme}:// is not how a scheduler is reached")
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise SettingsError(f"--cluster {address!r} is not a scheduler's address ({exc})",
                            hint) from None
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise SettingsError(f"no Dask scheduler answered at {address} "
                            f"({exc.strerror or exc})",
                            "start one with `dask scheduler`, or check the address") from None


@contextmanager
def client(workers: int, address: str | None = None) -> Iterator[Any]:
    """A Dask client on a new LocalCluster of ``workers`` processes, or on the scheduler at
    ``address``; closed (and the local cluster stopped) on exit."""
    if not available():
        raise SettingsError("parallel work needs Dask, which is not installed",
                            "pip install 'provenance[cluster]'")
    from distributed import Client, LocalCluster

    if address:
        _check_reachable(address)
        try:
            dask_client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SettingsError(f"no Dask scheduler answered at {address} ({exc})",
                                "start one with `dask scheduler`, or check the address") from None
        try:
            yield dask_client
        finally:
            dask_client.close()
        return
    import dask

    # Workers that may start processes of their own: a download runs in a child process
    # (acquire.download's memory bound), which a daemonic worker may not start (a URL verified
    # with --workers failed "daemonic processes are not allowed to have children"). Their
    # scratch files go to a folder of this run's, removed after it (a desk audit found Dask's
    # /tmp/dask-scratch-space left behind).
    with tempfile.TemporaryDirectory(prefix="provenance-dask-") as scratch:
        with dask.config.set({"distributed.worker.daemon": False,
                              "temporary-directory": scratch}), _deaf_to_ctrl_c():
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40,
                                   local_directory=scratch)
        dask_client = Client(cluster)
        try:
            yield dask_client
        finally:
            dask_client.close()
            cluster.close()


@contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Worker processes started inside ignore Ctrl-C (an ignored signal stays ignored in a
    child, and Python and asyncio then install no handler of their own): a terminal sends it to
    every process of the run, and each worker printed a traceback of 40 lines; this process
    stops them when it stops. Off the main thread signals cannot be set: nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _threads(dask_client: Any) -> int:
    info = dask_client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def map_ordered(dask_client: Any, fn: Callable[[T, Any], R], items: Iterable[T],
                shared: Any = None, ahead: int | None = None) -> Iterator[tuple[T, Outcome[R]]]:
    """(item, outcome) of ``fn(item, shared)`` for every item, in input order, with at most
    ``ahead`` tasks in flight (default: AHEAD_PER_WORKER per worker thread). ``shared`` (settings,
    the set of files already done) is sent to each worker once, not with every task."""
    limit = ahead or AHEAD_PER_WORKER * _threads(dask_client)
    common = dask_client.scatter(shared, broadcast=True, hash=False)
    pending: deque[tuple[T, Any]] = deque()
    source = iter(items)
    exhausted = False
    while True:
        while not exhausted and len(pending) < limit:
            try:
                item = next(source)
            except StopIteration:
                exhausted = True
                break
            pending.append((item, dask_client.submit(_guarded, fn, item, common, pure=False)))
        if not pending:
            return
        item, future = pending.popleft()
        yield item, future.result()


class ShardedIndex:
    """A library's candidate index split by original into shards, each built and kept in the
    memory of one Dask worker (for archives whose index does not fit one machine); a search asks
    every shard and merges their scores (``library.index.merge``), as one index would give them.

    The workers must be able to open the library at ``library`` (a path they can read)."""

    def __init__(self, dask_client: Any, library: str, shards: int,
                 min_motion_energy: float) -> None:
        from .library import Library

        with Library(library) as opened:
            ids = [original.id for original in opened.list()]
        workers = sorted(dask_client.scheduler_info().get("workers", {}))
        self._client = dask_client
        self._shards = [
            dask_client.submit(_build_shard, library, ids[k::shards], min_motion_energy,
                               workers=[workers[k % len(workers)]] if workers else None,
                               pure=False)
            for k in range(shards)]
        self.ids = ids

    def search(self, query: Any, radii: Any) -> Any:
        from .library.index import merge

        parts = [self._client.submit(_search_shard, shard, query, radii, pure=False)
                 for shard in self._shards]
        return merge(self._client.gather(parts))

    def close(self) -> None:
        for shard in self._shards:
            shard.release()


def _build_shard(library: str, ids: list[str], min_motion_energy: float) -> Any:
    """On a worker: the index of some of a library's originals."""
    from .library import FrameIndex, Library

    with Library(library) as opened:
        return FrameIndex.build(ids, [opened.fingerprint(i) for i in ids], min_motion_energy)


def _search_shard(shard: Any, query: Any, radii: Any) -> Any:
    return shard.search(query, radii)
