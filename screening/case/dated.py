"""The case as of a day: its dated records (``since`` / ``until``, a conduct's ``date``, a mitigation's
``agreed``) as they stood then.

A record counts on day D when ``since <= D <= until`` (a missing end is open). When partial dates, or D
itself being a range of days, make that unknown (``since: 2021`` judged on 2021-06-01), the record is only
*possibly* in force: it is left out, and the list it belongs to becomes partial (a ``PartialList``), so that
a rule finding it in the list is unknown, never wrongly true, and a rule finding it absent is unknown,
never wrongly false. An ownership edge possibly in force is left out and its owned entity's owners are no
longer complete. A mitigation holds from its ``since``, else from the day it was ``agreed``: commitments
agreed after the day judged do not count on it, and one possibly in force leaves ``mitigations`` partial (a
mitigation rule finding it is unknown, never wrongly true). Only a mitigation that stands binds the investor:
one ``accepted`` or ``imposed``, or given without a ``status`` (as written). One ``offered`` and not yet
accepted, ``rejected`` or ``withdrawn`` is left out on every day, so no rule credits it.

The day a case is judged on is ``--as-of``, else the signing date, else the completion date, else the
announcement date, else today; a date given as a year or a month is the range of its days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, Union

from screening.case.model import Case, Edge, Entity
from screening.case.values import DayRange, PartialList

AT = "@at"
"""Key under which a record of the dated view keeps its position in the case document (for its sources)."""
RECORDS = ("listings", "state_links", "conduct")
TARGET_RECORDS = ("government_contracts",)
"""The target's records (its own and each part's) that may carry ``since`` / ``until``."""
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
    since = _ends(start(record))
    until = _ends(record.get("until"))
    if (since is not None and since[0] > last) or (until is not None and until[1] < first):
        return False
    if (since is None or since[1] <= first) and (until is None or until[0] >= last):
        return True
    return None


def start(record: dict[str, Any]) -> Any:
    """The day a record started holding: its ``since``, else a conduct's ``date`` or a mitigation's ``agreed``."""
    for key in STARTS:
        if key in record:
            return record[key]
    return None


STANDING = frozenset({"accepted", "imposed"})
"""The statuses of a mitigation that bind the investor (a mitigation without ``status`` stands as written)."""

STARTS = ("since", "date", "agreed")
"""The keys that say when a record started holding, by precedence."""


def _records(case: Case) -> list[dict[str, Any]]:
    return [record for _, record in _named(case)]


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def change_days(case: Case, first: str, last: str) -> list[str]:
    """The days after ``first`` up to ``last`` on which a dated record of the case may start or stop holding.

    A record given to the day starts on its ``since`` and stops the day after its ``until``. A partial date
    makes two: ``since: 2019`` is possibly in force from 2019-01-01 and certainly from 2019-12-31 (its last
    day); ``until: 2019`` possibly ended from 2019-01-02 and certainly from 2020-01-01. Between them the
    record is possibly in force, and what it decides is unknown on those days only.
    """
    days: set[str] = set()
    for record in _records(case):
        ends = [_ends(start(record)), _ends(record.get("until"))]
        found = []
        if ends[0] is not None:
            found += [ends[0][0], ends[0][1]]
        if ends[1] is not None:
            found += [_shift(ends[1][0], 1), _shift(ends[1][1], 1)]
        days.update(day for day in found if first < day <= last)
    return sorted(days)


def unsure(case: Case, first: str, last: str) -> list[str]:
    """The dated records of ``case`` possibly in force on some days from ``first`` to ``last`` (their dates
    being partial), each in words: ``Buyer Co's state link golden_share (since 2019)``."""
    out = []
    for what, record in _named(case):
        if dated(record) and in_force(record, first, last) is None:
            when = ", ".join(f"{key} {value}" for key in (*STARTS, "until") if (value := record.get(key)) is not None)
            out.append(f"{what} ({when})")
    return out


def _named(case: Case) -> list[tuple[str, dict[str, Any]]]:
    """Every dated record of the case with what it is, in words."""
    names = {eid: e.name for eid, e in case.entities.items()}
    out = [
        (f"{e.name}'s {key[:-1].replace('_', ' ')} {r.get('kind') or r.get('list')}", r)
        for e in case.entities.values()
        for key in RECORDS
        for r in getattr(e, key) or ()
    ]
    out += [
        (f"the stake of {names.get(r['owner'], r['owner'])} in {names.get(r['owned'], r['owned'])}", r)
        for r in case.data.get("ownership") or ()
    ]
    out += [(f"the mitigation {r['kind']}", r) for r in case.data.get("mitigations") or ()]
    target = case.data.get("target") or {}
    for holder in (target, *(p for p in target.get("parts") or () if isinstance(p, dict))):
        name = "the target" if holder is target else holder.get("name", "a part of the target")
        out += [
            (f"{name}'s government contract ({r.get('customer')})", r)
            for key in TARGET_RECORDS
            for r in holder.get(key) or ()
        ]
    return [(what, r) for what, r in out if isinstance(r, dict)]


def dated(record: dict[str, Any]) -> bool:
    return any(key in record for key in (*STARTS, "until"))


def on_day(case: Case, first: str, last: str) -> Case:
    """The case as of the days from ``first`` to ``last``: records certainly in force kept, records certainly
    not in force left out, records possibly in force left out with their list made partial."""
    if not _has_dates(case):
        return case._replace(day=(first, last), data=_standing(case.data))
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
        data=_target_on(_mitigations_on(_standing(case.data), first, last), first, last),
    )


def _kept(records: Any, first: str, last: str) -> Any:
    """The records in force from ``first`` to ``last`` (each keeping its position under ``AT``), partial when one
    of them possibly was; the list itself when none is dated."""
    if not records or not any(isinstance(r, dict) and dated(r) for r in records):
        return records
    kept, unsure_ = [], False
    for i, record in enumerate(records):
        held = in_force(record, first, last) if dated(record) else True
        if held is True:
            kept.append({**record, AT: record.get(AT, i)})
        unsure_ = unsure_ or held is None
    return PartialList(kept) if unsure_ or isinstance(records, PartialList) else kept


def _target_on(data: dict[str, Any], first: str, last: str) -> dict[str, Any]:
    """The case document with the target's dated records (its own and its parts') as they stood then."""
    target = data.get("target")
    if not isinstance(target, dict):
        return data
    changed = {key: _kept(target.get(key), first, last) for key in TARGET_RECORDS if target.get(key)}
    parts = target.get("parts")
    if parts:
        new = [
            {**p, **{k: _kept(p.get(k), first, last) for k in TARGET_RECORDS if p.get(k)}} if isinstance(p, dict) else p
            for p in parts
        ]
        if new != list(parts):
            changed["parts"] = type(parts)(new) if isinstance(parts, PartialList) else new
    changed = {k: v for k, v in changed.items() if v is not target.get(k)}
    return {**data, "target": {**target, **changed}} if changed else data


def _mitigations_on(data: dict[str, Any], first: str, last: str) -> dict[str, Any]:
    """The case document with its mitigations as they stood from ``first`` to ``last`` (each keeping its
    position under ``AT``; the list partial when one of them possibly held)."""
    records = data.get("mitigations")
    kept = _kept(records, first, last)
    return data if kept is records else {**data, "mitigations": kept}


def stands(record: Any) -> bool:
    """Whether a mitigation binds the investor: ``accepted``, ``imposed`` or without a ``status``."""
    return not isinstance(record, dict) or record.get("status") is None or record["status"] in STANDING


def _standing(data: dict[str, Any]) -> dict[str, Any]:
    """The case document with only the mitigations that stand (each keeping its position under ``AT``); an
    offer not yet accepted, or one rejected or withdrawn, binds no one and earns no credit on any day."""
    records = data.get("mitigations")
    if not records or all(stands(r) for r in records):
        return data
    kept = [{**r, AT: r.get(AT, i)} for i, r in enumerate(records) if stands(r)]
    return {**data, "mitigations": PartialList(kept) if isinstance(records, PartialList) else kept}


def _has_dates(case: Case) -> bool:
    return any(dated(r) for r in _records(case))
