"""Relations a case states that no rule reads: W306, so that a sister company's state link is never silently lost.

Rules read the investor and every entity above it (``group.*``, ``ownership.*``) and each co-investor
with every entity above it (``transaction.co_investor*``). An entity outside these (a sister company, the
seller, a co-owner of the target) may still be written in a case, for the record; its state links,
listings and conduct are then read by no rule, and ``check`` and ``screen`` say so.
"""

from __future__ import annotations

from screening.case.model import Case, group_of
from screening.infra.errors import Marks, Problem, located

RECORDS = {"state_links": "state links", "listings": "listings", "conduct": "conduct records"}


def used_entities(case: Case) -> set[str]:
    """Ids of the entities whose records rules read: the investor's chain and each co-investor's."""
    used = {e.id for e, _ in group_of(case)}
    for co in (case.data.get("transaction") or {}).get("co_investors") or ():
        used |= {e.id for e, _ in group_of(case, co["entity"])}
    return used


def unused_relations(case: Case, marks: Marks | None = None) -> list[Problem]:
    """A W306 warning for each entity outside the investor's and co-investors' chains that has state links,
    listings or conduct records: no rule reads them."""
    used = used_entities(case)
    out = []
    for entity in case.entities.values():
        if entity.id in used:
            continue
        held = [(key, len(getattr(entity, key))) for key in RECORDS if getattr(entity, key)]
        if not held:
            continue
        what = " and ".join(f"{n} {RECORDS[key] if n != 1 else RECORDS[key][:-1]}" for key, n in held)
        message = (
            f"{entity.name} ('{entity.id}') has {what} that no rule reads: it is neither the investor, above "
            "it, nor in a co-investor's chain (link it by ownership or as a co-investor if they bear on the deal)"
        )
        path = ("entities", str(entity.index), held[0][0])
        out.append(located(case.file, marks or {}, path, "W306", message, severity="warning"))
    return out
