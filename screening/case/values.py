"""The forms a fact's value takes besides a plain value: what is known of it when not all of it is.

A fact is None when unknown, a plain value (a number, a text, a list) when known, or one of these forms
when only part of it is known:

* ``Interval(low, high, low_open, high_open)``: a number known to lie between two ends (a case's
  ``{at_least: 25}``, ``{between: [4000000, 6000000]}``, ``majority``); an end may be infinite.
* ``AtLeast(x)``: a number computed to be at least ``x`` (an interest through an edge whose stake is not
  given, the largest of some counts when others are missing): the interval ``[x, inf)``, kept a float so
  that the arithmetic of the ownership analysis runs on its known end.
* ``DayRange(first, last)``: a day known to lie between two days, both included (``2018``, ``"2018-07"``,
  ``{between: [2018-03, 2018-07]}``); its ends are ISO texts, as exact dates are.
* ``PartialList``: a list known to hold these items, possibly among others not yet known (the listings
  of a group with an entity whose listings were never checked).

Conditions read a number or a day through ``ends``: its least and greatest values and whether each is
excluded. Every ordered and equality comparison (screening.conditions.operators.compare), in the
closures, the generated code and the margins alike, goes through it, so a new form of value gives its
ends here and joins ``BOUNDS``.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any, NamedTuple

INF = math.inf


class PartialList(list[Any]):
    """A list known to hold these items, possibly among others not yet known."""


class AtLeast(float):
    """A number known to be at least this value."""

    def written(self) -> dict[str, Any]:
        return {"at_least": _plain(float(self))}


class Interval:
    """A number known to lie between ``low`` and ``high`` (either excluded when ``*_open``; ends may be infinite).

    ``text`` is how the case wrote it (``majority``, ``{at_least: 25}`` for a percentage that is 25 to 100),
    when that differs from its ends; reports show it so.
    """

    __slots__ = ("low", "high", "low_open", "high_open", "text")

    def __init__(
        self,
        low: float = -INF,
        high: float = INF,
        low_open: bool = False,
        high_open: bool = False,
        text: Any = "",
    ) -> None:
        self.low, self.high = low, high
        self.low_open, self.high_open = low_open and low != -INF, high_open and high != INF
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Interval) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (self.low, self.high, self.low_open, self.high_open)

    def __repr__(self) -> str:
        return f"Interval({self.low!r}, {self.high!r}, {self.low_open}, {self.high_open})"

    def __str__(self) -> str:
        return describe(self)

    def written(self) -> Any:
        """The form as a case writes it: ``{at_least: 25}``, ``{between: [a, b]}``, ``majority``."""
        if self.text:
            return self.text
        low, high = _plain(self.low), _plain(self.high)
        if self.high == INF:
            return {"more_than" if self.low_open else "at_least": low}
        if self.low == -INF:
            return {"less_than" if self.high_open else "at_most": high}
        if not self.low_open and not self.high_open:
            return {"between": [low, high]}
        return {"more_than" if self.low_open else "at_least": low, "less_than" if self.high_open else "at_most": high}


class DayRange:
    """A day known to lie between ``first`` and ``last`` (ISO texts, both included); ``text`` as written."""

    __slots__ = ("first", "last", "text")

    def __init__(self, first: str, last: str, text: str = "") -> None:
        self.first, self.last, self.text = first, last, text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DayRange) and (self.first, self.last) == (other.first, other.last)

    def __hash__(self) -> int:
        return hash((self.first, self.last))

    def __repr__(self) -> str:
        return f"DayRange({self.first!r}, {self.last!r})"

    def __str__(self) -> str:
        return self.text or f"between {self.first} and {self.last}"

    def written(self) -> Any:
        """The form as a case writes it: its year or month (``2018``, ``2018-07``), else ``{between: [d, d]}``."""
        if self.text and self.text[:1].isdigit():
            return self.text
        return {"between": [self.first, self.last]}


BOUNDS: tuple[type, ...] = (AtLeast, Interval, DayRange)
"""The forms of a number or day that are not exact: ``isinstance(v, BOUNDS)`` tells a value to read through
``ends``."""


class Ends(NamedTuple):
    """What a value admits: every x with low <= x <= high (< where open); None: no end on that side."""

    low: Any
    high: Any
    low_open: bool = False
    high_open: bool = False


_tuple_new = tuple.__new__


def ends(value: Any) -> Ends:
    """The ends of ``value``: a plain value is both of them."""
    if not isinstance(value, BOUNDS):  # most values are plain: one test, and no call of Ends' __new__
        return _tuple_new(Ends, (value, value, False, False))
    if isinstance(value, AtLeast):
        return Ends(float(value), None)
    if isinstance(value, Interval):
        return Ends(
            None if value.low == -INF else value.low,
            None if value.high == INF else value.high,
            value.low_open,
            value.high_open,
        )
    if isinstance(value, DayRange):
        return Ends(value.first, value.last)
    raise TypeError(f"{type(value).__name__} joins BOUNDS without its ends")  # a new form gives them here


def bounds(value: Any) -> tuple[Any, Any]:
    """The least and the greatest ``value`` can be; None for an end that is not known.

    A plain value is both ends; ``AtLeast(x)`` is ``(x, None)``: nothing is known above it.
    """
    if not isinstance(value, BOUNDS):
        return value, value
    found = ends(value)
    return found.low, found.high


def jsonable(value: Any) -> Any:
    """``json.dumps``'s ``default``: a value form as the case writes it (``{"at_least": 25}``, ``"2018"``)."""
    if isinstance(value, (Interval, DayRange)):
        return value.written()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def as_interval(value: Any) -> Interval:
    """A number or a bound on one as an Interval (a plain number: the interval of that point)."""
    if isinstance(value, Interval):
        return value
    if isinstance(value, AtLeast):
        return Interval(float(value))
    return Interval(float(value), float(value))


def highest(numbers: list[Any], complete: bool = True) -> Any:
    """The greatest of ``numbers`` (numbers or bounds): exact when every one is, else the interval it lies in;
    when the list may lack members (``complete`` false), only at least the greatest known."""
    if not numbers:
        return None
    if complete and not any(isinstance(n, BOUNDS) for n in numbers):
        return max(numbers)
    spans = [as_interval(n) for n in numbers]
    low = max(spans, key=lambda i: (i.low, not i.low_open))
    high = max(spans, key=lambda i: (i.high, not i.high_open))
    if not complete:
        return AtLeast(low.low) if low.low != -INF else None
    return Interval(low.low, high.high, low.low_open, high.high_open)


def difference(a: Any, b: Any) -> Any:
    """``a - b`` for numbers or bounds on them (the interval of every difference they admit)."""
    if not isinstance(a, BOUNDS) and not isinstance(b, BOUNDS):
        return round(a - b, 6)
    x, y = as_interval(a), as_interval(b)
    return Interval(x.low - y.high, x.high - y.low, x.low_open or y.high_open, x.high_open or y.low_open)


def least(value: Any) -> float | None:
    """The least a number or a bound on one can be (None: no lower end)."""
    found = value if not isinstance(value, BOUNDS) else ends(value).low
    return None if found is None else float(found)


def _plain(x: float) -> int | float:
    return int(x) if isinstance(x, float) and x.is_integer() else x


# ---------------------------------------------------------------------------------------- reading a case

BOUND_KEYS = ("at_least", "at_most", "more_than", "less_than", "between")
"""The keys of a bound written in a case: ``{at_least: 25}``."""
WORDS: dict[str, Interval | float] = {
    "majority": Interval(50, 100, low_open=True, text="majority"),
    "minority": Interval(0, 50, high_open=True, text="minority"),
    "blocking_minority": Interval(25, 100, low_open=True, text="blocking_minority"),
    "all": 100.0,
    "none": 0.0,
}
"""Words that mean a percentage or a bound on one (majority: more than 50%; blocking minority: more than 25%)."""
WORD_TEXT = {
    "majority": "a majority (more than 50%)",
    "minority": "a minority (less than 50%)",
    "blocking_minority": "a blocking minority (more than 25%)",
}


def number(node: Any, least: float = -INF, most: float = INF) -> Any:
    """The value of a number as a case writes it (validated): a number, a bound, or a word; a bound's open ends
    closed at ``least`` and ``most`` (0 and 100 for a percentage: ``{at_least: 25}`` is 25 to 100)."""
    if isinstance(node, str):
        return WORDS[node]
    if isinstance(node, dict):
        found = interval(node)
        if (found.low == -INF and least != -INF) or (found.high == INF and most != INF):
            return Interval(
                max(found.low, least),
                min(found.high, most),
                found.low_open and found.low >= least,
                found.high_open and found.high <= most,
                text=dict(node),
            )
        return found
    return node


def interval(node: dict[str, Any]) -> Interval:
    """``{at_least: n}``, ``{more_than: n}``, ``{at_most: n}``, ``{less_than: n}`` or ``{between: [a, b]}``."""
    low, high, low_open, high_open = -INF, INF, False, False
    for key, value in node.items():
        if key == "between":
            low, high = float(value[0]), float(value[1])
        elif key in ("at_least", "more_than"):
            low, low_open = float(value), key == "more_than"
        elif key in ("at_most", "less_than"):
            high, high_open = float(value), key == "less_than"
    return Interval(low, high, low_open, high_open)


_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def day_range(node: Any) -> str | DayRange:
    """A date as a case writes it (validated): a day stays its ISO text; a year, a month or ``{between: [d, d]}``
    is the range of the days it covers."""
    if isinstance(node, dict):
        first, last = (day_range(end) for end in node["between"])
        low = first.first if isinstance(first, DayRange) else first
        high = last.last if isinstance(last, DayRange) else last
        return DayRange(low, high, f"between {first} and {last}")
    if isinstance(node, int) and not isinstance(node, bool):
        return DayRange(f"{node:04d}-01-01", f"{node:04d}-12-31", str(node))
    if isinstance(node, str):
        month = _MONTH.match(node)
        if month:
            import calendar  # only for a month written as a date

            year, mon = int(month.group(1)), int(month.group(2))
            days = calendar.monthrange(year, mon)[1]
            return DayRange(f"{node}-01", f"{node}-{days:02d}", node)
        if re.fullmatch(r"[0-9]{4}", node):
            return day_range(int(node))
    return str(node)


def date_problem(node: Any) -> str | None:
    """What is wrong with a date as written (a month 13, ends reversed), or None."""
    if isinstance(node, dict):
        ends_ = node.get("between")
        if not isinstance(ends_, list) or len(ends_) != 2:
            return None
        for end in ends_:
            found = date_problem(end)
            if found:
                return found
        first, last = (day_range(end) for end in ends_)
        low = first.first if isinstance(first, DayRange) else first
        high = last.last if isinstance(last, DayRange) else last
        if low > high:
            return f"the dates of 'between' are reversed: {first} is after {last}"
        return None
    if isinstance(node, str):
        month = _MONTH.match(node)
        if month and not 1 <= int(month.group(2)) <= 12:
            return f"expected a month YYYY-MM, found {node!r}"
    return None


def bound_problem(node: Any, percent: bool) -> str | None:
    """What is wrong with a bound as written (ends reversed, a percentage outside 0..100), or None."""
    if not isinstance(node, dict):
        return None
    if len(node) > 2 or (len(node) == 2 and set(node) not in _PAIRS):
        return f"a bound gives one of {', '.join(BOUND_KEYS)}, or a lower and an upper end; found {', '.join(node)}"
    found = interval(node)
    if found.low > found.high or (found.low == found.high and (found.low_open or found.high_open)):
        if "between" in node:
            low, high = node["between"]
            return f"the bound admits no number: the ends of 'between' are reversed ({low} > {high})"
        return f"the bound admits no number: {' and '.join(f'{k} {v}' for k, v in node.items())}"
    if percent and not (
        0 <= (found.low if found.low != -INF else 0) and (found.high if found.high != INF else 0) <= 100
    ):
        return f"a percentage is between 0 and 100; found {describe(found)}"
    return None


_PAIRS = [{a, b} for a in ("at_least", "more_than") for b in ("at_most", "less_than")]


# ---------------------------------------------------------------------------------------- words


def describe(value: Any, unit: str = "") -> str:
    """A value as the reports write it: ``at least 25%``, ``between 4000000 and 6000000``, ``2018``."""
    from screening.infra.text import num

    if isinstance(value, AtLeast):
        return f"at least {num(float(value))}{unit}"
    if isinstance(value, Interval):
        if isinstance(value.text, dict):
            return describe(interval(value.text), unit)
        if value.text in WORD_TEXT:
            return WORD_TEXT[value.text]
        low, high = num(_plain(value.low)), num(_plain(value.high))
        if value.high == INF:
            return f"{'more than' if value.low_open else 'at least'} {low}{unit}"
        if value.low == -INF:
            return f"{'less than' if value.high_open else 'at most'} {high}{unit}"
        if not value.low_open and not value.high_open:
            return f"between {low}{unit} and {high}{unit}"
        return (
            f"{'more than' if value.low_open else 'at least'} {low}{unit} and "
            f"{'less than' if value.high_open else 'at most'} {high}{unit}"
        )
    if isinstance(value, DayRange):
        return str(value)
    if isinstance(value, str) and value in WORD_TEXT:
        return WORD_TEXT[value]
    return f"{num(value)}{unit}"


_NUM = r"([-+]?[0-9]+(?:[.,][0-9]+)?)"


@cache
def _bound_texts() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The written forms of a bound (compiled when a spreadsheet's cell is first read: one case never reads
    one), and, keyed ``between``, that of a range."""
    return (
        (re.compile(rf"^(?:>=|≥|at least|min(?:imum)?\.?)\s*{_NUM}$"), "at_least"),
        (re.compile(rf"^{_NUM}\s*(?:\+|or more)$"), "at_least"),
        (re.compile(rf"^(?:>|more than|over|above)\s*{_NUM}$"), "more_than"),
        (re.compile(rf"^(?:<=|≤|at most|up to|max(?:imum)?\.?)\s*{_NUM}$"), "at_most"),
        (re.compile(rf"^(?:<|less than|under|below)\s*{_NUM}$"), "less_than"),
        (re.compile(rf"^(?:between\s+)?{_NUM}\s*(?:-|–|—|to|and)\s*{_NUM}$"), "between"),
    )


def read_bound(text: str) -> Any:
    """A number or a bound as a spreadsheet writes it: ``25``, ``>=25``, ``25+``, ``at least 25``, ``<10``,
    ``20-30``, ``between 20 and 30``, ``majority`` (a ``%`` is dropped); the form a case writes, or
    ValueError."""
    plain = text.strip().lower().replace("%", "").strip()
    if plain.replace(" ", "_") in WORDS:
        return plain.replace(" ", "_")
    for pattern, key in _bound_texts():
        found = pattern.match(plain)
        if found and key == "between":
            low, high = _read_number(found.group(1)), _read_number(found.group(2))
            if low > high:
                raise ValueError(f"the range {text!r} is reversed")
            return {"between": [low, high]}
        if found:
            return {key: _read_number(found.group(1))}
    try:
        return _read_number(plain)
    except ValueError:
        raise ValueError(f"expected a number or a bound (>=25, 25+, <10, 20-30, majority), found {text!r}") from None


def _read_number(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def shown(value: Any, unit: str = "") -> str:
    """A value, or a value form as JSON reports write it (``{"at_least": 25}``, ``"majority"``), in words."""
    if isinstance(value, dict) and value and set(value) <= set(BOUND_KEYS):
        if any(isinstance(end, str) for end in value.get("between") or ()):  # a range of days
            return str(DayRange(*value["between"]))
        return describe(interval(value), unit)
    if isinstance(value, str) and value in WORDS:
        return describe(number(value), unit)
    if isinstance(value, (int, float, Interval, DayRange)) and not isinstance(value, bool):
        return describe(value, unit)
    return str(value)
