"""`screening test`: run every rule's examples and the pack's test cases, and measure coverage.

A pack's tests live in ``tests/*.yaml`` inside the pack directory. Each names case files (relative
to the test file) and what the pack must make of them: the level, score bounds, rules that must
fire, rules that must stay quiet, or exactly the rules that fire. Coverage is the share of rules
that some test makes fire: an example on which it fires, or a test case on which it fires.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NamedTuple

from screening.errors import Problem, ScreeningError
from screening.examples import run_rule_examples
from screening.pack import Pack, validate
from screening.testing_types import Coverage, TestOutcome
from screening.yamlio import load


class PackTest(NamedTuple):
    """One test case of a pack, as written."""

    name: str
    case: Any
    """The loaded case, or None when it could not be loaded."""
    expect: dict[str, Any]
    file: str
    line: int | None


def read_test_file(path: Path, pack: Pack) -> tuple[list[PackTest], list[Problem]]:
    """The tests of one file, with every problem of the file (structure, case files, rule ids, levels)."""
    from screening.cases import load_case

    try:
        data, marks = load(path)
    except ScreeningError as exc:
        return [], exc.problems
    name = str(path)
    problems = validate("tests", data, marks, name)
    if problems:
        return [], problems
    rules = {r.id for r in pack.rules}
    levels = [lv for lv, _ in pack.scoring.levels]
    tests = []
    for i, raw in enumerate(data["tests"]):
        base = ("tests", str(i))
        line, column = marks.get(base, (None, None))

        def problem(sub: tuple[str, ...], code: str, message: str, base: tuple[str, ...] = base) -> None:
            where = marks.get(base + sub, marks.get(base, (None, None)))
            problems.append(Problem(name, where[0], where[1], code, f"{'.'.join(base + sub)}: {message}", base + sub))

        expect = raw["expect"]
        for key in ("fires", "quiet", "fired"):
            for j, rid in enumerate(expect.get(key) or ()):
                if rid not in rules:
                    problem(("expect", key, str(j)), "E108", f"unknown rule '{rid}'")
        if "level" in expect and expect["level"] not in levels:
            problem(("expect", "level"), "E106", f"unknown level '{expect['level']}'; levels are {', '.join(levels)}")
        score = expect.get("score") or {}
        if "min" in score and "max" in score and score["min"] > score["max"]:
            problem(("expect", "score"), "E106", "score bounds are reversed: min > max")
        case_path = (path.parent / raw["case"]).resolve()
        case = None
        if not case_path.is_file():
            problem(("case",), "E001", f"case file not found: {raw['case']} (resolved to {case_path})")
        else:
            try:
                case = load_case(case_path)
            except ScreeningError as exc:
                problems.extend(exc.problems)
        tests.append(PackTest(raw.get("name") or (case.id if case else raw["case"]), case, expect, name, line))
    return tests, problems


def run_pack_tests(pack: Pack, pack_dir: Path) -> tuple[list[TestOutcome], Coverage, list[Problem]]:
    """Run every example and every test case of the pack; problems are test files that cannot run."""
    from screening.engine import screen

    outcomes: list[TestOutcome] = []
    fired_by: dict[str, list[str]] = {r.id: [] for r in pack.rules}
    for rule in pack.rules:
        for ex in run_rule_examples(rule):
            start = time.perf_counter()
            name = f"{rule.id} {ex.kind}[{ex.index}]"
            passed = ex.passed
            outcomes.append(TestOutcome(
                name, "example", rule.file, rule.line, passed, "" if passed else ex.message,
                "" if passed else _example_diff(ex), rule.id, time.perf_counter() - start))
            if ex.kind == "fires" and ex.actual is True:
                fired_by[rule.id].append(name)
    problems: list[Problem] = []
    for test_file in sorted((pack_dir / "tests").glob("*.yaml")):
        tests, found = read_test_file(test_file, pack)
        problems += found
        for test in tests:
            if test.case is None:
                continue
            start = time.perf_counter()
            result = screen(test.case, pack)
            fired = [f.rule.id for f in result.findings + result.mitigations]
            for rid in fired:
                fired_by[rid].append(test.name)
            lines = compare(test.expect, result.level, result.score, fired)
            outcomes.append(TestOutcome(
                test.name, "case", test.file, test.line, not lines,
                "" if not lines else f"{len(lines)} expectation{'s' if len(lines) != 1 else ''} not met",
                "\n".join(lines), None, time.perf_counter() - start))
    coverage = Coverage(tuple(r.id for r in pack.rules), {k: tuple(v) for k, v in fired_by.items()})
    return outcomes, coverage, problems


def compare(expect: dict[str, Any], level: str, score: float, fired: list[str]) -> list[str]:
    """Each unmet expectation as a pair of diff lines (``- expected`` / ``+ actual``)."""
    out: list[str] = []
    if "level" in expect and expect["level"] != level:
        out += [f"- level: {expect['level']}", f"+ level: {level}"]
    bounds = expect.get("score") or {}
    low, high = bounds.get("min", 0), bounds.get("max", 100)
    if bounds and not low <= score <= high:
        out += [f"- score: {_num(low)} to {_num(high)}", f"+ score: {_num(score)}"]
    missing = [r for r in expect.get("fires") or () if r not in fired]
    if missing:
        out += [f"- fires: {', '.join(missing)}", "+ (did not fire)"]
    loud = [r for r in expect.get("quiet") or () if r in fired]
    if loud:
        out += [f"- quiet: {', '.join(loud)}", "+ (fired)"]
    if "fired" in expect and sorted(expect["fired"]) != sorted(fired):
        extra = sorted(set(fired) - set(expect["fired"]))
        lost = sorted(set(expect["fired"]) - set(fired))
        out += [f"- fired: {', '.join(sorted(expect['fired']))}", f"+ fired: {', '.join(sorted(fired))}"]
        out += [f"  (unexpected: {', '.join(extra) or 'none'}; missing: {', '.join(lost) or 'none'})"]
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _example_diff(ex: Any) -> str:
    word = {True: "fires", False: "stays quiet", None: "undecided (a fact it reads is unknown)"}
    expected = "fires" if ex.kind == "fires" else "stays quiet"
    return f"- {expected}\n+ {word.get(ex.actual, 'error')}\n  fragment: {ex.fragment}"
