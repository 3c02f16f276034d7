"""A persistent search index of a large watchlist, built once and kept in the user cache.

Reading a million-entity list and normalising its names takes minutes; the index it yields is kept
under ``<cache>/watchlists/<key>/`` (the cache directory of ``screening.infra.cache``:
``$SCREENING_CACHE_DIR``, else ``$XDG_CACHE_HOME/screening`` or ``~/.cache/screening``), where ``key`` is
the sha256 of the lists' names and bytes and of ``FORMAT``. The next run with the same files opens it
(arrays mapped from disk, not read) instead of reading the lists, and decodes only the entries it
returns. A file's digest is kept beside its device, inode, size and change times (``stamps.json``), so
an unchanged file is not hashed again: the change time (ctime) moves on every write and cannot be set
back, unlike the modification time that ``cp -p`` or ``tar`` keep.

Lists of fewer than ``MIN_ENTRIES`` entries are indexed in memory on every run, as before; a cache
that is missing, unreadable or corrupt is rebuilt, and one that cannot be written only costs speed.

Searching. Every name of the list is kept with its key (normalised, token-sorted, as ``match``
compares). Exact keys, names glued without their spaces, and identifiers are found by hash in sorted
arrays. Fuzzy candidates come from the words: every distinct word of the list is filed under itself
and each spelling of it with one letter left out, so that a word within one edit of it (a letter
changed, added or dropped) is found by the same spellings of the word searched (the deletion
neighbourhood of SymSpell); each word lists the names that hold it. A candidate name must hold such a
near word for at least two of the words searched (one, for a name of one word); those taken from the
rarest words are checked against the others, their lengths must allow the threshold, and the
survivors are scored with rapidfuzz exactly as a full comparison would score them. A name whose every
word differs by more than one edit, or whose words are split differently, is not found this way: at the
default threshold of 90 such names rarely reach it, and ``bench/watchlists.py`` counts what the index
misses against rapidfuzz's ``process.extract`` over the whole list.
"""

from __future__ import annotations

import json
import os
import zlib
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from screening.infra.cache import _sha256, cache_dir

FORMAT = "screening-watchlist-index-1"
MIN_ENTRIES = 50_000
"""Lists with fewer entries are indexed in memory on every run."""
VERIFY_CAP = 20_000
"""Most candidate names scored for one name searched (the rarest words' first)."""


class Rules(NamedTuple):
    """What the index takes from the matcher (``screening.case.watchlists``), which imports this module."""

    entry: Any
    """Builds a list entry from its fields (``ListEntry``)."""
    short: Any
    """Whether a key is too short for fuzzy matching (``_short``)."""
    subset: Any
    """The subset rule for persons' names (``_subset``)."""
    subset_score: float


def _hash(text: str) -> int:
    """A stable 32-bit hash: a collision only adds a candidate, which the comparison of keys then drops."""
    return zlib.crc32(text.encode("utf-8"))


# --------------------------------------------------------------------------- keys


def key(paths: Sequence[Path]) -> str | None:
    """The cache key of the lists ``paths``, or None when the cache is off or a file cannot be stat'ed or read
    (the reader then reports it)."""
    root = cache_dir()
    if root is None:
        return None
    stamps_path = root / "watchlists" / "stamps.json"
    try:
        stamps = json.loads(stamps_path.read_text("utf-8"))
        if not isinstance(stamps, dict):
            stamps = {}
    except (OSError, ValueError):
        stamps = {}
    total = _sha256()
    total.update(FORMAT.encode())
    changed = False
    from screening.case.listfiles import watchlist_limit

    for path in paths:
        try:
            st = os.stat(path)
            if not os.path.isfile(path) or st.st_size > watchlist_limit():
                return None
            stamp = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
            known = stamps.get(str(Path(path).resolve()))
            if isinstance(known, dict) and known.get("stamp") == stamp and isinstance(known.get("digest"), str):
                digest = known["digest"]
            else:
                digest = _file_digest(path)
                stamps[str(Path(path).resolve())] = {"stamp": stamp, "digest": digest}
                changed = True
        except OSError:
            return None
        total.update(str(path).encode() + b"\0" + digest.encode() + b"\0")
    if changed:
        _write_json(stamps_path, stamps)
    return total.hexdigest()


def _file_digest(path: Path) -> str:
    digest = _sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return str(digest.hexdigest())


def _write_json(path: Path, data: Any) -> None:
    try:
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except OSError:
        pass


# --------------------------------------------------------------------------- words


def variants(word: str) -> set[str]:
    """``word`` and every spelling of it with one letter left out: two words within one edit of each other
    (a letter changed, added or dropped) share one of them."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))} if len(word) > 1 else {word}


# --------------------------------------------------------------------------- building


def build(
    entries: Sequence[Any], identifiers: dict[str, list[int]], key: str, names: Any, rules: Rules
) -> DiskIndex | None:
    """Write the index of ``entries`` under ``key``; the index opened, or None when it cannot be written.

    ``names(person)`` yields ``(key, tokens, (entry, name index))`` for the names of one side, as
    ``match`` normalises them."""
    root = cache_dir()
    if root is None:
        return None
    import tempfile

    import numpy as np

    try:
        (root / "watchlists").mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root / "watchlists", prefix=".build-"))
    except OSError:
        return None
    try:
        blob = bytearray()
        offsets = array("q", [0])
        for entry in entries:
            blob += json.dumps(list(entry), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            offsets.append(len(blob))
        (tmp / "entries.bin").write_bytes(blob)
        np.save(tmp / "entries.npy", np.frombuffer(offsets, dtype=np.int64))
        _sorted_pairs(tmp / "ids", ((_hash(code), e) for code, found in identifiers.items() for e in found))
        for person in (True, False):
            _build_side(tmp / ("person" if person else "other"), names(person))
        final = root / "watchlists" / key
        try:
            os.replace(tmp, final)
        except OSError:  # built meanwhile by another run
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
        return open_index(key, rules)
    except (OSError, ValueError):
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        return None


def _sorted_pairs(stem: Path, pairs: Iterable[tuple[int, int]]) -> None:
    """Hashes and values, sorted by hash (values in their order within one hash), as two .npy files."""
    import numpy as np

    hashes, values = array("Q"), array("q")
    for code, value in pairs:
        hashes.append(code)
        values.append(value)
    h = np.frombuffer(hashes, dtype=np.uint64)
    order = np.argsort(h, kind="stable")
    np.save(f"{stem}.hash.npy", h[order])
    np.save(f"{stem}.value.npy", np.frombuffer(values, dtype=np.int64)[order].astype(np.int32))


def _build_side(stem: Path, names: Iterable[tuple[str, tuple[str, ...], tuple[int, int]]]) -> None:
    import numpy as np

    blob = bytearray()
    offsets = array("q", [0])
    owners = array("i")
    exact, glued = array("Q"), array("Q")
    exact_ids, glued_ids = array("i"), array("i")
    vocabulary: dict[str, int] = {}
    word_of, name_of = array("i"), array("i")
    for i, (name_key, tokens, (e, n)) in enumerate(names):
        blob += name_key.encode("utf-8")
        offsets.append(len(blob))
        owners.extend((e, n))
        exact.append(_hash(name_key))
        exact_ids.append(i)
        if len(tokens) > 1:
            glued.append(_hash("".join(tokens)))
            glued_ids.append(i)
        for word in set(tokens):
            word_of.append(vocabulary.setdefault(word, len(vocabulary)))
            name_of.append(i)
    (Path(f"{stem}.keys.bin")).write_bytes(blob)
    np.save(f"{stem}.offsets.npy", np.frombuffer(offsets, dtype=np.int64))
    np.save(f"{stem}.owners.npy", np.frombuffer(owners, dtype=np.int32).reshape(-1, 2))
    # the names of each word, in order (CSR)
    words = np.frombuffer(word_of, dtype=np.int32)
    order = np.argsort(words, kind="stable")
    np.save(f"{stem}.postings.npy", np.frombuffer(name_of, dtype=np.int32)[order])
    starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(words, minlength=len(vocabulary)), out=starts[1:])
    np.save(f"{stem}.starts.npy", starts)
    near, near_ids = array("Q"), array("i")
    for word, w in vocabulary.items():
        for spelling in variants(word):
            near.append(_hash(spelling))
            near_ids.append(w)
    for part, hashes, ids in (("exact", exact, exact_ids), ("glued", glued, glued_ids), ("near", near, near_ids)):
        h = np.frombuffer(hashes, dtype=np.uint64)
        order = np.argsort(h, kind="stable")  # ids ascending within one hash
        np.save(f"{stem}.{part}.hash.npy", h[order])
        np.save(f"{stem}.{part}.value.npy", np.frombuffer(ids, dtype=np.int32)[order])


# --------------------------------------------------------------------------- reading


class _Lookup:
    """Sorted hashes and the values filed under each."""

    def __init__(self, stem: str) -> None:
        import numpy as np

        self.np = np
        # plain arrays over the mapped files: a memmap's own indexing costs a Python call each time
        self.hashes = np.asarray(np.load(f"{stem}.hash.npy", mmap_mode="r"))
        self.values = np.asarray(np.load(f"{stem}.value.npy", mmap_mode="r"))

    def get(self, h: int) -> Any:
        return self.many([h])[0]

    def many(self, hashes: Sequence[int]) -> list[Any]:
        """The values filed under each of ``hashes``."""
        wanted = self.np.asarray(hashes, dtype=self.np.uint64)
        starts = self.hashes.searchsorted(wanted, side="left").tolist()
        stops = self.hashes.searchsorted(wanted, side="right").tolist()
        return [self.values[a:b] for a, b in zip(starts, stops, strict=True)]


class Entries(Sequence[Any]):
    """The list's entries, decoded one at a time as they are asked for."""

    def __init__(self, folder: Path, make: Any) -> None:
        import numpy as np

        self._offsets = np.load(folder / "entries.npy", mmap_mode="r")
        with open(folder / "entries.bin", "rb") as handle:
            import mmap

            self._blob = (
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(handle.fileno()).st_size else b""
            )
        self._make = make
        self._kept: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        found = self._kept.get(i)
        if found is None:
            data = json.loads(bytes(self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]))
            found = self._kept[i] = self._make(data)
        return found


class DiskSide:
    """The names of one side (persons, or the others) in an index on disk; the methods of ``_Side``."""

    def __init__(self, stem: str, rules: Rules) -> None:
        import mmap

        import numpy as np

        self.rules = rules
        self.np = np
        self.offsets = np.asarray(np.load(f"{stem}.offsets.npy", mmap_mode="r"))
        self.lengths = np.diff(self.offsets)
        self.owners = np.asarray(np.load(f"{stem}.owners.npy", mmap_mode="r"))
        self._pools: dict[tuple[str, ...], list[int]] = {}
        with open(f"{stem}.keys.bin", "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self.blob: Any = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.exact = _Lookup(f"{stem}.exact")
        self.glued = _Lookup(f"{stem}.glued")
        self.near = _Lookup(f"{stem}.near")
        self.postings = np.asarray(np.load(f"{stem}.postings.npy", mmap_mode="r"))
        self.starts = np.asarray(np.load(f"{stem}.starts.npy", mmap_mode="r"))

    def _key(self, i: int) -> str:
        return bytes(self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])]).decode("utf-8")

    def _owner(self, i: int) -> tuple[int, int]:
        row = self.owners[i]
        return int(row[0]), int(row[1])

    def find_exact(self, name_key: str) -> list[tuple[int, int]]:
        return [self._owner(i) for i in self.exact.get(_hash(name_key)).tolist() if self._key(i) == name_key]

    def find_glued(self, glued: str, single: bool) -> list[tuple[int, int]]:
        if not single:
            return self.find_exact(glued)
        return [self._owner(i) for i in self.glued.get(_hash(glued)).tolist() if self._key(i).replace(" ", "") == glued]

    def candidates(self, tokens: Sequence[str]) -> list[int]:
        """Names sharing a near word (within one edit) with two of ``tokens`` (with the one, for one word)."""
        key = tuple(tokens)
        found = self._pools.get(key)
        if found is None:
            if len(self._pools) > 64:  # kept for the fuzzy search and the subset rule of one name
                self._pools.clear()
            found = self._pools[key] = self._candidates(tokens)
        return found

    def _candidates(self, tokens: Sequence[str]) -> list[int]:
        np = self.np
        words = list(dict.fromkeys(tokens))
        if not words:
            return []
        spellings = [sorted(variants(w)) for w in words]
        flat = self.near.many([_hash(v) for group in spellings for v in group])
        near: list[list[int]] = []  # each word searched: the words of the list within one edit of it
        at = 0
        for group in spellings:
            found: set[int] = set()
            for k in range(len(group)):
                found.update(flat[at + k].tolist())
            at += len(group)
            near.append(sorted(found))
        starts = self.starts
        sizes = [sum(int(starts[w + 1] - starts[w]) for w in found) for found in near]
        need = min(len(words), 2)
        order = sorted(range(len(words)), key=sizes.__getitem__)
        seeds, others = order[: len(words) - need + 1], order[len(words) - need + 1 :]
        pool: dict[int, int] = {}  # candidate -> how many words searched it holds a near word of
        for k in seeds:
            held: set[int] = set()
            for w in near[k]:
                held.update(self.postings[starts[w] : starts[w + 1]].tolist())
            for i in held:
                pool[i] = pool.get(i, 0) + 1
        if need > 1 and pool:
            ids = np.fromiter(pool, dtype=np.int32, count=len(pool))
            for k in others:
                if sizes[k] <= 50 * len(pool):  # read whole, as a set
                    held = set()
                    for w in near[k]:
                        held.update(self.postings[starts[w] : starts[w + 1]].tolist())
                    for i in held.intersection(pool):
                        pool[i] += 1
                    continue
                hit = np.zeros(ids.size, dtype=bool)  # a frequent word: looked up, not read whole
                for w in near[k]:
                    a = self.postings[starts[w] : starts[w + 1]]
                    if a.size:
                        where = np.minimum(np.searchsorted(a, ids), a.size - 1)
                        hit |= a[where] == ids
                for i in ids[hit].tolist():
                    pool[i] += 1
        return sorted(i for i, n in pool.items() if n >= need)[:VERIFY_CAP]

    def find_fuzzy(self, name_key: str, tokens: Sequence[str], cutoff: float) -> list[tuple[tuple[int, int], float]]:
        from rapidfuzz import fuzz, process

        _short = self.rules.short
        pool = self.np.asarray(self.candidates(tokens), dtype=self.np.int64)
        if pool.size and name_key.isascii():  # a ratio of ``cutoff`` needs lengths within (2 - c) / c of each other
            c = max(cutoff, 1.0) / 100
            size = len(name_key)
            lengths = self.lengths[pool]
            pool = pool[(lengths >= size * c / (2 - c) - 1) & (lengths <= size * (2 - c) / c + 1)]
        ids = pool.tolist()
        keys = [self._key(i) for i in ids]
        keep = [k for k, text in enumerate(keys) if not _short(text)]
        found = process.extract(
            name_key, [keys[k] for k in keep], scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
        )
        return [(self._owner(ids[keep[j]]), raw) for _, raw, j in found]

    def find_subsets(self, tokens: Sequence[str]) -> dict[tuple[int, int], float]:
        _short, _subset, score = self.rules.short, self.rules.subset, self.rules.subset_score
        mine = set(tokens)
        if len(mine) < 2:
            return {}
        out = {}
        for i in self.candidates(tokens):
            text = self._key(i)
            if not _short(text) and _subset(mine, text):
                out[self._owner(i)] = score
        return out


class DiskIndex:
    """An index opened from the cache: ``person``, ``other``, ``identifiers`` as ``_Index`` has them, and
    ``entries``."""

    def __init__(self, folder: Path, rules: Rules) -> None:
        def make(data: list[Any]) -> Any:
            values: list[Any] = [tuple(v) if isinstance(v, list) else v for v in data]
            return rules.entry(*values)

        self.entries = Entries(folder, make)
        self.person = DiskSide(str(folder / "person"), rules)
        self.other = DiskSide(str(folder / "other"), rules)
        self._ids = _Lookup(str(folder / "ids"))
        self.identifiers = self

    def get(self, code: str, default: Any = ()) -> list[int]:
        """Entries having the identifier ``code`` (the ``identifiers`` mapping of ``_Index``)."""
        return [e for e in self._ids.get(_hash(code)).tolist() if code in self.entries[e].identifiers]


def open_index(key: str, rules: Rules) -> DiskIndex | None:
    """The index kept under ``key``, or None."""
    root = cache_dir()
    if root is None:
        return None
    folder = root / "watchlists" / key
    if not (folder / "entries.bin").is_file():
        return None
    try:
        return DiskIndex(folder, rules)
    except (OSError, ValueError):
        return None
