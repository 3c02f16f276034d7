"""Case format 2, the shape of a deal: several countries, look-through, control without a number, transaction
kinds, co-investors, list values, scale and unused relations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.case.catalogue import case_schema
from screening.case.facts import build_facts
from screening.case.load import build_case
from screening.case.relations import unused_relations
from screening.case.values import AtLeast, PartialList
from screening.decision.engine import screen
from screening.infra.errors import ScreeningError
from screening.pack.load import default_pack_path, load_pack
from screening.tooling.check import check_paths

DOCS = Path(__file__).parent.parent / "docs" / "case-format.md"

BASE: dict[str, Any] = {
    "id": "shape",
    "title": "A shape of deal",
    "investor": "buyer",
    "entities": [
        {"id": "buyer", "name": "Buyer GmbH", "country": "DE", "kind": "private_company", "owners_complete": True},
        {
            "id": "parent",
            "name": "Parent Group",
            "country": "CN",
            "headquarters": "CN",
            "kind": "soe",
            "owners_complete": True,
            "state_ownership_pct": 100,
        },
    ],
    "ownership": [{"owner": "parent", "owned": "buyer", "equity_pct": 100}],
    "target": {"name": "Werkzeug AG", "country": "DE", "sectors": ["manufacturing"], "critical_technologies": []},
    "transaction": {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100, "signing_date": "2024-03-01"},
}


def case(**changes: Any):
    data = json.loads(json.dumps(BASE))
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[keys[-1]] = value
    return build_case(data, {}, "shape.yaml")


def facts(**changes: Any) -> dict[str, Any]:
    return build_facts(case(**changes)).values


def problems(**changes: Any) -> list[str]:
    with pytest.raises(ScreeningError) as exc:
        case(**changes)
    return [p.message for p in exc.value.problems]


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path())


US_PART = {
    "name": "Werkzeug Inc.",
    "kind": "subsidiary",
    "country": "US",
    "sectors": ["defence"],
    "critical_technologies": [{"kind": "defence", "export_controlled": True}],
    "government_contracts": [{"customer": "defence", "country": "US"}],
}


# ---- several countries


def test_rules_read_the_whole_group_with_its_parts():
    values = facts(target__parts=[US_PART])
    assert values["target.sectors"] == ["manufacturing", "defence"]
    assert [t["kind"] for t in values["target.critical_technologies"]] == ["defence"]
    assert isinstance(values["target.government_contracts"], PartialList)  # the target's own are not given
    assert values["target.countries"] == ["DE", "US"]
    assert values["target.parts"][0]["critical_technologies"][0]["@doc"] == (
        "target",
        "parts",
        "0",
        "critical_technologies",
        "0",
    )


def test_each_regime_reads_the_target_in_its_territory_and_names_the_part(pack):
    result = screen(case(target__parts=[US_PART]), pack)
    by_id = {d.regime.id: d for d in result.filings.decisions}
    assert by_id["US"].reached and by_id["US"].outcome == "mandatory"
    assert by_id["US"].via == "Werkzeug Inc. (US subsidiary)"
    assert by_id["DE"].via is None and by_id["DE"].rule is not None
    assert "DE-001" not in by_id["DE"].rule.id  # the German view does not see the US defence contract


def test_without_the_part_the_us_regime_does_not_reach_the_case(pack):
    result = screen(case(), pack)
    assert not {d.regime.id: d for d in result.filings.decisions}["US"].reached


def test_activities_in_a_country_bring_the_regime_in(pack):
    result = screen(case(target__activities_in=["GB"]), pack)
    uk = {d.regime.id: d for d in result.filings.decisions}["UK"]
    assert uk.reached and uk.via == "activities in United Kingdom (GB)"


def test_a_target_abroad_with_parts_in_two_states_sums_their_turnover():
    from screening.case.territory import view

    parts = [
        {**US_PART, "turnover_eur": 10},
        {"name": "Second", "country": "US", "kind": "branch", "turnover_eur": 5, "sectors": ["energy"]},
    ]
    values = facts(target__country="CH", target__parts=parts)
    seen, via = view(values, {"US"})
    assert seen["target.country"] == "US" and seen["target.turnover_eur"] == 15
    assert seen["target.sectors"] == ["defence", "energy"]
    assert via == "Werkzeug Inc. (US subsidiary); Second (US branch)"


# ---- look-through


def test_the_eu_row_looks_through_an_eu_vehicle(pack):
    result = screen(case(target__sectors=["energy"], transaction__signing_date="2024-03-01"), pack)
    eu = {d.regime.id: d for d in result.filings.decisions}["EU"]
    assert eu.outcome == "call_in" and eu.rule.id == "EU-001"
    assert [c["country"] for c in result.facts.values["ownership.ultimate_controllers"]] == ["CN"]


# ---- control that is not a number


def edge(**kw: Any) -> list[dict[str, Any]]:
    return [{"owner": "parent", "owned": "buyer", **kw}]


@pytest.mark.parametrize(
    ("kw", "controlled"),
    [
        ({"role": "general_partner"}, True),
        ({"role": "limited_partner", "equity_pct": 99}, False),
        ({"role": "sole_limited_partner", "equity_pct": 100, "voting_pct": 100}, True),
        ({"equity_pct": 10, "rights": ["appoint_ceo"]}, True),
        ({"equity_pct": 40, "joint_control_with": ["other"]}, True),
        ({"equity_pct": 10, "rights": ["board_seat", "observer", "information_rights"]}, False),
    ],
)
def test_control_that_is_not_a_number(kw, controlled):
    other = {"id": "other", "name": "Other", "country": "FR", "kind": "listed_company", "owners_complete": True}
    values = facts(ownership=edge(**kw), entities=[*BASE["entities"], other])
    assert values["ownership.controlled"] is controlled


def test_a_limited_partner_keeps_its_equity_without_votes():
    values = facts(ownership=edge(role="limited_partner", equity_pct=99))
    state = values["ownership.states"][0]
    assert (state["equity_pct"], state["voting_pct"]) == (99, 0)


@pytest.mark.parametrize(
    ("tx", "control", "kind"),
    [
        ({"kind": "greenfield", "control": "sole"}, True, "sole"),
        ({"kind": "lease_or_concession", "control": "joint"}, True, "joint"),
        ({"kind": "minority_stake", "stake_after_pct": 60, "control": "none"}, True, "none"),
        ({"kind": "minority_stake", "control": "none"}, False, "none"),
        ({"kind": "governance_change", "rights": ["appoint_ceo"]}, True, "sole"),
        ({"kind": "minority_stake", "stake_after_pct": 10, "rights": ["board_seat"]}, None, None),
    ],
)
def test_the_one_control_fact(tx, control, kind):
    values = facts(transaction=tx)
    assert values["transaction.control"] is control
    assert values["transaction.control_kind"] == kind


def test_a_board_seat_right_is_at_least_one_seat_and_an_observer_is_one():
    values = facts(transaction={"kind": "minority_stake", "rights": ["board_seat", "observer"]})
    assert values["transaction.board_seats"] == 1 and isinstance(values["transaction.board_seats"], AtLeast)
    assert values["transaction.board_observer"] is True


def test_supervision_is_a_typed_state_link_not_ownership():
    body = {"id": "council", "name": "State Council", "country": "CN", "kind": "state_body"}
    entities = [
        {**BASE["entities"][0], "state_links": [{"kind": "supervision", "state": "CN", "body": "council"}]},
        body,
    ]
    values = facts(entities=entities, ownership=[])
    assert values["ownership.supervising_states"] == ["CN"]
    assert values["ownership.controlled"] is False
    assert [s["state"] for s in values["ownership.states"]] == ["CN"]
    entities[0]["state_links"][0]["body"] = "councl"
    assert problems(entities=entities, ownership=[]) == [
        "entities.0.state_links.0.body: unknown entity 'councl'; did you mean 'council'?"
    ]


# ---- transactions


@pytest.mark.parametrize(
    ("tx", "kind", "indirect", "staged"),
    [
        ({"kind": "asset_deal"}, "asset_purchase", False, False),
        ({"kind": "indirect_acquisition"}, "acquisition", True, False),
        (
            {"kind": "staged", "steps": [{"kind": "minority_stake"}, {"kind": "acquisition"}]},
            "acquisition",
            False,
            True,
        ),
        ({"kind": "staged"}, "acquisition", False, True),
        ({"kind": "licence"}, "licence", False, False),
    ],
)
def test_kinds_are_read_as_regimes_know_them(tx, kind, indirect, staged):
    values = facts(transaction=tx)
    assert (values["transaction.kind"], values["transaction.indirect"], values["transaction.staged"]) == (
        kind,
        indirect,
        staged,
    )


def test_a_staged_deal_ends_at_its_last_step():
    steps = [
        {"date": "2018-06-01", "stake_after_pct": 9.9},
        {"date": "2019-02-01", "stake_after_pct": 25.1, "kind": "minority_stake"},
    ]
    values = facts(transaction={"kind": "staged", "stake_before_pct": 0, "steps": steps})
    assert values["transaction.stake_after_pct"] == 25.1 and values["transaction.votes_after_pct"] == 25.1
    assert values["transaction.kind"] == "minority_stake"


def test_co_investors_with_their_own_chains():
    entities = [
        *BASE["entities"],
        {"id": "fund", "name": "Gulf Fund", "country": "AE", "kind": "private_company", "owners_complete": True},
        {"id": "ruler", "name": "Emirate", "country": "AE", "kind": "state_body"},
        {
            "id": "local",
            "name": "Local Co",
            "country": "DE",
            "kind": "listed_company",
            "owners_complete": True,
            "state_links": [],
        },
    ]
    ownership = [*BASE["ownership"], {"owner": "ruler", "owned": "fund", "equity_pct": 100}]
    tx = {
        "kind": "acquisition",
        "stake_after_pct": 40,
        "co_investors": [
            {"entity": "fund", "stake_after_pct": 30, "role": "consortium_member"},
            {"entity": "local", "role": "co_investor"},
        ],
    }
    values = facts(entities=entities, ownership=ownership, transaction=tx)
    assert values["transaction.co_investor_countries"] == ["AE", "DE"]
    assert values["transaction.co_investors_state_owned"] is True
    assert values["transaction.combined_stake_after_pct"] == 70 and isinstance(
        values["transaction.combined_stake_after_pct"], AtLeast
    )
    assert [c["state_owned"] for c in values["transaction.co_investors"]] == [True, False]
    tx["co_investors"][1]["entity"] = "buyer"
    assert problems(entities=entities, ownership=ownership, transaction=tx) == [
        "transaction.co_investors.1.entity: the investor cannot be its own co-investor"
    ]


# ---- list values, country names, scale


def test_country_names_and_lower_case_codes_suggest_the_code():
    entities = [{**BASE["entities"][0], "country": "France", "headquarters": "hk"}, BASE["entities"][1]]
    assert problems(entities=entities, target__activities_in=["Germany"]) == [
        "entities.0.country: unknown country code 'France'; did you mean FR (France)?",
        "entities.0.headquarters: unknown country code 'hk'; write it in upper case: HK",
        "target.activities_in.0: unknown country code 'Germany'; did you mean DE (Germany)?",
    ]


def test_a_typo_in_a_list_value_suggests_the_closest():
    assert problems(target__sectors=["automotve"]) == [
        "target.sectors.0: unknown value 'automotve'; did you mean 'automotive'?"
    ]


def enums(node: Any, path: str = "") -> list[tuple[str, str]]:
    out = []
    if isinstance(node, dict):
        if node.get("type") == "string" and "enum" in node:
            out += [(path, v) for v in node["enum"]]
        for key, sub in node.items():
            out += enums(sub, f"{path}.{key}")
    elif isinstance(node, list):
        for sub in node:
            out += enums(sub, path)
    return out


def test_every_value_of_every_list_is_documented():
    text = DOCS.read_text("utf-8")
    missing = sorted({value for _, value in enums(case_schema()) if not re.search(rf"\b{value}\b", text)})
    assert missing == []


def test_the_inlined_copies_of_shared_lists_agree():
    defs = case_schema()["$defs"]
    assert case_schema()["properties"]["target"]["properties"]["sectors"]["items"]["enum"] == defs["sector"]["enum"]
    assert defs["edge"]["properties"]["rights"]["items"]["enum"] == defs["right"]["enum"]


def test_scale_of_the_target_its_parts_and_assets():
    assets = [{"kind": "port", "role": "operator", "scale": {"capacity": {"value": 3, "unit": "MTEU"}}}]
    part = {**US_PART, "scale": {"population_served": 900000, "sole_domestic_supplier": True}}
    values = facts(
        target__scale={"market_share_pct": 35, "dominant_domestic_supplier": False},
        target__critical_infrastructure=assets,
        target__parts=[part],
    )
    assert values["target.market_share_pct"] == 35
    assert values["target.population_served"] == 900000 and isinstance(values["target.population_served"], AtLeast)
    assert values["target.sole_domestic_supplier"] is True
    assert values["target.dominant_domestic_supplier"] is False
    assert values["target.capacity"] == [{"value": 3, "unit": "MTEU"}]


# ---- relations no rule reads


def test_a_sister_company_s_state_link_is_reported_not_dropped(tmp_path):
    sister = {"id": "sister", "name": "Sister Co", "country": "CN", "kind": "soe"}
    sister["state_links"] = [{"kind": "state_shareholder", "state": "CN"}]
    data = json.loads(json.dumps(BASE))
    data["entities"].append(sister)
    path = tmp_path / "sister.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    found = [p for p in check_paths([path]).problems if p.code == "W306"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].line is not None
    assert "Sister Co ('sister') has 1 state link that no rule reads" in found[0].message
    data["transaction"]["co_investors"] = [{"entity": "sister"}]  # a co-investor's chain is read
    assert unused_relations(build_case(data, {}, "c.yaml")) == []
