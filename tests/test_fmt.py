"""`screening fmt`: one canonical layout for rule-pack YAML, comments, anchors and data kept."""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from screening.infra import yamlio
from screening.infra.errors import ScreeningError
from screening.tooling.fmt import Change, format_paths, format_text, key_order, unified_diff, write_changes

ROOT = Path(__file__).resolve().parent.parent
RULES = sorted((ROOT / "rules").glob("*.yaml"))
DATA = Path(__file__).parent / "data" / "fmt"


@cache
def formatted(path: Path) -> str:
    return format_text(path.read_text(encoding="utf-8"), str(path))


def comments(text: str) -> Counter[str]:
    """Comment texts of a YAML text (good enough for these files: no string in them holds " #")."""
    return Counter(match.rstrip() for match in re.findall(r"(?:^|\s)(#.*)$", text, re.M))


# -- the rule pack in rules/ -------------------------------------------------------------------


def test_the_pack_has_files_to_format():
    assert {p.name for p in RULES} >= {"pack.yaml", "scoring.yaml", "legal.yaml", "sources.yaml"}


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_formatting_is_idempotent(path):
    once = formatted(path)
    assert format_text(once, str(path)) == once


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_formatting_keeps_the_data(path):
    old = path.read_text(encoding="utf-8")
    new = formatted(path)
    assert yaml.safe_load(new) == yaml.safe_load(old)
    assert yamlio.loads(new)[0] == yamlio.loads(old)[0]  # the YAML 1.2 reading the pack loader uses


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_formatting_keeps_every_comment_and_anchor(path):
    old = path.read_text(encoding="utf-8")
    new = formatted(path)
    assert comments(new) == comments(old)
    assert sorted(re.findall(r"[&*]\w+", new)) == sorted(re.findall(r"[&*]\w+", old))


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_formatted_rule_files_are_in_the_canonical_layout(path):
    new = formatted(path)
    assert new.endswith("\n") and not new.endswith("\n\n")
    assert "\r" not in new and "\t" not in new
    lines = new.split("\n")
    assert not [line for line in lines if line != line.rstrip()]
    assert not [line for line in lines if (len(line) - len(line.lstrip(" "))) % 2]


# -- the golden example ------------------------------------------------------------------------


def test_messy_file_gets_the_golden_layout():
    raw = (DATA / "messy.yaml").read_bytes()
    # what makes the input messy (guards against an editor or checkout tidying the fixture)
    assert b"\r\n" in raw and not raw.endswith(b"\n")
    assert b"   \r\n" in raw and b"\n    -   name:" in raw
    assert b"&energy" in raw and b"*energy" in raw
    expected = (DATA / "messy.expected.yaml").read_bytes().decode("utf-8")
    assert format_text(raw.decode("utf-8"), "messy.yaml") == expected


def test_golden_file_is_canonical_and_holds_the_same_data():
    messy = (DATA / "messy.yaml").read_bytes().decode("utf-8")
    expected = (DATA / "messy.expected.yaml").read_text(encoding="utf-8")
    assert format_text(expected, "messy.expected.yaml") == expected
    assert yaml.safe_load(expected) == yaml.safe_load(messy)
    assert comments(expected) == comments(messy)


# -- key order ---------------------------------------------------------------------------------


def test_rule_key_order_is_the_documented_one():
    assert key_order("rules", "rules", "[]") == [
        "id",
        "name",
        "title",
        "category",
        "weight",
        "mitigates",
        "when",
        "rationale",
        "legal_basis",
        "practice",
        "references",
        "aliases",
        "examples",
    ]
    assert key_order("rules", "rules", "[]", "examples") == ["fires", "quiet"]


def keys_of(text: str, *path) -> list[str]:
    node = yaml.safe_load(text)
    for step in path:
        node = node[step]
    return list(node)


def test_comments_travel_with_their_keys():
    text = (
        "rules:\n"
        "  - title: T  # about the title\n"
        "    # Why this weight.\n"
        "    weight: 3\n"
        "    id: X-1\n"
        "    examples:\n"
        "      quiet: [{a: 1}]\n"
        "      # fires before quiet\n"
        "      fires: [{a: 2}]\n"
        "    # The condition.\n"
        "    when: {field: investor.country, in: concern}\n"
        "    name: x.y\n"
    )
    new = format_text(text)
    assert new == (
        "rules:\n"
        "  - id: X-1\n"
        "    name: x.y\n"
        "    title: T  # about the title\n"
        "    # Why this weight.\n"
        "    weight: 3\n"
        "    # The condition.\n"
        "    when: {field: investor.country, in: concern}\n"
        "    examples:\n"
        "      # fires before quiet\n"
        "      fires: [{a: 2}]\n"
        "      quiet: [{a: 1}]\n"
    )


def test_comment_at_the_end_of_a_nested_block_stays_there():
    text = (
        "rules:\n"
        "  - when:\n"
        "      any:\n"
        "        - {field: a, equals: 1}\n"
        "        # - {field: b, equals: 2}   (disabled)\n"
        "    # About the id.\n"
        "    id: X-1\n"
    )
    assert format_text(text) == (
        "rules:\n"
        "  # About the id.\n"
        "  - id: X-1\n"
        "    when:\n"
        "      any:\n"
        "        - {field: a, equals: 1}\n"
        "        # - {field: b, equals: 2}   (disabled)\n"
    )


def test_pack_scoring_legal_and_sources_keys_follow_the_schema():
    scoring = "levels:\n  - {min: 0, id: low}\ncategories:\n  - title: A\n    cap: 5\n    id: a\n"
    new = format_text(scoring, "rules/scoring.yaml")
    assert keys_of(new) == ["categories", "levels"]
    assert keys_of(new, "categories", 0) == ["id", "title", "cap"]
    assert "- {id: low, min: 0}" in new  # flow mappings are reordered too, and stay flow
    sources = "sources:\n  - publisher: P\n    url: https://x.invalid/\n    title: T\n    id: s\n"
    assert keys_of(format_text(sources, "sources.yaml"), "sources", 0) == ["id", "title", "url", "publisher"]
    legal = "instruments:\n  - note: n\n    date: 2020-01-01\n    title: T\n    id: L\n"
    assert keys_of(format_text(legal, "legal.yaml"), "instruments", 0) == ["id", "title", "date", "note"]
    pack = "sets: {a: [1]}\nversion: '1'\nname: p\nfuture_key: 1\n"
    assert keys_of(format_text(pack, "pack.yaml")) == ["name", "version", "sets", "future_key"]


def test_kind_comes_from_the_top_level_key_or_the_file_name():
    rules = "rules:\n  - weight: 1\n    id: X\n"
    assert keys_of(format_text(rules, "anything.yaml"), "rules", 0) == ["id", "weight"]
    # not a pack file by its keys (version missing, unknown key), but by its name
    pack = "description: d\nname: p\nextra: 1\n"
    assert keys_of(format_text(pack, "pack.yaml")) == ["name", "description", "extra"]
    assert keys_of(format_text(pack, "other.yaml")) == ["description", "name", "extra"]


def test_files_of_no_known_kind_are_laid_out_but_not_reordered():
    case = "format: 1\nid: c\ntitle: t\nsources:\n    - title: T\n      id: s\n"
    assert format_text(case, "cases/c.yaml") == "format: 1\nid: c\ntitle: t\nsources:\n  - title: T\n    id: s\n"


def test_unknown_rule_keys_come_last_in_their_order():
    text = "rules:\n  - zeta: 1\n    id: X\n    alpha: 2\n    name: a.b\n"
    assert keys_of(format_text(text), "rules", 0) == ["id", "name", "zeta", "alpha"]


# -- anchors, scalars, layout ------------------------------------------------------------------


def test_anchor_moves_to_the_first_occurrence_when_keys_are_reordered():
    text = (
        "rules:\n"
        "  - examples:\n"
        "      quiet:\n"
        "        - target: &plain\n"
        "            sectors: [retail]\n"
        "      fires:\n"
        "        - {target: *plain, x: 1}\n"
        "    id: X\n"
    )
    new = format_text(text)
    assert "&plain" in new and "*plain" in new
    assert new.index("&plain") < new.index("*plain")
    assert yaml.safe_load(new) == yaml.safe_load(text)


def test_scalars_and_flow_collections_are_kept_as_written():
    text = (
        "a: 'single'\n"
        'b: "double"\n'
        "c: NO\n"
        "d: 2026-13-01\n"
        "e: 24.90\n"
        "f: >-\n"
        "  folded\n"
        "  lines\n"
        "g: |\n"
        "  literal\n"
        "    indented\n"
        "h: {field: investor.country, in: concern}\n"
        "i: " + "x" * 200 + "\n"
        "j: [~, True, +1, -0, 0x1F, 1_000, 1e3, .5, NULL]\n"
        "k: ~\n"
        "l:\n"
    )
    assert format_text(text) == text


def test_flow_spellings_that_change():
    assert format_text("a: [b: 1, {c: 2}]\nd: {e: , f: 3}\n") == "a: [{b: 1}, {c: 2}]\nd: {e: null, f: 3}\n"


def test_multi_line_flow_collections_and_plain_scalars_are_joined():
    text = "a: [one,\n    two]\nb: plain\n  continued\n"
    assert format_text(text) == "a: [one, two]\nb: plain continued\n"


def test_end_of_line_comments_are_two_spaces_from_their_value():
    text = "a: 1 # one\nb: >    # folded\n  text\nc:       # empty\nd:\n  - x      # item\n"
    assert format_text(text) == "a: 1  # one\nb: >  # folded\n  text\nc:  # empty\nd:\n  - x  # item\n"


def test_comment_inside_a_flow_collection_goes_above_its_key():
    text = "a: [1,\n  # two comes next\n  2]\nb: 3\n"
    assert format_text(text) == "# two comes next\na: [1, 2]\nb: 3\n"


def test_blank_lines_are_kept_between_entries_and_collapsed():
    text = "\n\n# head\n\n\na: 1\n\n\n\nb:\n\n  c: 1\n\n  d: 2\n\n\n"
    assert format_text(text) == "# head\n\na: 1\n\nb:\n  c: 1\n\n  d: 2\n"


def test_line_ends_byte_order_mark_and_final_newline_are_normalised():
    assert format_text("\ufeffa: 1\r\nb:\r\n    - 2   \r\n    - 3") == "a: 1\nb:\n  - 2\n  - 3\n"


def test_empty_and_comment_only_files():
    assert format_text("") == ""
    assert format_text("\n\n") == ""
    assert format_text("# only a comment  \n\n\n# and another\n\n") == "# only a comment\n\n# and another\n"
    assert format_text("---\n# a comment after an empty document\n") == "# a comment after an empty document\n"


# -- errors ------------------------------------------------------------------------------------


def only_problem(text: str, name: str = "bad.yaml"):
    with pytest.raises(ScreeningError) as info:
        format_text(text, name)
    (problem,) = info.value.problems
    return problem


def test_syntax_error_is_located():
    problem = only_problem("rules:\n  - id: X\n    when: {field: a, equals: [1}\n")
    assert (problem.file, problem.code) == ("bad.yaml", "E100")
    assert (problem.line, problem.column) == (3, 30)  # the '[' left open, not where the parser noticed
    assert "still open at line 3, column 32" in problem.message
    problem = only_problem("a: 1\n  b: 2\n")
    assert (problem.code, problem.line, problem.column) == ("E100", 2, 4)


def test_duplicate_keys_tabs_tags_and_merge_keys_are_refused():
    problem = only_problem("a: 1\nb: 2\na: 3\n")
    assert (problem.code, problem.line, problem.column) == ("E101", 3, 1)
    assert "first defined on line 1" in problem.message
    problem = only_problem("a:\n\t- b\n")
    assert (problem.code, problem.line) == ("E102", 2)
    assert only_problem("a: !!python/name:os.system x\n").code == "E110"
    problem = only_problem("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert (problem.code, problem.line, problem.column) == ("E110", 3, 3)


# -- files -------------------------------------------------------------------------------------


def test_format_paths_reads_a_directory_top_level_yaml_files_only(tmp_path):
    (tmp_path / "b.yaml").write_text("rules:\n  - weight: 1\n    id: X\n")
    (tmp_path / "a.yaml").write_text("a: 1\n")
    (tmp_path / "notes.txt").write_text("not: yaml: at all\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "c.yaml").write_text("a: [\n")
    changes = format_paths([tmp_path])
    assert [c.path for c in changes] == [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    assert [c.changed for c in changes] == [False, True]
    assert changes[1].old == "rules:\n  - weight: 1\n    id: X\n"
    assert changes[1].new == "rules:\n  - id: X\n    weight: 1\n"
    # a file named explicitly is formatted, once even when named twice
    again = format_paths([tmp_path / "a.yaml", tmp_path, tmp_path / "a.yaml"])
    assert [c.path.name for c in again] == ["a.yaml", "b.yaml"]


def test_format_paths_reports_problems_of_every_file(tmp_path):
    (tmp_path / "one.yaml").write_text("a: [\n")
    (tmp_path / "two.yaml").write_text("a: 1\na: 2\n")
    (tmp_path / "ok.yaml").write_text("a: 1\n")
    with pytest.raises(ScreeningError) as info:
        format_paths([tmp_path, tmp_path / "missing.yaml"])
    found = {(Path(p.file).name, p.code) for p in info.value.problems}
    assert found == {("one.yaml", "E100"), ("two.yaml", "E101"), ("missing.yaml", "E001")}


def test_format_paths_counts_line_ends_and_byte_order_mark_as_changes(tmp_path):
    (tmp_path / "crlf.yaml").write_bytes(b"a: 1\r\n")
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    changes = {c.path.name: c for c in format_paths([tmp_path])}
    assert changes["crlf.yaml"].changed and changes["crlf.yaml"].new == "a: 1\n"
    assert changes["bom.yaml"].changed and changes["bom.yaml"].new == "a: 1\n"


def test_write_changes_writes_changed_files_and_leaves_the_others_untouched(tmp_path):
    same, other = tmp_path / "same.yaml", tmp_path / "other.yaml"
    same.write_text("a: 1\n")
    other.write_text("b:    2   \n")
    past = 1_500_000_000
    for path in (same, other):
        os.utime(path, (past, past))
    changes = format_paths([tmp_path])
    assert [(c.path.name, c.changed) for c in changes] == [("other.yaml", True), ("same.yaml", False)]
    write_changes(changes)
    assert same.stat().st_mtime == past
    assert other.read_bytes() == b"b: 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.yaml", "same.yaml"]  # no temporary files left
    assert not [c for c in format_paths([tmp_path]) if c.changed]


def test_unified_diff_is_labelled_with_the_path():
    change = Change(Path("rules/x.yaml"), "a:   1\nb: 2", "a: 1\nb: 2\n")
    assert unified_diff(change) == (
        "--- a/rules/x.yaml\n"
        "+++ b/rules/x.yaml\n"
        "@@ -1,2 +1,2 @@\n"
        "-a:   1\n"
        "-b: 2\n"
        "\\ No newline at end of file\n"
        "+a: 1\n"
        "+b: 2\n"
    )
    assert unified_diff(Change(Path("x.yaml"), "a: 1\n", "a: 1\n")) == ""
    assert not Change(Path("x.yaml"), "a: 1\n", "a: 1\n").changed


# -- layering ----------------------------------------------------------------------------------


def test_only_the_fmt_command_imports_the_formatter():
    package = ROOT / "screening"
    for path in package.rglob("*.py"):
        if path.name == "fmt.py":
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
        assert not {n for n in names if n.startswith("ruamel")}, path.name
        if path.name != "cli.py":
            assert "screening.tooling.fmt" not in names, path.name


# -- the cache of canonical texts ----------------------------------------------------------------


def test_a_text_found_canonical_is_not_formatted_again(tmp_path, monkeypatch):
    """The second run of fmt --check over an unchanged pack skips the round trip; an edited file takes it."""
    import screening.tooling.fmt as fmt

    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    pack = tmp_path / "pack"
    pack.mkdir()
    for path in RULES[:3]:
        (pack / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(fmt, "is_canonical", lambda text, name: False)  # the cache alone (the fast check aside)
    calls: list[str] = []
    real = fmt.format_text
    monkeypatch.setattr(fmt, "format_text", lambda text, name: calls.append(name) or real(text, name))
    assert not any(c.changed for c in format_paths([pack]))
    assert len(calls) == 3
    assert not any(c.changed for c in format_paths([pack]))
    assert len(calls) == 3  # all three known canonical now
    edited = pack / RULES[0].name
    edited.write_text(edited.read_text() + "\n\n")
    changes = format_paths([pack])
    assert len(calls) == 4 and [c.path for c in changes if c.changed] == [edited]
    assert format_paths([pack])[0].changed  # a text that is not canonical is never remembered as one
    monkeypatch.setenv("SCREENING_MAX_TEXT", "10")  # other limits: the cache does not hold for them
    with pytest.raises(ScreeningError):
        format_paths([pack])


def test_many_files_are_formatted_in_processes_with_the_same_result(tmp_path, monkeypatch):
    """Past PARALLEL_FROM files the round trips are shared among forked processes: same texts, same problems,
    in file order."""
    import screening.tooling.fmt as fmt

    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    pack = tmp_path / "pack"
    pack.mkdir()
    for path in RULES:
        (pack / path.name).write_text(path.read_text().replace("\n\n", "\n\n\n"))  # each one needs formatting
    (pack / "broken.yaml").write_text("rules: [\n")
    (pack / "zz-tab.yaml").write_text("rules:\n\t- id: X\n")
    assert len(RULES) + 2 >= fmt.PARALLEL_FROM

    def outcome():
        try:
            return fmt.format_paths([pack]), None
        except ScreeningError as exc:
            return None, [(p.file, p.line, p.code) for p in exc.problems]

    _, parallel = outcome()
    assert [Path(f).name for f, _, _ in parallel] == ["broken.yaml", "zz-tab.yaml"]
    monkeypatch.setattr(fmt, "PARALLEL_FROM", 10_000)
    assert outcome()[1] == parallel
    (pack / "broken.yaml").unlink()
    (pack / "zz-tab.yaml").unlink()
    monkeypatch.setattr(fmt, "PARALLEL_FROM", 2)
    in_processes = fmt.format_paths([pack])
    monkeypatch.setattr(fmt, "PARALLEL_FROM", 10_000)
    assert fmt.format_paths([pack]) == in_processes and sum(c.changed for c in in_processes) >= 6
    assert [c.new for c in in_processes] == [formatted(p) for p in RULES]
