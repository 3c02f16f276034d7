"""Flat rows (CSV, Parquet, JSON) to case documents through a mapping; a bad cell fails its row only."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as MappingType
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.batch.mapping import Field, Mapping
from screening.batch.types import TYPES
from screening.case.load import build_case
from screening.case.model import Case
from screening.infra.errors import Marks, Problem, ScreeningError, closest

if TYPE_CHECKING:
    from screening.batch.rates import Rates

INVESTOR = "investor"
"""Entity id of the investor in a case made from a row (its only entity)."""
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
    notes: list[str] | None = None,
    quick: Callable[[dict[str, Any]], Case | None] | None = None,
) -> Case:
    """Build and validate the case a row describes; problems are placed at the row's line and cell's column.

    ``positions`` gives each column's position (from 1) in the row, for the column of a problem. What the
    row's result should tell besides (a default taken for a value no table names, the exchange rate an amount
    was converted at) is appended to ``notes``. ``quick`` may read the built document first (the batch's quick
    path, screening.case.lines.read_document); when it gives None, the document is validated in full.
    """
    notes = notes if notes is not None else []
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
    read: dict[str, Any] = {}
    for field in mapping.fields:
        if field.column is None:
            read[field.name] = field.value
            continue
        column = positions.get(field.column, 1)
        marks[field.path] = (line, column)
        columns[field.path] = field.column
        raw = row.get(field.column)
        if mapping.blanks and isinstance(raw, str) and raw.strip().casefold() in mapping.blanks:
            raw = None  # a placeholder the mapping names (n/a, -): not given, as an empty cell
        try:
            read[field.name] = cell(field, raw, notes)
        except ValueError as exc:
            code = exc.code if isinstance(exc, CellError) else "E106"
            problems.append(
                Problem(file, line, column, code, f"{field.name} (column '{field.column}'): {exc}", field.path)
            )
    for field in mapping.fields:
        if "currency" in field.options and read.get(field.name, _MISSING) is not _MISSING and mapping.rates:
            at = (line, positions.get(field.column or "", 1))
            try:
                read[field.name] = _convert(field, read[field.name], read, mapping.rates, notes)
            except LookupError as exc:
                problems.append(
                    Problem(
                        file, at[0], at[1], "E411", f"{field.name} (column '{field.column}'): {exc.args[0]}", field.path
                    )
                )
    if problems:
        raise ScreeningError(problems)
    for field in _given(mapping.fields, read):
        _put(doc, field.path, read[field.name])
    if "title" not in doc:
        names = [n for n in (doc["entities"][0].get("name"), doc["target"].get("name")) if isinstance(n, str)]
        doc["title"] = " / ".join(names) or case_id
    found = quick(doc) if quick is not None else None
    if found is not None:
        return found
    try:
        return build_case(doc, marks, file, registry)
    except ScreeningError as exc:
        raise ScreeningError([_named(p, columns) for p in exc.problems]) from None


_GROUPS = {("target",), ("transaction",), ("entities", "0")}


def _given(fields: tuple[Field, ...], read: dict[str, Any]) -> list[Field]:
    """The fields that make the case: an empty cell means "not given" for the whole record it is part of, so
    a constant beside it (a currency beside an empty amount) is left out too, rather than making half a
    record that fails the row."""
    records: dict[tuple[str, ...], list[Field]] = {}
    for field in fields:
        parent = field.path[:-1]
        if len(parent) > 1 and parent not in _GROUPS:
            records.setdefault(parent, []).append(field)
    empty = {
        parent
        for parent, members in records.items()
        if any(f.column is not None for f in members)
        and all(read.get(f.name, _MISSING) is _MISSING for f in members if f.column is not None)
    }
    return [f for f in fields if read.get(f.name, _MISSING) is not _MISSING and f.path[:-1] not in empty]


def _convert(field: Field, amount: Any, read: dict[str, Any], rates: Rates, notes: list[str]) -> Any:
    """``amount`` in euros at the rate of the field's currency on the day of its date field (LookupError: none)."""
    currency = field.options["currency"]
    if currency == "EUR":
        return amount
    on = field.options.get("date")
    day = read.get(on, _MISSING) if on else _MISSING
    if not isinstance(day, str):
        raise LookupError(f"no day to take the {currency} rate on: {on} is empty" if on else "no date field named")
    rate = rates.at(currency, day)
    value = round(amount / rate.per_euro, 2)
    source = Path(rates.file).name
    notes.append(
        f"{field.name}: {currency} {amount:,.0f} = EUR {value:,.0f} at {rate.per_euro:g} {currency}/EUR "
        f"(rate of {rate.day}, {source})"
    )
    return int(value) if value.is_integer() else value


class CellError(ValueError):
    """A bad cell with a problem code of its own (E106 otherwise)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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


def cell(field: Field, raw: Any, notes: list[str] | None = None) -> Any:
    """The value of one cell for ``field``; ``_MISSING`` for an empty one. Raises ValueError for a bad cell.

    A value table's default taken for a cell it does not name is told in ``notes``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _MISSING
    if field.split is not None:
        parts = raw.split(field.split) if isinstance(raw, str) else list(raw) if isinstance(raw, list) else [raw]
        values = [_one(field, p, notes) for p in parts if p is not None and not (isinstance(p, str) and not p.strip())]
        if values and all(v is _MISSING for v in values):
            return _MISSING  # every item unknown (a table's default of null): not given, not an empty list
        values = [v for v in values if v is not _MISSING]
        return [{field.each: v} for v in values] if field.each else values
    return _one(field, raw, notes)


def _one(field: Field, raw: Any, notes: list[str] | None) -> Any:
    table = field.options.get("values")
    if table is None:
        return TYPES[field.type].read(field, raw)
    text = raw.strip() if isinstance(raw, str) else str(raw)
    if text in table:
        return table[text]
    folded = text.casefold()
    for key, value in table.items():  # tables are short; an exact match (above) is the common case
        if str(key).casefold() == folded:
            return value
    try:
        if field.type == "text":
            hint = closest(text, [str(k) for k in table], 0.6)
            more = f"; did you mean '{hint}'?" if hint else ""
            raise CellError("E410", f"'{text}' is not in the field's values table{more}")
        return TYPES[field.type].read(field, raw)
    except ValueError:
        if "default" not in field.options:
            raise
    default = field.options["default"]
    if notes is not None:
        taken = "not given" if default is None else repr(default)
        notes.append(f"{field.name}: '{text}' not in the values table, taken as {taken} [W345 value-defaulted]")
    return _MISSING if default is None else default
