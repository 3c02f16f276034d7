"""The candidate search of a kept watchlist index (``screening.case.listindex``) over numpy arrays, for batches.

A batch of names looks up thousands of words; numpy gathers the names of all the near words of one word in a
few calls instead of one Python step per word, and the names of each word searched are kept for the batch
(frequent words come back). Importing numpy costs about 0.1 s, so ``screen`` with a few names keeps to the
standard library; the two searches find the same candidates (tests/test_watchlist_index.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

CHUNK = 1_000
"""Words searched at once."""
FREQUENT = 5_000
"""Words held by more names are not read whole unless they must be: their names are checked the other way."""
READ_WHOLE = 200
"""The most frequent word searched is read whole (and kept) when it holds at most this many names per name to
check against it; above, the words of each name are compared with it (about 10 µs a name)."""
KEPT = 16_000_000
"""Names kept for the words met in a batch, at most (64 MB)."""


def _gather(values: Any, starts: Any, stops: Any) -> Any:
    """``values[starts[0]:stops[0]]``, ``values[starts[1]:stops[1]]``, ... joined, without a Python loop."""
    lengths = stops - starts
    total = int(lengths.sum())
    if not total:
        return values[:0]
    steps = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return values[steps + np.arange(total)]


def _unique(values: Any, ordered: bool = False) -> Any:
    """``values`` sorted, each once (``np.unique`` without its hash table, which costs more on these sizes)."""
    if not ordered:
        values = np.sort(values)
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


class Arrays:
    """The near words and the names of one side of an index (``listindex.DiskSide``), as numpy arrays over the
    mapped file."""

    def __init__(self, side: Any, spellings: Any, cap: int) -> None:
        self.side = side
        self.hashes = np.frombuffer(side.near.hashes, dtype=np.uint32)
        self.words = np.frombuffer(side.near.values, dtype=np.int32)
        self.starts = np.frombuffer(side.starts, dtype=np.int64)
        self.postings = np.frombuffer(side.postings, dtype=np.int32)
        self.spellings = spellings
        self.cap = cap
        self._near: dict[str, tuple[Any, int]] = {}
        self._held: dict[str, Any] = {}
        self._kept = 0

    def prefetch(self, words: Iterable[str]) -> None:
        """Look ``words`` up in a few array operations for all of them: their near words, and the names of those
        held by at most ``FREQUENT`` names. What was kept for the words before is forgotten past ``KEPT`` names."""
        if self._kept > KEPT or len(self._near) > KEPT // 100:
            self._held.clear()
            self._near.clear()
            self._kept = 0
        todo = [w for w in dict.fromkeys(words) if w not in self._near]
        for at in range(0, len(todo), CHUNK):
            self._fetch(todo[at : at + CHUNK])

    def _fetch(self, chunk: list[str]) -> None:
        spelt = [(k, h) for k, word in enumerate(chunk) for h in self.spellings(word)]
        whose = np.fromiter((k for k, _ in spelt), dtype=np.int64, count=len(spelt))
        wanted = np.fromiter((h for _, h in spelt), dtype=np.uint32, count=len(spelt))
        starts = self.hashes.searchsorted(wanted, side="left")
        stops = self.hashes.searchsorted(wanted, side="right")
        # (word searched, near word of the list), each pair once
        pairs = _unique((np.repeat(whose, stops - starts) << 32) | _gather(self.words, starts, stops))
        whose, near = pairs >> 32, pairs & 0xFFFFFFFF
        sizes = self.starts[near + 1] - self.starts[near]
        bounds = np.searchsorted(whose, np.arange(len(chunk) + 1)).tolist()
        totals = np.concatenate([[0], np.cumsum(sizes)])[bounds]
        small = []
        for k, word in enumerate(chunk):
            size = int(totals[k + 1] - totals[k])
            self._near[word] = (near[bounds[k] : bounds[k + 1]], size)
            if size <= FREQUENT:
                small.append(word)
        self._read(small)

    def _read(self, words: list[str]) -> None:
        """Read the names of ``words``, whose near words are known, together."""
        if not words:
            return
        spans = [self._near[word][0] for word in words]
        near = np.concatenate(spans)
        whose = np.repeat(np.arange(len(words), dtype=np.int64), [span.size for span in spans])
        starts, stops = self.starts[near], self.starts[near + 1]
        # (word searched, name holding a near word), each pair once, in order
        pairs = _unique((np.repeat(whose, stops - starts) << 32) | _gather(self.postings, starts, stops))
        names = (pairs & 0xFFFFFFFF).astype(np.int32)
        bounds = np.searchsorted(pairs >> 32, np.arange(len(words) + 1)).tolist()
        for k, word in enumerate(words):
            self._held[word] = names[bounds[k] : bounds[k + 1]]
        self._kept += names.size

    def names(self, word: str) -> Any:
        """The names holding a word within one edit of ``word``: sorted, each once."""
        if word not in self._near:
            self._fetch([word])
        if word not in self._held:
            self._read([word])
        return self._held[word]

    def candidates(self, words: Sequence[str]) -> list[int]:
        """Names holding near words of two of ``words`` (of the one, for one word), as ``DiskSide.candidates``."""
        if len(words) == 1:
            return list(self.names(words[0])[: self.cap].tolist())
        for word in words:
            if word not in self._near:
                self._fetch([word])
        order = sorted(words, key=lambda word: self._near[word][1])
        seeds = [self.names(word) for word in order[:-1]]
        last = order[-1]
        if len(seeds) == 1:
            pool, found = seeds[0], seeds[0][:0]
        else:  # the names in two seeds or more are found; those in one are the pool
            every = np.sort(np.concatenate(seeds))
            same = every[1:] == every[:-1]
            found = _unique(every[1:][same], ordered=True)
            once = np.ones(every.size, dtype=bool)
            once[1:] &= ~same
            once[:-1] &= ~same
            pool = every[once]
        if not pool.size:
            return list(found[: self.cap].tolist())
        if last in self._held or self._near[last][1] <= READ_WHOLE * pool.size:
            held = self.names(last)
            if not held.size:
                return list(found[: self.cap].tolist())
            at = np.minimum(held.searchsorted(pool), held.size - 1)
            both = pool[held[at] == pool]
            if not found.size:  # one seed: already in order
                return list(both[: self.cap].tolist())
            found = np.concatenate([found, both])
        else:  # a frequent word: the words of each name in the pool compared with it, as the index would
            wanted = self.spellings(last)
            key, spellings = self.side._key, self.spellings
            more = [i for i in pool.tolist() if any(wanted & spellings(t) for t in key(i).split())]
            found = np.concatenate([found, np.asarray(more, dtype=found.dtype)])
        return list(np.sort(found)[: self.cap].tolist())
