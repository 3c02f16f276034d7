"""Case documents from JSON lines, the quick way: msgspec types generated from the case schema check a line in
one typed decode, in C (and a document already read, a YAML file or a mapped row, in one typed conversion).

Only the common forms are on this path: plain numbers, days written YYYY-MM-DD, entities written out, no long
forms (``{value: ..., sources: [...]}``), no bounds, no words for numbers. A line the types do not accept, or
that the cheap text tests below cannot clear, returns None: the caller reads it with screening.case.load, which
locates every problem (and reads every form). A line accepted here gives the same Case as that path.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from functools import cache
from types import GenericAlias
from typing import Annotated, Any, Literal, Union

import msgspec

from screening.case import countries
from screening.case.catalogue import NUMBER_FORMS, case_schema
from screening.case.load import assemble, read_forms, semantic_problems, unwrap
from screening.case.model import Case
from screening.infra.clock import FIRST_YEAR, LAST_YEAR, year_problem
from screening.infra.schemacheck import regex
from screening.infra.yamlio import Limits, beyond

_COUNTRY_KEYS = ("country", "state", "headquarters")
"""Keys whose text is a country code wherever they are (screening.case.load checks them so)."""
_COUNTRY_LISTS = ("countries", "activities_in")
_LONG_FORM_KEYS = frozenset({"value", "at_least", "at_most", "more_than", "less_than", "between"})
"""An object with one of these keys may be read as a long form or a bound: never on this path."""
_KEY = re.compile(r'"[ \t\r\n]*:')


class _Schema:
    """Turns the case schema into msgspec types; a node it cannot express exactly is left out (None).

    ``forms``: the types of a document whose long forms are unwrapped (screening.case.load.unwrap), read with
    the forms of the case format (a number as reported: a bound or a word; a date as reported: a month, a year or
    a range) before screening.case.load.read_forms reads them into values; otherwise the plain ones only."""

    def __init__(self, schema: dict[str, Any], forms: bool = False) -> None:
        self.defs = schema["$defs"]
        self.made = 0
        self.codes = Literal[tuple(sorted(countries.names()))]
        self.forms = forms

    def type(self, node: dict[str, Any], key: str = "", item_of: str = "") -> Any:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            target = self.defs[name]
            if name in NUMBER_FORMS and not self.forms:  # a number as reported: only the plain number
                return self.type(target["anyOf"][0], key)
            if name == "date":  # a date: only the day, unless the forms are read (a month, a year, a range)
                return self._date() if self.forms else self.type(self.defs["day"], key)
            return self.type({**target, **{k: v for k, v in node.items() if k != "$ref"}}, key or name, item_of)
        if "anyOf" in node:
            if self.forms:  # a number, a bound, a word: one of each kind, which msgspec tells apart
                either = [self.type(o, key) for o in node["anyOf"]]
                return Union[tuple(either)] if either and None not in either else None  # noqa: UP007
            plain = [o for o in node["anyOf"] if o.get("type") in ("number", "integer") and "$ref" not in o]
            return self.type(plain[0], key) if len(plain) == 1 else None
        if "const" in node:
            return Literal[node["const"]] if isinstance(node["const"], (str, int)) else None
        if "enum" in node:
            found = node["enum"]
            return Literal[tuple(found)] if all(isinstance(v, (str, int)) for v in found) else None
        kind = node.get("type")
        if kind == "string":
            return self._text(node, key, item_of)
        if kind in ("integer", "number"):
            if kind == "number":  # past the largest float msgspec refuses it, as the full path does
                return _with(float, msgspec.Meta(ge=node.get("minimum"), le=node.get("maximum")))
            # a whole number of any length is a Python int: only those of 64 bits are taken here
            low, high = node.get("minimum", -(2**63)), node.get("maximum", 2**63 - 1)
            return _with(int, msgspec.Meta(ge=max(low, -(2**63)), le=min(high, 2**63 - 1)))
        if kind == "boolean":
            return bool
        if kind == "array":
            items = node.get("items")
            if isinstance(items, dict) and items.get("$ref", "").endswith("/date"):
                return None  # a list of dates: its days would go unchecked (``_checks_days``)
            inner = self.type(items, "", key) if isinstance(items, dict) else None
            if inner is None:
                return None
            sized = msgspec.Meta(min_length=node.get("minItems"), max_length=node.get("maxItems"))
            return _with(GenericAlias(list, (inner,)), sized)
        if kind == "object":
            return self._struct(node, key)
        return None

    def _text(self, node: dict[str, Any], key: str, item_of: str) -> Any:
        if key in _COUNTRY_KEYS or item_of in _COUNTRY_LISTS:
            return self.codes  # what screening.case.load's country check accepts, and nothing else
        if node.get("format") == "date":
            return dt.date  # YYYY-MM-DD naming a real day, as the pattern and the date check require
        meta = msgspec.Meta(
            pattern=regex(node["pattern"]).pattern if "pattern" in node else None,
            min_length=node.get("minLength"),
            max_length=node.get("maxLength"),
        )
        return _with(str, meta)

    def _struct(self, node: dict[str, Any], name: str) -> Any:
        props = node.get("properties")
        if not props or node.get("additionalProperties") is not False:
            return None
        if not self.forms and ("minProperties" in node or "maxProperties" in node or _LONG_FORM_KEYS & set(props)):
            return None  # a bound, or a record that holds a long form's keys: read with the forms only
        required = set(node.get("required", ()))
        fields: list[tuple[str, Any, Any]] = []
        days: list[str] = []
        cites: list[str] = []
        for i, (key, sub) in enumerate(props.items()):
            kind = None if key == "ref" else self.type(sub, key)  # an entity from the registry: the full path
            if kind is None:
                if key in required:
                    return None
                continue  # left out: a line that gives it is not accepted here
            default = msgspec.field(name=key) if key in required else msgspec.field(default=None, name=key)
            fields.append((f"f{i}", kind, default))
            if sub.get("$ref", "").endswith("/date"):
                days.append(f"f{i}")
            elif sub.get("$ref", "").endswith("/sources") and not self.forms:
                cites.append(f"f{i}")  # a record's sources or disputing sources: ids of the document's sources
        self.made += 1
        made = f"{name.title() or 'Node'}{self.made}"
        names = [f for f, _, _ in fields]
        checks = _checks(tuple(days), node.get("minProperties"), node.get("maxProperties"), names, tuple(cites))
        return msgspec.defstruct(
            made,
            fields,
            kw_only=True,
            forbid_unknown_fields=True,
            namespace={"__post_init__": checks} if checks else None,
        )

    def _date(self) -> Any:
        """A date as reported: a day or a month (its text), a year (a whole number), ``{between: [d, d]}``; each
        day is checked to be one by the record that holds it (``_checks``), as ``format: date`` asks."""
        if not hasattr(self, "_dates"):
            year = self.defs["year"]
            text = _with(str, msgspec.Meta(pattern=_DAY_OR_MONTH))
            whole = _with(int, msgspec.Meta(ge=year["minimum"], le=year["maximum"]))
            end: Any = Union[text, whole]  # noqa: UP007
            ends = _with(GenericAlias(list, (end,)), msgspec.Meta(min_length=2, max_length=2))
            between = msgspec.defstruct(
                "Between",
                [("between", ends)],
                kw_only=True,
                forbid_unknown_fields=True,
                namespace={"__post_init__": _days_between},
            )
            self._dates = Union[end, between]  # noqa: UP007
        return self._dates


_DAY_OR_MONTH = "^(?:19[0-9]{2}|20[0-9]{2}|2100)-(?:[0-9]{2}-[0-9]{2}|0[1-9]|1[0-2])$"
"""The text of a date: a day (the case schema's ``day`` pattern) or a month (its ``month`` pattern), in a year from
1900 to 2100 (``clock.FIRST_YEAR`` to ``clock.LAST_YEAR``, which the schema's patterns hold too)."""


def _day(text: Any) -> None:
    """Raises ValueError unless a date's text that is a day (not a month) names a real one, and a day read as a date
    is in a year from 1900 to 2100 (msgspec makes the error a ValidationError, so the line takes the full path, which
    locates it)."""
    if isinstance(text, str) and len(text) == 10:
        dt.date.fromisoformat(text)
    elif isinstance(text, dt.date) and not FIRST_YEAR <= text.year <= LAST_YEAR:
        raise ValueError(year_problem(text.year, str(text)))


def _days_between(self: Any) -> None:
    for end in self.between:
        _day(end)


class _Cited(threading.local):
    """The source ids the records of the document being read cite, gathered as the typed decode reads them (None:
    not gathered). One per thread: a Dask worker may read lines in several threads at once."""

    ids: list[str] | None = None


_CITED = _Cited()


def _checks(
    days: tuple[str, ...], least: int | None, most: int | None, names: list[str], cites: tuple[str, ...] = ()
) -> Any:
    """The check run on a record once read, or None: its fields that are dates name real days, and it gives as many
    fields as the schema's ``minProperties`` and ``maxProperties`` allow (a bound gives one or two). ``cites``: its
    fields of source ids (``sources``, ``disputed_by``), whose ids are added to ``_CITED`` when it gathers them: the
    document's citations found in the decode, not by walking the document again."""
    if not days and least is None and most is None and not cites:
        return None

    def check(self: Any) -> None:
        for field in days:
            _day(getattr(self, field))
        if cites:
            found = _CITED.ids
            if found is not None:
                for field in cites:
                    ids = getattr(self, field)
                    if ids:
                        found += ids
        if least is not None or most is not None:
            given = sum(getattr(self, f) is not None for f in names)
            if given < (least or 0) or (most is not None and given > most):
                raise ValueError(f"{given} fields")

    return check


def _with(base: Any, meta: msgspec.Meta) -> Any:
    """``base`` with msgspec's constraints."""
    return Annotated[base, meta]


@cache
def case_type() -> Any:
    """The msgspec type of a case document on the quick path (generated from the case schema once)."""
    found = _Schema(case_schema()).type(case_schema(), "case")
    assert found is not None, "the case schema's top level is always expressible"
    return found


@cache
def forms_type() -> Any:
    """The msgspec type of a case document whose long forms are unwrapped, its bounds, words, months, years and
    ranges of dates taken as the schema takes them (generated from the case schema once)."""
    found = _Schema(case_schema(), forms=True).type(case_schema(), "case")
    assert found is not None, "the case schema's top level is always expressible"
    return found


@cache
def _decoder() -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(case_type())


_PLAIN = msgspec.json.Decoder()
_ENCODE = msgspec.json.Encoder()


def read_line(text: str, name: str, line: int, bound: Limits) -> Case | None:
    """The case of one JSON line, or None when the line must take the full path (screening.case.load)."""
    if "\\u" in text:  # an escape (a lone surrogate, or a key spelt otherwise): the full path
        return None
    ids: list[str] = []
    _CITED.ids = ids
    try:
        _decoder().decode(text)
        plain = True
    except msgspec.ValidationError:
        plain = False  # perhaps a long form, a bound, a word, a month, a year, a range: read with the forms
    except (msgspec.DecodeError, RecursionError):
        return None
    finally:
        _CITED.ids = None
    try:
        data = _PLAIN.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    # many brackets or a long line: measured against the limits as the full path measures it (which says which)
    if text.count("{") + text.count("[") > bound.max_depth or len(text) > min(bound.max_values, bound.max_text):
        if beyond(data, bound):
            return None
    # a key given twice (JSON keeps the last; the full path refuses it): as many keys as the text writes?
    if _keys(text, text) != _keys(_ENCODE.encode(data), text):
        return None
    if not plain:
        return _with_forms(data, name)
    # no escape is on this path, so a key is written as it is: a line without '"until"' dates no record's end
    cited: list[tuple[tuple[str, ...], Any]] = [(("",), sid) for sid in ids]  # as the typed decode found them
    if any(True for _ in semantic_problems(data, {}, name, {}, {}, cited, '"until"' in text)):
        return None  # the full path locates the problem
    return assemble(data, name, {}, {})


def read_document(data: Any, name: str) -> Case | None:
    """The case of a document already read as plain data (a YAML file by screening.infra.yamlio, which refused
    duplicate keys and applied the limits; a row built through a mapping), or None when it must take the full
    path (screening.case.load.build_case). Strict: a bool is not a number, a text is not a number or a day."""
    if not isinstance(data, dict):
        return None
    ids: list[str] = []
    _CITED.ids = ids
    try:
        msgspec.convert(data, case_type())
    except msgspec.ValidationError:
        return _with_forms(data, name)
    finally:
        _CITED.ids = None
    if any(True for _ in semantic_problems(data, {}, name, {}, {}, [(("",), sid) for sid in ids])):
        return None  # the full path locates the problem
    return assemble(data, name, {}, {})


def _with_forms(data: dict[str, Any], name: str) -> Case | None:
    """The case of a document that writes a form the plain types leave out (a long form, a bound, a word, a month,
    a year or a range of dates), read as screening.case.load.build_case reads it, step for step: its long forms
    unwrapped, the result checked by the types of the forms (in place of the schema's check), its numbers and
    dates read into values; or None at the first problem, for the full path to locate (and at an old field
    name or an entity from the registry, which the full path reads)."""
    data, fact_sources, long_form, meta = unwrap(data)
    if long_form:
        return None
    try:
        msgspec.convert(data, forms_type())
    except msgspec.ValidationError:
        return None
    data, forms = read_forms(data)
    if forms or any(True for _ in semantic_problems(data, {}, name, fact_sources, meta)):
        return None
    return assemble(data, name, fact_sources, meta)


def _keys(text: str | bytes, given: str) -> int:
    """How many times ``text`` (the line, or the document encoded again as UTF-8) writes a quote then a colon: once
    per key, and as often in a text as the line ``given`` writes it there (no escape is on this path, and a text
    is written the same way re-encoded)."""
    if '" ' in given or '"\t' in given or '"\n' in given or '"\r' in given:
        found = text if isinstance(text, str) else text.decode()
        return len(_KEY.findall(found))  # space between a key and its colon (or a quote and a space in a text)
    return text.count('":') if isinstance(text, str) else text.count(b'":')
