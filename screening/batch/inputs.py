"""Batch inputs: YAML files and directories, JSON Lines, CSV and Parquet, streamed as raw items in order."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from screening.batch.mapping import Mapping
from screening.infra.errors import Problem, ScreeningError, fail
from screening.infra.files import open_input
from screening.infra.yamlio import limits

KINDS = {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
"""Input kind by file extension; a directory holds case YAML files."""


class Input(NamedTuple):
    """One input named on the command line, classified."""

    path: Path
    kind: str
    """``dir``, ``yaml``, ``jsonl``, ``csv`` or ``parquet``."""


class Item(NamedTuple):
    """One case to screen, still unparsed: parsing happens where the case is screened (in a worker)."""

    kind: str
    """``yaml`` (payload: the file path), ``json`` (a case document as a JSON line), ``jsonrow`` (a flat
    row as a JSON line), ``csv`` ((header, cells)) or ``parquet`` ((column positions, row dict)); for a case
    that could not be read, the payload is an ``Unreadable``, and for YAML sent with its text an ``Inline``."""
    file: str
    line: int | None
    """Line of a JSON Lines or CSV file, or row number (from 1) of a Parquet file; None for a YAML file."""
    payload: Any

    @property
    def source(self) -> str:
        """The locator written in the results: ``deals.csv:17`` or ``cases/x.yaml``."""
        return self.file if self.line is None else f"{self.file}:{self.line}"


def scan(paths: list[Path], mapping: Mapping | None) -> list[Input]:
    """Classify every input and check it can be read (CSV and Parquet headers against the mapping).

    Raises ScreeningError (exit 2) naming each unusable input, before anything is screened.
    """
    inputs, problems = [], []
    for path in paths:
        name = str(path)
        unnamed = _not_utf8_name(path)
        if unnamed is not None:
            problems.append(unnamed)
        elif path.is_dir():
            inputs.append(Input(path, "dir"))
            continue
        kind = KINDS.get(path.suffix.lower())
        try:  # a FIFO or a device (say a link to /dev/zero) would block or never end: refused unread
            open_input(path).close()
        except ScreeningError as exc:
            problems += exc.problems
            continue
        if kind is None:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "E001",
                    f"unknown input type '{path.suffix}'; expected "
                    "a directory of cases or a .yaml, .yml, .jsonl, .csv or .parquet file",
                )
            )
        elif kind in ("csv", "parquet") and mapping is None:
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "E001",
                    f"a {kind.upper()} input needs --mapping to say which column gives which case field",
                )
            )
        else:
            if mapping is not None and kind in ("csv", "parquet"):
                problems += _missing_columns(path, kind, mapping)
            inputs.append(Input(path, kind))
    if problems:
        raise ScreeningError(problems)
    return inputs


_SEPARATORS = {";": ("';'", "';'"), "\t": ("a tab", '"\\t"'), "|": ("'|'", "'|'"), ",": ("','", "','")}
"""Characters a CSV file may be separated by: how a message names each, and how a mapping writes it."""


def _missing_columns(path: Path, kind: str, mapping: Mapping) -> list[Problem]:
    header = csv_header(path, mapping) if kind == "csv" else parquet_columns(path)
    missing = [c for c in mapping.columns if c not in header]
    where = "header" if kind == "csv" else "file's columns"
    if kind == "csv" and missing and len(header) == 1:
        other = next((d for d in _SEPARATORS if d != mapping.delimiter and d in header[0]), None)
        if other is not None:  # a file separated by another character: one problem that says so, not one a column
            shown, written = _SEPARATORS[other]
            return [
                Problem(
                    str(path),
                    1,
                    None,
                    "E105",
                    f"the header is read as one column ('{header[0][:60]}{'...' if len(header[0]) > 60 else ''}'),"
                    f" so no column named by {mapping.file} is found: the file looks separated by {shown}; add"
                    f" delimiter: {written} to the mapping",
                )
            ]
    return [
        Problem(
            str(path),
            1 if kind == "csv" else None,
            None,
            "E105",
            f"column '{c}' named by {mapping.file} is not in the {where}{_hint(c, header)}",
        )
        for c in missing
    ]


def _hint(column: str, header: tuple[str, ...]) -> str:
    """A did-you-mean over the header: the closest name, compared without case and spacing first."""
    from screening.infra.errors import closest

    def squeeze(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())

    same = [h for h in header if squeeze(h) == squeeze(column)]
    hint = same[0] if same else closest(column, list(header), 0.6)
    return f"; did you mean '{hint}'?" if hint else ""


def csv_header(path: Path, mapping: Mapping | None = None) -> tuple[str, ...]:
    """The column names of a CSV file's first line, read with the mapping's delimiter and encoding."""
    delimiter, encoding = (mapping.delimiter, mapping.encoding) if mapping else (",", "utf-8-sig")
    try:  # surrogateescape: text is decoded a block at a time, and a later row's bad byte is that row's problem
        with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
            header = [h.strip() for h in next(csv.reader(handle, delimiter=delimiter), [])]
    except (OSError, csv.Error, UnicodeError) as exc:
        raise fail(str(path), "E001", f"cannot read the CSV header: {exc}") from None
    bad = _undecodable(str(path), 1, header, mapping.encoding_label if mapping else "UTF-8")
    if bad is not None:
        raise ScreeningError([bad])
    return tuple(header)


def parquet_columns(path: Path) -> tuple[str, ...]:
    """The column names of a Parquet file (from its footer; no row is read)."""
    import pyarrow.parquet as pq

    try:
        return tuple(pq.ParquetFile(path).schema_arrow.names)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise fail(str(path), "E001", f"cannot read as Parquet: {exc}") from None


def inline(item: Item) -> Item:
    """The item with its case's text instead of a path to it, for workers that do not share the client's files."""
    if item.kind != "yaml" or not isinstance(item.payload, str):
        return item
    from screening.infra.yamlio import read_text

    try:
        return item._replace(payload=Inline(read_text(Path(item.payload))))
    except ScreeningError as exc:
        return item._replace(payload=Unreadable(tuple(exc.problems)))


def items(inputs: list[Input], mapping: Mapping | None) -> Iterator[Item]:
    """Every case of every input, in order, unparsed; memory stays flat whatever the input size."""
    for source in inputs:
        if source.kind == "dir":
            for path in yaml_files(source.path):
                unnamed = _not_utf8_name(path)
                yield (
                    Item("yaml", str(path), None, str(path))
                    if unnamed is None
                    else Item("yaml", unnamed.file, None, Unreadable((unnamed,)))
                )
        elif source.kind == "yaml":
            yield Item("yaml", str(source.path), None, str(source.path))
        elif source.kind == "jsonl":
            yield from _jsonl(source.path, "jsonrow" if mapping is not None else "json")
        elif source.kind == "csv":
            assert mapping is not None  # scan refuses a CSV input without one
            yield from _csv(source.path, mapping.delimiter, mapping.encoding, mapping.encoding_label)
        else:
            yield from _parquet(source.path, mapping)


def _not_utf8_name(path: Path) -> Problem | None:
    """E002 for a file whose name is not UTF-8 (the results could not name it), the name shown with the bytes
    that are not UTF-8 escaped (``caf\\xe9.yaml``); None for any other name."""
    name = str(path)
    try:
        name.encode("utf-8")
        return None
    except UnicodeEncodeError:
        shown = os.fsencode(name).decode("utf-8", "backslashreplace")
    return Problem(
        shown, None, None, "E002", "the file name is not valid UTF-8, so the results could not name it; rename the file"
    )


def yaml_files(directory: Path) -> list[Path]:
    """The case files under ``directory`` (``*.yaml``, ``*.yml``, recursively), sorted."""
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file())


class Unreadable(NamedTuple):
    """The payload of a case that could not be read (a JSON line over the size limit, a bad CSV row, a YAML
    file read for a remote worker that is too large or not UTF-8): the case fails its own row with these
    problems, and the batch goes on."""

    problems: tuple[Problem, ...]


class Inline(NamedTuple):
    """The payload of a YAML case sent with its text, for workers that cannot read the client's files."""

    text: str


def _jsonl(path: Path, kind: str) -> Iterator[Item]:
    """Each non-blank line, decoded on its own: a line that is not UTF-8 fails its own row (E002, at the byte)."""
    name = str(path)
    limit = limits().max_bytes  # a line is a document: it may be as large as a case file
    try:
        with path.open("rb") as handle:
            number = 0
            while raw := handle.readline(limit + 1):
                number += 1
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                if len(raw) > limit and not raw.endswith(b"\n"):
                    size = len(raw)
                    while rest := handle.readline(1 << 20):
                        size += len(rest)
                        if rest.endswith(b"\n"):
                            break
                    yield Item(
                        kind,
                        name,
                        number,
                        Unreadable(
                            (
                                Problem(
                                    name,
                                    number,
                                    1,
                                    "E111",
                                    f"line of {size:,} bytes is longer than the limit of {limit:,} "
                                    "(SCREENING_MAX_BYTES)",
                                ),
                            )
                        ),
                    )
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield Item(kind, name, number, Unreadable((_not_utf8(name, number, raw, exc.start),)))
                    continue
                if line.strip():
                    yield Item(kind, name, number, line)
    except OSError as exc:
        raise fail(name, "E001", f"cannot read file: {exc.strerror}") from None


def _not_utf8(name: str, line: int, raw: bytes, at: int) -> Problem:
    """E002 at the first byte that is not UTF-8 in a line (``raw``, its bytes)."""
    column = len(raw[:at].decode("utf-8", "replace")) + 1
    return Problem(name, line, column, "E002", f"not valid UTF-8 (byte 0x{raw[at]:02x}); save the file as UTF-8")


def _csv(path: Path, delimiter: str = ",", encoding: str = "utf-8-sig", label: str = "UTF-8") -> Iterator[Item]:
    """Each row; a row the csv module cannot read, or holding bytes that are not text in ``encoding`` (named
    ``label`` in messages), fails its own row."""
    name = str(path)
    try:
        # surrogateescape: a byte that is not text in the encoding becomes a lone surrogate, found in its row
        with path.open(encoding=encoding, errors="surrogateescape", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = tuple(h.strip() for h in next(reader, []))
            start = reader.line_num + 1
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:  # one bad row (a cell over the csv module's field limit, a NUL byte)
                    if reader.line_num < start:  # nothing read: the file cannot go on
                        raise
                    problem = Problem(name, start, 1, "E100", f"invalid CSV: {exc}")
                    yield Item("csv", name, start, Unreadable((problem,)))
                    start = reader.line_num + 1
                    continue
                if cells:  # a blank line is no row
                    bad = _undecodable(name, start, cells, label)
                    yield Item("csv", name, start, (header, cells) if bad is None else Unreadable((bad,)))
                start = reader.line_num + 1
    except csv.Error as exc:
        raise fail(name, "E100", f"invalid CSV: {exc}", reader.line_num) from None
    except UnicodeError as exc:  # a codec that cannot escape a byte (UTF-16's odd length)
        raise fail(name, "E002", f"not valid {label}: {exc}") from None
    except OSError as exc:
        raise fail(name, "E001", f"cannot read file: {exc.strerror}") from None


def _undecodable(name: str, line: int, cells: list[str], label: str = "UTF-8") -> Problem | None:
    """E002 at the first byte of a row that was not text in its encoding (``label``), if any (its column counted
    as if no cell were quoted)."""
    try:
        "".join(cells).encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    column = 1
    for cell in cells:
        for i, char in enumerate(cell):
            if "\udc80" <= char <= "\udcff":
                advice = (
                    "save the file as UTF-8, or name its encoding in the mapping (encoding: cp1252, say)"
                    if label == "UTF-8"
                    else "check the mapping's encoding"
                )
                return Problem(
                    name, line, column + i, "E002", f"not valid {label} (byte 0x{ord(char) - 0xDC00:02x}); {advice}"
                )
        column += len(cell) + 1
    return None


def _parquet(path: Path, mapping: Mapping | None) -> Iterator[Item]:
    """Rows of a Parquet file, read one batch at a time (never the whole table), mapped columns only.

    A row group whose data cannot be read (a damaged page) fails its rows, each located, and the next
    row group is read: the rows of the file keep their numbers, and the batch goes on.
    """
    import pyarrow.parquet as pq

    assert mapping is not None
    name = str(path)
    handle = pq.ParquetFile(path)
    names = handle.schema_arrow.names
    columns = [c for c in mapping.columns if c in names]
    positions = {c: names.index(c) + 1 for c in columns}
    number = 0
    for group in range(handle.metadata.num_row_groups):
        first, size = number + 1, handle.metadata.row_group(group).num_rows
        try:
            for batch in handle.iter_batches(batch_size=2048, columns=columns, row_groups=[group]):
                for row in batch.to_pylist():
                    number += 1
                    yield Item("parquet", name, number, (positions, row))
        except Exception as exc:  # pyarrow raises OSError, ArrowInvalid, UnicodeDecodeError ... for damaged data
            reason = " ".join(str(exc).split()) or type(exc).__name__
            problem = (
                f"invalid Parquet: rows {first:,} to {first + size - 1:,} (row group {group + 1}) cannot be "
                f"read: {reason}"
            )
            while number < first + size - 1:
                number += 1
                yield Item("parquet", name, number, Unreadable((Problem(name, number, None, "E100", problem),)))


def count(inputs: list[Input]) -> int:
    """How many items the inputs hold, counted cheaply (for a progress bar's ETA)."""
    total = 0
    for source in inputs:
        if source.kind == "dir":
            total += len(yaml_files(source.path))
        elif source.kind == "yaml":
            total += 1
        elif source.kind == "parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(source.path).metadata.num_rows
        else:
            with source.path.open("rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            total += max(0, lines - (1 if source.kind == "csv" else 0))
    return total
