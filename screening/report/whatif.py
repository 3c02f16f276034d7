"""`screening screen --set`: what the changes to each case did (screening.decision.whatif.WhatIf), as text,
JSON or Markdown."""

from __future__ import annotations

import json
from typing import Any

from screening.conditions.margins import Margin
from screening.conditions.text import describe_margin
from screening.decision.filings import change_text
from screening.decision.whatif import WhatIf
from screening.infra.text import num
from screening.report import Options
from screening.report.data import moves


def render(value: WhatIf, fmt: str, options: Options) -> str:
    """The before/after comparison of each case, as text, JSON or Markdown."""
    docs = [
        {
            "case": after.case.id,
            "changes": [c.text for c in value.changes],
            **delta,
            "thresholds_after": [m._asdict() for m in after.margins],
        }
        for (_, after), delta in zip(value.pairs, value.deltas, strict=True)
    ]
    if fmt == "json":
        return json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    for doc in docs:
        score, level = doc["score"], doc["level"]
        change = ("+" if score[1] >= score[0] else "") + num(score[1] - score[0])
        if fmt == "markdown":
            lines += [
                f"### What if: `{doc['case']}`",
                "",
                "Changes: " + "; ".join(f"`{c}`" for c in doc["changes"]),
                "",
                "| | before | after |",
                "|---|---|---|",
                f"| score | {num(score[0])} | {num(score[1])} ({change}) |",
                f"| level | {level[0]} | {level[1]} |",
                f"| open questions | {doc['gaps'][0]} | {doc['gaps'][1]} |",
                "",
            ]
            for key, word in (("fires_now", "Fires now"), ("no_longer_fires", "No longer fires")):
                if doc[key]:
                    lines.append(
                        f"{word}: " + "; ".join(f"`{f['rule']}` {f['title']} ({f['points']:+})" for f in doc[key])
                    )
            if doc["filings"]:
                lines.append("Filings: " + "; ".join(change_text(c) for c in doc["filings"]))
            if doc["unmoved"]:
                lines += ([] if lines[-1] == "" else [""]) + ["Why these did not move:", ""]
                lines += [f"- {unmoved_text(u)}" for u in doc["unmoved"]]
            if doc["new_questions"]:
                lines += ["", "New open questions:", ""]
                lines += [
                    f"- {q['question']} ({moves(q)}; {', '.join(q['facts'])}; decides {', '.join(q['rules'])})"
                    for q in doc["new_questions"]
                ]
            lines.append("")
            continue
        lines += [
            f"What if: {doc['case']}",
            "  " + "; ".join(doc["changes"]),
            f"  score {num(score[0])} → {num(score[1])} ({change}), "
            f"level {level[0]} → {level[1]}, open questions {doc['gaps'][0]} → {doc['gaps'][1]}",
        ]
        for key, word in (("fires_now", "fires now"), ("no_longer_fires", "no longer fires")):
            for f in doc[key]:
                lines.append(f"  {word}: {f['rule']} {f['title']} ({f['points']:+})")
        lines += [f"  filing: {change_text(c)}" for c in doc["filings"]]
        if doc["unmoved"]:
            lines.append("  why these did not move:")
            lines += [f"    {unmoved_text(u)}" for u in doc["unmoved"]]
        for q in doc["new_questions"]:
            lines.append(
                f"  new open question: {q['question']} ({moves(q)}; {', '.join(q['facts'])}; "
                f"decides {', '.join(q['rules'])})"
            )
        near = doc["thresholds_after"][:5]
        if near:
            lines.append("  near thresholds after the change:")
            lines += [f"    {describe_margin(Margin(**m))}" for m in near]
        lines.append("")
    from screening.infra.text import visible_line  # changes, titles, names come from inputs: nothing in them is obeyed

    shown = "\n".join(visible_line(line) for line in lines)  # a line break in a name stays on its line, escaped
    return "\n".join(wrapped(line, options.width) for line in shown.rstrip().split("\n")) + "\n"


def wrapped(line: str, width: int) -> str:
    """A text line wrapped to ``width`` columns, each continuation indented two more than the line; a word
    longer than the line (a URL, a long fact name) is kept whole, never broken."""
    if len(line) <= width:
        return line
    import textwrap

    lead = line[: len(line) - len(line.lstrip(" "))]
    return "\n".join(
        textwrap.wrap(
            line.strip(),
            width,
            initial_indent=lead,
            subsequent_indent=lead + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def unmoved_text(u: dict[str, Any]) -> str:
    """``CA-002 still fires: transaction.votes_after_pct gte 10 (24.99) still holds``, or a filing that stays."""
    tests = "; ".join(u["because"])
    if "regime" in u:
        return f"{u['regime']}: {u['outcome'].replace('_', ' ')} ({u['rule']}) stays: {tests} still holds"
    if u["outcome"] == "still fires":
        return f"{u['rule']} still fires: {tests} still holds"
    return f"{u['rule']} {u['outcome']}: {tests}"
