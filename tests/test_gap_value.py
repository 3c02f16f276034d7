"""What a gap's answer could do to the score: the case scored again with the gap's rules fired, not their weights
summed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.api import screen_files
from screening.decision.engine import Finding, Gap, score_of, valued
from screening.infra.text import num
from screening.pack.load import default_pack_path, load_pack

PACK = load_pack(default_pack_path())
RULES = {r.id: r for r in PACK.rules}
MITIGATION = {c.id for c in PACK.scoring.categories if c.mitigation}
STAYNTOUCH = Path("backtest/cases/stayntouch-shiji.yaml")


def fired(*pairs: tuple[str, float]) -> list[Finding]:
    return [Finding(RULES[rule], points, ()) for rule, points in pairs]


def gap(name: str, *rules: str) -> Gap:
    points = sum(RULES[r].weight for r in rules if RULES[r].category not in MITIGATION)
    return Gap((name,), f"{name}?", rules, float(points))


# a target that exposes little (1.5 data points) and a buyer with state influence, conduct and control
LOW_EXPOSURE = fired(("SI-003", 8), ("DA-006", 1.5), ("IC-013", 3), ("CA-004", 3), ("CA-006", 3))
DATA = gap("target.data", "DA-001", "DA-010", "DA-012")
STATE = gap("ownership.state_links", "SI-004", "SI-005", "SI-006", "SI-007", "SI-008", "SI-009", "SI-010", "SI-011")


def test_a_question_on_the_targets_exposure_ranks_above_a_buyer_question_with_more_rule_points():
    assert DATA.points_at_stake < STATE.points_at_stake
    ranked = valued([STATE, DATA], PACK, LOW_EXPOSURE)
    assert [g.facts for g in ranked] == [("target.data",), ("ownership.state_links",)]
    data, state = ranked
    # the data rules add 9 points to data access, and lift the factor of the buyer's categories with it
    today = score_of(PACK, LOW_EXPOSURE)
    assert today.score == pytest.approx(1.5 + (8 + 3 + 6) * 1.5 / 12)
    assert data.could_add == pytest.approx((1.5 + 9) + (8 + 3 + 6) * 10.5 / 12 - today.score)
    assert data.could_add > data.points_at_stake
    # state influence is capped at 35 and counts at 1.5/12 of its points
    assert state.could_add == pytest.approx((35 - 8) * 1.5 / 12)
    assert state.could_add < state.points_at_stake


def test_the_figure_respects_the_categorys_cap():
    counted = fired(("CT-001", 20), ("CI-001", 12))  # critical technologies 20 of its cap of 25
    (one,) = valued([gap("target.critical_technologies", "CT-002", "CT-003", "CT-004")], PACK, counted)
    assert one.points_at_stake > 5
    assert one.could_add == pytest.approx(5)


def test_a_question_whose_rules_are_all_capped_adds_nothing():
    counted = fired(("CT-001", 30), ("CI-001", 12))  # already over the cap of 25
    (one,) = valued([gap("target.critical_technologies", "CT-002", "CT-003")], PACK, counted)
    assert one.points_at_stake > 0 and one.could_add == 0


def test_a_floor_counts_in_what_a_question_could_add():
    counted = fired(("CI-001", 12))
    (one,) = valued([gap("ownership.sanctioned", "IC-001")], PACK, counted)
    assert one.could_add == pytest.approx(PACK.scoring.minimum("critical") - 12)


def test_a_mitigation_question_says_what_it_could_take_off():
    counted = fired(("CI-001", 12), ("SI-003", 8))
    mitigations = [r.id for r in PACK.rules if r.category in MITIGATION and "critical_infrastructure" in r.mitigates]
    assert mitigations
    (one,) = valued([gap("mitigations", *mitigations)], PACK, counted)
    today = score_of(PACK, counted).score
    assert one.could_add == 0 and one.points_at_stake == 0
    assert 0 < one.could_take_off <= today
    relieved = score_of(PACK, counted + [Finding(RULES[m], RULES[m].weight, ()) for m in mitigations]).score
    assert one.could_take_off == pytest.approx(today - relieved)


def test_a_rule_already_fired_or_waived_adds_nothing():
    counted = fired(("DA-006", 1.5))
    assert valued([gap("target.data", "DA-006")], PACK, counted)[0].could_add == 0
    assert valued([gap("target.data", "DA-010")], PACK, counted, waived={"DA-010"})[0].could_add == 0


def test_stayntouch_data_volume_question_moves_the_score_more_than_its_rule_points(tmp_path):
    (result,) = screen_files([STAYNTOUCH])
    data = next(g for g in result.gaps if "target.data" in g.facts)
    state = next(g for g in result.gaps if "ownership.state_links" in g.facts)
    assert data.points_at_stake == 9 and data.could_add > 20
    assert state.points_at_stake > 50 and state.could_add < 5
    assert result.gaps.index(data) < result.gaps.index(state)
    # answering it adversely: more than a million people in each record
    case = yaml.safe_load(STAYNTOUCH.read_text("utf-8"))
    for record in case["target"]["data"]:
        record["subjects"] = 5_000_000
    path = tmp_path / STAYNTOUCH.name
    path.write_text(yaml.safe_dump(case, sort_keys=False, allow_unicode=True), "utf-8")
    (answered,) = screen_files([path])
    assert {"DA-001", "DA-010", "DA-012"} <= {f.rule.id for f in answered.findings}
    assert data.points_at_stake < answered.score - result.score <= data.could_add + 1e-9


def test_the_json_report_gives_both_figures():
    from screening.report.data import report

    (result,) = screen_files([STAYNTOUCH])
    gaps = report(result)["gaps"]
    assert {"points_at_stake", "could_add", "could_take_off"} <= set(gaps[0])
    assert [g["could_add"] for g in gaps][:3] == sorted((g["could_add"] for g in gaps), reverse=True)[:3]


# --------------------------------------------------------------------------------------------- properties

RISK_IDS = sorted(r.id for r in PACK.rules if r.category not in MITIGATION)
MITIGATION_IDS = sorted(r.id for r in PACK.rules if r.category in MITIGATION)
fraction = st.sampled_from([0.25, 0.5, 0.75, 1.0])


@st.composite
def situation(draw):
    """Today's findings (at a fraction of their weight), a gap of other rules, and a partial answer to it: some of
    the gap's rules firing, each at a fraction of its weight."""
    today = draw(st.lists(st.sampled_from(RISK_IDS + MITIGATION_IDS), unique=True, max_size=25))
    counted = [Finding(RULES[r], RULES[r].weight * draw(fraction), ()) for r in today]
    rest = [r for r in RISK_IDS + MITIGATION_IDS if r not in today]
    rules = draw(st.lists(st.sampled_from(rest), unique=True, min_size=1, max_size=12))
    answer = [Finding(RULES[r], RULES[r].weight * draw(fraction), ()) for r in rules if draw(st.booleans())]
    return counted, gap("q", *rules), answer


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(situation())
def test_an_answer_never_moves_the_score_further_than_the_gap_says(drawn):
    counted, asked, answer = drawn
    (one,) = valued([asked], PACK, counted)
    assert one.could_add >= 0 and one.could_take_off >= 0
    today = score_of(PACK, counted).score
    adverse = [f for f in answer if f.rule.category not in MITIGATION]
    favourable = [f for f in answer if f.rule.category in MITIGATION]
    assert score_of(PACK, counted + adverse).score - today <= one.could_add + 1e-9
    assert today - score_of(PACK, counted + favourable).score <= one.could_take_off + 1e-9
    if not any(RULES[r].category not in MITIGATION for r in asked.rules):
        assert one.could_add == 0


def test_every_report_shows_the_figure_and_names_it():
    from screening.report import Options, render

    results = screen_files([STAYNTOUCH])
    top = results[0].gaps[0]
    add, pts = num(top.could_add), num(top.points_at_stake)
    assert top.could_add > 0 and add != pts
    text = " ".join(render("text", results, Options(width=100)).split())
    assert "could add rule pts question" in text and f"+{add} {pts} " in text
    markdown = render("markdown", results, Options())
    assert f"could add **{add}** to the score ({pts} rule points)" in markdown
    html = render("html", results, Options())
    assert f">+{add}</span>" in html
    for fmt in ("text", "markdown", "html"):
        brief = " ".join(render(fmt, results, Options(width=100, brief=True)).split())
        assert f"(could add {add} to the score)" in brief


def test_a_waived_rule_counts_for_nothing_in_what_a_question_could_add():
    from screening.pack.waivers import Waiver

    (plain,) = screen_files([STAYNTOUCH])
    data = next(g for g in plain.gaps if "target.data" in g.facts)
    waivers = {
        ("stayntouch-shiji", rule): Waiver("stayntouch-shiji", rule, "accepted risk", "board", "2099-12-31")
        for rule in ("DA-001", "DA-010")
    }
    (waived,) = screen_files([STAYNTOUCH], waivers=waivers, on=dt.date(2020, 3, 5))
    assert waived.score == plain.score
    less = next(g for g in waived.gaps if "target.data" in g.facts)
    assert less.points_at_stake == data.points_at_stake and 0 < less.could_add < data.could_add


def test_a_mitigation_question_that_could_take_off_nothing_reads_as_a_mitigation_question():
    """A question that decides mitigations alone, on a case whose score they cannot lower (nothing they mitigate
    scores), says it could take off 0, never that it "could add 0"."""
    from screening.report import Options, render
    from screening.report.data import moves

    assert moves({"could_add": 0, "could_take_off": 0, "points_at_stake": 0}) == "could take off 0"
    assert moves({"could_add": 0, "could_take_off": 0, "points_at_stake": 2}) == "could add 0 to the score"
    assert moves({"could_add": 3, "could_take_off": 8, "points_at_stake": 2}) == (
        "could add 3 to the score; could take off 8"
    )
    results = screen_files([Path(__file__).parent.parent / "backtest" / "cases" / "volvo-cars-geely.yaml"])
    (nothing,) = [g for g in results[0].gaps if g.facts == ("mitigations",)]
    assert nothing.could_add == nothing.could_take_off == nothing.points_at_stake == 0
    rows = [line for line in render("text", results, Options(width=120)).splitlines() if "What commitments" in line]
    assert rows and "−0" in rows[0] and "+0" not in rows[0]
    markdown = render("markdown", results, Options())
    assert "could take off **0** (0 rule points)" in markdown
    assert "−0</span> What commitments" in render("html", results, Options())


def test_callers_that_show_no_figure_get_the_same_screen_without_the_valuation():
    """A batch row and a backtest show no gap's figure: ``value_gaps=False`` leaves the gaps unvalued (their
    figures 0, most rule points first) and changes nothing else of the result."""
    from screening.case.load import load_case
    from screening.decision.engine import screen

    for path in (STAYNTOUCH, *sorted(Path("cases").glob("*.yaml"))[:6]):
        case = load_case(path)
        full = screen(case, PACK, evidence=False)
        lean = screen(case, PACK, evidence=False, value_gaps=False)
        assert lean._replace(gaps=full.gaps) == full
        plain = [g._replace(could_add=0.0, could_take_off=0.0) for g in full.gaps]
        assert list(lean.gaps) == sorted(plain, key=lambda g: (-g.points_at_stake, g.facts))
        assert all(g.could_add == 0 and g.could_take_off == 0 for g in lean.gaps)
    assert any(g.could_add > 0 for g in screen(load_case(STAYNTOUCH), PACK).gaps)  # the default values them


def test_a_batch_row_and_a_backtest_do_not_value_the_gaps(monkeypatch, tmp_path):
    from screening.batch.inputs import Item
    from screening.batch.work import Config, process
    from screening.decision import engine
    from screening.tooling.backtest import score_corpus

    def refused(*args, **kwargs):
        raise AssertionError("gaps valued for a caller that shows no figure")

    monkeypatch.setattr(engine, "valued", refused)
    row = process(Item("yaml", str(STAYNTOUCH), None, str(STAYNTOUCH)), Config(str(default_pack_path()), fast=False))
    assert row["error"] == "" and "target.data" in row["gaps"]
    scored, problems = score_corpus([STAYNTOUCH], PACK)
    assert not problems and scored[0].level
