"""What the text, JSON and JUnit forms of `screening test` share: the order of outcomes, the coverage figure."""

from __future__ import annotations

from collections.abc import Iterable

from screening.tooling.results import Coverage, TestOutcome


def ordered(outcomes: Iterable[TestOutcome]) -> list[TestOutcome]:
    """Outcomes in report order: by file, then line, then name."""
    return sorted(outcomes, key=lambda o: (o.file, o.line or 0, o.name, o.kind))


def percent(coverage: Coverage) -> str:
    """Coverage to one decimal, never shown as 100.0 while a rule is uncovered."""
    pct = round(coverage.percent, 1)
    if coverage.uncovered and pct >= 100.0:
        pct = 99.9
    return f"{pct:.1f}"
