"""The compiled evaluator agrees with the condition closures: outcome, evidence and unknown facts, in order."""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from screening.case.catalogue import catalogue
from screening.case.facts import build_facts
from screening.case.load import load_case
from screening.case.values import INF, AtLeast, DayRange, Interval, PartialList, day_range
from screening.conditions import evaluate
from screening.conditions.compile import CompileError, Compiler
from screening.conditions.compiled import evaluator as compiled
from screening.conditions.explain import supporting, trace, unknown_leaves
from screening.decision.engine import screen
from screening.pack.examples import fragment_values
from screening.pack.load import Rule, default_pack_path, load_pack
from screening.report import render
from tests.conftest import CASES

PROFILE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@functools.cache
def default_pack():
    return load_pack(default_pack_path())


@functools.cache
def default_evaluator():
    return compiled.compile_pack(default_pack().rules)


def interpreted(rules: list[Rule] | tuple[Rule, ...], values: dict[str, Any]) -> compiled.Explained:
    """What the closures and the tracer say, in the compiled evaluator's shape."""
    fired, undecided, evidence, unknowns = [], [], [], []
    for i, rule in enumerate(rules):
        outcome = rule.condition.check(values)
        if outcome is True:
            fired.append(i)
            evidence.append(tuple(t.node.field for t in supporting(trace(rule.condition, values))))
        elif outcome is None:
            undecided.append(i)
            unknowns.append(tuple(t.node.field for t in unknown_leaves(trace(rule.condition, values))))
    return compiled.Explained(tuple(fired), tuple(undecided), tuple(evidence), tuple(unknowns))


def assert_same(evaluator: compiled.Evaluator, rules: Any, values: dict[str, Any]) -> compiled.Explained:
    want = interpreted(rules, values)
    assert evaluator(values) == compiled.Outcome(want.fired, want.undecided)
    assert evaluator.explain(values) == want
    for i, rule in enumerate(rules):  # the per-rule functions, whatever the rule's value
        t = trace(rule.condition, values)
        assert evaluator.evidence(i, values) == tuple(x.node.field for x in supporting(t)), rule.id
        assert evaluator.unknowns(i, values) == tuple(x.node.field for x in unknown_leaves(t)), rule.id
    return want


def example_values() -> list[tuple[str, dict[str, Any]]]:
    pack = default_pack()
    return [
        (f"{rule.id}-{kind}-{i}", fragment_values(fragment))
        for rule in pack.rules
        for kind in ("fires", "quiet")
        for i, fragment in enumerate(rule.examples.get(kind) or ())
    ]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_cases(path):
    assert_same(default_evaluator(), default_pack().rules, build_facts(load_case(path)).values)


@pytest.mark.parametrize("name,values", example_values(), ids=[n for n, _ in example_values()])
def test_rule_examples(name, values):
    assert_same(default_evaluator(), default_pack().rules, values)


def test_the_examples_and_cases_exercise_every_outcome():
    """Agreement means something only if rules fire, stay quiet and stay undecided on the data compared."""
    rules = default_pack().rules
    seen = {True: set(), False: set(), None: set()}
    for values in [v for _, v in example_values()] + [build_facts(load_case(p)).values for p in CASES]:
        for rule in rules:
            seen[rule.condition.check(values)].add(rule.id)
    assert len(seen[True]) == len(rules) and len(seen[False]) == len(rules) and len(seen[None]) > len(rules) // 2


def test_the_comparison_catches_a_wrong_evaluator():
    rules = default_pack().rules
    values = build_facts(load_case(CASES[0])).values
    wrong = compiled.compile_pack(rules[1:] + rules[:1])  # the same rules, numbered differently
    with pytest.raises(AssertionError):
        assert_same(wrong, rules, values)


def test_source_names_each_rule_and_is_kept():
    evaluator = default_evaluator()
    for rule in default_pack().rules:
        assert f"# {rule.id} {rule.name} -> " in evaluator.source
    assert "def evaluate(values):" in evaluator.source and "def explain(values):" in evaluator.source
    compile(evaluator.source, "source", "exec")


def test_screen_reports_are_the_same_compiled_or_not(monkeypatch):
    pack = default_pack()
    cases = [load_case(p) for p in CASES]
    plain = [screen(case, pack, how="closures") for case in cases]
    fast = [screen(case, pack, how="compiled") for case in cases]
    for fmt in ("json", "text"):
        assert render(fmt, fast) == render(fmt, plain)


def test_screen_compiles_once_a_pack_has_screened_enough_cases(monkeypatch):
    pack = load_pack(default_pack_path())  # a pack object of its own: no evaluator cached yet
    case = load_case(CASES[0])
    monkeypatch.setattr(evaluate, "COMPILE_AFTER", 3)
    for _ in range(2):
        screen(case, pack)
        assert compiled.cached(pack) is None
    screen(case, pack)
    assert compiled.cached(pack) is not None


# ---- a pack using every operator

SETS = {"concern": ["CN", "RU"], "tech": ["semiconductors", "software"]}
SPECS = [
    {"field": "target.name", "matches": "(?i)airport|port\\b"},
    {"field": "target.sectors", "contains_any": "tech"},
    {"field": "transaction.signing_date", "between": ["2020-01-01", "2022-12-31"]},
    {"not": {"field": "investor.country", "in": "concern"}},
    {
        "all": [
            {"field": "target.data", "contains": {"category": ["health", "genetic"], "subjects": {"gte": 1000}}},
            {
                "any": [
                    {"field": "group.state_links", "contains": {"kind": "intelligence_law", "state": "CN"}},
                    {"not": {"field": "group.listings", "empty": True}},
                ]
            },
        ]
    },
    {
        "field": "group.entities",
        "contains": {"kind": ["soe", "state_body"], "depth": {"between": [1, 3]}, "name": {"matches": "(?i)state"}},
    },
    {"field": "transaction.stake_after_pct", "exists": False},
]


def rules_of(specs: list[Any], sets: dict[str, list[Any]] | None = None) -> list[Rule]:
    compiler = Compiler(catalogue(), sets or SETS)
    return [
        Rule(f"T-{i:03d}", f"test.rule_{i}", "", "test", 1, compiler.compile(spec), spec, "")
        for i, spec in enumerate(specs)
    ]


def test_infinite_and_nan_literals_compile():
    rules = rules_of(
        [
            {"field": "transaction.lease_years", "in": [float("inf"), 99]},
            {"field": "transaction.lease_years", "lt": float("inf")},
            {"field": "transaction.lease_years", "equals": float("nan")},
        ]
    )
    evaluator = compiled.compile_pack(rules)
    for years in (float("inf"), 99, 5, float("nan"), None):
        assert_same(evaluator, rules, {"transaction.lease_years": years})


def test_every_operator_compiles_and_matches():
    rules = rules_of(SPECS)
    evaluator = compiled.compile_pack(rules)
    assert "re.compile('(?i)airport|port\\\\b'" in evaluator.source and "SET_TECH = frozenset(" in evaluator.source
    case = {
        "target.name": "Liège Airport",
        "target.sectors": PartialList(["energy"]),
        "transaction.signing_date": "2021-06-30",
        "investor.country": "FR",
        "target.data": [{"category": "health", "subjects": AtLeast(1500)}, {"category": "location"}],
        "group.state_links": [{"kind": "intelligence_law"}],
        "group.listings": PartialList([]),
        "group.entities": [{"kind": "soe", "depth": 2, "name": "State Grid"}],
    }
    explained = assert_same(evaluator, rules, case)
    assert explained.fired == (0, 2, 3, 5, 6) and explained.undecided == (1, 4)
    assert explained.unknowns == (("target.sectors",), ("group.state_links", "group.listings"))
    case["group.state_links"] = [{"kind": "intelligence_law", "state": "CN"}]
    case["investor.country"] = "CN"
    explained = assert_same(evaluator, rules, case)
    assert 4 in explained.fired and 3 not in explained.fired
    assert explained.evidence[explained.fired.index(4)] == ("target.data", "group.state_links")
    assert_same(evaluator, rules, {})


# ---- random conditions on random facts

NUMBERS = (0, 1, 10, 25, 50, 1_000_000)
STRINGS = ("CN", "RU", "FR", "soe", "health", "2021-06-30", "2023-01-01", "port")
FACTS = sorted(catalogue())
TEXT = ("string", "enum", "country")


def _value_for(fact: Any, draw: Any) -> Any:
    """A value of the fact's type, often at a boundary, sometimes a lower bound or of another kind."""
    kind = fact.type
    if kind in ("number", "integer"):
        base = draw(st.sampled_from(NUMBERS)) + draw(st.sampled_from((0, 0, -1, 1, 0.5)))
        form = draw(st.integers(0, 5))
        if form == 4:  # a bound as a case writes it: an interval, ends open or closed, one end maybe infinite
            other = draw(st.sampled_from((INF, base, base + 5, base + 30)))
            return Interval(base, other, draw(st.booleans()) and other != base, draw(st.booleans()) and other != base)
        if form == 5:
            return Interval(-INF, base, False, draw(st.booleans()))
        return AtLeast(base) if form == 0 else base
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "date":
        day = draw(st.sampled_from(("2019-12-31", "2020-01-01", "2021-06-30", "2022-12-31", "2023-01-01")))
        if draw(st.integers(0, 3)) == 0:  # a date as reported: its year, its month, or a range to another day
            return draw(st.sampled_from((day_range(int(day[:4])), day_range(day[:7]), DayRange(day, "2023-01-01"))))
        return day
    if kind == "enum" and fact.values:
        return draw(st.sampled_from(fact.values))
    if kind == "country":
        return draw(st.sampled_from(("CN", "RU", "FR", "DE", "US")))
    if kind == "list":
        pool = tuple(fact.values) if fact.values else (("CN", "RU", "FR") if fact.item == "country" else STRINGS)
        items = draw(st.lists(st.sampled_from(pool + ("semiconductors", "ai")), max_size=3))
        return PartialList(items) if draw(st.booleans()) else items
    if kind == "records":
        records = []
        for _ in range(draw(st.integers(0, 3))):
            record = {}
            for key, sub in fact.subfields.items():
                present = draw(st.integers(0, 3))  # a key left out, None, or a value
                if present:
                    record[key] = None if present == 1 else _value_for(sub, draw)
                if present == 3 and sub.type in TEXT and draw(st.integers(0, 5)) == 0:
                    record[key] = AtLeast(1)  # a lower bound where text is expected: unknown to a text test
            records.append(record)
        return PartialList(records) if draw(st.booleans()) else records
    return draw(st.sampled_from(STRINGS))


@st.composite
def fact_values(draw: Any, fields: list[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        if draw(st.integers(0, 4)):  # a fact left out is unknown
            values[name] = _value_for(catalogue()[name], draw)
    return values


def _argument(fact: Any, op: str, draw: Any) -> Any:
    if op in ("exists", "empty"):
        return draw(st.booleans())
    if op == "matches":
        return draw(st.sampled_from(("^C", "(?i)port", "a|e", "^$")))
    if op in ("in", "not_in", "contains_any"):
        item = fact._replace(type=fact.item or "string") if op == "contains_any" else fact
        return [_literal(item, draw) for _ in range(draw(st.integers(1, 3)))]
    if op == "between":  # two plain ends (a drawn bound or range of days gives one of its finite ends)
        low, high = sorted(
            _end(_value_for(fact._replace(type="date" if fact.type == "date" else "number"), draw)) for _ in range(2)
        )
        return [low, high]
    if op == "contains" and fact.type == "records":
        keys = draw(st.lists(st.sampled_from(sorted(fact.subfields)), min_size=1, max_size=2, unique=True))
        return {k: _pattern(fact.subfields[k], draw) for k in keys}
    if op == "contains":
        return _literal(fact._replace(type=fact.item or "string"), draw)
    return _literal(fact, draw)


def _end(value: Any) -> Any:
    if isinstance(value, Interval):
        return value.low if value.low != -INF else value.high
    if isinstance(value, DayRange):
        return value.first
    return float(value) if isinstance(value, AtLeast) else value


def _literal(fact: Any, draw: Any) -> Any:
    value = _value_for(fact, draw)
    return float(value) if isinstance(value, AtLeast) else value


def _pattern(sub: Any, draw: Any) -> Any:
    ops = [op for op in ("equals", "in", "not_in", "gte", "lt", "between", "matches", "exists") if _fits(op, sub)]
    op = draw(st.sampled_from(ops))
    arg = _argument(sub, op, draw)
    return arg if op == "equals" and draw(st.booleans()) else {op: arg}


def _fits(op: str, fact: Any) -> bool:
    from screening.conditions.operators import OPERATORS

    return fact.type in OPERATORS[op].types


@st.composite
def conditions(draw: Any, depth: int = 0) -> dict[str, Any]:
    if depth < 3 and draw(st.integers(0, 2)) == 0:
        kind = draw(st.sampled_from(("all", "any", "not")))
        if kind == "not":
            return {"not": draw(conditions(depth + 1))}
        return {kind: draw(st.lists(conditions(depth + 1), min_size=1, max_size=4))}
    fact = catalogue()[draw(st.sampled_from(FACTS))]
    from screening.conditions.operators import OPERATORS

    op = draw(st.sampled_from([op for op in OPERATORS if _fits(op, fact)]))
    return {"field": fact.path, op: _argument(fact, op, draw)}


def _fields(spec: Any) -> list[str]:
    if "field" in spec:
        return [spec["field"]]
    body = next(iter(spec.values()))
    return [f for c in (body if isinstance(body, list) else [body]) for f in _fields(c)]


@PROFILE
@given(st.lists(conditions(), min_size=1, max_size=4), st.data())
def test_random_conditions_on_random_facts(specs, data):
    try:
        rules = rules_of(specs, {})
    except CompileError:
        assume(False)
    evaluator = compiled.compile_pack(rules)
    fields = sorted({f for spec in specs for f in _fields(spec)})
    for _ in range(5):
        assert_same(evaluator, rules, data.draw(fact_values(fields)))


def test_not_in_compiles_like_the_closures():
    from screening.case.values import PartialList

    rules = rules_of(
        [
            {"field": "investor.country", "not_in": "concern"},
            {"field": "ownership.ultimate_controllers", "contains": {"country": {"not_in": ["FR", "DE"]}}},
            {"field": "transaction.votes_after_pct", "not_in": [10, 25]},
        ],
        {"concern": ["CN", "RU"]},
    )
    evaluator = compiled.compile_pack(rules)
    for values in (
        {},
        {"investor.country": "CN"},
        {"investor.country": "US"},
        {"ownership.ultimate_controllers": [{"country": "FR"}, {"country": "CN"}]},
        {"ownership.ultimate_controllers": PartialList([{"country": "FR"}])},
        {"ownership.ultimate_controllers": [{"id": "x"}]},
        {"transaction.votes_after_pct": 10},
        {"transaction.votes_after_pct": AtLeast(11.0)},
    ):
        assert_same(evaluator, rules, values)


def test_shared_combinations_and_lists_complete_on_some_values_compile_like_the_closures():
    from screening.case.facts import checked

    sensitive = {"any": [{"field": "target.sectors", "contains": "energy"}, {"field": "target.data", "empty": False}]}
    listed = {"field": "group.listings", "contains": {"list": "us_sdn"}}
    typed = {"field": "group.listings", "contains": {"type": "sanctions", "list": "eu_sanctions"}}
    rules = rules_of(
        [
            {"all": [sensitive, {"field": "transaction.stake_after_pct", "gte": 25}]},
            {"all": [sensitive, {"field": "transaction.control", "equals": True}]},
            {"not": {"all": [sensitive, listed]}},
            listed,
            typed,
        ]
    )
    evaluator = compiled.compile_pack(rules)
    explain = evaluator.source.split("def explain(values):")[1].split("return new(Explained,")[0]
    assert explain.count("complete_on") == 1  # read once per list, not once per pattern tested on it
    complete = {"list": frozenset({"us_sdn"}), "type": frozenset({"sanctions"})}
    for listings in (
        PartialList([]),
        checked([], complete),
        checked([{"list": "un_sanctions"}], complete),
        checked([], {"list": frozenset(), "type": frozenset()}),
        [],
        [{"list": "us_sdn"}],
        None,
    ):
        for sectors in (None, PartialList([]), ["energy"], []):
            values = {"group.listings": listings, "target.sectors": sectors, "transaction.stake_after_pct": 30}
            assert_same(evaluator, rules, values)
    (any_,) = re.findall(r"(c\d+) = True if ", explain)  # the sensitive target's `any` is combined once
    assert "tuple(e)" not in explain  # each rule's few possible lists of facts are constants chosen among


def test_a_large_part_rules_share_lists_its_facts_once_a_case():
    facts = ("transaction.control", "target.technology_leader", "target.listed", "group.complete")
    wide = {"any": [{"field": f, "equals": True} for f in facts] + [{"field": "target.sectors", "contains": "energy"}]}
    rules = rules_of(
        [
            {"all": [wide, {"field": "transaction.stake_after_pct", "gte": 25}]},
            {"all": [{"field": "transaction.votes_after_pct", "gte": 10}, wide]},
        ]
    )
    evaluator = compiled.compile_pack(rules)
    explain = evaluator.source.split("def explain(values):")[1].split("return new(Explained,")[0]
    (any_,) = re.findall(r"(c\d+) = True if ", explain)
    kept = set(re.findall(r"\(([su]_c\d+) := ", explain))  # too many lists to choose among: listed once, kept
    assert kept == {f"s_{any_}", f"u_{any_}"}
    for i in range(3**7):
        drawn = [(True, False, None)[i // 3**k % 3] for k in range(7)]
        values = {f: v for f, v in zip(facts, drawn, strict=False) if v is not None}
        values["target.sectors"] = {True: ["energy"], False: ["media"]}.get(drawn[4])
        values["transaction.stake_after_pct"] = {True: 30, False: 5}.get(drawn[5])
        values["transaction.votes_after_pct"] = {True: 30, False: 5}.get(drawn[6])
        assert_same(evaluator, rules, values)


@settings(PROFILE, max_examples=60)
@given(st.lists(conditions(), min_size=8, max_size=9), st.data())
def test_rules_sharing_wide_parts_on_random_facts(pool, data):
    """Parts several rules share, some too wide for their facts to be chosen among constants (listed once a case
    and kept), under all, any and not, agree with the closures and the tracer."""
    kind = data.draw(st.sampled_from(("any", "all")))
    other = "all" if kind == "any" else "any"
    wide = {kind: pool[:6]}  # up to 2**6 lists of facts: more than a choice holds
    wider = {other: pool[2:]}
    specs = [
        {"all": [wide, wider]},
        {"any": [wider, wide, pool[0]]},
        {"not": wide},
        {"all": [{"not": wider}, {"any": [wide, pool[1]]}]},
        wide,
    ]
    try:
        rules = rules_of(specs, {})
    except CompileError:
        assume(False)
    evaluator = compiled.compile_pack(rules)
    fields = sorted({f for spec in pool for f in _fields(spec)})
    for _ in range(5):  # half the facts unknown, so that parts are often unknown together
        values = data.draw(fact_values(fields))
        assert_same(evaluator, rules, {f: v for f, v in values.items() if data.draw(st.booleans())})


@PROFILE
@given(st.lists(conditions(), min_size=3, max_size=3), st.lists(conditions(3), min_size=2, max_size=2), st.data())
def test_a_rule_false_by_a_leaf_still_computes_the_parts_it_shares(pool, leaves, data):
    """A rule that needs all of a leaf and of parts of its own is not combined further once the leaf is false; a part
    it shares, even inside a part of its own, is computed all the same for the rules after it that read it."""
    shared = {"any": [pool[0], pool[1]]}
    specs = [
        {"all": [leaves[0], {"any": [shared, pool[2]]}]},
        {"all": [{"not": shared}, leaves[1], {"any": [pool[2], leaves[0]]}]},
        {"not": shared},
        {"all": [shared, leaves[1]]},
    ]
    try:
        rules = rules_of(specs, {})
    except CompileError:
        assume(False)
    evaluator = compiled.compile_pack(rules)
    assert " is not False:" in evaluator.source  # the first rule's own parts wait for its leaf
    fields = sorted({f for spec in pool + leaves for f in _fields(spec)})
    for _ in range(5):
        values = data.draw(fact_values(fields))
        assert_same(evaluator, rules, {f: v for f, v in values.items() if data.draw(st.booleans())})
