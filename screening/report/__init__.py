"""Output formats: one pure module per format (results in, text out), registered by name."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from screening.decision.engine import Result


class Options(NamedTuple):
    """How to render: width and colour matter to the terminal format only."""

    width: int = 100
    color: bool = False
    explain: bool = False
    """Add, for every rule, its condition with the value of each part and of each fact it reads."""


class Formatter(Protocol):
    def render(self, results: list[Result], options: Options) -> str: ...


FORMATS = {"text": "screening.report.text", "json": "screening.report.json", "markdown": "screening.report.markdown",
           "html": "screening.report.html"}
"""Format name -> module; imported only when used, so start-up stays fast."""


def render(name: str, results: list[Result], options: Options | None = None) -> str:
    """Render ``results`` in format ``name``."""
    module: Formatter = import_module(FORMATS[name])  # type: ignore[assignment]
    return module.render(results, options or Options())
