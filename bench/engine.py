"""Benchmark of rule evaluation: cases per second for the default pack, by five evaluators, in one run.

The cases are synthetic fact dictionaries (what screening.case.facts.build_facts makes of a case), drawn
from the fact catalogue with a seed: each fact is unknown, empty or given at set rates, numbers
sit at and around the thresholds the rules test, group and ownership aggregates are sometimes
partial (PartialList, AtLeast). The evaluators, on the same cases and rules:

(a) the compiled evaluator with every rule's evidence and unknown facts (Evaluator.explain);
(b) the compiled evaluator, outcome only (Evaluator.run);
(c) the condition closures, Node.check per rule;
(d) a naive interpreter written here that walks each rule's YAML condition on every case;
(e) GoRules ZEN (zen-engine), one decision with an expression per rule, when installed.

Slow evaluators are timed on a prefix of the cases (printed); each figure is the median of
--repeats timed passes after a warm-up pass. A reference is timed in the same run: ``json.loads`` of each
case's fact dictionary written as JSON; each evaluator's CPU time per case is also given as a multiple of
it (the ratio holds on a busy machine when the rates do not: compare versions by it). Also printed: the
rate of merely reading, from each case's dictionary, the facts the rules test (a ceiling for any evaluator
of such cases), and the rate on the first 50 rules.

    python bench/engine.py [--cases 100000] [--seed 7] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.case.catalogue import Fact, catalogue  # noqa: E402
from screening.case.values import AtLeast, PartialList  # noqa: E402
from screening.conditions.compiled.evaluator import compile_pack  # noqa: E402
from screening.conditions.operators import ALIASES  # noqa: E402
from screening.conditions.tree import Node  # noqa: E402
from screening.pack.load import Pack, Rule, default_pack_path, load_pack  # noqa: E402

COUNTRIES = ("CN", "RU", "US", "FR", "DE", "GB", "JP", "AE", "SA", "QA", "LU", "NL", "KY", "VG", "BE", "IT")
PARTIAL = ("group.", "ownership.")
BOUNDED = (
    "group.state_ownership_pct",
    "ownership.state_equity_pct",
    "ownership.state_voting_pct",
    "ownership.state_interest_in_target_pct",
    "target.data_subjects",
)


# ---- synthetic cases


def thresholds(pack: Pack) -> dict[str, set[float]]:
    """The numbers the rules compare each fact (or records key, as ``fact.key``) with."""
    found: dict[str, set[float]] = {}

    def add(name: str, op: str, arg: Any) -> None:
        if op in ("gt", "gte", "lt", "lte", "equals") and isinstance(arg, (int, float)) and not isinstance(arg, bool):
            found.setdefault(name, set()).add(arg)
        elif op == "between":
            found.setdefault(name, set()).update(arg)

    def walk(node: Node) -> None:
        for child in node.children:
            walk(child)
        if node.kind == "leaf" and isinstance(node.value, dict):
            for key, (op, arg) in node.value.items():
                add(f"{node.field}.{key}", op, arg)
        elif node.kind == "leaf":
            add(node.field, node.op, node.value)

    for rule in pack.rules:
        walk(rule.condition)
    return found


class Synth:
    """Draws fact dictionaries from the catalogue."""

    def __init__(self, pack: Pack, seed: int):
        self.rng = random.Random(seed)
        self.numbers = thresholds(pack)
        self.facts = catalogue()
        self.pools: dict[str, list[dict[str, Any]]] = {}

    def number(self, name: str, integer: bool) -> float:
        near = sorted(self.numbers.get(name, ()))
        if near and self.rng.random() < 0.7:
            value = self.rng.choice(near) + self.rng.choice((-1, 0, 0, 1)) * (1 if integer else 0.5)
        else:
            value = self.rng.choice((0, 1, 5, 10, 20, 30, 50, 75, 100, 1000, 100_000, 5_000_000))
        return max(value, 0)

    def scalar(self, name: str, fact: Fact) -> Any:
        rng = self.rng
        if fact.type in ("number", "integer"):
            return self.number(name, fact.type == "integer")
        if fact.type == "boolean":
            return rng.random() < 0.5
        if fact.type == "enum":
            return rng.choice(fact.values) if fact.values else "other"
        if fact.type == "country":
            return rng.choice(COUNTRIES)
        if fact.type == "date":
            return f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return rng.choice(("Alpha Holdings", "Beta Port Services", "Gamma Data", "Delta Grid", "Epsilon"))

    def records(self, name: str, fact: Fact) -> list[dict[str, Any]]:
        if name not in self.pools:  # records are drawn from a pool per fact: evaluators never change them
            self.pools[name] = [self.record(name, fact) for _ in range(500)]
        return [self.rng.choice(self.pools[name]) for _ in range(self.rng.choice((1, 1, 2, 2, 3, 4)))]

    def record(self, name: str, fact: Fact) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for key, sub in fact.subfields.items():
            if self.rng.random() < 0.85:  # a key a source does not give
                record[key] = (
                    self.listed(f"{name}.{key}", sub) if sub.type == "list" else self.scalar(f"{name}.{key}", sub)
                )
        return record

    def listed(self, name: str, fact: Fact) -> list[Any]:
        pool = fact.values or COUNTRIES
        return self.rng.sample(pool, min(len(pool), self.rng.choice((1, 1, 2, 3))))

    def case(self) -> dict[str, Any]:
        rng, values = self.rng, {}
        for name, fact in self.facts.items():
            roll = rng.random()
            if roll < 0.2:
                continue  # unknown
            if fact.is_list:
                value = (
                    []
                    if roll < 0.5
                    else (self.records(name, fact) if fact.type == "records" else self.listed(name, fact))
                )
                if name.startswith(PARTIAL) and rng.random() < 0.3:
                    value = PartialList(value)
            else:
                value = self.scalar(name, fact)
                if name in BOUNDED and rng.random() < 0.3:
                    value = AtLeast(value)
            values[name] = value
        return values


# ---- (d) a naive interpreter over the YAML conditions


def naive(rules: list[Rule], sets: dict[str, list[Any]]) -> Callable[[dict[str, Any]], tuple[list[int], list[int]]]:
    """Walk each rule's ``when`` dictionary on every case, with three-valued logic."""

    def members(arg: Any) -> list[Any]:
        return sets[arg] if isinstance(arg, str) else arg

    def test(op: str, arg: Any, v: Any) -> bool | None:
        if op == "exists":
            return (v is not None) == arg
        if v is None:
            return None
        if op in ("equals", "in", "gt", "gte", "lt", "lte", "between"):
            r = {
                "equals": lambda: v == arg,
                "in": lambda: v in members(arg),
                "gt": lambda: v > arg,
                "gte": lambda: v >= arg,
                "lt": lambda: v < arg,
                "lte": lambda: v <= arg,
                "between": lambda: arg[0] <= v <= arg[1],
            }[op]()
            return None if isinstance(v, AtLeast) and not (r and op in ("gt", "gte")) else r
        if op == "matches":
            if isinstance(v, list):
                return (
                    True
                    if any(isinstance(x, str) and re.search(arg, x) for x in v)
                    else (None if isinstance(v, PartialList) else False)
                )
            return bool(re.search(arg, str(v)))
        if op == "empty":
            if isinstance(v, PartialList):
                return (not arg) if v else None
            return (len(v) == 0) == arg
        if op == "contains_any":
            found: bool | None = any(x in members(arg) for x in v)
        elif isinstance(arg, dict):
            found = any_of(all_of(pattern(spec, x.get(k)) for k, spec in arg.items()) for x in v)
        else:
            found = any(x == arg for x in v)
        return None if found is not True and isinstance(v, PartialList) else found

    def pattern(spec: Any, v: Any) -> bool | None:
        if isinstance(spec, dict):
            ((op, arg),) = spec.items()
            return test(ALIASES.get(op, op), arg, v)
        return test("in" if isinstance(spec, list) else "equals", spec, v)

    def all_of(values: Any) -> bool | None:
        result: bool | None = True
        for v in values:
            if v is False:
                return False
            if v is None:
                result = None
        return result

    def any_of(values: Any) -> bool | None:
        result: bool | None = False
        for v in values:
            if v is True:
                return True
            if v is None:
                result = None
        return result

    def check(spec: dict[str, Any], values: dict[str, Any]) -> bool | None:
        if "all" in spec:
            return all_of(check(c, values) for c in spec["all"])
        if "any" in spec:
            return any_of(check(c, values) for c in spec["any"])
        if "not" in spec:
            r = check(spec["not"], values)
            return None if r is None else not r
        ((op, arg),) = ((k, v) for k, v in spec.items() if k != "field")
        return test(ALIASES.get(op, op), arg, values.get(spec["field"]))

    def run(values: dict[str, Any]) -> tuple[list[int], list[int]]:
        fired, undecided = [], []
        for i, rule in enumerate(rules):
            r = check(rule.when, values)
            if r is True:
                fired.append(i)
            elif r is None:
                undecided.append(i)
        return fired, undecided

    return run


# ---- (e) GoRules ZEN: truth as a number (0 false, 1 unknown, 2 true), Kleene all/any as min/max


def zen_rules(rules: list[Rule], sets: dict[str, list[Any]]) -> tuple[dict[int, str], dict[str, int]]:
    """A ZEN expression per translatable rule, and why the others were left out."""
    out, skipped = {}, {}
    for i, rule in enumerate(rules):
        try:
            out[i] = _zen(rule.when, sets)
        except ValueError as exc:
            skipped[str(exc)] = skipped.get(str(exc), 0) + 1
    return out, skipped


def _lit(value: Any) -> str:
    return json.dumps(value)


def _zen_test(op: str, arg: Any, v: str, sets: dict[str, list[Any]]) -> str:
    members = sets[arg] if isinstance(arg, str) and op in ("in", "contains_any") else arg
    if op == "exists":
        return f"({v} != null ? {2 if arg else 0} : {0 if arg else 2})"
    if op == "contains" and isinstance(arg, dict):
        parts = [_zen_pattern(spec, f"#.{k}", sets) for k, spec in arg.items()]
        record = parts[0] if len(parts) == 1 else f"min([{', '.join(parts)}])"
        return f"({v} == null ? 1 : (len({v}) == 0 ? 0 : max(map({v}, {record}))))"
    compare = {"equals": "==", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    if op in compare:
        test = f"{v} {compare[op]} {_lit(arg)}"
    elif op == "in":
        test = f"{v} in {_lit(members)}"
    elif op == "between":
        test = f"{v} >= {_lit(arg[0])} and {v} <= {_lit(arg[1])}"
    elif op == "empty":
        test = f"len({v}) {'==' if arg else '>'} 0"
    elif op == "contains_any":
        test = f"some({v}, # in {_lit(members)})"
    elif op == "contains":
        test = f"{_lit(arg)} in {v}"
    else:
        raise ValueError(f"operator {op}")
    return f"({v} == null ? 1 : ({test} ? 2 : 0))"


def _zen_pattern(spec: Any, v: str, sets: dict[str, list[Any]]) -> str:
    if isinstance(spec, dict):
        ((op, arg),) = spec.items()
        return _zen_test(ALIASES.get(op, op), arg, v, sets)
    return _zen_test("in" if isinstance(spec, list) else "equals", spec, v, sets)


def _zen(spec: dict[str, Any], sets: dict[str, list[Any]]) -> str:
    if "all" in spec:
        return f"min([{', '.join(_zen(c, sets) for c in spec['all'])}])"
    if "any" in spec:
        return f"max([{', '.join(_zen(c, sets) for c in spec['any'])}])"
    if "not" in spec:
        return f"(2 - {_zen(spec['not'], sets)})"
    ((op, arg),) = ((k, v) for k, v in spec.items() if k != "field")
    if op == "matches":
        raise ValueError("matches (Python and Rust regular expressions differ)")
    return _zen_test(ALIASES.get(op, op), arg, spec["field"], sets)


def zen_evaluator(rules: list[Rule], sets: dict[str, list[Any]]) -> tuple[Callable[[Any], Any], int] | None:
    try:
        import zen
    except ImportError:
        return None
    expressions, _ = zen_rules(rules, sets)
    node = {
        "id": "rules",
        "type": "expressionNode",
        "name": "rules",
        "position": {"x": 1, "y": 0},
        "content": {"expressions": [{"id": f"e{i}", "key": f"r{i}", "value": text} for i, text in expressions.items()]},
    }
    content = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in", "position": {"x": 0, "y": 0}},
            node,
            {"id": "out", "type": "outputNode", "name": "out", "position": {"x": 2, "y": 0}},
        ],
        "edges": [
            {"id": "a", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "b", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }
    decision = zen.ZenEngine().create_decision(json.dumps(content))
    return decision.evaluate, len(expressions)


def nested(values: dict[str, Any]) -> dict[str, Any]:
    """Fact values as the nested JSON-like document ZEN reads (lower bounds and partial lists become plain)."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        *parents, last = path.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = json.loads(json.dumps(value))
    return out


# ---- timing


def rate(run: Callable[[Any], Any], cases: list[Any], repeats: int) -> tuple[float, float]:
    """Cases per second of wall time and of CPU time: medians of ``repeats`` timed passes after a warm-up.

    On a machine other processes share, the CPU-time rate is the steadier of the two.
    """
    for case in cases[: max(1, len(cases) // 10)]:
        run(case)
    wall, cpu = [], []
    for _ in range(repeats):
        start, used = time.perf_counter(), time.process_time()
        for case in cases:
            run(case)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    return len(cases) / statistics.median(wall), len(cases) / statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pack = load_pack(default_pack_path())
    rules = list(pack.rules)
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.machine()}, "
        f"{len(rules)} rules, {args.cases:,} cases (seed {args.seed})"
    )
    start = time.perf_counter()
    synth = Synth(pack, args.seed)
    cases = [synth.case() for _ in range(args.cases)]
    print(f"generated the cases in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    evaluator = compile_pack(rules)
    print(
        f"compiled the pack in {(time.perf_counter() - start) * 1000:.0f} ms "
        f"({len(evaluator.source.splitlines()):,} lines of Python)"
    )
    outcomes = [evaluator.explain(v) for v in cases]
    print(
        f"per case: {statistics.mean(len(o.fired) for o in outcomes):.1f} rules fired, "
        f"{statistics.mean(len(o.undecided) for o in outcomes):.1f} undecided, "
        f"{statistics.mean(sum(map(len, o.evidence)) for o in outcomes):.1f} evidence facts, "
        f"{statistics.mean(sum(map(len, o.unknowns)) for o in outcomes):.1f} unknown facts"
    )
    table: list[tuple[str, tuple[float, float], int, str]] = []

    def measure(label: str, run: Callable[[Any], Any], share: int, note: str = "", inputs: list[Any] | None = None):
        subset = (inputs or cases)[: max(1, args.cases // share)]
        table.append((label, rate(run, subset, args.repeats), len(subset), note))

    measure("(a) compiled, with evidence and unknowns", evaluator.explain, 1)
    measure("(b) compiled, outcome only", evaluator.run, 1)

    def closures(values: dict[str, Any]) -> tuple[list[int], list[int]]:
        fired, undecided = [], []
        for i, rule in enumerate(rules):
            r = rule.condition.check(values)
            if r is True:
                fired.append(i)
            elif r is None:
                undecided.append(i)
        return fired, undecided

    measure("(c) closures (Node.check per rule)", closures, 20)
    walker = naive(rules, pack.sets)
    sample = cases[: max(1, args.cases // 50)]
    agree = sum(walker(v) == (list(o.fired), list(o.undecided)) for v, o in zip(sample, outcomes, strict=False))
    measure("(d) naive interpreter over the YAML", walker, 50, f"agrees on {agree}/{len(sample)} cases")
    _zen_row(measure, rules, pack, cases, outcomes, args)
    documents = [json.dumps(values, default=str) for values in cases]  # a PartialList a list, AtLeast a number
    reference = rate(json.loads, documents, args.repeats)[1]
    ours = table[0][1][0]
    print(f"\n{'evaluator':52} {'cases/s':>10} {'vs (a)':>8} {'per CPU-s':>10} {'cases timed':>12} {'x json':>7}")
    for label, (per_second, per_cpu_second), count, note in table:
        times = reference / per_cpu_second
        print(
            f"{label:52} {per_second:10,.0f} {per_second / ours:8.3f} {per_cpu_second:10,.0f} {count:12,} "
            f"{times:7.2f}  {note}"
        )
    print(
        f"x json: CPU time per case over that of json.loads of the case's facts written as JSON "
        f"({reference:,.0f} cases per CPU-second, {statistics.mean(map(len, documents)):,.0f} characters a case)"
    )
    facts = list(dict.fromkeys(f for rule in rules for f in rule.condition.fields()))
    per_second, per_cpu_second = rate(lambda values: list(map(values.get, facts)), cases, args.repeats)
    print(
        f"\nceiling of any evaluator that reads each case's facts from its dictionary: reading the {len(facts)} "
        f"facts the rules test, and nothing else, {per_second:,.0f} cases/s ({per_cpu_second:,.0f} per CPU-second)"
    )
    fifty = compile_pack(rules[:50])
    per_second, per_cpu_second = rate(fifty.explain, cases, args.repeats)
    print(
        f"\nfirst 50 rules, compiled with evidence and unknowns: {per_second:,.0f} cases/s "
        f"({per_cpu_second:,.0f} per CPU-second)"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end: {load:.2f} on {os.cpu_count()} CPUs")


def _zen_row(
    measure: Callable[..., None],
    rules: list[Rule],
    pack: Pack,
    cases: list[Any],
    outcomes: list[Any],
    args: argparse.Namespace,
) -> None:
    made = zen_evaluator(rules, pack.sets)
    if made is None:
        print("(e) GoRules ZEN skipped: pip install zen-engine")
        return
    evaluate, translated = made
    documents = [nested(v) for v in cases[: max(1, args.cases // 200)]]
    same = total = 0
    for document, outcome in zip(documents[:500], outcomes, strict=False):
        result = evaluate(document)["result"]
        for i in range(len(rules)):
            if f"r{i}" in result:
                want = 2 if i in outcome.fired else (1 if i in outcome.undecided else 0)
                same += result[f"r{i}"] == want
                total += 1
    note = f"{translated}/{len(rules)} rules; agrees on {same / max(total, 1):.1%} of rule outcomes"
    measure("(e) GoRules ZEN (one decision, an expression a rule)", evaluate, 200, note, documents)


if __name__ == "__main__":
    main()
