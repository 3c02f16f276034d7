"""The Markdown report: well-formed tables, escaping of hostile text, ordering, explanation and waivers.

The golden files for every example case (and all of them together) are checked in tests/test_reports.py.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.pack.waivers import index, load_waivers
from screening.report import Options, render
from screening.report.markdown import esc, link, pct
from tests.conftest import CASES, ROOT

DELIMITER = re.compile(r"^\|( *:?-{3,}:? *\|)+$")
HOSTILE = "Bad | title <script>alert(1)</script>\nsecond line 中文标题 عنوان عربي *x* [y](javascript:alert(1)) a\\b #"


@pytest.fixture(scope="module")
def everything():
    return screen_files([ROOT / "cases" / c.name for c in CASES])


@pytest.fixture(scope="module")
def alibaba():
    return screen_files([ROOT / "cases/alibaba-liege.yaml"])


def cells(row: str) -> list[str]:
    """The cells of a table row, split on the pipes that are not escaped with a backslash."""
    assert row.startswith("|") and row.endswith("|") and not row.endswith("\\|"), row
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def tables(md: str) -> list[list[list[str]]]:
    """Every GFM table of ``md``: a header row, a delimiter row, then rows up to the first other line."""
    lines, found, i = md.split("\n"), [], 0
    while i < len(lines) - 1:
        if lines[i].startswith("|") and DELIMITER.match(lines[i + 1]):
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            found.append([cells(row) for row in [lines[i], *lines[i + 2 : j]]])
            i = j
        else:
            i += 1
    return found


def well_formed(md: str) -> list[list[list[str]]]:
    found = tables(md)
    for table in found:
        head = len(table[0])
        assert all(len(row) == head for row in table), table
    return found


def test_escaping_of_text_from_files():
    assert esc("a | b") == "a \\| b"
    assert esc("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert esc("back\\slash") == "back&#92;slash"
    assert esc("line\none\r\n  two") == "line one two"
    assert esc("# not a heading") == "\\# not a heading"
    assert esc("- not a list") == "\\- not a list"
    assert esc("1. not a list") == "1\\. not a list"
    assert esc("C#") == "C\\#"
    assert esc("snake_case stays, _emphasis_ does not") == "snake_case stays, \\_emphasis\\_ does not"
    assert esc("[link](javascript:x)") == "\\[link](javascript:x)"
    assert esc("*a* `b` ~c~ $d$") == "\\*a\\* \\`b\\` \\~c\\~ \\$d\\$"


def test_links_only_to_web_and_mail_addresses():
    assert link("a [b] c", "https://example.org/x (y)|z") == "[a \\[b\\] c](https://example.org/x%20%28y%29%7Cz)"
    assert link("t", "https://example.org/?a=1&copy;") == "[t](https://example.org/?a=1&amp;copy;)"
    assert link("t", "javascript:alert(1)") == "t"
    assert link("t", None) == "t"


def test_percentages():
    assert pct(None) == "unknown"
    assert pct({"at_least": 62}) == "≥ 62%"
    assert pct(63.7) == "63.7%"


def test_tables_are_well_formed_in_every_case_and_the_comparison(everything):
    md = render("markdown", everything, Options(explain=True))
    assert len(well_formed(md)) > 5 * len(everything)
    assert md.endswith("\n") and not md.endswith("\n\n")
    assert not [line for line in md.split("\n") if line != line.rstrip()]
    assert md == render("markdown", everything, Options(explain=True))


def test_the_comparison_is_sorted_by_score_then_id(everything):
    md = render("markdown", everything, Options())
    assert md.startswith("# Cases by score\n")
    first = tables(md)[0]
    assert first[0] == ["case", "level", "score", "filing", "top findings"]
    ranked = [(-float(row[2]), row[0].strip("*")) for row in first[1:]]
    assert ranked == sorted(ranked) and len(ranked) == len(everything)
    assert md.count("\n## ") >= len(everything) and md.count("\n---\n") == len(everything)


def test_a_hostile_finding_title_is_escaped_and_stays_in_one_row(alibaba):
    (result,) = alibaba
    first = result.findings[0]
    evidence = first.evidence[0]._replace(value="x | y\n<img src=x onerror=alert(1)>")
    hostile = first._replace(rule=first.rule._replace(title=HOSTILE), evidence=(evidence, *first.evidence[1:]))
    md = render("markdown", [result._replace(findings=(hostile, *result.findings[1:]))], Options())
    rows = [line for line in md.split("\n") if "Bad \\| title" in line]
    assert len(rows) == 1
    row = cells(rows[0])
    assert len(row) == 4 and row[0] == f"**{first.rule.id}**"
    assert "中文标题 عنوان عربي" in row[2] and "second line" in row[2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row[2] and "<script>" not in md
    assert "\\[y](javascript:alert(1))" in row[2] and "a&#92;b \\#" in row[2]
    assert "x \\| y &lt;img src=x onerror=alert(1)&gt;" in row[3]
    well_formed(md)


def test_explanation_only_when_asked(alibaba):
    plain = render("markdown", alibaba, Options())
    explained = render("markdown", alibaba, Options(explain=True))
    assert "## Explanation" not in plain and "## Explanation" in explained
    assert explained.startswith(plain.rstrip("\n"))
    section = explained.split("## Explanation", 1)[1]
    for rule in alibaba[0].pack.rules:
        assert f"\n- **{rule.id}** " in section
    assert (
        "- `ownership.attached contains {role: [investor, controller], country: {in: intelligence_law_states}}` → "
        "true: `ownership.attached` = id: cainiao" in section
    )


def test_waived_findings_are_marked(monkeypatch):
    monkeypatch.chdir(ROOT)
    waivers, _ = load_waivers(Path("tests/data/waivers/alibaba.yaml"))
    results = screen_files([Path("cases/alibaba-liege.yaml")], waivers=index(waivers), on=datetime.date(2026, 11, 28))
    md = render("markdown", results, Options())
    assert "- **Waivers judged on:** 2026-11-28" in md
    assert "Waived, not counted: SI-006 (8), IC-013 (3); waivers judged on 2026-11-28." in md
    si006 = next(line for line in md.split("\n") if line.startswith("| **SI-006** |"))
    assert cells(si006)[1] == "~~+8~~ 0"
    assert cells(si006)[2].startswith("**WAIVED** ")
    assert "Waived through 2026-12-10 by J. Peeters, head of unit: Golden share confirmed" in si006
    ic013 = next(line for line in md.split("\n") if line.startswith("| **IC-013** |"))
    assert "(FDI/2026/114)" in ic013 and "**WAIVED**" in ic013
    ca008 = next(line for line in md.split("\n") if line.startswith("| **CA-008** |"))
    assert "**Waiver expired** on 2026-01-31" in ca008 and "**WAIVED**" not in ca008
    assert cells(ca008)[1] == "+5"
    well_formed(md)


def test_watchlist_hits_and_state_interests(monkeypatch):
    monkeypatch.chdir(ROOT)
    md = render(
        "markdown",
        screen_files([Path("cases/letterone-upp.yaml")], watchlists=[Path("watchlists/sample-sanctions.csv")]),
        Options(),
    )
    hits = next(t for t in well_formed(md) if t[0][0] == "entity")
    assert len(hits) == 7 and hits[1][0] == "**Petr Aven**"
    stc = render("markdown", screen_files([Path("cases/stc-telefonica.yaml")]), Options())
    states = next(t for t in well_formed(stc) if t[0][0] == "state")
    assert states[1] == ["Saudi Arabia (SA)", "≥ 62%", "≥ 62%", "yes", "≥ 6.18%", "no"]
    assert "**Controlled by:** the state of Saudi Arabia (through Public Investment Fund)" in stc


def test_parsed_by_a_markdown_library(everything):
    markdown_it = pytest.importorskip("markdown_it")
    md_parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    alibaba = [r for r in everything if r.case.id == "alibaba-liege"]
    for results, explain in ((alibaba, True), (everything, False)):
        md = render("markdown", results, Options(explain=explain))
        html = md_parser.render(md)
        assert html.count("<table>") == len(well_formed(md))
        tokens = md_parser.parse(md)
        assert not [t for t in tokens if t.type == "html_block"]
        inline_html = {c.content for t in tokens for c in (t.children or ()) if c.type == "html_inline"}
        assert inline_html <= {"<br>"}
    (result,) = alibaba
    md = render("markdown", [result], Options())
    html = md_parser.render(md)
    with_findings = len({f.rule.category for f in result.findings})
    assert html.count("<table>") == 1 + with_findings + 1 + 2  # score, one per category, filings, owners, states
    assert html.count("<h1>") == 1 and "<h2>Ownership</h2>" in html
