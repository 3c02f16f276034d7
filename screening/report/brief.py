"""The brief (``screen --brief``): a memo's first two A4 pages, as text, Markdown or HTML.

Verdict and filing answer, where to file (one line a regime), the main findings (titles and points), the deal
(target, stake, the other owners, who controls the investor) and the open questions that weigh most. It is
made from the JSON report's data (:func:`screening.report.data.report`), so it says what the full report says,
shorter; the full report has the evidence, the arithmetic, the whole ownership chain and the sources.
"""

from __future__ import annotations

from typing import Any

from screening.decision.engine import Result
from screening.infra.text import num
from screening.report import Options
from screening.report.data import BASIS, could_make, deal_lines, listing, moves, report

FINDINGS = 8
"""Findings the brief lists (the highest points first); the others are counted."""
QUESTIONS = 5
"""Open questions the brief lists (those whose answer could move the score most first)."""


def render(results: list[Result], fmt: str, options: Options) -> str:
    """The brief of each case, in ``fmt`` (text, markdown or html)."""
    briefs = [brief(report(r)) for r in results]
    if fmt == "markdown":
        return "\n---\n\n".join(_markdown(b) for b in briefs)
    if fmt == "html":
        return _html(briefs)
    return _text(briefs, options)


def brief(doc: dict[str, Any]) -> dict[str, Any]:
    """What the brief shows of one case's report ``doc``."""
    case, answer = doc["case"], doc["answer"]
    counted = [f for f in doc["findings"] if not f["waived"]]
    own = doc["ownership"]["analysis"]
    names = {e["id"]: e["name"] for e in doc["ownership"]["entities"]}
    filings = doc.get("filings") or {}
    controllers = [names.get(c) or _state(c) for c in own["ultimate_controllers"]]
    states = [
        f"{_state('state:' + s['state'])}: {'controls the investor' if s['controls'] else 'holds a stake'}"
        for s in own["states"]
        if s["controls"] or s["equity_pct"]
    ]
    return {
        "id": case["id"],
        "title": case["title"],
        "level": doc["level"],
        "score": doc["score"],
        "filing": answer["filing"],
        "dates": f"facts as of {answer['facts_as_of'] or 'not given'} · screened on {answer['screened_on']}",
        "parties": f"{case['investor']['name']} ({case['investor']['country'] or '?'}) → "
        f"{case['target']['name']} ({case['target']['country'] or '?'})",
        "pack": f"rule pack {doc['rule_pack']['name']} {doc['rule_pack']['version']}",
        "judged_on": f"The law in force on {filings['judged_on']} ({BASIS[filings['basis']]})" if filings else None,
        "regimes": [
            (
                d["regime"],
                d["outcome_text"],
                _reason(d)
                + (f"; {d['unconfirmed']['text']}" if d.get("unconfirmed") and d["rule"] else "")
                + (f"; judged {d['judged_text']}" if d.get("judged_text") else ""),
                "; ".join(f"{p['phase']} {p['days']} {p['unit']}" for p in d["review"]),
                f"today: {d['today']['outcome_text']}" if d.get("today") else "",
            )
            for d in filings.get("regimes", ())
        ],
        "alerts": _alerts(doc, filings),
        "findings": [(f["rule"], f["points"], f["title"]) for f in counted[:FINDINGS]],
        "more_findings": len(counted) - min(len(counted), FINDINGS),
        "mitigations": [(f["rule"], f["points"], f["title"]) for f in doc["mitigations"] if not f["waived"]],
        "deal": deal_lines(doc["deal"], case["investor"]["name"]),
        "target": doc["deal"]["target"]["name"],
        "controlled_by": listing(controllers, "; ") if controllers else "no one identified",
        "states": states,
        "complete": doc["ownership"]["complete"],
        "questions": [(g["question"], moves(g)) for g in doc["gaps"][:QUESTIONS]],
        "more_questions": max(0, len(doc["gaps"]) - QUESTIONS),
    }


def _state(entity: str) -> str:
    """``the state of China (CN)`` for the id ``state:CN`` the chain gives a state; any other id as it is."""
    from screening.case import countries

    code = entity.removeprefix("state:")
    return f"the state of {countries.name(code)} ({code})" if entity.startswith("state:") else entity


def _reason(d: dict[str, Any]) -> str:
    """A regime's answer in one line: the trigger that decided it; for an undetermined answer the question that
    could decide it (not a trigger found not met, nor "the same throughout", which say nothing of why it is open);
    else the first reason."""
    if d["rule"]:
        return f"{d['rule']['id']} {d['rule']['title']}"
    if d["outcome"] == "undetermined" and d["questions"]:
        q, more = d["questions"][0], len(d["questions"]) - 1
        also = f"; {more} more question{'s' if more > 1 else ''} in the full report" if more else ""
        return f"open: {q['question']} ({could_make(d, q)}){also}"
    why = [w for w in d["why"] if not w.startswith("The same throughout")] or d["why"]
    return why[0] if why else ""


def _alerts(doc: dict[str, Any], filings: dict[str, Any]) -> list[str]:
    from screening.case import countries

    out = []
    if filings.get("not_covered"):
        out.append(f"No regime in this pack covers {countries.name(filings['not_covered'])}: check its national rules.")
    if filings.get("uncaught_open_text"):
        out.append(filings["uncaught_open_text"])
    if filings.get("uncaught_risk"):
        out.append(
            f"{doc['level'].capitalize()} risk ({num(doc['score'])}) that no filing obligation catches on "
            f"{filings['judged_on']}."
        )
    return out


def _signed(x: float) -> str:
    return f"+{num(x)}" if x > 0 else num(x)


# ---------------------------------------------------------------------------------------------- text


def _text(briefs: list[dict[str, Any]], options: Options) -> str:
    from screening.report import layout
    from screening.report.layout import Text

    parts: list[Any] = []

    def hang(lead: str, body: str, indent: int, style: str = "") -> None:
        parts.extend(
            layout.hang(
                Text(lead, style="bold" if lead.strip() else ""), Text(body, style=style), options.width, indent, 0
            )
        )

    def heading(title: str) -> None:
        parts.extend([Text(""), Text(title, style="bold underline")])

    for i, b in enumerate(briefs):
        if i:
            parts.append(Text("─" * options.width, style="dim"))
        hang(b["id"], f": {b['title']}", 2)
        parts.append(Text(f"  {b['level'].upper()}  score {num(b['score'])}/100", style="bold"))
        if b["filing"]:
            hang("  filing: ", b["filing"], 4, "bold")
        for line in (b["parties"], b["dates"], b["pack"]):
            hang("  ", line, 2)
        if b["regimes"]:
            heading("Where to file")
            hang("  ", b["judged_on"], 2, "italic")
            for regime, outcome, why, review, today in b["regimes"]:
                extra = "; ".join(x for x in (why, f"review {review}" if review else "", today) if x)
                hang(f"  {regime:<3} ", f"{outcome.upper()}  {extra}", 6)
        for alert in b["alerts"]:
            hang("  ! ", alert, 4, "bold")
        heading("Main findings")
        for rule, points, title in b["findings"]:
            hang(f"  {rule:<7}{_signed(points):>4}  ", title, 15)
        if not b["findings"]:
            hang("  ", "no risk rule fired", 2)
        if b["more_findings"]:
            hang("  ", f"and {b['more_findings']} more in the full report", 2, "dim")
        for rule, points, title in b["mitigations"]:
            hang(f"  {rule:<7}{_signed(points):>4}  ", title, 15)
        heading("The deal")
        hang("  target: ", b["target"], 4)
        for line in b["deal"]:
            hang("  ", line, 4)
        hang("  investor controlled by: ", b["controlled_by"], 4)
        for line in b["states"]:
            hang("  ", line, 4)
        heading("Open questions")
        for n, (question, moved) in enumerate(b["questions"], 1):
            hang(f"  {n}. ", f"{question} ({moved})", 5)
        if not b["questions"]:
            hang("  ", "none: every rule was decided", 2)
        if b["more_questions"]:
            hang("  ", f"and {b['more_questions']} more in the full report", 2, "dim")
    return layout.emit(parts, options.width, options.color)


# ---------------------------------------------------------------------------------------------- Markdown


def _markdown(b: dict[str, Any]) -> str:
    from screening.report.markdown import esc

    out = [
        f"# {esc(b['id'])}: {esc(b['title'])}",
        "",
        f"**{esc(b['level'].upper())}**, score **{num(b['score'])}/100**",
        "",
    ]
    if b["filing"]:
        out += [f"**Filing:** {esc(b['filing'])}", ""]
    out += [f"- {esc(b['parties'])}", f"- {esc(b['dates'])}", f"- {esc(b['pack'])}", ""]
    if b["regimes"]:
        out += [
            "## Where to file",
            "",
            esc(b["judged_on"]) + ".",
            "",
            "| regime | outcome | trigger or reason | review |",
            "| --- | --- | --- | --- |",
        ]
        for regime, outcome, why, review, today in b["regimes"]:
            now = "<br>" + esc(today) if today else ""
            out.append(f"| **{esc(regime)}** | {esc(outcome)}{now} | {esc(why)} | {esc(review)} |")
        out.append("")
    out += [f"**{esc(a)}**" + "\n" for a in b["alerts"]]
    out += ["## Main findings", ""]
    out += [
        f"- **{esc(rule)}** {_signed(points)} {esc(title)}" for rule, points, title in b["findings"] + b["mitigations"]
    ]
    if not b["findings"]:
        out.append("- No risk rule fired.")
    if b["more_findings"]:
        out.append(f"- and {b['more_findings']} more in the full report")
    out += ["", "## The deal", "", f"- **Target:** {esc(b['target'])}"]
    out += [f"- {esc(line)}" for line in b["deal"]]
    out.append(f"- **Investor controlled by:** {esc(b['controlled_by'])}")
    out += [f"- {esc(line)}" for line in b["states"]]
    out += ["", "## Open questions", ""]
    out += [f"{n}. {esc(q)} ({moved})" for n, (q, moved) in enumerate(b["questions"], 1)]
    if not b["questions"]:
        out.append("None: every rule was decided.")
    if b["more_questions"]:
        out.append(f"\nand {b['more_questions']} more in the full report")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------- HTML


def _html(briefs: list[dict[str, Any]]) -> str:
    from screening import __version__
    from screening.report.html import esc, level_badge, page_head

    title = f"Screening brief: {briefs[0]['id']}" if len(briefs) == 1 else f"Screening brief: {len(briefs)} cases"
    out = page_head(title)
    for b in briefs:
        out += [
            f'<section class="case brief" id="case-{esc(b["id"])}">',
            f'<p class="kicker">Foreign-investment screening · brief · case <code>{esc(b["id"])}</code></p>',
            f'<h1 class="doc-title" dir="auto">{esc(b["title"])}</h1>',
            f'<div class="verdict">{level_badge(b["level"], big=True)}'
            f'<span class="score-big">{num(b["score"])}<span class="of"> / 100</span></span></div>',
        ]
        if b["filing"]:
            out.append(f'<p class="filing-answer"><span class="label">Filing</span> {esc(b["filing"])}</p>')
        out.append(f'<p class="muted">{esc(b["parties"])}<br>{esc(b["dates"])} · {esc(b["pack"])}</p>')
        if b["regimes"]:
            out += [
                "<h2>Where to file</h2>",
                f"<p>{esc(b['judged_on'])}.</p>",
                '<table class="filings">',
                "<thead><tr><th>regime</th><th>outcome</th><th>trigger or reason</th><th>review</th></tr></thead>",
                "<tbody>",
            ]
            for regime, outcome, why, review, today in b["regimes"]:
                now = f'<br><span class="muted small">{esc(today)}</span>' if today else ""
                out.append(
                    f'<tr><th scope="row">{esc(regime)}</th><td>{esc(outcome)}{now}</td><td>{esc(why)}</td>'
                    f'<td class="small">{esc(review)}</td></tr>'
                )
            out.append("</tbody></table>")
        out += [f'<p class="alert">{esc(a)}</p>' for a in b["alerts"]]
        out.append("<h2>Main findings</h2>")
        items = "".join(
            f"<li><code>{esc(rule)}</code> <strong>{_signed(points)}</strong> {esc(t)}</li>"
            for rule, points, t in b["findings"] + b["mitigations"]
        )
        out.append(f'<ul class="main-findings">{items or "<li>No risk rule fired.</li>"}</ul>')
        if b["more_findings"]:
            out.append(f'<p class="muted small">and {b["more_findings"]} more in the full report</p>')
        out += ["<h2>The deal</h2>", '<ul class="deal">', f"<li><strong>Target:</strong> {esc(b['target'])}</li>"]
        out += [f"<li>{esc(line)}</li>" for line in b["deal"]]
        out.append(f"<li><strong>Investor controlled by:</strong> {esc(b['controlled_by'])}</li>")
        out += [f"<li>{esc(line)}</li>" for line in b["states"]]
        out += ["</ul>", "<h2>Open questions</h2>"]
        questions = "".join(f"<li>{esc(q)} <span class='muted'>({esc(s)})</span></li>" for q, s in b["questions"])
        out.append(f'<ol class="gaps">{questions}</ol>' if questions else "<p>None: every rule was decided.</p>")
        if b["more_questions"]:
            out.append(f'<p class="muted small">and {b["more_questions"]} more in the full report</p>')
        out.append("</section>")
    out += [
        "</main>",
        f'<footer class="colophon">Brief made with screening {esc(__version__)}; the full report '
        "(without --brief) has the evidence, the arithmetic, the ownership chain and the sources.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"
