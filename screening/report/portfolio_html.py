"""`screening portfolio --format html`: one self-contained page with inline SVG charts (level by investor
country, filings per regime, score distribution) and the tables of the text report.

Nothing is fetched (no script, font, image or stylesheet), every text from the results is escaped, names
carry ``dir="auto"``, and the output is deterministic.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from screening.report import Options
from screening.report.html import page_head
from screening.report.portfolio import OUTCOME_TEXT, data

if TYPE_CHECKING:
    from screening.batch.portfolio import Portfolio

COLOURS = {"low": "#1a7f37", "medium": "#9a6700", "high": "#bc4c00", "critical": "#cf222e"}
"""The levels' colours of the screening report (html.css); another pack's levels are grey."""
OUTCOME_COLOURS = {
    "mandatory": "#cf222e",
    "call_in": "#bc4c00",
    "voluntary": "#9a6700",
    "undetermined": "#8c959f",
    "out_of_scope": "#d1d9e0",
    "not_in_force": "#eaeef2",
}
GREY = "#8c959f"
ACCENT = "#1f4e79"
EXTRA_CSS = """
.chart { margin: 0.5rem 0 1.5rem; }
.chart svg { max-width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; font-size: 0.85rem; margin: 0.2rem 0 0.6rem; }
.legend span::before { content: ""; display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.3em;
  background: var(--swatch); vertical-align: -0.05em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def render(value: Portfolio, fmt: str, options: Options) -> str:
    """The portfolio as one HTML page."""
    d = data(value)
    levels = list(d["levels"])
    summary = ", ".join(f"{n:,} {esc(lv)}" for lv, n in d["levels"].items())
    if value.errors:
        summary += f", {value.errors:,} not screened"
    out = [
        *page_head(f"Portfolio: {value.cases:,} cases", EXTRA_CSS),
        f"<h1>Portfolio: {value.cases:,} case{'s' if value.cases != 1 else ''}</h1>",
        f'<p id="summary">{summary} <span class="muted">({esc(value.file)})</span></p>',
        '<section id="by-country">',
        "<h2>Level by investor country</h2>",
        _legend([(lv, COLOURS.get(lv, GREY)) for lv in levels]),
        f'<div class="chart" id="country-chart">{country_chart(d, levels)}</div>',
        _table(
            ["country", "cases", *levels],
            [
                [_named(r["name"], r["country"]), r["cases"], *(r["levels"].get(lv, 0) for lv in levels)]
                for r in d["by_country"]
            ],
        ),
        "</section>",
        '<section id="filings">',
        "<h2>Filings per regime</h2>",
        _legend([(OUTCOME_TEXT[o], c) for o, c in OUTCOME_COLOURS.items()]),
        f'<div class="chart" id="filings-chart">{filings_chart(d)}</div>',
        _table(
            ["regime", "needed", "answers"],
            [
                [
                    r["regime"],
                    r["needed"],
                    ", ".join(f"{n:,} {OUTCOME_TEXT.get(o, o)}" for o, n in r["answers"].items()),
                ]
                for r in d["filings"]
            ],
        ),
        "</section>",
        '<section id="scores">',
        "<h2>Score distribution</h2>",
        f'<div class="chart" id="score-chart">{score_chart(d)}</div>',
        "</section>",
        '<section id="top">',
        f"<h2>Top {len(value.top)} by score</h2>",
        _table(
            ["score", "level", "country", "case", "title"],
            [[f"{c.score:.1f}", c.level, c.country or "—", c.id, c.title] for c in value.top],
        ),
        "</section>",
        '<section id="questions">',
        "<h2>Most frequent open questions</h2>",
        _table(["cases", "fact", "question"], [[q["cases"], q["fact"], q["question"]] for q in d["questions"]]),
        "</section>",
        '<section id="rules">',
        "<h2>Rules that fired most</h2>",
        _table(["cases", "rule", "title"], [[r["cases"], r["rule"], r["title"]] for r in d["rules"]]),
        "</section>",
        '<section id="watchlist">',
        "<h2>Watchlist hits</h2>",
    ]
    out.append(f"<p>{value.hit_cases:,} case{'s' if value.hit_cases != 1 else ''} with a hit.</p>")
    if value.unlisted:
        out.append(
            f"<p>{value.unlisted:,} case{'s' if value.unlisted != 1 else ''} not screened against any list: "
            "run the batch with <code>--watchlist</code>.</p>"
        )
    if value.hits:
        out.append(_table(["case", "title", "hit"], [list(h) for h in value.hits]))
    out.append("</section>")
    if value.error_groups:
        out += [
            '<section id="errors">',
            "<h2>Not screened</h2>",
            _table(
                ["cases", "problem", "column"],
                [[n, code or "internal error", col] for code, col, n in value.error_groups],
            ),
            "</section>",
        ]
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


class _Named(str):
    """A cell that is already HTML."""


def _named(name: str, code: str) -> _Named:
    return _Named(f'<span dir="auto">{esc(name)}</span> ({esc(code or "—")})')


def _table(head: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "<p>None.</p>"

    def cell(value: Any, tag: str) -> str:
        number = isinstance(value, (int, float)) or (isinstance(value, str) and value.replace(".", "", 1).isdigit())
        shown = value if isinstance(value, _Named) else f"{value:,}" if isinstance(value, int) else esc(value)
        attrs = ' class="num"' if number else ' dir="auto"' if tag == "td" and not isinstance(value, _Named) else ""
        return f"<{tag}{attrs}>{shown}</{tag}>"

    lines = ["<table>", "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>", "<tbody>"]
    lines += ["<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows]
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _legend(items: list[tuple[str, str]]) -> str:
    return '<div class="legend">' + "".join(f'<span style="--swatch:{c}">{esc(t)}</span>' for t, c in items) + "</div>"


WIDTH = 720
LABEL = 180
BAR = 22


def _stacked(rows: list[tuple[str, list[tuple[str, int, str]]]], title: str) -> str:
    """Horizontal stacked bars: one row per label, segments (name, count, colour), scaled to the largest."""
    if not rows:
        return "<p>None.</p>"
    widest = max(sum(n for _, n, _ in parts) for _, parts in rows) or 1
    span = WIDTH - LABEL - 60
    height = len(rows) * (BAR + 8) + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{esc(title)}" font-family="system-ui, sans-serif" font-size="13">',
        f"<title>{esc(title)}</title>",
    ]
    for i, (label, parts) in enumerate(rows):
        y = 8 + i * (BAR + 8)
        out.append(f'<text x="{LABEL - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end">{esc(label[:24])}</text>')
        x = float(LABEL)
        for name, n, colour in parts:
            if not n:
                continue
            w = span * n / widest
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}">'
                f"<title>{esc(label)}: {n:,} {esc(name)}</title></rect>"
            )
            x += w
        total = sum(n for _, n, _ in parts)
        out.append(f'<text x="{x + 6:.1f}" y="{y + BAR * 0.7:.1f}">{total:,}</text>')
    out.append("</svg>")
    return "".join(out)


def country_chart(d: dict[str, Any], levels: list[str]) -> str:
    """Cases by investor country, each bar split by level (highest level first), the 15 countries with most."""
    rows = [
        (r["country"] or "not given", [(lv, r["levels"].get(lv, 0), COLOURS.get(lv, GREY)) for lv in levels])
        for r in d["by_country"][:15]
    ]
    return _stacked(rows, "Cases by investor country and level")


def filings_chart(d: dict[str, Any]) -> str:
    """Each regime's answers, from mandatory filings to answers that need none."""
    rows = [
        (r["regime"], [(OUTCOME_TEXT.get(o, o), n, OUTCOME_COLOURS.get(o, GREY)) for o, n in r["answers"].items()])
        for r in d["filings"]
    ]
    return _stacked(rows, "Filing answers per regime")


def score_chart(d: dict[str, Any]) -> str:
    """A histogram of scores in bands of 10 points."""
    bands = d["score_distribution"]
    widest = max(b["cases"] for b in bands) or 1
    height, base, step = 220, 190, (WIDTH - 40) / len(bands)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        'role="img" aria-label="Score distribution" font-family="system-ui, sans-serif" font-size="12">',
        "<title>Score distribution</title>",
        f'<line x1="20" y1="{base}" x2="{WIDTH - 20}" y2="{base}" stroke="#59636e"/>',
    ]
    for i, band in enumerate(bands):
        h = 160 * band["cases"] / widest
        x = 20 + i * step
        out.append(
            f'<rect x="{x + 4:.1f}" y="{base - h:.1f}" width="{step - 8:.1f}" height="{h:.1f}" fill="{ACCENT}">'
            f"<title>score {band['from']}-{band['to']}: {band['cases']:,} cases</title></rect>"
        )
        out.append(
            f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle">{band["from"]}-{band["to"]}</text>'
        )
        if band["cases"]:
            out.append(
                f'<text x="{x + step / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{band["cases"]:,}</text>'
            )
    out.append("</svg>")
    return "".join(out)
