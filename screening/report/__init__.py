"""Rendering: every command's result, in every format, through one registry and one signature.

Each command produces a plain value (the screening results, a filing matrix, a what-if, a pack diff, a
check, a test run, a catalogue, a batch summary). ``render(fmt, value, options)`` finds the value's view by
its class (``VIEWS``) and the renderer of that view in that format (``RENDERERS``), imports its module (only
then: start-up stays fast) and calls it as ``renderer(value, fmt, options) -> str``. Renderers are pure:
value in, text out; the CLI writes the text. A test renders every (command, format) pair the CLI offers.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, NamedTuple


class Options(NamedTuple):
    """How to render: width and colour matter to the terminal format only."""

    width: int = 100
    color: bool = False
    explain: bool = False
    """Add, for every rule, its condition with the value of each part and of each fact it reads."""
    brief: bool = False
    """The screening report as a brief of at most two A4 pages (text, Markdown, HTML: screening.report.brief)."""


VIEWS: dict[str, str] = {
    "builtins.list": "screen",  # screening.decision.engine.Result of each case, as screening.api.screen_files gives
    "screening.decision.filings.Filings": "filings",
    "screening.decision.whatif.WhatIf": "what-if",
    "screening.tooling.diff.PackDiff": "diff",
    "screening.tooling.backtest.Backtest": "backtest",
    "screening.tooling.check.CheckResult": "check",
    "screening.tooling.results.TestRun": "test",
    "screening.tooling.catalogue.RuleList": "rules list",
    "screening.tooling.catalogue.RuleDetail": "rules show",
    "screening.tooling.catalogue.RegimeList": "rules regimes",
    "screening.tooling.catalogue.FactList": "facts",
    "screening.batch.summary.Summary": "batch summary",
    "screening.batch.portfolio.Portfolio": "portfolio",
}
"""The class of a value (module and name) -> the view that shows it."""


def _each(formats: tuple[str, ...], target: str) -> dict[str, str]:
    return dict.fromkeys(formats, target)


CATALOGUE = "screening.report.catalogue:render"
RENDERERS: dict[str, dict[str, str]] = {
    "screen": {
        "text": "screening.report.text:render",
        "json": "screening.report.json:render",
        "markdown": "screening.report.markdown:render",
        "html": "screening.report.html:render",
    },
    "filings": _each(("text", "json", "markdown"), "screening.report.matrix:render"),
    "what-if": _each(("text", "json", "markdown"), "screening.report.whatif:render"),
    "diff": _each(("text", "json", "markdown"), "screening.report.diff:render"),
    "backtest": _each(("text", "json", "html"), "screening.report.backtest:render"),
    "check": _each(("text", "json", "github", "sarif"), "screening.report.problems:report"),
    "test": _each(("text", "json", "github", "junit"), "screening.report.tests:report"),
    "rules list": _each(("text", "json"), CATALOGUE),
    "rules show": _each(("text", "json"), CATALOGUE),
    "rules regimes": _each(("text", "json"), CATALOGUE),
    "facts": _each(("text", "json"), CATALOGUE),
    "batch summary": {"text": "screening.report.summary:render"},
    "portfolio": {
        **_each(("text", "json", "markdown"), "screening.report.portfolio:render"),
        "html": "screening.report.portfolio_html:render",
    },
}
"""View -> format -> ``module:function`` rendering it."""

FORMATS = RENDERERS["screen"]
"""The formats of the screening report."""
BRIEF_FORMATS = ("text", "markdown", "html")
"""The formats the brief of the screening report (``Options.brief``) comes in."""


def view(value: Any) -> str:
    """The view that shows ``value``."""
    kind = type(value)
    name = VIEWS.get(f"{kind.__module__}.{kind.__qualname__}")
    if name is None:
        raise TypeError(f"nothing renders a {kind.__module__}.{kind.__qualname__}")
    return name


def formats(name: str) -> tuple[str, ...]:
    """The formats view ``name`` can be rendered in."""
    return tuple(RENDERERS[name])


def render(fmt: str, value: Any, options: Options | None = None) -> str:
    """``value`` (any command's result) rendered in format ``fmt``."""
    shown = view(value)
    target = RENDERERS[shown].get(fmt)
    if target is None:
        raise ValueError(f"the {shown} view has no format {fmt!r}; choose one of {', '.join(RENDERERS[shown])}")
    if options is not None and options.brief and shown == "screen" and fmt in BRIEF_FORMATS:
        target = "screening.report.brief:render"
    module, _, function = target.partition(":")
    renderer = getattr(import_module(module), function)
    text: str = renderer(value, fmt, options or Options())
    return text
