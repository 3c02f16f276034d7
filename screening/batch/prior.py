"""Rows already in the results, read back for ``--resume`` and checked: a row this tool would not have written
(a hand-edited score of ``nan``, a level ``pwned``) stops the resume, located, rather than being trusted."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from screening.infra.errors import ScreeningError, fail

KEYS = (
    "id",
    "source",
    "kept",
    "title",
    "investor_country",
    "score",
    "level",
    "categories",
    "fired",
    "gaps",
    "filings",
    "hits",
    "level_rank",
    "notes",
    "error",
)
"""The keys of a JSON Lines row, in the order they are written."""
OPTIONAL = ("kept", "title", "investor_country", "filings", "hits", "level_rank", "notes")
"""Keys a row may lack: ``kept`` without kept columns; the others in rows of earlier versions."""
_RISKY = ("=", "+", "-", "@", "\t", "\r")


class Prior(NamedTuple):
    """A row already in the output, as --resume reads it back."""

    id: str
    source: str
    score: float | None
    level: str | None
    error: str


def safe_cell(text: str) -> str:
    """A text cell no spreadsheet runs as a formula (OWASP, "CSV injection"): a cell starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return, or with one of ``=+-@`` after blanks, gets a single quote in
    front; so does a cell starting with a quote, so that ``plain_cell`` takes off exactly what was added."""
    first = text[:1]
    if first in _RISKY or first == "'" or (first == " " and text.lstrip(" \t\r")[:1] in _RISKY[:4]):
        return "'" + text
    return text


def plain_cell(text: str) -> str:
    """The text of a cell written by ``safe_cell``."""
    return text[1:] if text[:1] == "'" else text


def read_rows(path: Path, csv_format: bool, columns: Sequence[str], levels: Sequence[str]) -> Iterator[Prior]:
    """The rows of results file ``path``, in order, each checked (lazily: memory stays flat).

    ``columns`` are the CSV columns; ``levels`` the pack's levels. Raises ScreeningError (exit 2) at the first
    row that is not one this tool writes, naming its line and column.
    """
    # surrogateescape: a byte that is not UTF-8 (a hand edit in another encoding) is found in its row, below
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        if csv_format:
            yield from _csv_rows(handle, str(path), columns, levels)
        else:
            yield from _json_rows(handle, str(path), levels)


def _refuse(file: str, number: int, message: str, line: int, column: int) -> ScreeningError:
    return fail(
        file,
        "E106",
        f"cannot resume: result row {number} is not one this tool writes: {message}; correct "
        "or delete it and the rows after it, or start again with --force",
        line,
        column,
    )


def _json_rows(handle: io.TextIOBase, file: str, levels: Sequence[str]) -> Iterator[Prior]:
    from screening.infra.jsonio import loads

    for number, line in enumerate(handle, 1):
        _utf8(file, number, line, line)
        try:
            row = loads(line, file, number)
        except ScreeningError as exc:
            problem = exc.problems[0]
            raise fail(
                file,
                problem.code,
                f"cannot resume: this line is not a result row: {problem.message}",
                problem.line,
                problem.column,
            ) from None
        key, message = _json_fault(row, levels)
        if message:
            at = line.find(f'"{key}"') if key else -1
            raise _refuse(file, number, message, number, at + 1 if at >= 0 else 1)
        yield Prior(row["id"], row["source"], row["score"], row["level"], row["error"])


def _utf8(file: str, line: int, text: str, probe: str) -> None:
    """Refuse (E002, at its column) a line whose ``text`` holds a byte that was not UTF-8; ``probe`` is tried
    first, fast (for a CSV row, its cells; the column is then counted as if no cell were quoted)."""
    try:
        probe.encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    at = next(i for i, c in enumerate(text) if "\udc80" <= c <= "\udcff")
    raise fail(
        file, "E002", f"cannot resume: this line is not UTF-8 (byte 0x{ord(text[at]) - 0xDC00:02x})", line, at + 1
    )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _json_fault(row: Any, levels: Sequence[str]) -> tuple[str, str]:
    """(key, what is wrong) with a JSON Lines row; ("", "") for a good one."""
    if not isinstance(row, dict):
        return "", "not a JSON object"
    for key in KEYS:
        if key not in row and key not in OPTIONAL:
            return "", f"it has no '{key}'"
    for key in row:
        if key not in KEYS:
            return key, f"unknown key '{key}'"
    for key in ("id", "source", "error", "title", "investor_country"):
        if key in row and not isinstance(row[key], str):
            return key, f"{key} is not a text"
    fault = _score_and_level(row["score"], row["level"], levels)
    if fault:
        return fault
    cats = row["categories"]
    if not isinstance(cats, dict) or not all(_number(v) for v in cats.values()):
        return "categories", "categories is not a mapping of category ids to numbers"
    for key in ("fired", "gaps"):
        if not _texts(row[key]):
            return key, f"{key} is not a list of texts"
    kept = row.get("kept", {})
    if not isinstance(kept, dict) or not all(isinstance(v, str) for v in kept.values()):
        return "kept", "kept is not a mapping of column names to texts"
    rank = row.get("level_rank")
    if rank is not None and not (isinstance(rank, int) and not isinstance(rank, bool) and rank >= 1):
        return "level_rank", f"level_rank {rank!r} is not a whole number from 1"
    for key in ("hits", "notes"):
        if not _texts(row.get(key, [])):
            return key, f"{key} is not a list of texts"
    filings = row.get("filings", {})
    if not isinstance(filings, dict) or not all(isinstance(v, str) for v in filings.values()):
        return "filings", "filings is not a mapping of regime ids to texts"
    return "", ""


def _score_and_level(score: Any, level: Any, levels: Sequence[str]) -> tuple[str, str] | None:
    if score is not None and not (_number(score) and 0 <= score <= 100):
        return "score", f"score {score!r} is not a number from 0 to 100"
    if level is not None and (not isinstance(level, str) or (levels and level not in levels)):
        return "level", f"level {level!r} is not one of the pack's ({', '.join(levels)})"
    if (score is None) != (level is None):
        return ("score", "a score without a level") if level is None else ("level", "a level without a score")
    return None


def _csv_rows(handle: io.TextIOBase, file: str, columns: Sequence[str], levels: Sequence[str]) -> Iterator[Prior]:
    reader = csv.reader(handle)
    next(reader, None)  # the header, checked when the results were opened
    number = 0
    try:
        for cells in reader:
            if not cells:
                continue
            number += 1
            _utf8(file, reader.line_num, ",".join(cells), "".join(cells))
            fault, score = _csv_fault(cells, columns, levels)
            if fault:
                index, message = fault
                column = 1 + sum(len(_quoted(c)) + 1 for c in cells[:index])
                raise _refuse(file, number, message, reader.line_num, column)
            level = plain_cell(cells[columns.index("level")]) or None
            yield Prior(plain_cell(cells[0]), plain_cell(cells[1]), score, level, plain_cell(cells[-1]))
    except csv.Error as exc:
        raise fail(file, "E100", f"cannot resume: this line is not a result row: {exc}", reader.line_num) from None


def _quoted(cell: str) -> str:
    """A cell as the csv module writes it among others (an empty cell is nothing, not ``""``)."""
    if not cell:
        return ""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([cell])
    return out.getvalue()


def _csv_fault(
    cells: list[str], columns: Sequence[str], levels: Sequence[str]
) -> tuple[tuple[int, str] | None, float | None]:
    """((cell index, what is wrong) or None, the score) of a CSV row."""
    if len(cells) != len(columns):
        return (min(len(cells), len(columns)), f"it has {len(cells)} cells, the header {len(columns)}"), None
    numbers: dict[int, float | None] = {}
    for index, name in enumerate(columns):
        if name == "score" or name.startswith("cat."):
            text = cells[index]
            try:
                value = float(text) if text else None
            except ValueError:
                value = math.nan
            if value is not None and not math.isfinite(value):
                return (index, f"{name} {text!r} is not a number"), None
            numbers[index] = value
    at, level_at = columns.index("score"), columns.index("level")
    score = numbers[at]
    fault = _score_and_level(score, plain_cell(cells[level_at]) or None, levels)
    if fault:
        return (at if fault[0] == "score" else level_at, fault[1]), None
    return None, score
