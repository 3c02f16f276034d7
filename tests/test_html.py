"""The HTML report: one self-contained, well-formed page that says what the JSON report says.

Parsed with the standard library's HTMLParser: structure, section ids, nothing fetched, links, the
ownership diagram (a box per entity, an arrow per edge), escaping, right-to-left names, determinism.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.case.load import build_case
from screening.decision.engine import screen
from screening.pack.waivers import index, load_waivers
from screening.report import Options, render
from screening.report.html import layout, link, safe_url, units, wrap
from tests.conftest import CASES, ROOT

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SECTIONS = ["summary", "score", "categories-chart", "findings", "mitigations", "ownership", "gaps", "sources"]
LONG_NAME = (
    "Consolidated Strategic Infrastructure Investment Holdings of the Northern Maritime and "
    "Logistics Corridor Development Authority Special Purpose Acquisition Vehicle Number Seventeen "
    "Limited Partnership"
)[:200]
CHINESE = "阿里巴巴集团控股有限公司"
ARABIC = "صندوق الاستثمارات العامة"


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.content: list[str | Element] = []
        """Text and child elements, in document order."""

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def all_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.all_text() for c in self.content)

    def words(self, sep: str = "") -> str:
        """The text with runs of white space made one space; ``sep`` between child elements (table cells,
        lines of an SVG text)."""
        parts = [c if isinstance(c, str) else sep + c.all_text() + sep for c in self.content]
        return " ".join("".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


class Page(HTMLParser):
    """A strict tree builder: every element must be closed, in order (void elements aside)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.node = self.root
        self.errors: list[str] = []
        self.doctype = ""
        self.style = ""
        self.feed(text)
        self.close()
        if self.node is not self.root:
            self.errors.append(f"unclosed <{self.node.tag}>")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self.node)
        self.node.children.append(element)
        self.node.content.append(element)
        if tag not in VOID:
            self.node = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), self.node)
        self.node.children.append(element)
        self.node.content.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.node.tag != tag:
            self.errors.append(f"</{tag}> closes <{self.node.tag}>")
            return
        self.node = self.node.parent  # type: ignore[assignment]

    def handle_data(self, data: str) -> None:
        if self.node.tag == "style":
            self.style += data
        self.node.content.append(data)

    def ids(self) -> dict[str, Element]:
        return {e.attrs["id"]: e for e in self.root.iter() if e.attrs.get("id")}

    def by_id(self, ident: str) -> Element:
        return self.ids()[ident]


def parse(text: str) -> Page:
    page = Page(text)
    assert not page.errors, page.errors[:5]
    return page


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def alibaba():
    return screen_files([Path("cases/alibaba-liege.yaml")])


@pytest.fixture(scope="module")
def cosco():
    return screen_files([Path("cases/cosco-hamburg-tollerort.yaml")])


def stress_case(pack):
    """A 200-character name, Chinese and Arabic names, markup in the title, a holding within a layer and
    one back down the chain (a cycle through the investor)."""
    data = {
        "format": 1,
        "id": "stress",
        "title": "Stress <script>alert(1)</script> & test",
        "investor": "inv",
        "entities": [
            {"id": "inv", "name": CHINESE, "country": "CN", "kind": "private_company"},
            {"id": "pif", "name": ARABIC, "country": "SA", "kind": "sovereign_fund", "state_ownership_pct": 100},
            {"id": "mid", "name": LONG_NAME, "country": "HK", "kind": "private_company"},
            {"id": "mof", "name": "Ministry of Finance <b>", "country": "SA", "kind": "state_body"},
        ],
        "ownership": [
            {"owner": "mid", "owned": "inv", "equity_pct": 60},
            {"owner": "pif", "owned": "inv", "equity_pct": 20},
            {"owner": "pif", "owned": "mid", "equity_pct": 70},
            {"owner": "mof", "owned": "pif", "equity_pct": 100},
            {"owner": "inv", "owned": "mid", "equity_pct": 5},
        ],
        "target": {"name": "Target", "country": "BE", "critical_infrastructure": [{"kind": "port"}]},
    }
    return screen(build_case(data, {}, "stress.yaml"), pack)


def diagram_parts(page: Page, svg_id: str = "ownership-diagram") -> tuple[list[Element], list[Element]]:
    svg = page.by_id(svg_id)
    assert svg.tag == "svg" and svg.attrs.get("role") == "img" and svg.attrs.get("aria-label")
    assert svg.find("title"), "the diagram has a title"
    return svg.find("g", "entity"), svg.find("g", "edge")


# --- structure --------------------------------------------------------------------------------------------


def test_a_well_formed_page_with_every_section(alibaba):
    text = render("html", alibaba, Options(explain=True))
    page = parse(text)
    assert page.doctype.lower() == "doctype html" and text.endswith("</html>\n")
    (html,) = page.root.find("html")
    assert html.attrs.get("lang") == "en"
    assert page.root.find("meta", charset="utf-8")
    assert page.root.find("title")[0].all_text().strip()
    ids = page.ids()
    for section in SECTIONS + ["explain", "ownership-diagram", "case-alibaba-liege"]:
        assert section in ids, section
    assert ids["case-alibaba-liege"].tag == "section" and "case" in ids["case-alibaba-liege"].classes
    assert "comparison" not in ids
    assert "explain" not in parse(render("html", alibaba, Options())).ids()


def test_nothing_is_fetched_and_links_go_to_anchors_or_the_web(alibaba, cosco):
    every = screen_files([Path("cases") / c.name for c in CASES])
    for results in (alibaba, cosco, every):
        text = render("html", results, Options(explain=True))
        page = parse(text)
        ids = page.ids()
        assert not page.root.find("script")
        for tag in ("link", "img", "iframe", "object", "embed", "source", "image", "use", "audio", "video"):
            assert not page.root.find(tag), tag
        for element in page.root.iter():
            assert "src" not in element.attrs and "srcset" not in element.attrs
            assert not any(name.startswith("on") for name in element.attrs), element.attrs
            assert "url(" not in (element.attrs.get("style") or "")
            if "href" in element.attrs:
                href = element.attrs["href"] or ""
                assert element.tag == "a", element.tag
                if href.startswith("#"):
                    assert href[1:] in ids, f"broken anchor {href}"
                else:
                    assert re.match(r"https?://", href), href
        assert page.style and "@import" not in page.style and "url(" not in page.style
        assert "url(" not in text and "@import" not in text


def test_print_and_fonts(alibaba):
    css = parse(render("html", alibaba, Options())).style
    assert "@page" in css and "size: A4" in css and "@media print" in css
    assert "break-inside: avoid" in css and "break-before: page" in css
    for font in ('"Noto Sans"', '"Noto Sans CJK SC"', '"Noto Naskh Arabic"', "sans-serif"):
        assert font in css


def test_summary_says_what_the_json_says(alibaba):
    doc = json.loads(render("json", alibaba))
    page = parse(render("html", alibaba, Options()))
    summary = page.by_id("summary")
    text = " ".join(summary.all_text().split())
    assert doc["case"]["title"] in text and doc["case"]["id"] in text
    badge = summary.find("span", "level")[0]
    assert badge.all_text() == doc["level"].upper() and f"level-{doc['level']}" in badge.classes
    assert f"{doc['score']} / 100" in text
    assert doc["case"]["as_of"] in text
    assert doc["rule_pack"]["digest"] in text and doc["rule_pack"]["version"] in text
    assert f"{doc['case']['investor']['name']} (China) → {doc['case']['target']['name']} (Belgium)" in text


def test_chart_and_arithmetic(alibaba):
    doc = json.loads(render("json", alibaba))
    page = parse(render("html", alibaba, Options()))
    chart = page.by_id("categories-chart")
    (svg,) = chart.find("svg")
    assert svg.attrs.get("role") == "img" and "Category scores" in (svg.attrs.get("aria-label") or "")
    bars = svg.find("g", "bar")
    capped = [c for c in doc["categories"] if c["cap"] is not None]
    assert [b.attrs["data-category"] for b in bars] == [c["id"] for c in capped]
    for bar, c in zip(bars, capped, strict=True):  # the numbers are written, not only drawn
        assert f"{c['score']} of {c['cap']}" in bar.all_text()
    score = page.by_id("score")
    rows = [r.words(" ") for r in score.find("tr")]
    assert rows[-1] == f"Total {doc['math']['score_from_rules']}"
    assert any(r.startswith("Critical infrastructure CI-001") for r in rows)
    assert "clamped to 0–100" in score.all_text()


def test_findings_link_their_sources(alibaba):
    doc = json.loads(render("json", alibaba))
    page = parse(render("html", alibaba, Options()))
    ids = page.ids()
    for f in doc["findings"]:
        article = ids[f"finding-{f['rule']}"]
        assert f["title"] in article.all_text()
        cited = {a.attrs["href"] for a in article.find("a") if (a.attrs.get("href") or "").startswith("#source-")}
        assert cited == {f"#source-{s}" for e in f["evidence"] for s in e["sources"]}
    assert {e.attrs["id"][7:] for e in page.root.find("li") if (e.attrs.get("id") or "").startswith("source-")} == {
        s["id"] for s in doc["sources"] + doc.get("other_sources", [])
    }


def test_waived_findings_are_marked_and_expired_waivers_said():
    waivers, _ = load_waivers(ROOT / "tests/data/waivers/alibaba.yaml")
    results = screen_files([Path("cases/alibaba-liege.yaml")], waivers=index(waivers), on=dt.date(2026, 11, 28))
    page = parse(render("html", results, Options()))
    ids = page.ids()
    waived = ids["finding-SI-006"]
    assert "waived" in waived.classes
    assert waived.find("del")[0].all_text() == "+8"
    text = " ".join(waived.all_text().split())
    assert "WAIVED" in text and "Golden share confirmed inactive" in text and "J. Peeters" in text
    assert "2026-12-10" in text
    expired = ids["finding-CA-008"]
    assert "waived" not in expired.classes and not expired.find("del")
    assert "Waiver expired on 2026-01-31" in " ".join(expired.all_text().split())
    assert "2026-11-28" in ids["summary"].all_text()  # the day waivers were judged on is the screening date


# --- the ownership diagram -----------------------------------------------------------------------------------


def test_diagram_has_a_box_per_entity_and_an_arrow_per_edge(cosco):
    doc = json.loads(render("json", cosco))
    own = doc["ownership"]
    page = parse(render("html", cosco, Options()))
    boxes, arrows = diagram_parts(page)
    deal = [("cspl", "@target"), ("@others", "@target")]  # the deal: the stake bought and the other owners' votes
    assert sorted(b.attrs["data-id"] for b in boxes) == sorted(
        [e["id"] for e in own["entities"]] + ["@target", "@others"]
    )
    assert sorted((a.attrs["data-owner"], a.attrs["data-owned"]) for a in arrows) == sorted(
        [(e["owner"], e["owned"]) for e in own["edges"]] + deal
    )
    target = next(b for b in boxes if b.attrs["data-id"] == "@target")
    assert "HHLA Container Terminal Tollerort GmbH" in target.all_text() and "TARGET" in target.all_text()
    labels = page.by_id("ownership-diagram").find("text")
    assert any("24.99%" in t.all_text() for t in labels) and any("votes 75.01%" in t.all_text() for t in labels)
    boxes = [b for b in boxes if not b.attrs["data-id"].startswith("@")]
    arrows = [a for a in arrows if (a.attrs["data-owner"], a.attrs["data-owned"]) not in deal]
    for box in boxes:
        entity = next(e for e in own["entities"] if e["id"] == box.attrs["data-id"])
        state = entity["kind"] in ("state_body", "soe", "sovereign_fund")
        assert ("state" in box.classes) == state
        if entity["kind"] == "state_body":
            assert "state body" in box.all_text()
    assert sum(1 for b in boxes if "state" in b.classes) == 3  # China COSCO (SOE), SASAC and NSSF
    for arrow in arrows:
        edge = next(
            e
            for e in own["edges"]
            if (e["owner"], e["owned"]) == (arrow.attrs["data-owner"], arrow.attrs["data-owned"])
        )
        assert ("controlling" in arrow.classes) == edge["controlling"]
        stroke = float(arrow.find("path")[0].attrs["stroke-width"])
        assert stroke > 2 if edge["controlling"] else stroke < 2
        assert arrow.find("polygon"), "an arrowhead"
    labels = [t.words(" ") for t in page.by_id("ownership-diagram").find("text", "edge-label")]
    assert "90% controls" in labels and "10%" in labels and "41.94% controls (stated)" in labels
    assert page.by_id("ownership").find("ul", "legend")


def test_diagram_layers_by_depth_and_orders_by_id(cosco):
    own = json.loads(render("json", cosco))["ownership"]
    lay = layout(own["entities"])
    depth = {e["id"]: e["depth"] for e in own["entities"]}
    for a in depth:
        for b in depth:
            if depth[a] > depth[b]:
                assert lay.boxes[a].y < lay.boxes[b].y, "owners stand above"
            elif depth[a] == depth[b] and a < b:
                assert lay.boxes[a].x < lay.boxes[b].x or lay.boxes[a].y < lay.boxes[b].y
    assert lay.boxes["nssf"].x < lay.boxes["sasac"].x
    wide = [{"id": f"e{i}", "depth": 1} for i in range(7)] + [{"id": "inv", "depth": 0}]
    rows = layout(wide).rows[1]
    assert [len(r) for r in rows] == [3, 3, 1] and rows[0] == ["e0", "e1", "e2"]


def test_states_watchlists_and_attribution(cosco):
    page = parse(render("html", cosco, Options()))
    own = page.by_id("ownership")
    text = " ".join(own.all_text().split())
    assert "Controlled by State-owned Assets Supervision and Administration Commission of the State Council" in text
    (state,) = own.find("table", "state")
    rows = {
        " ".join(r.find("th")[0].all_text().split()): " ".join(r.find("td")[0].all_text().split())
        for r in state.find("tr")
    }
    assert rows["Controls the investor"] == "yes"
    assert rows["CFIUS substantial interest (49% / 25%)"] == "no"
    assert "informare-2022" in rows["State links"] and "intelligence law" in rows["State links"]
    assert "COSCO SHIPPING Ports Limited" in rows["Chains"]
    assert "Not screened" in text


def test_watchlist_hits_are_shown():
    results = screen_files(
        [Path("cases/letterone-upp.yaml")], watchlists=[ROOT / "tests/data/watchlists/targets.simple.csv"]
    )
    page = parse(render("html", results, Options()))
    hits = page.by_id("ownership").find("tr", "hit")
    assert len(hits) == len(results[0].facts.get("group.watchlist_hits"))
    assert "Mikhail Fridman" in " ".join(h.all_text() for h in hits)


# --- hostile and international names --------------------------------------------------------------------------


def test_long_chinese_and_arabic_names_and_markup_are_escaped(pack):
    result = stress_case(pack)
    text = render("html", [result], Options())
    page = parse(text)
    assert not page.root.find("script") and not page.root.find("b")
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; test" in text
    assert "Stress <script>alert(1)</script> & test" in page.by_id("summary").all_text()
    auto = {" ".join(e.all_text().split()) for e in page.root.iter() if e.attrs.get("dir") == "auto"}
    for name in (CHINESE, ARABIC, LONG_NAME, "Ministry of Finance <b>"):
        assert name in auto, name
    boxes, arrows = diagram_parts(page)
    assert len(boxes) == 5 and len(arrows) == 6  # and the target of the deal, its stake unknown (no transaction)
    assert sum(1 for a in arrows if "back" in a.classes) == 2  # within the layer (pif → mid) and inv → mid
    by_id = {b.attrs["data-id"]: b for b in boxes}
    lines = [t.all_text() for t in by_id["mid"].find("text", "entity-name")[0].find("tspan")]
    assert len(lines) == 3 and lines[-1].endswith("…") and LONG_NAME.startswith(lines[0])
    assert by_id["mid"].find("title")[0].all_text().startswith(LONG_NAME)  # the full name as a tooltip
    assert by_id["pif"].find("text", "entity-name")[0].attrs.get("direction") == "rtl"
    assert "state" in by_id["pif"].classes and "state" in by_id["mof"].classes
    assert "state body" in by_id["mof"].all_text()


def test_name_wrapping():
    assert units("abc") == 3 and units(CHINESE) == 2 * len(CHINESE) and units("AB") == 2.5
    assert wrap("one two three", 7, 3) == ["one two", "three"]
    lines = wrap(CHINESE * 3, 10, 3)
    assert all(units(line) <= 10 for line in lines) and len(lines) == 3 and lines[-1].endswith("…")
    long = wrap("x" * 100, 20, 3)
    assert [len(line) for line in long] == [20, 20, 20] and long[-1].endswith("…")
    assert "".join(wrap(ARABIC, 40, 3)) == ARABIC


def test_only_web_urls_become_links():
    assert safe_url("https://example.org/a?b=1") and safe_url("http://example.org")
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//example.org", "https://a b"):
        assert safe_url(bad) is None
        assert "href" not in link(bad)
    assert link('https://example.org/"onclick="x').count('"') == 6  # quotes are escaped inside the attribute


# --- several cases, determinism -------------------------------------------------------------------------------


def test_several_cases_start_with_a_sorted_comparison():
    results = screen_files([Path("cases") / c.name for c in CASES])
    text = render("html", results, Options())
    page = parse(text)
    ids = page.ids()
    comparison = ids["comparison"]
    rows = comparison.find("tbody")[0].find("tr")
    ranked = [(row.find("a")[0].attrs["href"][6:], float(row.find("td", "num")[1].all_text())) for row in rows]
    assert ranked == sorted(ranked, key=lambda r: (-r[1], r[0]))
    assert [r[0] for r in ranked][:1] == [min(results, key=lambda r: (-r.score, r.case.id)).case.id]
    for result in results:
        section = ids[f"case-{result.case.id}"]
        assert "case" in section.classes
        for name in SECTIONS + ["ownership-diagram"]:
            assert f"case-{result.case.id}:{name}" in ids
    assert text.index('id="comparison"') < text.index('class="case"')


def test_deterministic(pack):
    results = screen_files([Path("cases") / c.name for c in CASES[:3]]) + [stress_case(pack)]
    first = render("html", results, Options(explain=True))
    assert first == render("html", results, Options(explain=True))
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", first)  # no timestamp
