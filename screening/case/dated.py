"""The case as of a day: its dated records (``since`` / ``until``, a conduct's ``date``) as they stood then.

A record counts on day D when ``since <= D <= until`` (a missing end is open). When partial dates, or D
itself being a range of days, make that unknown (``since: 2021`` judged on 2021-06-01), the record is only
*possibly* in force: it is left out, and the list it belongs to becomes partial (a ``PartialList``), so that
a rule finding it in the list is unknown, never wrongly true, and a rule finding it absent is unknown,
never wrongly false. An ownership edge possibly in force is left out and its owned entity's owners are no
longer complete.

The day a case is judged on is ``--as-of``, else the signing date, else the completion date, else the
announcement date, else today; a date given as a year or a month is the range of its days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, Union

from screening.case.model import Case, Edge, Entity
from screening.case.values import DayRange

AT = "@at"
"""Key under which a record of the dated view keeps its position in the case document (for its sources)."""
RECORDS = ("listings", "state_links", "conduct")
DAY_FACTS = ("transaction.signing_date", "transaction.completion_date", "transaction.announcement_date")
"""The dates that fix the day a case is judged on, in order (after ``--as-of``)."""


AsOf = Union[dt.date, DayRange, None]
"""What ``--as-of`` gives: a day, a year or a month (a range of days), or nothing."""


def first_day(as_of: AsOf, today: dt.date) -> dt.date:
    """The day waivers are judged on: ``as_of`` (its first day for a range), else today."""
    if isinstance(as_of, DayRange):
        return dt.date.fromisoformat(as_of.first)
    return as_of or today


class Day(NamedTuple):
    """The day (or range of days) a case is judged on, and what fixed it."""

    first: str
    last: str
    basis: str
    """``as_of`` (the command's --as-of), a ``transaction.*_date`` fact, or ``today``."""
    text: str
    """As written: ``2018-07-27``, ``2018``, ``between 2018-11 and 2019-02-15``."""

    @property
    def range(self) -> bool:
        return self.first != self.last


def judged_day(data: dict[str, Any], as_of: dt.date | DayRange | None, today: dt.date) -> Day:
    """The day ``data`` (a case document, its dates read) is judged on (``as_of``: a day, or a year or month)."""
    if isinstance(as_of, DayRange):
        return Day(as_of.first, as_of.last, "as_of", str(as_of))
    if as_of is not None:
        day = as_of.isoformat()
        return Day(day, day, "as_of", day)
    tx = data.get("transaction") or {}
    for name in DAY_FACTS:
        value = tx.get(name.split(".", 1)[1])
        if isinstance(value, DayRange):
            return Day(value.first, value.last, name, str(value))
        if isinstance(value, str):
            return Day(value, value, name, value)
    day = today.isoformat()
    return Day(day, day, "today", day)


def _ends(value: Any) -> tuple[str, str] | None:
    if isinstance(value, DayRange):
        return value.first, value.last
    if isinstance(value, str):
        return value, value
    return None


def in_force(record: dict[str, Any], first: str, last: str) -> bool | None:
    """Whether a dated record holds on every day from ``first`` to ``last`` (True), on none (False), or on
    some and not others, or not known (None)."""
    since = _ends(record.get("since", record.get("date")))
    until = _ends(record.get("until"))
    if (since is not None and since[0] > last) or (until is not None and until[1] < first):
        return False
    if (since is None or since[1] <= first) and (until is None or until[0] >= last):
        return True
    return None


def change_days(case: Case, first: str, last: str) -> list[str]:
    """The days after ``first`` up to ``last`` on which a dated record of the case starts or ends holding (the
    day after its ``until``); a record whose dates are partial changes on no known day and is not counted."""
    days: set[str] = set()
    records = [r for e in case.entities.values() for key in RECORDS for r in getattr(e, key) or ()]
    records += list(case.data.get("ownership") or ())
    for record in records:
        for key, shift in (("since", 0), ("date", 0), ("until", 1)):
            value = record.get(key)
            if isinstance(value, str):
                day = (dt.date.fromisoformat(value) + dt.timedelta(days=shift)).isoformat()
                if first < day <= last:
                    days.add(day)
    return sorted(days)


def dated(record: dict[str, Any]) -> bool:
    return "since" in record or "until" in record or "date" in record


def on_day(case: Case, first: str, last: str) -> Case:
    """The case as of the days from ``first`` to ``last``: records certainly in force kept, records certainly
    not in force left out, records possibly in force left out with their list made partial."""
    if not _has_dates(case):
        return case._replace(day=(first, last))
    partial: set[tuple[str, str]] = set(case.partial_records)
    entities: dict[str, Entity] = {}
    for eid, entity in case.entities.items():
        changes: dict[str, Any] = {}
        for key in RECORDS:
            records = getattr(entity, key)
            if not records or not any(dated(r) for r in records):
                continue
            kept = []
            for i, record in enumerate(records):
                held = in_force(record, first, last) if dated(record) else True
                if held is True:
                    kept.append({**record, AT: record.get(AT, i)})
                elif held is None:
                    partial.add((eid, key))
            changes[key] = tuple(kept)
        entities[eid] = entity._replace(**changes) if changes else entity
    edges: list[Edge] = []
    for edge in case.ownership:
        record = case.data["ownership"][edge.index]
        held = in_force(record, first, last) if dated(record) else True
        if held is True:
            edges.append(edge)
        elif held is None:  # its owned entity's owners are no longer known in full
            owned = entities[edge.owned]
            entities[edge.owned] = owned._replace(
                owners_complete=None if owned.owners_complete else owned.owners_complete
            )
    owners: dict[str, list[Edge]] = {}
    for edge in edges:
        owners.setdefault(edge.owned, []).append(edge)
    return case._replace(
        entities=entities,
        ownership=tuple(edges),
        owners={k: tuple(v) for k, v in owners.items()},
        partial_records=frozenset(partial),
        day=(first, last),
    )


def _has_dates(case: Case) -> bool:
    if any(dated(r) for r in case.data.get("ownership") or ()):
        return True
    return any(dated(r) for e in case.entities.values() for key in RECORDS for r in getattr(e, key) or ())
