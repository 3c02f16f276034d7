"""`screening portfolio`'s report (screening.batch.portfolio.Portfolio) as text, Markdown or JSON; HTML is
screening.report.portfolio_html."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from screening.infra.text import visible
from screening.report import Options

if TYPE_CHECKING:
    from screening.batch.portfolio import Portfolio

OUTCOME_TEXT = {
    "mandatory": "mandatory",
    "call_in": "call-in risk",
    "voluntary": "voluntary",
    "undetermined": "undetermined",
    "out_of_scope": "out of scope",
    "not_in_force": "not in force",
}


def render(value: Portfolio, fmt: str, options: Options) -> str:
    """The portfolio in ``fmt``: text, markdown or json."""
    if fmt == "json":
        return json.dumps(data(value), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return markdown(value)
    return text(value)


def data(p: Portfolio) -> dict[str, Any]:
    """The portfolio as plain data (the JSON format, and what the other formats show)."""
    from screening.batch.portfolio import NEEDED

    return {
        "file": p.file,
        "cases": p.cases,
        "errors": p.errors,
        "levels": {lv: p.by_level.get(lv, 0) for lv in reversed(p.levels)},
        "by_country": [
            {"country": c, "name": country_name(c), "cases": sum(n.values()), "levels": n}
            for c, n in p.by_country.items()
        ],
        "filings": [
            {"regime": r, "needed": sum(n.get(o, 0) for o in NEEDED), "answers": n} for r, n in p.filings.items()
        ],
        "questions": [{"fact": f, "facts": f.split(", "), "cases": n, "question": q} for f, n, q in p.questions],
        "rules": [{"rule": r, "cases": n, "title": t} for r, n, t in p.rules],
        "watchlist": {
            "cases_not_screened": p.unlisted,
            "cases_with_hits": p.hit_cases,
            "hits": [{"id": i, "title": t, "hit": h} for i, t, h in p.hits],
        },
        "top": [c._asdict() for c in p.top],
        "score_distribution": [
            {"from": 10 * i, "to": 10 * i + (10 if i == len(p.scores) - 1 else 9), "cases": n}
            for i, n in enumerate(p.scores)
        ],
        "errors_by_problem": [{"code": c, "column": col, "cases": n} for c, col, n in p.error_groups],
    }


def country_name(code: str) -> str:
    """The English name of a country code; "not given" for none."""
    from screening.case import countries

    return countries.name(code) if code else "not given"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def text(p: Portfolio) -> str:
    """The portfolio as plain text for a terminal."""
    d = data(p)
    levels = list(d["levels"])
    out = [
        f"Portfolio of {_plural(p.cases, 'case')} ({p.file}): "
        + ", ".join(f"{n:,} {lv}" for lv, n in d["levels"].items())
        + (f", {p.errors:,} not screened" if p.errors else ""),
        "",
        "By investor country" + (f" ({' / '.join(levels)})" if levels else "") + ":",
    ]
    for row in d["by_country"]:
        counts = " ".join(f"{row['levels'].get(lv, 0):>5,}" for lv in levels)
        out.append(f"  {row['country'] or '--':<3} {row['name'][:28]:<28} {row['cases']:>6,}  {counts}")
    out += ["", "Filings per regime (cases needing one: mandatory, call-in risk or voluntary):"]
    for row in d["filings"]:
        answers = ", ".join(f"{n:,} {OUTCOME_TEXT.get(o, o)}" for o, n in row["answers"].items())
        out.append(f"  {row['regime']:<4} {row['needed']:>6,} needed   ({answers})")
    if not d["filings"]:
        out.append("  none: no regime reaches these cases")
    out += ["", "Most frequent open questions (facts not given):"]
    out += [f"  {q['cases']:>6,}  {q['fact']}: {q['question']}" for q in d["questions"]] or ["  none"]
    out += ["", "Rules that fired most:"]
    out += [f"  {r['cases']:>6,}  {r['rule']}  {r['title']}" for r in d["rules"]] or ["  none"]
    out += ["", _watchlist_line(p)]
    out += [f"  {i}  {t}: {h}" for i, t, h in p.hits]
    out += ["", f"Top {len(p.top)} by score:"]
    out += [f"  {c.score:5.1f}  {c.level:<8} {c.country or '--':<3} {c.id}  {c.title}" for c in p.top] or ["  none"]
    out += ["", "Score distribution:"]
    widest = max(p.scores) or 1
    for band in d["score_distribution"]:
        bar = "#" * round(40 * band["cases"] / widest)
        out.append(f"  {band['from']:>3}-{band['to']:<3} {bar} {band['cases']:,}")
    if p.error_groups:
        out += ["", f"Not screened ({p.errors:,}), by problem and column:"]
        out += [
            f"  {n:>6,}  {code or 'internal error'}" + (f" in '{col}'" if col else "")
            for code, col, n in p.error_groups
        ]
    return visible("\n".join(out)) + "\n"  # ids, titles and hits come from the inputs: nothing in them is obeyed


def _watchlist_line(p: Portfolio) -> str:
    from screening.batch.portfolio import HITS

    more = f" (the first {len(p.hits)} hits below)" if len(p.hits) >= HITS else ""
    unlisted = p.unlisted and f"; {_plural(p.unlisted, 'case')} not screened against any list (batch --watchlist)"
    return f"Watchlist hits: {_plural(p.hit_cases, 'case')}{more}{unlisted or ''}"


def _cell(text: object) -> str:
    """Text for a Markdown table cell: pipes, backslashes and markup characters escaped, on one line."""
    out = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
    for char in "*_`[]<>#":
        out = out.replace(char, "\\" + char)
    return out


def markdown(p: Portfolio) -> str:
    """The portfolio as Markdown, for an issue, a wiki or a memo."""
    d = data(p)
    levels = list(d["levels"])
    out = [
        f"# Portfolio: {_plural(p.cases, 'case')}",
        "",
        ", ".join(f"**{n:,}** {lv}" for lv, n in d["levels"].items())
        + (f", **{p.errors:,}** not screened" if p.errors else "")
        + f" (`{_cell(p.file)}`)",
        "",
        "## By investor country",
        "",
        "| country | cases | " + " | ".join(levels) + " |",
        "|---|---:|" + "---:|" * len(levels),
    ]
    for row in d["by_country"]:
        counts = " | ".join(f"{row['levels'].get(lv, 0):,}" for lv in levels)
        out.append(f"| {_cell(row['name'])} ({row['country'] or '-'}) | {row['cases']:,} | {counts} |")
    out += ["", "## Filings per regime", "", "| regime | needed | answers |", "|---|---:|---|"]
    for row in d["filings"]:
        answers = ", ".join(f"{n:,} {OUTCOME_TEXT.get(o, o)}" for o, n in row["answers"].items())
        out.append(f"| {row['regime']} | {row['needed']:,} | {answers} |")
    out += ["", "## Most frequent open questions", "", "| cases | fact | question |", "|---:|---|---|"]
    out += [f"| {q['cases']:,} | `{q['fact']}` | {_cell(q['question'])} |" for q in d["questions"]]
    out += ["", "## Rules that fired most", "", "| cases | rule | title |", "|---:|---|---|"]
    out += [f"| {r['cases']:,} | {r['rule']} | {_cell(r['title'])} |" for r in d["rules"]]
    out += ["", "## Watchlist hits", "", _cell(_watchlist_line(p).partition(": ")[2]) + "."]
    if p.hits:
        out += ["", "| case | title | hit |", "|---|---|---|"]
        out += [f"| {_cell(i)} | {_cell(t)} | {_cell(h)} |" for i, t, h in p.hits]
    out += [
        "",
        f"## Top {len(p.top)} by score",
        "",
        "| score | level | country | case | title |",
        "|---:|---|---|---|---|",
    ]
    out += [f"| {c.score:.1f} | {c.level} | {c.country or '-'} | {_cell(c.id)} | {_cell(c.title)} |" for c in p.top]
    out += ["", "## Score distribution", "", "| score | cases |", "|---|---:|"]
    out += [f"| {b['from']}-{b['to']} | {b['cases']:,} |" for b in d["score_distribution"]]
    if p.error_groups:
        out += ["", "## Not screened", "", "| cases | problem | column |", "|---:|---|---|"]
        out += [f"| {n:,} | {code or 'internal error'} | {_cell(col)} |" for code, col, n in p.error_groups]
    return visible("\n".join(out)) + "\n"
