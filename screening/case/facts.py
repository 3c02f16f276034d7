"""Turn a Case into the flat facts rules read: one value per catalogue path, None when unknown.

Aggregates over the investor's group that may be missing members are *partial*
(PartialList, AtLeast): a match found in them is certain, a match not found is unknown.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from screening import EMPTY
from screening.case.catalogue import EU_MEMBERS, LIST_TYPES, catalogue
from screening.case.dated import AT
from screening.case.model import Case, DocPath, group_complete, group_of, majority, state_of
from screening.case.values import AtLeast, DayRange, Interval, PartialList, difference, ends, highest, least
from screening.case.values import highest as values_highest

DOC = "@doc"
"""Key under which each record keeps its path in the case document (for sources)."""


class Facts(NamedTuple):
    """What rules see of one case."""

    values: dict[str, Any]
    origin: dict[str, DocPath] = EMPTY
    """Fact path -> place in the case document, for citing sources."""
    subject: str = "the investor"
    """Name used in gap questions."""
    ownership: Any = None
    """The ownership analysis the ``ownership.*`` facts come from (screening.case.ownership.Ownership)."""

    def get(self, path: str) -> Any:
        return self.values.get(path)


def _records(
    records: tuple[dict[str, Any], ...] | None, base: DocPath, partial: bool = False, **extra: Any
) -> list[dict[str, Any]] | None:
    """An entity's records with their place in the document; a PartialList when the dated view left one out."""
    if records is None:
        return None
    out = [with_list_type({**rec, DOC: base + (str(rec.get(AT, i)),), **extra}) for i, rec in enumerate(records)]
    return PartialList(out) if partial else out


def with_list_type(record: dict[str, Any]) -> dict[str, Any]:
    """A listing record with its derived ``type`` (sanctions, export_control, ...); others unchanged."""
    if "list" not in record:
        return record
    return {**record, "type": LIST_TYPES.get(record["list"])}


def _doc_records(data: dict[str, Any], key: str, base: DocPath) -> list[dict[str, Any]] | None:
    value = data.get(key)
    if value is None:
        return None
    out = [{**rec, DOC: base + (key, str(i))} for i, rec in enumerate(value)]
    return PartialList(out) if isinstance(value, PartialList) else out


def build_facts(case: Case, hits: list[Any] | None = None) -> Facts:
    """Compute every catalogue fact of ``case``.

    ``hits`` are watchlist hits on the group's entities (``screening.case.watchlists.Hit``); None means the
    group was not screened against any list, so the hits are unknown.
    """
    values: dict[str, Any] = {}
    origin: dict[str, DocPath] = {}
    inv = case.investor
    inv_doc: DocPath = ("entities", str(inv.index))
    inv_data = case.data["entities"][inv.index]
    for key in ("id", "name", "country", "kind", "state_ownership_pct", "owners_complete", "lei"):
        # the entity's own figures as the dated or confidence view leaves them
        values[f"investor.{key}"] = (
            getattr(inv, key) if key in ("state_ownership_pct", "owners_complete") else inv_data.get(key)
        )
        origin[f"investor.{key}"] = inv_doc + (key,)
    for key in ("listings", "state_links", "conduct"):
        values[f"investor.{key}"] = _records(
            getattr(inv, key), inv_doc + (key,), (inv.id, key) in case.partial_records, entity=inv.id
        )
    values["investor.in_eu"] = None if inv.country is None else inv.country in EU_MEMBERS
    origin["investor.in_eu"] = inv_doc + ("country",)

    _group_facts(case, values, origin)
    own = _ownership_facts(case, values, origin)
    if hits is not None:
        values["group.watchlist_hits"] = [
            {
                "entity": h.entity,
                "name": h.entity_name,
                "lists": ", ".join(h.entry.lists),
                "type": h.entry.type,
                "score": h.score,
                "matched_name": h.matched_name,
                "read_as": h.read_as,
                "entry": h.entry.id,
                "why": h.why,
                "source": h.entry.source,
                **({"url": h.entry.url} if h.entry.url else {}),
            }
            for h in hits
        ]
        origin["group.watchlist_hits"] = ("entities",)

    target = case.data["target"]
    for key, node in target.items():
        if key in ("sources", "note", "description"):
            continue
        if catalogue()[f"target.{key}"].type == "records":
            values[f"target.{key}"] = _doc_records(target, key, ("target",))
        else:
            values[f"target.{key}"] = node
        origin[f"target.{key}"] = ("target", key)
    country = target.get("country")
    values["target.in_eu"] = None if country is None else country in EU_MEMBERS
    origin["target.in_eu"] = ("target", "country")
    data = target.get("data")
    if data is not None:
        partial = isinstance(data, PartialList)
        values["target.data_categories"] = (PartialList if partial else list)(d["category"] for d in data)
        counts = [d.get("subjects") for d in data]
        known = [c for c in counts if c is not None]
        if known:
            values["target.data_subjects"] = highest(known, len(known) == len(counts) and not partial)
        elif not data and not partial:
            values["target.data_subjects"] = 0
        origin["target.data_categories"] = origin["target.data_subjects"] = ("target", "data")

    tx = case.data.get("transaction") or {}
    for key, node in tx.items():
        if key not in ("sources", "note", "value_local"):
            values[f"transaction.{key}"] = node
            origin[f"transaction.{key}"] = ("transaction", key)
    derive_transaction(tx, values, origin)
    _reasons(case, values, origin, own)
    values["mitigations"] = _doc_records(case.data, "mitigations", ())
    return Facts(values, origin, subject=inv.name, ownership=own)


def _group_facts(case: Case, values: dict[str, Any], origin: dict[str, DocPath]) -> None:
    group = group_of(case)
    complete = group_complete(group)
    values["group.complete"] = complete
    values["group.size"] = len(group) if complete else None
    rows, countries, kinds = [], [], []
    lists: dict[str, list[dict[str, Any]]] = {"listings": [], "state_links": [], "conduct": []}
    unknown: set[str] = set()  # record lists some group entity does not give
    partial = complete is not True
    state_pcts: list[float | None] = []
    for entity, depth in group:
        rows.append(
            {
                "id": entity.id,
                "name": entity.name,
                "country": entity.country,
                "kind": entity.kind,
                "depth": depth,
                "state_ownership_pct": entity.state_ownership_pct,
                DOC: ("entities", str(entity.index)),
            }
        )
        partial |= entity.country is None or entity.kind is None
        countries.append(entity.country)
        kinds.append(entity.kind)
        state_pcts.append(entity.state_ownership_pct)
        for key in lists:
            recs = _records(getattr(entity, key), ("entities", str(entity.index), key), entity=entity.id)
            if recs is None or (entity.id, key) in case.partial_records:
                unknown.add(key)
            if recs is not None:
                lists[key].extend(recs)
    values["group.entities"] = PartialList(rows) if complete is not True else rows
    make = PartialList if partial else list
    values["group.countries"] = make(sorted({c for c in countries if c}))
    values["group.kinds"] = make(sorted({k for k in kinds if k}))
    for key in ("listings", "state_links", "conduct"):
        values[f"group.{key}"] = (PartialList if partial or key in unknown else list)(lists[key])
    known = [p for p in state_pcts if p is not None]
    if known:
        values["group.state_ownership_pct"] = highest(known, len(known) == len(state_pcts) and not partial)
    where = ("entities", str(case.investor.index))
    for key in _GROUP_FACTS:
        if key in values:
            origin.setdefault(key, where)


_GROUP_FACTS = (
    "group.complete",
    "group.size",
    "group.entities",
    "group.countries",
    "group.kinds",
    "group.listings",
    "group.state_links",
    "group.conduct",
    "group.state_ownership_pct",
)
_OWNERSHIP_FACTS = (
    "ownership.state_equity_pct",
    "ownership.state_voting_pct",
    "ownership.state_interest_in_target_pct",
    "ownership.state_controls",
    "ownership.foreign_state_substantial_interest",
    "ownership.controlling_states",
    "ownership.controlled",
    "ownership.states",
    "ownership.ultimate_controllers",
)


def _ownership_facts(case: Case, values: dict[str, Any], origin: dict[str, DocPath]) -> Any:
    """Effective interests, control and state attribution (see screening.case.ownership)."""
    from screening.case.ownership import analyse

    own = analyse(case)
    decided = own.complete is True and not own.missing

    def highest(numbers: list[float | None]) -> float | None:
        if not numbers:
            return 0.0 if decided else None
        known = [n for n in numbers if n is not None]
        if len(known) == len(numbers) and not any(isinstance(n, AtLeast) for n in known) and decided:
            return values_highest(known) if known else 0.0
        top = max((least(n) or 0.0 for n in known), default=0.0)
        return AtLeast(top) if top > 0 else None

    def any_true(flags: list[bool | None]) -> bool | None:
        if any(f is True for f in flags):
            return True
        return False if all(f is False for f in flags) and decided else None

    values["ownership.state_equity_pct"] = highest([s.equity_pct for s in own.states])
    values["ownership.state_voting_pct"] = highest([s.voting_pct for s in own.states])
    values["ownership.state_interest_in_target_pct"] = highest([s.in_target_voting_pct for s in own.states])
    values["ownership.state_controls"] = any_true([s.controls for s in own.states])
    values["ownership.foreign_state_substantial_interest"] = any_true([s.substantial_interest for s in own.states])
    controlling = sorted(s.state for s in own.states if s.controls)
    values["ownership.controlling_states"] = controlling if decided and not own.possible else PartialList(controlling)
    values["ownership.controlled"] = True if own.controllers else (False if decided and not own.possible else None)
    rows = [
        {
            "state": s.state,
            "equity_pct": s.equity_pct,
            "voting_pct": s.voting_pct,
            "controls": s.controls,
            "in_target_voting_pct": s.in_target_voting_pct,
            "substantial_interest": s.substantial_interest,
        }
        for s in own.states
    ]
    values["ownership.states"] = rows if decided else PartialList(rows)
    ultimate = []
    for eid in own.ultimate_controllers:
        entity = case.entities.get(eid)
        ultimate.append(
            {
                "id": eid,
                "name": entity.name if entity else f"the state of {state_of(eid)}",
                "kind": entity.kind if entity else "state_body",
                "country": entity.country if entity else state_of(eid),
            }
        )
    if own.possible:  # others may control on the upper ends of stakes given as bounds
        values["ownership.ultimate_controllers"] = PartialList(ultimate)
    else:
        values["ownership.ultimate_controllers"] = ultimate if decided or ultimate else None
    for key in _OWNERSHIP_FACTS:
        origin.setdefault(key, ("ownership",))
    return own


def _reasons(case: Case, values: dict[str, Any], origin: dict[str, DocPath], own: Any) -> None:
    """Who the investor answers to, whose state, sanctions ownership, control reached (screening.case.reasons)."""
    from screening.case import reasons

    reasons.derive(case, values, own)
    for key in reasons.FACTS:
        origin.setdefault(key, ("transaction",) if key.startswith("transaction.") else ("ownership",))


def derive_transaction(tx: dict[str, Any], values: dict[str, Any], origin: dict[str, DocPath]) -> None:
    """Add the facts derived from a transaction's terms (stake acquired, votes, control) to ``values``."""
    after, before = tx.get("stake_after_pct"), tx.get("stake_before_pct")
    if before is None and tx.get("kind") == "greenfield":
        before = 0
    if after is not None and before is not None:
        values["transaction.stake_acquired_pct"] = difference(after, before)
        origin["transaction.stake_acquired_pct"] = ("transaction", "stake_after_pct")
    votes = tx.get("voting_after_pct", after)
    votes_before = tx.get("voting_before_pct", before)
    for key, value, given in (
        ("votes_before_pct", votes_before, "voting_before_pct"),
        ("votes_after_pct", votes, "voting_after_pct"),
    ):
        if value is not None:
            values[f"transaction.{key}"] = value
            origin[f"transaction.{key}"] = ("transaction", given if given in tx else given.replace("voting", "stake"))
    seats, size = tx.get("board_seats"), tx.get("board_size")
    board_majority = _more_than_half(seats, size)
    if majority(votes) is True or board_majority:
        control: bool | None = True
    elif majority(votes) is False and board_majority is False:
        control = False
    else:
        control = None
    values["transaction.control"] = control
    origin["transaction.control"] = ("transaction",)
    # Control is acquired when the investor did not hold a majority of the votes before; an investor
    # already in control that adds to its stake acquires nothing new.
    if control is True and majority(votes_before) is not None:
        acquired: bool | None = not majority(votes_before)
    else:
        acquired = False if control is False else None
    values["transaction.control_acquired"] = acquired
    origin["transaction.control_acquired"] = ("transaction",)


def _more_than_half(part: Any, whole: Any) -> bool | None:
    """Whether ``part`` (a number or a bound) is more than half of ``whole``; None when not known."""
    if part is None or whole is None:
        return None
    p, w = ends(part), ends(whole)
    if p.low is not None and w.high is not None and p.low * 2 > w.high:
        return True
    if p.high is not None and w.low is not None and p.high * 2 <= w.low:
        return False
    return None


def plain(value: Any) -> Any:
    """Record values without internal keys, as JSON-ready data (a bound or a range of days as written)."""
    if isinstance(value, (Interval, DayRange)):
        return value.written()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not k.startswith("@")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value
