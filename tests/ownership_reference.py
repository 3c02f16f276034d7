"""The ownership analysis as first written, kept as the oracle of tests/test_ownership.py.

It follows the definitions literally: the fixed point by iteration, each entity's control closure by
sweeping all holdings until nothing changes, chains by following every simple path. That is easy to
check by hand, and exponential or cubic in the shape of the group (a ladder of owners, a long chain),
so screening.case.ownership computes the same answers another way; property tests compare the two on small
random groups. Only its ``analyse`` is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from screening.case.model import CONTROL_RIGHTS, Case, group_complete, group_of
from screening.case.values import AtLeast

SUBSTANTIAL_STATE_VOTES = 49.0
"""31 CFR 800.244: a foreign government's 49% or more voting interest in the investor is substantial."""
SUBSTANTIAL_INVESTOR_VOTES = 25.0
"""31 CFR 800.244: with the investor's 25% or more voting interest in the US business."""
MAX_PATHS = 20
TOL = 1e-12


class Link(NamedTuple):
    """One holding used by the analysis (an ownership edge, or a state's stated share of an entity)."""

    owner: str
    owned: str
    equity: float | None
    votes: float | None
    rights: frozenset[str]
    edge: int | None
    """Index in the case's ``ownership`` list, or None for a stated state share."""


class Chain(NamedTuple):
    """A simple chain of holdings from an owner down to the investor."""

    entities: tuple[str, ...]
    """Owner first, investor last."""
    equity_pct: float | None
    """Product of the stakes along the chain; None when a stake on it is unknown."""


class Interest(NamedTuple):
    """An owner's effective interest in the investor."""

    owner: str
    name: str
    kind: str | None
    country: str | None
    equity_pct: float | None
    """Integrated equity interest; an ``AtLeast`` when it is a lower bound, None when unknown."""
    voting_pct: float | None
    controls: bool | None
    chains: tuple[Chain, ...]
    in_target_voting_pct: float | None = None
    """Its voting interest in the target after the transaction, through the investor."""


class StateInterest(NamedTuple):
    """What one state holds of, and can do with, the investor."""

    state: str
    """ISO country code."""
    bodies: tuple[str, ...]
    """Entity ids of its bodies in the group (``state:XX`` for a stated share)."""
    equity_pct: float | None
    voting_pct: float | None
    controls: bool | None
    chains: tuple[Chain, ...]
    links: tuple[dict[str, Any], ...]
    """State links of this state on group entities, with the entity id and sources."""
    in_target_voting_pct: float | None
    """Its voting interest in the target after the transaction."""
    substantial_interest: bool | None
    """CFIUS substantial interest: 49% of the investor's votes, the investor 25% of the target's."""


class Ownership(NamedTuple):
    investor: str
    complete: bool | None
    owners: tuple[Interest, ...]
    """Ultimate owners (entities with no owner above them), highest interest first."""
    controllers: tuple[str, ...]
    """Every entity (or ``state:XX``) that controls the investor."""
    ultimate_controllers: tuple[str, ...]
    states: tuple[StateInterest, ...]
    missing: tuple[str, ...]
    """What the analysis lacks: edges without percentages, entities whose owners are unknown."""
    controlled: dict[str, frozenset[str]]
    """For each entity, the entities it controls."""
    possible: tuple[str, ...] = ()
    """Controllers on the upper ends of stakes given as bounds only (none here: the reference takes numbers)."""

    def state(self, code: str) -> StateInterest | None:
        return next((s for s in self.states if s.state == code), None)


def analyse(case: Case) -> Ownership:
    """The ownership analysis of ``case``'s investor."""
    group = group_of(case)
    members = {e.id for e, _ in group}
    links = _links(case, members)
    nodes = sorted(members | {lk.owner for lk in links})
    controlled = {n: frozenset(_closure(links, {n}) - {n}) for n in nodes}
    inv = case.investor_id
    controllers = tuple(sorted(n for n in nodes if inv in controlled[n]))
    ultimate = tuple(
        c
        for c in controllers  # not controlled by another controller (unless they control each other)
        if not any(c in controlled[d] and d not in controlled[c] for d in controllers if d != c)
    )
    complete = group_complete(group)
    missing = _missing(case, links, group)
    owned_by = {n for lk in links for n in [lk.owned]}
    roots = [n for n in nodes if n not in owned_by and n != inv]
    # control not found is only "no control" when the group is complete and every stake in it is known
    undecided = complete is not True or any(lk.votes is None and not lk.rights for lk in links)
    unknown_above = complete is not True
    owners = []
    in_target = _in_target(case)
    interest = _Interests(links, inv, unknown_above)
    for root in roots:
        equity, votes, chains = interest({root})
        entity = case.entities.get(root)
        owners.append(
            Interest(
                root,
                entity.name if entity else f"the state of {root[6:]}",
                entity.kind if entity else "state_body",
                entity.country if entity else root[6:],
                equity,
                votes,
                _decided(inv in controlled[root], undecided),
                chains,
                _through(votes, in_target),
            )
        )
    owners.sort(key=lambda o: (-(o.equity_pct or 0.0), o.owner))
    states = _states(case, links, nodes, inv, undecided, interest, controlled)
    return Ownership(inv, complete, tuple(owners), controllers, ultimate, states, missing, controlled)


def _links(case: Case, members: set[str]) -> list[Link]:
    out = [
        Link(
            e.owner,
            e.owned,
            e.equity_pct,
            e.voting_pct if e.voting_pct is not None else e.equity_pct,
            frozenset(e.rights),
            e.index,
        )
        for e in case.ownership
        if e.owned in members
    ]
    itemised = {lk.owned for lk in out}
    for eid in sorted(members):
        entity = case.entities[eid]
        if eid not in itemised and entity.state_ownership_pct and entity.country and entity.kind != "state_body":
            pct = float(entity.state_ownership_pct)
            out.append(Link(f"state:{entity.country}", eid, pct, pct, frozenset(), None))
    return out


def _closure(links: Iterable[Link], bloc: set[str]) -> set[str]:
    """``bloc`` and every entity it controls, directly or through what it controls."""
    bloc = set(bloc)
    into: dict[str, list[Link]] = {}
    for lk in links:
        into.setdefault(lk.owned, []).append(lk)
    changed = True
    while changed:
        changed = False
        for owned, holders in into.items():
            if owned in bloc:
                continue
            mine = [lk for lk in holders if lk.owner in bloc]
            votes = sum(lk.votes for lk in mine if lk.votes is not None)
            if votes > 50 or any(lk.rights & CONTROL_RIGHTS for lk in mine):
                bloc.add(owned)
                changed = True
    return bloc


def _interest(
    links: list[Link], sources: set[str], target: str, unknown_above: bool
) -> tuple[float | None, float | None, tuple[Chain, ...]]:
    """Integrated equity and voting interest of ``sources`` (together) in ``target``, and the chains."""
    chains = _chains(links, sources, target)
    if not chains:
        return (None, None, ()) if unknown_above else (0.0, 0.0, ())
    out: list[float | None] = []
    done: dict[tuple[float | None, ...], float | None] = {}
    for field in ("equity", "votes"):
        stakes = tuple(getattr(lk, field) for lk in links)
        if stakes in done:  # votes are the equity where no link gives them apart: the same sums
            out.append(done[stakes])
            continue
        low = _fixed_point(links, sources, target, field, unknown=0.0)
        # with every stake known, the bounds of the unknown stakes make no difference
        high = _fixed_point(links, sources, target, field, unknown=100.0) if None in stakes else low
        # all of the entity is all there is: nothing unknown, above or beside, can add to it
        exact = low >= 100.0 - 1e-9 or (abs(high - low) < 1e-9 and not unknown_above)
        value = round(low, 6)
        out.append(done.setdefault(stakes, value if exact else (AtLeast(value) if value > 0 else None)))
    return out[0], out[1], chains


def _fixed_point(links: list[Link], sources: set[str], target: str, field: str, unknown: float) -> float:
    """x = d + A x: sources hold 100% of themselves; every other entity what flows into it."""
    weights = [
        (lk.owner, lk.owned, (getattr(lk, field) if getattr(lk, field) is not None else unknown) / 100)
        for lk in links
        if lk.owned not in sources
    ]
    x: dict[str, float] = dict.fromkeys(sources, 100.0)
    for _ in range(10_000):
        new = dict.fromkeys(sources, 100.0)
        for owner, owned, w in weights:
            if owner in x and w:
                new[owned] = new.get(owned, 0.0) + x[owner] * w
        if all(abs(new.get(k, 0.0) - x.get(k, 0.0)) < TOL for k in set(new) | set(x)):
            x = new
            break
        x = new
    return min(100.0, x.get(target, 0.0))


def _chains(links: list[Link], sources: set[str], target: str) -> tuple[Chain, ...]:
    """Simple chains (no entity twice) from any source to ``target``, at most MAX_PATHS."""
    above: dict[str, list[Link]] = {}
    for lk in links:
        above.setdefault(lk.owned, []).append(lk)
    found: list[Chain] = []

    def walk(node: str, path: tuple[str, ...], pct: float | None) -> None:
        if len(found) >= MAX_PATHS:
            return
        if node in sources:
            found.append(Chain(path, None if pct is None else round(pct, 6)))
            return
        for lk in sorted(above.get(node, ()), key=lambda lk: lk.owner):
            if lk.owner not in path:
                share = None if pct is None or lk.equity is None else pct * lk.equity / 100
                walk(lk.owner, (lk.owner,) + path, share)

    walk(target, (target,), 100.0)
    return tuple(sorted(found, key=lambda c: (-(c.equity_pct or 0.0), c.entities)))


def _in_target(case: Case) -> float | None:
    """The investor's voting interest in the target after the transaction (its stake when votes are not given)."""
    tx = case.data.get("transaction") or {}
    return tx.get("votes_after_pct", tx.get("stake_after_pct"))


def _through(votes: float | None, in_target: float | None) -> float | None:
    """An interest in the investor carried through to the target."""
    if votes is None or in_target is None:
        return None
    value = round(votes * in_target / 100, 6)
    return AtLeast(value) if isinstance(votes, AtLeast) else value


def _decided(value: bool, undecided: bool) -> bool | None:
    return True if value else (None if undecided else False)


def _missing(case: Case, links: list[Link], group: list[Any]) -> tuple[str, ...]:
    out = []
    for lk in links:
        if lk.edge is not None and lk.equity is None and lk.votes is None and not lk.rights:
            out.append(f"stake of {_name(case, lk.owner)} in {_name(case, lk.owned)} (ownership[{lk.edge}])")
    for entity, _ in group:
        if not entity.terminal and entity.owners_complete is not True and not case.owners_of(entity.id):
            out.append(f"owners of {entity.name}")
    return tuple(out)


def _name(case: Case, eid: str) -> str:
    entity = case.entities.get(eid)
    return entity.name if entity else f"the state of {eid[6:]}"


class _Interests:
    """``_interest`` of sets of entities in the investor, each set worked out once per analysis."""

    def __init__(self, links: list[Link], investor: str, unknown_above: bool):
        self.links, self.investor, self.unknown_above = links, investor, unknown_above
        self.done: dict[frozenset[str], tuple[float | None, float | None, tuple[Chain, ...]]] = {}

    def __call__(self, sources: set[str]) -> tuple[float | None, float | None, tuple[Chain, ...]]:
        key = frozenset(sources)
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = _interest(self.links, set(sources), self.investor, self.unknown_above)
        return found


def _states(
    case: Case,
    links: list[Link],
    nodes: list[str],
    inv: str,
    undecided: bool,
    interest: _Interests,
    controlled: dict[str, frozenset[str]],
) -> tuple[StateInterest, ...]:
    unknown_above = interest.unknown_above
    bodies: dict[str, list[str]] = {}
    for n in nodes:
        entity = case.entities.get(n)
        if entity is None and n.startswith("state:"):
            bodies.setdefault(n[6:], []).append(n)
        elif entity is not None and entity.kind == "state_body" and entity.country:
            bodies.setdefault(entity.country, []).append(n)
    group_ids = set(nodes)
    links_by_state: dict[str, list[dict[str, Any]]] = {}
    for n in nodes:
        entity = case.entities.get(n)
        for i, link in enumerate(entity.state_links or ()) if entity else ():
            links_by_state.setdefault(link["state"], []).append(
                {**link, "entity": n, "path": ("entities", str(entity.index), "state_links", str(i))}
            )
    in_target = _in_target(case)
    target_country = case.data["target"].get("country")
    out = []
    for state in sorted(set(bodies) | set(links_by_state)):
        own = set(bodies.get(state, ()))
        if own:
            equity, votes, chains = interest(own)
            # one body controls what its closure holds; a bloc of bodies is worked out together
            bloc = controlled[next(iter(own))] if len(own) == 1 else _closure(links, own)
            controls = _decided(inv in own or inv in bloc, undecided)
        else:
            equity = votes = None
            chains = ()
            controls = None if undecided else False
            if not unknown_above:
                equity = votes = 0.0
        through = _through(votes, in_target)
        substantial: bool | None = None
        if state != target_country:
            if votes is not None and votes >= SUBSTANTIAL_STATE_VOTES and in_target is not None:
                substantial = in_target >= SUBSTANTIAL_INVESTOR_VOTES
            elif votes is not None and not isinstance(votes, AtLeast) and votes < SUBSTANTIAL_STATE_VOTES:
                substantial = False
            elif in_target is not None and in_target < SUBSTANTIAL_INVESTOR_VOTES:
                substantial = False
        else:
            substantial = False
        out.append(
            StateInterest(
                state,
                tuple(sorted(own & group_ids)),
                equity,
                votes,
                controls,
                chains,
                tuple(links_by_state.get(state, ())),
                through,
                substantial,
            )
        )
    out.sort(key=lambda s: (-(s.voting_pct or 0.0), s.state))
    return tuple(out)
