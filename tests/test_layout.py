"""screening.report.layout lays out the terminal report without rich, line for line as rich would."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len as rich_cell_len
from rich.console import Console
from rich.text import Text as RichText
from rich.tree import Tree as RichTree

from screening.report import layout
from screening.report.layout import Text, Tree
from tests.conftest import ROOT

SAMPLES = [
    "",
    "one",
    "a few short words to wrap over more than one line of text",
    "  leading spaces and   runs   of spaces  between words   ",
    "averyveryveryverylongwordthatnolinecanholdatanyofthewidthstried and then short ones",
    "trailing spaces past the edge of the line                                           ",
    "Liège → Hamburg ≥ 25% · “quoted” — dashes – and … ellipses",
    "中国国家情报法 requires cooperation: 阿里巴巴集团控股有限公司 and 菜鸟网络科技有限公司 hold it",
    "Ｆｕｌｌｗｉｄｔｈ ｌｅｔｔｅｒｓ and ｍｏｒｅ of them to fold over the edge",
    "café naïve e\u0301 combining marks and emoji 🙂 among words",
    "first paragraph\nsecond paragraph, long enough to need wrapping at the narrow widths\n\nafter a blank",
]
WIDTHS = [10, 13, 20, 37, 80]


def _rich_wrap(text: str, width: int, no_wrap: bool = False) -> list[str]:
    console = Console(file=io.StringIO(), width=200, color_system=None, legacy_windows=False)
    made = RichText(text)
    made.no_wrap = no_wrap
    return [line.plain for line in made.wrap(console, width)]


def test_the_narrow_characters_are_one_column_wide_for_rich_too():
    for character in layout._NARROW:
        assert rich_cell_len(character) == 1, repr(character)


def _lines(text: str) -> Text:
    """A Text of several lines, as the report makes one (a line break written into a Text is escaped)."""
    return layout.stacked(Text(line) for line in text.split("\n"))


@pytest.mark.parametrize("text", SAMPLES)
def test_widths_are_rich_widths(text):
    assert layout.cell_len(text) == rich_cell_len(text)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("text", SAMPLES)
def test_wrapping_is_rich_wrapping(text, width):
    assert [line.plain for line in _lines(text).wrap(width)] == _rich_wrap(text, width)
    label = _lines(text)
    label.no_wrap = True  # a tree's label: its lines kept, cropped to the width
    assert [line.plain for line in label.wrap(width)] == _rich_wrap(text, width, no_wrap=True)


def test_styles_follow_the_text_through_wrapping():
    line = Text.assemble(("SI-003", "bold"), " + ", ("a long title that wraps", "italic"))
    pieces = line.wrap(12)
    assert [p.plain for p in pieces] == ["SI-003 + a ", "long title ", "that wraps"]
    assert pieces[0].spans == [(0, 6, "bold"), (9, 11, "italic")]
    assert pieces[2].spans == [(0, 10, "italic")]
    made = line.rich()
    assert made.plain == line.plain and [(s.start, s.end, s.style) for s in made.spans] == line.spans


@pytest.mark.parametrize("width", [30, 60, 100])
def test_trees_are_drawn_as_rich_draws_them(width):
    labels = [
        "root of the tree",
        "first child, with a label long enough to be cropped at the narrowest width tried here",
        "grandchild\n  its second line",
        "second grandchild",
        "last child",
        "its only child\nover two lines",
    ]
    ours, theirs = Tree(Text(labels[0])), RichTree(RichText(labels[0]))
    pairs = [(ours.add(Text(labels[1])), theirs.add(RichText(labels[1])))]
    for label in labels[2:4]:
        mine = _lines(label)
        mine.no_wrap = True
        made = RichText(label)
        made.no_wrap = True
        pairs[0][0].add(mine), pairs[0][1].add(made)
    last = (ours.add(Text(labels[4])), theirs.add(RichText(labels[4])))
    last[0].add(_lines(labels[5])), last[1].add(RichText(labels[5]))
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(theirs)
    drawn = [line.rstrip() for line in console.file.getvalue().rstrip("\n").split("\n")]  # type: ignore[attr-defined]
    assert [line.rstrip() for line in ours.lines(width)] == drawn


def test_a_hanging_indent_wraps_under_its_lead():
    lines = layout.hang(Text("  SI-003  +10  "), Text("word " * 12), 40, 15)
    assert [line.plain for line in lines] == [
        "  SI-003  +10  word word word word word",
        "               word word word word word",
        "               word word",
    ]


def _case_with_separators(tmp_path: Path) -> Path:
    text = (ROOT / "cases" / "benign-nordic-bakery.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Example Nordic Bakeries AS", 'name: "Example Nordic\\u2028Bakeries\\u2029AS"')
    text = text.replace("name: Kari Nordmann", 'name: "Kari\\u2028Nordmann"')
    assert "\\u2028" in text
    case = tmp_path / "separators.yaml"
    case.write_text(text, encoding="utf-8")
    return case


@pytest.mark.parametrize("colour", ["--no-color", "--color"])
def test_line_separators_in_names_are_shown_as_escapes(tmp_path, colour):
    done = subprocess.run(
        [sys.executable, "-m", "screening", "screen", str(_case_with_separators(tmp_path)), colour, "--width", "72"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stderr
    assert "\u2028" not in done.stdout and "\u2029" not in done.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    assert ("\x1b[" in done.stdout) == (colour == "--color")
    assert "Example Nordic\\u2028Bakeries\\u2029AS" in plain
    tree = [line for line in plain.splitlines() if "← Kari" in line]  # a label in the ownership tree
    assert tree and all(len(line) <= 72 for line in tree)


def _rich_hang(
    con: Console, lead: RichText | str, body: RichText, width: int, indent: int | None = None, min_room: int = 20
) -> list[RichText]:
    """The hanging indent as rich drew it before screening.report.layout (the reference layout.hang is held to):
    ``lead`` then ``body`` wrapped to ``width``; continuation lines start at column ``indent``.

    ``indent`` defaults to the lead's width (a shorter lead is padded to it). When the lead leaves less
    than ``min_room`` columns, the body starts on the next line, indented by six.
    """
    from screening.report import lines

    lead, body = lines.safe(lead).copy(), lines.safe(body)
    indent = lead.cell_len if indent is None else indent
    lead.pad_right(max(0, indent - lead.cell_len))
    if "\n" not in body.plain and lead.cell_len + body.cell_len <= width:  # the common case: it fits
        return [Text.assemble(lead, body)]
    head: list[RichText] = []
    if width - max(indent, lead.cell_len) < min_room:
        head, lead, indent = [lead], RichText(" " * 6), 6
    pad = " " * indent
    out: list[RichText] = []
    if lead.cell_len > indent:  # a long lead: its line has less room than the lines under it
        first = body.wrap(con, max(10, width - lead.cell_len))[0]
        first.rstrip()
        out.append(Text.assemble(lead, first))
        cut = len(first.plain)
        while cut < len(body.plain) and body.plain[cut] in " \n":
            cut += 1
        body, lead = body[cut:], RichText(pad)
        if not body:
            return head + out
    for paragraph in body.split("\n") if body else [RichText()]:
        wrapped = list(paragraph.wrap(con, max(10, width - indent))) if paragraph.plain.strip() else [RichText()]
        for line in wrapped:
            line.rstrip()
            out.append(Text.assemble(lead if not out else pad, line))
    return head + out


def test_hanging_indents_are_those_rich_gave_on_random_text():
    """layout.hang against the rich-based hanging indent it replaced, on seeded random text: spaces and
    line breaks, wide and combining characters, emoji, words longer than a line."""
    import random

    from screening.report import lines

    rng = random.Random(2026)
    alphabet = list("abcdefghij    ") + ["\n", "中", "国", "é", "e\u0301", "🙂", "Ｆ", "→", "·", "-"]
    alphabet.append("averyveryverylongword")
    console = lines.console(100, False)
    for _ in range(300):
        lead = "".join(rng.choice(alphabet[:14]) for _ in range(rng.randint(0, 24)))  # a lead is one line
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 160)))
        width, indent = rng.randint(12, 90), rng.choice([None, 2, 4, 15])
        room = rng.choice([0, 20])
        theirs = [line.plain for line in _rich_hang(console, lead, lines.Text(body), width, indent, room)]
        ours = [line.plain for line in layout.hang(Text(lead), _lines(body), width, indent, room)]
        assert ours == theirs, (lead, body, width, indent, room)
