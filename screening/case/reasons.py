"""Facts the risk rules read to judge a case by the factors authorities cite (documented in docs/scoring.md).

* **Who the investor answers to** (``ownership.attached``): the investor itself, every entity (or state) that
  controls it, and every *material holder*: an entity with 25% or more of the investor's votes or equity,
  counted through the chain (the EU beneficial-owner line, Dir. 2015/849 Art. 3(6)(a)(i) and Reg. 2024/1624
  Art. 52: multiplied along each chain, added across chains; the UK NSIA s.8 and CA 2006 s.283 blocking
  line), or 10% or more together with a golden share, a veto or a board-appointment right (AWV §56(3);
  31 CFR 800.211(b)). A 2% holder three levels up is none of these: nationality-based factors read this
  fact, not every country anywhere in the group. Each record gives the entity's ``headquarters`` (where it is
  run; its country when none is given) beside its ``country``. Watchlist matches (``group.watchlist_hits``)
  and conduct records (``group.conduct``) carry the same ``role`` (``other`` for an entity that is none of
  these).
* **Whose state** (``relation`` on ``ownership.state_holders``, ``ownership.state_entities`` and
  ``ownership.state_links``): ``host`` (the target's own state), ``internal_market`` (an EU/EEA state when
  the target is in the EU/EEA; for a German target the EFTA states too, AWV §55(2)), or ``third_country``.
  State entities and state links carry the ``role`` of their entity as in ``ownership.attached`` (``other``
  for an entity known to be none of these, unknown while its stakes leave that open): a state reaches the
  investor through those who control it or hold a material stake in it, not through a 2% holder.
* **Sanctions ownership** (``ownership.sanctioned``): ``listed``; ``owned`` (listed persons, and entities
  they own or control, hold 50% or more of the investor in aggregate: propagated layer by layer, never
  multiplied, as in OFAC's 2014 guidance and the EU's 2024 Best Practices); ``controlled`` (a listed person
  controls it); ``material_holder``; ``minor_holder``; ``none``.
* **Control reached** (``transaction.control_reached``): the levels of one ordinal scale the transaction
  reaches, built on the same ``transaction.control`` the filing triggers read: ``qualifying`` (10%) <
  ``influence`` (20% of votes, more than 25% of equity, a board seat, a veto) < ``negative`` (more than 25%
  with a veto over budget, business plan, strategy or senior appointments) or ``joint`` < ``sole`` <
  ``full`` (75%, special resolutions alone). A lease or concession of ten years or more under which the
  investor operates or holds the asset is control of the asset (``sole``). A level that the terms do not
  rule out is unknown, not absent.
* **The day judged** (``case.day``): the day (or range of days) the case is judged on, for factors that
  exist only from a date.
* **A pattern of acquisitions** (``group.sector_acquisitions``, ``group.host_sector_acquisitions``): the
  earlier acquisitions (conduct of kind ``acquisition``) of the investor and its controllers that share a
  sector with the target, within ten years before the day judged, and of those the ones in the target's
  country (US EO 14083 Sec. 2(c); UK NSIA section 3 statement).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from screening.case.catalogue import EU_MEMBERS
from screening.case.model import STATE_KINDS, Case, complete_of, group_of, state_of
from screening.case.values import BOUNDS, INF, DayRange, Interval, PartialList, bounds

MATERIAL_PCT = 25.0
"""Votes or equity that make a holder material: the EU beneficial-owner line (AMLD Art. 3(6); AMLR Art. 52)."""
QUALIFYING_PCT = 10.0
"""With a special right, the holding that makes a holder material (the FDI entry threshold; AWV §56(3))."""
SPECIAL_RIGHTS = frozenset(
    {"golden_share", "veto", "board_appointment", "board_majority", "stated_control", "board_seat"}
)
BLOCKING_PCT = 50.0
"""Aggregate holdings of listed persons that make an entity their property (OFAC 2014; EU Best Practices 2024)."""
LASTING_LEASE_YEARS = 10.0
"""A lease or concession this long is 'lasting' (Reg. 2019/452 Art. 2(1) speaks of lasting and direct links)."""
EU = EU_MEMBERS
EEA = EU | {"IS", "LI", "NO"}
EFTA = frozenset({"IS", "LI", "NO", "CH"})
SANCTIONS_LISTS = frozenset({"un_sanctions", "eu_sanctions", "uk_sanctions", "us_sdn", "other_sanctions"})
STRATEGIC_VETOES = frozenset({"budget", "business_plan", "strategy", "senior_appointments"})
DOC = "@doc"
DOCS = "@docs"
"""Key under which a computed record keeps the places of the records it was worked out from (its sources are
theirs): a state's holding cites the state's bodies and the ownership edges along its chains."""
"""Key under which a record keeps its place in the case document (as screening.case.facts.DOC): evidence cites
the record's sources and shows its confidence."""
LEVELS = ("qualifying", "influence", "negative", "joint", "sole", "full")
OPERATING_ROLES = frozenset({"owner", "self", "operator", "concession_holder", "lessee"})
"""The target's roles towards an asset under which a lease or concession of the target hands the investor the
asset's use: the target holds or runs it (a tenant, supplier or builder beside the asset does not)."""
PATTERN_YEARS = 10
CONDUCT_YEARS = 10
"""A violation or proceeding counts as the investor's conduct for this long before the day judged (``recent``):
twice the longest exclusion for past misconduct in EU procurement law (Dir. 2014/24/EU Art. 57(7): five years
from a conviction, three from the event); the pack's judgement, not a figure in screening law."""
"""How far back an earlier acquisition counts towards a pattern in one sector (the pack's judgement of 'recent')."""

FACTS = (
    "ownership.attached",
    "ownership.state_holders",
    "ownership.state_entities",
    "ownership.state_links",
    "ownership.sanctioned",
    "transaction.control_reached",
    "ownership.controlled_from_abroad",
    "target.host_security_customer",
    "case.day",
    "group.sector_acquisitions",
    "group.host_sector_acquisitions",
)
SECURITY_CUSTOMERS = frozenset({"defence", "intelligence", "law_enforcement"})


def relation(state: str | None, host: str | None) -> str | None:
    """``host``, ``internal_market`` or ``third_country``: what a state is to the target's country."""
    if state is None or host is None:
        return None
    if state == host:
        return "host"
    if host in EEA and (state in EEA or (host == "DE" and state in EFTA)):
        return "internal_market"
    return "third_country"


def _low(x: Any) -> float | None:
    if x is None:
        return None
    if not isinstance(x, BOUNDS):  # a plain number is its own least
        return float(x)
    low = bounds(x)[0]
    return None if low is None else float(low)


def _exact(x: Any) -> bool:
    if x is None:
        return False
    if not isinstance(x, BOUNDS):  # a plain number is both its ends
        return bool(x == x)
    low, high = bounds(x)
    return low is not None and low == high


def _share(edge: Any, votes: bool) -> Any:
    return (edge.voting_pct if edge.voting_pct is not None else edge.equity_pct) if votes else edge.equity_pct


def _interests(case: Case, members: set[str], votes: bool) -> dict[str, tuple[float, bool]]:
    """Each member's effective interest in the investor (multiplied along chains, added across them: the fixed
    point x = d + A x, found by iteration, which converges since each holding is at most 100%), as (lower
    bound, exact)."""
    inv = case.investor_id
    if len(members) == 1 and inv in members:  # the investor alone: no one else holds an interest in it
        return {}
    edges = []
    for e in case.ownership:
        if e.owner in members and e.owned in members and e.owner != inv:
            share = _share(e, votes)
            edges.append((e.owner, e.owned, _low(share), _exact(share)))
    out: dict[str, list[tuple[str, float | None]]] = {}
    indegree = dict.fromkeys(members, 0)
    for owner, owned, pct, _known in edges:
        out.setdefault(owner, []).append((owned, pct))
        indegree[owned] += 1
    order = [m for m in members if indegree[m] == 0]  # owners before what they own (Kahn)
    for node in order:
        for owned, _pct in out.get(node, ()):
            indegree[owned] -= 1
            if indegree[owned] == 0:
                order.append(owned)
    value = dict.fromkeys(members, 0.0)
    value[inv] = 100.0
    if len(order) == len(members):  # no cycle: one pass, what is owned first
        for node in reversed(order):
            if node != inv:
                value[node] = sum((pct or 0.0) * value[owned] / 100 for owned, pct in out.get(node, ()))
    else:  # a cross-holding: the fixed point by iteration
        for _ in range(min(len(members) + 1, 1000)):
            new = dict.fromkeys(members, 0.0)
            new[inv] = 100.0
            for owner, owned, pct, _known in edges:
                new[owner] += (pct or 0.0) * value[owned] / 100
            done = all(abs(new[m] - value[m]) < 1e-9 for m in members)
            value = new
            if done:
                break
    reaches = {inv}
    changed = True
    while changed:  # the members with a chain down to the investor
        changed = False
        for owner, owned, _pct, _known in edges:
            if owned in reaches and owner not in reaches:
                reaches.add(owner)
                changed = True
    exact = dict.fromkeys(members, True)
    changed = True
    while changed:  # an unknown stake makes every interest through it a lower bound
        changed = False
        for owner, owned, _pct, known in edges:
            if exact[owner] and owned in reaches and (not known or not exact[owned]):
                exact[owner] = False
                changed = True
    return {m: (min(value[m], 100.0), exact[m]) for m in members if m != inv}


def derive(case: Case, values: dict[str, Any], own: Any) -> None:
    """Add the facts above to ``values`` (``own``: the case's screening.case.ownership.Ownership)."""
    group = group_of(case)
    members = {e.id for e, _ in group}
    complete = complete_of(case) is True and not own.missing
    host = case.data["target"].get("country")
    make = list if complete else PartialList
    controllers = set(own.controllers)

    # who the investor answers to
    out_of: dict[str, list[Any]] = {}
    for edge in case.ownership:
        out_of.setdefault(edge.owner, []).append(edge)
    eq = _interests(case, members, False)
    # an edge without votes of its own votes its equity: with none given, the voting interests are the same
    vo = eq if all(e.voting_pct is None for e in case.ownership) else _interests(case, members, True)
    attached: list[dict[str, Any]] = []
    inv = case.investor
    attached.append(
        {
            "id": inv.id,
            "name": inv.name,
            "kind": inv.kind,
            "country": inv.country,
            "headquarters": inv.headquarters or inv.country,
            "role": "investor",
            DOC: ("entities", str(inv.index)),
        }
    )
    undecided = False
    minor: set[str] = set()  # group entities known to be neither controllers nor material holders
    for entity, _depth in group:
        if entity.id == inv.id:
            continue
        (e_low, e_exact), (v_low, v_exact) = eq.get(entity.id, (0.0, True)), vo.get(entity.id, (0.0, True))
        rights = {r for edge in out_of.get(entity.id, ()) for r in edge.rights} & SPECIAL_RIGHTS
        if entity.id in controllers:
            role = "controller"
        elif max(e_low, v_low) >= MATERIAL_PCT or (rights and max(e_low, v_low) >= QUALIFYING_PCT):
            role = "holder"
        else:
            undecided |= not (e_exact and v_exact)
            if e_exact and v_exact:
                minor.add(entity.id)
            continue
        attached.append(
            {
                "id": entity.id,
                "name": entity.name,
                "kind": entity.kind,
                "country": entity.country,
                "headquarters": entity.headquarters or entity.country,
                "role": role,
                "equity_pct": round(e_low, 6),
                "voting_pct": round(v_low, 6),
                DOC: ("entities", str(entity.index)),
            }
        )
    for s in own.states:
        low = _low(s.voting_pct)
        if s.controls or (low is not None and low >= MATERIAL_PCT):
            attached.append(
                {
                    "id": f"state:{s.state}",
                    "name": f"the state of {s.state}",
                    "kind": "state_body",
                    "country": s.state,
                    "headquarters": s.state,
                    "role": "controller" if s.controls else "holder",
                    "voting_pct": low,
                }
            )
    # one record per role, country and kind: what the rules ask; a chain of 500 controllers is not listed 500 times
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for a in attached:
        key = (a["role"], a["country"], a["headquarters"], a["kind"])
        if key not in seen:
            seen.add(key)
            kept.append(a)
    values["ownership.attached"] = (list if complete and not undecided else PartialList)(kept)

    # whose state
    edges = {(e.owner, e.owned): e for e in case.ownership}
    values["ownership.state_holders"] = make(
        {
            "state": s.state,
            "relation": relation(s.state, host),
            "equity_pct": s.equity_pct,
            "voting_pct": s.voting_pct,
            "controls": s.controls,
            DOCS: _holding_records(case, s, edges),  # evidence cites the state's bodies and the holdings that give it
        }
        for s in own.states
    )
    links = []
    roles = {a["id"]: a["role"] for a in attached}

    def role_of(eid: Any) -> str | None:  # unknown (None) for an entity whose stakes leave its role open
        return roles.get(eid) or ("other" if eid in minor or eid not in members else None)

    values["ownership.state_entities"] = make(
        {
            "id": e.id,
            "kind": e.kind,
            "depth": depth,
            "state": e.country,
            "relation": relation(e.country, host),
            "role": role_of(e.id),  # a state body above the investor counts where it controls or holds materially
            DOC: ("entities", str(e.index)),  # evidence cites the state entity's own record, not the investor's
        }
        for e, depth in group
        if e.kind in STATE_KINDS
    )

    hits = values.get("group.watchlist_hits")
    if hits is not None:  # whose match it is: IC-016 weighs the investor, its controllers and material holders
        values["group.watchlist_hits"] = [{**h, "role": role_of(h["entity"])} for h in hits]
    conduct = values.get("group.conduct")
    if conduct is not None:  # whose record it is: IC-020 weighs the investor, its controllers and material holders
        values["group.conduct"] = type(conduct)(
            {**c, "role": role_of(c.get("entity")), "recent": _recent(c, case.day)} for c in conduct
        )
    for e, depth in group:
        for i, link in enumerate(e.state_links or ()):
            links.append(
                {
                    **link,
                    DOC: ("entities", str(e.index), "state_links", str(link.get("@at", i))),
                    "entity": e.id,
                    "depth": depth,
                    "role": role_of(e.id),
                    "relation": relation(link.get("state"), host),
                }
            )
    known_links = complete and all(e.state_links is not None for e, _ in group)
    values["ownership.state_links"] = (list if known_links else PartialList)(links)

    values["ownership.controlled_from_abroad"] = _from_abroad(case, own, host, complete)
    values["target.host_security_customer"] = _host_security_customer(case, host)
    values["ownership.sanctioned"] = _sanctioned(case, group, members, controllers, attached, complete)
    values["transaction.control_reached"] = control_reached(case, values)
    values["case.day"] = None if case.day is None else _day(*case.day)
    sector, in_host = _acquisitions(case, group, roles, host, complete)
    values["group.sector_acquisitions"], values["group.host_sector_acquisitions"] = sector, in_host


def _recent(record: dict[str, Any], day: tuple[str, str] | None) -> bool | None:
    """Whether a conduct record dates from within CONDUCT_YEARS before the day judged: true when every day of
    its date does, false when none does, unknown when it is undated or the window's edge falls inside its
    dates."""
    when = record.get("date", record.get("since"))
    if when is None or day is None:
        return None
    first, last = (when.first, when.last) if isinstance(when, DayRange) else (when, when)
    if first >= _years_before(day[1], CONDUCT_YEARS):
        return True
    if last < _years_before(day[0], CONDUCT_YEARS):
        return False
    return None


def _day(first: str, last: str) -> str | DayRange:
    return first if first == last else DayRange(first, last, f"between {first} and {last}")  # shown as days


@lru_cache(maxsize=1024)  # a batch asks the same few days again and again
def _years_before(day: str, years: int) -> str:
    """The same day ``years`` earlier (28 February for 29 February), or the first day of the calendar when
    that is earlier still (a case judged in the first years of the era)."""
    d = dt.date.fromisoformat(day)
    if d.year - years < dt.MINYEAR:
        return dt.date.min.isoformat()
    try:
        return d.replace(year=d.year - years).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28).isoformat()


def _acquisitions(
    case: Case, group: list[Any], roles: dict[str, str], host: str | None, complete: bool
) -> tuple[Any, Any]:
    """How many earlier acquisitions (conduct of kind ``acquisition``) by the investor and its controllers share
    a sector with the target and fall within PATTERN_YEARS before the day the case is judged on; and how many
    of those were in the target's country. A count that records not given or not dated could raise is a lower
    bound (an interval open above; unknown while none is known), never a wrong exact figure."""
    sectors = set(case.data["target"].get("sectors") or ())
    if not sectors or case.day is None:
        return None, None
    since_first, since_last = _years_before(case.day[0], PATTERN_YEARS), _years_before(case.day[1], PATTERN_YEARS)
    count = in_host = 0
    open_count, open_host = not complete, not complete
    for entity, _depth in group:
        if roles.get(entity.id) not in ("investor", "controller"):
            continue
        if entity.conduct is None or (entity.id, "conduct") in case.partial_records:
            open_count = open_host = True
        for record in entity.conduct or ():
            if record.get("kind") != "acquisition" or not sectors & set(record.get("sectors") or ()):
                continue
            when = record.get("date", record.get("since"))
            first, last = (when.first, when.last) if isinstance(when, DayRange) else (when, when)
            if first is None or last is None or (first < since_last and last >= since_first):
                open_count = open_host = True  # undated, or the window's edge falls inside its dates
                continue
            if last < since_first:
                continue
            count += 1
            if record.get("country") is None:
                open_host = True
            elif record["country"] == host:
                in_host += 1

    def shown(n: int, open_above: bool) -> Any:
        if not open_above:
            return n
        return Interval(float(n), INF, text={"at_least": n}) if n else None  # at least 0 says nothing

    return shown(count, open_count), shown(in_host, open_host)


def _from_abroad(case: Case, own: Any, host: str | None, complete: bool) -> bool | None:
    """Whether control passes abroad: the investor's ultimate controllers are of another country than the
    target, or the investor is a foreign company no one from the host country is known to control. Allies
    and EU states count like any other country, as in defence and security-of-supply reviews."""
    if host is None:
        return None
    top = [state_of(c) or (case.entities[c].country if c in case.entities else None) for c in own.ultimate_controllers]
    if any(c is not None and c != host for c in top):
        return True
    country = case.investor.country
    if not top:
        if country is not None and country != host:
            return True
        return False if complete and country == host else None
    if all(c == host for c in top):
        return False
    return None


def _host_security_customer(case: Case, host: str | None) -> bool | None:
    """Whether the target supplies the host country's armed forces, intelligence or police."""
    contracts = case.data["target"].get("government_contracts")
    if contracts is None:
        return None
    security = [c for c in contracts if c.get("customer") in SECURITY_CUSTOMERS]
    if any(c.get("country") == host and host is not None for c in security):
        return True
    if any(c.get("country") is None or host is None for c in security):
        return None
    return False


def _listed(entity: Any) -> bool | None:
    if entity.listings is None:
        return None
    return any(rec.get("list") in SANCTIONS_LISTS for rec in entity.listings)


def _sanctioned(
    case: Case,
    group: list[Any],
    members: set[str],
    controllers: set[str],
    attached: list[dict[str, Any]],
    complete: bool,
) -> str | None:
    """The investor's status under the owned-or-controlled test, layer by layer (see the module's notes)."""
    found = [(e.id, _listed(e)) for e, _ in group]
    listed = {eid for eid, on in found if on}
    maybe_listed = {eid for eid, on in found if on is None}
    blocked, maybe = set(listed), set(maybe_listed)
    changed = bool(blocked or maybe) and bool(case.ownership)  # without holdings nothing passes on
    # each holding read once: its owner, the equity it surely carries, the most it could, whether it controls
    into: dict[str, list[tuple[str, float, float, bool]]] = {}
    for edge in case.ownership if changed else ():
        if edge.owned not in members:
            continue
        low = _low(edge.equity_pct) or 0.0
        into.setdefault(edge.owned, []).append(
            (edge.owner, low, low if _exact(edge.equity_pct) else 100.0, edge.controlling)
        )
    # a fixed point: an entity owned 50% or more, or controlled, by blocked ones is blocked; both sets only grow
    # (an entity blocked leaves maybe for blocked), so the order in which the held members are visited does not
    # change where it ends
    while changed:
        changed = False
        for m, holders in into.items():
            if m in blocked:
                continue
            held_by = [h for h in holders if h[0] in blocked or h[0] in maybe]
            if not held_by:
                continue
            sure = [h for h in held_by if h[0] in blocked]
            held = sum(h[1] for h in sure)
            could = sum(h[2] for h in held_by)
            if held >= BLOCKING_PCT or any(h[3] for h in sure):
                blocked.add(m)
                maybe.discard(m)
                changed = True
            elif m not in maybe and (could >= BLOCKING_PCT or any(h[3] for h in held_by)):
                maybe.add(m)
                changed = True
    inv = case.investor_id
    if inv in listed:
        return "listed"
    if inv in blocked:
        return "controlled" if edge_controls(case, inv, blocked) else "owned"
    if controllers & blocked:
        return "controlled"
    if inv in maybe or controllers & maybe:
        return None
    if listed:
        material = {a["id"] for a in attached if a["role"] in ("holder", "controller")}
        return "material_holder" if listed & material else "minor_holder"
    if maybe_listed or not complete:
        return None
    return "none"


def edge_controls(case: Case, owned: str, blocked: set[str]) -> bool:
    """Whether blocked owners hold ``owned`` by a control right rather than by 50% of its equity."""
    into = [edge for edge in case.ownership if edge.owned == owned and edge.owner in blocked]
    return sum(_low(edge.equity_pct) or 0.0 for edge in into) < BLOCKING_PCT and any(e.controlling for e in into)


def control_reached(case: Case, values: dict[str, Any]) -> list[str]:
    """Every control level the transaction reaches (module notes), lowest first: a PartialList when a higher
    level is not ruled out (the votes, whether the investor gets control, or a lease's term are not known)."""
    tx = case.data.get("transaction") or {}
    control = values.get("transaction.control")
    if tx.get("kind") == "lease_or_concession":
        return _with_stated_control(_lease_reached(case, tx), control, values.get("transaction.control_kind"))
    votes = _low(values.get("transaction.votes_after_pct"))
    stake = _low(tx.get("stake_after_pct"))
    reached: set[str] = set()
    joint = values.get("transaction.control_kind") == "joint" or control == "joint"
    sole = (control is True or control == "sole") and not joint
    if sole:
        reached |= {"qualifying", "influence", "negative", "sole"}
        if votes is not None and votes >= 75:
            reached.add("full")
    if joint:
        reached |= {"qualifying", "influence", "joint"}
    vetoes = set(tx.get("veto_rights") or ())
    if votes is not None and votes > 25 and vetoes & STRATEGIC_VETOES:
        reached |= {"qualifying", "influence", "negative"}
    if (
        (votes is not None and votes >= 20)
        or (stake is not None and stake > 25)
        or (_low(tx.get("board_seats")) or 0) >= 1
        or bool(vetoes)
    ):
        reached |= {"qualifying", "influence"}
    if (votes is not None and votes >= 10) or (stake is not None and stake >= 10):
        reached.add("qualifying")
    # what is not reached is only ruled out when the terms say so
    exact = votes is not None and (sole or joint or control is not None)
    ordered = [lv for lv in LEVELS if lv in reached]
    return ordered if exact else PartialList(ordered)


def _with_stated_control(lease: list[str], control: Any, kind: Any) -> list[str]:
    """A lease's levels, with those of the control the case states (``transaction.control``, which the filing
    triggers read): risk and filings never disagree on whether a lease gives control. Sole control is a lease's
    top level, so a stated sole control leaves nothing open."""
    joint = kind == "joint" or control == "joint"
    if (control is True or control == "sole") and not joint:
        stated = {"qualifying", "influence", "negative", "sole"}
    elif joint:
        stated = {"qualifying", "influence", "joint"}
    else:
        return lease
    merged = [lv for lv in LEVELS if lv in stated or lv in lease]
    return PartialList(merged) if isinstance(lease, PartialList) and "sole" not in merged else merged


def _lease_reached(case: Case, tx: dict[str, Any]) -> list[str]:
    """A lease or concession gives control of the asset, not of a company: sole when it is lasting (ten years
    or more) over an asset the target holds or runs, with more than half of it when shared; influence for a
    shorter one; nothing for a tenancy beside the asset (CA-008 weighs that)."""
    assets = case.data["target"].get("critical_infrastructure")
    roles = {a.get("role") for a in assets or ()}
    if not roles & OPERATING_ROLES:
        return PartialList() if assets is None else []  # no asset recorded is not no asset
    years = _low(tx.get("lease_years"))
    if years is None:
        return PartialList()
    if years < LASTING_LEASE_YEARS:
        return ["qualifying", "influence"]
    share = _low(tx.get("stake_after_pct"))
    if share is not None and share <= 50:
        return ["qualifying", "influence"]
    return ["qualifying", "influence", "negative", "sole"]


def _holding_records(case: Case, interest: Any, edges: dict[tuple[str, str], Any]) -> tuple[tuple[str, ...], ...]:
    """The case records a state's interest comes from: its bodies' entity records (a share stated on an entity,
    ``state:XX``, is that entity's record) and the ownership edges along its listed chains (``edges``: the case's
    ownership edges by owner and owned)."""
    paths: list[tuple[str, ...]] = []
    for body in interest.bodies:
        entity = case.entities.get(body)
        if entity is not None:
            paths.append(("entities", str(entity.index)))
    for chain in interest.chains:
        for owner, owned in zip(chain.entities, chain.entities[1:], strict=False):
            edge = edges.get((owner, owned))
            if edge is not None:
                paths.append(("ownership", str(edge.index)))
    for body in interest.bodies:  # a share stated on an entity (state:XX): the records that state it
        if body.startswith("state:"):
            paths += [
                ("entities", str(e.index))
                for e in case.entities.values()
                if e.country == interest.state and e.state_ownership_pct is not None
            ]
    paths += [tuple(link["path"]) for link in interest.links if link.get("path")]
    return tuple(dict.fromkeys(paths))
