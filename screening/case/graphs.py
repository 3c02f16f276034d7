"""Effective state interest in large ownership graphs: integrated ownership, computed exactly.

An ownership graph has ``n`` entities ``0 .. n-1`` and edges ``owner -> owned`` with an equity stake
in percent, in (0, 100]. Some entities are *roots* (state bodies). The effective interest of the
roots in an entity is the share of it they hold through any chain of holdings: stakes multiply
along a chain and add up across parallel chains.

Two semantics differ when holdings form cycles (cross-holdings):

* **integrated ownership** (Brioschi, Buzzacchi and Colombo 1989), the project's semantics and
  :func:`integrated_interest`: the fixed point ``x = d + A x``, where ``A[i, j]`` is the stake of
  ``j`` in ``i`` (rows of the roots left empty: a root is 100% state whoever holds shares in it)
  and ``d`` is 100 on the roots. It counts every chain, also those that go round a cycle, and is
  ``x = (I - A)^-1 d``. Chains stop at a root: a root's interest is its own 100%, not added to again.
* **simple chains**, :func:`simple_chain_interest`: only chains that visit no entity twice. The
  reference for small graphs (its cost grows with the number of chains, exponential in general).

On an acyclic graph the two agree; with cycles the integrated figure is the larger or equal.

Both functions take the graph as parallel sequences (``owner[k]`` holds ``pct[k]`` percent of
``owned[k]``), return a float array of ``n`` interests in percent (0-100), and raise ValueError
on malformed input or on stakes into one entity summing above 100%. Parallel edges between the
same two entities add up (two lines of shares).

This module needs numpy (scipy too for very deep graphs, or large parts on or below cycles) and
is imported only by code that handles large graphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from screening.case.holdings import components as strong_components

__all__ = ["integrated_interest", "simple_chain_interest"]

SUM_SLACK = 1e-9
"""Rounding allowance, in percentage points, for stakes into one entity adding up to 100."""

LEVEL_LIMIT = 1_000
"""Most breadth-first levels walked with whole-array steps; a deeper graph goes to the scipy path."""

ENTITY_BY_ENTITY_LIMIT = 100_000
"""Most holdings on or below cycles handled one entity at a time; more go to the scipy path."""

DENSE_BLOCK_LIMIT = 1_000
"""Largest strongly connected component the scipy path solves through a dense inverse; a larger one is
solved on its own as a sparse linear system (``_block``), the rest of the graph around it as before."""

BLOCK_RTOL = 1e-14
"""Relative residual to which a large strongly connected component's sparse system is solved."""

Ints = Sequence[int] | np.ndarray
Floats = Sequence[float] | np.ndarray
Array = np.ndarray


def integrated_interest(
    n: int, owner: Ints, owned: Ints, pct: Floats, roots: Ints, *, tol: float = 1e-12, max_iter: int = 10_000
) -> np.ndarray:
    """Integrated ownership of the roots, together, in every entity: ``x = (I - A)^-1 d``, in percent.

    Exact up to rounding: one forward substitution in topological order, where each cycle of
    holdings (entities holding each other, or one holding its own shares) is solved as a small
    dense linear system. Entities that no root reaches have 0 and are not visited.

    Usual path, numpy only: the entities the roots reach are found breadth first; Kahn's
    algorithm, a whole frontier at a time, computes them in topological order; what is left (the
    entities on cycles and below them) is ordered by Tarjan's strongly connected components and
    computed one entity, or one cycle, at a time. A graph deeper than ``LEVEL_LIMIT`` levels, with
    more than ``ENTITY_BY_ENTITY_LIMIT`` holdings on or below cycles, or with a cycle of more than
    ``DENSE_BLOCK_LIMIT`` entities, takes the scipy path:
    strongly connected components from scipy.sparse.csgraph (also in topological order), each
    cycle replaced by the dense inverse of its ``I - A``, and one sparse unit lower-triangular
    solve. A strongly connected component of more than ``DENSE_BLOCK_LIMIT`` entities is solved on its
    own as a sparse system ``(I - A_CC) x_C = y_C`` (GMRES to a relative residual of ``BLOCK_RTOL``),
    the components above and below it as before: such a block no longer sends the whole graph to
    iteration. Only where scipy's components are not numbered in topological order does the
    fixed-point iteration ``x <- d + A x`` run, until the largest change is below ``tol`` points
    (ValueError after ``max_iter`` iterations).

    Raises ValueError for malformed input, for stakes into one entity summing above 100%, and for
    a cycle with no owner outside it (every entity on it held 100% from inside, so the stakes
    around it multiply to 100%): there ``I - A`` is singular and the fixed point is not unique.
    With stakes into each entity at most 100%, every other graph converges (see
    ``_check_closed_cycles``).
    """
    n, src, dst, w, root_ids = _arrays(n, owner, owned, pct, roots)
    if n == 0:
        return np.zeros(0)
    held = _check_sums(n, dst, w)
    is_root = np.zeros(n, dtype=bool)
    is_root[root_ids] = True
    keep = ~is_root[dst]  # a root is 100% state: what holds shares in it does not count
    src, dst, w = src[keep], dst[keep], w[keep] / 100.0
    _check_closed_cycles(n, src, dst, (held >= 100.0 - SUM_SLACK) & ~is_root)
    x = _interest_numpy(n, src, dst, w, is_root)
    return x if x is not None else _interest_scipy(n, src, dst, w, is_root, tol, max_iter)


def simple_chain_interest(
    n: int, owner: Ints, owned: Ints, pct: Floats, roots: Ints, *, max_paths: int = 100_000
) -> np.ndarray:
    """The roots' interest counted over simple chains only (no entity twice on a chain), in percent.

    Enumerates, depth first from every root, the chains that start at a root, visit no entity
    twice and pass through no other root, adding each chain's product of stakes to the entity it
    ends at. For small graphs: raises ValueError once more than ``max_paths`` chains have been
    followed. Same input checks as :func:`integrated_interest`, but a cycle with no owner outside it
    is no error here: simple chains never go round it.
    """
    n, src, dst, w, root_ids = _arrays(n, owner, owned, pct, roots)
    x = np.zeros(n)
    if n == 0:
        return x
    _check_sums(n, dst, w)
    is_root = np.zeros(n, dtype=bool)
    is_root[root_ids] = True
    holdings: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    root_flags = is_root.tolist()
    for a, b, stake in zip(src.tolist(), dst.tolist(), (w / 100.0).tolist(), strict=True):
        if not root_flags[b]:
            holdings[a].append((b, stake))
    values = [0.0] * n
    on_chain = [False] * n
    paths = 0
    for root in np.flatnonzero(is_root).tolist():
        values[root] = 100.0
        on_chain[root] = True
        stack = [(root, 100.0, iter(holdings[root]))]
        while stack:
            _, share, todo = stack[-1]
            step = next(todo, None)
            if step is None:
                on_chain[stack.pop()[0]] = False
                continue
            held, stake = step
            if on_chain[held]:
                continue
            paths += 1
            if paths > max_paths:
                raise ValueError(f"more than {max_paths} simple ownership chains: graph too large to enumerate")
            values[held] += share * stake
            on_chain[held] = True
            stack.append((held, share * stake, iter(holdings[held])))
    return np.asarray(values, dtype=float)


# -- input ----------------------------------------------------------------------------------------


def _arrays(n: int, owner: Ints, owned: Ints, pct: Floats, roots: Ints) -> tuple[int, Array, Array, Array, Array]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, not {n!r}")
    n = int(n)
    src = _index_array(owner, "owner")
    dst = _index_array(owned, "owned")
    w = np.asarray(pct, dtype=float).ravel()
    root_ids = _index_array(roots, "roots")
    if not src.size == dst.size == w.size:
        raise ValueError(f"owner, owned and pct differ in length ({src.size}, {dst.size}, {w.size})")
    for name, ids in (("owner", src), ("owned", dst), ("roots", root_ids)):
        bad = np.flatnonzero((ids < 0) | (ids >= n))
        if bad.size:
            raise ValueError(f"{name}[{bad[0]}] = {ids[bad[0]]} is not an entity index (0 .. {n - 1})")
    bad = np.flatnonzero(~((w > 0) & (w <= 100.0 + SUM_SLACK)))  # also catches NaN
    if bad.size:
        k = bad[0]
        raise ValueError(f"edge {k} ({src[k]} -> {dst[k]}): stake {float(w[k])!r} is not a percentage in (0, 100]")
    return n, src, dst, w, root_ids


def _index_array(values: Ints, name: str) -> np.ndarray:
    ids = np.asarray(values)
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    if ids.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer entity indices, not {ids.dtype}")
    ids = ids.ravel()
    # 32-bit where they fit: sorting and gathering are faster on them
    small = ids.min() >= -(2**31) and ids.max() < 2**31
    return ids.astype(np.int32 if small else np.int64, copy=False)


def _check_sums(n: int, dst: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The stakes held in each entity, summed (percent); raise where they pass 100%."""
    held = np.bincount(dst, weights=w, minlength=n)
    bad = np.flatnonzero(held > 100.0 + SUM_SLACK)
    if bad.size:
        more = f" (and {bad.size - 1} more entities)" if bad.size > 1 else ""
        raise ValueError(f"stakes into entity {bad[0]} sum to {held[bad[0]]:.6g}%, above 100%{more}")
    return held


# -- closed cycles --------------------------------------------------------------------------------


def _check_closed_cycles(n: int, src: np.ndarray, dst: np.ndarray, full: np.ndarray) -> None:
    """Raise when some entities form a cycle of holdings with no owner outside it.

    Stakes into each entity sum to at most 100%, so the stakes inside a strongly connected
    component form an irreducible matrix with row sums <= 1: its spectral radius is 1 exactly when
    every row sums to 1 (Perron-Frobenius), that is when every member is held 100% from inside
    the component, and below 1 otherwise. Such a closed component has no holding from outside, so
    no root reaches it: the integrated interest is finite everywhere, but ``I - A`` is singular.

    ``full`` marks the entities held 100% (roots excepted). The closed entities are the largest
    set of them whose owners are all in the set: peeled from ``full`` by dropping, round after
    round, any entity with an owner outside what is left.
    """
    if not full.any():
        return
    alive = full.copy()
    into = np.flatnonzero(full[dst])
    s_e, d_e = src[into], dst[into]
    for _ in range(LEVEL_LIMIT):
        outside = ~alive[s_e]
        if not outside.any():
            break
        alive[d_e[outside]] = False
        keep = alive[d_e]
        s_e, d_e = s_e[keep], d_e[keep]
    else:
        alive = _closed_by_search(n, src, dst, full)
        keep = alive[dst]
        s_e, d_e = src[keep], dst[keep]
    if not alive.any():
        return
    # Every owner of a closed entity is closed: walk up owners until an entity comes round again.
    owner_of = np.full(n, -1, dtype=np.int64)
    owner_of[d_e] = s_e
    seen: set[int] = set()
    entity = int(np.flatnonzero(alive)[0])
    while entity not in seen:
        seen.add(entity)
        entity = int(owner_of[entity])
    raise ValueError(
        f"integrated ownership does not converge: entity {entity} is on a cycle of holdings "
        "with no owner outside it (each entity on it is held 100% from inside the cycle, so "
        "the stakes around it multiply to 100%)"
    )


def _closed_by_search(n: int, src: np.ndarray, dst: np.ndarray, full: np.ndarray) -> np.ndarray:
    """The same set, for deep graphs: the entities held 100% that no other entity reaches."""
    import scipy.sparse as sp

    holdings = sp.csr_matrix((np.ones(src.size), (src, dst)), shape=(n, n))
    closed = full.copy()
    closed[_reached_scipy(holdings, np.flatnonzero(~full))] = False
    return closed


# -- numpy path -----------------------------------------------------------------------------------


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for each pair."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if ends.size else 0) + np.repeat(starts - ends + counts, counts)


def _distinct(values: np.ndarray) -> np.ndarray:
    if values.size < 2:
        return values
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _interest_numpy(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, is_root: np.ndarray) -> np.ndarray | None:
    """The numpy path (see :func:`integrated_interest`), or None for a graph it leaves to scipy."""
    order = np.argsort(src)  # holdings grouped by holder: those of k are order[indptr[k]:indptr[k + 1]]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    # 1. the entities the roots reach, breadth first
    reached = is_root.copy()
    frontier = np.flatnonzero(is_root)
    found = [frontier]
    for _ in range(LEVEL_LIMIT):
        nxt = dst[order[_ranges(indptr[frontier], indptr[frontier + 1] - indptr[frontier])]]
        frontier = _distinct(nxt[~reached[nxt]])
        if frontier.size == 0:
            break
        reached[frontier] = True
        found.append(frontier)
    else:
        return None
    ids = np.concatenate(found)
    # 2. their holdings, renumbered 0 .. r-1 in that order (all they hold is reached too)
    r = ids.size
    local = np.full(n, -1, dtype=np.int64)
    local[ids] = np.arange(r)
    degree = indptr[ids + 1] - indptr[ids]
    pick = order[_ranges(indptr[ids], degree)]
    a, b, share = np.repeat(np.arange(r), degree), local[dst[pick]], w[pick]
    loop = a == b
    self_stake = np.bincount(b[loop], weights=share[loop], minlength=r)
    if loop.any():
        a, b, share = a[~loop], b[~loop], share[~loop]
        degree = np.bincount(a, minlength=r)
    starts = np.cumsum(degree) - degree
    # 3. Kahn's algorithm, a frontier at a time: an entity is final once all its owners are
    pending = np.bincount(b, minlength=r)
    inflow = np.where(is_root[ids], 100.0, 0.0)
    x = np.zeros(r)
    done = np.zeros(r, dtype=bool)
    frontier = np.flatnonzero(pending == 0)
    for _ in range(LEVEL_LIMIT):
        if frontier.size == 0:
            break
        x[frontier] = inflow[frontier] / (1.0 - self_stake[frontier])
        done[frontier] = True
        pick = _ranges(starts[frontier], degree[frontier])
        target = b[pick]
        np.add.at(inflow, target, share[pick] * np.repeat(x[frontier], degree[frontier]))
        np.subtract.at(pending, target, 1)
        frontier = _distinct(target[pending[target] == 0])
    else:
        return None
    # 4. what Kahn's algorithm cannot reach: entities on cycles, and below them
    rest = np.flatnonzero(~done)
    if rest.size:
        if int(degree[rest].sum()) > ENTITY_BY_ENTITY_LIMIT:
            return None
        if rest.size > DENSE_BLOCK_LIMIT and _large_block(r, a, b, rest):
            return None  # decided in C before the entity-by-entity pass builds its lists
        if not _solve_rest(rest, starts, degree, b, share, self_stake, inflow, x):
            return None
    out = np.zeros(n)
    out[ids] = x
    return out


def _large_block(r: int, holder: Array, held: Array, rest: Array) -> bool:
    """Whether the holdings among ``rest`` hold a strongly connected component of more than
    ``DENSE_BLOCK_LIMIT`` entities (scipy.sparse.csgraph; False without scipy)."""
    try:
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components
    except ImportError:
        return False
    inside = np.zeros(r, dtype=bool)
    inside[rest] = True
    keep = inside[holder] & inside[held]
    graph = sp.csr_matrix((np.ones(int(keep.sum())), (holder[keep], held[keep])), shape=(r, r))
    _, label = connected_components(graph, directed=True, connection="strong")
    return bool(np.bincount(label).max() > DENSE_BLOCK_LIMIT)


def _solve_rest(
    rest: Array, starts: Array, degree: Array, held: Array, share: Array, self_stake: Array, inflow: Array, x: Array
) -> bool:
    """Entities on cycles and below them, in topological order of Tarjan's strongly connected
    components: one at a time, or one cycle at a time (a dense solve of ``(I - A_CC) x_C = y_C``,
    where ``y_C`` is what the members get from outside). Fills ``x``, or returns False for a cycle
    of more than ``DENSE_BLOCK_LIMIT`` entities. ``inflow`` already holds what the entities
    computed so far pass on. All that ``rest`` holds is in ``rest``."""
    k = rest.size
    position = np.full(x.size, -1, dtype=np.int64)
    position[rest] = np.arange(k)
    pick = _ranges(starts[rest], degree[rest])
    ends = np.cumsum(degree[rest]).tolist()
    targets = position[held[pick]].tolist()
    stakes = share[pick].tolist()
    begins = [0, *ends[:-1]]
    adjacency = [targets[begins[v] : ends[v]] for v in range(k)]
    values = inflow[rest].tolist()
    selfs = self_stake[rest].tolist()
    components = strong_components(adjacency)
    if max(len(c) for c in components) > DENSE_BLOCK_LIMIT:
        return False
    result = [0.0] * k
    for component in reversed(components):
        if len(component) == 1:
            v = component[0]
            xv = result[v] = values[v] / (1.0 - selfs[v])
            for e in range(begins[v], ends[v]):
                values[targets[e]] += stakes[e] * xv
            continue
        index = {v: i for i, v in enumerate(component)}
        system = np.eye(len(component))
        for i, v in enumerate(component):
            system[i, i] -= selfs[v]
            for e in range(begins[v], ends[v]):
                j = index.get(targets[e])
                if j is not None:
                    system[j, i] -= stakes[e]
        solved = np.linalg.solve(system, [values[v] for v in component]).tolist()
        for i, v in enumerate(component):
            xv = result[v] = solved[i]
            for e in range(begins[v], ends[v]):
                if targets[e] not in index:
                    values[targets[e]] += stakes[e] * xv
    x[rest] = result
    return True


# -- scipy path -----------------------------------------------------------------------------------


def _interest_scipy(
    n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, is_root: np.ndarray, tol: float, max_iter: int
) -> np.ndarray:
    """The scipy path (see :func:`integrated_interest`)."""
    import scipy.sparse as sp

    holdings = sp.csr_matrix((w, (src, dst)), shape=(n, n))  # row k: the stakes entity k holds
    holdings.sum_duplicates()
    reached = _reached_scipy(holdings, np.flatnonzero(is_root))  # the others have 0
    x = np.zeros(n)
    if reached.size == 0:
        return x
    sub = _restrict(holdings, reached)
    d = np.where(is_root[reached], 100.0, 0.0)
    x[reached] = _solve(sub, d, tol, max_iter)
    return x


def _reached_scipy(holdings: Any, sources: np.ndarray) -> np.ndarray:
    """Entities reached from ``sources`` (included) along holdings, breadth first, in that order."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import breadth_first_order

    n = holdings.shape[0]
    if sources.size == 0:
        return np.zeros(0, dtype=np.int64)
    # one extra entity, n, holding every source: a single search from it
    indptr = np.concatenate((holdings.indptr, [holdings.nnz + sources.size])).astype(holdings.indptr.dtype)
    indices = np.concatenate((holdings.indices, sources.astype(holdings.indices.dtype)))
    data = np.concatenate((holdings.data, np.ones(sources.size)))
    graph = sp.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
    return breadth_first_order(graph, n, directed=True, return_predecessors=False)[1:].astype(np.int64)


def _restrict(holdings: Any, entities: np.ndarray) -> Any:
    """The holdings among ``entities`` (which must hold nothing outside them), renumbered in their order."""
    import scipy.sparse as sp

    n = holdings.shape[0]
    if entities.size == n and np.array_equal(entities, np.arange(n)):
        return holdings
    index = np.full(n, -1, dtype=np.int64)
    index[entities] = np.arange(entities.size)
    rows = holdings[entities]
    return sp.csr_matrix((rows.data, index[rows.indices], rows.indptr), shape=(entities.size, entities.size))


def _solve(holdings: Any, d: np.ndarray, tol: float, max_iter: int) -> np.ndarray:
    from scipy.sparse.csgraph import connected_components

    n = holdings.shape[0]
    holder = np.repeat(np.arange(n), np.diff(holdings.indptr))
    held = holdings.indices.astype(np.int64)
    stake = holdings.data
    loop = holder == held
    self_stake = np.bincount(held[loop], weights=stake[loop], minlength=n)
    holder, held, stake = holder[~loop], held[~loop], stake[~loop]
    count, label = connected_components(holdings, directed=True, connection="strong")
    size = np.bincount(label, minlength=count)
    across = label[holder] != label[held]
    # Tarjan's algorithm numbers a component after every component it reaches, so holdings across
    # components go from a higher label to a lower one: checked here, as scipy does not promise it.
    topological = not np.any(label[holder[across]] <= label[held[across]])
    if topological and size.max() <= DENSE_BLOCK_LIMIT:
        return _forward(n, count, label, size, holder, held, stake, across, self_stake, d)
    if topological:
        return _staged(holdings, label, size, d, tol, max_iter)
    return _fixed_point(holdings, d, tol, max_iter)


def _staged(holdings: Any, label: Array, size: Array, d: Array, tol: float, max_iter: int) -> np.ndarray:
    """``(I - A)^-1 d`` when some strongly connected components pass ``DENSE_BLOCK_LIMIT``, in stages taken
    in topological order: each large component is one sparse system ``(I - A_CC) x_C = y_C``, and each run
    of small components between two large ones goes to :func:`_forward`. ``y`` is what a stage receives
    from the stages before it, added to its ``d``; ``label`` is topological (held components have lower
    labels)."""
    stakes = holdings.T.tocsr()  # row i: the stakes held in entity i
    large = np.flatnonzero(size > DENSE_BLOCK_LIMIT)  # ascending labels
    above = large.size - np.searchsorted(large, label, side="right")  # large components upstream of each entity
    stage = 2 * above + np.isin(label, large)  # 0: small ones above every large one, 1: the first large one ...
    order = np.argsort(stage, kind="stable")
    ends = np.cumsum(np.bincount(stage)).tolist()
    starts = [0, *ends[:-1]]
    x = np.zeros(d.size)
    inflow = d.copy()
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
        if a == b:
            continue
        members = np.sort(order[a:b])
        block = stakes[members][:, members]  # the stakes among the stage's members
        rhs = inflow[members]
        values = _block(block, rhs, tol, max_iter) if k % 2 else _solve(block.T.tocsr(), rhs, tol, max_iter)
        x[members] = values
        spread = np.zeros(d.size)
        spread[members] = values
        inflow += stakes @ spread  # what the stage's members pass on downstream (and, already counted, inside)
    return x


def _block(stakes: Any, rhs: Array, tol: float, max_iter: int) -> np.ndarray:
    """``(I - A_CC)^-1 y`` for one large strongly connected component, ``A_CC`` given as ``stakes``.

    Solved by GMRES (scipy) to a relative residual of ``BLOCK_RTOL``, that is to rounding: a sparse LU
    factorisation would be exact too, but its fill-in on a strongly connected block of 10,000 entities
    with random cross-holdings reached ten million entries and half a minute, where GMRES needs a
    few dozen products with the block (its spectral radius is below 1, see ``_check_closed_cycles``).
    Should GMRES stop short, the fixed-point iteration restricted to the block finishes the job."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import gmres

    system = (sp.identity(rhs.size, format="csr") - stakes).tocsr()
    values, info = gmres(system, rhs, x0=rhs.copy(), rtol=BLOCK_RTOL, atol=0.0, restart=50, maxiter=max_iter)
    if info == 0:
        return np.asarray(values)
    return _fixed_point(stakes.T.tocsr(), rhs, tol, max_iter)


def _forward(
    n: int,
    count: int,
    label: Array,
    size: Array,
    holder: Array,
    held: Array,
    stake: Array,
    across: Array,
    self_stake: Array,
    d: Array,
) -> np.ndarray:
    """``(I - A)^-1 d`` by one forward substitution over the components in topological order."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve_triangular

    cyclic_comp = size > 1
    cyclic_comp[label[self_stake > 0]] = True
    members = np.flatnonzero(cyclic_comp[label])  # entities on a cycle: each gets a twin, below
    members = members[np.argsort(label[members], kind="stable")]
    comp_of = label[members]
    rank = np.arange(members.size) - np.searchsorted(comp_of, comp_of, side="left")  # index inside its component
    # Slots in topological order (components by decreasing label). A plain entity takes one slot.
    # A cyclic component C takes 2|C|: first the twins, y_C = d_C + (stakes from outside C) x, then
    # the members, x_C = (I - A_CC)^-1 y_C. Every slot depends only on earlier slots.
    slots = np.where(cyclic_comp, 2 * size, 1)
    order = np.arange(count - 1, -1, -1)
    start = np.empty(count, dtype=np.int64)
    start[order] = np.cumsum(slots[order]) - slots[order]
    total = int(slots.sum())
    pos = start[label]  # slot of each entity's value
    twin = start[comp_of] + rank
    pos[members] = twin + size[comp_of]
    inflow = pos.copy()  # slot receiving the stakes held in an entity from outside its component
    inflow[members] = twin

    inv_rows, inv_cols, inv_vals = _component_inverses(
        n, members, comp_of, rank, size, holder, held, stake, across, self_stake
    )
    # Unit lower-triangular system (I - K) y = b in slot order. Column of an entity's slot: the
    # stakes it holds (rows: inflow slots of the held entities); column of a twin: its column of
    # the component's inverse (rows: the value slots of the members).
    diag = np.arange(total)
    rows = np.concatenate((diag, inflow[held[across]], pos[members][inv_rows]))
    cols = np.concatenate((diag, pos[holder[across]], twin[inv_cols]))
    vals = np.concatenate((np.ones(total), -stake[across], -inv_vals))
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(total, total))
    rhs = np.zeros(total)
    rhs[inflow] = d
    solution = spsolve_triangular(matrix, rhs, lower=True, unit_diagonal=True, overwrite_A=True, overwrite_b=True)
    return np.asarray(solution)[pos]


def _component_inverses(
    n: int,
    members: Array,
    comp_of: Array,
    rank: Array,
    size: Array,
    holder: Array,
    held: Array,
    stake: Array,
    across: Array,
    self_stake: Array,
) -> tuple[Array, Array, Array]:
    """``(I - A_CC)^-1`` of every cyclic component C, batched by component size, as triplets
    (row, column, value) of indices into ``members``."""
    if members.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    index_of = np.full(n, -1, dtype=np.int64)
    index_of[members] = np.arange(members.size)
    inside = np.flatnonzero(~across)  # holdings inside a component: always a cyclic one
    member_size = size[comp_of]
    first = np.arange(members.size) - rank
    rows_all, cols_all, vals_all = [], [], []
    for s in np.unique(member_size).tolist():
        in_group = member_size == s
        heads = np.flatnonzero(in_group & (rank == 0))  # first member of each component of size s
        block_of = np.full(members.size, -1, dtype=np.int64)
        block_of[in_group] = np.searchsorted(heads, first[in_group])
        blocks = np.zeros((heads.size, s, s))
        idx = np.arange(s)
        blocks[:, idx, idx] = 1.0
        own = np.flatnonzero(in_group)
        blocks[block_of[own], rank[own], rank[own]] -= self_stake[members[own]]
        e = inside[in_group[index_of[held[inside]]]]
        i, j = index_of[held[e]], index_of[holder[e]]
        np.add.at(blocks, (block_of[i], rank[i], rank[j]), -stake[e])
        inverse = np.linalg.inv(blocks)
        b, r, c = np.meshgrid(np.arange(heads.size), idx, idx, indexing="ij")
        rows_all.append(heads[b.ravel()] + r.ravel())
        cols_all.append(heads[b.ravel()] + c.ravel())
        vals_all.append(inverse.ravel())
    return np.concatenate(rows_all), np.concatenate(cols_all), np.concatenate(vals_all)


# -- fixed-point iteration -----------------------------------------------------------------------


def _fixed_point(holdings: Any, d: np.ndarray, tol: float, max_iter: int) -> np.ndarray:
    """``x <- d + A x`` from ``x = d`` until the largest change is below ``tol`` points."""
    stakes = holdings.T.tocsr()
    x = d.copy()
    change = np.zeros(d.size)
    for _ in range(max_iter):
        nxt = stakes @ x
        nxt += d
        change = np.abs(nxt - x)
        x = nxt
        if change.max() < tol:
            return x
    worst = int(np.argmax(change))
    raise ValueError(
        f"integrated ownership did not converge in {max_iter} iterations: an interest still "
        f"changed by {change[worst]:.3g} points (a cycle of holdings whose stakes multiply to "
        "nearly 100%)"
    )
