"""Cycles of cross-holdings in one case larger than ``holdings.DENSE_LIMIT``: solved exactly by a sparse solve."""

from __future__ import annotations

import random
import time

import pytest

from screening.case import holdings


def ring(size: int, stake: float, seed: int = 3) -> tuple[holdings.Holdings, list[float]]:
    """Entity ``size`` (outside) holds half of entity 0; each entity of the ring ``0 .. size-1`` holds ``stake`` of
    the next, and a few hold small stakes across the ring."""
    rng = random.Random(seed)
    owner, owned, weight = [size], [0], [0.5]
    for i in range(size):
        owner.append(i)
        owned.append((i + 1) % size)
        weight.append(stake)
    for _ in range(size // 4):
        a, b = rng.randrange(size), rng.randrange(size)
        if a != b and b != 0:
            owner.append(a)
            owned.append(b)
            weight.append(rng.uniform(0, (1 - stake) / 4))
    return holdings.holdings(size + 1, owner, owned), weight


def test_a_large_cycle_is_solved_as_iteration_converges_to(monkeypatch):
    g, weight = ring(400, 0.5)
    exact = holdings.shares(g, weight, 200, [400])
    assert len(exact) == 401
    monkeypatch.setattr(holdings, "_solve_sparse", lambda *args: None)  # as without scipy
    iterated = holdings.shares(g, weight, 200, [400])
    assert exact.keys() == iterated.keys()
    for v in exact:
        assert exact[v] == pytest.approx(iterated[v], rel=1e-12, abs=1e-15)


def test_a_large_cycle_that_almost_closes_is_solved_at_once():
    """Stakes of 99.99% round a ring of 300: iteration would gain a digit in thousands of sweeps."""
    size, stake = 300, 0.9999
    owner = [size, *range(size)]
    owned = [0, *((i + 1) % size for i in range(size))]
    g = holdings.holdings(size + 1, owner, owned)
    start = time.perf_counter()
    found = holdings.shares(g, [1 - stake] + [stake] * size, 150, [size])
    assert time.perf_counter() - start < 5  # bounded: milliseconds expected
    # the outside owner's part of entity 150: its stake in 0, times every way round the ring to 150
    assert found[size] == pytest.approx((1 - stake) * stake**150 / (1 - stake**size), rel=1e-12)


def test_a_closed_large_cycle_carries_an_unbounded_part_as_a_small_one_does():
    size = 160  # each entity held whole by the one before: I - A is singular
    inside = [[((i + 1) % size, 1.0)] for i in range(size)]
    b = [1.0] + [0.0] * (size - 1)
    assert holdings._solve_sparse(size, inside, b) == [float("inf")] * size
    assert holdings._solve_dense(size, inside, b) == [float("inf")] * size


def _random_holdings(rng: random.Random, n: int, acyclic: bool) -> tuple[list[int], list[int], list[float]]:
    owner, owned, weight = [], [], []
    for _ in range(rng.randrange(n, 3 * n)):
        a, b = rng.randrange(n), rng.randrange(n)
        if acyclic and a < b:  # holdings only from a higher number to a lower one, or of itself
            a, b = b, a
        owner.append(a)
        owned.append(b)
        weight.append(rng.choice([0.0, 0.1, 0.25, 0.5, 0.51, 1 / 3, rng.random()]))
    return owner, owned, weight


@pytest.mark.parametrize("acyclic", [True, False])
def test_the_components_kept_for_the_graph_give_the_same_shares_to_the_last_bit(acyclic):
    """Once the whole graph's components are worked out (the ownership analysis's closures do it first), a graph
    without a cycle takes them as its order; the shares are those worked out from the holdings alone, exactly."""
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randrange(1, 12)
        owner, owned, weight = _random_holdings(rng, n, acyclic)
        kept = holdings.holdings(n, owner, owned)
        holdings.strong(kept)
        alone = holdings.Holdings(*kept[:5])  # nothing kept: each call finds its own components
        assert alone.memo is None
        assert (holdings._rank(kept) is not None) == (acyclic or all(len(c) == 1 for c in holdings.strong(kept)))
        target = rng.randrange(n)
        for sources in ([rng.randrange(n)], rng.sample(range(n), min(n, 3)), [v for v in range(n) if v != target]):
            assert holdings.shares(kept, weight, target, sources) == holdings.shares(alone, weight, target, sources)
