"""The draft-07 schemas for editors accept every shipped file and reject what the tool rejects."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screening.case.catalogue import case_schema
from screening.case.load import _unwrap
from screening.case.registry import expand
from screening.infra import schemacheck
from screening.infra.errors import ScreeningError
from screening.infra.yamlio import load, loads
from screening.pack.load import RESERVED
from screening.tooling import schemas
from tests.conftest import CASES, ROOT, mutated, paths_of

RULES = ROOT / "rules"
PACK_DEFS: dict[str, Any] = json.loads((ROOT / "screening" / "schema" / "pack.schema.json").read_text("utf-8"))["$defs"]
PACK_KINDS = ("pack", "scoring", "legal", "sources")
"""Kinds with one file each in a pack, named ``<kind>.yaml``."""
RULE_FILES = sorted(
    p for p in RULES.glob("*.yaml") if p.name not in RESERVED and p.stem not in (*PACK_KINDS, "waivers")
)
BAD_CASES = sorted((ROOT / "tests" / "bad" / "cases").glob("*.yaml"))


def available(kind: str) -> str:
    if kind in ("waivers", "tests") and kind not in PACK_DEFS:
        pytest.skip(f"pack.schema.json has no {kind} definition yet")
    return kind


def draft7(kind: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schemas.export(kind), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def editor_errors(kind: str, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in draft7(kind).iter_errors(data)]


def our_errors(kind: str, data: Any) -> list[str]:
    """What the tool itself reports against its schema files for data read from a ``kind`` file."""
    if kind == "case":  # entities written {ref: ID} are filled in from the registry first, as the tool does
        try:
            data = expand(data, {}, "case.yaml")
        except ScreeningError:
            return ["entities: unknown registry reference"]
        long_form: list[Any] = []  # the long form's own problems (sources, note, confidence), as the tool reports them
        data, schema = _unwrap(data, (), {}, long_form), case_schema()
        if long_form:
            return [f"{'/'.join(path)}: {message}" for path, message in long_form]
    else:
        name = "rules" if kind == "rule" else kind
        schema = {**PACK_DEFS[name], "$defs": PACK_DEFS}
    found = [f"{'/'.join(path)}: {message}" for path, _, message in schemacheck.errors(data, schema)]
    assert schemacheck.validator(schema)(data) == (not found), found  # the fast path agrees with the walk
    return found


def agree(kind: str, data: Any) -> bool:
    """Both validators accept ``data``, or both reject it; returns whether it is valid."""
    ours, theirs = our_errors(kind, data), editor_errors(kind, data)
    assert bool(ours) == bool(theirs), (ours, theirs)
    return not ours


def walk(node: Any):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# The documents themselves


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_every_kind_is_a_valid_draft_07_schema(kind):
    document = schemas.export(available(kind))
    jsonschema.Draft7Validator.check_schema(document)
    assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert document["$id"] == f"https://screening.invalid/schema/{kind}.json"
    assert document["title"] and document["description"]
    assert document["type"] == "object"


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_no_2020_12_constructs_remain(kind):
    text = schemas.export_text(available(kind))
    assert "$defs" not in text and "2020-12" not in text
    for node in walk(schemas.export(kind)):
        if isinstance(node, dict) and "$ref" in node:
            assert len(node) == 1, f"draft-07 ignores keywords beside $ref: {node}"


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_definitions_are_exactly_those_reached(kind):
    document = schemas.export(available(kind))
    definitions = document.get("definitions", {})
    refs = {n["$ref"] for n in walk(document) if isinstance(n, dict) and isinstance(n.get("$ref"), str)}
    assert refs <= {f"#/definitions/{name}" for name in definitions}
    assert {f"#/definitions/{name}" for name in definitions} <= refs


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_output_is_deterministic_and_fresh(kind):
    text = schemas.export_text(available(kind))
    assert text == schemas.export_text(kind) and text.endswith("}\n")
    assert json.loads(text) == schemas.export(kind)
    schemas.export(kind)["properties"].clear()  # a caller changing its copy changes no later export
    assert schemas.export_text(kind) == text


def test_unknown_kind_is_a_key_error():
    with pytest.raises(KeyError):
        schemas.export("ruels")


def test_a_kind_missing_from_the_schema_files_is_a_key_error(monkeypatch):
    read = schemas._read
    without = {**read("pack.schema.json"), "$defs": {k: v for k, v in PACK_DEFS.items() if k != "waivers"}}
    monkeypatch.setattr(schemas, "_read", lambda name: without if name == "pack.schema.json" else read(name))
    with pytest.raises(KeyError, match="waivers"):
        schemas.export("waivers")
    assert schemas.export("rule")["title"] == "screening rule file"


def test_questions_show_as_descriptions():
    case = schemas.export("case")
    country = case["properties"]["target"]["properties"]["country"]
    assert country["description"] == country["x-question"] == "In which country is the target established?"
    kind = case["definitions"]["entity"]["properties"]["kind"]
    assert kind["description"] == "What sort of body the entity is."  # an own description is kept
    entity_country = case["definitions"]["entity"]["properties"]["country"]
    assert "{name}" not in entity_country["description"] and "{name}" in entity_country["x-question"]


def test_module_stays_light():
    code = (
        "import sys, screening.tooling.schemas as s; s.export('case'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'jsonschema')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert run.stdout.strip() == "[]"


def test_draft_07_only_keywords_without_equivalent_are_refused():
    with pytest.raises(ValueError, match="unevaluatedProperties"):
        schemas._Converter({}, long_form=False).schema({"type": "object", "unevaluatedProperties": False})


# The shipped files


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_is_valid(path):
    data, _ = load(path)
    assert editor_errors("case", data) == []
    assert our_errors("case", data) == []


@pytest.mark.parametrize("path", sorted(RULES.glob("tests/*.yaml")), ids=lambda p: p.stem)
def test_every_pack_test_file_is_valid(path):
    data, _ = load(path)
    assert editor_errors(available("tests"), data) == []
    assert our_errors("tests", data) == []


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_every_rule_file_is_valid(path):
    data, _ = load(path)
    assert editor_errors("rule", data) == []
    assert our_errors("rule", data) == []


@pytest.mark.parametrize("kind", PACK_KINDS)
@pytest.mark.parametrize("directory", [RULES, ROOT / "tests" / "data" / "pack"], ids=["default", "test"])
def test_pack_files_are_valid(directory, kind):
    path = directory / f"{kind}.yaml"
    if not path.is_file():
        pytest.skip(f"no {path.name} in {directory.name}")
    data, _ = load(path)
    assert editor_errors(available(kind), data) == []
    assert our_errors(kind, data) == []


def test_the_rule_files_are_found():
    assert len(RULE_FILES) >= 5 and all(p.name != "pack.yaml" for p in RULE_FILES)


# Agreement with the tool's own validator


def case_text(extra: str = "") -> str:
    return (
        "id: demo\ntitle: Demo\ninvestor: inv\n"
        "entities:\n  - {id: inv, name: Investor, country: NO}\n"
        "target:\n  name: Target\n  country: BE\n" + extra
    )


def rule_data(**changes: Any) -> dict[str, Any]:
    rule = {
        "id": "XX-001",
        "name": "demo.rule",
        "title": "Demo",
        "category": "demo",
        "weight": 3,
        "when": {"field": "target.country", "equals": "BE"},
        "rationale": "Because.",
    }
    rule.update(changes)
    return {"rules": [{k: v for k, v in rule.items() if v is not None}]}


def test_norway_stays_a_country_code():
    data, _ = loads(case_text())
    assert data["entities"][0]["country"] == "NO"
    assert agree("case", data)


def test_unknown_top_level_case_field_is_rejected_by_both():
    data, _ = loads(case_text("colour: blue\n"))
    assert not agree("case", data)
    assert any(e.startswith(": Additional properties") for e in editor_errors("case", data))


def test_rule_with_text_weight_is_rejected_by_both():
    assert agree("rule", rule_data())
    assert not agree("rule", rule_data(weight="high"))
    assert any(e.startswith("rules/0/weight") for e in editor_errors("rule", rule_data(weight="high")))


def test_rule_without_id_is_rejected_by_both():
    data = rule_data(id=None)
    assert not agree("rule", data)
    assert any("'id' is a required property" in e for e in editor_errors("rule", data))


@pytest.mark.parametrize(
    "extra, valid",
    [
        ("transaction:\n  value_eur: {value: 5000000, sources: [s1], note: announced}\n", True),
        ("transaction:\n  kind: {value: acquisition}\n", True),
        ("as_of: {value: '2024-05-01', sources: [s1]}\n", True),
        ("tags: {value: [a, b]}\n", True),
        ("transaction:\n  value_eur: {value: lots, sources: [s1]}\n", False),
        ("transaction:\n  kind: {value: purchase}\n", False),
        ("transaction:\n  value_eur: {value: 5, source: [s1]}\n", False),
        ("transaction:\n  value_eur: {sources: [s1]}\n", False),
    ],
    ids=["number", "enum", "date", "list", "wrong-value", "unknown-enum", "unknown-key", "no-value"],
)
def test_long_form_facts_agree(extra, valid):
    data, _ = loads(case_text(extra) + "sources:\n  - {id: s1, title: Deal note}\n")
    assert agree("case", data) is valid


@pytest.mark.parametrize(
    "extra",
    [
        "tags: [{value: a}]\n",
        "transaction:\n  value_local: {value: {amount: 5, currency: EUR}}\n",
        "transaction:\n  value_eur: {value: 5, sources: s1}\n",
        "transaction:\n  value_eur: {value: 5, note: 7}\n",
    ],
    ids=["list-item", "mapping", "sources-not-a-list", "note-not-text"],
)
def test_editor_is_stricter_on_odd_long_forms(extra):
    """The tool unwraps any ``{value: ...}`` (and refuses malformed sources and notes, E103, as the editor
    does); the documented long form is a single fact with a list of source ids, which is all the editor
    schema offers."""
    data, _ = loads(case_text(extra) + "sources:\n  - {id: s1, title: Deal note}\n")
    assert editor_errors("case", data)
    assert bool(our_errors("case", data)) == ("sources: s1" in extra or "note: 7" in extra)


@pytest.mark.parametrize("path", BAD_CASES, ids=lambda p: p.stem)
def test_agrees_on_bad_cases(path):
    try:
        data, _ = load(path)
    except Exception:
        pytest.skip("not YAML the tool reads")
    agree("case", data)


def test_dates_are_checked_even_without_format_checking():
    data, _ = load(RULES / "legal.yaml")
    data["instruments"][0]["date"] = "1 May 2021"
    assert our_errors("legal", data)
    assert list(jsonschema.Draft7Validator(schemas.export("legal")).iter_errors(data))


def test_waivers_agree():
    available("waivers")
    waiver = {
        "case": "demo",
        "rule": "XX-001",
        "reason": "Cleared after review of the undertakings.",
        "approver": "A. Analyst, head of unit",
        "expires": "2030-01-31",
    }
    assert agree("waivers", {"waivers": [waiver]})
    for broken in (
        {**waiver, "expires": "31/01/2030"},
        {k: v for k, v in waiver.items() if k != "reason"},
        {**waiver, "colour": "blue"},
    ):
        assert not agree("waivers", {"waivers": [broken]})


BASES = {"case": load(CASES[0])[0], "rule": load(RULE_FILES[0])[0]}
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.sampled_from(["CN", "2021-02-30", "2021-05-01", "soe", "x y", "NO"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["id", "kind", "zz", "sources"]), st.text(max_size=3), max_size=2),
)
"""Long-form facts (mappings with ``value``) are tested above, where the editor is stricter on purpose."""


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(BASES)), st.data(), JUNK, st.booleans())
def test_agrees_on_mutations(kind, draw, junk, delete):
    base = BASES[kind]
    # conditions: the editor checks them against the catalogue and operators (below), the tool's pack schema
    # leaves them to the condition compiler
    path = draw.draw(st.sampled_from([p for p in paths_of(base) if p and "when" not in p]))
    # a registry reference changed to another string is a problem only the registry can show, not a schema
    assume(not (kind == "case" and path[-1] == "ref" and isinstance(junk, str) and not delete))
    agree(kind, mutated(base, path, junk, delete))


# Conditions: generated from the fact catalogue and the operator registry


def condition_errors(when: Any) -> list[str]:
    rule = {
        "id": "SI-900",
        "name": "state_influence.example",
        "title": "An example",
        "category": "state_influence",
        "weight": 5,
        "when": when,
        "rationale": "An example rule long enough to say why it matters.",
        "practice": "An example.",
    }
    return editor_errors("rule", {"rules": [rule]})


@pytest.mark.parametrize("path", RULE_FILES + sorted((RULES / "regimes").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_condition_is_valid_for_the_editor(path):
    kind = "regime" if path.parent.name == "regimes" else "rule"
    assert editor_errors(kind, load(path)[0]) == []


def test_conditions_are_described_fully():
    tests = schemas.export("rule")["definitions"]["condition_test"]
    from screening.case.catalogue import catalogue
    from screening.conditions.operators import OPERATORS

    assert tests["properties"]["field"]["enum"] == list(catalogue())  # every fact, for completion
    assert set(OPERATORS) <= set(tests["properties"])
    by_fact = {t["if"]["properties"]["field"]["const"]: t["then"]["properties"] for t in tests["allOf"]}
    assert set(by_fact) == set(catalogue())
    assert by_fact["transaction.stake_after_pct"]["gte"] == {"type": "number"}
    assert "gte" not in by_fact["investor.country"]  # an operator that does not apply is not offered
    assert by_fact["investor.country"]["equals"]["pattern"] == "^[A-Z]{2}$"
    kinds = by_fact["investor.kind"]["equals"]["enum"]
    assert "soe" in kinds and "state_body" in kinds


@pytest.mark.parametrize(
    "when",
    [
        {"field": "investor.country", "in": ["CN", "RU"]},
        {"field": "investor.country", "in": "countries_of_concern"},
        {
            "all": [
                {"field": "transaction.stake_after_pct", ">=": 10},
                {"not": {"field": "investor.kind", "equals": "soe"}},
            ]
        },
        {"field": "target.critical_infrastructure", "contains": {"kind": ["port", "airport"]}},
        {"field": "transaction.stake_after_pct", "between": [10, 25]},
        {"field": "investor.country", "exists": True},
    ],
)
def test_good_conditions_pass(when):
    assert condition_errors(when) == []


@pytest.mark.parametrize(
    "when",
    [
        {"field": "investor.contry", "in": ["CN"]},  # unknown fact
        {"field": "investor.kind", "gt": 3},  # operator that does not apply
        {"field": "investor.kind", "greater": "soe"},  # unknown operator
        {"field": "transaction.stake_after_pct", "gte": "ten"},  # value of the wrong type
        {"field": "investor.kind", "equals": "state_owned"},  # not a value of the fact
        {"field": "investor.country", "in": ["cn"]},  # not a country code
        {"field": "investor.country"},  # no operator
        {"field": "investor.country", "equals": "CN", "in": ["CN"]},  # two operators
        {"all": []},
        {"nay": {"field": "investor.country", "equals": "CN"}},
        {"field": "target.critical_infrastructure", "contains": {"knd": "port"}},  # no such record field
    ],
)
def test_bad_conditions_are_flagged(when):
    assert condition_errors(when), when


def test_rule_files_are_not_case_files():
    """The kinds are distinct documents: a rule file is no case, and the other way round."""
    rule, _ = load(RULE_FILES[0])
    case, _ = load(CASES[0])
    assert editor_errors("case", rule) and editor_errors("rule", case)
