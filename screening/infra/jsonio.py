"""Read JSON as strictly as YAML is read (screening.infra.yamlio), with the same problem codes for the same fault.

Python's ``json`` keeps the last of two equal keys, reads ``1e400`` as infinity and ``NaN`` as a number, and
passes a lone surrogate (``"\\ud800"``) into the text. Here a duplicate key is E101, a number that is not
finite E106, an integer of more than 4,000 digits E111 and a lone surrogate E100, each at its line and column.
"""

from __future__ import annotations

import json
import math
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from screening.infra.errors import Problem, ScreeningError

MAX_DIGITS = 4000
"""Digits of the longest integer read, as in YAML files (Python refuses to read more than 4,300)."""
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_CONSTANT = re.compile(r"NaN|-?Infinity")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused(Exception):
    """Raised by a decoding hook: what is at fault, found again in the text to locate it."""

    def __init__(self, kind: str, text: str = "") -> None:
        super().__init__(kind, text)
        self.kind, self.text = kind, text


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Refused("duplicate")
    return found


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused("number", text)
    return value


def _int(text: str) -> int:
    if len(text) > MAX_DIGITS:
        raise _Refused("long", text)
    return int(text)


def _constant(text: str) -> float:
    raise _Refused("number", text)


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_float=_float, parse_int=_int, parse_constant=_constant)


def loads(text: str, file: str, line: int = 1) -> Any:
    """The JSON value of ``text`` (a document starting on ``line`` of ``file``); ScreeningError otherwise."""
    try:
        data = _DECODER.decode(text)
    except _Refused as exc:
        raise ScreeningError([_problem(text, file, line, exc)]) from None
    except json.JSONDecodeError as exc:
        at = min(exc.pos, len(text.rstrip("\r\n")))  # a line's own line break is not its text
        raise ScreeningError([Problem(file, *_place(text, at, line), "E100", f"invalid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise ScreeningError([Problem(file, line, 1, "E111", "JSON nested too deeply")]) from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):  # rare: only then is every text looked at
        if _find(text, "surrogate")[1]:
            raise ScreeningError([_problem(text, file, line, _Refused("surrogate"))])
    return data


def _problem(text: str, file: str, line: int, fault: _Refused) -> Problem:
    at, detail, first = _find(text, fault.kind, fault.text)
    where = _place(text, at, line)
    if fault.kind == "duplicate":
        before = _place(text, first, line)
        return Problem(
            file, *where, "E101", f"duplicate key '{detail}' (first defined on line {before[0]}, column {before[1]})"
        )
    if fault.kind == "number":
        return Problem(file, *where, "E106", f"'{fault.text}' is not a finite number")
    if fault.kind == "long":
        return Problem(file, *where, "E111", f"a number of {len(fault.text.lstrip('-')):,} digits is too long")
    return Problem(file, *where, "E100", f"invalid JSON: {detail} is a lone surrogate, not a Unicode character")


def _place(text: str, at: int, line: int) -> tuple[int, int]:
    """Line and column (from 1) of offset ``at`` in ``text``, which starts on ``line``."""
    start = text.rfind("\n", 0, at) + 1
    return line + text.count("\n", 0, at), at - start + 1


def _find(text: str, kind: str, literal: str = "") -> tuple[int, str, int]:
    """The offset of the first token at fault in ``text`` (which decodes up to it), what to say of it and, for a
    duplicate key, the offset of the first one.

    Only run when a problem was found: it walks the text token by token, keeping the keys of each open object.
    """
    stack: list[dict[str, int] | None] = []
    key_next = False
    i, end = 0, len(text)
    while i < end:
        c = text[i]
        if c == '"':
            value, after = scanstring(text, i + 1)
            if kind == "surrogate" and _SURROGATE.search(value):
                return i, f"\\u{ord(_SURROGATE.search(value).group()):04x}", i  # type: ignore[union-attr]
            keys = stack[-1] if stack else None
            if key_next and keys is not None:
                if kind == "duplicate" and value in keys:
                    return i, value, keys[value]
                keys[value] = i
                key_next = False
            i = after
            continue
        if c == "{":
            stack.append({})
            key_next = True
        elif c == "[":
            stack.append(None)
        elif c in "]}":
            if stack:
                stack.pop()
            key_next = False
        elif c == ",":
            key_next = bool(stack) and stack[-1] is not None
        elif c in "-0123456789NI":
            match = _CONSTANT.match(text, i) or _NUMBER.match(text, i)
            if match:
                token = match.group()
                if token == literal and kind in ("number", "long"):
                    return i, token, i
                i = match.end()
                continue
        i += 1
    return 0, "", 0
