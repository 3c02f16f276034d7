"""Exchange rates the user supplies, dated: a CSV as the ECB publishes its euro reference rates.

The file has a ``Date`` column (YYYY-MM-DD) and one column per currency holding units of that currency per
euro (``Date,USD,JPY`` / ``2020-09-04,1.1823,125.6``); ``N/A`` or an empty cell is no rate that day. This is
the layout of the ECB's ``eurofxref-hist.csv`` and ``eurofxref.csv``. An amount is converted at the latest
rate on or before its day, at most ``STALE_DAYS`` earlier (the ECB publishes none on weekends and holidays).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import math
import re
from pathlib import Path
from typing import NamedTuple

from screening.infra.clock import iso_day
from screening.infra.errors import Problem, ScreeningError, closest
from screening.infra.files import open_input

STALE_DAYS = 7
"""How many days back a rate may be taken from: a long weekend and holidays, not a missing year."""
_RATE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
"""A rate as a number in ASCII digits, as the ECB writes it."""


class Rate(NamedTuple):
    """The rate an amount was converted at."""

    currency: str
    per_euro: float
    """Units of ``currency`` per euro."""
    day: str
    """The day the rate is of (YYYY-MM-DD)."""


class Rates(NamedTuple):
    """Rates by currency, each a list of days and a list of rates sorted by day."""

    file: str
    days: dict[str, tuple[str, ...]]
    values: dict[str, tuple[float, ...]]

    def at(self, currency: str, day: str) -> Rate:
        """The rate of ``currency`` on ``day``: the latest on or before it. Raises LookupError saying why not."""
        days = self.days.get(currency, ())
        i = bisect.bisect_right(days, day) - 1
        if i < 0:
            first = f" (the first is of {days[0]})" if days else ""
            raise LookupError(f"{self.file} has no {currency} rate on or before {day}{first}")
        gap = (dt.date.fromisoformat(day) - dt.date.fromisoformat(days[i])).days
        if gap > STALE_DAYS:
            raise LookupError(
                f"{self.file} has no {currency} rate within {STALE_DAYS} days before {day} (the latest is of {days[i]})"
            )
        return Rate(currency, self.values[currency][i], days[i])


def read_rates(path: Path, currencies: list[str]) -> Rates:
    """The rates of ``currencies`` in the CSV at ``path``; raises ScreeningError, located, for a bad file."""
    name = str(path)
    try:
        # open_input: a FIFO or a device is refused unread, never waited on
        with io.TextIOWrapper(open_input(path), encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if "Date" not in header:
                raise ScreeningError([Problem(name, 1, 1, "E412", "a table of rates needs a 'Date' column")])
            where = header.index("Date")
            missing = [c for c in currencies if c not in header]
            if missing:
                hint = closest(missing[0], header, 0.6)
                more = f"; did you mean '{hint}'?" if hint else ""
                raise ScreeningError(
                    [Problem(name, 1, 1, "E412", f"no column for the currency '{missing[0]}' in the rates{more}")]
                )
            found: dict[str, list[tuple[str, float]]] = {c: [] for c in currencies}
            lines: dict[tuple[str, str], tuple[float, int]] = {}  # (currency, day) -> rate, line first given on
            for cells in reader:
                day = cells[where].strip() if where < len(cells) else ""
                if not day:  # a blank line, or a row cut short of its Date cell: no day, no rate
                    continue
                try:  # only YYYY-MM-DD: the days are compared as text, which orders only this form
                    iso_day(day)
                except ValueError:
                    column = sum(len(c) + 1 for c in cells[:where]) + 1
                    raise ScreeningError(
                        [Problem(name, reader.line_num, column, "E412", f"expected a date YYYY-MM-DD, found {day!r}")]
                    ) from None
                for currency in currencies:
                    index = header.index(currency)
                    text = cells[index].strip() if index < len(cells) else ""
                    if text in ("", "N/A"):
                        continue
                    # float() alone also reads 1_1726 as 11726, and digits of other scripts
                    value = float(text) if _RATE.fullmatch(text) else math.nan
                    column = sum(len(c) + 1 for c in cells[:index]) + 1
                    if not (math.isfinite(value) and value > 0):
                        message = f"{currency} on {day}: expected a rate above 0, found {text!r}"
                        raise ScreeningError([Problem(name, reader.line_num, column, "E412", message)])
                    first = lines.setdefault((currency, day), (value, reader.line_num))
                    if first[0] != value:  # which of two rates of one day is meant cannot be told
                        message = f"{currency} on {day}: a second rate, {text}, beside {first[0]:g} on line {first[1]}"
                        raise ScreeningError([Problem(name, reader.line_num, column, "E412", message)])
                    if first[1] == reader.line_num:
                        found[currency].append((day, value))
    except OSError as exc:
        raise ScreeningError([Problem(name, None, None, "E001", f"cannot read the rates: {exc.strerror}")]) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ScreeningError([Problem(name, None, None, "E412", f"cannot read the rates as CSV: {exc}")]) from None
    days, values = {}, {}
    for currency, entries in found.items():
        entries.sort()
        days[currency] = tuple(d for d, _ in entries)
        values[currency] = tuple(v for _, v in entries)
    return Rates(name, days, values)
