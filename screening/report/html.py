"""HTML report: one self-contained page for a memo to a minister or a board.

Everything is inline (the stylesheet ``html.css`` beside this module, and SVG drawings): no script, no
font, image or stylesheet is fetched, and links to sources are plain links the reader may follow. The
content is the JSON format's (:func:`screening.report.data.report`), so the two always say the same;
the terminal report's order of sections is the model. Every text that comes from a file is escaped,
names carry ``dir="auto"`` so right-to-left names display correctly, and the output is deterministic.
"""

from __future__ import annotations

import unicodedata
from html import escape
from pathlib import Path
from typing import Any, NamedTuple

from screening import __version__
from screening.case import countries
from screening.case.model import KIND_LABELS, STATE_KINDS, state_of
from screening.case.values import shown
from screening.decision.engine import Result
from screening.infra.text import num, plural
from screening.report import Options
from screening.report.data import (
    SHOWN,
    doubt,
    exposure_sentence,
    filing_answer,
    held,
    listing,
    more_listed,
    moves,
    repeats,
    report,
    takes_off_only,
    value_text,
)

STYLESHEET = Path(__file__).with_name("html.css")
LEVELS = ("low", "medium", "high", "critical")
"""The levels html.css colours (those of the bundled pack); another pack's levels show uncoloured."""
TRUTH = {True: "true", False: "false", None: "unknown"}
WAIVED = ' <span class="waived-label">WAIVED</span>'
BOLD = ' font-weight="700"'


def page_head(title: str, css: str = "") -> list[str]:
    """The lines that open every HTML page of the tool, up to ``<main>``: the stylesheet inline (and ``css``),
    the title escaped, nothing fetched."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="screening {esc(__version__)}">',
        f"<title>{esc(title)}</title>",
        "<style>",
        STYLESHEET.read_text(encoding="utf-8").strip(),
        *([css.strip()] if css else []),
        "</style>",
        "</head>",
        "<body>",
        "<main>",
    ]


def render(results: list[Result], fmt: str, options: Options) -> str:
    docs = [report(r, options.explain) for r in results]
    several = len(docs) != 1
    if several:
        title = f"Screening report: {len(docs)} cases"
    else:
        title = f"Screening report: {docs[0]['case']['id']}: {docs[0]['case']['title']}"
    out = page_head(title)
    if several:
        out.append('<p class="kicker">Foreign-investment screening</p>')
        out.append(f'<h1 class="doc-title">{len(docs)} cases screened</h1>')
        out += _comparison(docs)
    for doc in docs:
        out += _case(doc, Ids(doc["case"]["id"] if several else None), 2 if several else 1)
    packs = sorted({f"{d['rule_pack']['name']} {d['rule_pack']['version']}" for d in docs})
    out.append("</main>")
    with_pack = f", rule pack {', '.join(packs)}" if packs else ""
    out.append(
        f'<footer class="colophon">Screened with screening {esc(__version__ + with_pack)}. Every finding '
        "cites the facts it rests on and their sources; a fact the case leaves out is unknown, not false."
        "</footer>"
    )
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# --- small helpers ---------------------------------------------------------------------------------


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def signed(x: float) -> str:
    return f"+{num(x)}" if x > 0 else "−" + num(-x) if x < 0 else "0"


def pct(x: Any) -> str:
    """A percentage of the JSON structure: a number, ``{"at_least": n}`` or None."""
    if x is None:
        return "unknown"
    return shown(x, "%")


def name(text: Any, tag: str = "span", cls: str = "name") -> str:
    """A name or other text from a file, in an element of its own whose direction follows its text."""
    return f'<{tag} class="{cls}" dir="auto">{esc(text)}</{tag}>'


def country(code: str | None) -> str:
    return countries.name(code) if code else "country unknown"


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) URL that can be a link, else None (shown as text)."""
    text = str(url or "").strip()
    if not text.lower().startswith(("http://", "https://")) or any(c.isspace() or ord(c) < 32 for c in text):
        return None
    return text


def link(url: Any, label: str | None = None, cls: str = "url") -> str:
    """An external link the reader may follow (never loaded by the page), or plain text when not http(s)."""
    target = safe_url(url)
    shown = esc(label if label is not None else url)
    if target is None:
        return f'<span class="{cls}">{shown}</span>'
    return f'<a class="{cls}" href="{esc(target)}" rel="noopener noreferrer">{shown}</a>'


def level_badge(level: str, big: bool = False) -> str:
    cls = level if level in LEVELS else "unknown"
    return f'<span class="level level-{cls}{" level-big" if big else ""}">{esc(level.upper())}</span>'


def kind_name(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "", (kind or "kind unknown").replace("_", " "))


class Ids:
    """Element ids of one case: plain in a one-case report, prefixed with the case when there are several."""

    def __init__(self, case_id: str | None) -> None:
        self.prefix = "" if case_id is None else f"case-{case_id}:"

    def __call__(self, name: str) -> str:
        return esc(self.prefix + name)

    def href(self, name: str) -> str:
        return "#" + self(name)


# --- the comparison of several cases ---------------------------------------------------------------


def _comparison(docs: list[dict[str, Any]]) -> list[str]:
    ranked = sorted(docs, key=lambda d: (-d["score"], d["case"]["id"]))
    out = [
        '<section id="comparison">',
        "<h2>Cases by score</h2>",
        '<table class="comparison">',
        '<thead><tr><th class="num">#</th><th>Case</th><th>Level</th><th class="num">Score</th>'
        "<th>Filing</th><th>Top findings</th></tr></thead>",
        "<tbody>",
    ]
    for i, d in enumerate(ranked, 1):
        cid = d["case"]["id"]
        top = d["findings"][:3]
        items = "".join(
            f"<li><code>{esc(f['rule'])}</code> {esc(f['title'])}{WAIVED if f['waived'] else ''}</li>" for f in top
        )
        tops = f'<ul class="top-findings">{items}</ul>' if items else '<span class="muted">none</span>'
        out.append(
            f'<tr><td class="num">{i}</td><td><a href="#case-{esc(cid)}"><code>{esc(cid)}</code></a><br>'
            f"{name(d['case']['title'], cls='case-title')}</td><td>{level_badge(d['level'])}</td>"
            f'<td class="num">{num(d["score"])}</td><td>{esc(filing_answer(d.get("filings"), rules=False) or "")}</td>'
            f"<td>{tops}</td></tr>"
        )
    out += ["</tbody>", "</table>", "</section>"]
    return out


# --- one case ----------------------------------------------------------------------------------------


def _case(doc: dict[str, Any], ids: Ids, h: int) -> list[str]:
    cid = doc["case"]["id"]
    sources = {s["id"] for s in doc["sources"]}
    ctx = Ctx(doc, ids, h, sources, repeats(doc["findings"] + doc["mitigations"], [c["id"] for c in doc["categories"]]))
    out = [f'<section class="case" id="case-{esc(cid)}">']
    out += _summary(ctx)
    out += _score(ctx)
    out += _findings(ctx)
    out += _mitigations(ctx)
    out += _filings(ctx)
    out += _ownership(ctx)
    out += _gaps(ctx)
    out += _thresholds(ctx)
    out += _sources(ctx)
    if "explain" in doc:
        out += _explain(ctx)
    out.append("</section>")
    return out


class Ctx(NamedTuple):
    doc: dict[str, Any]
    ids: Ids
    h: int
    """Level of the case's title heading; its sections are one below."""
    sources: set[str]
    """Ids of the sources the report lists (those cited by findings)."""
    same_as: dict[tuple[str, int], str]
    """Evidence printed once and referred to (screening.report.data.repeats)."""

    def heading(self, text: str, extra: str = "", below: int = 1) -> str:
        level = min(6, self.h + below)
        return f"<h{level}>{esc(text)}{' ' + extra if extra else ''}</h{level}>"

    def cite(self, ids: list[str] | tuple[str, ...]) -> str:
        """Source ids, each a link to its entry in the source list when it is listed."""
        parts = [f'<a href="{self.ids.href("source-" + s)}">{esc(s)}</a>' if s in self.sources else esc(s) for s in ids]
        return f'<span class="cites">[{", ".join(parts)}]</span>' if parts else ""

    def entity_name(self, entity_id: str) -> str:
        for e in self.doc["ownership"]["entities"]:
            if e["id"] == entity_id:
                return e["name"]
        state = state_of(entity_id)
        if state is not None:
            return f"the state of {country(state)}"
        return entity_id


def _summary(ctx: Ctx) -> list[str]:
    doc, h = ctx.doc, ctx.h
    case, pack = doc["case"], doc["rule_pack"]
    investor, target = case["investor"], case["target"]
    out = [
        f'<section class="summary" id="{ctx.ids("summary")}">',
        f'<p class="kicker">Foreign-investment screening · case <code>{esc(case["id"])}</code></p>',
        f'<h{h} class="doc-title" dir="auto">{esc(case["title"])}</h{h}>',
        f'<div class="verdict">{level_badge(doc["level"], big=True)}'
        f'<span class="score-big">{num(doc["score"])}<span class="of"> / 100</span></span>'
        f'<span class="muted">risk level and score</span></div>',
    ]
    answer = doc["answer"]
    if answer.get("filing"):  # the answer a memo opens with, right under the verdict
        out.append(f'<p class="filing-answer"><span class="label">Filing</span> {esc(answer["filing"])}</p>')
    out += [
        '<dl class="facts">',
        f"<dt>Investor → target</dt><dd>{name(investor['name'])} ({esc(country(investor['country']))}) → "
        f"{name(target['name'])} ({esc(country(target.get('country')))})</dd>",
    ]
    out.append(f"<dt>Facts as of</dt><dd>{esc(answer['facts_as_of'] or 'not given')}</dd>")
    out.append(f"<dt>Screened on</dt><dd>{esc(answer['screened_on'])}</dd>")
    if doc.get("undated"):
        out.append(f"<dt>Date</dt><dd><strong>{esc(doc['undated'])}</strong></dd>")
    if doc.get("waivers_judged_on"):
        out.append(f"<dt>Waivers judged on</dt><dd>{esc(doc['waivers_judged_on'])}</dd>")
    out += [
        f"<dt>Rule pack</dt><dd>{esc(pack['name'])} {esc(pack['version'])} ({num(pack['rules'])} rules)</dd>",
        f'<dt>Rule-pack digest</dt><dd><code class="digest">{esc(pack["digest"])}</code></dd>',
        f"<dt>Case file</dt><dd><code>{esc(case['file'])}</code></dd>",
    ]
    counted = [f for f in doc["findings"] if not f["waived"]]
    n_waived = len(doc["findings"]) - len(counted)
    out.append(
        f"<dt>Findings</dt><dd>{plural(len(doc['findings']), 'risk rule')} fired"
        f"{f' ({n_waived} waived)' if n_waived else ''}, {plural(len(doc['mitigations']), 'mitigation')}, "
        f"{plural(len(doc['gaps']), 'open question')}</dd>"
    )
    out.append("</dl>")
    for floor in doc["math"]["floors"]:
        out.append(
            f'<p class="floor-note">Level raised by floor <code>{esc(floor["id"])}</code> to '
            f"{esc(floor['level'])}: {esc(', '.join(floor['rules']))} fired. {esc(floor['reason'])}</p>"
        )
    if counted:
        items = "".join(
            f'<li><a href="{ctx.ids.href("finding-" + f["rule"])}"><code>{esc(f["rule"])}</code></a> '
            f"{esc(f['title'])} ({signed(f['points'])})</li>"
            for f in counted[:3]
        )
        out.append(f'<p class="label">Main findings</p><ul class="main-findings">{items}</ul>')
    if case.get("summary"):
        for para in case["summary"].split("\n\n"):
            if para.strip():
                out.append(f'<p class="case-summary" dir="auto">{esc(" ".join(para.split()))}</p>')
    out.append("</section>")
    return out


def _score(ctx: Ctx) -> list[str]:
    doc, ids = ctx.doc, ctx.ids
    math = doc["math"]
    out = [f'<section id="{ids("score")}">', ctx.heading("Score: from rule points to level")]
    out += _chart(ctx)
    step = math.get("exposure")
    exposure_head = '<th class="num">Exposure</th>' if step else ""
    out += [
        '<table class="math">',
        '<thead><tr><th>Category</th><th>Rules fired</th><th class="num">Points</th><th class="num">Cap</th>'
        f'<th class="num">Mitigated</th>{exposure_head}<th class="num">Score</th></tr></thead>',
        "<tbody>",
    ]
    for c in doc["categories"]:
        if c["cap"] is None and c["score"] <= 0 and not c["rules"]:
            continue
        rules = (
            ", ".join(f'<a href="{ids.href("finding-" + r)}">{esc(r)}</a>' for r in c["rules"])
            or '<span class="muted">none</span>'
        )
        cap = "–" if c["cap"] is None else num(c["cap"])
        credit = f"−{num(c['mitigation_credit'])}" if c["mitigation_credit"] else ""
        times = f"×{num(c['exposure_factor'])}" if "exposure_factor" in c else ""
        factor = f'<td class="num">{times}</td>' if step else ""
        out.append(
            f'<tr><td>{esc(c["title"])}</td><td>{rules}</td><td class="num">{num(c["raw"])}</td>'
            f'<td class="num">{cap}</td><td class="num">{credit}</td>{factor}'
            f'<td class="num">{num(c["score"])}</td></tr>'
        )
    out += [
        f'<tr class="total"><td>Total</td><td></td><td></td><td></td><td></td>{"<td></td>" if step else ""}'
        f'<td class="num">{num(math["score_from_rules"])}</td></tr>',
        "</tbody>",
        "</table>",
        '<ul class="math-notes">',
    ]
    waived = [f for f in doc["findings"] + doc["mitigations"] if f["waived"]]
    if waived:
        listed = ", ".join(f"{f['rule']} ({num(f['points'])})" for f in waived)
        on = f"; waivers judged on {doc['waivers_judged_on']}" if doc.get("waivers_judged_on") else ""
        out.append(f"<li>Waived, not counted: {esc(listed + on)}</li>")
    if step:
        out.append(f'<li title="{esc(step["rationale"])}">{esc(exposure_sentence(step))}</li>')
    levels = ", ".join(f"{lv['level']} ≥ {num(lv['min'])}" for lv in math["levels"])
    out.append(
        f"<li>Sum of category scores {num(math['subtotal'])}, clamped to 0–100 = "
        f"{num(math['score_from_rules'])} → <strong>{esc(math['level_from_score'])}</strong> "
        f"(levels: {esc(levels)})</li>"
    )
    for floor in math["floors"]:
        out.append(
            f"<li>Floor <code>{esc(floor['id'])}</code>: {esc(', '.join(floor['rules']))} fired → at least "
            f"<strong>{esc(floor['level'])}</strong>, score raised to {num(doc['score'])}. "
            f"{esc(floor['reason'])}</li>"
        )
    out += ["</ul>", "</section>"]
    return out


def _chart(ctx: Ctx) -> list[str]:
    """Horizontal bars: each category's score against its cap, the numbers written beside them."""
    cats = [c for c in ctx.doc["categories"] if c["cap"] is not None]
    label_w, bar_w, row_h, text_x = 190, 300, 30, 190 + 300 + 14
    width, height = text_x + 250, len(cats) * row_h + 8
    top = max([c["cap"] for c in cats] + [1])
    scale = bar_w / top
    summary = "; ".join(f"{c['title']} {num(c['score'])} of {num(c['cap'])}" for c in cats)
    label = f"Category scores against their caps: {summary}"
    out = [
        f'<figure id="{ctx.ids("categories-chart")}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{esc(label)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-size="13">',
        f"<title>{esc(label)}</title>",
    ]
    for i, c in enumerate(cats):
        y = 4 + i * row_h
        mid = y + row_h / 2
        title = wrap(c["title"], int(label_w / (13 * 0.6)), 1)[0]
        cap_w, score_w = c["cap"] * scale, max(0.0, c["score"]) * scale
        capped_w = max(0.0, min(c["capped"], c["cap"])) * scale
        out.append(f'<g class="bar" data-category="{esc(c["id"])}">')
        out.append(f'<text x="0" y="{mid + 4.5:.1f}" fill="#1f2328">{esc(title)}</text>')
        out.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{cap_w:.1f}" height="{row_h - 12}" fill="#eef1f4" '
            f'stroke="#8c959f" stroke-width="1"/>'
        )
        if capped_w > score_w:  # the part mitigations took back
            out.append(
                f'<rect x="{label_w + score_w:.1f}" y="{y + 6}" width="{capped_w - score_w:.1f}" '
                f'height="{row_h - 12}" fill="#b6d4f0"/>'
            )
        if score_w:
            full = c["score"] >= c["cap"]
            out.append(
                f'<rect x="{label_w}" y="{y + 6}" width="{score_w:.1f}" height="{row_h - 12}" '
                f'fill="{"#a40e26" if full else "#1f4e79"}"/>'
            )
        note = [f"{num(c['score'])} of {num(c['cap'])}"]
        if c["raw"] > c["cap"]:
            note.append(f"{num(c['raw'])} before the cap")
        if c["mitigation_credit"]:
            note.append(f"−{num(c['mitigation_credit'])} mitigated")
        rest = "".join(f'<tspan fill="#59636e"> · {esc(n)}</tspan>' for n in note[1:])
        out.append(
            f'<text x="{text_x}" y="{mid + 4.5:.1f}" fill="#1f2328">'
            f'<tspan font-weight="700">{esc(note[0])}</tspan>{rest}</text>'
        )
        out.append("</g>")
    out += [
        "</svg>",
        "<figcaption>Each bar is a category's score; the outlined track is its cap (the most the category "
        "can add), dark red when the cap is reached; light blue is what mitigations took back.</figcaption>",
        "</figure>",
    ]
    return out


def _findings(ctx: Ctx) -> list[str]:
    doc = ctx.doc
    out = [f'<section id="{ctx.ids("findings")}">', ctx.heading("Findings by category")]
    shown = False
    for cat in doc["categories"]:
        mine = [f for f in doc["findings"] if f["category"] == cat["id"]]
        if not mine:
            continue
        cap = f" of {num(cat['cap'])}" if cat["cap"] is not None else ""
        out.append(ctx.heading(cat["title"], f'<span class="cat-score">{num(cat["score"])}{cap}</span>', 2))
        for f in mine:
            out += _finding(ctx, f)
        shown = True
    known = {c["id"] for c in doc["categories"]}
    for f in doc["findings"]:
        if f["category"] not in known:
            out += _finding(ctx, f)
            shown = True
    if not shown:
        out.append("<p>No risk rule fired.</p>")
    out.append("</section>")
    return out


def _mitigations(ctx: Ctx) -> list[str]:
    mits = ctx.doc["mitigations"]
    credit = sum(-m["points"] for m in mits if not m["waived"])
    extra = f'<span class="cat-score">credit {num(credit)}</span>' if mits else ""
    out = [f'<section id="{ctx.ids("mitigations")}">', ctx.heading("Mitigations", extra)]
    if not mits:
        out.append("<p>No mitigation offered by the investor was recorded, or none earns credit.</p>")
    for f in mits:
        out += _finding(ctx, f)
    out.append("</section>")
    return out


def _finding(ctx: Ctx, f: dict[str, Any]) -> list[str]:
    waived = f["waived"]
    points = f"<del>{signed(f['points'])}</del>" if waived else signed(f["points"])
    label = WAIVED if waived else ""
    out = [
        f'<article class="finding{" waived" if waived else ""}" id="{ctx.ids("finding-" + f["rule"])}">',
        f'<div class="finding-head"><span class="points">{points}</span> '
        f'<code class="rule-id">{esc(f["rule"])}</code> '
        f'<span class="finding-title">{esc(f["title"])}{label}</span></div>',
        '<div class="detail">',
    ]
    w = f.get("waiver")
    if w and waived:
        ref = f" ({esc(w['reference'])})" if w.get("reference") else ""
        out.append(
            f'<p class="waiver"><strong>Waived</strong> through {esc(w["expires"])} by {esc(w["approver"])}'
            f'{ref}: <span dir="auto">{esc(w["reason"])}</span> ({num(abs(f["points"]))} points not counted)'
            "</p>"
        )
    elif w and w["status"] == "not_yet_granted":
        out.append(
            f'<p class="waiver expired"><strong>Waiver not yet granted</strong>: granted on '
            f"{esc(w['granted'])}, after the day judged (approved by {esc(w['approver'])}): the finding "
            f'counts. <span dir="auto">{esc(w["reason"])}</span></p>'
        )
    elif w:
        out.append(
            f'<p class="waiver expired"><strong>Waiver expired</strong> on {esc(w["expires"])} (approved by '
            f'{esc(w["approver"])}): the finding counts again. <span dir="auto">{esc(w["reason"])}</span></p>'
        )
    if f.get("rationale"):
        out.append(f'<p class="rationale">{esc(" ".join(str(f["rationale"]).split()))}</p>')
    if held(f):
        out.append(f'<p class="legal"><span class="label">Confidence</span> {esc(held(f))}</p>')
    if f["legal_basis"]:
        refs = []
        for r in f["legal_basis"]:
            text = f"{r['instrument']} {r['pinpoint']}".strip()
            anchor = link(r.get("url"), text, "ref") if safe_url(r.get("url")) else esc(text)
            refs.append(f'<span title="{esc(r.get("title") or "")}">{anchor}</span>')
        out.append(f'<p class="legal"><span class="label">Legal basis</span> {"; ".join(refs)}</p>')
    elif f.get("practice"):
        out.append(f'<p class="legal"><span class="label">Practice</span> {esc(" ".join(f["practice"].split()))}</p>')
    if f.get("mitigates"):
        titles = {c["id"]: c["title"] for c in ctx.doc["categories"]}
        mitigated = ", ".join(titles.get(c, c) for c in f["mitigates"])
        out.append(f'<p class="legal"><span class="label">Mitigates</span> {esc(mitigated)}</p>')
    if f["evidence"]:
        out.append('<ul class="evidence">')
        for i, e in enumerate(f["evidence"]):
            same = ctx.same_as.get((f["rule"], i))
            if same == SHOWN:
                continue
            if same:
                href = ctx.ids.href("finding-" + same)
                value = f'<span class="value">as in <a href="{href}">{esc(same)}</a></span>'
            else:
                value = value_html(e["value"])
            if e.get("entities"):  # each name isolated, so that a right-to-left one reads as it should
                names = [f"<bdi>{esc(ctx.entity_name(eid))}</bdi>" for eid in e["entities"]]
                value += f' <span class="from">(from {listing(names, limit=2)})</span>'
            if doubt(e):
                value += f' <span class="confidence">{esc(doubt(e))}</span>'
            if value.startswith("<ul"):  # several records: the sources first, then a record a line
                out.append(f"<li><code>{esc(e['fact'])}</code>: {ctx.cite(e['sources'])}{value}</li>")
            else:
                out.append(f"<li><code>{esc(e['fact'])}</code> = {value} {ctx.cite(e['sources'])}</li>")
        out.append("</ul>")
    out += ["</div>", "</article>"]
    return out


def value_html(value: Any) -> str:
    if isinstance(value, list) and len(value) > 1 and any(isinstance(v, dict) for v in value):
        items = "".join(f"<li>{value_html(v)}</li>" for v in value)  # records, one a line
        return f'<ul class="records">{items}</ul>'
    text = esc(value_text(value))
    direction = ' dir="auto"' if isinstance(value, str) else ""  # a composite value reads left to right
    return f'<span class="value"{direction}>{text}</span>'


# --- ownership -------------------------------------------------------------------------------------------


def _ownership(ctx: Ctx) -> list[str]:
    own = ctx.doc["ownership"]
    note = {True: "documented to the ultimate owners", False: "incomplete", None: "completeness unknown"}
    out = [
        f'<section id="{ctx.ids("ownership")}">',
        ctx.heading("Ownership and control", f'<span class="cat-score">chain {note[own["complete"]]}</span>'),
    ]
    if len(own["entities"]) <= DIAGRAM_LIMIT:
        out += diagram(with_deal(own, ctx.doc["deal"]), ctx.ids("ownership-diagram"))
        deal = ctx.doc["deal"]
        if deal["others_votes_pct"] != 0:
            others = f"{esc(deal['others_share'])}, {esc(deal['others_who'])}"
            out.append(f'<p class="deal-note">Other owners: {others}.</p>')
        out.append(f'<p class="deal-note">Control after the deal: {esc(deal["control_text"])}.</p>')
    else:  # a drawing of hundreds of boxes helps no one, and its layout grows with the square of them
        out.append(
            f'<p class="muted">{len(own["entities"]):,} entities: too many to draw; the tables below list them.</p>'
        )
    out += _entities(ctx)
    out += _control(ctx)
    out += _watchlists(ctx)
    out.append("</section>")
    return out


def _entities(ctx: Ctx) -> list[str]:
    own = ctx.doc["ownership"]
    out = [
        ctx.heading("Entities of the chain", below=2),
        '<table class="entities">',
        '<thead><tr><th>Entity</th><th>Kind</th><th>Country</th><th class="num">Levels above the investor</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    for e in sorted(own["entities"], key=lambda e: (e["depth"], e["id"])):
        kind = kind_name(e["kind"])
        kind_html = f'<span class="state-tag">{esc(kind)}</span>' if e["kind"] in STATE_KINDS else esc(kind)
        out.append(
            f'<tr><td>{name(e["name"])}<br><code class="muted small">{esc(e["id"])}</code></td>'
            f'<td>{kind_html}</td><td>{esc(country(e["country"]))}</td><td class="num">{e["depth"]}</td></tr>'
        )
    out += ["</tbody>", "</table>"]
    return out


def _control(ctx: Ctx) -> list[str]:
    own = ctx.doc["ownership"]
    an = own["analysis"]
    who = ctx.entity_name
    out = [ctx.heading("Control and state attribution", below=2)]
    if an["ultimate_controllers"]:
        top = set(an["ultimate_controllers"])
        through = [name(who(c)) for c in an["controllers"] if c not in top]
        text = listing([name(who(c)) for c in an["ultimate_controllers"]], "; ")
        if through:
            text += f" (through {listing(through)})"
    elif own["complete"]:
        text = "no one: no majority of votes or control right reaches the investor"
    else:
        text = "unknown: the chain is not documented to its ultimate owners"
    out.append(f'<p><span class="label">Controlled by</span> {text}</p>')
    if an["owners"]:
        out += [
            ctx.heading("Ultimate owners", below=3),
            '<table class="owners">',
            '<thead><tr><th>Owner</th><th>Kind</th><th class="num">Equity</th><th class="num">Votes</th>'
            '<th>Controls the investor</th><th class="num">Target votes after the deal</th></tr></thead>',
            "<tbody>",
        ]
        for o in an["owners"]:
            out.append(
                f'<tr><td>{name(o["name"])}<br><span class="muted small">{esc(country(o["country"]))}</span>'
                f'</td><td>{esc(kind_name(o["kind"]))}</td><td class="num">{pct(o["equity_pct"])}</td>'
                f'<td class="num">{pct(o["voting_pct"])}</td><td>{yes_no(o["controls"])}</td>'
                f'<td class="num">{pct(o["in_target_voting_pct"])}</td></tr>'
            )
        out += ["</tbody>", "</table>"]
    for st in an["states"]:
        out += _state(ctx, st)
    if not an["states"]:
        out.append("<p>No state is found in the chain or in its state links.</p>")
    if an["missing"]:
        items = "".join(f"<li>{esc(m)}</li>" for m in an["missing"])
        out.append(f'<p class="label">Missing stakes (interests above are lower bounds)</p><ul>{items}</ul>')
    return out


def yes_no(x: bool | None) -> str:
    return {True: "<strong>yes</strong>", False: "no", None: '<span class="muted">unknown</span>'}[x]


def _state(ctx: Ctx, st: dict[str, Any]) -> list[str]:
    who = ctx.entity_name
    head = f"State: {country(st['state'])} ({st['state']})"
    bodies = ", ".join(name(who(b)) for b in st["bodies"]) or '<span class="muted">none in the chain</span>'
    chains = "".join(
        f"<li>{' → '.join(name(who(e)) for e in c['entities'])} "
        f'<span class="muted">({pct(c["equity_pct"])})</span></li>'
        for c in st["chains"]
    )
    more = more_listed(st)
    links = "".join(
        f"<li>{esc(lk['kind'].replace('_', ' '))} on {name(who(lk['entity']))} {ctx.cite(lk['sources'])}</li>"
        for lk in st["links"]
    )
    rows = [
        ("State bodies in the chain", bodies),
        ("Effective equity in the investor", pct(st["equity_pct"])),
        ("Effective votes in the investor", pct(st["voting_pct"])),
        ("Controls the investor", yes_no(st["controls"])),
        ("Votes in the target after the deal", pct(st["in_target_voting_pct"])),
        ("CFIUS substantial interest (49% / 25%)", yes_no(st["substantial_interest"])),
        (
            "Chains",
            (f'<ol class="chains">{chains}</ol>' if chains else '<span class="muted">none</span>')
            + (f'<span class="muted">{esc(more)}</span>' if more else ""),
        ),
        ("State links", f'<ul class="chains">{links}</ul>' if links else '<span class="muted">none</span>'),
    ]
    out = [ctx.heading(head, below=3), f'<table class="kv state" data-state="{esc(st["state"])}">', "<tbody>"]
    out += [f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows]
    out += ["</tbody>", "</table>"]
    return out


def _watchlists(ctx: Ctx) -> list[str]:
    hits = ctx.doc["watchlist_hits"]
    out = [ctx.heading("Watchlists", below=2)]
    checked = ctx.doc["ownership"].get("lists_checked")
    if checked:
        out.append(f"<p>Lists checked: {esc(checked)}.</p>")
    if hits is None:
        out.append("<p>Not screened: no watchlist was given (<code>screening screen --watchlist FILE</code>).</p>")
        return out
    if not hits:
        out.append("<p>No entity of the chain matches an entry of the lists screened.</p>")
        return out
    out += [
        '<table class="hits">',
        "<thead><tr><th>Entity</th><th>Read as</th><th>Matches</th><th>List</th>"
        '<th class="num">Score</th><th>Why</th></tr></thead>',
        "<tbody>",
    ]
    for hit in hits:
        url = f"<br>{link(hit['url'])}" if hit.get("url") else ""
        out.append(
            f'<tr class="hit"><td>{name(hit["name"])}</td><td>{esc(hit["read_as"])}</td>'
            f"<td>{name(hit['matched_name'])}</td>"
            f"<td>{esc(', '.join(hit['lists']))} ({esc(str(hit['type']).replace('_', ' '))}){url}</td>"
            f'<td class="num">{num(hit["score"])}</td><td>{esc(hit["why"])}</td></tr>'
        )
    out += ["</tbody>", "</table>"]
    return out


# --- the ownership diagram -------------------------------------------------------------------------------

DIAGRAM_LIMIT = 60
"""Most entities the diagram draws."""
BOX_W, BOX_H = 240, 88
"""Size of an entity's box in the diagram (SVG user units, about CSS pixels)."""
GAP_X, ROW_GAP, LAYER_GAP, MARGIN, PER_ROW = 28, 26, 78, 20, 3
NAME_SIZE, SMALL_SIZE, LINE_H = 12.5, 10.5, 15
UNIT = NAME_SIZE * 0.56
"""Width allowed for one character of a name (bold): a capital counts 1.25, a wide (CJK) character double."""
NAME_UNITS = (BOX_W - 16) / UNIT
LABEL_SIZE = 11


def char_units(ch: str) -> float:
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1.25 if ch.isupper() else 1


def units(text: str) -> float:
    return sum(char_units(c) for c in text)


def wrap(text: str, width: float, max_lines: int) -> list[str]:
    """``text`` in lines of at most ``width`` units, breaking at spaces (inside a word when it is too long,
    as for Chinese, which has no spaces); beyond ``max_lines`` the last line ends with an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if units(joined) <= width:
            line = joined
            continue
        if line and units(word) <= width:
            lines.append(line)
            line = word
            continue
        for ch in " " + word if line else word:  # too long for a line of its own: break inside it
            if units(line + ch) > width:
                lines.append(line.rstrip())
                line = ch.lstrip()
            else:
                line += ch
    if line:
        lines.append(line)
    if len(lines) <= max_lines:
        return lines or [""]
    last = lines[max_lines - 1]
    while last and units(last) + 1 > width:
        last = last[:-1]
    return lines[: max_lines - 1] + [last.rstrip(" ,;:-") + "…"]


def rtl(text: str) -> bool:
    """Whether the text's first strong character is right-to-left (Arabic, Hebrew...)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


class Box(NamedTuple):
    x: float
    y: float

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2


class Layout(NamedTuple):
    boxes: dict[str, Box]
    width: float
    bottom: float
    """The bottom of the lowest box."""
    rows: dict[int, list[list[str]]]
    """Each depth's rows of entity ids, top row first."""


def layout(entities: list[dict[str, Any]], top: float = 0.0) -> Layout:
    """Where each entity's box goes.

    Layers by depth, the investor (depth 0) at the bottom and the ultimate owners at the top; within a
    layer, entities in order of id, at most PER_ROW to a row, the rows of a layer stacked and centred.
    """
    layers: dict[int, list[str]] = {}
    for e in entities:
        layers.setdefault(int(e["depth"]), []).append(e["id"])
    widest = max((min(len(v), PER_ROW) for v in layers.values()), default=1)
    inner = widest * BOX_W + (widest - 1) * GAP_X
    boxes: dict[str, Box] = {}
    rows: dict[int, list[list[str]]] = {}
    y = MARGIN + 6.0 + top
    for depth in sorted(layers, reverse=True):
        members = sorted(layers[depth])
        rows[depth] = [members[i : i + PER_ROW] for i in range(0, len(members), PER_ROW)]
        for r, row in enumerate(rows[depth]):
            row_w = len(row) * BOX_W + (len(row) - 1) * GAP_X
            x0 = MARGIN + (inner - row_w) / 2
            for i, eid in enumerate(row):
                boxes[eid] = Box(x0 + i * (BOX_W + GAP_X), y)
            y += BOX_H + (ROW_GAP if r < len(rows[depth]) - 1 else LAYER_GAP)
    return Layout(boxes, inner + 2 * MARGIN, y - LAYER_GAP, rows)


def _channel(x: float, blocked: list[tuple[float, float]]) -> float:
    """The x nearest to ``x`` where a vertical line passes between the boxes spanning ``blocked``."""
    spans = sorted(blocked)
    if not any(a - 4 <= x <= b + 4 for a, b in spans):
        return x
    merged: list[list[float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 8:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    free = [merged[0][0] - GAP_X / 2, merged[-1][1] + GAP_X / 2]
    free += [(m[1] + n[0]) / 2 for m, n in zip(merged, merged[1:], strict=False)]
    return min(free, key=lambda c: (abs(c - x), c))


def edge_label(edge: dict[str, Any]) -> list[str]:
    lines = []
    if edge["equity_pct"] is not None:
        before = edge.get("before_pct")
        lines.append(
            f"{shown(before, '%')} → {shown(edge['equity_pct'], '%')}" if before else shown(edge["equity_pct"], "%")
        )
    if edge["voting_pct"] is not None and edge["voting_pct"] != edge["equity_pct"]:
        lines.append(f"votes {shown(edge['voting_pct'], '%')}")
    if edge["rights"]:
        lines.append(", ".join(r.replace("_", " ") for r in edge["rights"]))
    if not lines:
        lines.append("stake unknown")
    if edge["controlling"] and edge["owner"] == OTHERS:
        lines.append("a majority together")
    elif edge["controlling"]:
        lines.append("controls (stated)" if edge.get("control_stated") else "controls")
    if len(lines) > 3:
        lines = [" · ".join(lines[:-2])] + lines[-2:]
    return lines


def _spread(n: int) -> list[float]:
    """Offsets from a box's centre for ``n`` arrow ends along one of its sides."""
    if n <= 1:
        return [0.0]
    step = min(40.0, (BOX_W - 48) / (n - 1))
    return [(i - (n - 1) / 2) * step for i in range(n)]


TARGET, OTHERS = "@target", "@others"
"""Ids of the two boxes the deal adds to the drawing (no entity id starts with @)."""


def with_deal(own: dict[str, Any], deal: dict[str, Any]) -> dict[str, Any]:
    """The ownership section's data with the deal drawn in: the target below the investor, the investor's stake
    in it (before → after), and the other owners' votes beside the investor."""

    def plain(x: Any) -> Any:  # a lower bound as its number (the drawing's convention); other forms as written
        return x["at_least"] if isinstance(x, dict) and set(x) == {"at_least"} else x

    entities = [
        *own["entities"],
        {
            "id": TARGET,
            "name": deal["target"]["name"],
            "country": deal["target"]["country"],
            "kind": "target",
            "depth": -1,
        },
    ]
    edges = [
        *own["edges"],
        {
            "owner": own["investor"],
            "owned": TARGET,
            "equity_pct": plain(deal["stake_after_pct"]),
            "voting_pct": plain(deal["votes_after_pct"]),
            "before_pct": plain(deal["stake_before_pct"]),
            "rights": ["veto"] if deal.get("veto_rights") else [],
            "controlling": deal["control"] == "investor",
        },
    ]
    # the others' share as far as the investor's votes tell it (no box when those are unknown: the note below the
    # drawing says so); never drawn as one controller
    if deal["others_votes_pct"] != 0 and deal["votes_after_pct"] is not None:
        entities.append({"id": OTHERS, "name": "Other owners", "country": None, "kind": "others", "depth": 0})
        edges.append(
            {
                "owner": OTHERS,
                "owned": TARGET,
                "equity_pct": None,
                "voting_pct": plain(deal["others_votes_pct"]),
                "rights": [],
                "controlling": False,
            }
        )
    return {**own, "entities": entities, "edges": edges}


def diagram(own: dict[str, Any], svg_id: str) -> list[str]:
    """The ownership chain as an SVG drawing: one box per entity, one arrow (owner → owned) per edge.

    An owner normally stands one layer above what it owns and its arrow goes straight down. A holding
    within a layer is drawn as a dashed bracket over the boxes; one back down the chain (a cross-holding
    or a cycle) as a dashed path out of the owner's bottom, up a lane right of all the boxes, and into the
    owned entity from below, so it never crosses a box.
    """
    entities = own["entities"]
    depth = {e["id"]: int(e["depth"]) for e in entities}
    ids = {e["id"] for e in entities}
    edges = [(i, e) for i, e in enumerate(own["edges"]) if e["owner"] in ids and e["owned"] in ids]
    up = [(i, e) for i, e in edges if depth[e["owner"]] > depth[e["owned"]]]
    level = [e for _, e in edges if depth[e["owner"]] == depth[e["owned"]]]
    back = [e for _, e in edges if depth[e["owner"]] < depth[e["owned"]]]
    lay = layout(entities, 14 + 7 * len(level) if level else 0)
    boxes, width, bottom = lay.boxes, lay.width, lay.bottom
    row_of = {eid: (d, r) for d, rows in lay.rows.items() for r, row in enumerate(rows) for eid in row}
    # where each downward arrow leaves its owner (bottom side) and reaches what it owns (top side)
    start: dict[int, float] = {}
    end: dict[int, float] = {}
    stagger: dict[int, float] = {}  # labels of many arrows into one box alternate up and down
    for key, side, other in (("owner", start, "owned"), ("owned", end, "owner")):
        groups: dict[str, list[tuple[float, str, int]]] = {}
        for i, e in up:
            groups.setdefault(e[key], []).append((boxes[e[other]].cx, e[other], i))
        for eid, items in groups.items():
            for j, (offset, (_, _, i)) in enumerate(zip(_spread(len(items)), sorted(items), strict=True)):
                side[i] = boxes[eid].cx + offset
                stagger[i] = (-13 if j % 2 == 0 else 13) if len(items) > 2 else 0
    right = max((b.x + BOX_W for b in boxes.values()), default=0.0)
    if back:
        width = max(width, right + 26 + 22 * len(back) + 50)
    height = bottom + 30 + 7 * len(back)
    n_state = sum(1 for e in entities if e["kind"] in STATE_KINDS)
    aria = (
        f"Ownership chain: {plural(len(entities), 'entity', 'entities')} ({n_state} of them state bodies, "
        f"state-owned or sovereign funds), {plural(len(own['edges']), 'ownership link')}; owners above, "
        + (
            "the target of the deal at the bottom, the investor above it"
            if TARGET in depth
            else "the investor at the bottom"
        )
    )
    out = [
        '<figure class="diagram">',
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}" role="img" aria-label="{esc(aria)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
        f"<title>{esc(aria)}</title>",
    ]
    labels: list[str] = []
    for i, e in up:
        owner, owned = boxes[e["owner"]], boxes[e["owned"]]
        points = [(start[i], owner.y + BOX_H)]
        d, r = row_of[e["owner"]]
        below = lay.rows[d][r + 1 :]
        if below:  # an upper row of a wide layer: down between the boxes of the rows below it first
            blocked = [(boxes[b].x, boxes[b].x + BOX_W) for row in below for b in row]
            x = _channel(start[i], blocked)
            if x != start[i]:
                points += [(start[i], owner.y + BOX_H + ROW_GAP / 2), (x, owner.y + BOX_H + ROW_GAP / 2)]
            points.append((x, boxes[below[-1][0]].y + BOX_H))
        points.append((end[i], owned.y))
        (x1, y1), (x2, y2) = points[-2:]
        mid_y = y2 - LAYER_GAP / 2 + stagger[i]
        lx = x1 + (x2 - x1) * ((mid_y - y1) / (y2 - y1) if y2 != y1 else 0.5)
        out.append(_edge(e, points))
        labels.append(_edge_label(e, lx, mid_y))
    corner = BOX_W / 2 - 22
    for k, e in enumerate(level):
        owner, owned = boxes[e["owner"]], boxes[e["owned"]]
        sign = 1 if owned.cx >= owner.cx else -1
        xs, xe = owner.cx + sign * (corner - 8 * k), owned.cx - sign * (corner - 8 * k)
        ya = min(owner.y, owned.y) - 12 - 7 * k
        out.append(_edge(e, [(xs, owner.y), (xs, ya), (xe, ya), (xe, owned.y)], dashed=True))
        labels.append(_edge_label(e, (xs + xe) / 2, ya))
    for k, e in enumerate(back):
        owner, owned = boxes[e["owner"]], boxes[e["owned"]]
        lane = right + 26 + 22 * k
        xs, ys, yb = owner.cx + corner - 8 * k, owner.y + BOX_H, owner.y + BOX_H + 10 + 7 * k
        xe, ye, yt = owned.cx + corner - 8 * k, owned.y + BOX_H, owned.y + BOX_H + 10 + 7 * k
        out.append(_edge(e, [(xs, ys), (xs, yb), (lane, yb), (lane, yt), (xe, yt), (xe, ye)], dashed=True))
        labels.append(_edge_label(e, lane, (yb + yt) / 2))
    by_id = {e["id"]: e for e in entities}
    for eid in sorted(boxes, key=lambda k: (-depth[k], k)):
        out += _box(by_id[eid], boxes[eid], eid == own["investor"], TARGET in depth)
    out += labels
    out.append("</svg>")
    out.append(_legend())
    out.append("</figure>")
    return out


def _edge(e: dict[str, Any], points: list[tuple[float, float]], dashed: bool = False) -> str:
    """An arrow along ``points``, its head at the last one."""
    control = e["controlling"]
    colour, stroke = ("#6e40c9", 2.8) if control else ("#57606a", 1.4)
    cls = "edge" + (" controlling" if control else "") + (" back" if dashed else "")
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    (bx, by), (tx, ty) = points[-2], points[-1]
    dx, dy = tx - bx, ty - by
    size = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / size, dy / size
    head = 10 if control else 8
    half = head * 0.5
    base_x, base_y = tx - ux * head, ty - uy * head
    path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points[:-1]) + f" L{base_x:.1f},{base_y:.1f}"
    tip = (
        f"{tx:.1f},{ty:.1f} {base_x - uy * half:.1f},{base_y + ux * half:.1f} "
        f"{base_x + uy * half:.1f},{base_y - ux * half:.1f}"
    )
    what = f"{e['owner']} owns {e['owned']}: {' '.join(edge_label(e))}"
    return (
        f'<g class="{cls}" data-owner="{esc(e["owner"])}" data-owned="{esc(e["owned"])}">'
        f"<title>{esc(what)}</title>"
        f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{stroke}" stroke-linejoin="round"{dash}/>'
        f'<polygon points="{tip}" fill="{colour}"/></g>'
    )


def _edge_label(e: dict[str, Any], x: float, y: float) -> str:
    """The label of an arrow, centred on (x, y), on a white ground so that no line runs through it."""
    lines = edge_label(e)
    colour = "#4c2889" if e["controlling"] else "#1f2328"
    step = LABEL_SIZE + 1.5
    top = y - (len(lines) - 1) * step / 2 + LABEL_SIZE * 0.35
    wide = max(units(line) for line in lines) * LABEL_SIZE * 0.58 + 6
    high = len(lines) * step + 3
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{top + i * step:.1f}"{BOLD if line.startswith("controls") else ""}>{esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<g><rect x="{x - wide / 2:.1f}" y="{y - high / 2:.1f}" width="{wide:.1f}" height="{high:.1f}" rx="3" '
        f'fill="#ffffff" fill-opacity="0.92"/><text class="edge-label" text-anchor="middle" '
        f'font-size="{LABEL_SIZE}" fill="{colour}">{spans}</text></g>'
    )


def _box(e: dict[str, Any], box: Box, investor: bool, deal: bool = False) -> list[str]:
    state = e["kind"] in STATE_KINDS
    fill, stroke, width = ("#fde7e9", "#a40e26", 1.6) if state else ("#f6f8fa", "#57606a", 1.2)
    dash = ""
    if investor:
        fill, stroke, width = ("#fde7e9" if state else "#eaf2fb"), ("#a40e26" if state else "#1f4e79"), 2.6
    elif e["id"] == TARGET:
        fill, stroke, width = "#e6f4ea", "#1a7f37", 2.6
    elif e["id"] == OTHERS:
        dash = ' stroke-dasharray="5 3"'
    lines = wrap(e["name"], NAME_UNITS, 3)
    kind = kind_name(e["kind"])
    where = e["country"] or "?"
    detail = f"{kind} · {where}"
    if e["id"] == OTHERS:
        detail = "together · holders not stated"
    elif e["id"] == TARGET:
        detail = f"TARGET · {where}"
    elif investor and deal:
        detail = f"INVESTOR · {kind} · {where}"
    detail = wrap(detail, int((BOX_W - 16) / (SMALL_SIZE * 0.6)), 1)[0]
    block = len(lines) * LINE_H + 4 + SMALL_SIZE
    top = box.y + (BOX_H - block) / 2 + NAME_SIZE - 1
    cls = "entity" + (" state" if state else "") + (" investor" if investor else "")
    direction = ' direction="rtl"' if rtl(e["name"]) else ""
    out = [
        f'<g class="{cls}" data-id="{esc(e["id"])}" data-kind="{esc(e["kind"] or "")}">',
        f"<title>{esc(e['name'])} ({esc(kind)}, {esc(country(e['country']))})</title>",
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="{width}"{dash}/>',
        f'<text class="entity-name" text-anchor="middle" font-size="{NAME_SIZE}" font-weight="600" '
        f'fill="#1f2328"{direction}>'
        + "".join(
            f'<tspan x="{box.cx:.1f}" y="{top + i * LINE_H:.1f}">{esc(line)}</tspan>' for i, line in enumerate(lines)
        )
        + "</text>",
        f'<text class="entity-kind" x="{box.cx:.1f}" y="{top + (len(lines) - 1) * LINE_H + 4 + SMALL_SIZE + 2:.1f}" '
        f'text-anchor="middle" font-size="{SMALL_SIZE}" fill="{"#a40e26" if state else "#59636e"}"'
        f"{BOLD if state else ''}>{esc(detail)}</text>",
    ]
    if investor and not deal:  # with the deal drawn, the arrow to the target leaves from here: the kind says it
        out.append(
            f'<text x="{box.cx:.1f}" y="{box.y + BOX_H + 16:.1f}" text-anchor="middle" font-size="{SMALL_SIZE}" '
            f'font-weight="700" fill="#1f4e79" letter-spacing="0.08em">INVESTOR</text>'
        )
    out.append("</g>")
    return out


def _legend() -> str:
    def swatch(body: str) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="34" height="16" viewBox="0 0 34 16" '
            f'aria-hidden="true">{body}</svg>'
        )

    items = [
        (
            swatch('<rect x="1" y="1" width="32" height="14" rx="3" fill="#f6f8fa" stroke="#57606a"/>'),
            "company, fund or person",
        ),
        (
            swatch(
                '<rect x="1" y="1" width="32" height="14" rx="3" fill="#fde7e9" stroke="#a40e26" stroke-width="1.6"/>'
            ),
            "state body, state-owned enterprise or sovereign fund (red, labelled with its kind)",
        ),
        (
            swatch(
                '<rect x="1.5" y="1.5" width="31" height="13" rx="3" fill="#eaf2fb" stroke="#1f4e79" '
                'stroke-width="2.6"/>'
            ),
            "the investor (above the target of the deal)",
        ),
        (
            swatch(
                '<rect x="1.5" y="1.5" width="31" height="13" rx="3" fill="#e6f4ea" stroke="#1a7f37" '
                'stroke-width="2.6"/>'
            ),
            "the target, at the bottom, with the stake bought (before → after) and the other owners' votes",
        ),
        (
            swatch(
                '<path d="M2,8 L24,8" stroke="#57606a" stroke-width="1.4"/><polygon points="32,8 24,4 24,12" '
                'fill="#57606a"/>'
            ),
            "owner → owned, labelled with the equity held",
        ),
        (
            swatch(
                '<path d="M2,8 L22,8" stroke="#6e40c9" stroke-width="2.8"/><polygon points="32,8 22,3 22,13" '
                'fill="#6e40c9"/>'
            ),
            "controlling link, thick purple, labelled “controls”",
        ),
        (
            swatch(
                '<path d="M2,8 L24,8" stroke="#57606a" stroke-width="1.4" stroke-dasharray="6 4"/>'
                '<polygon points="32,8 24,4 24,12" fill="#57606a"/>'
            ),
            "dashed: a holding within a level or back down the chain (cross-holding or cycle)",
        ),
    ]
    lis = "".join(f"<li>{svg}<span>{esc(text)}</span></li>" for svg, text in items)
    return (
        f'<figcaption><ul class="legend">{lis}</ul>Owners stand above what they own, by number of levels above '
        "the target; boxes of one level are in order of id. Long names are cut short in the drawing; the "
        "table below gives them in full.</figcaption>"
    )


# --- gaps, sources, explanation --------------------------------------------------------------------------


OUTCOME_CLASS = {
    "mandatory": "critical",
    "voluntary": "medium",
    "call_in": "high",
    "undetermined": "unknown",
    "out_of_scope": "low",
    "not_in_force": "unknown",
}


def outcome_badge(d: dict[str, Any]) -> str:
    return f'<span class="level level-{OUTCOME_CLASS[d["outcome"]]}">{esc(d["outcome_text"])}</span>'


def _filings(ctx: Ctx) -> list[str]:
    from screening.report.data import BASIS

    f = ctx.doc.get("filings")
    if not f:
        return []
    out = [
        f'<section id="{ctx.ids("filings")}">',
        ctx.heading("Where to file"),
        f"<p>The law in force on <strong>{esc(f['judged_on'])}</strong> ({esc(BASIS[f['basis']])}).</p>",
    ]
    if f.get("not_covered"):
        out.append(
            f'<p class="alert"><strong>No regime in this pack covers {esc(country(f["not_covered"]))}:'
            "</strong> check its national rules.</p>"
        )
    if f.get("uncaught_open_text"):
        out.append(f'<p class="alert"><strong>{esc(f["uncaught_open_text"])}</strong></p>')
    if f["uncaught_risk"]:
        out.append(
            f'<p class="alert"><strong>{esc(ctx.doc["level"].capitalize())} risk ({num(ctx.doc["score"])}) '
            f"that no filing obligation catches:</strong> no regime requires a filing on "
            f"{esc(f['judged_on'])} or under today's law.</p>"
        )
    if f["regimes"]:
        out.append('<table class="filings"><thead><tr><th>regime</th><th>outcome</th><th>why</th></tr></thead><tbody>')
        for d in f["regimes"]:
            out.append(
                f'<tr><th scope="row">{esc(d["regime"])}<br><span class="muted small">{esc(d["name"])}'
                f"</span></th><td>{outcome_badge(d)}</td><td>{_decision(d)}"
            )
            if d.get("today"):
                now = d["today"]
                out.append(
                    f'<p class="today">Under today\'s law ({esc(now["judged_on"])}): {outcome_badge(now)}</p>'
                    + _decision(now)
                )
            out.append("</td></tr>")
        out.append("</tbody></table>")
    if f["not_reached"]:
        out.append(
            '<p class="muted small">Not reached: '
            + ", ".join(f"{esc(n['regime'])} ({esc(n['name'])})" for n in f["not_reached"])
            + ".</p>"
        )
    return out + ["</section>"]


def _decision(d: dict[str, Any]) -> str:
    from screening.report.data import decision_notes

    rule = d["rule"]
    head = f"<p><code>{esc(rule['id'])}</code> {esc(rule['title'])}</p>" if rule else ""
    items = "".join(f'<li><span class="muted">{esc(key)}</span> {esc(text)}</li>' for key, text in decision_notes(d))
    return head + (f'<ul class="notes">{items}</ul>' if items else "")


def _gaps(ctx: Ctx) -> list[str]:
    gaps = ctx.doc["gaps"]
    out = [f'<section id="{ctx.ids("gaps")}">']
    if not gaps:
        out += [
            ctx.heading("Information gaps"),
            "<p>None: every rule was decided on the facts given.</p>",
            "</section>",
        ]
        return out
    out += [
        ctx.heading("Information gaps: questions to put to the investor"),
        '<p class="muted">Each answer would decide rules the case leaves undecided, the most it could move the '
        "score first. <em>Could add</em>: the score points the case would gain if the answer fired every rule it "
        "decides, scored as above (caps, exposure, floors); <em>rule pts</em>: the weights of the risk rules it "
        "decides, summed; <em>could take off</em>: the same for the mitigations it decides.</p>",
        '<ol class="gaps">',
    ]
    for g in gaps:
        facts = ", ".join(f"<code>{esc(f)}</code>" for f in g["facts"])
        off = g.get("could_take_off") or 0
        badge = (
            f"−{num(off)}" if takes_off_only(g["could_add"], off, g["points_at_stake"]) else f"+{num(g['could_add'])}"
        )
        out.append(
            f'<li><p><span class="stake" title="what the answer could do to the score">{badge}</span> '
            f"{esc(g['question'])}</p>"
            f'<p class="muted small">{esc(moves(g))} ({num(g["points_at_stake"])} rule pts); settles {facts}; '
            f"decides {esc(', '.join(g['rules']))}</p></li>"
        )
    out += ["</ol>", "</section>"]
    return out


def _thresholds(ctx: Ctx) -> list[str]:
    near = ctx.doc.get("thresholds") or []
    if not near:
        return []
    out = [
        f'<section id="{ctx.ids("thresholds")}">',
        ctx.heading("Near thresholds"),
        '<p class="muted">A small change in the deal would change these tests.</p>',
        "<ul>",
    ]
    out += [f"<li>{esc(t['text'])}</li>" for t in near[:10]]
    return out + ["</ul>", "</section>"]


def _sources(ctx: Ctx) -> list[str]:
    sources = ctx.doc["sources"]
    out = [f'<section id="{ctx.ids("sources")}">', ctx.heading("Sources cited")]
    out += _source_list(ctx, sources) if sources else ["<p>No finding cites a source.</p>"]
    out.append("</section>")
    if ctx.doc.get("other_sources"):
        out += [f'<section id="{ctx.ids("other-sources")}">', ctx.heading("Other sources of the case")]
        out += _source_list(ctx, ctx.doc["other_sources"]) + ["</section>"]
    return out


def _source_list(ctx: Ctx, sources: list[dict[str, Any]]) -> list[str]:
    out = ['<ol class="sources">']
    for s in sources:
        meta = ", ".join(esc(x) for x in (s.get("publisher"), s.get("date")) if x)
        parts = [f'<span class="source-id">{esc(s["id"])}</span>', f'<cite dir="auto">{esc(s["title"])}</cite>']
        if meta:
            parts.append(f'<span class="muted">({meta})</span>')
        if s.get("url"):
            parts.append(f"<br>{link(s['url'])}")
        if s.get("accessed"):
            parts.append(f'<span class="muted small"> accessed {esc(s["accessed"])}</span>')
        if s.get("note"):
            parts.append(f'<br><span class="muted small" dir="auto">{esc(" ".join(str(s["note"]).split()))}</span>')
        out.append(f'<li id="{ctx.ids("source-" + s["id"])}">{" ".join(parts)}</li>')
    return out + ["</ol>"]


def _explain(ctx: Ctx) -> list[str]:
    out = [
        f'<section id="{ctx.ids("explain")}">',
        ctx.heading("Explanation: every rule, with the value of each test"),
        '<ol class="explain">',
    ]
    for item in ctx.doc["explain"]:
        outcome = item["outcome"]
        waived = WAIVED if item.get("waived") else ""
        out.append(
            f'<li><code class="rule-id">{esc(item["rule"])}</code> '
            f'<span class="outcome-{outcome.replace(" ", "-")}">{esc(outcome)}</span> '
            f'{esc(item["title"])}{waived}<ul class="cond">{_explain_node(item["condition"])}</ul></li>'
        )
    out += ["</ol>", "</section>"]
    return out


def _explain_node(node: dict[str, Any]) -> str:
    word = TRUTH[node["value"]]
    truth = f'<span class="truth-{word}">{word}</span>'
    if "fact" in node:
        actual = "unknown" if node["actual"] is None else value_text(node["actual"])
        if len(actual) > 240:
            actual = actual[:237] + "..."
        more = ", possibly more" if node.get("partial") else ""
        return (
            f"<li><code>{esc(node['test'])}</code> → {truth} "
            f'<span class="actual">({esc(node["fact"])} = {esc(actual)}{more})</span></li>'
        )
    kind = next(k for k in ("all", "any", "not") if k in node)
    children = "".join(_explain_node(c) for c in node[kind])
    return f'<li><strong>{kind}</strong> → {truth}<ul class="cond">{children}</ul></li>'
