"""A line break inside a field of a case (its title, an entity's name, a source's title) stays on its line in
every report: escaped in the text reports (screen, --set, filings), a space in Markdown (a table cell holds),
whitespace in HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.cli import main

ROOT = Path(__file__).resolve().parent.parent
BREAKS = {
    "\n": "\\n",
    "\r": "\\x0d",
    "\r\n": "\\x0d\\n",
    "\x0b": "\\x0b",
    "\x0c": "\\x0c",
    "\x85": "\\x85",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
"""A line break as a case may hold it, and as a text report writes it."""


def _case(tmp_path: Path, br: str) -> Path:
    """kunlun-grindr with a line break in its title, the investor's name, the target's name and a source's title
    (each field written as a JSON string: YAML reads its escapes alike)."""
    text = (ROOT / "cases" / "kunlun-grindr.yaml").read_text("utf-8")
    fields = {
        "title: Beijing Kunlun Tech ownership of the dating app Grindr (CFIUS-ordered divestment, 2019)": "title: ",
        "    name: Beijing Kunlun Tech Co., Ltd.": "    name: ",
        "  name: Grindr LLC": "  name: ",
        "    title: US Said to Push Chinese Owner of Grindr to Divest the Dating App": "    title: ",
    }
    for n, (old, lead) in enumerate(fields.items()):
        assert old in text
        text = text.replace(old, lead + json.dumps(f"Field{n} {br}Broken{n} | end", ensure_ascii=True), 1)
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    return path


def _run(capsys, *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return out


@pytest.mark.parametrize("br", list(BREAKS), ids=[repr(b) for b in BREAKS])
@pytest.mark.parametrize("extra", [(), ("--set", "target.name=Field2 {br}Broken2 | end"), ("--brief",)])
def test_a_line_break_in_a_field_stays_on_its_line_in_the_text_report(tmp_path, capsys, br, extra):
    """A newline in a case's title or an entity's name started a new line of the text report, flush left,
    outside its indent and its tree (U+2028 alone was escaped)."""
    argv = ["screen", str(_case(tmp_path, br)), *(e.replace("{br}", br) for e in extra)]
    if extra[:1] == ("--set",) and br in "\x0b\x0c":  # not a character YAML may hold: --set refuses the value
        assert main(argv) == 2 and "is not allowed in a YAML file [E106" in capsys.readouterr().err
        return
    out = _run(capsys, *argv)
    lines = out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("Broken")], out
    shown = BREAKS[br]
    assert f"Field1 {shown}Broken1 | end" in out or f"target.name=Field2 {shown}Broken2 | end" in out
    if not extra:
        assert lines[0] == f"kunlun-grindr: Field0 {shown}Broken0 | end"
        assert f"  Field1 {shown}Broken1 | end (CN) → Field2 {shown}Broken2 | end (US)" in lines
        assert any(f"Field3 {shown}Broken3 | end" in line for line in lines)


@pytest.mark.parametrize("br", list(BREAKS), ids=[repr(b) for b in BREAKS])
def test_a_line_break_in_a_field_stays_on_its_line_in_the_filings_matrix(tmp_path, capsys, br):
    out = _run(capsys, "filings", str(_case(tmp_path, br)))
    assert out.splitlines()[0] == f"kunlun-grindr: Field0 {BREAKS[br]}Broken0 | end"
    assert not [line for line in out.splitlines() if line.lstrip().startswith("Broken")]


@pytest.mark.parametrize("br", list(BREAKS), ids=[repr(b) for b in BREAKS])
def test_a_line_break_in_a_field_keeps_the_markdown_tables_whole(tmp_path, capsys, br):
    out = _run(capsys, "screen", "-f", "markdown", str(_case(tmp_path, br)))
    lines = out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("Broken")]
    rows = [line for line in lines if line.startswith("|")]
    assert rows and all(line.endswith("|") for line in rows)
    assert "Field1 Broken1 \\| end" in out or "Field1 &#92;" in out  # a break is a space, or an escape
    assert "Field3" in out and "Broken3" in out


@pytest.mark.parametrize("br", ["\n", "\u2028", "\x85"], ids=repr)
def test_a_line_break_in_a_field_is_text_in_html(tmp_path, capsys, br):
    out = _run(capsys, "screen", "-f", "html", str(_case(tmp_path, br)))
    assert "Field1" in out and "Broken1 | end" in out and "<script" not in out.split("</style>")[-1]
