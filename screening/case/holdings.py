"""Graph algorithms on one case's holdings, each polynomial in the size of its group.

A case file is input: 10 KB can hold a "ladder" of owners with a million chains, 500 entities
in a chain or 10,000 owners of one entity. Nothing here follows chains one by one, except to list
the first few; the costs are about the number of holdings (times the number of states), plus a
small dense solve per cycle of cross-holdings:

* :func:`components`: Tarjan's strongly connected components, without recursion.
* :func:`shares`: integrated ownership (``x = d + A x``, Brioschi, Buzzacchi and Colombo 1989)
  solved exactly, one cycle at a time in topological order, for every owner at once (a cycle of more
  than ``DENSE_LIMIT`` entities by a sparse solve, ``_solve_sparse``).
* :func:`closures`: what each entity controls, with what it controls absorbed once computed.
* :func:`chains`: the first chains from some owners down to an entity, and how many there are.

Entities are numbers ``0 .. n-1``; a holding ``k`` goes from ``owner[k]`` to ``owned[k]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

DENSE_LIMIT = 150
"""Largest cycle of cross-holdings solved by Gaussian elimination in pure Python; a larger one is solved
exactly by scipy's sparse LU when scipy is installed, else by Gauss-Seidel iteration to ``TOL``."""
TOL = 1e-15
"""Largest change (as a fraction of an entity) at which the iteration for a large cycle stops."""
MAX_SWEEPS = 10_000
COUNT_CAP = 10**15
"""Chains are counted up to this many (beyond, "at least"): exact in a double, readable in a report."""
STEP_BUDGET = 50_000
"""Steps of the search for chains through cycles of holdings, where counting by levels cannot work."""
FRONTIER_LIMIT = 64
"""Most entities an absorbed closure may hold votes in outside itself for its votes to be kept."""


class Holdings(NamedTuple):
    """Holdings among ``n`` entities, indexed both ways."""

    n: int
    owner: Sequence[int]
    owned: Sequence[int]
    out: list[list[int]]
    """Holdings of each entity, in the order given."""
    into: list[list[int]]
    """Holdings in each entity, in the order given."""
    memo: dict[str, Any] | None = None
    """What is worked out once for the whole graph and kept (its strongly connected components, see
    :func:`strong`); None: nothing is kept."""


def holdings(n: int, owner: Sequence[int], owned: Sequence[int]) -> Holdings:
    """Index holdings ``owner[k] -> owned[k]`` among entities ``0 .. n-1``."""
    out: list[list[int]] = [[] for _ in range(n)]
    into: list[list[int]] = [[] for _ in range(n)]
    for k, (a, b) in enumerate(zip(owner, owned, strict=True)):
        out[a].append(k)
        into[b].append(k)
    return Holdings(n, owner, owned, out, into, {})


def strong(g: Holdings) -> list[list[int]]:
    """:func:`components` of the whole graph (holdings from owner to owned), worked out once per graph."""
    memo = g.memo if g.memo is not None else {}
    found: list[list[int]] | None = memo.get("components")
    if found is None:
        found = memo["components"] = components([[g.owned[k] for k in g.out[v]] for v in range(g.n)])
    return found


def _rank(g: Holdings) -> list[int] | None:
    """Where each entity stands in an order in which it comes after every entity it holds, directly or not,
    when the graph has no cycle of holdings (a holding of itself is no cycle); None when it has one, or when its
    components are not worked out yet (:func:`strong`)."""
    memo = g.memo
    if memo is None or "components" not in memo:
        return None
    if "rank" not in memo:
        found = memo["components"]
        rank = None
        if all(len(comp) == 1 for comp in found):
            rank = [0] * g.n
            for i, comp in enumerate(found):
                rank[comp[0]] = i
        memo["rank"] = rank
    return memo["rank"]


def components(adjacency: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components of the graph on ``0 .. k-1`` (``adjacency[v]``: where
    ``v`` points), without recursion; each component is listed after every component it reaches."""
    k = len(adjacency)
    index = [-1] * k
    low = [0] * k
    on_stack = [False] * k
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for root in range(k):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            out = adjacency[v]
            while i < len(out):
                t = out[i]
                i += 1
                if index[t] == -1:
                    work[-1] = (v, i)
                    index[t] = low[t] = counter
                    counter += 1
                    stack.append(t)
                    on_stack[t] = True
                    work.append((t, 0))
                    break
                if on_stack[t] and index[t] < low[v]:
                    low[v] = index[t]
            else:
                work.pop()
                if low[v] == index[v]:
                    component = []
                    while True:
                        u = stack.pop()
                        on_stack[u] = False
                        component.append(u)
                        if u == v:
                            break
                    found.append(component)
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
    return found


# -- integrated ownership ------------------------------------------------------------------------------


def shares(g: Holdings, weight: Sequence[float], target: int, sources: Iterable[int]) -> dict[int, float]:
    """For each entity ``v`` that ``sources`` reach and that reaches ``target``: ``y[v]``, the part of
    ``target`` that all of ``v`` carries, counting every chain, round cycles too.

    ``y = e_target + A' y`` (``A'`` the stakes as fractions, ``weight[k]``): the row of the target in
    ``(I - A)^-1``, so the integrated interest of owners ``S`` in the target is ``sum(y[s] for s in
    S)``, for every choice of ``S`` at once. Holdings in a source are left out (a source holds all
    of itself, whoever holds shares in it), and a weight of 0 carries nothing. Solved in topological
    order of the strongly connected components, each cycle of cross-holdings as one linear system;
    a cycle with no way out (singular) carries an unbounded part, ``inf``.
    """
    sources = set(sources)
    owner, owned = g.owner, g.owned

    def live(k: int) -> bool:
        return weight[k] > 0 and owned[k] not in sources

    reach = set(sources)
    stack = list(sources)
    while stack:
        for k in g.out[stack.pop()]:
            if live(k) and owned[k] not in reach:
                reach.add(owned[k])
                stack.append(owned[k])
    if target not in reach:
        return {}
    nodes = {target}
    stack = [target]
    while stack:
        w = stack.pop()
        for k in g.into[w]:
            if live(k) and owner[k] in reach and owner[k] not in nodes:
                nodes.add(owner[k])
                stack.append(owner[k])
    out = {v: [k for k in g.out[v] if live(k) and owned[k] in nodes] for v in nodes}
    rank = _rank(g)
    y: dict[int, float] = {}
    if rank is not None:  # no cycle in the whole graph (most groups): each entity after those it holds
        _acyclic(sorted(nodes, key=rank.__getitem__), out, owned, weight, target, y)
        return y
    ordered = sorted(nodes)
    local = {v: i for i, v in enumerate(ordered)}
    for found in components([[local[owned[k]] for k in out[v]] for v in ordered]):
        comp = [ordered[i] for i in found]
        if len(comp) == 1:
            _acyclic(comp, out, owned, weight, target, y)
        else:
            y.update(_cycle(comp, out, owned, weight, target, y))
    return y


def _acyclic(
    ordered: list[int],
    out: dict[int, list[int]],
    owned: Sequence[int],
    weight: Sequence[float],
    target: int,
    y: dict[int, float],
) -> None:
    """``y`` of :func:`shares` on entities no cycle runs through, ``ordered`` each after those it holds (a
    holding of itself divides what it carries by what it leaves to others)."""
    for v in ordered:
        value = 1.0 if v == target else 0.0
        own = 0.0
        for k in out[v]:
            if owned[k] == v:
                own += weight[k]
            else:
                value += weight[k] * y[owned[k]]
        y[v] = value / (1.0 - own) if own < 1.0 else float("inf")


def _cycle(
    comp: list[int],
    out: dict[int, list[int]],
    owned: Sequence[int],
    weight: Sequence[float],
    target: int,
    y: dict[int, float],
) -> dict[int, float]:
    """``y`` on one cycle of cross-holdings: ``(I - A_CC) y_C = b``, where ``b`` is what each member
    carries through holdings out of the cycle (already solved)."""
    pos = {v: i for i, v in enumerate(comp)}
    size = len(comp)
    b = [1.0 if v == target else 0.0 for v in comp]
    inside: list[list[tuple[int, float]]] = [[] for _ in comp]
    for i, v in enumerate(comp):
        for k in out[v]:
            j = pos.get(owned[k])
            if j is None:
                b[i] += weight[k] * y[owned[k]]
            else:
                inside[i].append((j, weight[k]))
    if size <= DENSE_LIMIT:
        solved = _solve_dense(size, inside, b)
    else:
        solved = _solve_sparse(size, inside, b) or _solve_iterative(size, inside, b)
    return dict(zip(comp, solved, strict=True))


def _solve_dense(size: int, inside: list[list[tuple[int, float]]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; a singular system gives ``inf`` everywhere."""
    rows = [[0.0] * size + [b[i]] for i in range(size)]
    for i in range(size):
        rows[i][i] += 1.0
        for j, w in inside[i]:
            rows[i][j] -= w
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        if abs(rows[pivot][col]) < 1e-12:
            return [float("inf")] * size
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col]
        for r in range(col + 1, size):
            factor = rows[r][col] / head[col]
            if factor:
                row = rows[r]
                for c in range(col, size + 1):
                    row[c] -= factor * head[c]
    x = [0.0] * size
    for i in range(size - 1, -1, -1):
        row = rows[i]
        x[i] = (row[size] - sum(row[c] * x[c] for c in range(i + 1, size))) / row[i]
    return x


def _solve_sparse(size: int, inside: list[list[tuple[int, float]]], b: list[float]) -> list[float] | None:
    """A sparse LU solve (scipy, as registry-sized graphs are solved, ``screening.case.graphs``): exact, where
    iteration takes a sweep per digit on a cycle whose stakes almost close it; None without scipy. A singular
    system gives ``inf`` everywhere, as ``_solve_dense``."""
    try:
        import numpy as np
        import scipy.sparse as sp
        from scipy.sparse.linalg import MatrixRankWarning, spsolve
    except ImportError:
        return None
    import warnings

    rows = [i for i, row in enumerate(inside) for _ in row]
    cols = [j for row in inside for j, _ in row]
    stakes = [-w for row in inside for _, w in row]
    system = sp.identity(size, format="csc") + sp.csc_matrix((stakes, (rows, cols)), shape=(size, size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MatrixRankWarning)
        x = spsolve(system, np.asarray(b, dtype=float))
    if not np.all(np.isfinite(x)):
        return [float("inf")] * size
    return [float(v) for v in x]


def _solve_iterative(size: int, inside: list[list[tuple[int, float]]], b: list[float]) -> list[float]:
    """Gauss-Seidel from 0: every sweep is a lower bound, rising to the solution."""
    x = [0.0] * size
    for _ in range(MAX_SWEEPS):
        change = 0.0
        for i in range(size):
            value = b[i] + sum(w * x[j] for j, w in inside[i] if j != i)
            own = sum(w for j, w in inside[i] if j == i)
            value = value / (1.0 - own) if own < 1.0 else float("inf")
            change = max(change, abs(value - x[i]))
            x[i] = value
        if change < TOL:
            break
    return x


def reached(
    g: Holdings,
    starts: Iterable[int],
    downward: bool,
    follow: Sequence[bool] | None = None,
    stop: set[int] | frozenset[int] = frozenset(),
) -> set[int]:
    """Entities reached from ``starts`` along holdings (down, owner to owned; or up), through the
    holdings ``follow`` allows, not going on from an entity in ``stop``."""
    seen = set(starts)
    stack = list(seen)
    step, nxt = (g.out, g.owned) if downward else (g.into, g.owner)
    while stack:
        v = stack.pop()
        if v in stop:
            continue
        for k in step[v]:
            if (follow is None or follow[k]) and nxt[k] not in seen:
                seen.add(nxt[k])
                stack.append(nxt[k])
    return seen


# -- control -------------------------------------------------------------------------------------------


class Closure(NamedTuple):
    members: int
    """Bit set of the entities in the closure; 0 for a closure of the entity alone (its one bit, at a
    high place, would cost as much memory as a large closure: a star of 20,000 owners)."""
    votes: dict[int, float] | None
    """Votes the members hold in each entity outside it (None when there are too many to keep)."""


def closures(g: Holdings, votes: Sequence[float | None], rights: Sequence[bool]) -> list[Closure]:
    """For each entity, itself and everything it controls: an entity joins when the members hold a
    majority of its votes (over 50%) or a control right over it.

    Worked out for entities below first: a closure that takes in an entity whose own closure is
    known takes that closure whole (it controls what that entity controls) with the votes its
    members hold outside it, instead of walking it again. So a chain of n entities costs n steps,
    not n squared; bit sets keep n closures in n squared bits.
    """
    done: list[Closure | None] = [None] * g.n
    for comp in strong(g):
        for v in comp:
            # an entity that holds nothing controls nothing but itself (as bloc_closure finds)
            done[v] = bloc_closure(g, votes, rights, [v], done) if g.out[v] else Closure(0, {})
    return [c for c in done if c is not None]


def bloc_closure(
    g: Holdings,
    votes: Sequence[float | None],
    rights: Sequence[bool],
    seeds: Sequence[int],
    known: Sequence[Closure | None],
) -> Closure:
    """``seeds`` acting together and everything they control (see :func:`closures`)."""
    bloc = 0
    held: dict[int, float] = {}
    joining = list(dict.fromkeys(seeds))
    single = joining[0] if len(joining) == 1 else None
    owned = g.owned

    def count(x: int, amount: float, right: bool) -> None:
        if bloc >> x & 1:
            return
        total = held[x] = held.get(x, 0.0) + amount
        if right or total > 50:
            joining.append(x)

    while joining:
        x = joining.pop()
        if bloc >> x & 1:
            continue
        closure = known[x] if x != single else None
        if closure is not None and single is not None and closure.members >> single & 1:
            return closure  # x controls the seed, and the seed x: the two control the same
        if closure is not None and closure.votes is not None:
            taken = closure.members or 1 << x
            if not taken & bloc:
                bloc |= taken
                for y, amount in closure.votes.items():
                    count(y, amount, False)
                continue
        bloc |= 1 << x
        for k in g.out[x]:
            count(owned[k], votes[k] or 0.0, rights[k])
    outside = {y: v for y, v in held.items() if not bloc >> y & 1}
    alone = single is not None and bloc == 1 << single
    return Closure(0 if alone else bloc, outside if len(outside) <= FRONTIER_LIMIT else None)


def ultimate(members: dict[int, int], controllers: Iterable[int]) -> set[int]:
    """The controllers no other controller controls, unless they control each other; ``members``
    maps each to its closure's bit set. Two entities control each other exactly when their closures
    are equal, so an entity is ultimate when no closure other than its own holds it: when, counting
    each distinct closure once, no two hold it (its own always does)."""
    controllers = list(controllers)
    once = twice = 0
    for bits in {members[c] for c in controllers}:
        twice |= once & bits
        once |= bits
    return {c for c in controllers if not twice >> c & 1}


# -- chains --------------------------------------------------------------------------------------------


class Chains(NamedTuple):
    """Chains of holdings from some owners down to an entity."""

    listed: tuple[tuple[int, ...], ...]
    """The first ones found, as holdings from the entity up (see :func:`chains`)."""
    count: int  # type: ignore[assignment]  # a field, where a tuple has a method
    """How many simple chains there are (no entity twice), counting each of parallel holdings."""
    exact: bool
    """False when ``count`` is a lower bound: the chains pass round cycles and were too many to follow."""


def chains(
    g: Holdings, sources: set[int], target: int, limit: int, order: Sequence[int], shared: dict[str, Any] | None = None
) -> Chains:
    """The simple chains from any of ``sources`` down to ``target`` that pass through no other
    source: the first ``limit`` of them, and their number.

    Chains are searched from ``target`` up, depth first, the holdings into each entity taken in
    ``order`` (a rank per holding), only through entities a source reaches: each step leads to a
    chain unless a cycle is in the way. The number comes from counting level by level where no
    cycle is in the way (linear), otherwise from the search, within ``STEP_BUDGET`` steps.
    ``shared`` keeps what calls whose sources no one holds have in common (the entities that lead
    to the target, the number of chains from each).
    """
    if target in sources:
        return Chains(((),), 1, True)
    cache: dict[str, Any] = {} if shared is None else shared
    if "ahead" not in cache:
        cache["ahead"] = reached(g, [target], downward=False, stop=sources)
        cache["counted"] = {}
    ahead: set[int] = cache["ahead"]
    tops = sorted(s for s in sources if s in ahead)
    if not tops:
        return Chains((), 0, True)
    numbers = [_count(g, s, sources, target, ahead, cache["counted"]) for s in tops]
    able = reached(g, tops, downward=True)
    if None not in numbers:
        total = sum(n for n in numbers if n is not None)
        listed, _, _ = _search(g, sources, target, able, limit, order, stop_at=limit)
        return Chains(listed, min(total, COUNT_CAP), total <= COUNT_CAP)
    listed, seen, finished = _search(g, sources, target, able, limit, order, stop_at=None)
    return Chains(listed, max(seen, 1), finished)


def _count(
    g: Holdings, start: int, sources: set[int], target: int, ahead: set[int], memo: dict[int, int | None]
) -> int | None:
    """Chains from ``start`` down to ``target``, counted level by level; None when a cycle is on the way."""
    if start in memo:
        return memo[start]
    owned = g.owned
    total = {start: 0}
    on_path = {start}
    work = [(start, iter(g.out[start]))]

    def cyclic() -> None:
        for u in on_path:
            memo[u] = None

    while work:
        v, todo = work[-1]
        for k in todo:
            w = owned[k]
            if w in sources or w not in ahead:
                continue
            if w == target:
                total[v] += 1
            elif w in on_path or (w in memo and memo[w] is None):
                cyclic()
                return None
            elif w in memo:
                total[v] += memo[w] or 0
            else:
                total[w] = 0
                on_path.add(w)
                work.append((w, iter(g.out[w])))
                break
        else:
            work.pop()
            on_path.discard(v)
            memo[v] = total[v]
            if work:
                total[work[-1][0]] += total[v]
    return memo[start]


def _search(
    g: Holdings, sources: set[int], target: int, able: set[int], limit: int, order: Sequence[int], stop_at: int | None
) -> tuple[tuple[tuple[int, ...], ...], int, bool]:
    """Depth first from ``target`` up through ``able`` entities: the first ``limit`` chains, how many
    were seen, and whether the search finished (it stops at ``stop_at`` chains, or after
    ``STEP_BUDGET`` steps)."""
    into: dict[int, list[int]] = {}
    for u in able:
        for k in g.out[u]:
            if g.owned[k] in able:
                into.setdefault(g.owned[k], []).append(k)
    for ks in into.values():
        ks.sort(key=order.__getitem__)
    listed: list[tuple[int, ...]] = []
    seen = steps = 0
    links: list[int] = []
    on_path = {target}
    work = [(target, iter(into.get(target, ())))]
    while work:
        v, todo = work[-1]
        step = next(todo, None)
        if step is None:
            work.pop()
            on_path.discard(v)
            if links:
                links.pop()
            continue
        k = step
        u = g.owner[k]
        if u in on_path:
            continue
        steps += 1
        if steps > STEP_BUDGET:
            return tuple(listed), seen, False
        if u in sources:
            seen += 1
            if len(listed) < limit:
                listed.append((*links, k))
            if stop_at is not None and seen >= stop_at:
                return tuple(listed), seen, True
            continue
        links.append(k)
        on_path.add(u)
        work.append((u, iter(into.get(u, ()))))
    return tuple(listed), seen, True
