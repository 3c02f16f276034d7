"""Styled text laid out as lines without rich: the screening report's terminal format builds on this.

``Text`` holds a line's characters and the styles of its stretches, as rich's ``Text`` does, with the part of
its interface the report uses; ``Tree`` holds labelled nodes; ``hang`` wraps with hanging indents. Wrapping
follows rich's rules (words and the spaces after them, cell widths, words longer than a line folded), so
the report is the same to the byte whichever draws it. ``emit`` writes the lines: plain text by itself,
and only in colour does it hand them to a rich console (imported then), which writes their styles.

A report written to a pipe, a file or as plain text thus never imports rich's console: start-up time
(bench/startup.py). Every string put into a ``Text`` passes through ``visible_line``: what a terminal would obey
or not show is written as an escape (screening.infra.text), and so is a line break (``\\n``, ``\\r``, ``\\x0b``,
``\\x0c``, ``\\x85``, ``\\u2028``, ``\\u2029``), so a field from a case (a title, a name, a source's title)
stays on its line; the report's own lines are joined by ``stacked``, the one way a line break enters a ``Text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Union

from screening.infra.text import visible_line

Style = str
Part = Union["Text", str, tuple[str, Style]]
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING = re.compile(r"\s+$")
_ONE_COLUMN = [(0x20, 0x7F), (0xA0, 0xAD), (0xAE, 0x300), (0x370, 0x483), (0x2500, 0x25FD)]
_NARROW = frozenset(chr(c) for start, end in _ONE_COLUMN for c in range(start, end)).union("←→≤≥…–—−‘’“”€")
"""Characters one column wide, told without rich's tables: those rich takes as one column without looking
(Latin, Greek, Cyrillic, box drawing), and the arrows, comparisons and dashes the report writes itself
(tests/test_layout.py holds them to rich's widths)."""
GUIDES = ("    ", "│   ", "├── ", "└── ")
"""A tree's guide at one level: nothing under it, a line going on, a branch, the last branch (rich's)."""


def cell_len(text: str) -> int:
    """Columns ``text`` takes on a terminal: one a character for ASCII; else as rich counts them (wide East
    Asian characters take two, combining marks none)."""
    if text.isascii() and text.isprintable() or _NARROW.issuperset(text):
        return len(text)
    from rich.cells import cell_len as cells

    return cells(text)


def _crop(text: str, width: int) -> str:
    from rich.cells import set_cell_size

    return set_cell_size(text, width)


class Text:
    """A line (or lines) of text with styled stretches: ``plain``, ``style`` over all of it, and ``spans``
    ``(start, end, style)``."""

    __slots__ = ("plain", "style", "spans", "no_wrap")

    def __init__(self, text: str = "", style: Style = "", spans: list[tuple[int, int, Style]] | None = None) -> None:
        self.plain = visible_line(text)
        self.style = style
        self.spans: list[tuple[int, int, Style]] = spans if spans is not None else []
        self.no_wrap = False

    def _raw(self, plain: str, spans: list[tuple[int, int, Style]]) -> Text:
        out = Text.__new__(Text)
        out.plain, out.style, out.spans, out.no_wrap = plain, self.style, spans, False
        return out

    def __len__(self) -> int:
        return len(self.plain)

    def __bool__(self) -> bool:
        return bool(self.plain)

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"Text({self.plain!r}, {self.style!r})"

    @property
    def cell_len(self) -> int:
        return cell_len(self.plain)

    def copy(self) -> Text:
        return self._raw(self.plain, list(self.spans))

    def append(self, text: Text | str, style: Style = "") -> Text:
        """Add ``text`` at the end (a string in ``style``; a Text with its own styles); returns self."""
        start = len(self.plain)
        if isinstance(text, str):
            text = visible_line(text)
            if text:
                self.plain += text
                if style:
                    self.spans.append((start, len(self.plain), style))
            return self
        self.plain += text.plain
        if text.style:
            self.spans.append((start, len(self.plain), text.style))
        self.spans += [(start + a, start + b, s) for a, b, s in text.spans]
        return self

    def __add__(self, other: Text | str) -> Text:
        return self.copy().append(other)

    @classmethod
    def assemble(cls, *parts: Part, style: Style = "") -> Text:
        """One Text of ``parts``: Texts, strings, or (string, style)."""
        out = cls(style=style)
        for part in parts:
            if isinstance(part, tuple):
                out.append(*part)
            else:
                out.append(part)
        return out

    def join(self, lines: Iterable[Text]) -> Text:
        """``lines`` with this Text between each two."""
        out = self._raw("", [])
        for i, line in enumerate(lines):
            if i and self.plain:
                out.append(self)
            out.append(line)
        return out

    def pad_right(self, count: int) -> None:
        if count > 0:
            self.plain += " " * count

    def rstrip(self) -> None:
        """Trailing white space removed (spans past the end cut back)."""
        self._cut(len(self.plain.rstrip()))

    def _cut(self, length: int) -> None:
        if length < len(self.plain):
            self.plain = self.plain[:length]
            self.spans = [(a, min(b, length), s) for a, b, s in self.spans if a < length]

    def divide(self, offsets: Iterable[int]) -> list[Text]:
        """Pieces of the text cut at ``offsets`` (in order), each with its stretch of the styles."""
        cuts = [0, *offsets, len(self.plain)]
        out = []
        for start, end in zip(cuts, cuts[1:], strict=False):
            spans = [(max(a, start) - start, min(b, end) - start, s) for a, b, s in self.spans if a < end and b > start]
            out.append(self._raw(self.plain[start:end], spans))
        return out

    def __getitem__(self, where: slice) -> Text:
        start, stop, _ = where.indices(len(self.plain))
        return self.divide([start, stop])[1]

    def split(self, separator: str = "\n") -> list[Text]:
        """The lines between separators (a separator at the end opens no line), as rich splits."""
        if separator not in self.plain:
            return [self.copy()]
        offsets = [i for m in re.finditer(re.escape(separator), self.plain) for i in m.span()]
        lines = [line for line in self.divide(offsets) if line.plain != separator]
        if self.plain.endswith(separator):
            lines.pop()
        return lines

    def wrap(self, width: int) -> list[Text]:
        """The text's lines word-wrapped to ``width`` columns, as rich's ``Text.wrap`` does: a word keeps the
        spaces after it, a word wider than a line is folded, nothing is wider than ``width``."""
        out: list[Text] = []
        for line in self.split("\n") if "\n" in self.plain else [self]:
            pieces = [line.copy()] if self.no_wrap else line.divide(divide_line(line.plain, width))
            for piece in pieces:
                if len(piece.plain) > width:  # white space past the end goes (rich's rstrip_end)
                    found = _TRAILING.search(piece.plain)
                    if found:
                        piece._cut(len(piece.plain) - min(len(found.group()), len(piece.plain) - width))
                if cell_len(piece.plain) > width:
                    cropped = _crop(piece.plain, width)
                    piece._cut(len(cropped))
                    piece.plain = cropped
                out.append(piece)
        return out

    def rich(self) -> Any:
        """This Text as a rich ``Text`` (imports rich)."""
        from rich.text import Span
        from rich.text import Text as RichText

        made = RichText(self.plain, style=self.style, spans=[Span(a, b, s) for a, b, s in self.spans])
        made.no_wrap = self.no_wrap
        return made


def stacked(lines: Iterable[Text]) -> Text:
    """``lines`` as one Text, a line break between each two: the report's own line breaks (one in a string put
    into a Text is escaped)."""
    out = Text()
    for i, line in enumerate(lines):
        if i:
            out.plain += "\n"
        out.append(line)
    return out


def divide_line(text: str, width: int) -> list[int]:
    """Where to break ``text`` to lines of at most ``width`` columns: rich's ``divide_line``, words folded."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip())
        if width - offset >= length:
            offset += cell_len(word)
        elif length > width:  # longer than a line: folded over as many as it takes
            from rich.cells import chop_cells

            folded = chop_cells(word, width)
            for i, line in enumerate(folded):
                if start:
                    breaks.append(start)
                if i == len(folded) - 1:
                    offset = cell_len(line)
                else:
                    start += len(line)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


class Tree:
    """A node of a tree: its label and its children, drawn with rich's guides."""

    __slots__ = ("label", "children")

    def __init__(self, label: Text | str) -> None:
        self.label = label if isinstance(label, Text) else Text(label)
        self.children: list[Tree] = []

    def add(self, label: Text | str) -> Tree:
        child = Tree(label)
        self.children.append(child)
        return child

    def lines(self, width: int) -> Iterator[str]:
        """The tree as lines of plain text at ``width`` columns."""
        stack: list[tuple[Tree, list[str]]] = [(self, [])]
        while stack:
            node, prefix = stack.pop()
            room = max(1, width - sum(len(p) for p in prefix))
            label = node.label.wrap(room)
            for i, line in enumerate(label):
                yield "".join(prefix) + line.plain
                if not i and prefix:
                    prefix = [*prefix[:-1], GUIDES[0] if prefix[-1] == GUIDES[3] else GUIDES[1]]
            last = len(node.children) - 1
            for i, child in reversed(list(enumerate(node.children))):
                stack.append((child, [*prefix, GUIDES[3] if i == last else GUIDES[2]]))

    def rich(self) -> Any:
        """This tree as a rich ``Tree`` (imports rich)."""
        from rich.tree import Tree as RichTree

        made = RichTree(self.label.rich())
        stack = [(self, made)]
        while stack:
            mine, theirs = stack.pop()
            for child in mine.children:
                stack.append((child, theirs.add(child.label.rich())))
        return made


def hang(lead: Text | str, body: Text, width: int, indent: int | None = None, min_room: int = 20) -> list[Text]:
    """``lead`` then ``body`` wrapped to ``width``; continuation lines start at column ``indent``.

    ``indent`` defaults to the lead's width (a shorter lead is padded to it). When the lead leaves less
    than ``min_room`` columns, the body starts on the next line, indented by six.
    """
    lead = lead.copy() if isinstance(lead, Text) else Text(lead)
    indent = lead.cell_len if indent is None else indent
    lead.pad_right(max(0, indent - lead.cell_len))
    if "\n" not in body.plain and lead.cell_len + body.cell_len <= width:  # the common case: it fits
        return [Text.assemble(lead, body)]
    head: list[Text] = []
    if width - max(indent, lead.cell_len) < min_room:
        head, lead, indent = [lead], Text(" " * 6), 6
    pad = " " * indent
    out: list[Text] = []
    if lead.cell_len > indent:  # a long lead: its line has less room than the lines under it
        first = body.wrap(max(10, width - lead.cell_len))[0]
        first.rstrip()
        out.append(Text.assemble(lead, first))
        cut = len(first.plain)
        while cut < len(body.plain) and body.plain[cut] in " \n":
            cut += 1
        body, lead = body[cut:], Text(pad)
        if not body:
            return head + out
    for paragraph in body.split("\n") if body else [Text()]:
        wrapped = paragraph.wrap(max(10, width - indent)) if paragraph.plain.strip() else [Text()]
        for line in wrapped:
            line.rstrip()
            out.append(Text.assemble(lead if not out else pad, line))
    return head + out


def emit(parts: list[Text | Tree], width: int, color: bool) -> str:
    """The lines and trees of a page as text, lines right-trimmed; in colour, written through rich."""
    if color:
        return _coloured(parts, width)
    out: list[str] = []
    for part in parts:
        if isinstance(part, Tree):
            out += part.lines(width)
        else:
            out.append(part.plain)
    text = "\n".join(out)
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n")) + "\n"


def _coloured(parts: list[Text | Tree], width: int) -> str:
    from rich.text import Text as RichText

    from screening.report import lines

    con = lines.console(width, True)
    run: list[Any] = []
    for part in parts:
        if isinstance(part, Tree):
            if run:
                con.print(RichText("\n").join(run), no_wrap=True, overflow="ignore", crop=False)
                run.clear()
            con.print(part.rich())
        else:
            run.append(part.rich())
    if run:
        con.print(RichText("\n").join(run), no_wrap=True, overflow="ignore", crop=False)
    text = con.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n")) + "\n"
