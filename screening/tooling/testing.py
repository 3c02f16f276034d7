"""`screening test`: run every rule's examples and the pack's test cases, and measure coverage.

A pack's tests live in ``tests/*.yaml`` inside the pack directory. Each names case files (relative
to the test file) and what the pack must make of them: the level, score bounds, rules that must
fire, rules that must stay quiet, or exactly the rules that fire. Coverage is the share of rules
that some test makes fire: an example on which it fires, or a test case on which it fires.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from screening.decision import filings
from screening.decision.filings import Matrix
from screening.infra.errors import Problem, ScreeningError
from screening.infra.files import confine
from screening.infra.text import num, plural
from screening.infra.yamlio import load
from screening.pack.examples import run_rule_examples
from screening.pack.load import Pack, Rule, validate
from screening.pack.regimes import Trigger
from screening.tooling.results import Coverage, TestOutcome

RISK_EXPECTATIONS = {"level", "score", "fires", "quiet", "fired"}


class PackTest(NamedTuple):
    """One test case of a pack, as written."""

    name: str
    case: Any
    """The loaded case, or None when it could not be loaded (or the test gives facts instead)."""
    expect: dict[str, Any]
    file: str
    line: int | None
    facts: dict[str, Any] | None = None
    """Fact values, for a test written as a fragment of facts instead of a case file."""
    on: str | None = None
    """The day whose law the filings are judged by."""


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def unquoted(problem: Problem) -> Problem:
    """A problem of a file named by a pack test, without the text of the file it quotes when the file did not
    even parse as YAML of its kind (a tag, a duplicate key, a tagged value): such a file may be anything."""
    if problem.code in ("E100", "E101", "E110"):  # the key path too: SARIF and JSON show it
        return problem._replace(message=_QUOTED.sub("'...'", problem.message), path=())
    return problem


def pack_of(test_file: Path) -> Path | None:
    """The pack directory a test file belongs to (``PACK/tests/NAME.yaml``), or None for a file outside a pack."""
    pack = test_file.parent.parent
    return pack if test_file.parent.name == "tests" and (pack / "pack.yaml").is_file() else None


def default_root(test_file: Path) -> Path:
    """Where the case files a test file names must be, without ``--root``: the directory that holds its pack
    (that of ``rules/`` for ``rules/tests/x.yaml``), or for a test file outside a pack, the directory above
    its own."""
    return (pack_of(test_file) or test_file.parent).absolute().parent


def read_test_file(path: Path, pack: Pack, root: Path | None = None) -> tuple[list[PackTest], list[Problem]]:
    """The tests of one file, with every problem of the file (structure, case files, rule ids, levels).

    The case files it names are read only inside ``default_root``, or inside ``root`` when given (``--root``
    widens, never narrows, what a pack's own tests may name), links followed: a pack from a pull request
    must not make the command read, and quote, a file elsewhere. A test file
    in a pack's ``tests/`` is itself read only when it lies inside the pack.
    """
    from screening.case.load import load_case

    root = root or default_root(path)
    own_root = default_root(path) if pack_of(path) else root  # a pack's own tests may always name its cases
    try:
        owner = pack_of(path)
        data, marks = load(confine(path, owner, "the pack") if owner is not None else path)
    except ScreeningError as exc:
        return [], exc.problems
    name = str(path)
    problems = validate("tests", data, marks, name)
    if problems:
        return [], problems
    rules = {r.id for r in pack.rules}
    regimes = {g.id: {t.id for t in g.rules} for g in pack.regimes}
    levels = list(pack.scoring.names)
    tests = []
    for i, raw in enumerate(data["tests"]):
        base = ("tests", str(i))
        line, column = marks.get(base, (None, None))

        def problem(sub: tuple[str, ...], code: str, message: str, base: tuple[str, ...] = base) -> None:
            where = marks.get(base + sub, marks.get(base, (None, None)))
            severity = "warning" if code.startswith("W") else "error"  # W380: a fact under its old name
            problems.append(
                Problem(name, where[0], where[1], code, f"{'.'.join(base + sub)}: {message}", base + sub, severity)
            )

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
        for key in ("filings", "decided_by"):
            for regime, value in (expect.get(key) or {}).items():
                if regime not in regimes:
                    problem(
                        ("expect", key, regime),
                        "E108",
                        f"unknown regime '{regime}'; the pack has " + (", ".join(regimes) or "none"),
                    )
                elif key == "decided_by" and value not in regimes[regime]:
                    problem(("expect", key, regime), "E108", f"'{value}' is not a trigger of regime {regime}")
        if ("case" in raw) == ("facts" in raw):
            problem((), "E105", "a test gives either a case file (case) or a fragment of facts (facts)")
            continue
        if "facts" in raw:
            from screening.pack.examples import fragment_problems, fragment_values

            if set(expect) - {"filings", "decided_by"}:
                problem(("expect",), "E106", "a test on a fragment of facts can only expect filings and decided_by")
                continue
            wrong = fragment_problems(raw["facts"])  # what the filing triggers could not compare
            for sub, code, message in wrong:
                problem(("facts", *sub), code, message)
            if any(not code.startswith("W") for _, code, _ in wrong):
                continue
            try:
                values = with_derived(fragment_values(raw["facts"]))
            except KeyError as exc:
                problem(("facts",), "E201", f"unknown fact {exc.args[0]!r}")
                continue
            tests.append(PackTest(raw.get("name") or f"test {i + 1}", None, expect, name, line, values, raw.get("on")))
            continue
        named = path.parent / raw["case"]
        case = None
        try:
            try:
                case_path = confine(named, root, "the root").resolve()
            except ScreeningError:
                if root == own_root:
                    raise
                case_path = confine(named, own_root, "the root").resolve()
        except ScreeningError as exc:
            problem(("case",), "E003", f"case file {raw['case']} {exc.problems[0].message}; --root DIR widens the root")
        else:
            if not case_path.exists():
                owner = pack_of(path)
                away = owner is not None and not case_path.is_relative_to(owner.resolve())
                problem(
                    ("case",),
                    "E001",
                    f"case file not found: {raw['case']} (resolved to {case_path})"
                    + ("; a pack's tests should name cases inside the pack (see screening init)" if away else ""),
                )
            else:
                try:
                    case = load_case(case_path)
                except ScreeningError as exc:
                    problems.extend(unquoted(p) for p in exc.problems)
        tests.append(
            PackTest(raw.get("name") or (case.id if case else raw["case"]), case, expect, name, line, on=raw.get("on"))
        )
    return tests, problems


def selected(name: str, pattern: str | None) -> bool:
    """Whether ``-k PATTERN`` runs the test ``name``: the pattern is a part of its name (``SI-003``,
    ``alibaba``), or a shell-style pattern for the whole name or its first word, the rule id (``SI-00?``,
    ``*fires*``), case ignored."""
    if not pattern:
        return True
    import fnmatch

    low, want = name.lower(), pattern.lower()
    return want in low or any(fnmatch.fnmatchcase(text, want) for text in (low, low.split(" ", 1)[0]))


def test_files(pack_dir: Path, extra: Sequence[Path] = (), root: Path | None = None) -> list[tuple[Path, Path | None]]:
    """The pack's own test files (``tests/*.yaml``), then the ``extra`` ones (files, or directories of
    ``*.yaml``), each with the root its case files are confined to: ``root`` when given, else for the pack's
    own the default of ``read_test_file`` and for the extra ones the directory that holds the pack (a project
    keeps tests of its example cases beside the pack, not in it, so that the pack is whole on its own)."""
    files: list[tuple[Path, Path | None]] = [(f, root) for f in sorted((pack_dir / "tests").glob("*.yaml"))]
    for path in extra:
        for file in sorted(path.glob("*.yaml")) if path.is_dir() else [path]:
            files.append((file, root or pack_dir.absolute().parent))
    return files


def run_pack_tests(
    pack: Pack, pack_dir: Path, root: Path | None = None, pattern: str | None = None, extra: Sequence[Path] = ()
) -> tuple[list[TestOutcome], Coverage, list[Problem]]:
    """Run every example and every test case of the pack, and the test files ``extra`` (``--tests``);
    problems are test files that cannot run, and the warnings of reading the cases they name (W380).

    ``root`` confines the case files the tests name (see ``read_test_file`` and ``test_files``); ``pattern``
    (``-k``) runs only the tests whose names it matches (``selected``), and coverage then counts those only."""
    from screening.decision.engine import screen

    outcomes: list[TestOutcome] = []
    rules: list[Rule | Trigger] = [*pack.rules, *(t for regime in pack.regimes for t in regime.rules)]
    fired_by: dict[str, list[str]] = {r.id: [] for r in rules}
    for rule in rules:
        for ex in run_rule_examples(rule):
            start = time.perf_counter()
            name = f"{rule.id} {ex.kind}[{ex.index}]"
            if not selected(name, pattern):
                continue
            passed = ex.passed
            outcomes.append(
                TestOutcome(
                    name,
                    "example",
                    rule.file,
                    rule.at(f"examples.{ex.kind}.{ex.index}")[1],
                    passed,
                    "" if passed else ex.message,
                    "" if passed else _example_diff(ex),
                    rule.id,
                    time.perf_counter() - start,
                )
            )
            if ex.kind == "fires" and ex.actual is True:
                fired_by[rule.id].append(name)
    problems: list[Problem] = []
    for test_file, confined in test_files(pack_dir, extra, root):
        tests, found = read_test_file(test_file, pack, confined)
        problems += found
        problems += dict.fromkeys(n for t in tests if t.case is not None for n in t.case.notes)
        for test in tests:
            if (test.case is None and test.facts is None) or not selected(test.name, pattern):
                continue
            start = time.perf_counter()
            on = dt.date.fromisoformat(test.on) if test.on else None
            matrix: Matrix | None
            if test.case is None:
                lines = []
                values = test.facts or {}
                if on is not None and values.get("case.day") is None:  # the day judged, as a case file's dates give it
                    values = {**values, "case.day": on.isoformat()}
                matrix = filings.matrix(values, pack.regimes, on)
            else:
                result = screen(test.case, pack, on=on)
                fired = [f.rule.id for f in result.findings + result.mitigations]
                if set(test.expect) & RISK_EXPECTATIONS:  # a rule counts as tested only where a test looks
                    for rid in fired:
                        fired_by[rid].append(test.name)
                lines = compare(test.expect, result.level, result.score, fired)
                matrix = result.filings
            named = set(test.expect.get("filings") or ()) | set(test.expect.get("decided_by") or ())
            if matrix is not None:
                for d in matrix.decisions:
                    if d.rule is not None and d.regime.id in named:
                        fired_by[d.rule.id].append(test.name)
                lines += compare_filings(test.expect, matrix)
            outcomes.append(
                TestOutcome(
                    test.name,
                    "case",
                    test.file,
                    test.line,
                    not lines,
                    "" if not lines else f"{plural(unmet(lines), 'expectation')} not met",
                    "\n".join(lines),
                    None,
                    time.perf_counter() - start,
                )
            )
    if pattern:  # coverage of what ran: the rules the pattern names and those its tests made fire
        fired_by = {k: v for k, v in fired_by.items() if v or selected(k, pattern)}
    coverage = Coverage(tuple(fired_by), {k: tuple(v) for k, v in fired_by.items()})
    return outcomes, coverage, problems


def compare(expect: dict[str, Any], level: str, score: float, fired: list[str]) -> list[str]:
    """Each unmet expectation as a pair of diff lines (``- expected`` / ``+ actual``)."""
    out: list[str] = []
    if "level" in expect and expect["level"] != level:
        out += [f"- level: {expect['level']}", f"+ level: {level}"]
    bounds = expect.get("score") or {}
    low, high = bounds.get("min", 0), bounds.get("max", 100)
    if bounds and not low <= score <= high:
        out += [f"- score: {num(low)} to {num(high)}", f"+ score: {num(score)}"]
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


def unmet(lines: list[str]) -> int:
    """How many expectations the diff lines of one test show unmet: each starts with a ``- `` line."""
    return sum(line.startswith("- ") for line in lines)


def with_derived(values: dict[str, Any]) -> dict[str, Any]:
    """Fact values of a fragment, with the transaction facts derived as from a case file (votes from stakes,
    control) and the foreign states' aggregate interest, where the fragment does not give them."""
    from screening.case.facts import derive_foreign_states, derive_transaction

    values = derive_foreign_states(values)
    tx = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("transaction.")}
    derived: dict[str, Any] = {}
    derive_transaction(tx, derived, {})
    return {**{k: v for k, v in derived.items() if v is not None}, **values}


def compare_filings(expect: dict[str, Any], matrix: Any) -> list[str]:
    """Each unmet filing expectation (outcome or deciding trigger per regime) as diff lines."""
    by_id = {d.regime.id: d for d in matrix.decisions}
    out: list[str] = []
    for regime, outcome in (expect.get("filings") or {}).items():
        if regime in by_id and by_id[regime].outcome != outcome:
            d = by_id[regime]
            out += [
                f"- {regime}: {outcome}",
                f"+ {regime}: {d.outcome}"
                + (f" ({d.rule.id})" if d.rule else "")
                + (f"; {d.why[0]}" if d.why and not d.rule else ""),
            ]
    for regime, rule in (expect.get("decided_by") or {}).items():
        d = by_id.get(regime)
        if d is not None and (d.rule is None or d.rule.id != rule):
            out += [f"- {regime} decided by {rule}", f"+ {regime} decided by {d.rule.id if d.rule else 'no trigger'}"]
    return out


def _example_diff(ex: Any) -> str:
    from screening.pack.examples import undecided

    word = {True: "fires", False: "stays quiet", None: f"undecided: {undecided(ex.unknown)}"}
    expected = "fires" if ex.kind == "fires" else "stays quiet"
    return f"- {expected}\n+ {word.get(ex.actual, 'error')}\n  fragment: {flow_yaml(ex.fragment)}"


def flow_yaml(value: Any) -> str:
    """A fragment as a rule author writes it, in YAML's flow style: ``{investor: {country: CN}}``."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1_000_000)
    return text.strip().removesuffix("...").strip()
