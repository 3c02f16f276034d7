"""Today's date, which ``SCREENING_TODAY=YYYY-MM-DD`` fixes for reproducible reports and tests, and the years a
day may fall in (a case's dates, ``--as-of`` and ``SCREENING_TODAY`` alike)."""

from __future__ import annotations

import datetime as dt
import os

FIRST_YEAR, LAST_YEAR = 1900, 2100
"""The years a day may fall in: the case schema's ``year`` holds the same."""


def year_problem(year: int, given: str) -> str | None:
    """What is wrong with a day, month or year ``given`` (as written) whose year is ``year``, or None: the one check of
    the years a day may fall in, for ``--as-of`` and ``SCREENING_TODAY``."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {given!r}"


def today() -> dt.date:
    """The day reports treat as today: ``SCREENING_TODAY`` when set, else the system date."""
    fixed = os.environ.get("SCREENING_TODAY")
    if fixed:
        try:
            day = dt.date.fromisoformat(fixed)
            problem = year_problem(day.year, fixed)
        except ValueError:
            problem = f"expected a date YYYY-MM-DD, found {fixed!r}"
        if problem:
            from screening.infra.errors import Problem, ScreeningError

            message = f"environment variable SCREENING_TODAY (the day taken as today): {problem}"
            raise ScreeningError([Problem("SCREENING_TODAY", None, None, "E106", message)]) from None
        return day
    return dt.date.today()
