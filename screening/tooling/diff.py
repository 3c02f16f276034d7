"""`screening diff`: what a rule change does to real cases.

Screens the same cases with two packs and lists every case whose level, score or fired rules
change, with the rules that were added, removed or changed between the packs. In a pull request
this answers "what does this rule change do?" (Markdown output for the PR comment).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from screening.infra.errors import Problem, ScreeningError
from screening.infra.text import num
from screening.pack.load import Pack, Rule


class CaseChange(NamedTuple):
    case: str
    file: str
    old_level: str
    new_level: str
    old_score: float
    new_score: float
    added: tuple[str, ...]
    """Rules that fire with the new pack only."""
    removed: tuple[str, ...]
    """Rules that fire with the old pack only."""
    filings: tuple[str, ...] = ()
    """Regimes whose filing answer changes (``DE: mandatory (DE-003) → out of scope``)."""

    @property
    def changed(self) -> bool:
        return (
            self.old_level != self.new_level
            or self.old_score != self.new_score
            or bool(self.added)
            or bool(self.removed)
            or bool(self.filings)
        )


class RuleChange(NamedTuple):
    rule: str
    change: str
    """``added``, ``removed``, ``renamed`` (a new id that names the old one among its ``aliases``) or ``changed``."""
    details: tuple[str, ...] = ()


class PackDiff(NamedTuple):
    old: Pack
    new: Pack
    rules: list[RuleChange]
    cases: list[CaseChange]
    """Every case screened, changed or not."""
    unscreened: tuple[Problem, ...] = ()
    """Cases the NEW pack's tests name that could not be loaded, so were not screened."""
    backtest: tuple[Any, Any] | None = None
    """The backtest (screening.tooling.backtest.Backtest) of the old and the new pack on a corpus, when asked for."""

    @property
    def changed(self) -> list[CaseChange]:
        return [c for c in self.cases if c.changed]


def resolve_pack(spec: str, workdir: Path) -> Path:
    """A pack directory, or ``REV:PATH`` read from git at revision REV into ``workdir``."""
    path = Path(spec)
    if path.is_dir() or ":" not in spec:
        return path
    rev, _, inner = spec.partition(":")
    inner = inner.rstrip("/")
    # `REV:.` is the current directory, as `screening init`'s workflow writes it (origin/main:.): git reads a path
    # after the colon from the top of the repository, and only one that starts with ./ from the current directory,
    # so `HEAD:.` itself is no object. `REV:` alone is the top of the repository.
    tree = "./" if inner == "." else inner
    try:  # names end at NUL (-z): a name may hold a space or a line break
        listing = ["git", "ls-tree", "-r", "-z", "--full-tree", "--name-only", f"{rev}:{tree}"]
        listed = subprocess.run(listing, check=True, capture_output=True).stdout
        names = [os.fsdecode(name) for name in listed.split(b"\0") if name]
        target = workdir / "old-pack"
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            if name.endswith(".yaml") and "/" not in name.replace("regimes/", "", 1):
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                where = f"{tree.rstrip('/')}/{name}" if tree else name
                blob = subprocess.run(["git", "show", f"{rev}:{where}"], check=True, capture_output=True).stdout
                (target / name).write_bytes(blob)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc)
        detail = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else detail
        message = f"cannot read the pack from git: {detail.strip()}"
        raise ScreeningError([Problem(spec, None, None, "E001", message)]) from None
    return target


def test_cases(
    pack_dir: Path, pack: Pack, root: Path | None = None, extra: Sequence[Path] = ()
) -> tuple[list[Any], list[Problem]]:
    """The cases that the pack's tests and the test files ``extra`` (``--tests``) name (each once, read only
    inside ``root``: see ``screening.tooling.testing.test_files``), and a problem for each named case that
    cannot be loaded."""
    from screening.tooling.testing import read_test_file, test_files

    found: dict[str, Any] = {}
    problems: list[Problem] = []
    for test_file, confined in test_files(pack_dir, extra, root):
        tests, file_problems = read_test_file(test_file, pack, confined)
        problems += [
            p._replace(severity="warning")
            for p in file_problems
            if p.path[-1:] == ("case",) or p.file != str(test_file)
        ]
        for test in tests:
            if test.case is not None:
                found.setdefault(test.case.id, test.case)
    return list(found.values()), problems


def diff_packs(old: Pack, new: Pack, cases: list[Any], unscreened: tuple[Problem, ...] = ()) -> PackDiff:
    """Screen ``cases`` with both packs; ``unscreened`` are the problems of cases that could not be loaded."""
    from screening.decision.engine import screen

    changes = []
    now = renames(old, new)
    for case in cases:
        a, b = screen(case, old), screen(case, new)
        fa = {now.get(f.rule.id, f.rule.id) for f in a.findings + a.mitigations}  # a renamed rule is the same rule
        fb = {f.rule.id for f in b.findings + b.mitigations}
        changes.append(
            CaseChange(
                case.id,
                case.file,
                a.level,
                b.level,
                a.score,
                b.score,
                tuple(sorted(fb - fa)),
                tuple(sorted(fa - fb)),
                _filings(a, b),
            )
        )
    return PackDiff(old, new, rule_changes(old, new), changes, unscreened)


def _filings(a: Any, b: Any) -> tuple[str, ...]:
    """Each regime whose answer differs between the two packs' results (a regime only one pack has too)."""
    from screening.decision.filings import change_text, changes

    return tuple(change_text(c) for c in changes(a.filings, b.filings))


def renames(old: Pack, new: Pack) -> dict[str, str]:
    """Old id -> new id of each risk rule renamed: gone from the old pack's ids, and named among the former ids
    (``aliases``) of a rule new to the new pack."""
    before, after = {r.id for r in old.rules}, {r.id for r in new.rules}
    return {
        alias: rule.id
        for rule in new.rules
        if rule.id not in before
        for alias in rule.aliases
        if alias in before and alias not in after
    }


def rule_changes(old: Pack, new: Pack) -> list[RuleChange]:
    before: dict[str, Any] = {r.id: r for r in old.rules}
    after: dict[str, Any] = {r.id: r for r in new.rules}
    before.update((t.id, (t, g)) for g in old.regimes for t in g.rules)
    after.update((t.id, (t, g)) for g in new.regimes for t in g.rules)
    now = renames(old, new)
    was = {new_id: old_id for old_id, new_id in now.items()}
    out = []
    for rid in sorted(set(before) | set(after)):
        if rid in now:
            continue  # said under its new id
        if rid in was:
            details = _rule_details(before[was[rid]], after[rid])
            out.append(RuleChange(rid, "renamed", (f"was {was[rid]}", *details)))
        elif rid not in before:
            out.append(RuleChange(rid, "added", (_title(after[rid]),)))
        elif rid not in after:
            out.append(RuleChange(rid, "removed", (_title(before[rid]),)))
        else:
            details = _rule_details(before[rid], after[rid])
            if details:
                out.append(RuleChange(rid, "changed", details))
    return out


def _title(item: Any) -> str:
    """The title of a rule, or of a trigger given as (trigger, regime).

    A ``Rule`` is a NamedTuple, hence a tuple too: test for it first."""
    return item.title if isinstance(item, Rule) else item[0].title


def _rule_details(a: Any, b: Any) -> tuple[str, ...]:
    if isinstance(a, Rule) != isinstance(b, Rule):
        return ("a risk rule became a filing trigger" if isinstance(a, Rule) else "a filing trigger became a rule",)
    if not isinstance(a, Rule):
        return _trigger_details(*a, *b)
    out = []
    if a.weight != b.weight:
        out.append(f"weight {num(a.weight)} → {num(b.weight)}")
    if json.dumps(a.when, sort_keys=True) != json.dumps(b.when, sort_keys=True):
        out.append(f"condition {a.condition.describe()} → {b.condition.describe()}")
    if a.category != b.category:
        out.append(f"category {a.category} → {b.category}")
    if a.title != b.title:
        out.append("title reworded")
    if [str(r) for r in a.legal_basis] != [str(r) for r in b.legal_basis]:
        out.append("legal basis changed")
    return tuple(out)


def _trigger_details(a: Any, ga: Any, b: Any, gb: Any) -> tuple[str, ...]:
    """What changed in a filing trigger (``a`` of regime ``ga``, ``b`` of ``gb``): its test with the named sets
    spelled out, the regime's reach, the investor test, outcome, dates, wording or legal basis."""
    from screening.conditions.text import condition_key, describe

    out = []
    if condition_key(a.when, ga.sets) != condition_key(b.when, gb.sets):
        old_text, new_text = describe(a.when, ga.sets), describe(b.when, gb.sets)
        out.append(
            f"condition {old_text} → {new_text}"
            if old_text != new_text
            else f"the values of a named set the condition uses changed: {new_text}"
        )
    if condition_key(ga.applies, ga.sets) != condition_key(gb.applies, gb.sets):
        out.append(f"regime reach {describe(ga.applies, ga.sets)} → {describe(gb.applies, gb.sets)}")
    tests = [t.investor.condition for t in (a, b)]
    if (tests[0] is None) != (tests[1] is None) or (
        tests[0] is not None
        and tests[1] is not None
        and condition_key(tests[0], ga.sets) != condition_key(tests[1], gb.sets)
    ):
        out.append(f"investor test {a.investor.id} → {b.investor.id} ({b.investor.title})")
    for key in ("outcome", "valid_from", "valid_to"):
        if getattr(a, key) != getattr(b, key):
            out.append(f"{key} {getattr(a, key) or 'none'} → {getattr(b, key) or 'none'}")
    if a.title != b.title:
        out.append("title reworded")
    if [str(r) for r in a.legal_basis] != [str(r) for r in b.legal_basis]:
        out.append("legal basis changed")
    return tuple(out)


__all__ = ["CaseChange", "PackDiff", "RuleChange", "diff_packs", "resolve_pack", "test_cases"]
