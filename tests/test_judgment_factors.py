"""Factors authorities cite that the pack reads from their own case facts: a pattern of acquisitions in one
sector, transfer of know-how (a licence included) and technological leadership, offtake rights over critical raw
materials, protective equipment, surveillance technology and a human-rights record,
systemically important finance; and where the attached factors look (headquarters, the date of the US
foreign-adversary determination, whose watchlist match). See docs/scoring.md."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from screening.case.dated import on_day
from screening.case.facts import build_facts
from screening.case.values import Interval
from tests.test_judgment import case, edge, entity, fired, run

SEMIS = {"sectors": ["semiconductors"], "critical_technologies": [{"kind": "semiconductors"}]}


def bought(day: str, country: str = "DE", sectors: tuple[str, ...] = ("semiconductors",)) -> dict[str, Any]:
    return {"kind": "acquisition", "country": country, "sectors": list(sectors), "date": day}


def serial(*records: dict[str, Any], signed: str = "2020-06-01", holder: dict[str, Any] | None = None) -> Any:
    buyer = entity("buyer", "CN", conduct=list(records))
    tx = {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100, "signing_date": signed}
    if holder is None:
        return case([buyer], target=SEMIS, transaction=tx)
    return case(
        [entity("buyer", "CN"), entity("owner", "CN", "individual"), holder],
        [edge("owner", "buyer", 90), edge(holder["id"], "buyer", 10)],
        target=SEMIS,
        transaction=tx,
    )


def facts_of(c: Any, day: str = "2020-06-01") -> dict[str, Any]:
    return build_facts(on_day(c, day, day), hits=[]).values


# --- cumulative acquisitions ------------------------------------------------------------------------------------


def test_two_earlier_acquisitions_in_the_sector_make_a_pattern() -> None:
    assert "CA-011" in fired(serial(bought("2016-03-01"), bought("2019-01-10", "FR")))
    assert "CA-011" not in fired(serial(bought("2019-01-10")))


def test_the_pattern_counts_the_sector_and_ten_years_only() -> None:
    assert "CA-011" not in fired(serial(bought("2016-03-01"), bought("2019-01-10", sectors=("retail",))))
    assert "CA-011" not in fired(serial(bought("2008-03-01"), bought("2019-01-10")))


def test_acquisitions_after_the_day_judged_do_not_count() -> None:
    later = serial(bought("2016-03-01"), bought("2021-01-10"))
    assert facts_of(later)["group.sector_acquisitions"] == 1
    assert "CA-011" not in fired(later)


def test_acquisitions_in_the_host_country_add_to_the_pattern() -> None:
    assert {"CA-011", "CA-012"} <= fired(serial(bought("2016-03-01"), bought("2019-01-10")))
    assert "CA-012" not in fired(serial(bought("2016-03-01", "FR"), bought("2019-01-10")))


def test_a_small_holders_acquisitions_are_not_the_investors() -> None:
    minor = entity("minor", "CN", conduct=[bought("2016-03-01"), bought("2019-01-10")])
    assert "CA-011" not in fired(serial(holder=minor))


def test_records_not_given_make_the_count_a_lower_bound() -> None:
    buyer = entity("buyer", "CN")
    del buyer["conduct"]
    assert facts_of(case([buyer], target=SEMIS))["group.sector_acquisitions"] is None  # unknown: asked
    parent = entity("parent", "CN")
    del parent["conduct"]
    c = case([entity("buyer", "CN", conduct=[bought("2019-01-10")]), parent], [edge("parent", "buyer", 100)], SEMIS)
    value = facts_of(c)["group.sector_acquisitions"]
    assert isinstance(value, Interval) and value.low == 1 and value.high == float("inf")
    assert "CA-011" not in fired(c)


# --- know-how and technological leadership ----------------------------------------------------------------------


def test_moving_critical_know_how_abroad_scores() -> None:
    tx = {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100, "technology_transfer": ["rd"]}
    assert "CT-014" in fired(case([entity("buyer", "US")], target=SEMIS, transaction=tx))
    plain = {**SEMIS, "sectors": ["retail"], "critical_technologies": []}
    assert "CT-014" not in fired(case([entity("buyer", "US")], target=plain, transaction=tx))


def test_a_technology_leader_scores_only_with_its_technology() -> None:
    assert "CT-015" in fired(case([entity("buyer", "US")], target={**SEMIS, "technology_leader": True}))
    retail = {"sectors": ["retail"], "critical_technologies": [], "technology_leader": True}
    assert "CT-015" not in fired(case([entity("buyer", "US")], target=retail))


def test_a_licence_of_a_critical_technology_to_a_foreign_licensee_is_a_transfer() -> None:
    robotics = {"sectors": ["robotics"], "critical_technologies": [{"kind": "robotics"}]}
    licence = {"kind": "licence", "technical_information_access": True}
    result = fired(case([entity("licensee", "SG")], target=robotics, transaction=licence))
    assert {"CT-014", "CA-007"} <= result
    assert not result & {"CA-002", "CA-003", "CA-004"}  # a licence is no stake: the control ladder stays shut
    domestic = fired(case([entity("licensee", "DE")], target=robotics, transaction=licence))
    assert "CT-014" not in domestic  # a domestic licensee keeps the technology at home
    plain = {"sectors": ["software"], "critical_technologies": []}
    assert not fired(case([entity("licensee", "SG")], target=plain, transaction=licence)) & {"CT-014", "CA-007"}


def test_technical_information_of_the_investors_own_greenfield_is_no_access() -> None:
    robotics = {"sectors": ["robotics"], "critical_technologies": [{"kind": "robotics"}]}
    greenfield = {"kind": "greenfield", "technical_information_access": True}
    assert "CA-007" not in fired(case([entity("buyer", "SG")], target=robotics, transaction=greenfield))


# --- security of supply: offtake, protective equipment, farmland ---------------------------------------------


MINE = {
    "sectors": ["critical_minerals"],
    "critical_infrastructure": [{"kind": "raw_material_site", "name": "Mine", "role": "owner"}],
}


def test_offtake_rights_over_a_critical_raw_material_score_whatever_the_stake() -> None:
    tx = {"kind": "minority_stake", "stake_before_pct": 0, "stake_after_pct": 2, "offtake_rights": True}
    assert {"SS-010", "SS-008"} <= fired(case([entity("buyer", "JP")], target=MINE, transaction=tx))
    assert "SS-010" not in fired(case([entity("buyer", "DE")], target=MINE, transaction=tx))  # a domestic buyer
    no_offtake = {**tx, "offtake_rights": False}
    assert "SS-010" not in fired(case([entity("buyer", "JP")], target=MINE, transaction=no_offtake))
    quarry = {"sectors": ["construction"], "critical_infrastructure": [], "critical_technologies": []}
    assert "SS-010" not in fired(case([entity("buyer", "JP")], target=quarry, transaction=tx))


def test_offtake_rights_not_stated_are_asked() -> None:
    tx = {"kind": "minority_stake", "stake_before_pct": 0, "stake_after_pct": 2}
    result = run(case([entity("buyer", "JP")], target=MINE, transaction=tx))
    assert "SS-010" in result.undecided


def test_protective_equipment_is_read_from_the_german_category() -> None:
    tx = {"kind": "minority_stake", "stake_before_pct": 0, "stake_after_pct": 30, "board_seats": 1}
    masks = {"sectors": ["manufacturing"], "awv_activities": ["ppe"]}
    assert {"SS-006", "CA-003"} <= fired(case([entity("buyer", "US")], target=masks, transaction=tx))
    workwear = {"sectors": ["manufacturing"], "awv_activities": [], "critical_infrastructure": []}
    assert not fired(case([entity("buyer", "US")], target=workwear, transaction=tx)) & {"SS-006", "CA-003"}
    # a case that does not give the German categories is read by its tags, not asked for them
    assert "SS-006" not in run(case([entity("buyer", "US")], target={"sectors": ["retail"]}, transaction=tx)).undecided


def test_farmland_over_10000_ha_is_read_from_the_german_category_too() -> None:
    tx = {"kind": "minority_stake", "stake_before_pct": 0, "stake_after_pct": 30}
    farm = {"sectors": ["agriculture_food"], "awv_activities": ["farmland_over_10000ha"]}
    assert "SS-004" in fired(case([entity("buyer", "NL")], target=farm, transaction=tx))


# --- surveillance and human rights -----------------------------------------------------------------------------


def surveillance(record_on: str) -> Any:
    abuse = {"kind": "human_rights_abuse", "country": "US", "date": "2019-10-09"}
    target = {"sectors": ["cybersecurity"], "critical_technologies": [{"kind": "surveillance"}]}
    return case(
        [
            entity("buyer", "AE", conduct=[abuse] if record_on == "buyer" else []),
            entity("parent", "AE"),
            entity("minor", "AE", conduct=[abuse] if record_on == "minor" else []),
        ],
        [edge("parent", "buyer", 95), edge("minor", "buyer", 5)],
        target=target,
    )


def test_surveillance_technology_with_a_human_rights_record_scores() -> None:
    assert {"IC-020", "CT-011"} <= fired(surveillance("buyer"))


def test_a_small_holders_record_is_not_the_investors() -> None:
    result = fired(surveillance("minor"))
    assert "IC-020" not in result and "CT-011" in result


# --- systemic finance ---------------------------------------------------------------------------------------------


def test_systemically_important_institutions_and_messaging_score() -> None:
    for kind in ("systemically_important_institution", "financial_messaging"):
        target = {"sectors": ["financial"], "critical_infrastructure": [{"kind": kind, "name": "X", "role": "self"}]}
        assert "CI-020" in fired(case([entity("buyer", "US")], target=target))
    lender = {"sectors": ["financial"], "critical_infrastructure": []}
    assert "CI-020" not in fired(case([entity("buyer", "US")], target=lender))


# --- where attached factors look ----------------------------------------------------------------------------------


def test_headquarters_bind_as_incorporation_does() -> None:
    run_from_beijing = case([entity("buyer", "KY", headquarters="CN")])
    assert {"SI-003", "SI-012"} <= fired(run_from_beijing)
    assert not fired(case([entity("buyer", "KY", headquarters="JP")])) & {"SI-003", "SI-012", "SI-016"}


def test_a_material_holder_run_from_a_bound_state_is_bound() -> None:
    c = case(
        [entity("buyer", "DE"), entity("family", "DE", "individual"), entity("holder", "SG", headquarters="RU")],
        [edge("family", "buyer", 70), edge("holder", "buyer", 30)],
    )
    assert "SI-016" in fired(c) and "SI-003" not in fired(c)


def test_the_foreign_adversary_determination_applies_from_22_march_2021() -> None:
    def signed(day: str) -> Any:
        key = "signing_date" if len(day) == 10 else "completion_date"  # a month is a range of days
        tx = {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100, key: day}
        return case([entity("buyer", "RU")], transaction=tx)

    assert "SI-012" not in fired(signed("2021-03-21"))
    assert "SI-012" in fired(signed("2021-03-22"))
    undecided = run(signed("2021-03"))  # a month that straddles the day: unknown, asked, not scored
    assert "SI-012" not in {f.rule.id for f in undecided.findings}
    assert "SI-012" in undecided.undecided


def test_a_watchlist_match_knows_whose_it_is() -> None:
    c = case(
        [entity("buyer", "DE"), entity("family", "DE", "individual"), entity("minor", "DE")],
        [edge("family", "buyer", 98), edge("minor", "buyer", 2)],
    )
    entry = SimpleNamespace(lists=("x",), type="sanctions", id="e1", source="test", url=None)
    hits = [
        SimpleNamespace(entity=eid, entity_name=eid, entry=entry, score=99.0, matched_name=eid, read_as=eid, why="")
        for eid in ("buyer", "minor")
    ]
    values = build_facts(on_day(c, "2024-01-01", "2024-01-01"), hits=hits).values
    assert {h["entity"]: h["role"] for h in values["group.watchlist_hits"]} == {"buyer": "investor", "minor": "other"}
    open_stakes = case(
        [entity("buyer", "DE"), entity("holder", "DE")],
        [{"owner": "holder", "owned": "buyer"}],  # a stake not given: material or not is unknown
    )
    on_holder = [SimpleNamespace(**{**vars(hits[0]), "entity": "holder", "entity_name": "holder"})]
    values = build_facts(on_day(open_stakes, "2024-01-01", "2024-01-01"), hits=on_holder).values
    assert values["group.watchlist_hits"][0]["role"] is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-02-29", "2014-02-28"),
        ("2024-03-01", "2014-03-01"),
        ("0010-06-01", "0001-01-01"),
        ("0001-01-01", "0001-01-01"),
    ],
)
def test_the_window_of_earlier_acquisitions_starts_no_earlier_than_the_calendar(day, expected):
    from screening.case.reasons import _years_before

    assert _years_before(day, 10) == expected


@pytest.mark.parametrize("command", ["screen", "filings", "batch"])
@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "1899"])
def test_a_day_outside_the_years_a_case_may_hold_is_refused(tmp_path, capsys, command, day):
    """A case's own dates hold years from 1900 to 2100 (the schema); ``--as-of`` is held to the same years, with a
    usage error (exit 2), not an answer judged on a day no law of the pack reaches."""
    from screening.cli import main

    case = tmp_path / "case.yaml"
    case.write_text("id: s\ntitle: t\ninvestor: a\nentities: [{id: a, name: d}]\ntarget: {name: s}\n", "utf-8")
    args = [command, str(case), "--as-of", day] + (["-o", str(tmp_path / "out.jsonl")] if command == "batch" else [])
    assert main(args) == 2
    # batch takes a day only; the others a year or a month too
    short = command == "batch" and len(day) == 4
    assert (
        "expected a date as YYYY-MM-DD" if short else "expected a year from 1900 to 2100"
    ) in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("command", ["screen", "filings"])
def test_a_case_judged_in_the_first_years_of_the_era_is_no_internal_error(tmp_path, command):
    from screening.cli import main

    case = tmp_path / "case.yaml"
    case.write_text(
        "id: s\ntitle: t\ninvestor: holdco\nentities:\n  - {id: holdco, name: d}\n  - {id: owner, name: n}\n"
        "ownership:\n- {owner: owner, owned: holdco, equity_pct: 1}\ntarget: {name: s, sectors: [communications]}\n",
        "utf-8",
    )
    assert main([command, str(case), "--as-of", "1900-01-01"]) == 0
