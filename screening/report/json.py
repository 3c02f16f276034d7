"""JSON: one report object for one case, an array of them for several; byte-stable."""

from __future__ import annotations

import json

from screening.case.values import jsonable
from screening.decision.engine import Result
from screening.report import Options
from screening.report.data import report


def render(results: list[Result], fmt: str, options: Options) -> str:
    docs = [report(r, options.explain) for r in results]
    body = docs[0] if len(docs) == 1 else docs
    return json.dumps(body, indent=2, ensure_ascii=False, default=jsonable) + "\n"
