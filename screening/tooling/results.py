"""What `screening test` produces: one outcome per rule example or test case, and rule coverage.

Plain records, so the report formats (``screening.report.tests``, ``screening.report.junit``) can be
pure functions of them.
"""

from __future__ import annotations

from typing import NamedTuple


class TestOutcome(NamedTuple):
    """The result of running one rule example or one test case."""

    name: str  # e.g. "SI-003 fires[0]" or "alibaba-liege"
    kind: str  # "example" or "case"
    file: str  # where the test is written
    line: int | None
    passed: bool
    message: str = ""  # why it failed ("" when passed)
    diff: str = ""  # expected vs actual, a unified-diff-like text ("" when passed)
    rule: str | None = None  # the rule an example belongs to
    seconds: float = 0.0


class Coverage(NamedTuple):
    """Which rules of the pack some test made fire."""

    rules: tuple[str, ...]  # every rule id of the pack
    fired_by: dict[str, tuple[str, ...]]  # rule id -> names of tests that made it fire

    @property
    def covered(self) -> tuple[str, ...]:
        """Rules that at least one test made fire, in pack order."""
        return tuple(r for r in self.rules if self.fired_by.get(r))

    @property
    def uncovered(self) -> tuple[str, ...]:
        """Rules that no test made fire, in pack order."""
        return tuple(r for r in self.rules if not self.fired_by.get(r))

    @property
    def percent(self) -> float:
        """Share of the rules covered, 0-100; 100.0 when there are no rules."""
        if not self.rules:
            return 100.0
        return 100.0 * len(self.covered) / len(self.rules)


class TestRun(NamedTuple):
    """What `screening test` found for one pack: every outcome, the rule coverage, and the suite's name."""

    outcomes: tuple[TestOutcome, ...]
    coverage: Coverage
    suite: str = "screening"
    """The name JUnit reports the tests under (the pack's name and version)."""


# records, not test classes: keeps pytest from trying to collect them where tests import them
TestOutcome.__test__ = False  # type: ignore[attr-defined]
TestRun.__test__ = False  # type: ignore[attr-defined]
