"""A persistent search index of a large watchlist, built once and kept in the user cache.

Reading a million-entity list and normalising its names takes minutes; the index it yields is kept
under ``<cache>/watchlists/<key>/`` (the cache directory of ``screening.infra.cache``:
``$SCREENING_CACHE_DIR``, else ``$XDG_CACHE_HOME/screening`` or ``~/.cache/screening``), where ``key`` is
the sha256 of the lists' names and bytes and of ``FORMAT``. The next run with the same files opens it
instead of reading the lists, and decodes only the entries it returns; the warnings of reading the lists
(W371, an unknown country code) are kept with it, and said again each time it is opened. The index is one file,
``index.bin``: a header (``HEADER``: magic, where the table of contents lies, a crc32 of the rest), the
arrays one after another, and a table of contents in JSON naming each array's place, type and length. It is
mapped from disk and its arrays read as ``memoryview``s (the standard library's ``mmap`` and ``bisect``), so
that ``screen`` with a few names loads no numpy (about 0.1 s of imports); numpy, when installed, only sorts
the arrays while building, to the same bytes as the standard library would. A list file's digest is kept
beside its device, inode, size and change times (``stamps.json``), so an unchanged file is not hashed
again: the change time (ctime) moves on every write and cannot be set back, unlike the modification time
that ``cp -p`` or ``tar`` keep.

Lists of fewer than ``MIN_ENTRIES`` entries are indexed in memory on every run, as before; an index that
is missing is built, one that cannot be written only costs speed, and one that is damaged (``Unreadable``:
truncated, a header or table of contents that does not hold, a crc32 that differs) is removed and built
again, which ``load_watchlists`` reports as W370.

Searching. Every name of the list is kept with its key (normalised, token-sorted, as ``match``
compares). Exact keys, names glued without their spaces, and identifiers are found by hash in sorted
arrays. Fuzzy candidates come from the words: every distinct word of the list is filed under itself
and each spelling of it with one letter left out, so that a word within one edit of it (a letter
changed, added or dropped) is found by the same spellings of the word searched (the deletion
neighbourhood of SymSpell), and under its consonant skeleton (``skeleton``: "mohammed" and "muhamad" are
"mhmd"), a second key that finds words spelt with other vowels or doubled letters, as transliterations
differ, however many edits apart; each word lists the names that hold it. A candidate name must hold such a
near word for at least two of the words searched (one, for a name of one word): the names of all but
the most frequent word searched are read and paired with each other and with that word (looked up in
the words of each name rather than read whole, when it is frequent), their lengths must allow the threshold, and the
survivors are scored with rapidfuzz exactly as a full comparison would score them. The limit: a listed
name is not found when fewer than two of the words searched (not the one, for a name of one word) are
within one edit of its words or share their skeletons (of three letters or more, and of at most
``SKELETON_CAP`` words of the list), or when its words are split differently. At the default threshold
of 90 few such names reach it (a name of two words whose one word is far off can, when the words are
long); ``bench/watchlists.py`` counts what the index
misses against rapidfuzz's ``process.extract`` over the whole list, and tests/test_watchlist_index.py what
it finds of names with two vowels dropped from every word at a threshold of 75.

A batch of names (``DiskIndex.prepare``, from ``BATCH`` words on, with numpy installed) runs the same
search over numpy arrays on the same mapped file (``screening.case.listindex_arrays``): the words of
several hundred names are looked up in a few array operations, and the names of each word are kept for
the rest of the batch, frequent words coming back. Both searches give the same candidates
(tests/test_watchlist_index.py).
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from screening.infra.cache import _sha256, cache_dir

FORMAT = "screening-watchlist-index-5"
MIN_ENTRIES = 50_000
"""Lists with fewer entries are indexed in memory on every run."""
BATCH = 100
"""Words searched at once from which the search runs over numpy arrays (when numpy is installed)."""
SKELETON_CAP = 64
"""A skeleton (``skeleton``) shared by more words of one side of the list is no key: it would find too many
names to compare, as a made-up list of syllables gives (``bench/watchlists.py``: each skeleton of three
consonants has about 250 words at a million entities), where the names of real lists share few."""
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
        total.update(os.fsencode(path) + b"\0" + digest.encode() + b"\0")
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


@lru_cache(maxsize=1 << 16)
def _spellings(word: str) -> frozenset[int]:
    """The hashes of ``spellings(word)``: two words are near in the index when these meet."""
    return frozenset(_hash(v) for v in spellings(word))


_SOUNDS = (("ph", "f"), ("ck", "k"), ("x", "ks"), ("c", "k"), ("q", "k"), ("z", "s"), ("w", "v"), ("j", "y"))
_VOWELS = str.maketrans("", "", "aeiouy")


def skeleton(word: str) -> str:
    """``word``'s consonants as they sound, without vowels or doubled letters: "mohammed" and "muhamad" are
    "mhmd", "aleksandr" and "alexander" "alksndr" (the first letter is kept, vowel or not)."""
    for written, sound in _SOUNDS:
        word = word.replace(written, sound)
    bare = word[:1] + word[1:].translate(_VOWELS)
    return "".join(c for k, c in enumerate(bare) if k == 0 or c != bare[k - 1])


def spellings(word: str) -> set[str]:
    """What a word is filed under and looked up by: ``variants(word)``, and, for a word whose skeleton keeps three
    letters or more, its ``skeleton`` (marked, so that it meets only skeletons). Two words are near
    when these meet: within one edit, or spelt with other vowels, doubled letters or sounds (a second key
    for names whose every word differs by more than one edit: "Muhamad Abdulah" / "Mohammed Abdullah")."""
    found = variants(word)
    if word.isascii() and word.isalpha():
        bare = skeleton(word)
        if len(bare) >= 3:
            found.add("\0" + bare)
    return found


# --------------------------------------------------------------------------- the file

MAGIC = b"SCRWLIX2"
HEADER = struct.Struct("<8sQQI4x")
"""The magic, where the table of contents starts, its length, and the crc32 of every byte after the header."""


class Unreadable(ValueError):
    """An index file that is not whole: truncated, overwritten, or of another format."""


class _Writer:
    """Arrays written one after another (each at a multiple of 8 bytes) into one file, followed by a table of
    contents (JSON: name -> offset, type code, count, item size); the header, written last, locates it."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "wb")
        self.handle.write(bytes(HEADER.size))
        self.at = HEADER.size
        self.crc = 0
        self.toc: dict[str, list[Any]] = {"byteorder": [sys.byteorder]}

    def _write(self, data: bytes | memoryview) -> None:
        self.handle.write(data)
        self.crc = zlib.crc32(data, self.crc)
        self.at += len(data)

    def add(self, name: str, values: array[int] | bytes) -> None:
        if self.at % 8:
            self._write(bytes(8 - self.at % 8))
        if isinstance(values, array):
            self.toc[name] = [self.at, values.typecode, len(values), values.itemsize]
            self._write(memoryview(values).cast("B"))
        else:
            self.toc[name] = [self.at, "B", len(values), 1]
            self._write(values)

    def close(self) -> None:
        toc = json.dumps(self.toc).encode("utf-8")
        start = self.at
        self._write(toc)
        self.handle.seek(0)
        self.handle.write(HEADER.pack(MAGIC, start, len(toc), self.crc))
        self.handle.close()


class _File:
    """An index file mapped from disk; its arrays are memoryviews over the mapping (read by the pages used)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < HEADER.size:
                raise Unreadable(f"{path}: shorter than its header")
            self.map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        magic, start, length, self.crc = HEADER.unpack_from(self.map, 0)
        if magic != MAGIC or start + length != size:
            raise Unreadable(f"{path}: not a whole index of this format")
        self.end = size
        self.view = memoryview(self.map)
        try:
            toc = json.loads(bytes(self.view[start:size]))
        except ValueError:
            raise Unreadable(f"{path}: unreadable table of contents") from None
        if not isinstance(toc, dict) or toc.get("byteorder") != [sys.byteorder]:
            raise Unreadable(f"{path}: written on another kind of machine")
        for name, spec in toc.items():
            ok = isinstance(spec, list) and len(spec) == 4 and spec[1] in ("B", "i", "q", "I") and name != "byteorder"
            if name != "byteorder" and not (
                ok
                and all(isinstance(n, int) and n >= 0 for n in (spec[0], spec[2]))
                and array(spec[1]).itemsize == spec[3]
                and HEADER.size <= spec[0]
                and spec[0] + spec[2] * spec[3] <= start
            ):
                raise Unreadable(f"{path}: array {name!r} out of place")
        self.toc = toc

    def array(self, name: str) -> memoryview:
        """The array ``name`` (KeyError when the file has none)."""
        offset, code, count, size = self.toc[name]
        part = self.view[offset : offset + count * size]
        return part if code == "B" else part.cast(code)


def _sort_pairs(keys: array[int], values: array[int]) -> tuple[array[int], array[int]]:
    """``keys`` and ``values`` (both below 2**32) sorted by key, then by value; with numpy when it is there."""
    try:
        import numpy as np
    except ImportError:
        pairs = sorted((k << 32) | v for k, v in zip(keys, values, strict=True))
        return array(keys.typecode, (p >> 32 for p in pairs)), array(values.typecode, (p & 0xFFFFFFFF for p in pairs))
    if not keys:
        return array(keys.typecode), array(values.typecode)
    k = np.frombuffer(keys, dtype=np.uint32 if keys.typecode == "I" else np.int32)
    v = np.frombuffer(values, dtype=np.int32)
    order = np.lexsort((v, k))
    return array(keys.typecode, k[order].tobytes()), array(values.typecode, v[order].tobytes())


# --------------------------------------------------------------------------- building


def build(
    entries: Sequence[Any],
    identifiers: dict[str, list[int]],
    key: str,
    names: Any,
    rules: Rules,
    notes: Sequence[tuple[Any, ...]] = (),
) -> DiskIndex | None:
    """Write the index of ``entries`` under ``key``; the index opened, or None when it cannot be written.

    ``names(person)`` yields ``(key, tokens, (entry, name index))`` for the names of one side, as
    ``match`` normalises them. ``notes`` are the warnings of reading the lists, ``(file, line, column, code,
    message)``, kept so that opening the index says them again (``DiskIndex.notes``)."""
    root = cache_dir()
    if root is None:
        return None
    import shutil
    import tempfile

    try:
        (root / "watchlists").mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root / "watchlists", prefix=".build-"))
    except OSError:
        return None
    try:
        writer = _Writer(tmp / FILE)
        blob = bytearray()
        offsets = array("q", [0])
        for entry in entries:
            blob += json.dumps(list(entry), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            offsets.append(len(blob))
        writer.add("entries.blob", bytes(blob))
        del blob
        writer.add("entries.offsets", offsets)
        writer.add("notes.json", json.dumps([list(n) for n in notes], ensure_ascii=False).encode("utf-8"))
        codes, found = array("I"), array("i")
        for code, where in identifiers.items():
            for e in where:
                codes.append(_hash(code))
                found.append(e)
        _add_pairs(writer, "ids", codes, found)
        for person in (True, False):
            _build_side(writer, "person" if person else "other", names(person))
        writer.close()
        final = root / "watchlists" / key
        try:
            os.replace(tmp, final)
        except OSError:  # built meanwhile by another run
            shutil.rmtree(tmp, ignore_errors=True)
        return open_index(key, rules)
    except (OSError, ValueError):
        shutil.rmtree(tmp, ignore_errors=True)
        return None


def _add_pairs(writer: _Writer, stem: str, hashes: array[int], values: array[int]) -> None:
    """Hashes and values, sorted by hash, as ``STEM.hash`` and ``STEM.value``."""
    hashes, values = _sort_pairs(hashes, values)
    writer.add(f"{stem}.hash", hashes)
    writer.add(f"{stem}.value", values)


def _build_side(writer: _Writer, stem: str, names: Iterable[tuple[str, tuple[str, ...], tuple[int, int]]]) -> None:
    blob = bytearray()
    offsets = array("q", [0])
    owners = array("i")
    exact, glued = array("I"), array("I")
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
    writer.add(f"{stem}.keys", bytes(blob))
    writer.add(f"{stem}.offsets", offsets)
    writer.add(f"{stem}.owners", owners)
    # the names of each word, in order (CSR)
    counts = [0] * (len(vocabulary) + 1)
    for w in word_of:
        counts[w + 1] += 1
    starts = array("q", itertools.accumulate(counts))
    writer.add(f"{stem}.postings", _sort_pairs(word_of, name_of)[1])
    writer.add(f"{stem}.starts", starts)
    shared: dict[int, int] = {}  # skeleton key -> words filed under it
    for word in vocabulary:
        for spelling in spellings(word):
            if spelling.startswith("\0"):
                h = _hash(spelling)
                shared[h] = shared.get(h, 0) + 1
    crowded = array("I", sorted(h for h, count in shared.items() if count > SKELETON_CAP))
    writer.add(f"{stem}.crowded", crowded)
    skip = set(crowded)
    near, near_ids = array("I"), array("i")
    for word, w in vocabulary.items():
        for spelling in spellings(word):
            h = _hash(spelling)
            if h not in skip:
                near.append(h)
                near_ids.append(w)
    for part, hashes, ids in (("exact", exact, exact_ids), ("glued", glued, glued_ids), ("near", near, near_ids)):
        _add_pairs(writer, f"{stem}.{part}", hashes, ids)


# --------------------------------------------------------------------------- reading


class _Lookup:
    """Sorted hashes and the values filed under each."""

    def __init__(self, file: _File, stem: str) -> None:
        self.hashes = file.array(f"{stem}.hash")
        self.values = file.array(f"{stem}.value")
        if len(self.hashes) != len(self.values):
            raise Unreadable(f"{stem}: hashes and values differ in number")

    def get(self, h: int) -> list[int]:
        """The values filed under the hash ``h``."""
        hashes = self.hashes
        start = stop = bisect_left(hashes, h)
        while stop < len(hashes) and hashes[stop] == h:
            stop += 1
        return self.values[start:stop].tolist()


class Entries(Sequence[Any]):
    """The list's entries, decoded one at a time as they are asked for."""

    def __init__(self, file: _File, make: Any) -> None:
        self._offsets = file.array("entries.offsets")
        self._blob = file.array("entries.blob")
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
            found = self._kept[i] = self._make(json.loads(bytes(self._blob[self._offsets[i] : self._offsets[i + 1]])))
        return found


class DiskSide:
    """The names of one side (persons, or the others) in an index on disk; the methods of ``_Side``."""

    def __init__(self, file: _File, stem: str, rules: Rules) -> None:
        self.rules = rules
        self.offsets = file.array(f"{stem}.offsets")
        self.owners = file.array(f"{stem}.owners")
        self.blob = file.array(f"{stem}.keys")
        self.exact = _Lookup(file, f"{stem}.exact")
        self.glued = _Lookup(file, f"{stem}.glued")
        self.near = _Lookup(file, f"{stem}.near")
        self.postings = file.array(f"{stem}.postings")
        self.starts = file.array(f"{stem}.starts")
        self.crowded = frozenset(file.array(f"{stem}.crowded").tolist())
        """Skeleton keys shared by more than ``SKELETON_CAP`` words of the list: not filed, not looked up."""
        self._pools: dict[tuple[str, ...], list[int]] = {}
        self.arrays: Any = None
        """The same search over numpy arrays (``listindex_arrays``), for a batch of names."""

    def _key(self, i: int) -> str:
        return str(self.blob[self.offsets[i] : self.offsets[i + 1]], "utf-8")

    def _owner(self, i: int) -> tuple[int, int]:
        return self.owners[2 * i], self.owners[2 * i + 1]

    def find_exact(self, name_key: str) -> list[tuple[int, int]]:
        return [self._owner(i) for i in self.exact.get(_hash(name_key)) if self._key(i) == name_key]

    def find_glued(self, glued: str, single: bool) -> list[tuple[int, int]]:
        if not single:
            return self.find_exact(glued)
        return [self._owner(i) for i in self.glued.get(_hash(glued)) if self._key(i).replace(" ", "") == glued]

    def candidates(self, tokens: Sequence[str]) -> list[int]:
        """Names sharing a near word (within one edit) with two of ``tokens`` (with the one, for one word)."""
        key = tuple(tokens)
        found = self._pools.get(key)
        if found is None:
            if len(self._pools) > 64:  # kept for the fuzzy search and the subset rule of one name
                self._pools.clear()
            found = self._pools[key] = self._candidates(tokens)
        return found

    def spellings(self, word: str) -> frozenset[int]:
        """``_spellings(word)`` as this side files them: without its crowded skeleton keys."""
        found = _spellings(word)
        return found if found.isdisjoint(self.crowded) else found - self.crowded

    def _spans(self, word: str) -> list[tuple[int, int]]:
        """Where the names of each word of the list within one edit of ``word`` (sharing a spelling with a letter
        left out) lie in ``postings``."""
        near, starts = self.near, self.starts
        return [(starts[w], starts[w + 1]) for w in sorted({w for h in self.spellings(word) for w in near.get(h)})]

    def _candidates(self, tokens: Sequence[str]) -> list[int]:
        words = list(dict.fromkeys(tokens))
        if not words:
            return []
        if self.arrays is not None:
            return self.arrays.candidates(words)
        postings = self.postings
        spans = [self._spans(word) for word in words]
        if len(words) == 1:
            return sorted(frozenset().union(*(postings[a:b] for a, b in spans[0])))[:VERIFY_CAP]
        # A candidate holds near words of two of the words searched, so of one at least that is not the most
        # frequent: the names of the others (seeds) are read whole, and paired with each other and with the
        # most frequent word.
        sizes = [sum(b - a for a, b in found) for found in spans]
        order = sorted(range(len(words)), key=sizes.__getitem__)
        seeds = [frozenset().union(*(postings[a:b] for a, b in spans[k])) for k in order[:-1]]
        found: set[int] = set()
        for one, other in itertools.combinations(seeds, 2):
            found |= one & other
        pool = set().union(*seeds) - found
        if sizes[order[-1]] <= 50 * len(pool):  # read whole
            found |= pool.intersection(itertools.chain.from_iterable(postings[a:b] for a, b in spans[order[-1]]))
        elif pool:  # a frequent word: the words of each name in the pool compared with it, as the index would
            wanted = self.spellings(words[order[-1]])
            found.update(i for i in pool if any(wanted & _spellings(t) for t in self._key(i).split()))
        return sorted(found)[:VERIFY_CAP]

    def find_fuzzy(self, name_key: str, tokens: Sequence[str], cutoff: float) -> list[tuple[tuple[int, int], float]]:
        from rapidfuzz import fuzz, process

        _short = self.rules.short
        ids = self.candidates(tokens)
        if ids and name_key.isascii():  # a ratio of ``cutoff`` needs lengths within (2 - c) / c of each other
            c = max(cutoff, 1.0) / 100
            size = len(name_key)
            low, high = size * c / (2 - c) - 1, size * (2 - c) / c + 1
            offsets = self.offsets
            ids = [i for i in ids if low <= offsets[i + 1] - offsets[i] <= high]
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

    def __init__(self, path: Path, rules: Rules) -> None:
        def make(data: list[Any]) -> Any:
            values: list[Any] = [tuple(v) if isinstance(v, list) else v for v in data]
            return rules.entry(*values)

        self.file = _File(path)
        self.entries = Entries(self.file, make)
        self.person = DiskSide(self.file, "person", rules)
        self.other = DiskSide(self.file, "other", rules)
        self._ids = _Lookup(self.file, "ids")
        self.identifiers = self
        self.notes = _notes(json.loads(bytes(self.file.array("notes.json"))))

    def prepare(self, words: dict[bool, list[str]]) -> None:
        """Before a batch of names is searched: from ``BATCH`` words on, and when numpy is installed, search with
        it (``listindex_arrays``; its import costs more than a few names' search) and look all of ``words`` (the
        words of the persons' names searched, and of the others') up at once."""
        if sum(map(len, words.values())) < BATCH:
            return
        if self.person.arrays is None:
            try:
                from screening.case.listindex_arrays import Arrays
            except ImportError:
                return
            for side in (self.person, self.other):
                side.arrays = Arrays(side, side.spellings, VERIFY_CAP)
        self.person.arrays.prefetch(words.get(True, ()))
        self.other.arrays.prefetch(words.get(False, ()))

    def get(self, code: str, default: Any = ()) -> list[int]:
        """Entries having the identifier ``code`` (the ``identifiers`` mapping of ``_Index``)."""
        return [e for e in self._ids.get(_hash(code)) if code in self.entries[e].identifiers]


def _notes(data: Any) -> list[tuple[str, int | None, int | None, str, str]]:
    """The warnings kept with an index, checked for their shape (ValueError when one is not a note)."""
    out = []
    for note in data if isinstance(data, list) else [None]:
        if not (
            isinstance(note, list)
            and len(note) == 5
            and isinstance(note[0], str)
            and all(n is None or (isinstance(n, int) and not isinstance(n, bool)) for n in note[1:3])
            and isinstance(note[3], str)
            and isinstance(note[4], str)
        ):
            raise ValueError(f"a note kept with the index is not (file, line, column, code, message): {note!r:.80}")
        out.append((note[0], note[1], note[2], note[3], note[4]))
    return out


FILE = "index.bin"
"""The index's file in its folder of the cache."""


def open_index(key: str, rules: Rules) -> DiskIndex | None:
    """The index kept under ``key``, or None when there is none (or no cache).

    Raises ``Unreadable`` when the index is there but not whole: truncated, or its bytes changed since it was
    written (its crc32 is checked once after each change of the file, ``_verified``)."""
    root = cache_dir()
    if root is None:
        return None
    path = root / "watchlists" / key / FILE
    if not path.is_file():
        return None
    try:
        index = DiskIndex(path, rules)
        _verified(index.file, path)
    except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
        raise Unreadable(str(exc) if isinstance(exc, Unreadable) else f"{path}: {exc}") from None
    return index


def _verified(file: _File, path: Path) -> None:
    """Check ``file``'s crc32 unless it was checked since the file last changed (``verified.json`` beside it keeps
    its device, inode, size and change times then): reading a whole index costs about a second per GB."""
    st = os.stat(path)
    stamp = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    record = path.parent / "verified.json"
    try:
        if json.loads(record.read_text("utf-8")) == stamp:
            return
    except (OSError, ValueError):
        pass
    if zlib.crc32(file.view[HEADER.size : file.end]) != file.crc:
        raise Unreadable(f"{path}: its checksum differs from the one written with it")
    _write_json(record, stamp)


def discard(key: str) -> None:
    """Remove the index kept under ``key`` (found damaged), so that it can be built again."""
    import shutil

    root = cache_dir()
    if root is not None:
        shutil.rmtree(root / "watchlists" / key, ignore_errors=True)
