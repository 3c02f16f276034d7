"""Today's date, which ``SCREENING_TODAY=YYYY-MM-DD`` fixes for reproducible reports and tests, and the years a
day may fall in (a case's dates, ``--as-of`` and ``SCREENING_TODAY`` alike)."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

FIRST_YEAR, LAST_YEAR = 1900, 2100
"""The years a day may fall in: the case schema's ``year`` holds the same."""


def year_problem(year: int, given: str) -> str | None:
    """What is wrong with a day, month or year ``given`` (as written) whose year is ``year``, or None: the one check of
    the years a day may fall in, for ``--as-of`` and ``SCREENING_TODAY``."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {given!r}"


_DAY = re.compile(r"^([0-9]{4})-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def date_problem(value: Any) -> str | None:
    """What is wrong with a day, a month or a year as a case writes it, in the words of its own form (a month
    before 1900 is told the months allowed, not the days), or None when it is fine or of no such form (a day that
    does not exist, a text of another form, a number of more digits: the schema's own checks tell those)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return year_problem(value, str(value))
    if not isinstance(value, str):
        return None
    day, month = _DAY.match(value), _MONTH.match(value)
    if day and year_problem(int(day.group(1)), value):
        return f"expected a day from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31, got {value!r}"
    if month and (year_problem(int(month.group(1)), value) or not 1 <= int(month.group(2)) <= 12):
        return f"expected a month YYYY-MM from {FIRST_YEAR}-01 to {LAST_YEAR}-12, got {value!r}"
    return None


def iso_day(text: str) -> dt.date:
    """The day written ``YYYY-MM-DD``, as ``--as-of`` and ``SCREENING_TODAY`` are documented to take it; ValueError for
    any other form, also those Python's ``date.fromisoformat`` reads besides (``20181204``, ``2018-W49-2``)."""
    if not _DAY.fullmatch(text):
        raise ValueError(f"not a day written YYYY-MM-DD: {text!r}")
    return dt.date.fromisoformat(text)


def today() -> dt.date:
    """The day reports treat as today: ``SCREENING_TODAY`` when set, else the system date."""
    fixed = os.environ.get("SCREENING_TODAY")
    if fixed:
        try:
            day = iso_day(fixed)
            problem = year_problem(day.year, fixed)
        except ValueError:
            problem = f"expected a date YYYY-MM-DD, found {fixed!r}"
        if problem:
            from screening.infra.errors import Problem, ScreeningError

            message = f"environment variable SCREENING_TODAY (the day taken as today): {problem}"
            raise ScreeningError([Problem("SCREENING_TODAY", None, None, "E106", message)]) from None
        return day
    return dt.date.today()
