"""JUnit XML for `screening test`, in the dialect Jenkins, GitLab and GitHub test reporters read.

::

    <testsuites name tests failures errors skipped time>
      <testsuite name tests failures errors skipped time>
        <properties><property name="coverage.percent" value="96.7"/>...</properties>
        <testcase classname name file line time>
          <failure message type>message and diff</failure>
        </testcase>
      </testsuite>
    </testsuites>

Test cases are ordered by file, line and name, so the same outcomes always give the same bytes. Text that
XML 1.0 cannot carry (control characters, lone surrogates) is written as visible escapes such as ``\\x1b``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from screening.report.outcomes import ordered, percent
from screening.tooling.results import Coverage, TestOutcome

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(s: str) -> str:
    """``s`` with line ends made ``\\n`` and every character XML 1.0 forbids shown as an escape."""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", s)


def classname(suite: str, o: TestOutcome) -> str:
    """Where a reporter groups the test: ``screening-default.examples.SI-003`` or ``screening-default.cases``.

    Reporters read the dots of a classname as packages, so the suite's name (a pack name and its version,
    ``screening-default 2026.11.0``) gives only its name here; the version stays in the suite's name."""
    base = re.sub(r"[.\s]+", "_", suite.split(" ", 1)[0]) or "screening"
    if o.kind == "example":
        return f"{base}.examples.{o.rule}" if o.rule else f"{base}.examples"
    return f"{base}.{o.kind}s"


def _seconds(x: float) -> str:
    return f"{max(0.0, x):.3f}"


def render(outcomes: list[TestOutcome], suite: str, coverage: Coverage) -> str:
    tests = ordered(outcomes)
    failures = sum(not o.passed for o in tests)
    total = _seconds(sum(o.seconds for o in tests))
    counts = {"tests": str(len(tests)), "failures": str(failures), "errors": "0", "skipped": "0", "time": total}
    root = ET.Element("testsuites", {"name": xml_text(suite), **counts})
    node = ET.SubElement(root, "testsuite", {"name": xml_text(suite), **counts})
    props = ET.SubElement(node, "properties")
    for name, value in (
        ("coverage.rules", str(len(coverage.rules))),
        ("coverage.covered", str(len(coverage.covered))),
        ("coverage.percent", percent(coverage)),
        ("coverage.uncovered", ",".join(coverage.uncovered)),
    ):
        ET.SubElement(props, "property", {"name": name, "value": xml_text(value)})
    for o in tests:
        attrs = {"classname": xml_text(classname(suite, o)), "name": xml_text(o.name), "file": xml_text(o.file)}
        if o.line is not None:
            attrs["line"] = str(o.line)
        attrs["time"] = _seconds(o.seconds)
        case = ET.SubElement(node, "testcase", attrs)
        if not o.passed:
            message = o.message or f"{o.kind} failed"
            failure = ET.SubElement(
                case, "failure", {"message": xml_text(message).split("\n", 1)[0], "type": f"{o.kind}-failed"}
            )
            failure.text = xml_text("\n\n".join(part for part in (message, o.diff) if part))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
