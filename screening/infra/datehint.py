"""What a date written in words or in a local order most likely means, in the form a case takes.

``March 2021`` -> ``2021-03``, ``15 March 2021`` / ``March 15, 2021`` -> ``2021-03-15``, ``28.11.2026`` ->
``2026-11-28``, ``Q1 2021`` -> ``{between: [2021-01, 2021-03]}``, ``2021-3`` -> ``2021-03``. Only unambiguous
forms: ``03/04/2021`` (March or April?) gives no hint. Used by the located errors of a date field (E106),
never to read a value.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>[a-z]+)\\.?"
_FORMS = (
    re.compile(rf"^{_MONTH}\s+(?P<year>\d{{4}})$"),
    re.compile(rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})$"),
    re.compile(rf"^{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$"),
    re.compile(r"^(?P<day>\d{1,2})[./-](?P<num>\d{1,2})[./-](?P<year>\d{4})$"),
    re.compile(r"^(?P<num>\d{1,2})/(?P<year>\d{4})$"),
)
_QUARTER = re.compile(r"^q(?P<q>[1-4])\s*(?P<year>\d{4})$")
_ISO_SHORT = re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2})(?:[t ]\d{1,2}:\d{2}\S*)?)?$")


def date_hint(text: str) -> str | None:
    """The case form of ``text`` when it reads as one date in words or in day-month-year order, else None."""
    written = " ".join(text.strip().lower().split())
    quarter = _QUARTER.match(written)
    if quarter:
        first = 3 * int(quarter["q"]) - 2
        return f"{{between: [{quarter['year']}-{first:02d}, {quarter['year']}-{first + 2:02d}]}}"
    iso = _ISO_SHORT.match(written)
    if iso:  # 2021-3, 2021/03/15: year first is never ambiguous
        try:
            day = dt.date(int(iso["year"]), int(iso["month"]), int(iso["day"] or 1))
        except ValueError:
            return None
        return day.isoformat() if iso["day"] else day.isoformat()[:7]
    for form in _FORMS:
        found = form.match(written)
        if not found:
            continue
        parts = found.groupdict()
        if parts.get("month") is not None:
            month = _MONTHS.get(parts["month"])
        else:
            month = int(parts["num"])
            if parts.get("day") is not None and int(parts["day"]) <= 12 and int(parts["day"]) != month:
                return None  # 03/04/2021: the third of April or the fourth of March
        if month is None or not 1 <= month <= 12:
            return None
        if parts.get("day") is None:
            return f"{parts['year']}-{month:02d}"
        try:
            return dt.date(int(parts["year"]), month, int(parts["day"])).isoformat()
        except ValueError:
            return None
    return None
