"""Today's date, which ``SCREENING_TODAY=YYYY-MM-DD`` fixes for reproducible reports and tests."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The day reports treat as today: ``SCREENING_TODAY`` when set, else the system date."""
    fixed = os.environ.get("SCREENING_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            from screening.infra.errors import Problem, ScreeningError

            raise ScreeningError(
                [Problem("SCREENING_TODAY", None, None, "E106", f"expected a date YYYY-MM-DD, found {fixed!r}")]
            ) from None
    return dt.date.today()
