"""Benchmark of the ownership analysis on hostile group shapes, at growing sizes.

Shapes: a "ladder" (each level two companies, each holding both companies of the level below: 2^levels
chains, and a state body holding the investor directly), a plain chain, a "star" (n owners of the
investor) and a ring of cross-holdings through the investor. Prints the seconds
``screening.case.ownership.analyse`` takes at each size and the growth from the size before, so that a
return to exponential or cubic time shows; with ``--literal``, also the literal implementation kept as
the tests' oracle (tests/ownership_reference.py), while the next size is not expected to pass ``--cap``
seconds. Then the did-you-mean hints of 500 unknown references among 2,000 entities.

    python bench/shapes.py [--literal] [--cap 30]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.case.load import build_case  # noqa: E402
from screening.case.ownership import analyse  # noqa: E402
from screening.infra.errors import ScreeningError  # noqa: E402

Doc = dict[str, Any]


def entity(eid: str, kind: str = "private_company") -> Doc:
    return {"id": eid, "name": eid.upper(), "kind": kind, "country": "HK", "owners_complete": True}


def case(entities: list[Doc], edges: list[Doc]) -> Doc:
    return {
        "format": 1,
        "id": "shape",
        "title": "Shape",
        "investor": "inv",
        "entities": entities,
        "ownership": edges,
        "target": {"name": "Target", "country": "DE"},
    }


def ladder(levels: int) -> Doc:
    """Two state bodies at the top, a third holding 10% of the investor: 2^levels chains to follow from
    the investor up, none of which leads to the third."""
    ents, below = [entity("inv"), entity("gov", "state_body")], ["inv"]
    edges = [{"owner": "gov", "owned": "inv", "equity_pct": 10}]
    for level in range(levels):
        row = [f"l{level}a", f"l{level}b"]
        ents += [entity(r, "state_body" if level == levels - 1 else "private_company") for r in row]
        edges += [{"owner": r, "owned": b, "equity_pct": 45 if b == "inv" else 50} for r in row for b in below]
        below = row
    return case(ents, edges)


def chain(n: int) -> Doc:
    ids = ["inv"] + [f"e{i}" for i in range(1, n)]
    return case(
        [entity(i) for i in ids], [{"owner": ids[i + 1], "owned": ids[i], "equity_pct": 60} for i in range(n - 1)]
    )


def star(n: int) -> Doc:
    ents = [entity("inv")] + [entity(f"p{i}", "individual") for i in range(n)]
    return case(ents, [{"owner": f"p{i}", "owned": "inv", "equity_pct": 100 / n} for i in range(n)])


def ring(n: int) -> Doc:
    ids = ["inv"] + [f"r{i}" for i in range(1, n)]
    edges = [{"owner": ids[(i + 1) % n], "owned": ids[i], "equity_pct": 60} for i in range(n)]
    edges += [{"owner": "gov", "owned": i, "equity_pct": 1} for i in ids]
    return case([entity(i) for i in ids] + [entity("gov", "state_body")], edges)


SHAPES: list[tuple[str, Callable[[int], Doc], list[int]]] = [
    ("ladder (levels)", ladder, [10, 14, 16, 18, 20, 22, 30, 60, 120]),
    ("chain", chain, [100, 200, 500, 1000, 2000, 4000]),
    ("star (owners)", star, [1000, 2000, 5000, 10_000, 20_000]),
    ("ring", ring, [100, 300, 1000, 3000]),
]


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def shapes(literal: Callable[[Any], object] | None, cap: float) -> None:
    print(f"{'shape':<16} {'size':>7} {'seconds':>9} {'growth':>7}" + ("   literal" if literal else ""))
    for name, make, sizes in SHAPES:
        before: float | None = None
        then: float | None = None  # the literal one's time at the size before
        going = literal is not None
        for size, bigger in zip(sizes, [*sizes[1:], None], strict=True):
            built = build_case(make(size), {}, f"{name}.yaml")
            took = seconds(lambda built=built: analyse(built))
            growth = f"{took / before:6.1f}x" if before else ""
            line = f"{name:<16} {size:>7,} {took:>9.3f} {growth:>7}"
            if going and literal is not None:
                old = seconds(lambda built=built: literal(built))
                line += f" {old:>9.3f}"
                # the next size's time: the last growth again, or cubic growth at first
                guess = old * (old / then if then else ((bigger or size) / size) ** 3)
                going, then = guess < cap, old
            print(line, flush=True)
            before = took


def hints() -> None:
    ents = [entity("inv")] + [entity(f"entity-{i:04d}") for i in range(2000)]
    edges = [{"owner": f"entity-{i:04d}", "owned": "inv", "equity_pct": 0.01} for i in range(2000)]
    edges += [{"owner": f"entiti-{i:04d}", "owned": f"entity-{i:04d}", "equity_pct": 1} for i in range(500)]
    doc = case(ents, edges)

    def refused() -> None:
        try:
            build_case(doc, {}, "refs.yaml")
        except ScreeningError as exc:
            assert len(exc.problems) == 500

    print(f"500 unknown references among 2,000 entities, refused with hints: {seconds(refused):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--literal", action="store_true", help="also time the literal implementation")
    parser.add_argument("--cap", type=float, default=30.0, help="longest run of the literal one to start")
    args = parser.parse_args()
    literal = None
    if args.literal:
        from tests.ownership_reference import analyse as literal
    shapes(literal, args.cap)
    hints()


if __name__ == "__main__":
    main()
