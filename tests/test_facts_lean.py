"""The facts a batch row is worked out from, built the quicker way: without their sources (``build_facts(...,
sources=False)``, as screening.decision.brief builds them). The values, and the rows, are those of the full build
and path, on generated cases with and without ownership edges."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.batch.run import Job, plan, run_batch
from screening.batch.synthetic import cases, realistic_cases
from screening.batch.work import LineMarks
from screening.case.dated import judged_day, on_day
from screening.case.facts import build_facts
from screening.case.lines import read_line
from screening.case.load import build_case
from screening.infra.yamlio import limits
from tests.conftest import CASES

TODAY = dt.date(2026, 6, 1)


def _typed(value: Any) -> Any:
    """A value with the type of every list and number in it, so that a PartialList never equals a list, nor
    1 equal 1.0, nor a list checked on some lists one that is not."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _typed(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_typed(v) for v in value), repr(getattr(value, "complete_on", None)))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted(map(repr, value))))
    return (type(value).__name__, repr(value))


def _view(case):
    day = judged_day(case.data, None, TODAY)
    return on_day(case, day.first, day.last)


def _lines() -> list[str]:
    lines = [json.dumps(d) for d in cases(120, seed=3)]
    lines += [json.dumps(d, ensure_ascii=False) for d in realistic_cases(120, seed=3)]
    for path in CASES:
        from screening.infra.yamlio import load

        lines.append(json.dumps(load(path)[0], ensure_ascii=False, default=str))
    return lines


def _case(line: str):
    quick = read_line(line, "c.jsonl", 1, limits())
    return quick if quick is not None else build_case(json.loads(line), LineMarks(line, 1), "c.jsonl")


@pytest.fixture(scope="module")
def corpus() -> list[Any]:
    return [_view(_case(line)) for line in _lines()]


def test_facts_built_without_their_sources_have_the_values_of_the_full_build(corpus):
    for case in corpus:
        full, lean = build_facts(case), build_facts(case, sources=False)
        assert list(lean.values) == list(full.values), case.id
        assert _typed(lean.values) == _typed(full.values), case.id
        assert lean.subject == full.subject
        assert not lean.origin and not lean.by_value
        # the full build still says where each fact comes from: each investor figure, its own field
        inv = ("entities", str(case.investor.index))
        for name in full.values:
            if name.startswith("investor.") and name not in _RECORDS:
                field = "country" if name == "investor.in_eu" else name.split(".", 1)[1]
                assert full.origin[name] == (*inv, field), name


_RECORDS = ("investor.listings", "investor.state_links", "investor.conduct")
"""The investor's lists of records, whose records each carry their place."""


_PCT = st.one_of(st.none(), st.integers(0, 100), st.floats(0.001, 100), st.just({"between": [10, 30]}))
_KIND = st.sampled_from(["soe", "private_company", "sovereign_fund", "individual", "fund", "state_body"])
_COUNTRY = st.sampled_from(["CN", "AU", "FR", "US"])


@settings(max_examples=120, deadline=None)
@given(
    kind=_KIND,
    country=_COUNTRY,
    pct=_PCT,
    complete=st.sampled_from([None, True, False]),
    owner=st.one_of(st.none(), st.tuples(_KIND, _COUNTRY, _PCT, st.sampled_from([None, True]))),
)
def test_an_investor_alone_or_held_has_the_same_facts_without_their_sources(kind, country, pct, complete, owner):
    case = _view(_case(_document(kind, country, pct, complete, owner)))
    full, lean = build_facts(case), build_facts(case, sources=False)
    assert list(lean.values) == list(full.values)
    assert _typed(lean.values) == _typed(full.values)


def _document(kind: str, country: str, pct: Any, complete: bool | None, owner: Any, seed: int = 1) -> str:
    """A one-entity case whose investor is given as asked, held (``owner``: its kind, country, stake in the
    investor and whether its own owners are complete) or not, as a JSON line."""
    doc = next(iter(cases(1, seed=seed)))
    entity: dict[str, Any] = {"id": "inv", "name": "Investor", "country": country, "kind": kind}
    if pct is not None:
        entity["state_ownership_pct"] = pct
    if complete is not None:
        entity["owners_complete"] = complete
    doc["entities"] = [entity]
    if owner is not None:
        o_kind, o_country, o_pct, o_complete = owner
        parent: dict[str, Any] = {"id": "parent", "name": "Parent", "country": o_country, "kind": o_kind}
        if o_complete is not None:
            parent["owners_complete"] = o_complete
        doc["entities"].append(parent)
        doc["ownership"] = [{"owner": "parent", "owned": "inv", "equity_pct": o_pct if o_pct is not None else 60}]
    doc["transaction"] = {"kind": "acquisition", "stake_after_pct": 30}
    return json.dumps(doc)


def _rows(source: Path, out: Path, fast: bool) -> bytes:
    run_batch(plan(Job([source], out, force=True, fast=fast, timeout=None)))
    return out.read_bytes()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    kind=_KIND,
    country=_COUNTRY,
    pct=_PCT,
    complete=st.sampled_from([None, True, False]),
    owner=st.one_of(st.none(), st.tuples(_KIND, _COUNTRY, _PCT, st.sampled_from([None, True]))),
)
def test_rows_of_cases_with_and_without_ownership_edges_are_those_of_the_full_path(
    tmp_path, seed, kind, country, pct, complete, owner
):
    source = tmp_path / "c.jsonl"
    held = next(iter(realistic_cases(1, seed=seed)))  # a chain of 1 to 6 levels above the investor
    lines = [_document(kind, country, pct, complete, owner, seed), json.dumps(held)]
    source.write_text("\n".join(lines) + "\n", "utf-8")
    quick, full = _rows(source, tmp_path / "q.jsonl", True), _rows(source, tmp_path / "f.jsonl", False)
    assert quick == full
    assert json.loads(quick.splitlines()[0])["error"] == ""  # the case is screened, not failed alike


def test_the_voting_interests_of_a_group_whose_edges_give_no_votes_are_its_equity_interests(corpus):
    """The reasons take the equity interests for the voting ones when no edge gives votes of its own
    (screening.case.reasons.derive): the same as working them out, on cases with and without voting figures."""
    from screening.case import reasons
    from screening.case.model import group_of

    seen = {"no votes": 0, "votes": 0}
    for case in corpus:
        members = {e.id for e, _ in group_of(case)}
        if len(members) < 2:
            continue
        equity, votes = reasons._interests(case, members, False), reasons._interests(case, members, True)
        if all(e.voting_pct is None for e in case.ownership):
            seen["no votes"] += 1
            assert votes == equity, case.id
        else:
            seen["votes"] += 1
    assert seen["no votes"] > 10 and seen["votes"] > 10
