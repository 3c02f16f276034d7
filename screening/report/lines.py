"""Terminal text laid out as lines with rich: one console set-up, and output with or without colour.

The check problems and the rule catalogue build lists of rich ``Text`` lines themselves rather than rich
tables: the evidence gets the full width and rendering stays cheap. The screening report, the filing
matrix, the brief and test results are laid out the same way by screening.report.layout (hanging indents
there), which imports rich only to write colours.

Everything they print passes through ``safe``: text from inputs can hold control characters (a
clipboard write, a link, a screen clear), bidirectional overrides and invisible characters, which are
shown as escapes (screening.infra.text). The console parses no markup: ``[link=...]`` stays text.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text as RichText

from screening.infra.text import escapes, visible


class Text(RichText):
    """A rich ``Text`` that writes what a terminal would obey or not show as escapes (screening.infra.text),
    also the characters rich itself would drop silently (a bell, a bare carriage return): the Text the
    terminal formats build from inputs."""

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(visible(text), *args, **kwargs)

    def append(self, text: Any, style: Any = None) -> Text:
        return super().append(visible(text) if isinstance(text, str) else text, style)  # type: ignore[return-value]


def console(width: int, color: bool) -> Console:
    """A console that renders into a string, at ``width`` columns, coloured or plain."""
    return Console(
        file=io.StringIO(),
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        legacy_windows=False,
        highlight=False,
        emoji=False,
        markup=False,
    )


def safe(text: RichText | str) -> RichText:
    """``text`` with what a terminal would obey or not show written as escapes, its styles kept (for a
    rich Text made elsewhere than with ``Text``)."""
    if isinstance(text, str):
        return Text(text)
    found = escapes(text.plain)
    if not found:
        return text
    pieces = text.divide(i for at, _ in found for i in (at, at + 1))
    out: list[RichText] = []
    for n, piece in enumerate(pieces):
        if n % 2:  # the characters found, one per odd piece
            escaped = Text(found[n // 2][1], style=piece.style)
            for span in piece.spans:
                escaped.stylize(span.style, 0, len(escaped))
            out.append(escaped)
        else:
            out.append(piece)
    return Text.assemble(
        *out, style=text.style, justify=text.justify, no_wrap=text.no_wrap, overflow=text.overflow, end=text.end
    )


def safe_tree(node: Any) -> Any:
    """A rich tree with every label ``safe``."""
    stack = [node]
    while stack:
        tree = stack.pop()
        tree.label = safe(tree.label) if isinstance(tree.label, (RichText, str)) else tree.label
        stack.extend(tree.children)
    return node


def emit(con: Console, parts: list[Any], color: bool) -> str:
    """Print lines (and any other rich renderables, such as trees) and return the text, lines right-trimmed.

    Without colour, runs of lines are written as they are: they are laid out already.
    """
    run: list[RichText] = []

    def flush() -> None:
        if not run:
            return
        if color:
            con.print(Text("\n").join(run), no_wrap=True, overflow="ignore", crop=False)
        else:
            con.file.write("".join(line.plain + "\n" for line in run))
        run.clear()

    for part in parts:
        if isinstance(part, RichText):
            run.append(safe(part))
        else:
            flush()
            con.print(safe_tree(part) if hasattr(part, "children") and hasattr(part, "label") else part)
    flush()
    text = con.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n")) + "\n"
