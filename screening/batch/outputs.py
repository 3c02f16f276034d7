"""Result files (JSON Lines, CSV, Parquet), appended row by row so that a killed run can be resumed.

Each row is one complete line, written with one system call: a run killed at any moment leaves whole
rows and at most one partial last line, which ``--resume`` drops. Parquet cannot be appended to, so its
rows go to a JSON Lines journal beside it, turned into the Parquet file (atomically) at the end.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from screening.batch.lock import acquire, release
from screening.batch.prior import Prior, read_rows, safe_cell
from screening.infra.errors import fail
from screening.infra.output import destination

FORMATS = (".jsonl", ".csv", ".parquet")


def journal_of(path: Path) -> Path:
    """Where the rows of a Parquet output wait until the run ends."""
    return path.with_name(path.name + ".journal.jsonl")


def columns(categories: list[str], regimes: Sequence[str] = (), keep: Sequence[str] = ()) -> list[str]:
    """The flat columns of CSV and Parquet results: the columns kept from the input, per-category scores in
    pack order, then the filing answer of each regime (empty when the regime does not reach the case)."""
    return [
        "id",
        "source",
        *keep,
        "title",
        "investor_country",
        "score",
        "level",
        "level_rank",
        *(f"cat.{c}" for c in categories),
        "fired",
        "gaps",
        *(f"filing.{r}" for r in regimes),
        "hits",
        "notes",
        "error",
    ]


RESERVED = frozenset(columns([], [])) | {"kept", "categories", "filings"}
"""Names a kept column cannot take: the results' own (``cat.*`` and ``filing.*`` too)."""


def one_line(text: str) -> str:
    """One-line text: a CSV row must stay one line for resuming to find whole rows."""
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text


def _number(value: float | None) -> str:
    """A score as every report writes it: ``66``, ``12.5`` (never ``66.0``)."""
    from screening.infra.text import num

    return "" if value is None else num(value)


class Writer:
    """Appends result rows to ``path``, one line per row, in the format its extension names.

    The results are locked for the run (screening.batch.lock) before they are looked at. A symbolic link is
    written through to its target; a character device or a FIFO is written directly, as a stream (no lock,
    no resume, no Parquet).
    """

    def __init__(
        self,
        path: Path,
        categories: list[str],
        resume: bool = False,
        force: bool = False,
        regimes: Sequence[str] = (),
        levels: Sequence[str] = (),
        keep: Sequence[str] = (),
        excel: bool = False,
    ) -> None:
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise fail(
                str(path), "E001", f"unknown results format '{path.suffix}'; name the output .jsonl, .csv or .parquet"
            )
        where = destination(path)
        self.named, self.path, self.stream, self.note = str(path), where.path, where.stream, where.note
        self.fd = where.fd
        self.format, self.categories, self.regimes, self.levels = suffix, categories, list(regimes), list(levels)
        self.lines = journal_of(self.path) if suffix == ".parquet" else self.path
        self.keep = list(keep)
        if excel and suffix != ".csv":
            raise fail(str(path), "E001", "--excel writes CSV results: name the output .csv")
        self.header = ""
        if suffix == ".csv":  # a byte order mark tells Excel the file is UTF-8 (it reads ANSI otherwise)
            # a kept column is named by the input's header: its name is a cell like any other
            self.header = ("\ufeff" if excel else "") + _csv_line([safe_cell(one_line(c)) for c in self.columns])
        self.lock: int | None = None
        if self.stream:
            self._open_stream(resume)
            return
        self.lock = acquire(self.path, self.named)
        try:
            self._open(resume, force)
        except BaseException:
            release(self.path, self.lock)
            raise

    def _open(self, resume: bool, force: bool) -> None:
        existing = [p for p in dict.fromkeys((self.path, self.lines)) if p.exists()]
        if existing and not resume and not force:
            raise fail(
                str(existing[-1]),
                "E001",
                "results already exist; add --resume to continue them or --force to start again",
            )
        if force and not resume:
            for p in existing:
                p.unlink()
        if resume and self.format == ".parquet" and self.path.exists() and not self.lines.exists():
            raise fail(
                self.named,
                "E001",
                "this Parquet file is complete (no journal beside it); there is "
                "nothing to resume: use --force to start again",
            )
        _drop_partial_line(self.lines)
        try:
            self.handle = open(self.lines, "ab", buffering=0)  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise fail(str(self.lines), "E401", f"cannot write results: {exc.strerror}") from None
        if self.header:
            self._check_header()

    def _open_stream(self, resume: bool) -> None:
        if self.format == ".parquet":
            raise fail(
                self.named,
                "E401",
                f"cannot write Parquet results to {self.path}, which is not a regular "
                "file: they are written at the end, from a journal beside them",
            )
        if resume:
            raise fail(
                self.named, "E401", f"cannot resume: {self.path} is a device or a FIFO, which cannot be read back"
            )
        try:
            if self.fd is not None:  # /dev/stdout: the descriptor itself, as a shell redirection left it
                self.handle = os.fdopen(os.dup(self.fd), "wb", buffering=0)
            else:
                self.handle = open(self.path, "wb", buffering=0)  # noqa: SIM115 - a device or FIFO: nothing is cut
        except OSError as exc:
            raise fail(self.named, "E401", f"cannot write results: {exc.strerror}") from None
        if self.header:
            self._append(self.header.encode())

    def _check_header(self) -> None:
        if self.lines.stat().st_size == 0:
            self._append(self.header.encode())
            return
        with self.lines.open(encoding="utf-8", errors="replace", newline="") as handle:
            first = handle.readline()
        if first != self.header:
            raise fail(
                str(self.lines),
                "E001",
                "the results' columns differ from this run's (another rule pack?); use --force to start again",
                1,
            )

    def prior(self) -> Iterator[Prior]:
        """The rows already written, in order, each checked (read lazily: memory stays flat); none for a
        stream, which cannot be read back."""
        if self.stream:
            return iter(())
        return read_rows(self.lines, self.format == ".csv", self.columns, self.levels)

    @property
    def columns(self) -> list[str]:
        """The flat columns of these results."""
        return columns(self.categories, self.regimes, self.keep)

    def write(self, row: dict[str, Any]) -> None:
        """Append one row (a complete line, one write)."""
        if self.format != ".csv":  # JSON as json.dumps(row, ensure_ascii=False, separators=(",", ":")) writes it
            # (but 1e16 for 1e+16 and 1e-5 for 1e-05: rows hold no such number, rounded to two decimals)
            self._append(_encoder().encode(row) + b"\n")
        else:
            self._append(self.line(row).encode("utf-8"))

    def line(self, row: dict[str, Any]) -> str:
        """The text of one row of CSV, ending with a newline: text cells are neutralised against formulas
        (``safe_cell``); numbers are written as numbers."""
        cats, filings, kept = row["categories"], row.get("filings") or {}, row.get("kept") or {}
        rank = row.get("level_rank")
        return _csv_line(
            [
                safe_cell(one_line(row["id"])),
                safe_cell(one_line(row["source"])),
                *(safe_cell(one_line(kept.get(c, ""))) for c in self.keep),
                safe_cell(one_line(row.get("title", ""))),
                safe_cell(row.get("investor_country", "")),
                _number(row["score"]),
                safe_cell(row["level"] or ""),
                "" if rank is None else str(rank),
                *(_number(cats.get(c)) if cats else "" for c in self.categories),
                safe_cell(" ".join(row["fired"])),
                safe_cell(" ".join(row["gaps"])),
                *(safe_cell(filings.get(r, "")) for r in self.regimes),
                safe_cell(one_line("; ".join(row.get("hits") or ()))),
                safe_cell(one_line("; ".join(row.get("notes") or ()))),
                safe_cell(one_line(row["error"])),
            ]
        )

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                written = self.handle.write(view)
                view = view[written or 0 :]
        except BrokenPipeError:  # the reader of a pipe went away: the caller decides (a CLI stops quietly)
            raise
        except OSError as exc:  # a full disk: the rows written so far are whole, and --resume goes on
            raise fail(self.named, "E401", f"cannot write results: {exc.strerror or exc}") from None

    def close(self, complete: bool) -> None:
        """Flush to disk; when ``complete``, turn a Parquet journal into the Parquet file; unlock."""
        try:
            try:
                if not self.stream:
                    os.fsync(self.handle.fileno())
            finally:
                self.handle.close()
            if complete and self.format == ".parquet":
                from screening.batch.parquet import write_parquet

                write_parquet(self.lines, self.path, self.categories, self.regimes, self.keep)
                self.lines.unlink()
        finally:
            release(self.path, self.lock)


def _csv_line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _drop_partial_line(path: Path) -> None:
    """Cut a last line that a killed run left without its newline."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        end, block = size, 1 << 16
        while end > 0:
            start = max(0, end - block)
            handle.seek(start)
            chunk = handle.read(end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                handle.truncate(start + cut + 1)
                return
            end = start
        handle.truncate(0)


@cache
def _encoder() -> Any:
    """The JSON encoder of rows (msgspec, imported when rows are first written)."""
    import msgspec

    return msgspec.json.Encoder()
