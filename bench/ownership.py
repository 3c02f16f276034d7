"""Benchmark of `screening.case.graphs.integrated_interest` on a large ownership graph.

Generates (seeded, deterministic) a graph of 1,000,000 entities, 1,500,000 holdings and 1,000 state
roots, saves it to an .npz in a temporary folder, then times whole processes that load it and
compute the roots' integrated interest in every entity:

* baseline: the plain fixed-point iteration x <- d + A x from x = d, on a scipy CSR matrix, until
  the largest change is below 1e-12 points, written out below;
* ours: `screening.case.graphs.integrated_interest` (exact: forward substitution in topological order,
  cycles solved as small dense systems; on this graph its numpy-only path).

Runs alternate between the two so machine noise hits both alike; the figures are medians of wall
time and of peak resident memory (each child's own high-water mark, VmHWM). Then checks that the
two agree (what differs is what the iteration has not converged yet), and on a smaller graph of
the same kind (simple-chain enumeration is exponential) counts the entities where integrated
ownership and simple chains differ. Targets for ours: within 2x of the baseline, under 1.5 s and
500 MiB for the whole process.

The graph: 15% of the entities have no owner in the graph (people, funds, states) and the rest
sit in 10 layers of companies, each with 1 to 5 owners (half have one, 30% two) taken from the
layer above or anywhere higher; the stakes into an entity add up to 100%, or to 20-100% where part
of the capital is floating. 0.4% of the holdings are cross-holdings: an entity holds a small
stake (0.5-10%, sometimes 10-40%) in an owner 1 to 3 levels up, which closes a cycle. Roots are
mostly among the top entities, 5% of them further down (state bodies that others hold shares in).
Entity numbers are shuffled, so that their order says nothing about the structure.

    python bench/ownership.py [--runs 5] [--entities 1000000] [--edges 1500000] [--roots 1000]
    python bench/ownership.py --blocks 5 --block-size 10000    # also rings of 10,000 entities each

``--blocks K`` adds K rings of ``--block-size`` companies that held nothing before, each holding 1-30%
of the next (within what is left of its capital), and from every tenth member a stake in a company
outside the rings that holds nothing either: strongly connected blocks of exactly that size, far above
what is solved densely, with holdings below them. The analysis solves each as one sparse system.
"""

from __future__ import annotations

import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOL = 1e-12


def child(method: str, graph_path: str, out_path: str) -> None:
    """One timed process: load the graph, compute, save the interests, print the compute time."""
    import numpy as np

    graph = np.load(graph_path)
    n, owner, owned, pct, roots = int(graph["n"]), graph["owner"], graph["owned"], graph["pct"], graph["roots"]
    start = time.perf_counter()
    if method == "baseline":
        x = baseline(n, owner, owned, pct, roots)
    else:
        sys.path.insert(0, ROOT)
        from screening.case.graphs import integrated_interest

        x = integrated_interest(n, owner, owned, pct, roots, tol=TOL)
    elapsed = time.perf_counter() - start
    np.save(out_path, x)
    print(f"{elapsed:.6f} {peak_rss_kib()}")


def peak_rss_kib() -> int:
    """This process's peak resident memory. Not ru_maxrss: on Linux that also counts the memory of
    the parent the process was forked from (recorded at exec), here the one holding the graph."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def baseline(n, owner, owned, pct, roots, max_iter: int = 10_000):
    """Plain fixed point: x = d + A x, A[i, j] = stake of j in i (none into a root), d = 100 on roots."""
    import numpy as np
    import scipy.sparse as sp

    d = np.zeros(n)
    d[roots] = 100.0
    keep = d[owned] == 0.0
    stakes = sp.csr_matrix((pct[keep] / 100.0, (owned[keep], owner[keep])), shape=(n, n))
    x = d.copy()
    for _ in range(max_iter):
        nxt = stakes @ x
        nxt += d
        change = np.abs(nxt - x).max()
        x = nxt
        if change < TOL:
            return x
    raise RuntimeError("baseline did not converge")


def generate(n: int, m: int, n_roots: int, seed: int = 20_240_611, layers: int = 10, blocks: int = 0, block: int = 0):
    """A realistic ownership graph: (owner, owned, pct, roots) arrays; see the module docstring."""
    import numpy as np

    rng = np.random.default_rng(seed)
    m -= blocks * block + blocks * ((block + 9) // 10)  # the rings' holdings count in the total
    n_top = int(n * 0.15)
    n_low = n - n_top
    bounds = np.linspace(n_top, n, layers + 1).astype(np.int64)
    first = np.concatenate(([0], bounds[:-1]))  # first entity of layer l (layer 0: the top)
    layer = np.zeros(n, dtype=np.int64)
    for level in range(1, layers + 1):
        layer[bounds[level - 1] : bounds[level]] = level
    n_cross = int(m * 0.004)
    owners = rng.choice([1, 2, 3, 4, 5], size=n_low, p=[0.50, 0.30, 0.12, 0.05, 0.03])
    excess = int(owners.sum()) - (m - n_cross)
    if excess > 0:
        owners[rng.choice(np.flatnonzero(owners > 1), excess, replace=False)] -= 1
    elif excess < 0:
        owners[rng.choice(n_low, -excess, replace=False)] += 1
    owned = np.repeat(np.arange(n_top, n), owners)
    level = layer[owned]
    near = rng.random(owned.size) < 0.6  # the group's parent in the layer above, or any higher holder
    low = np.where(near, first[level - 1], 0)
    owner = low + (rng.random(owned.size) * (first[level] - low)).astype(np.int64)
    total = np.where(rng.random(n_low) < 0.7, 100.0, rng.uniform(20, 100, n_low))
    weight = rng.exponential(1.0, owned.size) + 0.05
    group = owned - n_top
    pct = total[group] * weight / np.bincount(group, weights=weight, minlength=n_low)[group]
    pct = np.floor(pct * 1e4) / 1e4  # four decimals, rounded down: the sum stays within the total
    # cross-holdings: a held entity takes a stake in an owner 1 to 3 levels up
    by_owner = np.argsort(owner, kind="stable")
    out_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=out_start[1:])
    room = np.full(n, 100.0)
    room[n_top:] = 100.0 - np.bincount(group, weights=pct, minlength=n_low)
    top = rng.choice(np.flatnonzero((room >= 1.0) & (np.diff(out_start) > 0)), n_cross, replace=False)
    down = top.copy()
    steps = rng.choice([1, 2, 3], size=n_cross, p=[0.7, 0.2, 0.1])
    for step in range(1, 4):
        degree = out_start[down + 1] - out_start[down]
        pick = out_start[down] + (rng.random(n_cross) * np.maximum(degree, 1)).astype(np.int64)
        nxt = owned[by_owner[np.minimum(pick, owned.size - 1)]]
        down = np.where((steps >= step) & (degree > 0), nxt, down)
    stake = np.where(rng.random(n_cross) < 0.05, rng.uniform(10, 40, n_cross), rng.uniform(0.5, 10, n_cross))
    stake = np.floor(np.minimum(stake, room[top]) * 1e4) / 1e4
    # holdings only go down the layers, so a walk down never comes back to where it started
    owner, owned, pct = np.concatenate((owner, down)), np.concatenate((owned, top)), np.concatenate((pct, stake))
    if blocks:  # rings of companies, each holding a stake in the next: one strongly connected block each
        room = 100.0 - np.bincount(owned, weights=pct, minlength=n)
        # companies that hold nothing yet: a ring of them is one block of exactly its size
        holds = np.bincount(owner, minlength=n) > 0
        free = np.flatnonzero((room >= 1.0) & ~holds & (np.arange(n) >= n_top))
        ring = rng.choice(free, blocks * block, replace=False).reshape(blocks, -1)
        nxt = np.roll(ring, -1, axis=1)
        share = np.floor(np.minimum(rng.uniform(1, 30, ring.shape), room[nxt]) * 1e4) / 1e4
        below = ring[:, ::10].ravel()  # stakes out of the rings, into companies that are not in one
        others = np.setdiff1d(free[room[free] >= 2.0], ring.ravel())  # they hold nothing: no way back up
        into = rng.choice(others, below.size, replace=False)
        owner = np.concatenate((owner, ring.ravel(), below))
        owned = np.concatenate((owned, nxt.ravel(), into))
        pct = np.concatenate((pct, share.ravel(), np.full(below.size, 1.0)))
    roots = np.concatenate(
        (
            rng.choice(n_top, n_roots - n_roots // 20, replace=False),
            rng.choice(np.arange(n_top, n), n_roots // 20, replace=False),
        )
    )
    label = rng.permutation(n)
    shuffle = rng.permutation(owner.size)
    return (
        label[owner][shuffle].astype(np.int32),
        label[owned][shuffle].astype(np.int32),
        pct[shuffle],
        np.sort(label[roots]).astype(np.int32),
    )


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory (MiB) and compute time (s) of one child process."""
    import subprocess

    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, cwd=ROOT, check=True)
    wall = time.perf_counter() - start
    compute, peak = done.stdout.decode().split()[-2:]
    return wall, int(peak) / 1024, float(compute)


def describe(n, owner, owned, roots) -> str:
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    graph = sp.csr_matrix((np.ones(owner.size), (owner, owned)), shape=(n, n))
    _, label = connected_components(graph, directed=True, connection="strong")
    size = np.bincount(label)
    owners = np.bincount(owned, minlength=n)
    return (
        f"{n:,} entities, {owner.size:,} holdings, {roots.size:,} roots; owners per entity: "
        f"0: {np.mean(owners == 0):.0%}, 1: {np.mean(owners == 1):.0%}, 2: {np.mean(owners == 2):.0%}, "
        f"3+: {np.mean(owners >= 3):.0%}; cycles: {int((size > 1).sum()):,} strongly connected components "
        f"of 2+ entities ({int(size[size > 1].sum()):,} entities, largest {int(size.max())})"
    )


def main() -> None:
    import argparse
    import shutil
    import statistics
    import tempfile

    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=1_500_000)
    parser.add_argument("--roots", type=int, default=1_000)
    parser.add_argument("--small-entities", type=int, default=20_000)
    parser.add_argument("--blocks", type=int, default=0, help="rings of cross-holdings (strongly connected blocks)")
    parser.add_argument("--block-size", type=int, default=10_000, help="entities in each ring")
    parser.add_argument("--seed", type=int, default=20_240_611)
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    from screening.case.graphs import integrated_interest, simple_chain_interest

    tmp = tempfile.mkdtemp(prefix="screening-ownership-")
    try:
        start = time.perf_counter()
        owner, owned, pct, roots = generate(
            args.entities, args.edges, args.roots, args.seed, blocks=args.blocks, block=args.block_size
        )
        path = os.path.join(tmp, "graph.npz")
        np.savez(path, n=args.entities, owner=owner, owned=owned, pct=pct, roots=roots)
        print(
            f"graph: {describe(args.entities, owner, owned, roots)} "
            f"(generated in {time.perf_counter() - start:.1f} s, not timed below)"
        )
        results = {"baseline": [], "ours": []}
        for i in range(args.runs + 1):  # the first round warms the file cache and the bytecode
            for method in results:
                out = os.path.join(tmp, f"{method}.npy")
                figures = run([sys.executable, os.path.abspath(__file__), "--child", method, path, out])
                if i:
                    results[method].append(figures)
        med = {m: [statistics.median(f[k] for f in results[m]) for k in range(3)] for m in results}
        x = np.load(os.path.join(tmp, "ours.npy"))
        diff = float(np.max(np.abs(np.load(os.path.join(tmp, "baseline.npy")) - x)))
        (bw, bm, bc), (ow, om, oc) = med["baseline"], med["ours"]
        print(f"medians of {args.runs} runs, whole process (start, imports, load, compute):")
        print(
            f"baseline fixed point: {bw:.2f} s, {bm:.0f} MiB | ours: {ow:.2f} s, {om:.0f} MiB | "
            f"ratio {ow / bw:.2f} | max |diff| {diff:.1g}"
        )
        print(f"compute alone: baseline {bc:.3f} s | ours {oc:.3f} s | ratio {oc / bc:.2f}")
        print(
            f"targets for ours: within 2x of the baseline ({'met' if ow <= 2 * bw else 'MISSED'}), "
            f"under 1.5 s ({'met' if ow < 1.5 else 'MISSED'}), under 500 MiB ({'met' if om < 500 else 'MISSED'})"
        )
        print(f"entities with a state interest: {int((x > 0).sum()):,}; at 50% or more: {int((x >= 50).sum()):,}")

        small = args.small_entities
        s_owner, s_owned, s_pct, s_roots = generate(
            small, small * args.edges // args.entities, max(1, args.roots * small // args.entities), args.seed + 1
        )
        start = time.perf_counter()
        integrated = integrated_interest(small, s_owner, s_owned, s_pct, s_roots)
        t_int = time.perf_counter() - start
        start = time.perf_counter()
        simple = simple_chain_interest(small, s_owner, s_owned, s_pct, s_roots, max_paths=10_000_000)
        t_simple = time.perf_counter() - start
        gap = integrated - simple
        differ = np.abs(gap) > 1e-9
        print(f"semantics on a smaller graph: {describe(small, s_owner, s_owned, s_roots)}")
        print(
            f"integrated vs simple chains: {int(differ.sum()):,} of {int((integrated > 0).sum()):,} entities "
            f"with a state interest differ, by up to {float(np.abs(gap).max()):.2f} points "
            f"(integrated below simple: {int((gap < -1e-9).sum())}); "
            f"integrated {t_int:.3f} s, simple chains {t_simple:.2f} s"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
