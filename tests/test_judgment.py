"""The default pack judges by the factors authorities cite: whom a factor attaches to, whose state, the sanctions
test, sector tags, the control ladder, security of supply (docs/scoring.md, "What the weights stand for")."""

from __future__ import annotations

from typing import Any

from screening.case.facts import build_facts
from screening.case.load import build_case
from screening.decision.engine import Result, screen
from screening.pack.load import default_pack_path, load_pack

PACK = load_pack(default_pack_path())


def entity(eid: str, country: str, kind: str = "private_company", **more: Any) -> dict[str, Any]:
    return {
        "id": eid,
        "name": eid.title(),
        "country": country,
        "kind": kind,
        "owners_complete": True,
        "listings": [],
        "state_links": [],
        "conduct": [],
        **more,
    }


def case(
    entities: list[dict[str, Any]],
    ownership: list[dict[str, Any]] | None = None,
    target: dict[str, Any] | None = None,
    transaction: dict[str, Any] | None = None,
) -> Any:
    data = {
        "format": 1,
        "id": "t",
        "title": "Illustrative",
        "investor": entities[0]["id"],
        "entities": entities,
        "ownership": ownership or [],
        "target": {"name": "Target", "country": "DE", **(target or {})},
        "transaction": transaction or {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100},
    }
    return build_case(data, {}, "t.yaml")


def fired(c: Any) -> set[str]:
    return {f.rule.id for f in screen(c, PACK).findings}


def run(c: Any) -> Result:
    return screen(c, PACK)


def edge(owner: str, owned: str, pct: float, **more: Any) -> dict[str, Any]:
    return {"owner": owner, "owned": owned, "equity_pct": pct, "voting_pct": pct, **more}


# --- nationality alone -------------------------------------------------------------------------------------------


def family_firm(holder_pct: float, holder_country: str = "CN", **rights: Any) -> Any:
    return case(
        [
            entity("buyer", "NO", owners_complete=True),
            entity("family", "NO", "individual"),
            entity("holder", holder_country),
        ],
        [edge("family", "buyer", 100 - holder_pct), edge("holder", "buyer", holder_pct, **rights)],
    )


def test_a_small_holder_of_a_listed_country_scores_nothing() -> None:
    assert not fired(family_firm(2)) & {"SI-003", "SI-012", "SI-016"}


def test_a_material_holder_scores_less_than_a_controller() -> None:
    assert {"SI-016", "SI-012"} <= fired(family_firm(30))
    assert "SI-003" not in fired(family_firm(30))
    # a board-appointment right makes a holder a controller (docs/ownership.md): the full weight
    assert "SI-003" in fired(family_firm(12, rights=["board_appointment"]))
    assert "SI-016" not in fired(family_firm(24.9, "JP"))


def test_a_foreign_vehicle_controlled_from_an_intelligence_law_state_scores() -> None:
    c = case([entity("lux", "LU"), entity("parent", "CN")], [edge("parent", "lux", 100)])
    assert {"SI-003", "SI-012"} <= fired(c)


def test_foreign_adversary_list_is_15_cfr_791_4() -> None:
    for country, expected in (("HK", True), ("MO", True), ("BY", False), ("VE", False)):
        assert ("SI-012" in fired(case([entity("buyer", country)]))) is expected, country
    assert "SI-012" in fired(case([entity("buyer", "VE", "soe")]))  # the Maduro regime: state entities only


# --- whose state ---------------------------------------------------------------------------------------------------


PLANT = {"critical_infrastructure": [{"kind": "power_plant", "name": "Plant", "role": "owner"}]}


def state_buyer(state: str, target_country: str) -> Any:
    return case(
        [entity("utility", state, "soe"), entity("gov", state, "state_body")],
        [edge("gov", "utility", 84)],
        {**PLANT, "country": target_country},
    )


def test_an_eu_state_buying_in_the_eu_is_a_public_shareholder() -> None:
    r = run(state_buyer("FR", "BE"))
    ids = {f.rule.id for f in r.findings}
    assert "SI-015" in ids
    assert not ids & {"SI-001", "SI-002", "SI-004", "SI-005", "SI-014", "CI-010"}
    assert not r.floors


def test_a_third_country_state_scores_as_before() -> None:
    r = run(state_buyer("QA", "BE"))
    assert {"SI-001", "SI-004", "SI-005", "SI-014", "CI-010"} <= {f.rule.id for f in r.findings}
    assert r.level in ("high", "critical")
    # for a US target every other state is a third-country state, EU ones included
    assert "CI-010" in fired(state_buyer("NO", "US"))


def test_the_host_state_is_no_foreign_influence() -> None:
    ids = fired(state_buyer("DE", "DE"))
    assert not {r for r in ids if r.startswith("SI-")} and "CI-010" not in ids


STATE_CHANNELS = {"SI-002", "SI-004", "SI-005", "SI-006", "SI-007", "SI-008", "SI-009", "SI-010", "SI-011", "SI-013"}
LINKS = [
    {"kind": k, "state": "CN"}
    for k in ("golden_share", "party_committee", "state_financing", "officials_in_management", "state_mandate")
] + [{"kind": "state_shareholder", "state": "CN", "pct": 60}]


def state_above(pct: float, links: list[dict[str, Any]] | None = None, **rights: Any) -> Any:
    return case(
        [entity("buyer", "DE"), entity("family", "DE", "individual"), entity("fund", "CN", "sovereign_fund")]
        + [entity("holder", "CN", state_links=links or [])],
        [edge("family", "buyer", 100 - 2 * pct), edge("fund", "buyer", pct, **rights), edge("holder", "buyer", pct)],
        PLANT,
    )


def test_a_state_reaches_the_investor_only_through_a_controller_or_a_material_holder() -> None:
    assert not fired(state_above(3, LINKS)) & STATE_CHANNELS  # a 3% fund, a 3% holder with every link
    material = fired(state_above(30, LINKS))
    assert {"SI-002", "SI-006", "SI-007", "SI-008", "SI-009", "SI-011", "SI-013"} <= material
    assert "SI-002" in fired(state_above(12, rights=["board_appointment"]))  # 10% with a board right
    assert not fired(state_above(12)) & STATE_CHANNELS


def test_a_state_link_on_a_holder_of_unknown_stake_is_asked_not_scored() -> None:
    c = case(
        [entity("buyer", "DE"), entity("holder", "CN", state_links=[{"kind": "party_committee", "state": "CN"}])],
        [{"owner": "holder", "owned": "buyer"}],
        PLANT,
    )
    r = run(c)
    assert "SI-007" not in {f.rule.id for f in r.findings} and "SI-007" in r.undecided


# --- sanctions -----------------------------------------------------------------------------------------------------


LISTED = [{"list": "eu_sanctions"}]


def sanctioned(*holders: tuple[str, float, bool], **rights: Any) -> Result:
    ents = [entity("buyer", "CY"), entity("rest", "CY", "individual")]
    edges = []
    free = 100.0
    for name, pct, listed in holders:
        ents.append(entity(name, "RU", "individual", listings=LISTED if listed else []))
        edges.append(edge(name, "buyer", pct, **rights))
        free -= pct
    edges.append(edge("rest", "buyer", free))
    return run(case(ents, edges))


def test_the_floor_needs_fifty_percent_in_aggregate() -> None:
    r = sanctioned(("x", 30, True), ("y", 25, True))  # 55% together: the listed persons' property
    assert "IC-001" in {f.rule.id for f in r.findings} and r.level == "critical"
    small = sanctioned(("x", 30, True))
    assert {"IC-018", "IC-019"} <= {f.rule.id for f in small.findings} and not small.floors
    tiny = sanctioned(("x", 3, True))
    assert {f.rule.id for f in tiny.findings} & {"IC-001", "IC-018", "IC-019"} == {"IC-019"}


def test_blocked_status_propagates_layer_by_layer() -> None:
    c = case(
        [entity("buyer", "CY"), entity("b", "CY"), entity("a", "RU", listings=LISTED), entity("c", "CY")],
        [edge("b", "buyer", 50), edge("c", "buyer", 50), edge("a", "b", 60), edge("c", "b", 40)],
    )
    assert build_facts(c).values["ownership.sanctioned"] == "owned"  # multiplied it would be 30%


# --- sector without substance --------------------------------------------------------------------------------------


def test_a_sector_tag_counts_only_where_the_list_is_missing() -> None:
    assert "CT-007" in fired(case([entity("buyer", "US")], target={"sectors": ["biotech"]}))
    known = case([entity("buyer", "US")], target={"sectors": ["biotech"], "critical_technologies": []})
    assert "CT-007" not in fired(known)


def test_a_sector_tag_opens_the_control_ladder_only_where_the_lists_are_missing() -> None:
    outright = {"kind": "acquisition", "stake_after_pct": 100}
    assert "CA-004" in fired(case([entity("buyer", "US")], target={"sectors": ["transport"]}, transaction=outright))
    listed = {"sectors": ["transport"], "critical_infrastructure": [], "critical_technologies": []}
    listed |= {"government_contracts": [], "data": [], "sensitive_sites": []}
    assert "CA-004" not in fired(case([entity("buyer", "US")], target=listed, transaction=outright))


# --- control acquired ----------------------------------------------------------------------------------------------


def control_points(transaction: dict[str, Any], target: dict[str, Any] | None = None) -> float:
    r = run(case([entity("buyer", "US")], target=target or {"sectors": ["energy"]}, transaction=transaction))
    # the category's points before the target's exposure scales them (docs/scoring.md, step 4)
    return next(c.capped - c.credit for c in r.categories if c.id == "control_acquired")


def test_control_points_grow_with_what_is_acquired() -> None:
    full = control_points({"kind": "acquisition", "stake_after_pct": 100})
    sole = control_points({"kind": "acquisition", "stake_after_pct": 51})
    negative = control_points({"kind": "minority_stake", "stake_after_pct": 30, "veto_rights": ["budget"]})
    plain = control_points({"kind": "minority_stake", "stake_after_pct": 30})
    qualifying = control_points({"kind": "minority_stake", "stake_after_pct": 12})
    assert (full, sole, negative, plain, qualifying) == (15, 13, 9, 5, 2)


def test_a_long_lease_of_half_a_grid_is_control_of_the_asset() -> None:
    grid = {"critical_infrastructure": [{"kind": "power_grid", "name": "Grid", "role": "concession_holder"}]}
    lease = {"kind": "lease_or_concession", "lease_years": 99, "stake_after_pct": 50.4}
    assert control_points(lease, grid) >= 13
    short = {"kind": "lease_or_concession", "lease_years": 5}  # no share given: no majority for the filings to read
    assert control_points(short, grid) < 13


def test_risk_and_filings_read_the_same_control_fact() -> None:
    for tx in (
        {"kind": "acquisition", "stake_after_pct": 51},
        {"kind": "minority_stake", "stake_after_pct": 49, "board_seats": 3, "board_size": 5},
        {"kind": "minority_stake", "stake_after_pct": 30, "board_seats": 1, "board_size": 5},
    ):
        values = build_facts(case([entity("buyer", "US")], transaction=tx)).values
        assert ("sole" in values["transaction.control_reached"]) is values["transaction.control"], tx


# --- security of supply --------------------------------------------------------------------------------------------


DEFENCE_SUPPLIER = {
    "country": "FR",
    "government_contracts": [{"customer": "defence", "country": "FR", "classified": False}],
}


def test_a_defence_supplier_passing_to_any_foreign_owner_scores() -> None:
    assert "SS-001" in fired(case([entity("buyer", "US")], target=DEFENCE_SUPPLIER))
    assert "SS-001" in fired(case([entity("buyer", "IT")], target=DEFENCE_SUPPLIER))  # an EU ally too
    assert "SS-001" not in fired(case([entity("buyer", "FR")], target=DEFENCE_SUPPLIER))
    portfolio = {"kind": "minority_stake", "stake_after_pct": 5, "votes_after_pct": 5}
    assert "SS-001" not in fired(case([entity("buyer", "US")], target=DEFENCE_SUPPLIER, transaction=portfolio))


def test_joint_control_is_its_own_step() -> None:
    values = build_facts(
        case([entity("buyer", "US")], transaction={"kind": "joint_venture", "control": "joint"})
    ).values
    reached = values["transaction.control_reached"]
    assert "joint" in reached and "sole" not in reached


def test_the_only_domestic_steelmaker_passing_abroad_scores_strategic_autonomy() -> None:
    steel = {"sectors": ["steel_metals"], "scale": {"sole_domestic_supplier": True}}
    assert "SS-003" in fired(case([entity("buyer", "JP")], target=steel))  # an ally's buyer too
    assert "SS-003" not in fired(case([entity("buyer", "DE")], target=steel))  # a domestic buyer
    bakery = {"sectors": ["retail"], "scale": {"dominant_domestic_supplier": True}}
    assert "SS-003" not in fired(case([entity("buyer", "JP")], target=bakery))


def test_a_very_large_platform_scores_by_its_users() -> None:
    def platform(users: int) -> set[str]:
        target = {"sectors": ["online_platforms"], "scale": {"population_served": users}}
        return fired(case([entity("buyer", "US")], target=target))

    assert {"CI-018", "CI-019"} <= platform(60_000_000)
    assert "CI-019" in platform(2_000_000) and "CI-018" not in platform(2_000_000)
    assert not {"CI-018", "CI-019"} & platform(200_000)


def test_whatever_gives_the_target_exposure_opens_the_control_ladder() -> None:
    outright = {"kind": "acquisition", "stake_after_pct": 100}
    bare = {"critical_infrastructure": [], "critical_technologies": [], "government_contracts": [], "data": []}
    steel = {**bare, "sectors": ["steel_metals"], "scale": {"dominant_domestic_supplier": True}}
    farm = {**bare, "sectors": ["agriculture_food"], "land_area_m2": 150_000_000}
    platform = {**bare, "sectors": ["online_platforms"], "scale": {"population_served": 5_000_000}}
    medicines = {**bare, "sectors": ["pharmaceuticals"]}
    for target in (steel, farm, platform, medicines):
        assert control_points(outright, target) == 15, target
    bakery = {**bare, "sectors": ["retail"], "land_area_m2": 5_000, "scale": {"dominant_domestic_supplier": True}}
    assert control_points(outright, bakery) == 0


def test_processing_critical_minerals_is_a_supply_factor_without_a_site() -> None:
    refiner = {"critical_infrastructure": [], "critical_technologies": [{"kind": "critical_minerals_processing"}]}
    assert {"SS-008", "CT-013"} <= fired(case([entity("buyer", "US")], target=refiner))
    other = {"critical_infrastructure": [], "critical_technologies": [{"kind": "robotics"}]}
    assert "SS-008" not in fired(case([entity("buyer", "US")], target=other))


def test_an_offshore_shell_counts_where_it_directs_or_holds_materially() -> None:
    def with_shell(pct: float) -> set[str]:
        return fired(
            case(
                [entity("buyer", "DE"), entity("family", "DE", "individual"), entity("shell", "VG")],
                [edge("family", "buyer", 100 - pct), edge("shell", "buyer", pct)],
                PLANT,
            )
        )

    assert "IC-012" not in with_shell(2)
    assert "IC-012" in with_shell(30) and "IC-012" in with_shell(60)


def test_a_lease_of_a_network_the_target_owns_is_control_and_agrees_with_the_filing_side() -> None:
    owned = {"critical_infrastructure": [{"kind": "power_grid", "name": "Grid", "role": "owner"}]}
    lease = {"kind": "lease_or_concession", "lease_years": 99, "stake_after_pct": 50.4}
    assert control_points(lease, owned) == 13  # sole control of the asset, as for a concession holder
    stated = {"kind": "lease_or_concession", "lease_years": 99, "stake_after_pct": 40, "control": "sole"}
    values = build_facts(case([entity("buyer", "US")], target=owned, transaction=stated)).values
    assert "sole" in values["transaction.control_reached"] and values["transaction.control"] is True
    beside = {"critical_infrastructure": [{"kind": "airport", "name": "Airport", "role": "tenant"}]}
    tenancy = {"kind": "lease_or_concession", "lease_years": 99}
    assert control_points(tenancy, beside) == 5  # a tenancy beside the asset: CA-008 alone, not the ladder


def test_unknown_supply_position_defence_customers_and_data_volume_are_asked_not_scored() -> None:
    """What the sources leave out of a factor is a question, not a zero: whether the target is the sole or
    dominant domestic supplier, whether it supplies the host's armed forces, and how many people its
    sensitive data covers (docs/scoring.md, the audit of the misranked cases)."""
    steel = {
        "sectors": ["steel_metals"],
        "critical_infrastructure": [],
        "critical_technologies": [],
        "data": [{"category": "health", "description": "Occupational health records"}],
    }
    r = run(case([entity("buyer", "JP")], target=steel))
    asked = {rule: g for g in r.gaps for rule in g.rules}
    assert "target.sole_domestic_supplier" in asked["SS-003"].facts
    assert "dominant" in asked["SS-003"].question
    assert "target.host_security_customer" in asked["SS-001"].facts
    assert "subjects" in asked["DA-010"].question and "subjects" in asked["DA-012"].question
    assert not {"SS-003", "SS-001", "DA-010", "DA-012"} & {f.rule.id for f in r.findings}
    # told, they score: a sole domestic supplier, a defence customer, health data on two million people
    told = {
        **steel,
        "scale": {"sole_domestic_supplier": True},
        "government_contracts": [{"country": "DE", "customer": "defence"}],
        "data": [{"category": "health", "subjects": 2_000_000}],
    }
    assert {"SS-003", "SS-001", "DA-010", "DA-012"} <= fired(case([entity("buyer", "JP")], target=told))


def test_half_the_national_market_is_a_dominant_supplier_unless_the_sources_say_otherwise() -> None:
    """SS-003 reads a stated share of 50% or more of the national market as dominance (AKZO, C-62/86): the
    control ladder opens with it; a smaller share, or the sources' own word that the target is not dominant,
    does not."""
    outright = {"kind": "acquisition", "stake_after_pct": 100}
    bare = {"critical_infrastructure": [], "critical_technologies": [], "government_contracts": [], "data": []}

    def yard(**scale: Any) -> Any:
        return case([entity("buyer", "KR")], target={**bare, "sectors": ["shipbuilding"], "scale": scale})

    assert {"SS-003", "CA-004"} <= fired(yard(market_share_pct=55, sole_domestic_supplier=False))
    assert control_points(outright, {**bare, "sectors": ["shipbuilding"], "scale": {"market_share_pct": 55}}) == 15
    assert "SS-003" not in fired(yard(market_share_pct=35, sole_domestic_supplier=False))
    stated = yard(market_share_pct=55, sole_domestic_supplier=False, dominant_domestic_supplier=False)
    assert "SS-003" not in fired(stated)
