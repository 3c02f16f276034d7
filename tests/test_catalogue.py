"""The fact catalogue and the facts builder agree: a case that gives everything yields every fact the catalogue
declares, each known, and no fact the catalogue does not declare."""

from __future__ import annotations

from typing import Any

from screening.case.catalogue import Fact, catalogue
from screening.case.dated import on_day
from screening.case.facts import build_facts
from screening.case.load import build_case

SAMPLE = {"string": "text", "country": "FR", "date": "2020-06-30", "boolean": True, "number": 30, "integer": 3}


def value(fact: Fact) -> Any:
    """A value of the fact's type, as a case file gives it."""
    if fact.type == "records":
        return [{key: value(sub) for key, sub in fact.subfields.items()}]
    if fact.type == "list":
        return [fact.values[0] if fact.values else SAMPLE.get(fact.item or "string", "text")]
    if fact.type == "enum":
        return fact.values[0]
    return SAMPLE[fact.type]


def complete_case() -> dict[str, Any]:
    """A case giving every fact the catalogue takes from a case file (not derived)."""
    facts = [f for f in catalogue().values() if not f.derived and f.path.split(".")[0] != "group"]
    given: dict[str, Any] = {"investor": {}, "target": {}, "transaction": {}}
    for fact in facts:
        head, _, key = fact.path.partition(".")
        if key:
            given[head][key] = value(fact)
        else:
            given[head] = value(fact)
    investor = {
        **given.pop("investor"),
        "id": "buyer",
        "kind": "state_body",
        "owners_complete": True,
        "lei": "529900T8BM49AURSDO55",
        "registration_number": "HRB 12345",
    }
    investor["state_links"] = [{**investor["state_links"][0], "body": "partner"}]
    investor["au_associates"] = []  # ids of the case's entities
    investor["listings"] = [{k: v for k, v in investor["listings"][0].items() if k != "type"}]  # type: derived
    given["transaction"].update(
        stake_before_pct=10,
        stake_after_pct=60,
        votes_before_pct=10,
        votes_after_pct=60,
        board_seats=3,
        board_size=5,
        signing_date="2020-06-30",
        completion_date="2020-09-30",
    )
    given["target"]["data"] = [{**given["target"]["data"][0], "subjects": 5000}]
    given["target"]["scale"] = {
        "population_served": 100000,
        "capacity": {"value": 2, "unit": "GW"},
        "market_share_pct": 40,
        "sole_domestic_supplier": True,
        "dominant_domestic_supplier": True,
    }
    co_investor = {"id": "partner", "name": "Partner", "country": "FR", "kind": "soe", "owners_complete": True}
    given["transaction"]["co_investors"] = [{"entity": "partner", "stake_after_pct": 20, "role": "co_investor"}]
    given["transaction"]["notified"] = [{"regime": "FR", "authority": "DG Trésor", "date": "2020-07-01"}]
    return {
        "format": 1,
        "id": "complete",
        "title": "Every fact given",
        "investor": "buyer",
        "entities": [investor, co_investor],
        **given,
    }


def test_a_complete_case_gives_every_declared_fact_and_no_other():
    case = on_day(build_case(complete_case(), {}, "complete.yaml"), "2020-07-01", "2020-07-01")  # as screen judges it
    values = {k: v for k, v in build_facts(case, hits=[]).values.items() if not k.startswith("@")}  # @: internal
    declared = set(catalogue())
    assert set(values) - declared == set(), "computed but not declared in the catalogue"
    assert declared - set(values) == set(), "declared in the catalogue but never computed"
    unknown = sorted(name for name, v in values.items() if v is None)
    assert unknown == [], f"unknown on a case that gives everything: {unknown}"


def test_ref_is_not_a_fact():
    """A registry reference is the entity's id once loaded (investor.id): no fact of its own."""
    assert "investor.ref" not in catalogue() and "investor.id" in catalogue()
