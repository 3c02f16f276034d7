"""Problems found in inputs, located by file, line, column and key path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from screening.infra.text import printable

# Stable problem codes: documented in the README; never reused for another meaning.
CODES = {
    "E001": "file-not-found",
    "E002": "bad-encoding",
    "E003": "outside-root",
    "E100": "yaml-syntax",
    "E101": "duplicate-key",
    "E102": "tab-indent",
    "E103": "wrong-type",
    "E104": "unknown-field",
    "E105": "missing-field",
    "E106": "bad-value",
    "E107": "unknown-country",
    "E108": "unknown-reference",
    "E109": "duplicate-id",
    "E110": "unsupported-tag",
    "E111": "too-large",
    "E113": "dates-reversed",
    "E114": "conflicting-names",
    "E201": "unknown-fact",
    "E202": "bad-operator",
    "E203": "bad-regex",
    "E204": "bad-condition",
    "W301": "no-examples",
    "W302": "no-legal-basis",
    "W303": "never-fires",
    "W304": "shadowed",
    "W305": "short-rationale",
    "W306": "unused-relation",
    "W335": "trigger-not-primary",
    "W336": "trigger-status-unsourced",
    "E310": "waiver-expired",
    "W311": "waiver-expiring",
    "W312": "waiver-unmatched",
    "E313": "waiver-not-yet-granted",
    "W330": "suppression-without-reason",
    "W331": "unused-suppression",
    "E401": "cannot-write",
    "E402": "output-is-input",
    "E403": "results-locked",
    "E404": "worker-lost",
    "E405": "time-limit",
    "E406": "no-outcome",
    "E410": "unmapped-value",
    "E411": "no-rate",
    "E412": "bad-rates",
    "E415": "trigger-timing",
    "W345": "value-defaulted",
    "W370": "index-rebuilt",
    "W371": "unknown-list-country",
    "W380": "deprecated-name",
    "W381": "source-overridden",
    "W382": "unsourced",
}


class Problem(NamedTuple):
    """One located problem in an input file."""

    file: str
    line: int | None
    column: int | None
    code: str
    message: str
    path: tuple[str, ...] = ()
    """Key path inside the document, e.g. ('entities', '2', 'country')."""
    severity: str = "error"
    """``error`` or ``warning`` (lints)."""
    rule: str | None = None
    """The rule the problem belongs to, when there is one."""

    @property
    def name(self) -> str:
        """Readable name of the problem code (``unknown-field``)."""
        return CODES.get(self.code, "problem")

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        rule = f"{self.rule}: " if self.rule else ""
        return printable(f"{where}: {self.severity}: {rule}{self.message} [{self.code} {self.name}]")


class ScreeningError(Exception):
    """Input that cannot be used; carries every problem found, each located."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        problems = list(dict.fromkeys(problems))  # a problem met twice (a bad setting, read per file) is one
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))


Marks = dict[tuple[str, ...], tuple[int, int]]
"""Key path -> (line, column), both 1-based, for every node of a document."""


def located(
    name: str,
    marks: Marks,
    path: tuple[str, ...],
    code: str,
    message: str,
    severity: str = "error",
    rule: str | None = None,
) -> Problem:
    """A problem at ``path`` of document ``name``, placed at the nearest marked node."""
    probe = path
    while probe and probe not in marks:
        probe = probe[:-1]
    line, column = marks.get(probe, (None, None))
    where = ".".join(path)
    return Problem(name, line, column, code, f"{where}: {message}" if where else message, path, severity, rule)


MAX_HINTS = 20
"""Did-you-mean hints given for one file's unknown references; past these, a reference gets none."""


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word``, for did-you-mean hints; None when nothing is close.

    Likeness is rapidfuzz's normalised Indel similarity (twice the longest common subsequence over
    the two lengths, as difflib's ratio but exact), computed in C over the whole list at once:
    thousands of choices cost a millisecond, not a second. Ties go to the choice that sorts last, as
    with difflib.get_close_matches, so a hint does not depend on the order of the choices.
    """
    from rapidfuzz import fuzz, process  # only on the error path: keeps it off start-up

    names = [c for c in choices if isinstance(c, str)]
    found = process.extract(word, names, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=None)
    return max(found, key=lambda m: (m[1], m[0]))[0] if found else None


class Hints:
    """Did-you-mean hints for one file's unknown references to one set of names.

    A file can hold thousands of unknown references (a registry exported with other ids): hints stop
    after ``limit`` of them, so the error report costs no more than the file's reading.
    """

    def __init__(self, choices: Iterable[str], limit: int = MAX_HINTS, cutoff: float = 0.6):
        self.choices = choices
        self.names: list[str] | None = None  # listed at the first hint: most files need none
        self.left, self.cutoff = limit, cutoff

    def __call__(self, word: str) -> str | None:
        if self.left <= 0:
            return None
        self.left -= 1
        if self.names is None:
            self.names = [c for c in self.choices if isinstance(c, str)]
        return closest(word, self.names, self.cutoff)


def fail(
    file: str, code: str, message: str, line: int | None = None, column: int | None = None, path: tuple[str, ...] = ()
) -> ScreeningError:
    """Build a one-problem error, ready to raise."""
    return ScreeningError([Problem(file, line, column, code, message, path)])
