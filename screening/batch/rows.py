"""Flat rows (CSV, Parquet, JSON) to case documents through a mapping; a bad cell fails its row only."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping as MappingType
from pathlib import Path
from typing import Any

from screening.batch.mapping import Field, Mapping
from screening.case.load import build_case
from screening.case.model import Case
from screening.case.values import read_bound
from screening.infra.errors import Marks, Problem, ScreeningError

INVESTOR = "investor"
"""Entity id of the investor in a case made from a row (its only entity)."""
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}
_MISSING = object()


def row_id(mapping: Mapping, row: MappingType[str, Any]) -> str:
    """The row's case id as written (empty when the cell is empty)."""
    value = row.get(mapping.id)
    return "" if value is None else str(value).strip()


def case_from_row(
    mapping: Mapping,
    row: MappingType[str, Any],
    file: str,
    line: int,
    positions: MappingType[str, int],
    registry: Path | None = None,
) -> Case:
    """Build and validate the case a row describes; problems are placed at the row's line and cell's column.

    ``positions`` gives each column's position (from 1) in the row, for the column of a problem.
    """
    marks: Marks = {(): (line, 1)}
    problems: list[Problem] = []
    case_id = row_id(mapping, row)
    if not case_id:
        problems.append(
            Problem(file, line, positions.get(mapping.id, 1), "E105", f"no case id: column '{mapping.id}' is empty")
        )
    doc: dict[str, Any] = {
        "format": 1,
        "id": case_id,
        "investor": INVESTOR,
        "entities": [{"id": INVESTOR}],
        "target": {},
    }
    marks[("id",)] = (line, positions.get(mapping.id, 1))
    columns: dict[tuple[str, ...], str] = {}
    for field in mapping.fields:
        if field.column is None:
            value = field.value
        else:
            column = positions.get(field.column, 1)
            marks[field.path] = (line, column)
            columns[field.path] = field.column
            try:
                value = cell(field, row.get(field.column))
            except ValueError as exc:
                problems.append(
                    Problem(file, line, column, "E106", f"{field.name} (column '{field.column}'): {exc}", field.path)
                )
                continue
            if value is _MISSING:
                continue  # an empty cell: the fact is not given
        _put(doc, field.path, value)
    if problems:
        raise ScreeningError(problems)
    if "title" not in doc:
        names = [n for n in (doc["entities"][0].get("name"), doc["target"].get("name")) if isinstance(n, str)]
        doc["title"] = " / ".join(names) or case_id
    try:
        return build_case(doc, marks, file, registry)
    except ScreeningError as exc:
        raise ScreeningError([_named(p, columns) for p in exc.problems]) from None


def _named(problem: Problem, columns: dict[tuple[str, ...], str]) -> Problem:
    """A problem about a case field, reworded with the mapping's field name and the column it came from."""
    message = problem.message
    if message.startswith("entities.0"):
        message = INVESTOR + message[len("entities.0") :]
    probe = problem.path
    while probe and probe not in columns:
        probe = probe[:-1]
    if probe:
        head, sep, rest = message.partition(": ")
        message = f"{head} (column '{columns[probe]}'){sep}{rest}"
    return problem._replace(message=message)


def _put(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = doc
    for key in path[:-1]:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    node[path[-1]] = value


def cell(field: Field, raw: Any) -> Any:
    """The value of one cell for ``field``; ``_MISSING`` for an empty one. Raises ValueError for a bad cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _MISSING
    if field.split is not None:
        parts = raw.split(field.split) if isinstance(raw, str) else list(raw) if isinstance(raw, list) else [raw]
        values = [_one(field, p) for p in parts if p is not None and not (isinstance(p, str) and not p.strip())]
        return [{field.each: v} for v in values] if field.each else values
    return _one(field, raw)


def _one(field: Field, raw: Any) -> Any:
    kind = field.type
    if kind == "text":
        return raw.strip() if isinstance(raw, str) else str(raw)
    if kind in ("number", "integer"):
        return _number(field, raw)
    if kind == "bound":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return _number(field, raw)
        found = read_bound(str(raw))
        return _scaled(found, field.scale) if field.scale is not None else found
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(f"expected true or false (yes/no, 1/0), found {raw!r}")
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()[:10]
    text = str(raw).strip()
    if _PARTIAL_DATE.match(text):  # a year or a month, as reported
        return int(text) if len(text) == 4 else text
    try:
        dt.date.fromisoformat(text)
        if len(text) != 10:
            raise ValueError
    except ValueError:
        raise ValueError(f"expected a date written YYYY-MM-DD (or YYYY-MM, YYYY), found {raw!r}") from None
    return text


_PARTIAL_DATE = re.compile(r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2]))?$")


def _scaled(found: Any, scale: float) -> Any:
    """A bound's ends (or a number) times ``scale``; a word stays a word."""
    if isinstance(found, dict):
        return {k: [x * scale for x in v] if isinstance(v, list) else v * scale for k, v in found.items()}
    return found * scale if isinstance(found, (int, float)) else found


def _number(field: Field, raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, found {raw!r}")
    if isinstance(raw, (int, float)):
        value: float = raw
    else:
        text = str(raw).strip()
        if not _NUMBER.match(text):
            raise ValueError(f"expected a number, found {raw!r}")
        value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, found {raw!r}")
    if field.scale is not None:
        value = value * field.scale
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{raw!r} times the scale {field.scale:g} is not a finite number")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if field.type == "integer" and not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {raw!r}")
    return value
