"""The case at a confidence level: what it says with at least that confidence, and no more.

``confidence`` (confirmed, reported, alleged, disputed; confirmed when not given) may sit on any long-form
fact and on any record. The view at level L keeps what is held at L or better: a record below L is left out
and its list becomes partial (a rule finding it there is unknown, never wrongly false), a single fact below
L becomes unknown, an ownership edge below L is left out and its owned entity's owners are no longer
complete. The engine scores a rule that fires on the whole case by the best level at which it still fires.
"""

from __future__ import annotations

import copy
from typing import Any

from screening.case.model import Case, Edge
from screening.case.values import PartialList

LEVELS = ("confirmed", "reported", "alleged", "disputed")
"""Best first."""
RECORDS = ("listings", "state_links", "conduct")
TARGET_RECORDS = ("critical_infrastructure", "critical_technologies", "government_contracts", "sensitive_sites", "data")


def rank(level: str | None) -> int:
    return LEVELS.index(level or "confirmed")


def lowest(case: Case) -> str:
    """The lowest confidence anything in the case is given at (confirmed when nothing says otherwise)."""
    found = 0
    for meta in case.fact_meta.values():
        found = max(found, rank(meta.get("confidence")))
    for record in _records(case):
        found = max(found, rank(record.get("confidence")))
    return LEVELS[found]


def _records(case: Case) -> list[dict[str, Any]]:
    out = [r for e in case.entities.values() for key in RECORDS for r in getattr(e, key) or ()]
    out += list(case.data.get("ownership") or ())
    target = case.data.get("target") or {}
    out += [r for key in TARGET_RECORDS for r in target.get(key) or ()]
    out += list(case.data.get("mitigations") or ())
    return [r for r in out if isinstance(r, dict)]


def at_level(case: Case, level: str) -> Case:
    """The case as it stands on what is held at ``level`` or better."""
    limit = rank(level)
    below = lambda record: rank(record.get("confidence")) > limit  # noqa: E731
    data = copy.copy(case.data)
    partial = set(case.partial_records)
    entities = {}
    for eid, entity in case.entities.items():
        changes: dict[str, Any] = {}
        for key in RECORDS:
            records = getattr(entity, key)
            if records and any(below(r) for r in records):
                changes[key] = tuple(r for r in records if not below(r))
                partial.add((eid, key))
        meta = case.fact_meta.get(("entities", str(entity.index), "state_ownership_pct"))
        if meta and rank(meta.get("confidence")) > limit:
            changes["state_ownership_pct"] = None
        entities[eid] = entity._replace(**changes) if changes else entity
    edges: list[Edge] = []
    for edge in case.ownership:
        if below(case.data["ownership"][edge.index]):
            owned = entities[edge.owned]
            entities[edge.owned] = owned._replace(
                owners_complete=None if owned.owners_complete else owned.owners_complete
            )
        else:
            edges.append(edge)
    for part in ("target", "transaction"):
        section = data.get(part)
        if not isinstance(section, dict):
            continue
        section = dict(section)
        for key in TARGET_RECORDS if part == "target" else ():
            records = section.get(key)
            if records and any(below(r) for r in records):
                section[key] = PartialList(r for r in records if not below(r))
        for path, meta in case.fact_meta.items():
            if path[0] == part and len(path) == 2 and rank(meta.get("confidence")) > limit:
                section.pop(path[1], None)
        data[part] = section
    owners: dict[str, list[Edge]] = {}
    for edge in edges:
        owners.setdefault(edge.owned, []).append(edge)
    return case._replace(
        entities=entities,
        ownership=tuple(edges),
        owners={k: tuple(v) for k, v in owners.items()},
        data=data,
        partial_records=frozenset(partial),
    )
