"""Turn a Case into the flat facts rules read: one value per catalogue path, None when unknown.

Aggregates over the investor's group that may be missing members are *partial*
(PartialList, AtLeast): a match found in them is certain, a match not found is unknown.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from screening import EMPTY
from screening.case import ownership, reasons, territory, tracing
from screening.case.catalogue import EU_MEMBERS, LIST_TYPES
from screening.case.dated import AT
from screening.case.model import CONTROL_RIGHTS, Case, DocPath, complete_of, group_of, majority, state_of
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
    by_value: dict[str, dict[Any, tuple[DocPath, ...]]] = EMPTY
    """Fact path -> value (or item of a list value) -> the places in the case document it came from: a
    ``group.*`` fact cites the entity that gave the value (the state-owned parent), not the investor."""

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
    out = [{**rec, DOC: base + (key, str(rec.get(AT, i)))} for i, rec in enumerate(value)]
    return PartialList(out) if isinstance(value, PartialList) else out


_INVESTOR_KEYS = tuple(
    (key, f"investor.{key}")
    for key in (
        "id",
        "name",
        "country",
        "headquarters",
        "nationality",
        "kind",
        "lei",
        "registration_number",
        "cfius_excepted",
        "cfius_fund_exception",
        "cfius_gp_government_interest",
        "eu_sensitive_investments",
        "au_passive_fund",
        "au_agreement_investor",
        "au_india_threshold",
        "au_government_interest_pct",
        "au_aggregate_government_interest_pct",
        "au_associates",
    )
)
"""The investor's own fields that are facts as the case writes them (with ``state_ownership_pct`` and
``owners_complete``, which the dated or confidence view may change, the ``investor.*`` figures)."""
_INVESTOR_FIRST, _INVESTOR_REST = _INVESTOR_KEYS[:6], _INVESTOR_KEYS[6:]
"""The fields written before the view's two figures, and those after."""
_TRANSACTION_LEFT = frozenset(("sources", "note", "value_local"))
"""The transaction's keys that are no facts."""
_TARGET_LEFT = frozenset(("sources", "note", "description", "parts", *territory.KEYS))
"""The target's keys that are no facts as the case writes them (the whole group's are worked out)."""


def build_facts(case: Case, hits: list[Any] | None = None, *, sources: bool = True) -> Facts:
    """Compute every catalogue fact of ``case``.

    ``hits`` are watchlist hits on the group's entities (``screening.case.watchlists.Hit``); None means the
    group was not screened against any list, so the hits are unknown. Without ``sources`` the facts' places in
    the case document are not worked out (``origin`` and ``by_value`` are left empty): the values are the same,
    for a caller that cites no evidence (a batch row, screening.decision.brief).
    """
    values: dict[str, Any] = {}
    origin: dict[str, DocPath] = {}  # without sources: a scratch dict the helpers' few writes go to
    inv = case.investor
    inv_doc: DocPath = ("entities", str(inv.index))
    inv_data = case.data["entities"][inv.index]
    get = inv_data.get
    # the entity's own figures as the dated or confidence view leaves them
    for key, name in _INVESTOR_FIRST:
        values[name] = get(key)
    values["investor.state_ownership_pct"] = inv.state_ownership_pct
    values["investor.owners_complete"] = inv.owners_complete
    for key, name in _INVESTOR_REST:
        values[name] = get(key)
    partial = case.partial_records
    for key in ("listings", "state_links", "conduct"):
        values[f"investor.{key}"] = _records(
            getattr(inv, key), inv_doc + (key,), (inv.id, key) in partial if partial else False, entity=inv.id
        )
    screened = lists_screened(case.data)
    if screened is not None and type(values["investor.listings"]) is list:
        values["investor.listings"] = checked(values["investor.listings"], screened)
    values["investor.in_eu"] = None if inv.country is None else inv.country in EU_MEMBERS
    if sources:
        for key in _INVESTOR_FIELDS:
            origin[f"investor.{key}"] = inv_doc + (key,)
        origin["investor.in_eu"] = inv_doc + ("country",)

    by_value = _group_facts(case, values, origin, sources)
    own = _ownership_facts(case, values, origin, sources)
    if hits is not None:
        values["group.watchlist_hits"] = hit_records(hits)
        origin["group.watchlist_hits"] = ("entities",)

    _target_facts(case.data["target"], values, origin, sources)
    tx = case.data.get("transaction") or {}
    for key, node in tx.items():
        if key not in _TRANSACTION_LEFT:
            values[f"transaction.{key}"] = node
            if sources:
                origin[f"transaction.{key}"] = ("transaction", key)
    values["transaction.co_investors"] = _co_investors(case, tx)
    derive_transaction(tx, values, origin)
    _co_investor_facts(case, values, origin)
    _reasons(case, values, origin, own, sources)
    values["mitigations"] = _doc_records(case.data, "mitigations", ())
    if not sources:
        return Facts(values, subject=inv.name, ownership=own)
    return Facts(values, origin, subject=inv.name, ownership=own, by_value=by_value)


_INVESTOR_FIELDS = (*(key for key, _ in _INVESTOR_KEYS[:6]), "state_ownership_pct", "owners_complete") + tuple(
    key for key, _ in _INVESTOR_KEYS[6:]
)
"""The investor's fields that are facts, in the order their facts are written."""


def hit_records(hits: list[Any]) -> list[dict[str, Any]]:
    """Watchlist hits (screening.case.watchlists.Hit) as the records of ``group.watchlist_hits``."""
    return [
        {
            "entity": h.entity,
            "name": h.entity_name,
            "lists": list(h.entry.lists),
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


def lists_screened(data: dict[str, Any]) -> dict[str, frozenset[str]] | None:
    """What the case's ``lists_checked`` make complete: the lists checked, and the kinds of list (sanctions,
    export_control, ...) all of whose lists were; None when every list counts as checked (no
    ``lists_checked``, the format-1 meaning of ``listings: []``, or ``list: all``)."""
    given = data.get("lists_checked")
    if given is None or any(c["list"] == "all" for c in given):
        return None
    lists = frozenset(c["list"] for c in given)
    types = frozenset(
        t for t in set(LIST_TYPES.values()) if all(name in lists for name, kind in LIST_TYPES.items() if kind == t)
    )
    return {"list": lists, "type": types}


def checked(records: list[dict[str, Any]], complete_on: dict[str, frozenset[str]]) -> PartialList:
    """Listings known for the lists checked only: a test on a list checked is decided, on another unknown
    (screening.conditions.operators.covered)."""
    out = PartialList(records)
    setattr(out, "complete_on", complete_on)  # noqa: B010  # an attribute of this list alone
    return out


def _target_facts(
    target: dict[str, Any], values: dict[str, Any], origin: dict[str, DocPath], sources: bool = True
) -> None:
    """The target's facts: the whole group's (the target's own and every part's, see screening.case.territory)."""
    own = territory.holder(target, ("target",))
    for key, node in target.items():
        if key in _TARGET_LEFT:
            continue
        values[f"target.{key}"] = node
        if sources:
            origin[f"target.{key}"] = ("target", key)
    values["target.parts"] = territory.parts(target)
    values.update(territory.combine(values["target.parts"] if values["target.parts"] is not None else [], own))
    values[territory.OWN] = own
    if sources:
        for key in territory.LISTS + territory.RECORDS + territory.AMOUNTS + ("parts",):
            origin[f"target.{key}"] = ("target", key)
        origin["target.data_categories"] = origin["target.data_subjects"] = ("target", "data")
        for key in territory.SCALE_FACTS:
            origin[key] = ("target", "scale")
    country = target.get("country")
    values["target.in_eu"] = None if country is None else country in EU_MEMBERS
    origin["target.in_eu"] = ("target", "country")
    values["target.countries"] = territory.countries_of(values)
    origin["target.countries"] = ("target",)
    # as its own country's regime sees it; each other regime's view says how it lies there
    values["target.presence"], values["target.local_business"] = territory.presence(
        values, () if country is None else (country,), []
    )
    values["target.local_entity"] = territory.local_entity(values, () if country is None else (country,), [])
    origin["target.presence"] = origin["target.local_business"] = origin["target.local_entity"] = ("target",)


def _group_facts(
    case: Case, values: dict[str, Any], origin: dict[str, DocPath], sources: bool = True
) -> dict[str, dict[Any, tuple[DocPath, ...]]]:
    """The ``group.*`` facts, and for each where its values came from (see ``Facts.by_value``)."""
    group = group_of(case)
    came: dict[str, dict[Any, list[DocPath]]] = {"group.countries": {}, "group.kinds": {}}
    state_at: dict[Any, list[DocPath]] = {}
    open_at: dict[bool | None, list[DocPath]] = {}
    complete = complete_of(case)
    values["group.complete"] = complete
    values["group.size"] = len(group) if complete else None
    rows, countries, kinds = [], [], []
    lists: dict[str, list[dict[str, Any]]] = {"listings": [], "state_links": [], "conduct": []}
    unknown: set[str] = set()  # record lists some group entity does not give
    partial = complete is not True
    state_pcts: list[float | None] = []
    members = {entity.id for entity, _ in group}
    holdings: dict[str, list[Any]] = {}  # each member's edges into another member (one pass: groups can be huge)
    for edge in case.ownership:
        if edge.owner in members and edge.owned in members:
            holdings.setdefault(edge.owner, []).append(edge)
    partial_records = case.partial_records
    for entity, depth in group:
        held = holdings.get(entity.id, [])
        at: DocPath = ("entities", str(entity.index))
        rows.append(
            {
                "id": entity.id,
                "name": entity.name,
                "country": entity.country,
                **({"headquarters": entity.headquarters} if entity.headquarters else {}),
                "kind": entity.kind,
                "depth": depth,
                "state_ownership_pct": entity.state_ownership_pct,
                "holds_pct": _largest_holding(held),
                "control_rights": bool(held) and any(set(e.rights) & CONTROL_RIGHTS for e in held),
                DOC: at,
            }
        )
        partial |= entity.country is None or entity.kind is None
        if sources:
            for fact, key, given in (
                ("group.countries", "country", entity.country),
                ("group.kinds", "kind", entity.kind),
            ):
                if given:
                    came[fact].setdefault(given, []).append(at + (key,))
            if entity.state_ownership_pct is not None:
                state_at.setdefault(entity.state_ownership_pct, []).append(at + ("state_ownership_pct",))
            if not entity.terminal and entity.owners_complete is not True:
                open_at.setdefault(entity.owners_complete, []).append(at + ("owners_complete",))
        countries.append(entity.country)
        kinds.append(entity.kind)
        state_pcts.append(entity.state_ownership_pct)
        for key in lists:
            recs = _records(getattr(entity, key), at + (key,), entity=entity.id)
            if recs is None or (entity.id, key) in partial_records:
                unknown.add(key)
            if recs is not None:
                lists[key].extend(recs)
    values["group.entities"] = PartialList(rows) if complete is not True else rows
    make = PartialList if partial else list
    values["group.countries"] = make(sorted({c for c in countries if c}))
    values["group.kinds"] = make(sorted({k for k in kinds if k}))
    for key in ("listings", "state_links", "conduct"):
        values[f"group.{key}"] = (PartialList if partial or key in unknown else list)(lists[key])
    screened = lists_screened(case.data)
    if screened is not None and not isinstance(values["group.listings"], PartialList):
        values["group.listings"] = checked(values["group.listings"], screened)
    known = [p for p in state_pcts if p is not None]
    if known:
        values["group.state_ownership_pct"] = highest(known, len(known) == len(state_pcts) and not partial)
    if not sources:
        return {}
    where = ("entities", str(case.investor.index))
    for key in _GROUP_FACTS:
        if key in values:
            origin.setdefault(key, where)
    out = {fact: {v: tuple(paths) for v, paths in by.items()} for fact, by in came.items()}
    if known:
        top = max(known, key=_by_ends)  # a bound by its ends: the highest stake shown, as `highest` reads it
        out["group.state_ownership_pct"] = {values["group.state_ownership_pct"]: tuple(state_at[top])}
    if complete is not True and open_at.get(complete):
        out["group.complete"] = {complete: tuple(open_at[complete])}
    return out


def _by_ends(value: Any) -> tuple[float, float]:
    span = ends(value)
    return (span.low if span.low is not None else 0.0, span.high if span.high is not None else 0.0)


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
    "ownership.foreign_states_equity_pct",
    "ownership.foreign_states_voting_pct",
    "ownership.au_traced_government_pct",
    "ownership.au_traced_aggregate_government_pct",
    "ownership.au_traced_government_pct_from_2021",
    "ownership.au_traced_aggregate_government_pct_from_2021",
    "ownership.au_associates_stated",
    "ownership.ultimate_controllers",
    "ownership.supervising_states",
)


def _ownership_facts(case: Case, values: dict[str, Any], origin: dict[str, DocPath], sources: bool = True) -> Any:
    """Effective interests, control and state attribution (see screening.case.ownership)."""
    own = ownership.analyse(case)  # looked up on its module at each call, as a test replaces it
    decided = own.complete is True and not own.missing

    def highest(numbers: list[float | None]) -> float | None:
        if not numbers:
            return 0.0 if decided else None
        known = [n for n in numbers if n is not None]
        if decided and len(known) == len(numbers) and not any(isinstance(n, AtLeast) for n in known):
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
    possible = getattr(own, "possible", ())  # controllers only on the upper ends of bounded stakes
    values["ownership.controlling_states"] = controlling if decided and not possible else PartialList(controlling)
    values["ownership.controlled"] = True if own.controllers else (False if decided and not possible else None)
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
    # FATR s.17(1)(b)(ii): governments of several countries with an aggregate interest; each regime's view
    # of a target placed in another country works the sum out again (screening.case.territory.view)
    values.update(territory.foreign_states(values["ownership.states"], case.data["target"].get("country")))
    # FATA s.19: each foreign government's interest traced through the chain, as Australia's Act counts it;
    # FATR s.17(1)(b)(ii): the governments of several countries together, each traced the same way; from 1
    # January 2021 (FATR s.17(2)) the same with the passive funds of the chain not foreign government investors
    # (a range where the case does not say whether an entity is one); FATA s.6: whether the governments'
    # associates are stated, so that the traced figures are the Act's count
    traced = tracing.figures(case)
    values["ownership.au_traced_government_pct"] = traced.government
    values["ownership.au_traced_aggregate_government_pct"] = traced.aggregate
    values["ownership.au_traced_government_pct_from_2021"] = traced.government_2021
    values["ownership.au_traced_aggregate_government_pct_from_2021"] = traced.aggregate_2021
    values["ownership.au_associates_stated"] = traced.associates_stated
    ultimate = []
    for eid in own.ultimate_controllers:
        entity = case.entities.get(eid)
        ultimate.append(
            {
                "id": eid,
                "name": entity.name if entity else f"the state of {state_of(eid)}",
                "kind": entity.kind if entity else "state_body",
                "country": entity.country if entity else state_of(eid),
                **({"headquarters": entity.headquarters} if entity and entity.headquarters else {}),
            }
        )
    if own.possible or (ultimate and not decided):
        # others may control on the upper ends of stakes given as bounds; and where the chain is not complete,
        # an owner the case does not name may control the investor too, or control a controller it names
        values["ownership.ultimate_controllers"] = PartialList(ultimate)
    else:
        values["ownership.ultimate_controllers"] = ultimate if decided or ultimate else None
    supervising = sorted({link["state"] for s in own.states for link in s.links if link["kind"] == "supervision"})
    values["ownership.supervising_states"] = supervising if own.complete is True else PartialList(supervising)
    if sources:
        for key in _OWNERSHIP_FACTS:
            origin.setdefault(key, ("ownership",))
    return own


def derive_foreign_states(values: dict[str, Any]) -> dict[str, Any]:
    """A fragment's fact values (a rule's example, a pack test) with ``ownership.foreign_states_*_pct`` worked
    out from the ``ownership.states`` and ``target.country`` it gives, as from a case file, unless it gives them."""
    if "ownership.states" not in values or "ownership.foreign_states_equity_pct" in values:
        return values
    found = territory.foreign_states(values["ownership.states"], values.get("target.country"))
    return {**{k: v for k, v in found.items() if v is not None}, **values}


def _reasons(case: Case, values: dict[str, Any], origin: dict[str, DocPath], own: Any, sources: bool = True) -> None:
    """Who the investor answers to, whose state, sanctions ownership, control reached (screening.case.reasons)."""
    reasons.derive(case, values, own)
    if not sources:
        return
    for key in reasons.FACTS:
        origin.setdefault(key, ("transaction",) if key.startswith("transaction.") else ("ownership",))


KIND_READ_AS = {"asset_deal": "asset_purchase", "indirect_acquisition": "acquisition"}
"""Kinds of transaction that regimes and rules read as another: an asset deal is an asset purchase; an
indirect acquisition (through a foreign parent) acquires the target all the same (``transaction.indirect``
keeps it apart)."""
_SEAT_RIGHTS = frozenset(("board_seat", "board_appointment", "board_majority"))
"""Rights that give the investor a seat on the board."""
CONTROL_WORDS = {"sole": True, "joint": True, "none": False}
"""``transaction.control`` as the sources give it: sole or joint control is control (the investor decides,
alone or with named others), none is not."""


def derive_transaction(tx: dict[str, Any], values: dict[str, Any], origin: dict[str, DocPath]) -> None:
    """Add the facts derived from a transaction's terms (stake acquired, votes, control) to ``values``."""
    kind = tx.get("kind")
    steps = tx.get("steps") or []
    if kind is not None:
        values["transaction.indirect"] = kind == "indirect_acquisition"
        values["transaction.staged"] = kind == "staged"
        read = KIND_READ_AS.get(kind, kind)
        if kind == "staged":  # a staged deal is read as its last step (an acquisition when the steps do not say)
            read = next((s["kind"] for s in reversed(steps) if s.get("kind")), "acquisition")
            read = KIND_READ_AS.get(read, read)
        values["transaction.kind"] = read
        for key in ("kind", "indirect", "staged"):
            origin[f"transaction.{key}"] = ("transaction", "kind")
    after, before = tx.get("stake_after_pct"), tx.get("stake_before_pct")
    voting_after = tx.get("votes_after_pct")
    last = next((s for s in reversed(steps) if s.get("stake_after_pct") is not None), None)
    if after is None and last is not None:  # a staged deal ends at its last step's stake
        after = values["transaction.stake_after_pct"] = last["stake_after_pct"]
        if voting_after is None and last.get("votes_after_pct") is not None:
            voting_after = last["votes_after_pct"]
        origin["transaction.stake_after_pct"] = ("transaction", "steps")
    if before is None and kind == "greenfield":
        before = 0
    if after is not None and before is not None:
        values["transaction.stake_acquired_pct"] = difference(after, before)
        origin["transaction.stake_acquired_pct"] = ("transaction", "stake_after_pct")
    votes = voting_after if voting_after is not None else after
    votes_before = tx.get("votes_before_pct", before)
    for key, value in (("votes_before_pct", votes_before), ("votes_after_pct", votes)):
        if value is not None:
            values[f"transaction.{key}"] = value
            origin[f"transaction.{key}"] = ("transaction", key if key in tx else key.replace("votes", "stake"))
    rights = set(tx.get("rights") or ())
    seats, size = tx.get("board_seats"), tx.get("board_size")
    if seats is None and rights & _SEAT_RIGHTS:
        seats = values["transaction.board_seats"] = AtLeast(1)  # a seat is given, how many is not
        origin["transaction.board_seats"] = ("transaction", "rights")
    if "observer" in rights and tx.get("board_observer") is None:
        values["transaction.board_observer"] = True
        origin["transaction.board_observer"] = ("transaction", "rights")
    board_majority = _more_than_half(seats, size)
    values["transaction.board_beyond_votes"] = _beyond(seats, size, votes)
    origin["transaction.board_beyond_votes"] = ("transaction", "board_seats")
    word = CONTROL_WORDS.get(tx.get("control", ""))
    by_right = bool(rights & CONTROL_RIGHTS) or "board_majority" in rights
    most = majority(votes)
    if most is True or board_majority or by_right or word is True:
        control: bool | None = True
    elif word is False or (most is False and board_majority is False):
        control = False
    else:
        control = None
    values["transaction.control"] = control
    origin["transaction.control"] = ("transaction",)
    stated: str | None = tx.get("control")
    if stated is None and control is True:
        stated = "joint" if "joint_control" in rights else "sole"
    values["transaction.control_kind"] = stated
    origin["transaction.control_kind"] = ("transaction", "control") if "control" in tx else ("transaction",)
    # Control is acquired when the investor did not hold a majority of the votes before; an investor
    # already in control that adds to its stake acquires nothing new.
    most_before = majority(votes_before) if control is True else None
    if most_before is not None:
        acquired: bool | None = not most_before
    else:
        acquired = False if control is False else None
    values["transaction.control_acquired"] = acquired
    origin["transaction.control_acquired"] = ("transaction",)


def _co_investors(case: Case, tx: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The co-investors' records, each with its entity's name, country, kind and whether a state holds it."""
    given = tx.get("co_investors")
    if given is None:
        return None
    out = PartialList() if isinstance(given, PartialList) else []  # partial: one left out below a confidence
    for i, co in enumerate(given):
        entity = case.entities[co["entity"]]
        out.append(
            {
                **co,
                "name": entity.name,
                "country": entity.country,
                "headquarters": entity.headquarters,
                "kind": entity.kind,
                "state_owned": _state_owned(case, co["entity"]),
                DOC: ("transaction", "co_investors", str(i)),
            }
        )
    return out


def _state_owned(case: Case, entity_id: str) -> bool | None:
    """Whether a state holds any of the entity, going up its own chain: a state body or state-owned company
    in it, a stated state share, or a state shareholder link."""
    group = group_of(case, entity_id)
    for entity, _ in group:
        if entity.kind in ("state_body", "soe", "sovereign_fund") or (least(entity.state_ownership_pct) or 0) > 0:
            return True
        if any(link["kind"] in ("state_shareholder", "golden_share") for link in entity.state_links or ()):
            return True
    known = all(e.kind is not None and e.state_links is not None for e, _ in group)
    return False if complete_of(case, entity_id) is True and known else None


def _co_investor_facts(case: Case, values: dict[str, Any], origin: dict[str, DocPath]) -> None:
    """The co-investors' countries (up their chains), state ownership, and the stake they hold with the investor."""
    records = values.get("transaction.co_investors")
    where: DocPath = ("transaction", "co_investors")
    for key in ("co_investor_countries", "co_investors_state_owned", "combined_stake_after_pct"):
        origin[f"transaction.{key}"] = where
    if records is None:
        values["transaction.co_investor_countries"] = values["transaction.co_investors_state_owned"] = None
        values["transaction.combined_stake_after_pct"] = None
        return
    countries: list[str] = []
    complete = not isinstance(records, PartialList)
    for rec in records:
        group = group_of(case, rec["entity"])
        complete &= complete_of(case, rec["entity"]) is True
        for entity, _ in group:
            countries += [c for c in (entity.country, entity.headquarters) if c]
            complete &= entity.country is not None
    found = sorted(set(countries))
    values["transaction.co_investor_countries"] = found if complete else PartialList(found)
    owned = [rec["state_owned"] for rec in records]
    values["transaction.co_investors_state_owned"] = (
        True if True in owned else (False if all(o is False for o in owned) and complete else None)
    )
    stakes = [values.get("transaction.stake_after_pct")] + [rec.get("stake_after_pct") for rec in records]
    stakes += [None] if isinstance(records, PartialList) else []
    values["transaction.combined_stake_after_pct"] = territory.total(stakes)


def _largest_holding(edges: list[Any]) -> float | None:
    """The largest share of the votes or equity an entity holds in another entity of the group (0 for the
    investor, which holds none); None when an edge gives neither."""
    if not edges:
        return 0.0
    found = [p for e in edges for p in (e.voting_pct, e.equity_pct) if p is not None]
    if any(e.voting_pct is None and e.equity_pct is None for e in edges):
        return None
    return values_highest(found)


def _beyond(seats: Any, size: Any, votes: Any) -> bool | None:
    """Whether the share of the board's seats the investor appoints exceeds its share of the votes (AWV §56(3)
    Nr. 1: seats beyond what the votes carry); None when not known."""
    if seats is None:
        return None
    s = ends(seats)
    if s.high is not None and s.high == 0:
        return False
    if size is None or votes is None:
        return None
    v = ends(votes)
    w = ends(size)
    if s.low is not None and w.high and v.high is not None and s.low * 100 / w.high > v.high:
        return True
    if s.high is not None and w.low and v.low is not None and s.high * 100 / w.low <= v.low:
        return False
    return None


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
    """Record values without internal keys, as JSON-ready data (a bound or a range of days as written; a number
    computed to be at least x as ``{at_least: x}``, never as x itself)."""
    if isinstance(value, (Interval, DayRange, AtLeast)):
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
