"""Validate plain data against the JSON Schema subset our formats use, reporting every problem.

The subset: type, enum, const, pattern, format (date), required, properties,
additionalProperties (false), items, minimum, maximum, minLength, minItems, maxItems, minProperties,
maxProperties, anyOf, $ref to $defs. A node with ``anyOf`` may say in ``x-expected`` what it accepts, in
words, and in ``x-also`` what else, for the message when a value fits none of its forms; an ``enum`` may name in
``x-synonyms`` the value meant by words a newcomer writes for one (``state_owned``: ``soe``, where the nearest
spelling, ``state_body``, is not what is meant), for its did-you-mean; ``x-date`` marks a date
as a case writes it (a day, a month or a year), whose bounds are told in the words of the form it is written in.
It runs without imports beyond the standard library (the CLI starts fast, batches stay
fast); the test suite checks that it agrees with the reference ``jsonschema`` package.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from screening.infra.clock import iso_day
from screening.infra.errors import Marks, Problem, closest, located
from screening.infra.kept import Kept

Path = tuple[str, ...]

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "number": (int, float),
    "integer": int,
    "null": type(None),
}
_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "null": "null",
}


@cache
def regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema ``pattern`` (or a pack's ``id_pattern``) compiled with its ECMA-262 meaning of ``$``: the
    end of the text. Python's ``$`` also matches before a final newline, so ``^[a-z]+$`` would accept an id
    ``"acme\\n"``, which looks like ``acme`` in every report and slips past the check for duplicate ids."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
    return re.compile("".join(out))


FLOAT_MAX = sys.float_info.max
"""The largest number the tool computes with: a whole number beyond it (400 digits, say) cannot become a
float, so it is refused where numbers are read rather than raising OverflowError where they are used."""


def describe(value: Any) -> str:
    """Short description of a value's YAML type, for messages."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return (
            f"number {value}"
            if isinstance(value, float) or -(10**30) < value < 10**30
            else f"a number of {_digits(value)} digits"
        )
    if isinstance(value, str):
        return f"text {value!r}"
    if value is None:
        return "null"
    return "a mapping" if isinstance(value, dict) else "a list"


def _digits(value: float) -> str:
    """How many digits a large whole number has, for messages (``str`` refuses an int past 4,300 digits)."""
    try:
        return str(len(str(abs(int(value)))))
    except ValueError:
        return f"about {int(abs(int(value)).bit_length() * 0.30103) + 1}"


def _too_large(value: int | float) -> str:
    if isinstance(value, float):  # inf or nan
        return f"{value} is not a finite number"
    return f"a number of {_digits(value)} digits is too large (beyond ±1.8e308)"


_ZERO_LED = re.compile(r"[-+]?(?:0[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+)")


_PERCENT = re.compile(
    r"(?P<about>about|around|approx\.?|approximately|c\.|circa|~)?\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?:%|per ?cent|pct)",
    re.IGNORECASE,
)


def _number_hint(value: Any, kind: str) -> str:
    """Why a number YAML 1.2 would read is text here: written with a leading zero, ``0o`` or ``0x``; or a
    percentage written with its sign (``30%``) or as an estimate (``about 30%``)."""
    if kind not in ("number", "integer") or not isinstance(value, str):
        return ""
    percent = _PERCENT.fullmatch(value.strip())
    if percent and percent["about"]:
        return (
            f"; an estimate is no number: write the figure with the source's words in a note ({{value: "
            f'{percent["n"]}, note: "{value.strip()}"}}) or, when the source gives a range, a bound '
            "({between: [a, b]})"
        )
    if percent:
        return f"; did you mean {percent['n']}? (a percentage is written without %)"
    if not _ZERO_LED.fullmatch(value):
        return ""
    return (
        " (a number written with a leading zero, 0o or 0x stays text here, where YAML 1.1 would read 0777 "
        "as 511: write it in plain decimal)"
    )


def _date_hint(value: str) -> str:
    """``; did you mean 2021-03?`` for a date written in words or in day-month-year order (``March 2021``)."""
    from screening.infra.datehint import date_hint

    hint = date_hint(value)
    return f"; did you mean {hint}?" if hint else ""


def _is_type(value: Any, kind: str) -> bool:
    if kind in ("number", "integer") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind])


def errors(data: Any, schema: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
    """Yield (path, code, message) for each problem of ``data`` against ``schema``."""
    yield from _check(data, schema, schema.get("$defs", {}), ())


def problems(data: Any, schema: dict[str, Any], marks: Marks, name: str) -> list[Problem]:
    """Each problem of ``data`` (read from the file ``name`` with ``marks``) against ``schema``, located.

    From the second document checked against the same schema object on, the schema is compiled to
    closures (see ``validator``) that tell a valid document at a fraction of the cost; only a document
    they reject is walked again for its problems.
    """
    check = _validator_for(schema)
    if check is not None and check(data):
        return []
    foreign = _foreign(data, schema)
    if foreign is not None:
        return [located(name, marks, (), *foreign)]
    return [located(name, marks, path, code, message) for path, code, message in errors(data, schema)]


_KINDS = {bool: "true or false", int: "a number", float: "a number", str: "text", list: "a list", type(None): "null"}


def _foreign(data: Any, schema: dict[str, Any]) -> tuple[str, str] | None:
    """The one problem of a document that is not of the schema's kind at all, said without quoting it.

    A path named in a rule pack can lead to any file (a token, a key, a config): when the file is not
    even a mapping, or fewer than half of its top-level keys are fields of the kind (or fewer than two,
    beside keys that are not), nothing of its content is shown, since it would then be printed in a CI
    log, an annotation or a SARIF report.
    """
    top = (
        {**schema.get("$defs", {}).get(schema["$ref"].rsplit("/", 1)[1], {}), **schema} if "$ref" in schema else schema
    )
    if top.get("type") != "object":
        return None
    if not isinstance(data, dict):
        return "E103", (
            f"expected a mapping, found {_KINDS.get(type(data), 'something else')}: not a file of "
            "this kind (its content is not shown)"
        )
    fields = set(top.get("properties", ())) - {"format"}
    known = len(fields & set(data))
    unknown = len(set(data) - fields - {"format"})
    if data and fields and (known * 2 < len(data) or (unknown and known < 2)):
        return "E104", (
            f"{known} of its {len(data)} top-level keys {'is a field' if known == 1 else 'are fields'} "
            f"of this kind of file (expected {', '.join(sorted(fields))}): not a file of this kind (its "
            "content is not shown)"
        )
    return None


_SEEN = Kept(32)
"""Schemas met: None after the first document, their validator from the second on."""
_UNSEEN = object()


def _validator_for(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """The schema's validator once the schema is met a second time; None the first time."""
    found = _SEEN.get(schema, _UNSEEN)
    if found is _UNSEEN:
        return _SEEN.put(schema, None)
    return found if found is not None else _SEEN.put(schema, validator(schema))


def validator(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """A function telling whether data is valid against ``schema``: ``not list(errors(data, schema))``.

    Each schema node becomes one closure holding its keywords' arguments, so a valid document costs a call
    per value instead of a walk over the keywords of each schema node.
    """
    return _compile(schema, schema.get("$defs", {}), {})


def _compile(
    node: dict[str, Any], defs: dict[str, Any], memo: dict[int, list[Callable[[Any], bool]]]
) -> Callable[[Any], bool]:
    cell = memo.get(id(node))  # nodes of the schema, which outlives the compiling: ids are not reused
    if cell is not None:
        if cell:
            return cell[0]
        later = cell
        return lambda value: later[0](value)  # a schema that refers to itself: looked up when called
    cell = memo[id(node)] = []
    if "$ref" in node:
        merged = {**defs[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
        check = _compile_node(merged, defs, memo)
    else:
        check = _compile_node(node, defs, memo)
    cell.append(check)
    return check


_MISSING = object()


def _compile_node(
    node: dict[str, Any], defs: dict[str, Any], memo: dict[int, list[Callable[[Any], bool]]]
) -> Callable[[Any], bool]:
    const = node.get("const", _MISSING)
    kind = node.get("type")
    options = node.get("enum")
    texts = frozenset(options) if options is not None and all(type(o) is str for o in options) else None
    min_length, max_length = node.get("minLength", 0), node.get("maxLength")
    date = node.get("format") == "date"
    pattern = regex(node["pattern"]).search if "pattern" in node else None
    low, high = node.get("minimum"), node.get("maximum")
    min_items, max_items = node.get("minItems", 0), node.get("maxItems")
    items = _compile(node["items"], defs, memo) if "items" in node else None
    any_of = [_compile(option, defs, memo) for option in node.get("anyOf", ())]
    props = {k: _compile(v, defs, memo) for k, v in node.get("properties", {}).items()}
    required = tuple(node.get("required", ()))
    min_props, max_props = node.get("minProperties", 0), node.get("maxProperties")
    extra = node.get("additionalProperties")
    closed = extra is False
    extra_check = _compile(extra, defs, memo) if isinstance(extra, dict) else None

    def text(value: str) -> bool:
        if len(value) < min_length or (max_length is not None and len(value) > max_length):
            return False
        if date:
            try:
                iso_day(value)
            except ValueError:
                return False
        return pattern is None or pattern(value) is not None

    def mapping(value: dict[str, Any]) -> bool:
        for key in required:
            if key not in value:
                return False
        if len(value) < min_props or (max_props is not None and len(value) > max_props):
            return False
        for key, item in value.items():
            check = props.get(key)
            if check is not None:
                if not check(item):
                    return False
            elif closed or (extra_check is not None and not extra_check(item)):
                return False
        return True

    def listed(value: list[Any]) -> bool:
        if len(value) < min_items or (max_items is not None and len(value) > max_items):
            return False
        if items is not None:
            for item in value:
                if not items(item):
                    return False
        return True

    if any_of:
        rest = _compile_node({k: v for k, v in node.items() if k != "anyOf"}, defs, memo)
        return lambda value: rest(value) and any(option(value) for option in any_of)
    if kind == "object" and const is _MISSING and options is None:
        return lambda value: isinstance(value, dict) and mapping(value)
    if kind == "array" and const is _MISSING and options is None:
        return lambda value: isinstance(value, list) and listed(value)
    if kind == "string" and const is _MISSING:
        if texts is not None:
            return lambda value: isinstance(value, str) and value in texts and text(value)
        if options is None:
            return lambda value: isinstance(value, str) and text(value)

    def general(value: Any) -> bool:
        if const is not _MISSING and not _same(value, const):
            return False
        if kind and not _is_type(value, kind):
            return False
        if options is not None and not (
            value in texts
            if texts is not None and isinstance(value, str)
            else any(_same(value, option) for option in options)
        ):
            return False
        if isinstance(value, str):
            return text(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (
                -FLOAT_MAX <= value <= FLOAT_MAX and (low is None or value >= low) and (high is None or value <= high)
            )
        if isinstance(value, list):
            return listed(value)
        if isinstance(value, dict):
            return mapping(value)
        return True

    return general


def _same(value: Any, expected: Any) -> bool:
    """JSON equality: true is not 1, as JSON Schema's const and enum require."""
    return value == expected and isinstance(value, bool) == isinstance(expected, bool)


def _check(value: Any, node: dict[str, Any], defs: dict[str, Any], path: Path) -> Iterator[tuple[Path, str, str]]:
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    if node.get("x-date"):  # a day, month or year: told in the words of its own form
        from screening.infra.clock import date_problem

        problem = date_problem(value)
        if problem:
            yield path, "E106", problem
            return
    if "anyOf" in node:
        found = list(_any_of(value, node, defs, path))
        if found:
            yield from found
            return
    if "const" in node and not _same(value, node["const"]):
        yield path, "E106", f"expected {node['const']!r}, found {describe(value)}"
        return
    kind = node.get("type")
    if kind and not _is_type(value, kind):
        yield path, "E103", f"expected {_NAMES[kind]}, found {describe(value)}" + _number_hint(value, kind)
        return
    if "enum" in node and not any(_same(value, option) for option in node["enum"]):
        said = node.get("x-synonyms", {}).get(str(value).strip().lower())
        hint = said if said in node["enum"] else closest(str(value), node["enum"], 0.6)
        more = f"; did you mean '{hint}'?" if hint else f"; expected one of: {', '.join(map(str, node['enum']))}"
        yield path, "E106", f"unknown value {value!r}{more}"
    if isinstance(value, str):
        yield from _check_text(value, node, path)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not -FLOAT_MAX <= value <= FLOAT_MAX:
            yield path, "E106", _too_large(value)
            return
        if "minimum" in node and value < node["minimum"]:
            yield path, "E106", f"{value} is below the minimum {node['minimum']}"
        if "maximum" in node and value > node["maximum"]:
            yield path, "E106", f"{value} is above the maximum {node['maximum']}"
    elif isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            yield path, "E106", f"expected at least {node['minItems']} item(s)"
        if "maxItems" in node and len(value) > node["maxItems"]:
            yield path, "E106", f"expected at most {node['maxItems']} item(s), found {len(value)}"
        if "items" in node:
            for i, item in enumerate(value):
                yield from _check(item, node["items"], defs, path + (str(i),))
    elif isinstance(value, dict):
        yield from _check_mapping(value, node, defs, path)


def _check_text(value: str, node: dict[str, Any], path: Path) -> Iterator[tuple[Path, str, str]]:
    if len(value) < node.get("minLength", 0):
        n = node["minLength"]
        yield path, "E106", "expected non-empty text" if n == 1 else f"expected at least {n} characters"
    if "maxLength" in node and len(value) > node["maxLength"]:
        most = node["maxLength"]
        yield path, "E106", f"text longer than {most} character{'s' if most != 1 else ''}"
    if node.get("format") == "date":
        try:
            iso_day(value)
        except ValueError:
            yield path, "E106", f"expected a date written YYYY-MM-DD, found {value!r}" + _date_hint(value)
            return
    if "pattern" in node and not regex(node["pattern"]).search(value):
        yield path, "E106", f"{value!r} does not match the expected form ({node.get('description') or node['pattern']})"


def _check_mapping(
    value: dict[str, Any], node: dict[str, Any], defs: dict[str, Any], path: Path
) -> Iterator[tuple[Path, str, str]]:
    props = node.get("properties", {})
    for key in node.get("required", ()):
        if key not in value:
            yield path, "E105", f"missing required field '{key}'"
    if len(value) < node.get("minProperties", 0):
        yield path, "E105", f"expected at least {node['minProperties']} field(s): one of {', '.join(props)}"
    if "maxProperties" in node and len(value) > node["maxProperties"]:
        yield path, "E106", f"expected at most {node['maxProperties']} field(s), found {', '.join(value)}"
    for key, item in value.items():
        if key in props:
            yield from _check(item, props[key], defs, path + (key,))
        elif node.get("additionalProperties") is False:
            hint = closest(key, list(props), 0.6)
            where = f" in {path[-1]}" if path and not path[-1].isdigit() else ""
            more = f"; did you mean '{hint}'?" if hint else f"; expected one of: {', '.join(props)}"
            yield path + (key,), "E104", f"unknown field '{key}'{where}{more}"
        elif isinstance(node.get("additionalProperties"), dict):
            yield from _check(item, node["additionalProperties"], defs, path + (key,))


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _fits(value: Any, option: dict[str, Any]) -> bool:
    """Whether ``value`` is of the kind ``option`` describes: its type, and for a mapping, one of its fields."""
    kind = option.get("type")
    if kind is None and "anyOf" not in option:
        return True
    if kind is None:
        return False
    if not _is_type(value, kind):
        return kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(value, dict) and option.get("properties"):
        props = list(option["properties"])
        return any(key in props or closest(str(key), props, 0.6) for key in value)
    if isinstance(value, str) and "enum" in option:
        return closest(value, option["enum"], 0.6) is not None or value in option["enum"]
    return True


def _any_of(value: Any, node: dict[str, Any], defs: dict[str, Any], path: Path) -> Iterator[tuple[Path, str, str]]:
    """The problems of a value against the forms of ``anyOf``: none when one form takes it; the problems of the
    one form it is of the kind of; else what the forms are, in words (``x-expected``)."""
    options = [_resolve(option, defs) for option in node["anyOf"]]
    results = [list(_check(value, option, defs, path)) for option in options]
    if any(not found for found in results):
        return
    fitting = [found for option, found in zip(options, results, strict=True) if _fits(value, option)]
    if len(fitting) > 1 and isinstance(value, str):  # texts of several forms: the one whose pattern it has
        written = [
            found
            for option, found in zip(options, results, strict=True)
            if "pattern" in option and regex(option["pattern"]).search(value)
        ]
        if not written and node.get("x-expected"):  # of no form ('March 2021'): what the forms are, in words
            hint = _date_hint(value) if any(o.get("format") == "date" for o in options) else ""
            yield path, "E106", f"expected {node['x-expected']}, found {describe(value)}{hint}"
            return
        fitting = written or fitting[:1]  # else the form listed first (a day, before a month)
    elif len(fitting) == 1 and node.get("x-numbers") == "expected" and isinstance(value, (int, float)):
        fitting = []  # a number that is no form here (a year out of range): what the forms are, in words
    if len(fitting) == 1:
        yield from fitting[0]
        return
    expected = node.get("x-expected") or " or ".join(
        sorted({_NAMES.get(o.get("type", ""), "another form") for o in options})
    )
    code = "E106" if fitting else "E103"
    also = f" ({node['x-also']})" if "x-also" in node else ""
    yield path, code, f"expected {expected}, found {describe(value)}" + _number_hint(value, "number") + also
