"""The regimes outside the EU core: Canada, reached directly or through a target's part there, and the real
deal each pack is checked against (the per-threshold tests are in rules/tests/regimes-*.yaml)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.case.load import build_case
from screening.cli import main
from screening.decision.engine import screen
from screening.pack.load import default_pack_path, load_pack

ROOT = Path(__file__).resolve().parent.parent
BACKTEST = ROOT / "backtest" / "cases"

BASE: dict[str, Any] = {
    "id": "world",
    "title": "A German group with a part abroad",
    "investor": "buyer",
    "entities": [
        {"id": "buyer", "name": "Buyer Ltd", "country": "HK", "kind": "private_company", "owners_complete": True},
        {
            "id": "parent",
            "name": "Parent Group",
            "country": "CN",
            "kind": "soe",
            "owners_complete": True,
            "state_ownership_pct": 100,
        },
    ],
    "ownership": [{"owner": "parent", "owned": "buyer", "equity_pct": 100}],
    "target": {"name": "Werkzeug AG", "country": "DE", "sectors": ["manufacturing"], "critical_technologies": []},
    "transaction": {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100, "signing_date": "2024-03-01"},
}


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_path())


def case(part: dict[str, Any] | None = None, completed: str | None = None, **target: Any):
    data = json.loads(json.dumps(BASE))
    data["target"].update(target)
    if completed:
        data["transaction"]["completion_date"] = completed
    if part is not None:
        data["target"]["parts"] = [part]
    return build_case(data, {}, "world.yaml")


def decisions(result) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {d.regime.id: d for d in result.filings.decisions}


def backtest_data(name: str) -> dict[str, Any]:
    """A backtest case file as plain data (dates as text, as the case loader reads them)."""
    return json.loads(json.dumps(yaml.safe_load((BACKTEST / f"{name}.yaml").read_text("utf-8")), default=str))


def backtest(name: str, **target: Any):
    data = backtest_data(name)
    data["target"].update(target)
    return build_case(data, {}, f"{name}.yaml")


CA_PART = {"name": "Werkzeug Canada Inc.", "kind": "subsidiary", "country": "CA", "sectors": ["manufacturing"]}


def test_a_canadian_subsidiary_brings_the_investment_canada_act_in(pack):
    by_id = decisions(screen(case(CA_PART), pack))
    assert by_id["CAN"].reached and by_id["CAN"].outcome == "mandatory"
    assert by_id["CAN"].rule is not None and by_id["CAN"].rule.id == "CAN-018"  # notified: no value in CAD given
    assert by_id["CAN"].via == "Werkzeug Canada Inc. (CA subsidiary)"
    assert by_id["DE"].reached and by_id["DE"].via is None


def test_without_the_part_canada_does_not_reach_the_case(pack):
    assert not decisions(screen(case(), pack))["CAN"].reached


def test_the_canadian_values_decide_the_net_benefit_review_through_the_part(pack):
    # A state-owned investor, the Canadian business's assets at the 2024 threshold. Signed in 2024 and not
    # said to be completed, it may have been implemented in 2025, when the threshold rose: the Act applies
    # the law of implementation (s.14.1(1)), so the day of completion is asked.
    by_id = decisions(screen(case(CA_PART, ca_asset_value=528_000_000), pack))
    assert by_id["CAN"].outcome == "undetermined"
    assert by_id["CAN"].questions[0].facts == ("transaction.completion_date",)
    by_id = decisions(screen(case(CA_PART, completed="2024-06-03", ca_asset_value=528_000_000), pack))
    assert by_id["CAN"].outcome == "mandatory" and by_id["CAN"].rule.id == "CAN-014"


def test_screening_filings_lists_the_regime_reached_through_the_part(tmp_path, capsys):
    data = json.loads(json.dumps(BASE))
    data["target"]["parts"] = [CA_PART]
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    code = main(["filings", str(path), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    rows = {r["regime"]: r for r in (out[0] if isinstance(out, list) else out)["regimes"]}
    assert rows["CAN"]["outcome"] == "mandatory"
    assert rows["CAN"]["via"] == "Werkzeug Canada Inc. (CA subsidiary)"


def test_aecon_as_it_stood_on_its_signing_day(pack):
    """CCCC International / Aecon (signed 26 October 2017): a state-owned investor acquiring control, so a
    net-benefit review was needed when Aecon's assets passed C$379M, and the national-security review that
    prohibited it was open to the government at any size. The case does not give Aecon's assets in CAD:
    without them the notification decides, and the assets' question could make it a net-benefit review. It
    was never implemented: the Act's law of implementation is read on every day from signing on."""
    result = screen(backtest("aecon-cccc"), pack)
    can = decisions(result)["CAN"]
    assert can.on.startswith("every day from 2017-10-26 to ") and can.outcome == "mandatory"
    assert can.rule.id == "CAN-018"
    with_assets = decisions(screen(backtest("aecon-cccc", ca_asset_value=2_000_000_000), pack))["CAN"]
    assert with_assets.rule.id == "CAN-007" and with_assets.outcome == "mandatory"


AU_PART = {"name": "Werkzeug Australia Pty Ltd", "kind": "subsidiary", "country": "AU", "sectors": ["manufacturing"]}


def test_an_australian_subsidiary_brings_the_fata_in(pack):
    # The buyer is owned by a state-owned group: a foreign government investor, notifiable at A$0 unless the
    # German target's Australian assets are under 5% of its assets and A$60M (FATR s.56(4)), which is asked.
    by_id = decisions(screen(case(AU_PART), pack))
    assert by_id["AU"].reached and by_id["AU"].via == "Werkzeug Australia Pty Ltd (AU subsidiary)"
    assert by_id["AU"].outcome == "call_in" and any(
        "AU-012" in q.rules and "au_offshore_assets_value" in " ".join(q.facts) for q in by_id["AU"].questions
    )
    known = {"au_sensitive_business": False, "au_national_security_business": [], "au_offshore_assets_share_pct": 2}
    large = decisions(screen(case(AU_PART, au_offshore_assets_value=60_000_000, **known), pack))["AU"]
    assert large.outcome == "mandatory" and large.rule.id == "AU-012"
    small = decisions(screen(case(AU_PART, au_offshore_assets_value=59_999_999, **known), pack))["AU"]
    assert small.outcome == "call_in" and small.rule.id == "AU-015"  # the offshore exception


def test_ausgrid_faced_a_foreign_government_investor_notification(pack):
    """State Grid's bid for a 99-year lease of 50.4% of Ausgrid (2016): State Grid is wholly state-owned, so
    any direct interest was notifiable whatever its value; the Treasurer prohibited it on 19 August 2016."""
    data = backtest_data("ausgrid-state-grid")
    result = screen(build_case(data, {}, "ausgrid-state-grid.yaml"), pack, on=dt.date(2016, 8, 11))
    au = decisions(result)["AU"]
    assert au.outcome == "mandatory" and au.rule.id == "AU-016"  # AU-012 before 2021
    assert data["outcome"]["decision"] == "prohibited"


def test_a_japanese_subsidiary_brings_fefta_in_but_buying_its_foreign_parent_is_no_investment(pack):
    part = {"name": "Werkzeug Japan KK", "kind": "subsidiary", "country": "JP", "sectors": ["manufacturing"]}
    jp = decisions(screen(case(part, jp_fefta_category="core", listed=True), pack))["JP"]
    assert jp.reached and jp.via == "Werkzeug Japan KK (JP subsidiary)" and jp.outcome == "out_of_scope"


def test_tencent_rakuten_used_the_exemption_once_tencent_is_known_not_to_be_state_owned(pack):
    """Tencent's 3.65% of Rakuten (paid 31 March 2021): a core-sector listed company, no board seat, no access
    to non-public technology, so no prior notification but a post-investment report. Tencent's owners are not
    all listed in the case, so the pack asks whether a state holds it before granting the exemption."""
    data = yaml.safe_load((ROOT / "cases" / "tencent-rakuten.yaml").read_text("utf-8"))
    data = json.loads(json.dumps(data, default=str))
    jp = decisions(screen(build_case(data, {}, "tencent-rakuten.yaml"), pack))["JP"]
    assert jp.on == "2021-03-31" and jp.outcome == "undetermined"
    assert {"JP-002", "JP-003"} <= {r for q in jp.questions for r in q.rules}
    for entity in data["entities"]:
        entity["owners_complete"] = True  # no state among Tencent's holders
    jp = decisions(screen(build_case(data, {}, "tencent-rakuten.yaml"), pack))["JP"]
    assert jp.outcome == "mandatory" and jp.rule.id == "JP-003"


def test_the_critical_minerals_policies_are_said_with_a_net_benefit_review_from_their_days(pack):
    """Policy, not law: the 2022 policy (state-owned acquirers of critical-minerals businesses) and the ministerial
    statement of 4 July 2024 (important mining companies, any foreign acquirer) bear on how a net-benefit review
    ends, so they are said with the mandatory answer from their days, never as a filing of their own."""
    can = next(r for r in pack.regimes if r.id == "CAN")
    assert "28 October 2022" not in (can.meaning("mandatory", "2022-10-27") or "")
    assert "28 October 2022" in (can.meaning("mandatory", "2022-10-28") or "")
    assert "4 July 2024" not in (can.meaning("mandatory", "2024-07-03") or "")
    assert "4 July 2024" in (can.meaning("mandatory", "2024-07-04") or "")
