"""The HTML report in a real browser (headless Chromium): sections render, the diagram shows, nothing is fetched.

Runs where Debian's chromium is installed (`.ci/run` installs it and sets SCREENING_REQUIRE_BROWSER=1, so
there a missing browser fails the test instead of skipping it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from screening.api import screen_files
from screening.case.load import build_case
from screening.decision.engine import screen
from screening.pack.load import default_pack_path, load_pack
from screening.report import Options, render
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("SCREENING_REQUIRE_BROWSER") == "1"
SECTIONS = ["summary", "score", "categories-chart", "findings", "ownership", "gaps", "sources"]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None and REQUIRED:
    pytest.fail("chromium is required here (SCREENING_REQUIRE_BROWSER=1) but is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def open_report(browser, html: str, tmp_path: Path):
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, requests, path


def stress_case():
    """A case with a very long name, Chinese and Arabic names, and markup in its title."""
    long_name = "Very Long Name Holding " * 9
    data = {
        "format": 1,
        "id": "stress",
        "title": "Stress <script>alert(1)</script> test",
        "investor": "inv",
        "entities": [
            {"id": "inv", "name": "阿里巴巴集团控股有限公司", "country": "CN", "kind": "private_company"},
            {
                "id": "pif",
                "name": "صندوق الاستثمارات العامة",
                "country": "SA",
                "kind": "sovereign_fund",
                "state_ownership_pct": 100,
            },
            {"id": "mid", "name": long_name.strip(), "country": "HK", "kind": "private_company"},
        ],
        "ownership": [
            {"owner": "mid", "owned": "inv", "equity_pct": 60},
            {"owner": "pif", "owned": "mid", "equity_pct": 70},
        ],
        "target": {"name": "Target", "country": "BE", "critical_infrastructure": [{"kind": "port"}]},
    }
    return screen(build_case(data, {}, "stress.yaml"), load_pack(default_pack_path()))


def test_the_alibaba_report_renders_offline(browser, tmp_path):
    results = screen_files([ROOT / "cases" / "alibaba-liege.yaml"])
    page, requests, path = open_report(browser, render("html", results, Options(explain=True)), tmp_path)
    assert requests == [path.as_uri()], f"the report fetched something: {requests}"
    for section in SECTIONS + ["explain"]:
        box = page.locator(f"#{section}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 10, section
    diagram = page.locator("#ownership-diagram")
    assert diagram.is_visible()
    box = diagram.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert "Cainiao" in diagram.text_content()
    chart = page.locator("#categories-chart svg")
    assert chart.first.is_visible()
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    assert (tmp_path / "page.png").stat().st_size > 10_000


def test_long_chinese_and_arabic_names_render(browser, tmp_path):
    page, requests, path = open_report(browser, render("html", [stress_case()], Options()), tmp_path)
    assert requests == [path.as_uri()]
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0  # the title's markup is text
    assert "<script>alert(1)</script>" in page.inner_text("body")
    arabic = page.locator("[dir=auto]", has_text="صندوق الاستثمارات العامة").first
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    chinese = page.locator("[dir=auto]", has_text="阿里巴巴集团控股有限公司").first
    assert chinese.bounding_box()["width"] > 50
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 1200, "a long name made the page wider than the window"
    assert page.locator("#ownership-diagram").is_visible()


def test_it_prints_on_a4(browser, tmp_path):
    results = screen_files([ROOT / "cases" / "cosco-hamburg-tollerort.yaml"])
    page, _, _ = open_report(browser, render("html", results, Options()), tmp_path)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 20_000


A4_PAGE = (297 - 16 - 18) / 25.4 * 96
"""Height of the printable part of an A4 page in CSS pixels (html.css: margins of 16 and 18 mm)."""
A4_WIDTH = (210 - 2 * 15) / 25.4 * 96


def pdf_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def printed(browser, html: str, tmp_path: Path):
    """The page laid out for print at the width of an A4 page's text, and its PDF."""
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": round(A4_WIDTH), "height": round(A4_PAGE)})
    page.emulate_media(media="print")
    page.goto(path.as_uri(), wait_until="load")
    return page, page.pdf(format="A4")


@pytest.mark.parametrize("case", sorted((ROOT / "cases").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_brief_prints_on_at_most_two_a4_pages(browser, tmp_path, case):
    results = screen_files([case])
    page, pdf = printed(browser, render("html", results, Options(brief=True)), tmp_path)
    assert 1 <= pdf_pages(pdf) <= 2
    text = page.inner_text("body")
    for part in ("Where to file", "Main findings", "The deal", "Open questions"):
        assert part in text or (part == "Where to file" and "Filing" not in text)


UNBREAKABLE = """() => {
  const tall = [];
  for (const e of document.querySelectorAll('body *')) {
    const s = getComputedStyle(e);
    if ((s.breakInside === 'avoid' || s.pageBreakInside === 'avoid') && e.tagName.toLowerCase() !== 'svg') {
      const h = e.getBoundingClientRect().height;
      if (h > MAX) tall.push(`${e.tagName}.${e.className} ${Math.round(h)}px`);
    }
  }
  const loose = [...document.querySelectorAll('h1, h2, h3, h4')]
    .filter(h => getComputedStyle(h).breakAfter !== 'avoid').map(h => h.textContent);
  return {tall, loose, height: document.documentElement.scrollHeight};
}"""


@pytest.mark.parametrize("case", sorted((ROOT / "cases").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_full_report_prints_without_orphaned_headings_or_half_empty_pages(browser, tmp_path, case):
    results = screen_files([case])
    page, pdf = printed(browser, render("html", results, Options()), tmp_path)
    found = page.evaluate(UNBREAKABLE.replace("MAX", str(round(0.4 * A4_PAGE))))
    assert found["loose"] == [], "a heading may be left alone at the foot of a page"
    assert found["tall"] == [], "a block that may not break is over 40% of a page: it can leave one half empty"
    # the pages hold the text: what the breaks leave blank is under a fifth of what is printed, plus the last page
    assert pdf_pages(pdf) <= found["height"] / A4_PAGE * 1.2 + 1


def test_the_portfolio_report_and_its_charts_render_offline(browser, tmp_path):
    from screening.batch.portfolio import read_portfolio

    value = read_portfolio(ROOT / "tests" / "data" / "portfolio-results.jsonl")
    page, requests, path = open_report(browser, render("html", value, Options()), tmp_path)
    assert requests == [path.as_uri()], f"the report fetched something: {requests}"
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0
    for chart in ("country-chart", "filings-chart", "score-chart"):
        svg = page.locator(f"#{chart} svg")
        assert svg.is_visible(), chart
        box = svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 40, chart
        assert page.locator(f"#{chart} rect").count() >= 3, chart  # bars drawn
    for section in ("by-country", "filings", "scores", "top", "questions", "rules", "watchlist"):
        box = page.locator(f"#{section}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 10, section
    assert "Fujian Grand Chip Investment Fund LP / Aixtron SE" in page.inner_text("#top")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1200
