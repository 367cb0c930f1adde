"""Finding the originals worth aligning against a query, over every sampled frame of the library.

Three FAISS binary indexes, built from the library's fingerprints and stored keypoints:

* **events**: every *moving* sample (motion energy at least the aligner's floor) as a 128-bit
  code, scene hash then motion hash. A query's moving samples are searched within the aligner's
  two radii, and each original is scored by the distinct query samples that agree with it in
  scene *and* motion at one time offset: what the aligner will need (a fixed camera's other
  moments share the view but not the events, so they fall out here, not after alignment).
* **views**: each original's distinct scene hashes (a static camera's minutes of one view count
  once). The nearest ``VIEW_NEIGHBOURS`` of every query sample within the scene radius count, per
  original, the query samples that share its view: the same-scene candidates.
* **keys**: a sample of the ORB descriptors stored for each original's keyframes
  (``LocalData``). A repost's keypoints vote for the originals whose pictures they are found in,
  so a crop or an inset that no whole-frame hash finds is compared with the few originals worth
  comparing (``refine``: in a library of no more originals than its local stage may examine,
  with every one).

Up to EXACT_MAX_CODES codes an index is exact (``IndexBinaryFlat``); above it an inverted file
(``IndexBinaryIVF``, the structure Meta's Hasher-Matcher-Actioner uses for PDQ). Events and views
were measured against the hand-written chunk index they replace in benchmarks/index_realistic.py,
keys in benchmarks/key_candidates.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..models import Fingerprint

# Version of the saved index layout (2: FAISS events + views indexes; 3: bound to its library's
# id and revision and to checksums of its files; 4: the keypoint index).
INDEX_FORMAT = 4
# Up to this many codes an index is an exact scan (its cost grows with codes x query samples: a
# 120 s query against 144,000 codes cost 2.7 s wall under load in benchmarks/library_scale.py);
# above it an inverted file of IVF_LISTS_PER_ROOT * sqrt(codes) lists, probing
# IVF_PROBES of them. benchmarks/index_realistic.py (1,000 h of real-footage fingerprints with
# same-camera archives, 18 edited queries): a range search probing 8 lists finds 723 of the 733
# query samples an exact scan finds within the scene radius (16 lists: 730); with 4, 8 or 16
# probes every query the aligner can match ranks its true original first; 8 probes cost 12 ms
# CPU p50, 16 ms p95 per query. Lists of 0.3 sqrt(n) train and fill in about 17 CPU-s at 14 M.
EXACT_MAX_CODES = 50_000
IVF_LISTS_PER_ROOT = 0.3
IVF_PROBES = 8
# Training codes per inverted list (FAISS's k-means needs a few dozen per centroid).
IVF_TRAIN_PER_LIST = 40
# Neighbours of each query sample looked at in the views index (each original's repeats of a view
# folded): the same-scene candidates are capped at pipeline.MAX_CANDIDATES anyway; 256 cost 5 ms
# more per query than 64 at 1,000 h and changed no rank (same benchmark).
VIEW_NEIGHBOURS = 64
# Nearest events looked at per query sample (128-bit distance, scene + motion). The sample's true
# moment and its neighbours come first: another moment of the same camera shares the view but its
# motion hash is about 32 bits away. benchmarks/index_realistic.py, 1,000 h with same-camera
# archives: the true original ranks first for every query the aligner can match with 32 as with
# an unbounded range search, and the events search fell from 22-30 ms CPU p50 (up to 90 ms p95:
# millions of pairs from static views) to 4-10 ms.
EVENT_NEIGHBOURS = 32
# Offsets (original time minus query time) are voted in bins of this many seconds, each vote
# also counting for its two neighbours, so a copy played a little faster still agrees.
OFFSET_BIN_S = 1.0
_TABLES = ("views", "view_entry", "events", "event_codes", "event_entry", "event_time", "keys",
           "key_entry")
# Descriptors kept of each stored keyframe (of its 1,500), evenly spread over its list: 12
# keyframes x 128 x 32 bytes = 49 KB an original. benchmarks/key_candidates.py --sweep (the
# copy-detection set's 142 queries, 92 true (query, original) pairs, against its 3 originals, 12
# generated videos with keypoints and 45 still views; "Keypoint candidates"): 64, 128 and 256
# all put every true original among the candidates (88 first); the true originals' least votes
# 56, 69 and 85 over the floor of 20 (MatchParams.local_key_min_score), the search 67, 139 and
# 174 ms a query, exact.
KEYS_PER_KEYFRAME = 128
# A repost descriptor votes for the originals holding a neighbour within KEY_MATCH_BITS (of 256)
# and within KEY_MATCH_MARGIN bits of its nearest one, one vote shared among them (a texture many
# originals share counts for little: a picture-in-picture's fractal background against generated
# fractals, in a first trial with 6 of them). ORB correspondences of the same picture lie under
# about 50 bits; the same sweep found 90 of the 92 true originals at 40 bits (least votes 15),
# all 92 at 50 and at 60 (at 60 the worst rank fell from 5 to 7).
KEY_MATCH_BITS = 50
KEY_MATCH_MARGIN = 8
KEY_NEIGHBOURS = 16


@dataclass(frozen=True)
class IndexIdentity:
    """The library state a saved index was built from: the library's random id, its revision
    (every add or remove), its originals in index order, their sample count and the motion
    floor the events were chosen with."""

    library_id: int
    revision: int
    ids: tuple[str, ...]
    frames: int
    min_motion_energy: float


class IndexMismatch(Exception):
    """A saved index that cannot be used for this library (``damaged``: not merely stale)."""

    def __init__(self, reason: str, damaged: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.damaged = damaged


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _meta_sha256(meta: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode("utf-8")).hexdigest()


def _check_meta(meta: object, identity: IndexIdentity) -> None:
    """Raise IndexMismatch unless the description is well formed and of this library state."""
    if not isinstance(meta, dict) or not isinstance(meta.get("format"), int):
        raise IndexMismatch("an unknown or damaged description")
    if meta["format"] != INDEX_FORMAT:  # written by another version of provenance
        raise IndexMismatch(f"of format {meta['format']}, not {INDEX_FORMAT}", damaged=False)
    if meta.get("library_id") != identity.library_id:
        raise IndexMismatch("it belongs to another library")
    if meta.get("revision") != identity.revision:
        raise IndexMismatch(f"it is of revision {meta.get('revision')!r}, the library of "
                            f"{identity.revision}", damaged=False)
    if meta.get("min_motion_energy") != identity.min_motion_energy:
        raise IndexMismatch("it was built with another motion floor", damaged=False)
    ids, frames, checksums = meta.get("ids"), meta.get("frames"), meta.get("sha256")
    if not (isinstance(ids, list) and isinstance(frames, int) and isinstance(checksums, dict)):
        raise IndexMismatch("an incomplete description")
    if checksums.get("meta") != _meta_sha256({k: v for k, v in meta.items() if k != "sha256"}):
        raise IndexMismatch("meta.json does not match its checksum")
    if tuple(ids) != identity.ids or frames != identity.frames:
        raise IndexMismatch("its originals are not the library's")


@dataclass(frozen=True)
class Radii:
    """The aligner's distances for a scene or motion hash to agree (bits)."""

    scene: int
    motion: int


@dataclass(frozen=True)
class Scores:
    """Per original: distinct query samples agreeing in scene and motion at its best time
    offset (``events``), and query samples sharing one of its views (``views``)."""

    events: dict[str, int]
    views: dict[str, int]


def merge(shards: Sequence[Scores]) -> Scores:
    """The scores of shards that hold disjoint sets of originals (an archive's index split so
    that each shard fits one worker's memory), as one index over all of them gives them: each
    original's scores come from the one shard that holds it."""
    events: dict[str, int] = {}
    views: dict[str, int] = {}
    for scores in shards:
        events.update(scores.events)
        views.update(scores.views)
    return Scores(events, views)


def _faiss() -> Any:
    import faiss

    # One thread: a query is a few dozen rows, too few for OpenMP to pay for its threads, whose
    # spinning cost 10-25x the CPU of a search on this loaded 2-core machine (120 ms CPU against
    # 14 ms on 10 h, benchmarks/index_realistic.py).
    faiss.omp_set_num_threads(1)
    return faiss


def _codes(*channels: np.ndarray) -> np.ndarray:
    """Rows of concatenated uint64 hashes as the uint8 codes FAISS reads."""
    stacked = np.stack([np.ascontiguousarray(c, dtype=np.uint64) for c in channels], axis=1)
    return np.ascontiguousarray(stacked).view(np.uint8).reshape(len(stacked), 8 * len(channels))


def _search_distinct(index: Any, codes: np.ndarray, neighbours: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """FAISS's (distances, positions) for each row of ``codes``, each distinct row searched
    once (the same answers): a fixed camera's samples repeat their hashes (the 20-minute query
    of verify_scale.py: 318 distinct scene hashes in 4,800 samples)."""
    distinct, inverse = np.unique(codes, axis=0, return_inverse=True)
    distance, found = index.search(distinct, neighbours)
    inverse = inverse.reshape(-1)
    return distance[inverse], found[inverse]


def _binary_index(codes: np.ndarray) -> Any:
    """An exact index for few codes, an inverted file for many, holding ``codes``."""
    faiss = _faiss()
    bits = codes.shape[1] * 8
    if len(codes) <= EXACT_MAX_CODES:
        index = faiss.IndexBinaryFlat(bits)
    else:
        lists = max(64, int(IVF_LISTS_PER_ROOT * np.sqrt(len(codes))))
        index = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(bits), bits, lists)
        rng = np.random.default_rng(0)
        train = codes[np.sort(rng.choice(len(codes), min(len(codes), lists * IVF_TRAIN_PER_LIST),
                                         replace=False))]
        index.train(train)
    if len(codes):
        index.add(codes)
    return index


def key_sample(descriptors: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """What the keypoint index keeps of an original's stored keyframe descriptors (``counts``
    per keyframe, in order): KEYS_PER_KEYFRAME of each, evenly spread; none where the counts
    do not add up to the descriptors (a damaged row): that original alone then has none."""
    if (counts < 0).any() or int(counts.sum()) != len(descriptors):
        return np.zeros((0, 32), np.uint8)
    kept, start = [], 0
    for count in (int(c) for c in counts):
        chosen = np.linspace(start, start + count - 1, min(count, KEYS_PER_KEYFRAME))
        kept.append(descriptors[chosen.astype(np.int64)] if count else descriptors[:0])
        start += count
    return np.concatenate(kept) if kept else np.zeros((0, 32), np.uint8)


def _probe(index: Any) -> None:
    if hasattr(index, "nprobe"):
        index.nprobe = IVF_PROBES


class FrameIndex:
    """The events and views indexes of a library, and where each code comes from."""

    def __init__(self, ids: Sequence[str], views: object, view_entry: np.ndarray,
                 events: object, event_codes: np.ndarray, event_entry: np.ndarray,
                 event_time: np.ndarray, frames: int, min_motion_energy: float,
                 keys: object | None = None, key_entry: np.ndarray | None = None) -> None:
        self._ids = list(ids)
        self._keys: Any = keys
        self._key_entry = key_entry if key_entry is not None else np.zeros(0, np.int32)
        self.min_motion_energy = float(min_motion_energy)
        self._views: Any = views
        self._events: Any = events
        self._view_entry = view_entry
        # The events' (scene, motion) hashes again, to check each distance on its own.
        self._event_codes = event_codes
        self._event_entry, self._event_time = event_entry, event_time
        self._frames = int(frames)
        _probe(self._views)
        _probe(self._events)
        if self._keys is not None:
            _probe(self._keys)

    @classmethod
    def build(cls, ids: Sequence[str], fingerprints: Sequence[Fingerprint],
              min_motion_energy: float, keys: Sequence[np.ndarray] | None = None
              ) -> FrameIndex:
        """The index of the originals ``ids`` from their fingerprints and, where given, the
        descriptors each keeps in the keypoint index (``key_sample``; empty for an original
        without stored keypoints)."""
        view_codes, view_entry = [], []
        event_scene, event_motion, event_entry, event_time = [], [], [], []
        for entry, fp in enumerate(fingerprints):
            scene = np.asarray(fp.scene, dtype=np.uint64)
            distinct = np.unique(scene)
            view_codes.append(distinct)
            view_entry.append(np.full(len(distinct), entry, np.int32))
            moving = np.flatnonzero(np.asarray(fp.motion_energy) >= min_motion_energy)
            event_scene.append(scene[moving])
            event_motion.append(np.asarray(fp.motion, dtype=np.uint64)[moving])
            event_entry.append(np.full(len(moving), entry, np.int32))
            event_time.append(np.asarray(fp.times, dtype=np.float32)[moving])

        def joined(parts: list[np.ndarray], kind: type) -> np.ndarray:
            return np.concatenate(parts).astype(kind) if parts else np.zeros(0, kind)

        views = _binary_index(_codes(joined(view_codes, np.uint64)))
        event_codes = np.stack([joined(event_scene, np.uint64), joined(event_motion, np.uint64)],
                               axis=1)
        events = _binary_index(_codes(event_codes[:, 0], event_codes[:, 1]))
        key_index, key_entry = None, None
        if keys is not None:
            key_entry = np.repeat(np.arange(len(keys), dtype=np.int32), [len(k) for k in keys])
            key_index = _binary_index(np.ascontiguousarray(
                np.concatenate([*keys, np.zeros((0, 32), np.uint8)]), dtype=np.uint8))
        return cls(ids, views, joined(view_entry, np.int32), events, event_codes,
                   joined(event_entry, np.int32), joined(event_time, np.float32),
                   sum(len(fp.scene) for fp in fingerprints), min_motion_energy,
                   key_index, key_entry)

    def _tables(self) -> dict[str, np.ndarray]:
        faiss = _faiss()
        keys = (faiss.serialize_index_binary(self._keys) if self._keys is not None
                else np.zeros(0, np.uint8))
        return {"views": faiss.serialize_index_binary(self._views), "view_entry": self._view_entry,
                "events": faiss.serialize_index_binary(self._events),
                "event_codes": self._event_codes, "event_entry": self._event_entry,
                "event_time": self._event_time, "keys": keys, "key_entry": self._key_entry}

    def save(self, folder: Path, identity: IndexIdentity) -> None:
        """Write the tables (.npy) and their description, atomically. The description binds them
        to the library (its id and revision) and to their checksums."""
        tmp = Path(tempfile.mkdtemp(prefix=".index-", dir=folder.parent))
        try:
            for name, table in self._tables().items():
                np.save(tmp / f"{name}.npy", table)
            meta: dict[str, object] = {
                "format": INDEX_FORMAT, "library_id": identity.library_id,
                "revision": identity.revision, "ids": self._ids, "frames": self._frames,
                "min_motion_energy": self.min_motion_energy}
            checksums = {name: _file_sha256(tmp / f"{name}.npy") for name in _TABLES}
            checksums["meta"] = _meta_sha256(meta)
            (tmp / "meta.json").write_text(json.dumps({**meta, "sha256": checksums}))
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, identity: IndexIdentity) -> FrameIndex:
        """The saved index of exactly this library state; IndexMismatch says why not."""
        try:
            meta = json.loads((folder / "meta.json").read_text("utf-8"))
        except FileNotFoundError:
            raise IndexMismatch("absent", damaged=False) from None
        except (OSError, ValueError) as exc:
            raise IndexMismatch(f"unreadable description ({exc})") from None
        _check_meta(meta, identity)
        for name in _TABLES:
            try:
                digest = _file_sha256(folder / f"{name}.npy")
            except OSError as exc:
                raise IndexMismatch(f"{name}.npy unreadable ({exc.strerror})") from None
            if digest != meta["sha256"].get(name):
                raise IndexMismatch(f"{name}.npy does not match its checksum")
        try:
            tables = {name: np.load(folder / f"{name}.npy") for name in _TABLES}
            faiss = _faiss()
            views = faiss.deserialize_index_binary(tables["views"])
            events = faiss.deserialize_index_binary(tables["events"])
            keys = (faiss.deserialize_index_binary(tables["keys"]) if len(tables["keys"])
                    else None)
            return cls(meta["ids"], views, tables["view_entry"], events, tables["event_codes"],
                       tables["event_entry"], tables["event_time"], meta["frames"],
                       identity.min_motion_energy, keys, tables["key_entry"])
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise IndexMismatch(f"unreadable tables ({exc})") from None

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return self._frames

    @property
    def views(self) -> int:
        """The library's distinct view hashes (what ``align.view_radius`` counts)."""
        return int(self._views.ntotal)

    @property
    def kind(self) -> str:
        return "exact" if self._views.ntotal <= EXACT_MAX_CODES else "ivf"

    @property
    def nbytes(self) -> int:
        faiss = _faiss()
        indexes = [i for i in (self._views, self._events, self._keys) if i is not None]
        return int(sum(faiss.serialize_index_binary(i).nbytes for i in indexes)
                   + self._view_entry.nbytes + self._event_codes.nbytes
                   + self._event_entry.nbytes + self._event_time.nbytes
                   + self._key_entry.nbytes)

    @property
    def has_keys(self) -> bool:
        """Whether the keypoint index was built (not for a cluster's shards)."""
        return self._keys is not None

    def key_scores(self, descriptors: np.ndarray) -> dict[str, float]:
        """Per original, the votes of a repost's ORB descriptors (N x 32 bytes): each
        descriptor with a neighbour within KEY_MATCH_BITS shares one vote among the originals
        holding one within KEY_MATCH_MARGIN bits of its nearest."""
        if self._keys is None or not self._keys.ntotal or not len(descriptors):
            return {}
        distance, found = self._keys.search(np.ascontiguousarray(descriptors, dtype=np.uint8),
                                            min(KEY_NEIGHBOURS, self._keys.ntotal))
        bound = np.minimum(KEY_MATCH_BITS, distance[:, :1] + KEY_MATCH_MARGIN)
        near = (found >= 0) & (distance <= bound)
        rows = np.broadcast_to(np.arange(len(found))[:, None], found.shape)[near]
        pairs = np.unique(rows.astype(np.int64) * len(self._ids)
                          + self._key_entry[found[near]].astype(np.int64))
        if not len(pairs):
            return {}
        share = 1.0 / np.bincount(pairs // len(self._ids))[pairs // len(self._ids)]
        scores = np.bincount(pairs % len(self._ids), weights=share, minlength=len(self._ids))
        return {self._ids[i]: float(scores[i]) for i in np.flatnonzero(scores)}

    def search(self, query: Fingerprint, radii: Radii) -> Scores:
        """Scores of the originals that share views or events with the query's informative
        samples (and their mirror images)."""
        usable = np.flatnonzero(query.informative)
        return Scores(self._event_scores(query, usable, radii), self._view_scores(query, usable,
                                                                                  radii.scene))

    def _view_scores(self, query: Fingerprint, usable: np.ndarray, radius: int) -> dict[str, int]:
        if not len(usable) or not self._views.ntotal:
            return {}
        codes = _codes(np.concatenate([query.scene[usable], query.mirror[usable]]))
        distance, found = _search_distinct(self._views, codes,
                                           min(VIEW_NEIGHBOURS, self._views.ntotal))
        near = (distance <= radius) & (found >= 0)
        rows = np.broadcast_to((np.arange(len(codes)) % len(usable))[:, None], found.shape)[near]
        return self._count(rows, self._view_entry[found[near]])

    def _event_scores(self, query: Fingerprint, usable: np.ndarray,
                      radii: Radii) -> dict[str, int]:
        moving = usable[query.motion_energy[usable] >= self.min_motion_energy]
        if not len(moving) or not self._events.ntotal:
            return {}
        scene = np.concatenate([query.scene[moving], query.mirror[moving]])
        motion = np.concatenate([query.motion[moving], query.motion_mirror[moving]])
        distance, found = _search_distinct(self._events, _codes(scene, motion),
                                           min(EVENT_NEIGHBOURS, self._events.ntotal))
        rows = np.broadcast_to(np.arange(len(scene))[:, None], found.shape)
        near = (found >= 0) & (distance <= radii.scene + radii.motion)
        rows, found = rows[near], found[near].astype(np.int64)
        # The search bounds the sum of the two distances; the aligner bounds each.
        keep = ((np.bitwise_count(scene[rows] ^ self._event_codes[found, 0]) <= radii.scene)
                & (np.bitwise_count(motion[rows] ^ self._event_codes[found, 1]) <= radii.motion))
        samples, found = rows[keep] % len(moving), found[keep]
        if not len(found):
            return {}
        offset = self._event_time[found] - query.times[moving][samples]
        return self._best_offsets(samples, self._event_entry[found].astype(np.int64),
                                  np.floor(offset / OFFSET_BIN_S).astype(np.int64))

    def _best_offsets(self, samples: np.ndarray, entries: np.ndarray,
                      bins: np.ndarray) -> dict[str, int]:
        """Per entry, the most distinct query samples voting for one offset bin (each vote
        also counting for the two bins beside it)."""
        best = np.zeros(len(self._ids), np.int64)
        for shift in (-1, 0, 1):
            key = (entries << 32) + (bins + shift + (1 << 31))
            pairs = np.unique(np.stack([key, samples]), axis=1)
            keys, counts = np.unique(pairs[0], return_counts=True)
            np.maximum.at(best, keys >> 32, counts)
        return {self._ids[i]: int(best[i]) for i in np.flatnonzero(best)}

    def _count(self, rows: np.ndarray, entries: np.ndarray) -> dict[str, int]:
        """Distinct query rows per entry."""
        if rows.size == 0:
            return {}
        pairs = np.unique(rows.astype(np.int64) * len(self._ids) + entries.astype(np.int64))
        counts = np.bincount(pairs % len(self._ids), minlength=len(self._ids))
        return {self._ids[i]: int(counts[i]) for i in np.flatnonzero(counts)}
