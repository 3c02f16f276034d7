"""Our fast schema checker agrees with the reference jsonschema implementation."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.case.catalogue import case_schema
from screening.infra import schemacheck
from screening.infra.yamlio import load
from tests.conftest import CASES, mutated, paths_of

REFERENCE = jsonschema.Draft202012Validator(case_schema(), format_checker=jsonschema.FormatChecker())
BAD = sorted((Path(__file__).parent / "bad" / "cases").glob("*.yaml"))


def agree(data) -> None:
    ours = {p for p, _, _ in schemacheck.errors(data, case_schema())}
    theirs = {tuple(str(x) for x in e.absolute_path) for e in REFERENCE.iter_errors(data)}
    assert bool(ours) == bool(theirs), (ours, theirs)
    assert schemacheck.validator(case_schema())(data) == (not ours)  # the compiled check agrees with the walk


def test_reference_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(case_schema())


@pytest.mark.parametrize("path", CASES + BAD, ids=lambda p: p.stem)
def test_agrees_on_files(path):
    try:
        data, _ = load(path)
    except Exception:
        pytest.skip("not YAML")
    agree(data)


BASE, _ = load(CASES[0]) if CASES else ({}, {})
PATHS = [p for p in paths_of(BASE) if p]
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.sampled_from(["CN", "2021-02-30", "2021-05-01", "soe", "x y"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["id", "kind", "zz"]), st.text(max_size=3), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), JUNK, st.booleans())
def test_agrees_on_mutations(path, junk, delete):
    agree(mutated(BASE, path, junk, delete))


@pytest.mark.parametrize("value", [True, 1.5, "1"])
def test_format_version_is_exactly_one(value):
    data = copy.deepcopy(BASE)
    data["format"] = value
    agree(data)
    assert any(p == ("format",) for p, _, _ in schemacheck.errors(data, case_schema()))


def test_problems_compile_the_schema_when_it_is_met_again(monkeypatch):
    """The first document is walked; from the second on a compiled check passes valid ones, and an invalid
    one is still walked for every located problem."""
    from screening.case.load import _unwrap
    from screening.case.registry import expand

    schema = {**case_schema()}  # a fresh schema object: never met before
    good, marks = load(CASES[0])
    compiled_calls = []
    real = schemacheck.validator

    def counting(s):
        check = real(s)
        return lambda data: compiled_calls.append(1) or check(data)

    # expanded first: expanding reads the entity registry, whose files are checked against its own schema
    # (compiled from the second file on when no registry cache is warm), which is not what is counted here
    data = _unwrap(expand(good, marks, "a.yaml"), (), {})
    monkeypatch.setattr(schemacheck, "validator", counting)
    assert schemacheck.problems(data, schema, marks, "a.yaml") == []
    assert compiled_calls == []
    assert schemacheck.problems(data, schema, marks, "a.yaml") == []
    assert compiled_calls == [1]
    bad = {**data, "investor": 7, "unknown": 1}
    found = schemacheck.problems(bad, schema, marks, "a.yaml")
    assert compiled_calls == [1, 1]
    assert [(p.code, p.line, p.message.split(";")[0]) for p in found] == [
        ("E103", marks[("investor",)][0], "investor: expected text, found number 7"),
        ("E104", 1, "unknown: unknown field 'unknown'"),
    ]


def test_the_compiled_check_follows_a_schema_that_refers_to_itself():
    schema = {
        "$defs": {
            "tree": {
                "type": "object",
                "required": ["name"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                },
            }
        },
        "$ref": "#/$defs/tree",
    }
    check = schemacheck.validator(schema)
    good = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
    for data, valid in [
        (good, True),
        ({"name": "a", "children": [{"name": "b", "children": [{"name": ""}]}]}, False),
        ({"name": "a", "children": [{"children": []}]}, False),
        ({"name": "a", "x": 1}, False),
        ([], False),
    ]:
        assert check(data) is valid
        assert (not list(schemacheck.errors(data, schema))) is valid
