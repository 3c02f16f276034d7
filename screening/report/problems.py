"""Formats for problems found by `screening check`: text for people, JSON, GitHub annotations and SARIF.

Pure functions: problems in, text out. Every format lists the problems in one order (file, line, column,
code, message), so the same problems always give the same bytes.

JSON (``schema_version`` 1.0)::

    {"schema_version": "1.0",
     "problems": [{"file", "line", "column", "severity", "code", "name", "rule", "message", "path"}],
     "summary": {"errors": n, "warnings": n, "files": n}}

``line`` and ``column`` are 1-based or null, ``rule`` is a rule id or null, ``path`` is the key path
inside the document (a list of strings), ``files`` counts the files checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from screening import __version__
from screening.infra.errors import CODES, Problem
from screening.infra.text import plural, visible

if TYPE_CHECKING:
    from screening.report import Options
    from screening.tooling.check import CheckResult

FORMATS = ("text", "json", "github", "sarif")
SCHEMA_VERSION = "1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

DESCRIPTIONS = {
    "E001": "A file or pack directory is missing or unreadable.",
    "E002": "A file is not UTF-8.",
    "E003": "A path named by a rule pack or its tests leads outside the pack or the root; it is not read.",
    "E100": "The YAML does not parse.",
    "E101": "A mapping repeats a key.",
    "E102": "A tab where YAML needs spaces.",
    "E103": "A value of the wrong type.",
    "E104": "A field the format does not know.",
    "E105": "A required field is absent.",
    "E106": "A value outside its allowed set or range, or of the wrong form.",
    "E107": "Not an ISO 3166-1 alpha-2 country code.",
    "E108": "An id that resolves to nothing.",
    "E109": "Two entities, sources, rules or cases share an id.",
    "E110": "A YAML tag: files hold plain data only.",
    "E111": "Alias expansion or nesting beyond the limits.",
    "E114": "A field given under its old and its new name with different values.",
    "E201": "A condition names a fact not in the catalogue.",
    "E202": "An unknown operator, or one that does not apply to the fact's type.",
    "E203": "A matches pattern that does not compile.",
    "E204": "A malformed condition tree.",
    "W301": "A rule has no examples.",
    "W302": "A rule cites no legal basis.",
    "W303": "A rule never fires.",
    "W304": "A rule is shadowed by another.",
    "W305": "A rule's rationale is too short.",
    "W335": "A filing trigger is not checked against the text of the law (secondary or unverified).",
    "W336": "A filing trigger's verified status names no source.",
    "E310": "A waiver has expired.",
    "W311": "A waiver expires soon.",
    "W312": "A waiver matches nothing.",
    "E313": "A waiver is granted after the day judged.",
    "W330": "An inline suppression names no code or gives no reason.",
    "W331": "An inline suppression hides nothing, or names no known code.",
    "W380": "A case field under its old name (read as the new one).",
    "W381": "A case source differs from the registry source of that id, which pulled-in records cite.",
    "W382": "A record of a case that a report may cite as evidence is backed by no source.",
    "E401": "An output cannot be written.",
    "E402": "The output is one of the command's inputs.",
    "E403": "Another batch run holds the results file.",
    "E404": "The process screening a case died.",
    "E405": "A case of a batch took longer than the time limit per case.",
}
"""One sentence per code, for SARIF rule descriptors (the README has the full table)."""


def render(
    problems: list[Problem],
    fmt: str,
    *,
    width: int = 100,
    color: bool = False,
    checked: Sequence[str] = (),
    help_uri: str = "",
) -> str:
    """Render ``problems`` in format ``fmt`` (one of FORMATS); ``checked`` names every file checked; ``help_uri``
    (a pack's, ``{code}`` standing for the code) gives SARIF's ``helpUri`` of each code (none when empty: the
    ``help`` text is always there)."""
    ordered = sorted(problems, key=order)
    files = sorted(set(checked) | {p.file for p in problems})
    if fmt == "text":
        return _text(ordered, len(files), width, color)
    if fmt == "json":
        return _json(ordered, len(files))
    if fmt == "github":
        return _github(ordered)
    if fmt == "sarif":
        return _sarif(ordered, files, help_uri)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def report(result: CheckResult, fmt: str, options: Options) -> str:
    """What `screening check` found, in format ``fmt``: the renderer screening.report.render calls."""
    return render(
        result.problems, fmt, width=options.width, color=options.color, checked=result.files, help_uri=result.help_uri
    )


def order(p: Problem) -> tuple[Any, ...]:
    """Sort key: by file, then position (problems of the whole file first), then code and message."""
    return (p.file, p.line is not None, p.line or 0, p.column or 0, p.code, p.rule or "", p.message, p.path)


def counts(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    severities = [p.severity for p in problems]
    warnings = severities.count("warning")
    return len(severities) - warnings, warnings


def summary(errors: int, warnings: int, files: int) -> str:
    """``2 errors, 3 warnings in 14 files`` / ``no problems in 14 files``."""
    parts = [plural(errors, "error")] if errors else []
    parts += [plural(warnings, "warning")] if warnings else []
    return f"{', '.join(parts) or 'no problems'} in {plural(files, 'file')}"


def with_rule(p: Problem) -> str:
    """The message, led by the rule id when there is one (as in the one-line form)."""
    return f"{p.rule}: {p.message}" if p.rule else p.message


# --- text -------------------------------------------------------------------------------------------------

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}


def _text(problems: list[Problem], files: int, width: int, color: bool) -> str:
    """One problem a line, ``file:line:col: severity: RULE: message [CODE name]``, as compilers and linters
    write them (editors and terminals jump to the place), then the summary. Lines are never wrapped."""
    from rich.text import Text as RichText

    from screening.report.lines import console as make_console
    from screening.report.lines import emit

    console = make_console(width, color)
    lines: list[RichText] = []
    for p in problems:
        line = str(p)
        where, _, rest = line.partition(f": {p.severity}: ")
        text = RichText(where, style="bold")
        text.append(": ")
        text.append(p.severity, style=SEVERITY_STYLE.get(p.severity, "bold"))
        text.append(": " + rest)
        lines.append(text)
    errors, warnings = counts(problems)
    style = "bold red" if errors else "bold yellow" if warnings else "bold green"
    lines.append(RichText(summary(errors, warnings, files), style=style))
    return emit(console, lines, color)


def _json(problems: list[Problem], files: int) -> str:
    errors, warnings = counts(problems)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "severity": p.severity,
                "code": p.code,
                "name": p.name,
                "rule": p.rule,
                "message": p.message,
                "path": list(p.path),
            }
            for p in problems
        ],
        "summary": {"errors": errors, "warnings": warnings, "files": files},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- github -----------------------------------------------------------------------------------------------


def escape_data(s: str) -> str:
    """Escape the message of a GitHub Actions workflow command."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """Escape a property value (``file=...``) of a GitHub Actions workflow command."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: object) -> str:
    """One workflow command: ``::level k=v,k=v::message``; properties that are None are left out. A CI log is
    a terminal too: what an input holds that a terminal would obey (a file name's escape sequence) is escaped."""
    props = ",".join(f"{k}={escape_property(_shown(str(v)))}" for k, v in properties.items() if v is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(_shown(message))}"


def _shown(text: str) -> str:
    """``visible``, but a carriage return left to the workflow command's own escape (%0D)."""
    return "\r".join(visible(part) for part in text.split("\r"))


def _github(problems: list[Problem]) -> str:
    lines = [
        command(
            "warning" if p.severity == "warning" else "error",
            with_rule(p),
            file=_slashes(p.file),
            line=p.line,
            col=p.column if p.line is not None else None,
            title=f"{p.code} {p.name}",
        )
        for p in problems
    ]
    return "".join(line + "\n" for line in lines)


def _slashes(path: str) -> str:
    return path.replace("\\", "/")


# --- sarif ------------------------------------------------------------------------------------------------


def artifact_location(file: str) -> dict[str, str]:
    """SARIF artifactLocation of a file: a URI relative to %SRCROOT%, or a file: URI when absolute."""
    from pathlib import PurePosixPath, PureWindowsPath
    from urllib.parse import quote

    path = _slashes(file)
    if path.startswith("/"):
        return {"uri": "file://" + quote(_name_bytes(str(PurePosixPath(path))), safe="/")}
    if PureWindowsPath(path).is_absolute():
        return {"uri": PureWindowsPath(path).as_uri()}
    while path.startswith("./"):
        path = path[2:]
    return {"uri": quote(_name_bytes(path), safe="/"), "uriBaseId": SRCROOT}


def _name_bytes(path: str) -> bytes:
    """A file name as the bytes the system knows it by: a name that is not UTF-8 (read as lone surrogates,
    ``\\udcff``) is its own bytes again, percent-escaped in the URI rather than failing to encode."""
    import os

    try:
        return os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate no file name decodes to: kept visible, never an internal error
        return path.encode("utf-8", "surrogatepass")


def _level(code: str) -> str:
    return "warning" if code.startswith("W") else "error"


def fingerprint(p: Problem) -> str:
    """A problem's identity across runs, for code scanning to tell a new alert from an old one that moved: its
    file, code, rule and key path, and its message with line numbers left out (``first defined on line 7``)."""
    import hashlib
    import re

    message = re.sub(r"\bline \d+", "line N", p.message)
    text = "\x00".join((_slashes(p.file), p.code, p.rule or "", ".".join(p.path), message))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _sarif(problems: list[Problem], files: list[str], help_uri: str = "") -> str:
    codes = sorted({p.code for p in problems})
    rule_index = {code: i for i, code in enumerate(codes)}
    file_index = {f: i for i, f in enumerate(files)}
    located = {f: artifact_location(f) for f in files}
    rules = [
        {
            "id": code,
            "name": CODES.get(code, "problem"),
            "shortDescription": {
                "text": DESCRIPTIONS.get(code) or CODES.get(code, code).replace("-", " ").capitalize()
            },
            **({"helpUri": help_uri.replace("{code}", code)} if help_uri else {}),
            "help": {"text": f"{code} {CODES.get(code, 'problem')}: {DESCRIPTIONS.get(code, 'see the table')}"},
            "defaultConfiguration": {"level": _level(code)},
        }
        for code in codes
    ]
    results = []
    for p in problems:
        physical: dict[str, Any] = {"artifactLocation": {**located[p.file], "index": file_index[p.file]}}
        if p.line is not None:
            physical["region"] = {
                "startLine": max(1, p.line),
                **({"startColumn": max(1, p.column)} if p.column is not None else {}),
            }
        location: dict[str, Any] = {"physicalLocation": physical}
        if p.path:
            location["logicalLocations"] = [{"fullyQualifiedName": ".".join(p.path), "kind": "element"}]
        result: dict[str, Any] = {
            "ruleId": p.code,
            "ruleIndex": rule_index[p.code],
            "level": "warning" if p.severity == "warning" else "error",
            "message": {"text": with_rule(p)},
            "locations": [location],
            "partialFingerprints": {"screening/v1": fingerprint(p)},
        }
        if p.rule:
            result["properties"] = {"rule": p.rule}
        results.append(result)
    run = {
        "tool": {"driver": {"name": "screening", "version": __version__, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "artifacts": [{"location": located[f], "roles": ["analysisTarget"]} for f in files],
        "results": results,
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
