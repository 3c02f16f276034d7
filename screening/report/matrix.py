"""`screening filings`: the filing matrix alone, as text, JSON or Markdown."""

from __future__ import annotations

import json
from typing import Any

from screening.case.values import jsonable
from screening.decision.engine import Result
from screening.decision.filings import Filings
from screening.report import Options


def render(value: Filings, fmt: str, options: Options) -> str:
    """Each case's filing matrix; ``value.regimes`` (ids), when given, keeps only those regimes."""
    from screening.report.data import filings

    regimes = value.regimes
    docs = []
    for result in value.results:
        doc = filings(result)
        if doc is None:
            continue
        if regimes:
            keep = set(regimes)
            doc = {
                **doc,
                "regimes": [d for d in doc["regimes"] if d["regime"] in keep],
                "not_reached": [d for d in doc["not_reached"] if d["regime"] in keep],
                "mandatory": [r for r in doc["mandatory"] if r in keep],
                "mandatory_today": [r for r in doc["mandatory_today"] if r in keep],
            }
        docs.append((result, {"case": result.case.id, "level": result.level, "score": result.score, **doc}))
    if fmt == "json":
        body: Any = [d for _, d in docs]
        return json.dumps(body[0] if len(body) == 1 else body, indent=2, ensure_ascii=False, default=jsonable) + "\n"
    if fmt == "markdown":
        from screening.infra.text import visible

        return visible(_markdown(docs))
    return _text(docs, options)


def _text(docs: list[tuple[Result, dict[str, Any]]], options: Options) -> str:
    from screening.report import layout
    from screening.report.layout import Text
    from screening.report.text import Page, filings_section

    page = Page(options.width)
    for result, doc in docs:
        if page.parts:
            page.add()
        page.hang(Text(result.case.id, style="bold"), Text(f": {result.case.title}", style="bold"), 2)
        filings_section(page, result, doc)
    return layout.emit(page.parts, options.width, options.color)


def _markdown(docs: list[tuple[Result, dict[str, Any]]]) -> str:
    from screening.report.markdown import Doc, esc, filings_section

    out = Doc()
    for _, doc in docs:
        out.heading(2, f"{esc(doc['case'])}")
        filings_section(out, doc, doc, 3)
    return out.text()
