"""Which problems `screening check` reports: ``[tool.screening]`` in pyproject.toml, ``--select``/``--ignore``, and
inline ``# screening: ignore[CODE] reason`` comments, as ruff and mypy do it.

A code in ``select`` or ``ignore`` may be written whole (``W302``) or as a prefix (``W3``, ``W``). An inline
comment applies to the problems reported on its own line; on the line that starts a rule (``- id: SI-001``)
it applies to every problem of that rule. It needs a reason (W330 when it has none), and one that hides
nothing is reported (W331), so that suppressions do not outlive the problems they were written for.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

from screening.infra.errors import CODES, Problem

SECTION = "tool.screening"
KEYS = ("pack", "severity", "select", "ignore")
DIRECTIVE = re.compile(r"#\s*screening:\s*ignore\[([^\]]*)\]\s*(.*?)\s*$")
RULE_START = re.compile(r"^\s*-\s+id:\s*['\"]?([^'\"\s#]+)")


class Settings(NamedTuple):
    """The ``[tool.screening]`` table of the nearest pyproject.toml (all empty when there is none)."""

    pack: Path | None = None
    """The rule pack that check, test and fmt read when given no path (relative to the pyproject.toml)."""
    severity: str | None = None
    """``error`` or ``warning``: the exit-1 threshold of check."""
    select: tuple[str, ...] = ()
    """Codes or prefixes reported; empty: all."""
    ignore: tuple[str, ...] = ()
    """Codes or prefixes never reported."""
    file: str | None = None
    """The pyproject.toml read."""


def find_settings(start: Path) -> tuple[Settings, list[Problem]]:
    """The settings of the nearest pyproject.toml at ``start`` or above that has a ``[tool.screening]`` table,
    and its problems (a wrong key or value is reported, never silently ignored)."""
    for directory in [start, *start.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            settings, problems = read_settings(candidate)
            if settings.file is not None or problems:
                return settings, problems
    return Settings(), []


def read_settings(path: Path) -> tuple[Settings, list[Problem]]:
    """The ``[tool.screening]`` table of one pyproject.toml."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    name = str(path)
    try:
        table = tomllib.loads(path.read_text("utf-8")).get("tool", {}).get("screening")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Settings(), [Problem(name, None, None, "E100", f"cannot read {SECTION}: {exc}")]
    if table is None:
        return Settings(), []
    problems: list[Problem] = []

    def bad(key: str, code: str, message: str) -> None:
        problems.append(Problem(name, None, None, code, f"{SECTION}.{key}: {message}", (SECTION, key)))

    if not isinstance(table, dict):
        bad("", "E103", "expected a table")
        return Settings(file=name), problems
    for key in table:
        if key not in KEYS:
            bad(key, "E104", f"unknown key; the keys are {', '.join(KEYS)}")
    values: dict[str, Any] = {"file": name}
    if "pack" in table:
        if isinstance(table["pack"], str) and table["pack"]:
            values["pack"] = path.parent / table["pack"]
        else:
            bad("pack", "E103", "expected the path of a rule pack directory")
    if "severity" in table:
        if table["severity"] in ("error", "warning"):
            values["severity"] = table["severity"]
        else:
            bad("severity", "E106", f"expected error or warning, found {table['severity']!r}")
    for key in ("select", "ignore"):
        if key in table:
            codes = table[key]
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                bad(key, "E103", "expected a list of problem codes")
                continue
            unknown = [c for c in codes if not known(c)]
            if unknown:
                bad(key, "E106", f"no problem code is or starts with {', '.join(unknown)}")
            values[key] = tuple(c for c in codes if known(c))
    return Settings(**values), problems


def known(code: str) -> bool:
    """Whether ``code`` is a problem code or the start of one."""
    return bool(code) and any(c.startswith(code.upper()) for c in CODES)


def matches(code: str, patterns: tuple[str, ...]) -> bool:
    return any(code.startswith(p.upper()) for p in patterns)


def select(problems: list[Problem], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Problem]:
    """The problems ``--select`` keeps (all when empty) and ``--ignore`` does not drop."""
    return [p for p in problems if (not select or matches(p.code, select)) and not matches(p.code, ignore)]


class Directive(NamedTuple):
    file: str
    line: int
    column: int
    codes: tuple[str, ...]
    reason: str
    rule: str | None
    """The rule whose first line holds the comment: it applies to all of that rule's problems."""


def directives(file: str, text: str) -> list[Directive]:
    """The ``# screening: ignore[...]`` comments of one file."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if "screening:" not in line:
            continue
        match = DIRECTIVE.search(line)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        start = RULE_START.match(line)
        found.append(
            Directive(file, number, match.start() + 1, codes, match.group(2), start.group(1) if start else None)
        )
    return found


def suppress(problems: list[Problem], texts: dict[str, str]) -> list[Problem]:
    """The problems no inline comment hides, with a warning for each comment without a reason (W330) and each
    that hides nothing (W331). ``texts`` holds the text of each file read, by name."""
    marks = [d for name, text in texts.items() for d in directives(name, text)]
    if not marks:
        return problems
    used: set[Directive] = set()
    kept = []
    for p in problems:
        hiding = [
            d
            for d in marks
            if d.file == p.file
            and (d.line == p.line or (d.rule is not None and d.rule == p.rule))
            and p.code in d.codes
        ]
        used.update(hiding)
        if not hiding:
            kept.append(p)
    for d in marks:
        where = (d.file, d.line, d.column)
        if not d.codes:
            message = "name the codes to ignore: # screening: ignore[W302] reason"
            kept.append(Problem(*where, "W330", message, severity="warning", rule=d.rule))
        elif not d.reason:
            message = "say why the problem is ignored, after the codes"
            kept.append(Problem(*where, "W330", message, severity="warning", rule=d.rule))
        unknown = [c for c in d.codes if c not in CODES]
        if unknown:
            message = f"no such problem code: {', '.join(unknown)}"
            kept.append(Problem(*where, "W331", message, severity="warning", rule=d.rule))
        elif d.codes and d not in used:
            kept.append(
                Problem(
                    *where,
                    "W331",
                    f"unused suppression: no {', '.join(d.codes)} here to ignore; remove the comment",
                    severity="warning",
                    rule=d.rule,
                )
            )
    return kept
