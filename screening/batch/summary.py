"""The end-of-run summary: counts per level, the highest scores, errors, time and rate (screening.report.summary
writes it)."""

from __future__ import annotations

import heapq
import re
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import IO, NamedTuple

from screening.batch.outputs import one_line

TOP = 10
FIRST_ERRORS = 5
FIRST_DUPLICATES = 5


class Summary(NamedTuple):
    """What a batch run did (rows resumed from an earlier run included)."""

    cases: int
    levels: dict[str, int]
    top: list[tuple[float, str, str, str]]
    """Highest scores first: (score, id, level, source)."""
    errors: int
    first_errors: list[tuple[str, str]]
    """(source, message) of the first errors."""
    resumed: int
    """Rows found in the results from an earlier run and not screened again."""
    elapsed: float
    """Seconds this run took."""
    duplicates: int = 0
    """Case ids given to more than one row."""
    first_duplicates: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(id, sources of its rows) of the first ids given more than once."""
    level_order: tuple[str, ...] = ()
    """The pack's levels, in rising order."""
    error_groups: tuple[tuple[str, str, int, str], ...] = ()
    """The errors grouped by problem code and input column, most rows first: (code, column or "", rows, the
    first row's error)."""

    @property
    def screened(self) -> int:
        """Rows this run produced."""
        return self.cases - self.resumed

    @property
    def rate(self) -> float:
        """Rows this run produced per second."""
        return self.screened / self.elapsed if self.elapsed > 0 else 0.0


class Hashes:
    """The hashes of the ids of the rows, to find those seen more than once, in memory that does not grow with
    the rows: the last ``run`` hashes are held (8 bytes each); each run, once full, is sorted and written to a
    temporary file; at the end the sorted runs are merged, each read a block at a time (``blocks`` entries in
    all). A hash seen twice may be two ids that share it: ``Tally.find_duplicates`` tells them apart."""

    def __init__(self, run: int = 1 << 15, blocks: int = 1 << 16) -> None:
        self.size, self.blocks = run, blocks
        self.run = array("q")
        self.runs: list[int] = []
        """The length of each sorted run written to the file, in order."""
        self.file: IO[bytes] | None = None

    def __len__(self) -> int:
        return sum(self.runs) + len(self.run)

    def append(self, value: int) -> None:
        self.run.append(value)
        if len(self.run) >= self.size:
            self._spill()

    def _spill(self) -> None:
        if self.file is None:
            import tempfile

            self.file = tempfile.TemporaryFile()
        self.file.seek(0, 2)
        array("q", sorted(self.run)).tofile(self.file)
        self.runs.append(len(self.run))
        self.run = array("q")

    def repeated(self) -> set[int]:
        """The hashes seen more than once."""
        if not self.runs:
            ordered: Iterable[int] = sorted(self.run)
        else:
            if self.run:
                self._spill()
            block = max(64, self.blocks // len(self.runs))
            starts = list(accumulate(self.runs, initial=0))
            ordered = heapq.merge(*(self._read(at, n, block) for at, n in zip(starts, self.runs, strict=False)))
        found: set[int] = set()
        last = None
        for value in ordered:
            if value == last:
                found.add(value)
            last = value
        return found

    def _read(self, at: int, n: int, block: int) -> Iterator[int]:
        """The ``n`` hashes of a run that starts at entry ``at`` of the file, read ``block`` at a time."""
        assert self.file is not None
        end = at + n
        while at < end:
            chunk = array("q")
            self.file.seek(at * chunk.itemsize)
            chunk.fromfile(self.file, min(block, end - at))
            at += len(chunk)
            yield from chunk

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class Tally:
    """Adds up rows as they are written; holds counts, the top scores, the first errors, and the hash of each
    row's id (``Hashes``: in bounded memory) to find the ids given to more than one row."""

    def __init__(self) -> None:
        self.cases = self.errors = self.resumed = 0
        self.levels: dict[str, int] = {}
        self.top: list[tuple[float, int, str, str, str]] = []
        self.first_errors: list[tuple[str, str]] = []
        self.hashes = Hashes()
        self.duplicates: tuple[tuple[str, tuple[str, ...]], ...] = ()
        self.duplicated = 0
        self.groups: dict[tuple[str, str], int] = {}
        self.examples: dict[tuple[str, str], str] = {}

    def add(
        self, id: str, source: str, score: float | None, level: str | None, error: str, resumed: bool = False
    ) -> None:
        """Count one row."""
        self.cases += 1
        self.resumed += resumed
        if id:
            self.hashes.append(_key(id))
        if error:
            self.errors += 1
            if len(self.first_errors) < FIRST_ERRORS:
                self.first_errors.append((source, error))
            key = error_key(error)
            self.groups[key] = self.groups.get(key, 0) + 1
            self.examples.setdefault(key, error)
            return
        if level is not None:
            self.levels[level] = self.levels.get(level, 0) + 1
        if score is not None:
            entry = (score, -self.cases, id, level or "", source)  # ties: the earlier row ranks higher
            if len(self.top) < TOP:
                heapq.heappush(self.top, entry)
            else:
                heapq.heappushpop(self.top, entry)

    def repeated(self) -> set[int]:
        """Hashes of ids seen more than once (an id, or ids that share a hash: ``find_duplicates`` tells)."""
        return self.hashes.repeated()

    def find_duplicates(self, rows: Iterable[tuple[str, str]]) -> None:
        """Name the ids given to more than one row, reading the rows (id, source) back once, if any may be: the ids
        themselves are compared, so two ids that share a hash are not taken for one."""
        try:
            suspects = self.repeated()
        finally:
            self.hashes.close()
        if not suspects:
            return
        sources: dict[str, list[str]] = {}
        for id, source in rows:
            if id and _key(id) in suspects:
                sources.setdefault(id, []).append(source)
        found = [(id, tuple(where)) for id, where in sources.items() if len(where) > 1]
        self.duplicated = len(found)
        self.duplicates = tuple(found[:FIRST_DUPLICATES])

    def summary(self, elapsed: float, levels: Iterable[str] = ()) -> Summary:
        """The summary so far; ``levels`` are the pack's, in rising order."""
        top = [(s, i, lv, src) for s, _, i, lv, src in sorted(self.top, reverse=True)]
        return Summary(
            self.cases,
            dict(self.levels),
            top,
            self.errors,
            list(self.first_errors),
            self.resumed,
            elapsed,
            self.duplicated,
            self.duplicates,
            tuple(levels),
            tuple(
                (key[0], key[1], n, self.examples[key]) for key, n in sorted(self.groups.items(), key=lambda kv: -kv[1])
            ),
        )


_CODE = re.compile(r"\[([EW]\d{3}) [a-z-]+\]")
_COLUMN = re.compile(r"\(column '(.*?)'\)")


def error_key(error: str) -> tuple[str, str]:
    """(problem code, input column) of a row's first error, as its text gives them; ("", "") when it has none
    (an internal error), and "" for the column of an error about no column."""
    first = first_problem(error)
    code = _CODE.search(first)
    column = _COLUMN.search(first)
    return (code.group(1) if code else "", column.group(1) if column else "")


def _key(id: str) -> int:
    """The hash an id is compared by: of its text on one line, as a CSV result holds it."""
    return hash(one_line(id))


def first_problem(error: str) -> str:
    """The first problem of a row's error text (its problems are joined by ``; ``, each ending ``[CODE name]``)."""
    head, sep, _ = error.partition("]; ")
    return head + "]" if sep else error
