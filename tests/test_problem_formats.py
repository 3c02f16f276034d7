"""Output formats of `screening check` (problems) and `screening test` (outcomes, coverage).

The SARIF output is validated offline against the official SARIF 2.1.0 schema in tests/data.
"""

from __future__ import annotations

import json
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from jsonschema import Draft7Validator

from screening import __version__
from screening.infra.errors import CODES, Problem
from screening.report import junit
from screening.report.problems import FORMATS, artifact_location, escape_data, escape_property, order, render
from screening.report.tests import FORMATS as TEST_FORMATS
from screening.report.tests import coverage_line, percent, render_tests
from screening.tooling.results import Coverage, TestOutcome
from tests.conftest import ROOT

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

ZH_FILE = "cases/华为-安特卫普.yaml"
PROBLEMS = [
    Problem(
        "rules/pack.yaml",
        12,
        5,
        "E104",
        "rules.3.when: unknown field 'fcat': did you mean 'fact'?",
        ("rules", "3", "when"),
        "error",
        "SI-003",
    ),
    Problem("rules/pack.yaml", 30, None, "W302", "rules.9: no legal basis", ("rules", "9"), "warning", "SI-010"),
    Problem("rules/pack.yaml", None, None, "W301", "no examples", (), "warning", "SI-009"),
    Problem(
        ZH_FILE,
        3,
        7,
        "E106",
        "ownership.0.equity_pct: 120% is over 100%, see: notes, a:b\nfix the stake held by 华为技术有限公司",
        ("ownership", "0", "equity_pct"),
        "error",
    ),
    Problem(
        "cases/aramco.yaml",
        8,
        14,
        "E107",
        "entities.1.country: 'KSA' is not a country code (المملكة العربية السعودية): did you mean 'SA'?",
        ("entities", "1", "country"),
    ),
    Problem("cases/aramco.yaml", 2, 1, "E104", "nmae: unknown field \x1b[31mred\x1b[0m", ("nmae",)),
    Problem(
        "waivers/2026.yaml",
        4,
        3,
        "E310",
        "waiver expired on 2026-01-31\r\nrenew it or remove it",
        ("waivers", "0"),
        "error",
        "SI-012",
    ),
    Problem("waivers/2026.yaml", 9, 3, "W311", "waiver expires in 5 days", ("waivers", "1"), "warning", "SI-014"),
]
CHECKED = [
    "rules/pack.yaml",
    "rules/scoring.yaml",
    ZH_FILE,
    "cases/aramco.yaml",
    "cases/clean.yaml",
    "waivers/2026.yaml",
]


@pytest.fixture(scope="module")
def sarif_validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def sarif(problems: list[Problem] = PROBLEMS, checked: list[str] = CHECKED, help_uri: str = "") -> dict:
    return json.loads(render(problems, "sarif", checked=checked, help_uri=help_uri))


def assert_valid(validator: Draft7Validator, doc: dict) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


# --- the schema itself ------------------------------------------------------------------------------------


def test_schema_file_is_the_complete_official_draft_07_schema():
    text = SCHEMA.read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["required"] == ["version", "runs"]
    assert {"run", "result", "reportingDescriptor", "physicalLocation", "artifact", "webResponse"} <= set(
        schema["definitions"]
    )
    refs = set(re.findall(r'"\$ref": "#/definitions/([A-Za-z]+)"', text))
    assert refs <= set(schema["definitions"])


def test_schema_rejects_what_sarif_forbids(sarif_validator):
    doc = sarif()
    doc["runs"][0]["results"][0]["level"] = "fatal"
    doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"] = {"startLine": 0}
    del doc["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator.iter_errors(doc))) >= 3


# --- sarif ------------------------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(sarif_validator):
    assert_valid(sarif_validator, sarif())
    assert_valid(sarif_validator, sarif([], CHECKED))
    assert_valid(sarif_validator, sarif([], []))


def test_sarif_content():
    doc = sarif()
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("screening", __version__)
    codes = sorted({p.code for p in PROBLEMS})
    assert [r["id"] for r in driver["rules"]] == codes
    for rule in driver["rules"]:
        assert rule["name"] == CODES[rule["id"]]
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] == ("warning" if rule["id"][0] == "W" else "error")
        assert "helpUri" not in rule  # no pack gave one: no address is made up
        assert rule["help"]["text"].startswith(f"{rule['id']} {rule['name']}: ")

    results = run["results"]
    assert len(results) == len(PROBLEMS)
    by_message = {r["message"]["text"]: r for r in results}
    first = by_message["SI-003: rules.3.when: unknown field 'fcat': did you mean 'fact'?"]
    assert first["ruleId"] == "E104" and first["level"] == "error"
    assert driver["rules"][first["ruleIndex"]]["id"] == "E104"
    assert first["properties"] == {"rule": "SI-003"}
    physical = first["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "rules/pack.yaml"
    assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert physical["region"] == {"startLine": 12, "startColumn": 5}

    no_column = by_message["SI-010: rules.9: no legal basis"]
    assert no_column["level"] == "warning"
    assert no_column["locations"][0]["physicalLocation"]["region"] == {"startLine": 30}
    no_line = by_message["SI-009: no examples"]
    assert "region" not in no_line["locations"][0]["physicalLocation"]
    no_rule = [r for r in results if r["ruleId"] == "E106"][0]
    assert "properties" not in no_rule
    assert "120% is over 100%, see: notes, a:b\nfix the stake held by 华为技术有限公司" in no_rule["message"]["text"]

    artifacts = [a["location"]["uri"] for a in run["artifacts"]]
    assert [unquote(u) for u in artifacts] == sorted(CHECKED)
    for r in results:
        location = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert run["artifacts"][location["index"]]["location"]["uri"] == location["uri"]
        assert location["uri"].isascii() and " " not in location["uri"]


def test_sarif_fingerprints_survive_a_move_and_tell_problems_apart():
    """partialFingerprints let code scanning match an alert across runs: a problem whose line moved keeps its
    fingerprint; two problems differ."""
    prints = [r["partialFingerprints"]["screening/v1"] for r in sarif()["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)
    p = Problem("rules/a.yaml", 8, 5, "E101", "duplicate key 'weight' (first defined on line 7)", ("rules", "0"))
    moved = p._replace(line=18, message="duplicate key 'weight' (first defined on line 17)")
    again = [sarif([q], ["rules/a.yaml"])["runs"][0]["results"][0]["partialFingerprints"] for q in (p, moved)]
    assert again[0] == again[1]
    other = sarif([p._replace(code="E102")], ["rules/a.yaml"])["runs"][0]["results"][0]["partialFingerprints"]
    assert other != again[0]


def test_sarif_uris():
    assert artifact_location("rules/pack.yaml") == {"uri": "rules/pack.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("./cases/a b.yaml") == {"uri": "cases/a%20b.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("cases\\win.yaml") == {"uri": "cases/win.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location(ZH_FILE)["uri"] == "cases/%E5%8D%8E%E4%B8%BA-%E5%AE%89%E7%89%B9%E5%8D%AB%E6%99%AE.yaml"
    assert artifact_location("/srv/pack/rules.yaml") == {"uri": "file:///srv/pack/rules.yaml"}
    assert artifact_location("C:\\pack\\rules.yaml") == {"uri": "file:///C:/pack/rules.yaml"}


@pytest.mark.parametrize(
    "name, uri",
    [
        ("\udcff\udcfe.yaml", {"uri": "%FF%FE.yaml", "uriBaseId": "%SRCROOT%"}),  # a name that is not UTF-8
        ("cases/a\udce9.yaml", {"uri": "cases/a%E9.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/tmp/\udcffx.yaml", {"uri": "file:///tmp/%FFx.yaml"}),
        ("x\ud800.yaml", {"uri": "x%ED%A0%80.yaml", "uriBaseId": "%SRCROOT%"}),  # no file name decodes to it
    ],
)
def test_sarif_uris_of_names_that_are_not_utf8(sarif_validator, name, uri):
    # `screening check` of a missing file named in bytes that are not UTF-8, as SARIF, was an internal error
    assert artifact_location(name) == uri
    assert_valid(sarif_validator, sarif([Problem(name, None, None, "E001", "file not found")], [name]))


def test_sarif_help_uri_is_the_packs_template_with_the_code(sarif_validator):
    doc = sarif(help_uri="https://rules.example.org/docs/problems.html#{code}")
    assert_valid(sarif_validator, doc)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["helpUri"] for r in rules] == [f"https://rules.example.org/docs/problems.html#{r['id']}" for r in rules]
    assert all(r["help"]["text"] for r in rules)


def test_sarif_with_absolute_and_odd_paths_validates(sarif_validator):
    odd = [
        Problem("/srv/pack/rules.yaml", 1, 1, "E100", "bad"),
        Problem("C:\\pack\\r s.yaml", None, None, "E001", "x"),
        Problem("cases/100%#?.yaml", 0, 0, "E999", "unknown code"),
    ]
    doc = sarif(odd, [])
    assert_valid(sarif_validator, doc)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[-1] == {
        "id": "E999",
        "name": "problem",
        "shortDescription": {"text": "E999"},
        "help": {"text": "E999 problem: see the table"},
        "defaultConfiguration": {"level": "error"},
    }


# --- github -----------------------------------------------------------------------------------------------


def test_github_escaping_rules():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_lines_are_exact():
    lines = render(PROBLEMS, "github", checked=CHECKED).splitlines()
    assert lines == [
        "::error file=cases/aramco.yaml,line=2,col=1,title=E104 unknown-field::nmae: unknown field \\x1b[31mred"
        "\\x1b[0m",  # a terminal (a CI log) would obey the control characters: they are shown as escapes
        "::error file=cases/aramco.yaml,line=8,col=14,title=E107 unknown-country::entities.1.country: 'KSA' is not"
        " a country code (المملكة العربية السعودية): did you mean 'SA'?",
        f"::error file={ZH_FILE},line=3,col=7,title=E106 bad-value::ownership.0.equity_pct: 120%25 is over 100%25,"
        " see: notes, a:b%0Afix the stake held by 华为技术有限公司",
        "::warning file=rules/pack.yaml,title=W301 no-examples::SI-009: no examples",
        "::error file=rules/pack.yaml,line=12,col=5,title=E104 unknown-field::SI-003: rules.3.when: unknown field"
        " 'fcat': did you mean 'fact'?",
        "::warning file=rules/pack.yaml,line=30,title=W302 no-legal-basis::SI-010: rules.9: no legal basis",
        "::error file=waivers/2026.yaml,line=4,col=3,title=E310 waiver-expired::SI-012: waiver expired on 2026-01-31"
        "%0D%0Arenew it or remove it",
        "::warning file=waivers/2026.yaml,line=9,col=3,title=W311 waiver-expiring::SI-014: waiver expires in 5 days",
    ]


def test_github_escapes_properties():
    problem = Problem("cases/a,b:c.yaml", 1, 2, "E100", "x")
    assert render([problem], "github") == "::error file=cases/a%2Cb%3Ac.yaml,line=1,col=2,title=E100 yaml-syntax::x\n"
    assert render([], "github") == ""


# --- json -------------------------------------------------------------------------------------------------


def test_json_round_trips():
    text = render(PROBLEMS, "json", checked=CHECKED)
    assert text.endswith("}\n") and '\n  "problems": [' in text
    assert "华为技术有限公司" in text and "المملكة" in text  # not \u-escaped
    doc = json.loads(text)
    assert doc["schema_version"] == "1.0"
    assert doc["summary"] == {"errors": 5, "warnings": 3, "files": 6}
    back = [
        Problem(d["file"], d["line"], d["column"], d["code"], d["message"], tuple(d["path"]), d["severity"], d["rule"])
        for d in doc["problems"]
    ]
    assert back == sorted(PROBLEMS, key=order)
    assert all(d["name"] == CODES[d["code"]] for d in doc["problems"])
    assert list(doc["problems"][0]) == ["file", "line", "column", "severity", "code", "name", "rule", "message", "path"]


# --- text -------------------------------------------------------------------------------------------------


def test_text_without_colour_lists_every_problem_plainly():
    text = render(PROBLEMS, "text", width=100, checked=CHECKED)
    assert "\x1b" not in text
    assert "\\x1b[31mred\\x1b[0m" in text  # control characters in messages are shown, not obeyed
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) == len(PROBLEMS) + 1  # one problem a line, then the summary
    for p in PROBLEMS:
        assert f"{p.code} {p.name}" in text
        assert str(p) in lines
        if p.rule:
            assert f": {p.rule}: " in text
    assert text.endswith("\n5 errors, 3 warnings in 6 files\n")


def test_text_is_file_line_column_severity_message_code():
    """The form of compilers and linters, which editors and terminals jump to: never wrapped."""
    text = render(PROBLEMS, "text", width=60, checked=CHECKED)
    form = re.compile(r"^[^:]+(:\d+(:\d+)?)?: (error|warning): .* \[[EW]\d{3} [a-z-]+\]$")
    for line in text.splitlines()[:-1]:
        assert form.match(line), line
    assert all(line == line.rstrip() for line in text.splitlines())


def test_text_colour_only_adds_styles():
    plain = render(PROBLEMS, "text", width=90, checked=CHECKED)
    coloured = render(PROBLEMS, "text", width=90, color=True, checked=CHECKED)
    assert "\x1b[" in coloured
    assert "\n".join(line.rstrip() for line in ANSI.sub("", coloured).split("\n")) == plain


def test_text_summaries():
    assert render([], "text", checked=CHECKED) == "no problems in 6 files\n"
    assert render(PROBLEMS[:1], "text", checked=["rules/pack.yaml"]).endswith("\n1 error in 1 file\n")
    assert render(PROBLEMS[1:3], "text").endswith("\n2 warnings in 1 file\n")


# --- all formats ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(fmt):
    shuffled = PROBLEMS[:]
    random.Random(7).shuffle(shuffled)
    first = render(PROBLEMS, fmt, checked=CHECKED)
    assert render(shuffled, fmt, checked=list(reversed(CHECKED))) == first
    assert render(PROBLEMS, fmt, checked=CHECKED) == first


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(PROBLEMS, "xml")
    with pytest.raises(ValueError, match="unknown format 'sarif'"):
        render_tests([], Coverage((), {}), "sarif")


# --- test outcomes ----------------------------------------------------------------------------------------

OUTCOMES = [
    TestOutcome("SI-003 fires[0]", "example", "rules/pack.yaml", 40, True, rule="SI-003", seconds=0.0012),
    TestOutcome(
        "SI-003 quiet[1]",
        "example",
        "rules/pack.yaml",
        40,
        False,
        "expected SI-003 to stay quiet; it fired",
        "- quiet\n+ fired",
        "SI-003",
        0.002,
    ),
    TestOutcome(
        "alibaba-liege",
        "case",
        "rules/tests/cases.yaml",
        3,
        False,
        "2 expectations not met",
        "- level: high\n+ level: medium\n- score: 50 to 70\n+ score: 42",
        None,
        0.01,
    ),
    TestOutcome("华为-安特卫普", "case", "rules/tests/cases.yaml", 9, True, seconds=0.01),
    TestOutcome(
        "ctrl\x1b\x00\x0b-case",
        "case",
        "rules/tests/odd.yaml",
        None,
        False,
        "bad <value> & \x07bell\r\nin المملكة",
        "- a\x0c\n+ b",
        None,
        0.0,
    ),
]
COVERAGE = Coverage(
    ("SI-001", "SI-002", "SI-003", "SI-004"),
    {"SI-003": ("SI-003 fires[0]", "alibaba-liege"), "SI-001": ("alibaba-liege",), "SI-004": ()},
)


def test_coverage():
    assert COVERAGE.covered == ("SI-001", "SI-003")
    assert COVERAGE.uncovered == ("SI-002", "SI-004")
    assert COVERAGE.percent == 50.0
    assert Coverage((), {}).percent == 100.0
    nearly = Coverage(tuple(f"R{i}" for i in range(2000)), {f"R{i}": ("t",) for i in range(1999)})
    assert percent(nearly) == "99.9"
    assert coverage_line(COVERAGE) == "2/4 rules (50.0%) made to fire by a test; not covered: SI-002, SI-004"
    assert coverage_line(Coverage(("A",), {"A": ("t",)})) == "1/1 rules (100.0%) made to fire by a test"


def test_junit_parses_with_counts_and_failures():
    xml = junit.render(OUTCOMES, "default", COVERAGE)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    for node in (root, suite):
        assert node.get("name") == "default"
        assert (node.get("tests"), node.get("failures"), node.get("errors"), node.get("skipped")) == (
            "5",
            "3",
            "0",
            "0",
        )
        assert node.get("time") == "0.023"
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {
        "coverage.rules": "4",
        "coverage.covered": "2",
        "coverage.percent": "50.0",
        "coverage.uncovered": "SI-002,SI-004",
    }
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "SI-003 fires[0]",
        "SI-003 quiet[1]",
        "alibaba-liege",
        "华为-安特卫普",
        "ctrl\\x1b\\x00\\x0b-case",
    ]
    assert [c.get("classname") for c in cases[:3]] == [
        "default.examples.SI-003",
        "default.examples.SI-003",
        "default.cases",
    ]
    assert (cases[2].get("file"), cases[2].get("line"), cases[2].get("time")) == (
        "rules/tests/cases.yaml",
        "3",
        "0.010",
    )
    assert cases[4].get("line") is None
    assert cases[0].find("failure") is None and cases[3].find("failure") is None
    failure = cases[2].find("failure")
    assert failure.get("message") == "2 expectations not met"
    assert failure.get("type") == "case-failed"
    assert failure.text == "2 expectations not met\n\n- level: high\n+ level: medium\n- score: 50 to 70\n+ score: 42"
    odd = cases[4].find("failure")
    assert odd.get("message") == "bad <value> & \\x07bell"
    assert odd.text == "bad <value> & \\x07bell\nin المملكة\n\n- a\\x0c\n+ b"


def test_junit_is_deterministic():
    shuffled = OUTCOMES[:]
    random.Random(3).shuffle(shuffled)
    assert junit.render(shuffled, "default", COVERAGE) == junit.render(OUTCOMES, "default", COVERAGE)


def test_tests_text():
    text = render_tests(OUTCOMES, COVERAGE, "text", width=80)
    assert "\x1b" not in text and "\x00" not in text
    lines = text.splitlines()
    assert lines[-2:] == ["2 passed, 3 failed", "2/4 rules (50.0%) made to fire by a test; not covered: SI-002, SI-004"]
    fails = [i for i, line in enumerate(lines) if line.startswith("FAIL  ")]
    assert len(fails) == 3 and max(fails) < len(lines) - 2
    assert "FAIL  alibaba-liege  rules/tests/cases.yaml:3" in lines
    start = lines.index("FAIL  alibaba-liege  rules/tests/cases.yaml:3")
    assert lines[start + 1 : start + 6] == [
        "      2 expectations not met",
        "      - level: high",
        "      + level: medium",
        "      - score: 50 to 70",
        "      + score: 42",
    ]
    assert "华为-安特卫普" not in text  # passing tests are only counted
    coloured = render_tests(OUTCOMES, COVERAGE, "text", width=80, color=True)
    assert "\x1b[" in coloured
    assert "\n".join(line.rstrip() for line in ANSI.sub("", coloured).split("\n")) == text


def test_tests_json_round_trips():
    doc = json.loads(render_tests(OUTCOMES, COVERAGE, "json"))
    assert doc["schema_version"] == "1.0"
    assert doc["summary"] == {"tests": 5, "passed": 2, "failed": 3, "seconds": 0.023}
    assert doc["coverage"] == {
        "rules": 4,
        "covered": ["SI-001", "SI-003"],
        "uncovered": ["SI-002", "SI-004"],
        "percent": 50.0,
        "fired_by": {
            "SI-001": ["alibaba-liege"],
            "SI-002": [],
            "SI-003": ["SI-003 fires[0]", "alibaba-liege"],
            "SI-004": [],
        },
    }
    back = [TestOutcome(**t) for t in doc["tests"]]
    assert sorted(o._replace(seconds=round(o.seconds, 3)) for o in OUTCOMES) == sorted(back)


def test_tests_github_lines_are_exact():
    assert render_tests(OUTCOMES, COVERAGE, "github").split("\n") == [  # not splitlines: \x0b and \x0c are data
        "::error file=rules/pack.yaml,line=40,title=example SI-003 quiet[1] failed::expected SI-003 to stay quiet;"
        " it fired%0A- quiet%0A+ fired",
        "::error file=rules/tests/cases.yaml,line=3,title=case alibaba-liege failed::2 expectations not met"
        "%0A- level: high%0A+ level: medium%0A- score: 50 to 70%0A+ score: 42",
        "::error file=rules/tests/odd.yaml,title=case ctrl\\x1b\\x00\\x0b-case failed::bad <value> & \\x07bell%0D%0Ain"
        " المملكة%0A- a\\x0c%0A+ b",
        "",
    ]


@pytest.mark.parametrize("fmt", TEST_FORMATS)
def test_tests_formats_are_deterministic(fmt):
    shuffled = OUTCOMES[:]
    random.Random(5).shuffle(shuffled)
    assert render_tests(shuffled, COVERAGE, fmt) == render_tests(OUTCOMES, COVERAGE, fmt)


def test_tests_junit_is_the_junit_module():
    assert render_tests(OUTCOMES, COVERAGE, "junit", suite="pack") == junit.render(OUTCOMES, "pack", COVERAGE)


def test_the_readme_lists_every_problem_code_and_no_other():
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme[readme.index("## Problem codes") :]
    listed = dict(re.findall(r"^\| ([EW]\d{3}) \| ([a-z-]+) \|", table, re.M))
    assert listed == CODES
