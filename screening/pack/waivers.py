"""Waivers: a screening unit's recorded decisions not to count a finding on a case.

A waiver names a case and a rule, with a reason, an approver and an expiry date. It never hides
a finding: the finding stays in every report, marked as waived, and only its points stop counting.
Waivers fail closed: an expired waiver, one granted after the day judged, or an entry that is
malformed (granted after its own expiry, say) waives nothing, so the finding counts (and ``screening
check`` reports the waiver).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from screening import EMPTY
from screening.infra.errors import Marks, Problem, ScreeningError
from screening.infra.yamlio import load

EXPIRY_WARNING_DAYS = 30
"""``screening check`` warns this many days before a waiver expires."""


class Waiver(NamedTuple):
    """One waiver, as written."""

    case: str
    rule: str
    reason: str
    approver: str
    expires: str
    """Last day the waiver applies (YYYY-MM-DD)."""
    granted: str | None = None
    reference: str | None = None
    file: str = ""
    line: int | None = None
    column: int | None = None
    keys: dict[str, tuple[int, int]] = EMPTY
    """Line and column of each key of the entry as written."""

    def at(self, key: str) -> tuple[str, int | None, int | None]:
        """File, line and column of one of the entry's keys (the entry's start when unknown)."""
        line, column = self.keys.get(key, (self.line, self.column))
        return self.file, line, column

    def active(self, on: dt.date) -> bool:
        """Whether the waiver applies on day ``on``: from the day it was granted through its expiry day."""
        return self.status(on) == "active"

    def status(self, on: dt.date) -> str:
        """``active`` on day ``on``; ``not_yet_granted`` before the day it was granted (a decision cannot
        waive a finding on a day judged before it was taken); ``expired`` after its expiry day."""
        if self.granted is not None and on < dt.date.fromisoformat(self.granted):
            return "not_yet_granted"
        return "active" if on <= dt.date.fromisoformat(self.expires) else "expired"

    def days_left(self, on: dt.date) -> int:
        return (dt.date.fromisoformat(self.expires) - on).days


def read_waivers(path: Path) -> tuple[list[Waiver], list[Problem]]:
    """Every well-formed waiver of the file, and a problem for each malformed one (which is left out)."""
    from screening.pack.load import validate  # the pack schema holds the waivers format

    try:
        data, marks = load(path)
    except ScreeningError as exc:
        return [], exc.problems
    name = str(path)
    problems = validate("waivers", data, marks, name)
    if not isinstance(data, dict) or not isinstance(data.get("waivers"), list):
        return [], problems
    bad = {p.path[1] for p in problems if len(p.path) >= 2 and p.path[0] == "waivers"}
    problems = [_with_rule(p, data["waivers"]) for p in problems]
    if any(len(p.path) < 2 or p.path[0] != "waivers" for p in problems):
        return [], problems  # the file itself is malformed: no waiver from it applies
    waivers = []
    for i, raw in enumerate(data["waivers"]):
        if str(i) in bad:
            continue
        base = ("waivers", str(i))
        line, column = _where(marks, base)
        keys = {k: marks[base + (k,)] for k in raw if base + (k,) in marks}
        if raw.get("granted") and raw["granted"] > raw["expires"]:  # both YYYY-MM-DD: text order is date order
            at = keys.get("granted", (line, column))
            problems.append(
                Problem(
                    name,
                    *at,
                    "E106",
                    f"waiver for case '{raw['case']}' granted on {raw['granted']}, "
                    f"after it expires on {raw['expires']}: it never applies, the finding counts",
                    base + ("granted",),
                    rule=raw["rule"],
                )
            )
            continue
        waivers.append(
            Waiver(
                raw["case"],
                raw["rule"],
                " ".join(raw["reason"].split()),
                raw["approver"],
                raw["expires"],
                raw.get("granted"),
                raw.get("reference"),
                name,
                line,
                column,
                keys,
            )
        )
    problems += _duplicates(waivers, marks, name)
    return waivers, problems


def _with_rule(problem: Problem, entries: list[object]) -> Problem:
    """Name the rule of the waiver entry a problem is in, when the entry names one."""
    if len(problem.path) >= 2 and problem.path[0] == "waivers" and problem.path[1].isdigit():
        entry = entries[int(problem.path[1])] if int(problem.path[1]) < len(entries) else None
        if isinstance(entry, dict) and isinstance(entry.get("rule"), str):
            return problem._replace(rule=entry["rule"])
    return problem


def load_waivers(path: Path) -> tuple[list[Waiver], list[Problem]]:
    """Like :func:`read_waivers`, but a file that cannot be read at all is an input error."""
    waivers, problems = read_waivers(path)
    if not waivers and problems and not any(len(p.path) >= 2 and p.path[0] == "waivers" for p in problems):
        raise ScreeningError(problems)
    return waivers, problems


def _where(marks: Marks, path: tuple[str, ...]) -> tuple[int | None, int | None]:
    return marks.get(path, (None, None))


def _duplicates(waivers: list[Waiver], marks: Marks, name: str) -> list[Problem]:
    seen: dict[tuple[str, str], Waiver] = {}
    out = []
    for w in waivers:
        key = (w.case, w.rule)
        if key in seen:
            out.append(
                Problem(
                    name,
                    w.line,
                    w.column,
                    "E109",
                    f"a second waiver for case '{w.case}' and rule "
                    f"'{w.rule}' (first on line {seen[key].line}); keep one",
                    rule=w.rule,
                )
            )
        seen.setdefault(key, w)
    return out


def index(waivers: list[Waiver]) -> dict[tuple[str, str], Waiver]:
    """Waivers by (case id, rule id); the first one written wins."""
    out: dict[tuple[str, str], Waiver] = {}
    for w in waivers:
        out.setdefault((w.case, w.rule), w)
    return out


def lint(waivers: list[Waiver], on: dt.date) -> list[Problem]:
    """Expired waivers and waivers not yet granted on day ``on`` (errors: they waive nothing on that day), and
    ones about to expire (warnings)."""
    out = []
    for w in waivers:
        left = w.days_left(on)
        where = w.at("expires")
        if w.status(on) == "not_yet_granted":
            out.append(
                Problem(
                    *w.at("granted"),
                    "E313",
                    f"waiver for case '{w.case}' is granted on {w.granted}, "
                    f"after the day judged ({on.isoformat()}): it waives nothing before then, the "
                    "finding counts",
                    rule=w.rule,
                )
            )
        elif left < 0:
            out.append(
                Problem(
                    *where,
                    "E310",
                    f"waiver for case '{w.case}' expired on {w.expires}: the finding "
                    "counts again; renew it with a new decision or remove it",
                    rule=w.rule,
                )
            )
        elif left <= EXPIRY_WARNING_DAYS:
            out.append(
                Problem(
                    *where,
                    "W311",
                    f"waiver for case '{w.case}' expires on {w.expires} (in {left} day{'s' if left != 1 else ''})",
                    severity="warning",
                    rule=w.rule,
                )
            )
    return out


__all__ = ["EXPIRY_WARNING_DAYS", "Waiver", "index", "lint", "load_waivers", "read_waivers"]
