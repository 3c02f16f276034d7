"""Effective state interest on ownership graphs: integrated ownership and simple chains, by hand.

Entities are numbered; an edge (owner, owned, pct) says ``owner`` holds ``pct`` percent of
``owned``; roots are state bodies (100% state). Expected figures are worked out in the comments.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest

np = pytest.importorskip("numpy")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from screening.case import graphs  # noqa: E402
from screening.case.graphs import integrated_interest, simple_chain_interest  # noqa: E402

PACKAGE = Path(__file__).resolve().parent.parent / "screening"


def interest(n, edges, roots, **options):
    """Both semantics on the same graph: (integrated, simple chains), as lists."""
    owner = [e[0] for e in edges]
    owned = [e[1] for e in edges]
    pct = [e[2] for e in edges]
    return (
        integrated_interest(n, owner, owned, pct, roots, **options).tolist(),
        simple_chain_interest(n, owner, owned, pct, roots).tolist(),
    )


@contextmanager
def path(name: str):
    """Force one of the four ways integrated_interest can compute (they must agree)."""
    if name == "numpy":
        yield
        return
    pytest.importorskip("scipy")
    limits: dict = {"LEVEL_LIMIT": 0} if name == "scipy" else {"LEVEL_LIMIT": 0, "DENSE_BLOCK_LIMIT": 0}
    if name == "fixed point":  # what a graph whose components scipy does not number in topological order takes
        limits["_staged"] = lambda holdings, label, size, d, tol, max_iter: graphs._fixed_point(
            holdings, d, tol, max_iter
        )
    with mock.patch.multiple(graphs, **limits):
        yield


PATHS = ["numpy", "scipy", "sparse blocks", "fixed point"]


# -- by hand ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("way", PATHS)
def test_chain_multiplies(way):
    # state 0 holds 60% of 1, which holds 50% of 2: 60% x 50% = 30%
    with path(way):
        integrated, simple = interest(3, [(0, 1, 60), (1, 2, 50)], [0])
    assert integrated == pytest.approx([100, 60, 30])
    assert simple == pytest.approx([100, 60, 30])


@pytest.mark.parametrize("way", PATHS)
def test_parallel_paths_add(way):
    # state 0 holds 30% of 2 directly and 20% of 1, which holds 50% of 2: 30% + 20% x 50% = 40%
    with path(way):
        integrated, simple = interest(3, [(0, 2, 30), (0, 1, 20), (1, 2, 50)], [0])
    assert integrated == pytest.approx([100, 20, 40])
    assert simple == pytest.approx([100, 20, 40])


@pytest.mark.parametrize("way", PATHS)
def test_diamond(way):
    # 0 (state) -> 1: 50%, 0 -> 2: 40%, 1 -> 3: 30%, 2 -> 3: 60%, 3 -> 4: 100%
    # 3: 50% x 30% + 40% x 60% = 15 + 24 = 39%; 4 is wholly held by 3: 39%
    with path(way):
        integrated, simple = interest(5, [(0, 1, 50), (0, 2, 40), (1, 3, 30), (2, 3, 60), (3, 4, 100)], [0])
    assert integrated == pytest.approx([100, 50, 40, 39, 39])
    assert simple == pytest.approx([100, 50, 40, 39, 39])


@pytest.mark.parametrize("way", PATHS)
def test_two_entity_cycle(way):
    # State S (0) holds 50% of A (1); A holds 20% of B (2); B holds 10% of A.
    # Integrated: x_A = 50 + 0.10 x_B and x_B = 0.20 x_A
    #   => x_A = 50 + 0.02 x_A => x_A = 50 / 0.98 = 51.0204..., x_B = 0.2 x_A = 10 / 0.98 = 10.2040...
    #   (the chains S-A, S-A-B-A, S-A-B-A-B-A, ... give 50 (1 + 0.02 + 0.02^2 + ...) = 50 / 0.98)
    # Simple chains: A only through S-A = 50 (S-A-B-A visits A twice); B through S-A-B = 50% x 20% = 10.
    with path(way):
        integrated, simple = interest(3, [(0, 1, 50), (1, 2, 20), (2, 1, 10)], [0])
    assert integrated == pytest.approx([100, 50 / 0.98, 10 / 0.98], abs=1e-9)
    assert simple == pytest.approx([100, 50, 10])


@pytest.mark.parametrize("way", PATHS)
def test_self_holding(way):
    # State 0 holds 50% of A (1); A holds 10% of itself (treasury shares); A holds 100% of B (2).
    # Integrated: x_A = 50 + 0.10 x_A => x_A = 50 / 0.9 = 55.5...; x_B = x_A.
    # Simple chains: the loop A-A is not simple: A = 50, B = 50.
    with path(way):
        integrated, simple = interest(3, [(0, 1, 50), (1, 1, 10), (1, 2, 100)], [0])
    assert integrated == pytest.approx([100, 50 / 0.9, 50 / 0.9], abs=1e-9)
    assert simple == pytest.approx([100, 50, 50])


@pytest.mark.parametrize("way", PATHS)
def test_cycle_no_root_reaches(way):
    # 1 and 2 hold 30% of each other, 3 holds 40% of 1; the state (0) holds 20% of 4 only.
    with path(way):
        integrated, simple = interest(5, [(1, 2, 30), (2, 1, 30), (3, 1, 40), (0, 4, 20)], [0])
    assert integrated == pytest.approx([100, 0, 0, 0, 20])
    assert simple == pytest.approx([100, 0, 0, 0, 20])


@pytest.mark.parametrize("way", PATHS)
def test_root_inside_a_cycle(way):
    # State body 0 holds 60% of 1, 1 holds 50% of 2, and 2 holds 10% of 0: the stake in a root does
    # not count (the root is 100% state), so the cycle is cut there: 1 = 60, 2 = 30.
    with path(way):
        integrated, simple = interest(3, [(0, 1, 60), (1, 2, 50), (2, 0, 10)], [0])
    assert integrated == pytest.approx([100, 60, 30])
    assert simple == pytest.approx([100, 60, 30])


@pytest.mark.parametrize("way", PATHS)
def test_roots_count_together_once(way):
    # Roots 0 and 1 hold 30% of 2 each: 60% state. Root 0 also holds 50% of root 1, which holds 40% of 3:
    # 3 is 40% state, not 40 + 50% x 40% (a root is 100% state, whoever else holds it).
    with path(way):
        integrated, simple = interest(4, [(0, 2, 30), (1, 2, 30), (0, 1, 50), (1, 3, 40)], [0, 1])
    assert integrated == pytest.approx([100, 100, 60, 40])
    assert simple == pytest.approx([100, 100, 60, 40])


def test_parallel_edges_add_up():
    # two lines of shares of the same company: 20% + 15%
    integrated, simple = interest(2, [(0, 1, 20), (0, 1, 15)], [0])
    assert integrated == pytest.approx([100, 35])
    assert simple == pytest.approx([100, 35])


@pytest.mark.parametrize("compute", [integrated_interest, simple_chain_interest])
def test_stakes_above_100_percent_name_the_entity(compute):
    with pytest.raises(ValueError, match=r"entity 2 sum to 110%"):
        compute(4, [0, 1, 0], [2, 2, 3], [60, 50, 10], [0])


def test_stakes_summing_to_100_with_rounding_are_accepted():
    # three thirds in four decimals, and the float sum of 33.3 + 33.3 + 33.4 (100.00000000000001)
    x = integrated_interest(4, [0, 1, 2], [3, 3, 3], [33.3, 33.3, 33.4], [0])
    assert x.tolist() == pytest.approx([100, 0, 0, 33.3])


@pytest.mark.parametrize("way", PATHS)
def test_closed_cycle_does_not_converge(way):
    # 1 holds 100% of 2 and 2 holds 100% of 1: the stakes around the cycle multiply to 100%, no one
    # outside holds either, I - A is singular (any x_1 = x_2 solves it). The state holds 40% of 3.
    with path(way), pytest.raises(ValueError, match=r"does not converge: entity [12] is on a cycle"):
        integrated_interest(4, [1, 2, 0], [2, 1, 3], [100, 100, 40], [0])


@pytest.mark.parametrize("way", PATHS)
def test_closed_cycle_below_which_others_sit(way):
    # 1 -> 2 -> 3 -> 1 all at 100%, and 3 holds 50% of 4, 4 holds 30% of 5: the error names a cycle member
    with path(way), pytest.raises(ValueError, match=r"entity [123] is on a cycle"):
        integrated_interest(6, [1, 2, 3, 3, 4], [2, 3, 1, 4, 5], [100, 100, 100, 50, 30], [0])


def test_entity_holding_all_of_itself_does_not_converge():
    with pytest.raises(ValueError, match=r"entity 1 is on a cycle"):
        integrated_interest(2, [1], [1], [100], [0])


def test_cycle_at_100_percent_with_an_outside_owner_converges():
    # 1 holds 100% of 2, 2 holds 50% of 1 and the state 0 holds the other 50% of 1:
    # x_1 = 50 + 0.5 x_2, x_2 = x_1 => x_1 = x_2 = 100
    x = integrated_interest(3, [1, 2, 0], [2, 1, 1], [100, 50, 50], [0])
    assert x.tolist() == pytest.approx([100, 100, 100])


def test_simple_chains_ignore_a_closed_cycle():
    assert simple_chain_interest(4, [1, 2, 0], [2, 1, 3], [100, 100, 40], [0]).tolist() == [100, 0, 0, 40]


def test_empty_graphs():
    for compute in (integrated_interest, simple_chain_interest):
        assert compute(0, [], [], [], []).tolist() == []
        assert compute(3, [], [], [], [1]).tolist() == [0, 100, 0]
        assert compute(2, [0], [1], [50], []).tolist() == [0, 0]


@pytest.mark.parametrize(
    "args, message",
    [
        ((2, [0], [1], [0], [0]), r"edge 0 \(0 -> 1\): stake 0\.0 is not a percentage"),
        ((2, [0], [1], [100.5], [0]), r"stake 100\.5 is not a percentage"),
        ((2, [0], [1], [math.nan], [0]), r"stake nan is not a percentage"),
        ((2, [0], [2], [10], [0]), r"owned\[0\] = 2 is not an entity index \(0 \.\. 1\)"),
        ((2, [0], [1], [10], [-1]), r"roots\[0\] = -1 is not an entity index"),
        ((2, [0, 1], [1], [10], [0]), r"differ in length \(2, 1, 1\)"),
        ((2, [0.0], [1], [10], [0]), r"owner must hold integer entity indices"),
        ((-1, [], [], [], []), r"n must be a non-negative integer"),
    ],
)
def test_malformed_input(args, message):
    for compute in (integrated_interest, simple_chain_interest):
        with pytest.raises(ValueError, match=message):
            compute(*args)


def test_simple_chains_stop_at_max_paths():
    # a ladder: 2 choices at each of 12 steps, 2^12 simple chains to the last entity
    edges = [(2 * i + a, 2 * i + 2 + b, 50) for i in range(12) for a in (0, 1) for b in (0, 1)]
    owner, owned, pct = zip(*edges, strict=True)
    with pytest.raises(ValueError, match=r"more than 1000 simple ownership chains"):
        simple_chain_interest(26, owner, owned, pct, [0, 1], max_paths=1000)
    integrated = integrated_interest(26, owner, owned, pct, [0, 1])
    assert integrated[-2:].tolist() == pytest.approx([100, 100])  # each entity is 50% + 50% held by roots


def test_fixed_point_gives_up_after_max_iter():
    pytest.importorskip("scipy")
    # a cycle 1 -> 2 -> 3 -> 4 -> 1 with 99% on each link, the state holding the other 1% of 1:
    # x_1 = 1 + 0.99^4 x_1 => x_1 = 1 / (1 - 0.99^4) = 25.38...; the iteration gains a factor 0.96 a round
    owner, owned, pct = [1, 2, 3, 4, 0], [2, 3, 4, 1, 1], [99, 99, 99, 99, 1]
    with path("fixed point"), pytest.raises(ValueError, match=r"did not converge in 50 iterations"):
        integrated_interest(5, owner, owned, pct, [0], max_iter=50)
    with path("fixed point"):
        creeping = integrated_interest(5, owner, owned, pct, [0], tol=1e-9)
    exact = integrated_interest(5, owner, owned, pct, [0])
    assert exact[1] == pytest.approx(1 / (1 - 0.99**4), abs=1e-9)
    assert creeping.tolist() == pytest.approx(exact.tolist(), abs=1e-6)


@pytest.mark.parametrize("limits", [{"ENTITY_BY_ENTITY_LIMIT": 0}, {"DENSE_BLOCK_LIMIT": 2}])
def test_large_cycles_go_to_scipy(limits):
    pytest.importorskip("scipy")
    # 1 -> 2 -> 3 -> 1 at 50% each, the state 0 holding 50% of 1: x_1 = 50 + 0.125 x_1 = 50 / 0.875,
    # x_2 = x_1 / 2, x_3 = x_1 / 4. A cycle of 3 is "large" under a limit of 2 (then: a sparse LU solve).
    with mock.patch.multiple(graphs, **limits):
        x = integrated_interest(4, [0, 1, 2, 3], [1, 2, 3, 1], [50, 50, 50, 50], [0])
    assert x.tolist() == pytest.approx([100, 50 / 0.875, 25 / 0.875, 12.5 / 0.875], abs=1e-9)


def test_large_blocks_are_solved_exactly_between_small_cycles():
    pytest.importorskip("scipy")
    # Upstream a 2-cycle, then a ring of 40 (each holding 30% of the next), then another 2-cycle fed by the
    # ring, then a ring of 25 below it: under a limit of 10 both rings are large blocks, solved by sparse
    # LU in turn, the small cycles between them by the forward pass. The dense path is the reference.
    edges = [(0, 1, 60), (1, 2, 40), (2, 1, 20)]
    ring = list(range(3, 43))
    edges += [(a, b, 30) for a, b in zip(ring, ring[1:] + ring[:1], strict=True)] + [(2, 3, 50)]
    edges += [(20, 43, 70), (43, 44, 25), (44, 43, 10)]
    low = list(range(45, 70))
    edges += [(a, b, 45) for a, b in zip(low, low[1:] + low[:1], strict=True)] + [(44, 45, 40), (10, 69, 5)]
    owner, owned, pct = (list(column) for column in zip(*edges, strict=True))
    exact = integrated_interest(70, owner, owned, pct, [0])
    with mock.patch.multiple(graphs, LEVEL_LIMIT=0, DENSE_BLOCK_LIMIT=10):
        staged = integrated_interest(70, owner, owned, pct, [0])
    assert staged.tolist() == pytest.approx(exact.tolist(), abs=1e-12)
    expected = np.zeros(70)  # x = d + A x
    for a, b, s in edges:
        expected[b] += s / 100 * staged[a]
    expected[0] = 100.0
    assert staged.tolist() == pytest.approx(expected.tolist(), abs=1e-12)
    assert staged[3] > 0 and staged[69] > 0


def test_numpy_arrays_and_large_indices_are_accepted():
    x = integrated_interest(
        np.int64(3),
        np.array([0, 1], dtype=np.int64),
        np.array([1, 2], dtype=np.uint32),
        np.array([60.0, 50.0]),
        np.array([0]),
    )
    assert x.tolist() == pytest.approx([100, 60, 30])


def test_no_module_imports_graphs_at_start_up():
    # numpy and scipy cost ~0.5 s to import: only code that handles large graphs loads this module (and only
    # a batch of watchlist names loads listindex_arrays, the index's search over numpy)
    top_level = re.compile(r"^(?:import|from)\s+(\S+)(?:\s+import\s+(.+))?", re.M)
    for source in PACKAGE.rglob("*.py"):
        if source.name in ("graphs.py", "listindex_arrays.py"):
            continue
        for module, names in top_level.findall(source.read_text()):
            words = set(re.findall(r"\w+", f"{module} {names}"))
            assert not words & {"numpy", "scipy", "graphs", "listindex_arrays"}, f"{source.name}: {module} {names}"


# -- properties ------------------------------------------------------------------------------------


@st.composite
def ownership_graphs(draw, acyclic: bool):
    n = draw(st.integers(1, 7))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=14))
    if acyclic:
        pairs = [(min(a, b), max(a, b)) for a, b in pairs if a != b]  # holdings only go down the numbering
    stakes = [draw(st.floats(0.5, 100)) for _ in pairs]
    # Scale the stakes into each entity to at most 100% (acyclic) or 95% (so no cycle is closed).
    cap = 100.0 if acyclic else 95.0
    total = [0.0] * n
    for (_, b), s in zip(pairs, stakes, strict=True):
        total[b] += s
    stakes = [s * min(1.0, cap / total[b]) for (_, b), s in zip(pairs, stakes, strict=True)]
    roots = sorted(draw(st.sets(st.integers(0, n - 1), max_size=3)))
    return n, [a for a, _ in pairs], [b for _, b in pairs], stakes, roots


@settings(max_examples=50, deadline=None)
@given(ownership_graphs(acyclic=True))
def test_on_acyclic_graphs_the_semantics_agree(graph):
    integrated = integrated_interest(*graph)
    simple = simple_chain_interest(*graph)
    assert integrated.tolist() == pytest.approx(simple.tolist(), abs=1e-9)
    assert np.all(integrated >= 0) and np.all(integrated <= 100 + 1e-9)


@settings(max_examples=50, deadline=None)
@given(ownership_graphs(acyclic=False))
def test_with_cycles_integrated_is_at_least_simple(graph):
    integrated = integrated_interest(*graph)
    simple = simple_chain_interest(*graph)
    assert np.all(integrated >= simple - 1e-9)  # the chains round a cycle only add
    assert np.all(integrated >= 0) and np.all(integrated <= 100 + 1e-9)


@settings(max_examples=30, deadline=None)
@given(ownership_graphs(acyclic=False))
def test_the_three_ways_agree_and_solve_the_fixed_point(graph):
    pytest.importorskip("scipy")
    n, owner, owned, pct, roots = graph
    results = []
    for way in PATHS:
        with path(way):
            results.append(integrated_interest(*graph, tol=1e-13))
    for other in results[1:]:
        assert other.tolist() == pytest.approx(results[0].tolist(), abs=1e-9)
    # x = d + A x, with no stake into a root counted
    x = results[0]
    expected = np.zeros(n)
    for a, b, s in zip(owner, owned, pct, strict=True):
        if b not in roots:
            expected[b] += s / 100 * x[a]
    expected[roots] = 100.0
    assert x.tolist() == pytest.approx(expected.tolist(), abs=1e-9)
