"""Problems found in inputs, located by file, line, column and key path."""

from __future__ import annotations

from typing import NamedTuple

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
    "E201": "unknown-fact",
    "E202": "bad-operator",
    "E203": "bad-regex",
    "E204": "bad-condition",
    "W301": "no-examples",
    "W302": "no-legal-basis",
    "W303": "never-fires",
    "W304": "shadowed",
    "W305": "short-rationale",
    "E310": "waiver-expired",
    "W311": "waiver-expiring",
    "W312": "waiver-unmatched",
    "E313": "waiver-not-yet-granted",
    "E401": "cannot-write",
    "E402": "output-is-input",
    "E403": "results-locked",
    "E404": "worker-lost",
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


def located(name: str, marks: Marks, path: tuple[str, ...], code: str, message: str,
            severity: str = "error", rule: str | None = None) -> Problem:
    """A problem at ``path`` of document ``name``, placed at the nearest marked node."""
    probe = path
    while probe and probe not in marks:
        probe = probe[:-1]
    line, column = marks.get(probe, (None, None))
    where = ".".join(path)
    return Problem(name, line, column, code, f"{where}: {message}" if where else message, path, severity, rule)


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7f, 0xa0)]} | {
    0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def printable(text: str) -> str:
    """``text`` on one line with control characters written as escapes, safe to print on a terminal."""
    return text.translate(_CONTROL)


def closest(word: str, choices: object, cutoff: float = 0.6) -> str | None:
    """The choice most like ``word``, for did-you-mean hints; None when nothing is close."""
    import difflib  # only on the error path: keeps it off start-up

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)  # type: ignore[call-overload]
    return match[0] if match else None


def fail(file: str, code: str, message: str, line: int | None = None,
         column: int | None = None, path: tuple[str, ...] = ()) -> ScreeningError:
    """Build a one-problem error, ready to raise."""
    return ScreeningError([Problem(file, line, column, code, message, path)])
