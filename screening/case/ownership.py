"""Who really stands behind the investor: effective interests, control and state attribution.

Semantics (documented in docs/ownership.md):

* **Effective interest** is *integrated ownership* (Brioschi, Buzzacchi and Colombo, 1989): an owner's
  stakes are multiplied along every chain and summed across parallel chains, and chains that run round
  a cross-holding are counted too, so the interest is the fixed point ``x = d + A x``. It is computed for
  equity and for votes (an edge without voting figures votes its equity).
* An edge whose percentage is not given is **unknown, not zero**: interests through it, and interests
  in a group not documented up to its ultimate owners, are lower bounds (``AtLeast``), and the analysis
  lists what is missing.
* **Control**: an entity controls another when it, together with the entities it already controls,
  holds a majority of the votes, or holds a golden share, a veto, a board-appointment or a board-majority
  right over it. Control is transitive; the *ultimate controllers* are the controllers of the investor
  that no other controller controls.
* **States** are state bodies (by their country), and, for an entity whose owners are not itemised
  but whose state ownership is stated, the state of its country holding that share. Each state's bodies
  act together: the state controls an entity when they and what they control hold a majority of votes
  or a control right.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.case import holdings
from screening.case.model import (
    CONTROL_RIGHTS,
    STATE,
    Case,
    complete_of,
    group_complete,
    group_of,
    majority,
    state_id,
    state_of,
)
from screening.case.values import BOUNDS, AtLeast, Interval, ends

SUBSTANTIAL_STATE_VOTES = 49.0
"""31 CFR 800.244: a foreign government's 49% or more voting interest in the investor is substantial."""
SUBSTANTIAL_INVESTOR_VOTES = 25.0
"""31 CFR 800.244: with the investor's 25% or more voting interest in the US business."""
MAX_PATHS = 20
"""Chains listed per owner and per state; the others are counted (``ChainCount``)."""


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


class ChainCount(NamedTuple):
    """How many simple chains lead from an owner (or a state's bodies) to the investor."""

    total: int
    exact: bool
    """False when ``total`` is a lower bound (chains round cycles, too many to follow)."""

    def more(self, listed: int) -> int:
        """How many are not among the ``listed`` ones."""
        return max(0, self.total - listed)


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
    chain_count: ChainCount = ChainCount(0, True)
    """How many chains there are; ``chains`` lists the first MAX_PATHS."""


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
    chain_count: ChainCount = ChainCount(0, True)
    """How many chains there are; ``chains`` lists the first MAX_PATHS."""


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
    possible: tuple[str, ...] = ()
    """Entities (or ``state:XX``) that control the investor on the upper ends of stakes given as bounds but
    not on their lower ends: whether they control it is unknown."""

    def state(self, code: str) -> StateInterest | None:
        return next((s for s in self.states if s.state == code), None)


def analyse(case: Case) -> Ownership:
    """The ownership analysis of ``case``'s investor.

    Interests are monotone in every stake, so a case whose stakes are bounds (``{between: [63, 64]}``,
    ``majority``) is analysed twice, on the lower ends and on the upper ends: an interest is the interval
    between the two answers, control is certain when it holds on the lower ends and ruled out when it fails
    on the upper ones.
    """
    for quick in (_alone, _held_by_its_state, _state_body_alone):
        alone = quick(case)
        if alone is not None:
            return alone
    group = group_of(case)
    members = {e.id for e, _ in group}
    if not _bounded(case, members):
        return _analyse(case, group, members, _links(case, members, 0))
    low = _analyse(case, group, members, _links(case, members, 0))
    high = _analyse(case, group, members, _links(case, members, 1))
    return _merge(low, high)


class _Unheld(NamedTuple):
    """What ``_states`` reads of the interests when no state body is in the group."""

    unknown_above: bool


def _alone(case: Case) -> Ownership | None:
    """The analysis of an investor no one is known to hold, worked out without the holdings graph (most cases
    of a batch): no ownership edge above it, no state stake of its own to itemise, not a state body itself. It
    has no owners and no controllers; its states are those of its state links. None for any other investor.
    The same answer as the general analysis (tests/test_batch_fast.py compares them)."""
    inv = case.investor
    if case.owners_of(inv.id) or inv.kind == "state_body":
        return None
    pct = inv.state_ownership_pct
    if isinstance(pct, BOUNDS) or (pct and inv.country):
        return None
    group = [(inv, 0)]
    complete = group_complete(group)
    undecided = complete is not True
    interest: Any = _Unheld(complete is not True)
    states = _states(case, None, [], [inv.id], inv.id, undecided, interest)  # type: ignore[arg-type]
    return Ownership(inv.id, complete, (), (), (), states, _missing(case, [], group))


class _OneHolder(NamedTuple):
    """What ``_states`` reads of the interests when the investor's one holder is its state's stated share."""

    unknown_above: bool
    at: dict[str, int]
    investor: int
    found: tuple[float | None, float | None, tuple[Chain, ...], ChainCount]

    def __call__(self, sources: set[int]) -> tuple[float | None, float | None, tuple[Chain, ...], ChainCount]:
        return self.found


def _held_by_its_state(case: Case) -> Ownership | None:
    """The analysis of an investor no one is known to hold but its own state, for the share of it the case
    states (a state-owned company given alone, as most of a batch's are), worked out without the holdings
    graph: one holding of that share, equity and votes alike, and no control right. None for any other
    investor. The same answer as the general analysis (tests/test_batch_fast.py compares them)."""
    inv = case.investor
    pct = inv.state_ownership_pct
    if not pct or not inv.country or isinstance(pct, BOUNDS) or inv.kind == "state_body":
        return None
    state = state_id(inv.country)
    if case.owners_of(inv.id) or state in case.entities or inv.id.startswith(STATE):
        return None
    stake = float(pct)
    group = [(inv, 0)]
    complete = group_complete(group)
    undecided = complete is not True
    share = min(100.0, 100.0 * (stake / 100))
    value = round(share, 6)
    interest = value if not undecided or value >= 100.0 else (AtLeast(value) if value > 0 else None)
    controls = stake > 50
    nodes = sorted((inv.id, state))
    at = {n: i for i, n in enumerate(nodes)}
    chains = (Chain((state, inv.id), round(100.0 * stake / 100, 6)),)
    found = (interest, interest, chains, ChainCount(1, True))
    holder = _OneHolder(undecided, at, at[inv.id], found)
    closed = [holdings.Closure(0, None)] * 2
    closed[at[state]] = holdings.Closure((1 << at[state]) | (1 << at[inv.id] if controls else 0), None)
    owner = Interest(
        state,
        f"the state of {inv.country}",
        "state_body",
        inv.country,
        interest,
        interest,
        _decided(controls, undecided),
        chains,
        _through(interest, _in_target(case)),
        ChainCount(1, True),
    )
    controllers = (state,) if controls else ()
    states = _states(case, None, closed, nodes, inv.id, undecided, holder)  # type: ignore[arg-type]
    return Ownership(inv.id, complete, (owner,), controllers, controllers, states, _missing(case, [], group))


def _state_body_alone(case: Case) -> Ownership | None:
    """The analysis of an investor that is a state body no one is known to hold, without the holdings graph:
    all of it is its state's, which controls it. None for any other investor. The same answer as the general
    analysis (tests/test_batch_fast.py compares them)."""
    inv = case.investor
    if inv.kind != "state_body" or case.owners_of(inv.id):
        return None
    group = [(inv, 0)]
    complete = group_complete(group)
    whole = (100.0, 100.0, (Chain((inv.id,), 100.0),), ChainCount(1, True))
    holder = _OneHolder(complete is not True, {inv.id: 0}, 0, whole)
    states = _states(case, None, [holdings.Closure(1, None)], [inv.id], inv.id, complete is not True, holder)  # type: ignore[arg-type]
    return Ownership(inv.id, complete, (), (), (), states, _missing(case, [], group))


def _bounded(case: Case, members: set[str]) -> bool:
    return any(
        isinstance(e.equity_pct, BOUNDS) or isinstance(e.voting_pct, BOUNDS)
        for e in case.ownership
        if e.owned in members
    ) or any(isinstance(case.entities[m].state_ownership_pct, BOUNDS) for m in members)


def _merge(low: Ownership, high: Ownership) -> Ownership:
    """The analysis on the lower ends of the stakes and the one on the upper ends, as one."""
    uppers = {o.owner: o for o in high.owners}
    owners = []
    for o in low.owners:
        h = uppers.get(o.owner, o)
        owners.append(
            o._replace(
                equity_pct=_between(o.equity_pct, h.equity_pct),
                voting_pct=_between(o.voting_pct, h.voting_pct),
                controls=_either(o.controls, h.controls),
                in_target_voting_pct=_between(o.in_target_voting_pct, h.in_target_voting_pct),
            )
        )
    states_high = {s.state: s for s in high.states}
    states = []
    for st in low.states:
        sh = states_high.get(st.state, st)
        states.append(
            st._replace(
                equity_pct=_between(st.equity_pct, sh.equity_pct),
                voting_pct=_between(st.voting_pct, sh.voting_pct),
                controls=_either(st.controls, sh.controls),
                in_target_voting_pct=_between(st.in_target_voting_pct, sh.in_target_voting_pct),
                substantial_interest=_either(st.substantial_interest, sh.substantial_interest),
            )
        )
    possible = tuple(c for c in high.controllers if c not in low.controllers)
    return low._replace(owners=tuple(owners), states=tuple(states), possible=possible)


def _between(low: Any, high: Any) -> Any:
    """An interest from its value on the lower ends of the stakes and on the upper ends."""
    if low is None or high is None or isinstance(low, AtLeast) or low == high:
        return low
    return Interval(float(low), float(high))


def _either(low: bool | None, high: bool | None) -> bool | None:
    """True when it holds on the lower ends (it holds on all), False when it fails on the upper ends."""
    if low is True:
        return True
    if high is False:
        return False
    return None


def _analyse(case: Case, group: list[Any], members: set[str], links: list[Link]) -> Ownership:
    nodes = sorted(members | {lk.owner for lk in links})
    at = {n: i for i, n in enumerate(nodes)}
    g = holdings.holdings(len(nodes), [at[lk.owner] for lk in links], [at[lk.owned] for lk in links])
    inv = case.investor_id
    complete = complete_of(case)
    unknown_above = complete is not True
    interest = _Interests(g, links, nodes, at[inv], unknown_above)
    closed = holdings.closures(g, interest.votes, interest.rights)
    controllers = tuple(n for n in nodes if n != inv and closed[at[n]].members >> at[inv] & 1)
    top = holdings.ultimate({at[c]: closed[at[c]].members for c in controllers}, [at[c] for c in controllers])
    ultimate = tuple(c for c in controllers if at[c] in top)
    missing = _missing(case, links, group)
    roots = [n for n in nodes if not g.into[at[n]] and n != inv]
    # control not found is only "no control" when the group is complete and every stake in it is known
    undecided = complete is not True or any(lk.votes is None and not lk.rights for lk in links)
    owners = []
    in_target = _in_target(case)
    for root in roots:
        equity, votes, chains, count = interest({at[root]})
        entity = case.entities.get(root)
        owners.append(
            Interest(
                root,
                entity.name if entity else f"the state of {state_of(root)}",
                entity.kind if entity else "state_body",
                entity.country if entity else state_of(root),
                equity,
                votes,
                _decided(root in controllers, undecided),
                chains,
                _through(votes, in_target),
                count,
            )
        )
    owners.sort(key=lambda o: (-(o.equity_pct or 0.0), o.owner))
    states = _states(case, g, closed, nodes, inv, undecided, interest)
    return Ownership(inv, complete, tuple(owners), controllers, ultimate, states, missing)


def _links(case: Case, members: set[str], end: int) -> list[Link]:
    """The holdings of the group; a stake that is a bound at its lower (``end`` 0) or upper (1) end."""
    out = []
    for e in case.ownership:
        if e.owned in members:
            votes = e.voting_pct if e.voting_pct is not None else e.equity_pct
            out.append(
                Link(e.owner, e.owned, _stake(e.equity_pct, end), _stake(votes, end), _rights(e.rights, votes), e.index)
            )
    itemised = {lk.owned for lk in out}
    for eid in sorted(members):
        entity = case.entities[eid]
        pct = entity.state_ownership_pct
        if eid not in itemised and pct and entity.country and entity.kind != "state_body":
            stake = _stake(pct, end)
            if stake is not None:
                out.append(Link(state_id(entity.country), eid, stake, stake, _rights((), pct), None))
    return out


def _stake(pct: Any, end: int) -> float | None:
    """A stake as the linear solve takes it: a number; a bound at one of its ends."""
    if pct is None:
        return None
    if isinstance(pct, BOUNDS):
        found = ends(pct)
        value = found[end]
        return None if value is None else float(value)
    return float(pct)


def _rights(rights: Any, votes: Any) -> frozenset[str]:
    """An edge's rights, with control stated when its votes are a bound known to be a majority (``majority``)."""
    extra = ("stated_control",) if isinstance(votes, BOUNDS) and majority(votes) else ()
    return frozenset(rights) | frozenset(extra)


class _Interests:
    """Integrated equity and voting interest of sets of entities in the investor, with their chains.

    Each is solved as linear algebra (screening.case.holdings.shares), never by following chains: for the
    owners no one holds, all at once; for any other set (a state's bodies), once per set.
    """

    def __init__(self, g: holdings.Holdings, links: list[Link], nodes: list[str], investor: int, unknown_above: bool):
        self.g, self.links, self.nodes, self.investor = g, links, nodes, investor
        self.at = {n: i for i, n in enumerate(nodes)}
        self.unknown_above = unknown_above
        self.stakes = {field: [getattr(lk, field) for lk in links] for field in ("equity", "votes")}
        self.votes = self.stakes["votes"]
        self.votes_are_equity = self.votes == self.stakes["equity"]
        self.rights = [bool(lk.rights & CONTROL_RIGHTS) for lk in links]
        rank = sorted(range(len(links)), key=lambda k: (links[k].owner, k))  # chains are searched by owner
        self.order = [0] * len(links)
        for position, k in enumerate(rank):
            self.order[k] = position
        self.roots = frozenset(v for v in range(g.n) if not g.into[v])
        self.root_chains: dict[str, Any] = {}
        self.root_shares: dict[str, tuple[dict[int, float], set[int]]] = {}
        self.done: dict[frozenset[int], tuple[float | None, float | None, tuple[Chain, ...], ChainCount]] = {}

    def __call__(self, sources: set[int]) -> tuple[float | None, float | None, tuple[Chain, ...], ChainCount]:
        key = frozenset(sources)
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = self._interest(key)
        return found

    def _interest(self, sources: frozenset[int]) -> tuple[float | None, float | None, tuple[Chain, ...], ChainCount]:
        g, t = self.g, self.investor
        of_roots = sources <= self.roots
        found = holdings.chains(g, set(sources), t, MAX_PATHS, self.order, self.root_chains if of_roots else None)
        if not found.count:
            value = None if self.unknown_above else 0.0
            return value, value, (), ChainCount(0, True)
        out: list[float | None] = []
        for field in ("equity", "votes"):
            if field == "votes" and self.votes_are_equity:  # no link gives them apart: the same sums
                out.append(out[0])
                continue
            y, inexact = self._root_shares(field) if of_roots else self._shares(field, sources, False)
            low = min(100.0, 100.0 * sum(y.get(s, 0.0) for s in sources))
            # all of it is all there is: holders not known, above or beside, cannot add to a whole
            exact = low >= 100.0 - 1e-9 or (not inexact & sources and not self.unknown_above)
            value = round(low, 6)
            out.append(value if exact else (AtLeast(value) if value > 0 else None))
        return out[0], out[1], self._chains(found.listed), ChainCount(found.count, found.exact)

    def _root_shares(self, field: str) -> tuple[dict[int, float], set[int]]:
        if field not in self.root_shares:
            self.root_shares[field] = self._shares(field, self.roots, True)
        return self.root_shares[field]

    def _shares(self, field: str, sources: frozenset[int], of_roots: bool) -> tuple[dict[int, float], set[int]]:
        """Every source's share of the investor (unknown stakes taken as 0), and the sources whose
        share an unknown stake could raise: those above a holding of unknown size that leads on to
        the investor (not through a source)."""
        g, stakes = self.g, self.stakes[field]
        y = holdings.shares(g, [0.0 if s is None else s / 100 for s in stakes], self.investor, sources)
        if None not in stakes:
            return y, set()
        follow = [(s is None or s > 0) and g.owned[k] not in sources for k, s in enumerate(stakes)]
        ahead = holdings.reached(g, [self.investor], downward=False, follow=follow)
        doubtful = {g.owner[k] for k, s in enumerate(stakes) if s is None and follow[k] and g.owned[k] in ahead}
        if of_roots:  # sources no one holds: those above a doubtful holding, or holding it
            return y, holdings.reached(g, doubtful, downward=False, follow=follow)
        below = holdings.reached(g, sources, downward=True, follow=follow)
        return y, set(sources) if doubtful & below else set()

    def _chains(self, listed: tuple[tuple[int, ...], ...]) -> tuple[Chain, ...]:
        g, equity = self.g, self.stakes["equity"]
        out = []
        for path in listed:  # holdings from the investor up
            entities = [self.investor] + [g.owner[k] for k in path]
            pct: float | None = 100.0
            for k in path:
                share = equity[k]
                pct = None if pct is None or share is None else pct * share / 100
            out.append(Chain(tuple(self.nodes[v] for v in reversed(entities)), None if pct is None else round(pct, 6)))
        return tuple(sorted(out, key=lambda c: (-(c.equity_pct or 0.0), c.entities)))


def _in_target(case: Case) -> float | None:
    """The investor's voting interest in the target after the transaction (its stake when votes are not given)."""
    tx = case.data.get("transaction") or {}
    return tx.get("votes_after_pct", tx.get("stake_after_pct"))


def _through(votes: float | None, in_target: float | None) -> float | None:
    """An interest in the investor carried through to the target."""
    if votes is None or in_target is None:
        return None
    if isinstance(in_target, BOUNDS):  # through a stake known within bounds: at least its least
        low = ends(in_target).low
        value = round(votes * low / 100, 6) if low else 0.0
        return AtLeast(value) if value > 0 else None
    value = round(votes * in_target / 100, 6)
    return AtLeast(value) if isinstance(votes, AtLeast) else value


def _at_least(value: Any, threshold: float) -> bool | None:
    """Whether a number (or a bound on one) is at least ``threshold``; None when its bounds do not say."""
    found = ends(value)
    if found.low is not None and found.low >= threshold:
        return True
    if found.high is not None and (found.high < threshold or (found.high == threshold and found.high_open)):
        return False
    return None


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
    return entity.name if entity else f"the state of {state_of(eid)}"


def _states(
    case: Case,
    g: holdings.Holdings,
    closed: list[holdings.Closure],
    nodes: list[str],
    inv: str,
    undecided: bool,
    interest: _Interests,
) -> tuple[StateInterest, ...]:
    unknown_above = interest.unknown_above
    bodies: dict[str, list[str]] = {}
    for n in nodes:
        entity = case.entities.get(n)
        state = state_of(n) if entity is None else None
        if state is not None:
            bodies.setdefault(state, []).append(n)
        elif entity is not None and entity.kind == "state_body" and entity.country:
            bodies.setdefault(entity.country, []).append(n)
    group_ids = set(nodes)
    links_by_state: dict[str, list[dict[str, Any]]] = {}
    for n in nodes:
        entity = case.entities.get(n)
        if entity is None:
            continue
        for i, link in enumerate(entity.state_links or ()):
            links_by_state.setdefault(link["state"], []).append(
                {**link, "entity": n, "path": ("entities", str(entity.index), "state_links", str(i))}
            )
    in_target = _in_target(case)
    target_country = case.data["target"].get("country")
    out = []
    for state in sorted(set(bodies) | set(links_by_state)):
        own = set(bodies.get(state, ()))
        if own:
            at = [interest.at[b] for b in sorted(own)]
            equity, votes, chains, count = interest(set(at))
            # one body controls what its closure holds; a bloc of bodies is worked out together
            bloc = (
                closed[at[0]] if len(at) == 1 else holdings.bloc_closure(g, interest.votes, interest.rights, at, closed)
            )
            controls = _decided(inv in own or bool(bloc.members >> interest.investor & 1), undecided)
        else:
            equity = votes = None
            chains = ()
            count = ChainCount(0, True)
            controls = None if undecided else False
            if not unknown_above:
                equity = votes = 0.0
        through = _through(votes, in_target)
        substantial: bool | None = None
        if state != target_country:
            if votes is not None and votes >= SUBSTANTIAL_STATE_VOTES and in_target is not None:
                substantial = _at_least(in_target, SUBSTANTIAL_INVESTOR_VOTES)
            elif votes is not None and not isinstance(votes, AtLeast) and votes < SUBSTANTIAL_STATE_VOTES:
                substantial = False
            elif in_target is not None and _at_least(in_target, SUBSTANTIAL_INVESTOR_VOTES) is False:
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
                count,
            )
        )
    out.sort(key=lambda s: (-(s.voting_pct or 0.0), s.state))
    return tuple(out)
