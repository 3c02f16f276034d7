"""Mapping files: which column of a flat deal table gives which case field, validated with located problems."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.batch.types import COMMON, TYPES, format_problem
from screening.case.catalogue import case_schema
from screening.case.names import OLD_FACTS, message
from screening.infra import schemacheck
from screening.infra.errors import Marks, Problem, ScreeningError, closest, located
from screening.infra.yamlio import load

if TYPE_CHECKING:
    from screening.batch.rates import Rates

TOP_FIELDS = ("title", "summary", "as_of", "tags")
"""Top-level case fields a mapping may fill; ``id`` comes from the mapping's own ``id`` column."""
GROUPS = {"investor": ("entities", "0"), "target": ("target",), "transaction": ("transaction",)}
"""Where ``investor.X``, ``target.X`` and ``transaction.X`` go in the case document: the investor is the
case's one entity."""


class Field(NamedTuple):
    """One case field of a mapping: read from ``column`` or the constant ``value``."""

    name: str
    """As written in the mapping, e.g. ``target.turnover_eur``."""
    path: tuple[str, ...]
    """Where it goes in the case document, e.g. ('target', 'turnover_eur')."""
    column: str | None = None
    value: Any = None
    type: str = "text"
    split: str | None = None
    scale: float | None = None
    each: str | None = None
    options: dict[str, Any] = {}  # noqa: RUF012 - never mutated: a NamedTuple field's default
    """The type's options and the value table: ``format``, ``thousands``, ``currency``, ``date``, ``values``,
    ``default`` (screening.batch.types)."""


class Mapping(NamedTuple):
    """A validated mapping file."""

    file: str
    id: str
    """The column that gives each case id."""
    fields: tuple[Field, ...]
    keep: tuple[str, ...] = ()
    """Input columns carried into each result row as they are (``keep:``; ``--keep`` adds more)."""
    rates: Rates | None = None
    """The exchange rates named by ``rates:``, for fields with a ``currency``."""
    notes: tuple[Problem, ...] = ()
    """Warnings on the mapping file: a case field under its old name (W380), read as the new one."""
    blanks: frozenset[str] = frozenset()
    """Cell texts that mean "not given" (``blanks:``), case-folded: such a cell reads as an empty one."""
    delimiter: str = ","
    """The character between the cells of a CSV input (``delimiter:``)."""
    encoding: str = "utf-8-sig"
    """The text encoding of a CSV input (``encoding:``), as Python's codecs name it; UTF-8 skips a byte-order
    mark."""

    @property
    def encoding_label(self) -> str:
        """The encoding as people name it, for messages: ``UTF-8``, ``cp1252``."""
        return "UTF-8" if self.encoding == "utf-8-sig" else self.encoding

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the mapping reads, the id column first, without repeats."""
        return tuple(dict.fromkeys([self.id, *(f.column for f in self.fields if f.column is not None), *self.keep]))


@cache
def schema() -> dict[str, Any]:
    """The mapping file's JSON Schema (2020-12, as the tool reads it)."""
    document: dict[str, Any] = json.loads(
        (Path(__file__).parent.parent / "schema" / "mapping.schema.json").read_text("utf-8")
    )
    return document


def load_mapping(path: Path) -> Mapping:
    """Read and validate the mapping in ``path``; raise ScreeningError listing every problem."""
    data, marks = load(path)
    mapping, problems = read_mapping(data, marks, path)
    if mapping is None:
        raise ScreeningError(problems)
    return mapping


def check_mapping(path: Path) -> list[Problem]:
    """Every problem of the mapping file in ``path``, located (for ``screening check``); none for a good one."""
    try:
        data, marks = load(path)
    except ScreeningError as exc:
        return list(exc.problems)
    return read_mapping(data, marks, path)[1]


def read_mapping(data: Any, marks: Marks, path: Path) -> tuple[Mapping | None, list[Problem]]:
    """The mapping a document describes, and every problem found in it (the mapping is None when any is an error;
    its warnings are also its ``notes``)."""
    name = str(path)
    problems = schemacheck.problems(data, schema(), marks, name)
    if problems:  # the field names are checked all the same, so that one run reports every problem
        if isinstance(data, dict) and isinstance(data.get("fields"), dict):
            for key in data["fields"]:
                if isinstance(key, str):
                    _case_path(key, marks, name, problems)
        return None, sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
    fields = []
    for key, spec in data["fields"].items():
        field = _field(key, spec, marks, name, problems)
        if field is not None:
            fields.append(field)
    given = {f.path: f.name for f in fields if f.name not in OLD_FACTS}
    for field in fields:
        if field.name in OLD_FACTS and field.path in given:  # a column can fill a field once
            problems.append(
                located(
                    name,
                    marks,
                    ("fields", field.name),
                    "E114",
                    f"`{field.name}` and `{given[field.path]}` name one field; keep `{given[field.path]}`",
                )
            )
    rates = None
    wanted = sorted({str(f.options["currency"]) for f in fields if "currency" in f.options})
    if "rates" in data:
        from screening.batch.rates import read_rates

        try:
            rates = read_rates(path.parent / data["rates"], wanted)
        except ScreeningError as exc:
            problems += exc.problems
    elif wanted:
        first = next(f for f in fields if "currency" in f.options)
        problems.append(
            located(
                name,
                marks,
                ("fields", first.name, "currency"),
                "E106",
                "a currency to convert needs a table of rates: add 'rates: FILE.csv' (ECB reference rates, say)",
            )
        )
    dates = {f.name for f in fields if f.type == "date"}
    for field in fields:
        on = field.options.get("date")
        if on is not None and on not in dates:
            hint = closest(on, sorted(dates), 0.6)
            more = f"; did you mean '{hint}'?" if hint else ""
            problems.append(
                located(
                    name,
                    marks,
                    ("fields", field.name, "date"),
                    "E104",
                    f"'{on}' is not a date field of this mapping (the rate is taken on that field's day){more}",
                )
            )
    blanks = frozenset(str(b).strip().casefold() for b in data.get("blanks", ()))
    if data.get("delimiter") in ('"', "\n", "\r"):
        problems.append(
            located(
                name,
                marks,
                ("delimiter",),
                "E106",
                f"{data['delimiter']!r} cannot separate cells (it quotes a cell or ends a line); expected ',', ';', a"
                " tab or another character",
            )
        )
    encoding = _encoding(data.get("encoding", "utf-8"), marks, name, problems)
    decimal = data.get("decimal", ".")
    if decimal == ",":
        fields = [_decimal_comma(f, marks, name, problems) for f in fields]
    if any(p.severity == "error" for p in problems):
        return None, problems
    mapping = Mapping(
        name,
        data["id"],
        tuple(fields),
        tuple(data.get("keep", ())),
        rates,
        tuple(problems),
        blanks,
        data.get("delimiter", ","),
        encoding,
    )
    return mapping, problems


def _encoding(given: str, marks: Marks, name: str, problems: list[Problem]) -> str:
    """The codec of ``encoding:`` as Python names it (``utf-8-sig`` for UTF-8, so that a byte-order mark is
    skipped); a name Python does not know is E106, located."""
    import codecs
    import io

    try:
        codec = codecs.lookup(given).name
        io.TextIOWrapper(io.BytesIO(), encoding=codec)  # a codec of bytes to bytes (hex, bz2) is no text encoding
    except LookupError:
        problems.append(
            located(
                name,
                marks,
                ("encoding",),
                "E106",
                f"'{given}' is not a text encoding Python knows; expected a name such as utf-8, cp1252, latin-1 or"
                " utf-16",
            )
        )
        return "utf-8-sig"
    return "utf-8-sig" if codec in ("utf-8", "utf-8-sig") else codec


def _decimal_comma(field: Field, marks: Marks, name: str, problems: list[Problem]) -> Field:
    """``field`` reading a decimal comma (``decimal: ","``) when it reads numbers; a field whose thousands
    separator is the comma too is E106: a cell such as 1,250 could not be read."""
    if field.type not in ("number", "integer", "bound") or field.column is None:
        return field
    if field.options.get("thousands") == ",":
        problems.append(
            located(
                name,
                marks,
                ("fields", field.name, "thousands"),
                "E106",
                "the thousands separator is the decimal mark of this mapping (decimal: ','): write thousands: '.'"
                " or thousands: ' '",
            )
        )
    return field._replace(options={**field.options, "decimal": ","})


def _field(key: str, spec: Any, marks: Marks, name: str, problems: list[Problem]) -> Field | None:
    at = ("fields", key)
    path = _case_path(key, marks, name, problems)
    if isinstance(spec, str):
        return Field(key, path, column=spec) if path else None
    if not isinstance(spec, dict):
        problems.append(
            located(
                name,
                marks,
                at,
                "E103",
                "expected a column name or a mapping "
                f"{{column: ..}} / {{value: ..}}, found {schemacheck.describe(spec)}",
            )
        )
        return None
    before = len(problems)
    field_schema = {**schema()["$defs"]["field"], "$defs": schema()["$defs"]}
    problems += [
        located(name, marks, at + p, code, message) for p, code, message in schemacheck.errors(spec, field_schema)
    ]
    if len(problems) > before:
        return None
    if ("column" in spec) == ("value" in spec):
        problems.append(
            located(
                name,
                marks,
                at,
                "E105",
                "give either a column or a constant value, not " + ("both" if "column" in spec else "neither"),
            )
        )
        return None
    if "value" in spec:
        extra = sorted(set(spec) - {"value"})
        if extra:
            problems.append(
                located(
                    name, marks, at + (extra[0],), "E106", f"'{extra[0]}' applies to a column, not to a constant value"
                )
            )
            return None
        return Field(key, path, value=spec["value"]) if path else None
    kind = spec.get("type", "text")
    allowed = TYPES[kind].options
    for option in spec:
        if option in COMMON or option in allowed:
            continue
        taker = next((t for t, entry in TYPES.items() if option in entry.options), None)
        message = f"{option} applies to a {taker} column; add 'type: {taker}'" if taker else f"unknown option {option}"
        problems.append(located(name, marks, at + (option,), "E106", message))
    if "each" in spec and "split" not in spec:
        problems.append(
            located(name, marks, at + ("each",), "E106", "each applies to a column split into a list; add 'split'")
        )
    if "default" in spec and "values" not in spec:
        problems.append(
            located(name, marks, at + ("default",), "E106", "default applies to a values table; add 'values'")
        )
    if "date" in spec and "currency" not in spec:
        problems.append(
            located(name, marks, at + ("date",), "E106", "date applies to a currency conversion; add 'currency'")
        )
    if len(problems) > before or not path:
        return None
    wrong = format_problem(spec["format"]) if kind == "date" and "format" in spec else None
    if wrong is not None:  # the field stays known, so that a conversion dated by it is not refused as well
        problems.append(located(name, marks, at + ("format",), "E106", f"expected a strptime date format: {wrong}"))
    options = {k: v for k, v in spec.items() if k not in ("column", "type", "split", "each")}
    return Field(key, path, spec["column"], None, kind, spec.get("split"), spec.get("scale"), spec.get("each"), options)


def _case_path(key: str, marks: Marks, name: str, problems: list[Problem]) -> tuple[str, ...]:
    """The case document path of a mapping key, or () after adding a problem for an unknown field."""
    if key in OLD_FACTS:  # transaction.voting_after_pct: the field's old name, read as the new one
        old = key.rsplit(".", 1)[1]
        problems.append(located(name, marks, ("fields", key), "W380", message(old), severity="warning"))
        key = OLD_FACTS[key]
    parts = tuple(key.split("."))
    known = _known_fields()
    if key in known:
        group = GROUPS.get(parts[0])
        return group + parts[1:] if group else parts
    hint = closest(key, sorted(known), 0.75)
    more = f"; did you mean '{hint}'?" if hint else " (see docs/batch.md for the fields a mapping can fill)"
    problems.append(located(name, marks, ("fields", key), "E104", f"unknown case field '{key}'{more}"))
    return ()


@cache
def _known_fields() -> frozenset[str]:
    """Every dotted field a mapping can fill: top-level ones, and the investor's, target's and transaction's."""
    root = case_schema()
    defs = root.get("$defs", {})
    out = set(TOP_FIELDS)
    groups = {
        "investor": defs["entity"],
        "target": root["properties"]["target"],
        "transaction": root["properties"]["transaction"],
    }
    for group, node in groups.items():
        out.update(_leaves(group, node, defs))
    return frozenset(out - {"investor.id", "investor.ref", "investor.sources", "target.sources", "transaction.sources"})


def _leaves(prefix: str, node: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    """``prefix.KEY`` for each property of ``node``, and the properties of nested mappings one level down."""
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    out = set()
    for key, child in node.get("properties", {}).items():
        out.add(f"{prefix}.{key}")
        target = defs[child["$ref"].rsplit("/", 1)[1]] if "$ref" in child else child
        if target.get("type") == "object" and "properties" in target and prefix.count(".") == 0:
            out.update(_leaves(f"{prefix}.{key}", target, defs))
    return out
