"""Validate plain data against the JSON Schema subset our formats use, reporting every problem.

The subset: type, enum, const, pattern, format (date), required, properties,
additionalProperties (false), items, minimum, maximum, minLength, minItems, minProperties, $ref to $defs.
It runs without imports beyond the standard library (the CLI starts fast, batches stay
fast); the test suite checks that it agrees with the reference ``jsonschema`` package.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from screening.errors import Marks, Problem, closest, located

Path = tuple[str, ...]

_TYPES: dict[str, Any] = {
    "object": dict, "array": list, "string": str, "boolean": bool,
    "number": (int, float), "integer": int, "null": type(None),
}
_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "boolean": "true or false",
          "number": "a number", "integer": "a whole number", "null": "null"}


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def describe(value: Any) -> str:
    """Short description of a value's YAML type, for messages."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"text {value!r}"
    if value is None:
        return "null"
    return "a mapping" if isinstance(value, dict) else "a list"


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
    """Each problem of ``data`` (read from the file ``name`` with ``marks``) against ``schema``, located."""
    return [located(name, marks, path, code, message) for path, code, message in errors(data, schema)]


def _same(value: Any, expected: Any) -> bool:
    """JSON equality: true is not 1, as JSON Schema's const and enum require."""
    return value == expected and isinstance(value, bool) == isinstance(expected, bool)


def _check(value: Any, node: dict[str, Any], defs: dict[str, Any], path: Path) -> Iterator[tuple[Path, str, str]]:
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    if "const" in node and not _same(value, node["const"]):
        yield path, "E106", f"expected {node['const']!r}, found {describe(value)}"
        return
    kind = node.get("type")
    if kind and not _is_type(value, kind):
        yield path, "E103", f"expected {_NAMES[kind]}, found {describe(value)}"
        return
    if "enum" in node and not any(_same(value, option) for option in node["enum"]):
        hint = closest(str(value), node["enum"], 0.6)
        more = f"; did you mean '{hint}'?" if hint else f"; expected one of: {', '.join(node['enum'])}"
        yield path, "E106", f"unknown value {value!r}{more}"
    if isinstance(value, str):
        yield from _check_text(value, node, path)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            yield path, "E106", f"{value} is below the minimum {node['minimum']}"
        if "maximum" in node and value > node["maximum"]:
            yield path, "E106", f"{value} is above the maximum {node['maximum']}"
    elif isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            yield path, "E106", f"expected at least {node['minItems']} item(s)"
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
        yield path, "E106", f"text longer than {node['maxLength']} characters"
    if node.get("format") == "date":
        try:
            dt.date.fromisoformat(value)
            if len(value) != 10:
                raise ValueError
        except ValueError:
            yield path, "E106", f"expected a date written YYYY-MM-DD, found {value!r}"
            return
    if "pattern" in node and not _regex(node["pattern"]).search(value):
        yield path, "E106", f"{value!r} does not match the expected form ({node.get('description') or node['pattern']})"


def _check_mapping(value: dict[str, Any], node: dict[str, Any], defs: dict[str, Any],
                   path: Path) -> Iterator[tuple[Path, str, str]]:
    props = node.get("properties", {})
    for key in node.get("required", ()):
        if key not in value:
            yield path, "E105", f"missing required field '{key}'"
    if len(value) < node.get("minProperties", 0):
        yield path, "E105", f"expected at least {node['minProperties']} field(s): one of {', '.join(props)}"
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
