"""The fast check of `screening fmt --check`: a text it clears is one the round trip leaves as it is.

`is_canonical` decides "already formatted" from libyaml's parse, without ruamel.yaml's round trip; a text it
cannot clear goes through the round trip. It may say "not known" for a canonical text (the round trip then
tells), but never "formatted" for a text that formatting would change or refuse: that is what every test here
holds it to, on the pack's own files, on a corpus of formatted and unformatted texts, and on random edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.infra.errors import ScreeningError
from screening.pack.load import pack_files
from screening.tooling.fmt import format_paths, format_text, is_canonical

ROOT = Path(__file__).resolve().parent.parent
PACK_FILES = pack_files(ROOT / "rules")


def round_trip(text: str, name: str = "rules.yaml") -> str | None:
    """What formatting makes of the text (None: refused)."""
    try:
        return format_text(text, name)
    except ScreeningError:
        return None


def agrees(text: str, name: str = "rules.yaml") -> bool:
    """The fast check clears the text only when the round trip leaves it unchanged."""
    return not is_canonical(text, name) or round_trip(text, name) == text


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_of_the_default_pack_is_cleared_without_the_round_trip(path):
    text = path.read_text(encoding="utf-8")
    assert is_canonical(text, str(path))
    assert format_text(text, str(path)) == text


# A canonical rule file with every form the fast check clears: comments of each kind, blank lines, flow
# collections, anchors and aliases, quoted scalars, block scalars, keys in schema order.
CANONICAL = """\
# A header comment.
#
# Its second paragraph.

rules:
  # The first rule.
  - id: XX-001
    name: example.first  # an end-of-line comment
    title: 'It''s quoted'
    category: state_influence
    weight: 5
    when:
      all:
        - &kind {field: transaction.kind, in: [acquisition, merger]}
        - {field: investor.country, in: ["CN", 'RU', é]}
        - &nested
          field: target.sectors
          contains: energy
    rationale: >
      A folded paragraph
      on two lines.
    legal_basis:
      - "EU-2019/452 Art. 4(2)(a)"
      - "DE-AWV §55a"
    examples:
      fires: [{transaction: {kind: acquisition}}]
      quiet:
        - {transaction: {kind: greenfield}}

  - id: XX-002
    name: example.second
    title: Second
    category: state_influence
    weight: 1
    when:
      any: [*kind, *nested]
    rationale: |-
      A literal block

      with a blank line.
    examples:
      fires: []
      quiet: [{}]
# A comment at the end.
"""

# Texts at the edges of what the fast check clears: most of them formatting changes or refuses (and the fast
# check must not clear those), a few are canonical in a form the fast check leaves to the round trip.
EDGES = {
    "key order": CANONICAL.replace(
        "    name: example.second\n    title: Second\n", "    title: Second\n    name: example.second\n"
    ),
    "examples order": CANONICAL.replace("      fires: []\n      quiet: [{}]\n", "      quiet: [{}]\n      fires: []\n"),
    "indent 4": "rules:\n    - id: X\n      name: y\n",
    "indentless sequence": "rules:\n- id: X\n  name: y\n",
    "over-indented mapping": "a:\n    b: 1\n",
    "one space in flow": CANONICAL.replace("{field: transaction.kind,", "{ field: transaction.kind,"),
    "no space after comma": CANONICAL.replace("[acquisition, merger]", "[acquisition,merger]"),
    "multi-line flow": "a: [one,\n  two]\n",
    "single pair in flow sequence": "a: [b: 1]\n",
    "empty value in flow": "a: {b: , c: 1}\n",
    "multi-line plain": "a: plain\n  continued\n",
    "double-quote escape": 'a: "\\x41"\n',
    "emoji in double quotes": 'a: "\U0001f600"\n',
    "tab escape": 'a: "a\\tb"\n',
    "quoted key": '"a": 1\n',
    "eol comment one space": "a: 1 # one\n",
    "eol comment three spaces": "a: 1   # three\n",
    "comment indented under": "a:\n  b: 1\n    # deeper\nc: 2\n",
    "comment less indented": "a:\n  b: 1\n# out\n  c: 2\n",
    "comment in flow": "a: [1,\n  # two\n  2]\n",
    "comment at end indented": "a:\n  b: 1\n  # end\n",
    "blank lines doubled": "a: 1\n\n\nb: 2\n",
    "blank line first in block": "a:\n\n  b: 1\n",
    "blank line before first item": "a:\n\n  - 1\n",
    "blank line at start": "\na: 1\n",
    "blank line at end": "a: 1\n\n",
    "blank before header comment at start": "\n# c\na: 1\n",
    "blank before comment before first entry": "a:\n\n  # c\n  b: 1\n",
    "trailing space": "a: 1 \n",
    "trailing space after comment": "a: 1  # c \n",
    "no final newline": "a: 1",
    "crlf": "a: 1\r\nb: 2\r\n",
    "bom": "\ufeffa: 1\n",
    "tab": "a:\n\t- 1\n",
    "document start": "---\na: 1\n",
    "document end": "a: 1\n...\n",
    "tag": "a: !!str 1\n",
    "merge key": "a: &x {b: 1}\nc:\n  <<: *x\n",
    "unused anchor": "a: &u {f: 1}\nb: 1\n",
    "unused block anchor": "a: &u\n  f: 1\nb: 1\n",
    "duplicate key": "a: 1\na: 2\n",
    "not a mapping": "- a\n- b\n",
    "block scalar more indented": "a: >\n  one\n    two\n",
    "block scalar indent 4": "a: >\n    one\n",
    "block scalar trailing space": "a: |\n  one \n  two\n",
    "block scalar keep": "a: |+\n  one\n\nb: 1\n",
    "block scalar indicator": "a: |2\n   one\n",
    "folded blank line": "a: >\n  one\n\n  two\n",
    "literal starting with a blank line": "a: |-\n\n  one\n",
    "block scalar in a sequence": "a:\n  - |\n    one\n",
    "nested sequence": "a:\n  - - 1\n",
    "null written empty": "a:\nb: 1\n",
    "colon in a flow scalar": "a: [b:c]\n",
    "space before colon": "a : 1\n",
    "two spaces after colon": "a:  1\n",
    "two spaces after dash": "a:\n  -   b\n",
    "NEL": "a: b\x85c\n",
}


def test_the_canonical_sample_is_cleared_and_is_canonical():
    assert format_text(CANONICAL, "rules.yaml") == CANONICAL
    assert is_canonical(CANONICAL, "rules.yaml")


@pytest.mark.parametrize("name", sorted(EDGES))
def test_a_text_formatting_changes_or_refuses_is_never_cleared(name):
    assert agrees(EDGES[name])


def test_most_edge_texts_are_ones_formatting_changes_or_refuses():
    changed = [name for name, text in EDGES.items() if round_trip(text) != text]
    assert len(changed) >= 0.75 * len(EDGES)
    assert {"key order", "eol comment one space", "one space in flow", "blank line at end", "crlf"} <= set(changed)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n",
        "a:\n  b: 1\n\n  c: [x, y]\n",
        "# c\na:\n  - 1\n  - {b: 2}\n",
        "a: 'x'\nb: \"y\"\nc: ~\nd: True\ne: 0x1F\n",
        "a: &x\n  - 1\nb: *x\n",
        "a:\n  # lead\n  b: 1  # eol\n\n  # between\n  c: 2\n# end\n\n# end again\n",
    ],
)
def test_canonical_texts_in_common_forms_are_cleared(text):
    assert format_text(text) == text
    assert is_canonical(text)


# -- random edits of canonical texts ----------------------------------------------------------


def _edit(lines: list[str], kind: int, at: int) -> list[str]:
    lines = list(lines)
    at %= len(lines)
    line = lines[at]
    edits = [
        lambda: lines.__setitem__(at, " " + line),
        lambda: lines.__setitem__(at, line[1:] if line.startswith(" ") else line),
        lambda: lines.__setitem__(at, line + " "),
        lambda: lines.insert(at, ""),
        lambda: lines.__setitem__(at, line + "  # note"),
        lambda: lines.__setitem__(at, line + " # note"),
        lambda: lines.insert(at, " " * (len(line) - len(line.lstrip())) + "# note"),
        lambda: lines.insert(at, "  # note"),
        lambda: lines.__delitem__(at),
        lambda: lines.__setitem__(at, line.replace(", ", ",", 1)),
        lambda: lines.__setitem__(at, line.replace(": ", ":  ", 1)),
        lambda: lines.__setitem__(at, line.replace("- ", "-  ", 1)),
        lambda: lines.__setitem__(at, line.replace("{", "{ ", 1)),
        lambda: lines.__setitem__(at, line.replace("'", '"')),
        lambda: lines.insert(at, line),
        lambda: lines.insert(at + 1, lines.pop(at)) if at + 1 < len(lines) else None,
    ]
    edits[kind % len(edits)]()
    return lines or [""]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 10_000)), min_size=1, max_size=3))
def test_an_edited_canonical_text_is_cleared_only_if_formatting_keeps_it(edits):
    lines = CANONICAL.split("\n")[:-1]
    for kind, at in edits:
        lines = _edit(lines, kind, at)
    text = "\n".join(lines) + "\n"
    assert agrees(text)


# -- fmt --check ------------------------------------------------------------------------------


def test_check_gives_the_round_trips_verdict_file_by_file(tmp_path, monkeypatch):
    """On a cold cache, the files fmt --check would change are the same with and without the fast check."""
    import screening.tooling.fmt as fmt

    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    pack = tmp_path / "pack"
    pack.mkdir()
    for path in pack_files(ROOT / "rules")[:4]:
        (pack / path.name).write_bytes(path.read_bytes())
    (pack / "zz-key-order.yaml").write_text(EDGES["key order"])
    (pack / "zz-comment.yaml").write_text(EDGES["comment less indented"])
    (pack / "zz-canonical.yaml").write_text(CANONICAL)
    fast = [c.path.name for c in format_paths([pack]) if c.changed]
    monkeypatch.setattr(fmt, "is_canonical", lambda text, name: False)
    assert [c.path.name for c in format_paths([pack]) if c.changed] == fast == ["zz-comment.yaml", "zz-key-order.yaml"]
