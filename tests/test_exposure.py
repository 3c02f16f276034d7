"""The exposure step of the score (scoring.yaml ``exposure``, docs/scoring.md step 4): who the investor is and
what it acquires count in proportion to what the target exposes, and the target's exposure always counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import screening
from screening.pack.scoring import Exposure
from screening.report import Options, render
from tests.test_judgment import PACK, case, entity, run

STATE_BUYER = entity("buyer", "CN", "soe", state_links=[{"kind": "state_mandate", "state": "CN"}])
GRID = [{"kind": "power_grid", "role": "operator"}]
SCHEMA = json.loads((Path(screening.__file__).parent / "schema" / "case.schema.json").read_text("utf-8"))
SECTORS = sorted(SCHEMA["properties"]["target"]["properties"]["sectors"]["items"]["enum"])


def cats(result: Any) -> dict[str, Any]:
    return {c.id: c for c in result.categories}


def test_the_default_pack_scales_threat_and_access_by_the_targets_exposure() -> None:
    step = PACK.scoring.exposure
    assert step is not None
    assert step.scales == ("state_influence", "investor_conduct", "control_acquired")
    assert step.by == ("critical_infrastructure", "critical_technologies", "data_access", "supply_security")
    assert step.full_at == 12 and "802.102" in step.rationale and "Art. 4(2)" in step.rationale


@pytest.mark.parametrize(("exposure", "factor"), [(0, 0), (3, 0.25), (6, 0.5), (12, 1), (30, 1)])
def test_factor_is_the_exposure_over_full_at_capped_at_one(exposure: float, factor: float) -> None:
    assert Exposure(("a",), ("b",), 12, "why").factor(exposure) == factor


def test_a_state_owned_buyer_of_a_target_that_exposes_nothing_scores_nothing_for_who_it_is() -> None:
    r = run(case([STATE_BUYER], target={"sectors": ["retail"]}))
    c = cats(r)
    assert c["state_influence"].capped > 0  # the findings stay in the report, with their points
    assert c["state_influence"].factor == 0 and c["state_influence"].score == 0
    assert r.score == 0 and r.level == "low"


def test_the_same_buyer_of_an_energy_operator_counts_in_full() -> None:
    quiet = run(case([STATE_BUYER], target={"sectors": ["retail"]}))
    energy = run(case([STATE_BUYER], target={"sectors": ["retail"], "critical_infrastructure": GRID}))
    c = cats(energy)
    exposed = sum(c[k].score for k in PACK.scoring.exposure.by)  # type: ignore[union-attr]
    assert exposed >= 12 and c["state_influence"].factor == 1
    assert c["state_influence"].score == c["state_influence"].capped - c["state_influence"].credit
    assert energy.score > quiet.score + c["state_influence"].score - 1e-9


def test_a_targets_exposure_counts_whoever_buys_it() -> None:
    ally = entity("buyer", "US")
    r = run(case([ally], target={"sectors": ["defence"]}))
    c = cats(r)
    exposed = sum(c[k].score for k in PACK.scoring.exposure.by)  # type: ignore[union-attr]
    assert exposed >= 12 and r.subtotal >= exposed and r.level != "low"


def test_half_the_exposure_gives_half_the_investors_side() -> None:
    r = run(case([STATE_BUYER], target={"sectors": ["retail"], "data": [{"category": "financial", "subjects": 5000}]}))
    c = cats(r)
    exposed = sum(c[k].score for k in PACK.scoring.exposure.by)  # type: ignore[union-attr]
    assert 0 < exposed < 12
    for k in PACK.scoring.exposure.scales:  # type: ignore[union-attr]
        assert c[k].factor == pytest.approx(exposed / 12)
        assert c[k].score == pytest.approx((c[k].capped - c[k].credit) * exposed / 12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SECTORS), max_size=3))
def test_exposure_never_lowers_a_score(sectors: list[str]) -> None:
    """More exposure never lowers the score: the factor and the exposure's own points only rise. The base case
    gives its (empty) asset list: giving a list where there was none ends the sector tags' standing in for it
    (docs/scoring.md), which is not adding a risk fact."""
    base = run(case([STATE_BUYER], target={"sectors": sectors, "critical_infrastructure": []}))
    more = run(case([STATE_BUYER], target={"sectors": sectors, "critical_infrastructure": GRID}))
    assert more.score >= base.score


def test_reports_show_the_exposure_step() -> None:
    r = run(case([STATE_BUYER], target={"sectors": ["retail"]}))
    doc = json.loads(render("json", [r], Options()))
    step = doc["math"]["exposure"]
    assert step["points"] == 0 and step["factor"] == 0 and step["full_at"] == 12
    by_id = {c["id"]: c for c in doc["categories"]}
    assert by_id["state_influence"]["exposure_factor"] == 0 and "exposure_factor" not in by_id["data_access"]
    sentence = "state influence, investor conduct and control acquired count for nothing"
    for fmt in ("text", "markdown", "html"):
        out = " ".join(render(fmt, [r], Options()).split())
        assert sentence in out, fmt
