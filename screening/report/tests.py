"""Formats for the results of `screening test`: text for people, JSON, GitHub annotations and JUnit XML.

Pure functions: outcomes and coverage in, text out. Tests are listed by file, line and name.

JSON (``schema_version`` 1.0)::

    {"schema_version": "1.0",
     "tests": [{"name", "kind", "file", "line", "passed", "message", "diff", "rule", "seconds"}],
     "summary": {"tests": n, "passed": n, "failed": n, "seconds": s},
     "coverage": {"rules": n, "covered": [rule ids], "uncovered": [rule ids], "percent": p,
                  "fired_by": {rule id: [test names]}}}

``kind`` is ``example`` or ``case``; ``line`` and ``rule`` may be null; ``message`` and ``diff`` are empty for a
test that passed; ``seconds`` are rounded to milliseconds and ``percent`` to two decimals; ``fired_by`` has
every rule of the pack, in pack order, with the names of the tests that made it fire.
"""

from __future__ import annotations

import json
from typing import Any

from screening.infra.text import visible
from screening.report import Options
from screening.report.outcomes import ordered, percent
from screening.report.problems import SEVERITY_STYLE, command
from screening.tooling.results import Coverage, TestOutcome, TestRun

FORMATS = ("text", "json", "github", "junit")
SCHEMA_VERSION = "1.0"


def render_tests(
    outcomes: list[TestOutcome],
    coverage: Coverage,
    fmt: str,
    *,
    width: int = 100,
    color: bool = False,
    suite: str = "screening",
) -> str:
    """Render test outcomes and coverage in format ``fmt`` (one of FORMATS); ``suite`` names the JUnit suite."""
    tests = ordered(outcomes)
    if fmt == "text":
        return _text(tests, coverage, width, color)
    if fmt == "json":
        return _json(tests, coverage)
    if fmt == "github":
        return _github(tests)
    if fmt == "junit":
        from screening.report import junit

        return junit.render(tests, suite, coverage)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def report(run: TestRun, fmt: str, options: Options) -> str:
    """A pack's test run in format ``fmt``: the renderer screening.report.render calls."""
    return render_tests(
        list(run.outcomes), run.coverage, fmt, width=options.width, color=options.color, suite=run.suite
    )


def tally(outcomes: list[TestOutcome]) -> str:
    """``12 passed, 2 failed``."""
    failed = sum(not o.passed for o in outcomes)
    return f"{len(outcomes) - failed} passed, {failed} failed"


def coverage_line(coverage: Coverage) -> str:
    """``87/90 rules (96.7%) made to fire by a test; not covered: X, Y``."""
    line = f"{len(coverage.covered)}/{len(coverage.rules)} rules ({percent(coverage)}%) made to fire by a test"
    return line + (f"; not covered: {', '.join(coverage.uncovered)}" if coverage.uncovered else "")


def _where(o: TestOutcome) -> str:
    return f"{o.file}:{o.line}" if o.line is not None else o.file


def _text(tests: list[TestOutcome], coverage: Coverage, width: int, color: bool) -> str:
    from screening.report.layout import Text, emit, hang

    lines: list[Text] = []

    def wrapped(text: Text, indent: int) -> None:
        lines.extend(hang(" " * indent, text, width, min_room=0))

    for o in (t for t in tests if not t.passed):
        head = Text("FAIL", style=SEVERITY_STYLE["error"])
        head.append("  ")
        head.append(visible(o.name), style="bold")
        head.append("  ")
        head.append(visible(_where(o)), style="dim")
        wrapped(head, 0)
        if o.message:
            wrapped(Text(visible(o.message)), 6)
        for row in visible(o.diff).split("\n") if o.diff else ():
            style = (
                "red"
                if row.startswith("-")
                else "green"
                if row.startswith("+")
                else "cyan"
                if row.startswith("@@")
                else ""
            )
            wrapped(Text(row, style=style), 6)
        lines.append(Text())
    failed = sum(not t.passed for t in tests)
    lines.append(Text(tally(tests), style=SEVERITY_STYLE["error"] if failed else "bold green"))
    wrapped(Text(coverage_line(coverage), style="yellow" if coverage.uncovered else "green"), 0)
    return emit(list(lines), width, color)


def _json(tests: list[TestOutcome], coverage: Coverage) -> str:
    failed = sum(not o.passed for o in tests)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tests": [
            {
                "name": o.name,
                "kind": o.kind,
                "file": o.file,
                "line": o.line,
                "passed": o.passed,
                "message": o.message,
                "diff": o.diff,
                "rule": o.rule,
                "seconds": round(o.seconds, 3),
            }
            for o in tests
        ],
        "summary": {
            "tests": len(tests),
            "passed": len(tests) - failed,
            "failed": failed,
            "seconds": round(sum(o.seconds for o in tests), 3),
        },
        "coverage": {
            "rules": len(coverage.rules),
            "covered": list(coverage.covered),
            "uncovered": list(coverage.uncovered),
            "percent": round(coverage.percent, 2),
            "fired_by": {r: sorted(coverage.fired_by.get(r, ())) for r in coverage.rules},
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _github(tests: list[TestOutcome]) -> str:
    lines = [
        command(
            "error",
            "\n".join(part for part in (o.message or f"{o.kind} failed", o.diff) if part),
            file=o.file.replace("\\", "/"),
            line=o.line,
            title=f"{o.kind} {o.name} failed",
        )
        for o in tests
        if not o.passed
    ]
    return "".join(line + "\n" for line in lines)
