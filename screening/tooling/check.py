"""`screening check`: validate rule packs, their tests, case files and waiver files, and lint rules.

Every problem of every file is reported in one run. Errors make a pack unusable or a decision
wrong; warnings (lints) are rules that work but will not hold up in review: no examples, no legal
basis, a condition that can never be true, a condition that repeats another rule's, a rationale
shorter than a sentence, waivers about to expire or matching nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from screening.conditions.operators import OPERATORS, Range
from screening.conditions.text import condition_key
from screening.conditions.tree import Node
from screening.infra import clock
from screening.infra.errors import Problem, ScreeningError
from screening.infra.files import open_input, read_input
from screening.infra.yamlio import limits, load
from screening.pack.load import RESERVED, Pack, Rule, pack_files, read_pack
from screening.pack.regimes import Trigger
from screening.tooling import settings

MIN_RATIONALE_WORDS = 8


class CheckResult(NamedTuple):
    problems: list[Problem]
    files: list[str]
    """Every file that was read."""
    help_uri: str = ""
    """The reference pack's ``help_uri`` (a URL template with ``{code}``), for SARIF's ``helpUri``; empty for none."""

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)


def check_paths(
    paths: list[Path],
    pack_path: Path | None = None,
    on: dt.date | None = None,
    root: Path | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    validators: dict[str, Callable[[Path], list[Problem]]] | None = None,
) -> CheckResult:
    """Check packs (directories holding pack.yaml), case files, test files and waiver files.

    A rule file names its pack (its directory). Waivers and cases are checked against ``pack_path``
    (default: the first pack among ``paths``, else the bundled pack). Case files that test files name are
    read only inside ``root`` (default: see ``screening.tooling.testing.default_root``). Problems that an
    inline ``# screening: ignore[CODE] reason`` hides are left out, then those ``select`` and ``ignore``
    leave out (screening.tooling.settings). ``validators`` check the kinds of file that layers above this one
    read (``mapping``: screening.api.check_files gives the batch's own reader).
    """
    result = _check(paths, pack_path, on, root, validators or {})
    problems = settings.suppress(result.problems, _texts(result.files))
    return CheckResult(sorted(settings.select(problems, select, ignore), key=_order), result.files, result.help_uri)


def _texts(files: list[str]) -> dict[str, str]:
    """The text of each file checked that can be read (a regular file, not a link), for inline comments."""
    limit = limits().max_bytes
    texts = {}
    for name in dict.fromkeys(files):
        path = Path(name)
        try:
            if path.is_symlink() or not path.is_file():
                continue
            texts[name] = read_input(path, limit).decode("utf-8", "replace")
        except (OSError, ScreeningError):
            continue
    return texts


def _check(
    paths: list[Path],
    pack_path: Path | None,
    on: dt.date | None,
    root: Path | None,
    validators: dict[str, Callable[[Path], list[Problem]]],
) -> CheckResult:
    from screening.case.load import build_case
    from screening.case.registry import read_registry
    from screening.case.relations import unused_relations
    from screening.case.sourcing import unsourced
    from screening.pack.load import default_pack_path

    on = on or clock.today()
    problems: list[Problem] = []
    files: list[str] = []
    packs: list[Path] = []
    others: list[Path] = []
    for path in paths:
        if path.is_dir() and any((path / name).is_file() for name in RESERVED):  # a pack, maybe incomplete
            packs.append(path)
        elif path.is_dir() and path.name == "regimes" and (path.parent / "pack.yaml").is_file():
            packs.append(path.parent)
        elif path.is_dir():
            others += sorted(p for p in path.rglob("*.yaml") if p.is_file())
        elif path.is_file() and path.parent.joinpath("pack.yaml").is_file() and path.name != "waivers.yaml":
            packs.append(path.parent)
        elif path.is_file() and path.parent.name == "regimes" and path.parent.parent.joinpath("pack.yaml").is_file():
            packs.append(path.parent.parent)
        elif path.is_file():
            others.append(path)
        elif path.exists():  # a FIFO or a device: refused unread (stdin, piped, is read)
            try:
                open_input(path).close()
                others.append(path)
            except ScreeningError as exc:
                problems += exc.problems
        else:
            problems.append(Problem(str(path), None, None, "E001", "no such file or directory"))
    packs = list(dict.fromkeys(packs))
    loaded: dict[Path, Pack | None] = {}
    cases: dict[str, Any] = {}
    for pack_dir in packs:
        pack, found = read_pack(pack_dir, use_cache=False)
        loaded[pack_dir] = pack
        files += [str(p) for p in pack_files(pack_dir)]
        problems += found
        if pack is not None:
            problems += lint_pack(pack)
            test_files = sorted((pack_dir / "tests").glob("*.yaml"))
            files += [str(p) for p in test_files]
            for test_file in test_files:
                named, found = check_test_file(test_file, pack, root)
                problems += found
                for case in named:
                    if case.id not in cases:  # a case several tests name: its warnings once
                        problems += case.notes
                    cases.setdefault(case.id, case)
    reference = pack_path or (packs[0] if packs else None)
    pack = loaded.get(reference) if reference in loaded else None
    if pack is None and others:
        pack = read_pack(reference or default_pack_path())[0]
    documents = {path: _read(path) for path in others}
    registries = list(dict.fromkeys(p.parent for p, (kind, _, _) in documents.items() if kind == "registry"))
    for directory in registries:
        problems += read_registry(directory)[1]
    waiver_files: list[Path] = []
    for path, (kind, document, marks) in documents.items():
        files.append(str(path))
        if kind == "waivers":
            waiver_files.append(path)
        elif kind == "mapping":
            if isinstance(document, ScreeningError):
                problems += document.problems
            elif "mapping" in validators:
                problems += validators["mapping"](path)
        elif kind == "tests" and pack is not None:
            problems += check_test_file(path, pack, root)[1]
        elif kind == "regime":  # outside a pack: its structure only (conditions need the pack's sets)
            from screening.pack.load import validate

            problems += validate("regime", document, marks, str(path))
        elif kind == "case":
            try:
                if isinstance(document, ScreeningError):
                    raise document
                case = build_case(document, marks, str(path), registries[0] if registries else None)
                cases[case.id] = case
                problems += [*case.notes, *unused_relations(case, marks), *unsourced(case, marks)]
            except ScreeningError as exc:
                problems += exc.problems
    for path in waiver_files:
        problems += check_waivers(path, pack, cases, on)
    return CheckResult(sorted(problems, key=_order), files, pack.help_uri if pack is not None else "")


def _order(p: Problem) -> tuple[Any, ...]:
    return (p.file, p.line or 0, p.column or 0, p.code, p.message)


def _read(path: Path) -> tuple[str, Any, Any]:
    """The kind of a file other than a pack's, with its document and marks (the error when it cannot be read)."""
    named = path.name.lower()
    try:
        data, marks = load(path)
    except ScreeningError as exc:  # reported as the loader of its kind sees it
        return ("mapping" if "mapping" in named else "waivers" if "waiver" in named else "case"), exc, None
    keys = set(data) if isinstance(data, dict) else set()
    if "waivers" in keys or ("waiver" in named and not {"investor", "target"} & keys):
        return "waivers", data, marks
    if {"id", "fields"} <= keys or ("mapping" in named and not {"investor", "target"} & keys):
        return "mapping", data, marks
    if isinstance(data, dict) and "regime" in data:
        return "regime", data, marks
    if isinstance(data, dict) and "tests" in data:
        return "tests", data, marks
    if isinstance(data, dict) and "entities" in data and not {"investor", "target", "id"} & set(data):
        return "registry", data, marks
    return "case", data, marks


# ---------------------------------------------------------------------------------------------- lints


def lint_pack(pack: Pack) -> list[Problem]:
    """Warnings about rules that work but will not hold up in review."""
    out: list[Problem] = []
    seen: dict[str, Rule] = {}
    for rule in sorted(pack.rules, key=lambda r: (r.file, r.line or 0)):

        def warn(key: str, code: str, message: str, rule: Rule = rule) -> None:
            out.append(Problem(*rule.at(key), code, message, severity="warning", rule=rule.id))

        out.extend(_example_lints(rule))
        if not rule.legal_basis and rule.practice:
            warn(
                "practice",
                "W302",
                "no legal basis: the rule rests on analyst practice only; cite the provision if one applies",
            )
        reason = never_fires(rule.condition, pack.sets)
        if reason:
            warn("when", "W303", f"the condition can never be true: {reason}")
        key = condition_key(rule.condition, pack.sets)
        if key in seen:
            other = seen[key]
            warn(
                "when",
                "W304",
                f"same condition as {other.id} ({other.file}:{other.line}): the two always fire "
                "together, so the facts are counted twice; merge them or make one narrower",
            )
        seen.setdefault(key, rule)
        words = rule.rationale.split()
        if len(words) < MIN_RATIONALE_WORDS or not rule.rationale.rstrip().endswith((".", "!", "?", ")")):
            warn(
                "rationale",
                "W305",
                f"rationale too short ({len(words)} words): say in at least a sentence why "
                "the fact matters for security or public order",
            )
    for regime in pack.regimes:
        linted: set[str] = set()
        for trigger in regime.rules:
            if trigger.id in linted:  # one trigger split by period (a dated investor test) is linted once
                continue
            linted.add(trigger.id)
            out += _example_lints(trigger)
            out += _verified_lints(trigger)
            reason = never_fires(trigger.when, regime.sets)
            if reason:
                out.append(
                    Problem(
                        *trigger.at("when"),
                        "W303",
                        f"the condition can never be true: {reason}",
                        severity="warning",
                        rule=trigger.id,
                    )
                )
    return out


def _verified_lints(trigger: Trigger) -> list[Problem]:
    """W335: a trigger not checked against the text of the law; W336: a status that names no source."""
    key = "verified" if "verified" in trigger.keys else "legal_basis"
    if trigger.verified != "primary":
        if "verified" not in trigger.keys:
            message = "no `verified` status: the trigger counts as unverified; check it and say against what"
        elif trigger.verified == "secondary":
            message = "verified: secondary (a named note or summary); read the provision itself before relying on it"
        else:
            message = "verified: unverified; neither the provision nor a named source confirms it"
        out = [Problem(*trigger.at(key), "W335", message, severity="warning", rule=trigger.id)]
    else:
        out = []
    if trigger.verified != "unverified" and not trigger.verified_by:
        out.append(
            Problem(
                *trigger.at(key),
                "W336",
                f"`verified: {trigger.verified}` names no source: say in `verified_by` what was read",
                severity="warning",
                rule=trigger.id,
            )
        )
    return out


def _example_lints(rule: Rule | Trigger) -> list[Problem]:
    """W301: a rule or trigger without an example on which it fires, or on which it stays quiet."""
    fires, quiet = rule.examples.get("fires"), rule.examples.get("quiet")
    if fires and quiet:
        return []
    message = (
        "no examples: add fragments on which the rule fires and on which it stays quiet"
        if not fires and not quiet
        else "no example on which the rule fires"
        if not fires
        else "no example on which the rule stays quiet"
    )
    return [Problem(*rule.at("examples"), "W301", message, severity="warning", rule=rule.id)]


def never_fires(node: Node, sets: dict[str, list[Any]]) -> str | None:
    """Why ``node`` can never be true, or None when it can (as far as a static look can tell)."""
    if node.kind == "leaf":
        if node.op in ("in", "contains_any") and not (sets.get(node.arg) if isinstance(node.arg, str) else node.arg):
            return f"{node.field} {node.op} an empty list"
        return None
    if node.kind == "any":
        reasons = [never_fires(c, sets) for c in node.children]
        return "; ".join(r for r in reasons if r) if all(reasons) else None
    if node.kind == "not":
        return None
    for child in node.children:
        reason = never_fires(child, sets)
        if reason:
            return reason
    leaves: dict[str, list[Node]] = {}
    for child in node.children:
        if child.kind == "leaf":
            leaves.setdefault(child.field, []).append(child)
    for name, group in leaves.items():
        reason = _conflict(name, group, sets)
        if reason:
            return reason
    return None


def _conflict(name: str, leaves: list[Node], sets: dict[str, list[Any]]) -> str | None:
    """A contradiction among tests of one fact that must all hold."""
    texts = " and ".join(leaf.describe() for leaf in leaves)
    exists = {leaf.arg for leaf in leaves if leaf.op == "exists"}
    if exists == {True, False}:
        return f"{name} must both exist and not exist"
    if False in exists and any(leaf.op != "exists" for leaf in leaves):
        return f"{texts}: a test on {name} cannot hold when {name} is absent"
    empty = {leaf.arg for leaf in leaves if leaf.op == "empty"}
    if empty == {True, False}:
        return f"{name} must be both empty and not empty"
    if True in empty and any(leaf.op in ("contains", "contains_any") for leaf in leaves):
        return f"{texts}: an empty {name} contains nothing"
    allowed: set[str] | None = None
    for leaf in leaves:
        if leaf.op in ("equals", "in"):
            values = {json.dumps(v) for v in _iter(leaf.op, leaf.arg, sets)}
            allowed = values if allowed is None else allowed & values
    for leaf in leaves:
        if leaf.op == "not_in" and allowed is not None:
            allowed -= {json.dumps(v) for v in _iter("in", leaf.arg, sets)}
    if allowed is not None and not allowed:
        return f"{texts}: no value satisfies all of them"
    low, high = float("-inf"), float("inf")
    low_open = high_open = False
    for leaf in leaves:
        bounds = _bounds(leaf)
        if bounds is None:
            continue
        (lo, lo_open), (hi, hi_open) = bounds
        if lo > low or (lo == low and lo_open):
            low, low_open = lo, lo_open
        if hi < high or (hi == high and hi_open):
            high, high_open = hi, hi_open
    if low > high or (low == high and (low_open or high_open)):
        return f"{texts}: the numeric range is empty"
    return None


def _iter(op: str, arg: Any, sets: dict[str, list[Any]]) -> Iterable[Any]:
    if op == "equals":
        return [arg]
    return sets.get(arg, []) if isinstance(arg, str) else arg


def _bounds(leaf: Node) -> Range | None:
    """The numbers that satisfy a leaf, when they form an interval (its operator's ``range``)."""
    op = OPERATORS.get(leaf.op)
    return op.range(leaf.arg) if op is not None else None


# ------------------------------------------------------------------------------------- tests and waivers


def check_test_file(path: Path, pack: Pack, root: Path | None = None) -> tuple[list[Any], list[Problem]]:
    """The cases a pack test file names (loaded, when inside ``root``), and the problems of the file."""
    from screening.tooling.testing import read_test_file

    tests, problems = read_test_file(path, pack, root)
    return [t.case for t in tests if t.case is not None], problems


def check_waivers(path: Path, pack: Pack | None, cases: dict[str, Any], on: dt.date) -> list[Problem]:
    """Malformed, expired, expiring and unmatched waivers."""
    from screening.decision.engine import screen
    from screening.pack.waivers import lint, read_waivers

    waivers, problems = read_waivers(path)
    problems += lint(waivers, on)
    rules = {r.id for r in pack.rules} if pack is not None else None
    fired: dict[str, set[str]] = {}
    for w in waivers:
        where = (w.file, w.line, w.column)
        if rules is not None and w.rule not in rules:
            problems.append(
                Problem(
                    *w.at("rule"),
                    "W312",
                    f"waiver matches nothing: the pack has no rule '{w.rule}'",
                    severity="warning",
                    rule=w.rule,
                )
            )
            continue
        case = cases.get(w.case)
        if case is None:
            problems.append(
                Problem(
                    *where,
                    "W312",
                    f"waiver matches nothing among the cases checked: no case "
                    f"'{w.case}' (check it together with its case file)",
                    severity="warning",
                    rule=w.rule,
                )
            )
            continue
        if pack is not None:
            if w.case not in fired:
                result = screen(case, pack)
                fired[w.case] = {f.rule.id for f in result.findings + result.mitigations}
            if w.rule not in fired[w.case]:
                problems.append(
                    Problem(
                        *where,
                        "W312",
                        f"waiver matches nothing: {w.rule} does not fire on '{w.case}'",
                        severity="warning",
                        rule=w.rule,
                    )
                )
    return problems
