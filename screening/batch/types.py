"""Column types of a mapping: how a cell is read, one entry per type in ``TYPES``.

A type is a reader (``Field``, raw cell) -> value, raising ValueError with the message for a bad cell, and
the options it accepts beside ``column``. A new type is one function and one ``TYPES`` entry.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.infra.clock import iso_day

if TYPE_CHECKING:
    from screening.batch.mapping import Field

_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}
COMMON = ("column", "type", "split", "each", "values", "default")
"""Options every column field takes, whatever its type."""


class Type(NamedTuple):
    """One column type: its reader and the options it adds to ``COMMON``."""

    read: Callable[[Field, Any], Any]
    options: tuple[str, ...] = ()


def _text(field: Field, raw: Any) -> Any:
    return raw.strip() if isinstance(raw, str) else str(raw)


def _boolean(field: Field, raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"expected true or false (yes/no, 1/0), found {raw!r}")


def _date(field: Field, raw: Any) -> Any:
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()[:10]
    text = str(raw).strip()
    pattern = field.options.get("format")
    if pattern:
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            raise ValueError(f"expected a date written {shown_format(pattern)} ({pattern}), found {raw!r}") from None
    if _PARTIAL_DATE.match(text):  # a year or a month, as reported
        return int(text) if len(text) == 4 else text
    try:
        iso_day(text)
    except ValueError:
        raise ValueError(f"expected a date written YYYY-MM-DD (or YYYY-MM, YYYY), found {raw!r}") from None
    return text


_PARTIAL_DATE = re.compile(r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2]))?$")


def format_problem(pattern: str) -> str | None:
    """What is wrong with a date column's strptime ``format``, or None: a directive strptime does not know, a
    stray ``%``, a directive given twice (each fails every cell, or fails inside strptime), or no year, month and
    day to read (``%m/%d`` reads every date in 1900, ``%Y`` every one on 1 January)."""
    import _strptime  # the compiler strptime itself uses: its errors are the pattern's, not a cell's

    try:
        _strptime._TimeRE_cache.compile(pattern)
    except KeyError as exc:
        return f"'%{exc.args[0]}' is not a date directive strptime knows, in {pattern!r}"
    except (IndexError, ValueError):
        return f"a stray '%' in {pattern!r} (write '%%' for a percent sign)"
    except re.error:
        return f"a directive is given twice in {pattern!r}"
    given = set(re.findall(r"%(.)", pattern.replace("%%", "")))
    if not given & {"Y", "y"} or not (given & {"m", "b", "B"} and "d" in given or "j" in given):
        return (
            f"{pattern!r} does not give the year (%Y or %y), the month (%m, %b or %B) and the day (%d) of a date "
            "(or the year and the day of the year, %j): strptime would fill what is missing with 1900 or 1"
        )
    return None


def shown_format(pattern: str) -> str:
    """A strptime pattern as people write it: ``%m/%d/%Y`` is ``MM/DD/YYYY``."""
    for code, text in (("%Y", "YYYY"), ("%y", "YY"), ("%m", "MM"), ("%d", "DD"), ("%b", "Mon"), ("%B", "Month")):
        pattern = pattern.replace(code, text)
    return pattern


def _number(field: Field, raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, found {raw!r}")
    if isinstance(raw, (int, float)):
        value: float = raw
    else:
        text = str(raw).strip()
        thousands = field.options.get("thousands")
        if thousands:
            text = text.replace(thousands, "")
        text = _percent(field, text, raw)
        if field.options.get("decimal") == "," and "," in text:
            if "." in text or text.count(",") > 1:  # 1.250,5 without thousands: "." (the mapping's), or 1,2,3
                raise ValueError(f"expected a number with a decimal comma (10,5), found {raw!r}")
            text = text.replace(",", ".")
        if not _NUMBER.match(text):
            raise ValueError(f"expected a number, found {raw!r}")
        value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, found {raw!r}")
    scale = field.options.get("scale")
    if scale is not None:
        value = value * scale
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{raw!r} times the scale {scale:g} is not a finite number")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if field.type == "integer" and not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {raw!r}")
    return value


def _percent(field: Field, text: str, raw: Any) -> str:
    """``text`` without the percent sign a sheet writes after a percentage (``51%``, ``49.9 %``), in a field of
    percentages (its name ends in ``_pct``); elsewhere the sign is refused, since 51% of a count or an amount
    could be 0.51 or 51."""
    if not text.endswith("%"):
        return text
    if field.path and field.path[-1].endswith("_pct"):
        return text[:-1].rstrip()
    raise ValueError(f"expected a number, found {raw!r}: a percent sign is read only in a field of percentages (_pct)")


def _bound(field: Field, raw: Any) -> Any:
    """A number, or a bound as a sheet writes it (>=25, 25+, <10, 20-30, majority), as the case format's bound."""
    from screening.case.values import read_bound

    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _number(field, raw)
    text = str(raw)
    if field.options.get("decimal") == ",":
        text = text.replace(",", ".")
    found = read_bound(text)
    scale = field.options.get("scale")
    return _scaled(found, scale) if scale is not None else found


def _scaled(found: Any, scale: float) -> Any:
    """A bound's ends (or a number) times ``scale``; a word stays a word."""
    if isinstance(found, dict):
        return {k: [x * scale for x in v] if isinstance(v, list) else v * scale for k, v in found.items()}
    return found * scale if isinstance(found, (int, float)) else found


def _country(field: Field, raw: Any) -> Any:
    text = str(raw).strip()
    code = country_code(text)
    if code is None:
        from screening.case.countries import named, names

        near = named(text)
        hint = f"did you mean {names()[near]} ({near})? Or " if near else ""
        raise ValueError(
            f"'{text}' is not a country name or code this tool knows; {hint}add it to the field's values table"
            f" ({text}: XX)"
        )
    return code


@cache
def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country's code (alpha-2, alpha-3, numeric), name or common variant:
    pycountry's exact lookup (imported only here), then the spellings FollowTheMoney knows
    (``countries.by_name``: Turkey, Ivory Coast, Hong Kong SAR, U.S.). None when it names no country, or more
    than one (Korea, Congo), or a contested territory (Crimea): never a guess. pycountry's fuzzy search is not
    used: it reads a region's name as its country's (Hong Kong SAR as China, whose region it is in ISO
    3166-2, where ISO 3166-1 gives it a code of its own)."""
    from screening.case.countries import ALIASES, EXTRA, by_name

    upper = text.upper()
    if upper in ALIASES:
        return ALIASES[upper]
    if upper in EXTRA or text.casefold() in (n.casefold() for n in EXTRA.values()):
        return next(code for code, name in EXTRA.items() if upper == code or text.casefold() == name.casefold())
    import pycountry

    plain = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    for name in dict.fromkeys((text, plain)):
        try:
            found: Any = pycountry.countries.lookup(name)
            return str(found.alpha_2)
        except LookupError:
            pass
    return by_name(text) or by_name(plain)


TYPES: dict[str, Type] = {
    "text": Type(_text),
    "number": Type(_number, ("scale", "thousands", "currency", "date")),
    "integer": Type(_number, ("scale", "thousands")),
    "boolean": Type(_boolean),
    "date": Type(_date, ("format",)),
    "country": Type(_country),
    "bound": Type(_bound, ("scale",)),
}
"""Type name -> its reader and extra options. (``values`` tables apply before any type.)"""
