"""`screening backtest`: the AUC, its interval, the tables, and a corpus with files that do not load."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from screening.cli import app, main
from screening.pack.load import default_pack_path, load_pack
from screening.tooling.backtest import auc, backtest, bootstrap, tied_share

runner = CliRunner()


def brute_auc(pos: list[float], neg: list[float]) -> float:
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=15),
    st.lists(st.integers(0, 10), min_size=1, max_size=15),
)
def test_auc_is_the_mann_whitney_statistic_with_ties_halved(pos: list[int], neg: list[int]) -> None:
    assert abs((auc(pos, neg) or 0) - brute_auc(pos, neg)) < 1e-12


def test_auc_edges() -> None:
    assert auc([3, 4], [1, 2]) == 1.0
    assert auc([1, 2], [3, 4]) == 0.0
    assert auc([5], [5]) == 0.5
    assert auc([], [1]) is None
    assert tied_share([5, 6], [5, 7]) == 0.25


def test_bootstrap_is_stratified_seeded_and_brackets_the_estimate() -> None:
    pos, neg = [60, 70, 40, 80, 55, 30], [20, 45, 10, 35]
    a = bootstrap(pos, neg, 500, 7)
    b = bootstrap(pos, neg, 500, 7)
    assert a == b and a is not None
    assert a.low <= (auc(pos, neg) or 0) <= a.high
    assert not a.degenerate
    # every replicate keeps both classes: perfect separation stays at 1.0, flagged when a class is constant
    c = bootstrap([90, 90], [10, 20], 200, 1)
    assert c is not None and (c.low, c.high) == (1.0, 1.0) and c.degenerate


def _case(cid: str, decision: str | None, **target: object) -> dict[str, object]:
    data: dict[str, object] = {
        "format": 1,
        "id": cid,
        "title": f"Illustrative {cid}",
        "investor": "buyer",
        "entities": [
            {
                "id": "buyer",
                "name": "Buyer",
                "country": "US",
                "kind": "private_company",
                "owners_complete": True,
                "listings": [],
                "state_links": [],
                "conduct": [],
            }
        ],
        "target": {"name": "Target", "country": "DE", **target},
        "transaction": {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100},
    }
    if decision:
        data["outcome"] = {"decision": decision, "authority": "BMWK"}
    return data


def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    defence = {"critical_technologies": [{"kind": "defence", "export_controlled": True}]}
    grid = {"critical_infrastructure": [{"kind": "power_grid", "name": "Grid", "role": "owner"}]}
    cases = [
        _case("a-prohibited", "prohibited", **defence),
        _case("b-conditions", "cleared_with_conditions", **grid),
        _case("c-abandoned", "abandoned_under_pressure", sectors=["retail"]),
        _case("d-cleared", "cleared", sectors=["retail"]),
        _case("e-cleared", "cleared", **grid),
        _case("f-unreviewed", "not_reviewed", **defence),
    ]
    for case in cases:
        (d / f"{case['id']}.yaml").write_text(yaml.safe_dump(case, sort_keys=False), "utf-8")
    (d / "g-broken.yaml").write_text("format: 1\nid: broken\ninvestor: [\n", "utf-8")
    (d / "h-no-outcome.yaml").write_text(yaml.safe_dump(_case("h-no-outcome", None)), "utf-8")
    return d


def test_backtest_measures_what_loads_and_locates_what_does_not(tmp_path: Path) -> None:
    b = backtest(corpus(tmp_path), load_pack(default_pack_path()), replicates=200)
    assert {c.case for c in b.adverse} == {"a-prohibited", "b-conditions", "c-abandoned"}
    assert {c.case for c in b.cleared} == {"d-cleared", "e-cleared"}
    assert [c.case for c in b.apart] == ["f-unreviewed"]
    files = {Path(p.file).name for p in b.problems}
    assert files == {"g-broken.yaml", "h-no-outcome.yaml"}
    assert any(p.code == "E406" for p in b.problems)
    scores = {c.case: c.score for c in b.cases}
    expected = brute_auc(
        [scores["a-prohibited"], scores["b-conditions"], scores["c-abandoned"]],
        [scores["d-cleared"], scores["e-cleared"]],
    )
    assert b.auc == expected
    # the abandoned retail deal scores no higher than either cleared case: misranked, with the rules that differ
    pairs = {(p.adverse.case, p.cleared.case): p for p in b.misranked}
    pair = pairs[("c-abandoned", "e-cleared")]
    assert pair.cleared_only and not pair.adverse_only
    assert all(r in b.cases[4].points for r, _ in pair.cleared_only)
    confusion = b.confusion()
    assert sum(confusion["cleared"].values()) == 2
    assert sum(sum(row.values()) for row in confusion.values()) == 6
    lift = {lf.rule: lf for lf in b.lifts}
    assert all(lf.adverse + lf.cleared > 0 for lf in lift.values())


def test_backtest_command_in_every_format(tmp_path: Path) -> None:
    d = corpus(tmp_path)
    result = runner.invoke(app, ["backtest", str(d), "--replicates", "200"])
    # the report is written on the cases that loaded, but two were left out: exit 1, so that a floor in CI
    # cannot pass on a corpus missing a broken case
    assert result.exit_code == 1, result.output
    assert "AUC (adverse vs cleared)" in result.stdout
    assert "g-broken.yaml" in result.stderr and "E406" in result.stderr
    assert "2 error(s): cases left out" in result.stderr
    js = runner.invoke(app, ["backtest", str(d), "--replicates", "200", "-f", "json"])
    data = json.loads(js.stdout)
    assert data["counts"] == {"adverse": 3, "cleared": 2, "apart": 1, "not_loaded": 2}
    assert data["interval"]["replicates"] == 200
    page = runner.invoke(app, ["backtest", str(d), "--replicates", "200", "-f", "html"])
    assert page.stdout.startswith("<!DOCTYPE html>") and "<svg" in page.stdout and "<circle" in page.stdout
    floor = runner.invoke(app, ["backtest", str(d), "--replicates", "200", "--min-auc", "0.99"])
    assert floor.exit_code == 1 and "below --min-auc" in floor.stderr
    (d / "g-broken.yaml").unlink()
    (d / "h-no-outcome.yaml").unlink()
    clean = runner.invoke(app, ["backtest", str(d), "--replicates", "200", "--min-auc", "0.1"])
    assert clean.exit_code == 0, clean.output


def test_backtest_of_a_path_that_is_not_a_directory(tmp_path: Path) -> None:
    assert main(["backtest", str(tmp_path / "nowhere")]) == 2


def test_diff_shows_the_backtest_change(tmp_path: Path) -> None:
    import shutil

    d = corpus(tmp_path)
    new = tmp_path / "pack"
    shutil.copytree(default_pack_path(), new)
    rule = new / "critical_infrastructure.yaml"
    text = rule.read_text("utf-8")
    at = text.index("name: critical_infrastructure.energy")
    rule.write_text(text[:at] + text[at:].replace("weight: 12", "weight: 1", 1), "utf-8")
    case = d / "a-prohibited.yaml"
    base = ["diff", str(default_pack_path()), str(new), str(case), "--backtest", str(d)]
    result = runner.invoke(app, base)
    assert result.exit_code == 0, result.output
    assert "Backtest on" in result.stdout and "AUC" in result.stdout
    assert "AUC " in result.stdout and " → " in result.stdout.split("Backtest on")[1]
    js = runner.invoke(app, [*base, "-f", "json"])
    data = json.loads(js.stdout)["backtest"]
    assert data["old"]["counts"]["adverse"] == 3 and "auc" in data["new"]
    md = runner.invoke(
        app, ["diff", str(default_pack_path()), str(new), str(case), "--backtest", str(d), "-f", "markdown"]
    )
    assert "- Backtest on" in md.stdout


def test_a_case_without_a_deal_date_is_judged_on_the_day_its_facts_describe(tmp_path: Path) -> None:
    """SI-012 (a foreign-adversary designation, in force from 22 March 2021) cannot have weighed on a 2017
    decision: an undated case is judged on its `as_of`, not today; a deal date of its own still comes first."""
    d = tmp_path / "corpus"
    d.mkdir()
    defence = {"critical_technologies": [{"kind": "defence", "export_controlled": True}]}
    for cid, as_of, signed in (
        ("old", "2017-05-31", None),
        ("new", "2023-05-31", None),
        ("signed", "2017-05-31", "2022-01-10"),
    ):
        case = _case(cid, "cleared", **defence)
        case["entities"][0].update(country="CN", headquarters="CN")
        case["as_of"] = as_of
        if signed:
            case["transaction"]["signing_date"] = signed
        (d / f"{cid}.yaml").write_text(yaml.safe_dump(case, sort_keys=False), "utf-8")
    b = backtest(d, load_pack(default_pack_path()), replicates=50)
    points = {c.case: c.points for c in b.cases}
    assert "SI-012" not in points["old"]
    assert points["new"]["SI-012"] > 0
    assert points["signed"]["SI-012"] > 0
    assert "SI-003" in points["old"]  # the rest of the case is screened as before


def test_the_conditions_a_review_imposed_do_not_lower_the_score_of_its_own_case(tmp_path: Path) -> None:
    """A conditional clearance is measured on the risk the authority found, before its remedies: an undated
    commitment accepted or imposed is left out; one dated before the day judged, an offer (never credited) and
    `screening screen` of the same file are unchanged."""
    from screening.case.load import load_case
    from screening.decision.engine import screen
    from screening.report import Options
    from screening.report.backtest import render

    d = tmp_path / "corpus"
    d.mkdir()
    defence = {"critical_technologies": [{"kind": "defence", "export_controlled": True}]}
    ring = {"kind": "ring_fencing", "binding": True, "description": "Ring-fence the defence business."}
    cases = {
        "bare": [],
        "imposed": [{**ring, "status": "imposed"}],
        "accepted": [{**ring, "status": "accepted"}],
        "earlier": [{**ring, "status": "accepted", "agreed": "2015-01-10"}],
        "offered": [{**ring, "status": "offered"}],
    }
    for cid, mitigations in cases.items():
        case = _case(cid, "cleared_with_conditions", **defence)
        case["transaction"]["signing_date"] = "2018-03-01"
        case["mitigations"] = mitigations
        (d / f"{cid}.yaml").write_text(yaml.safe_dump(case, sort_keys=False), "utf-8")
    pack = load_pack(default_pack_path())
    scores = {c.case: c for c in backtest(d, pack, replicates=50).cases}
    assert scores["bare"].score > 0
    for cid in ("imposed", "accepted", "offered"):
        assert scores[cid].score == scores["bare"].score
    assert scores["earlier"].score == scores["bare"].score - 6  # MI-002's credit, taken off the technologies
    assert {c: s.left_out for c, s in scores.items()} == {
        "bare": 0,
        "imposed": 1,
        "accepted": 1,
        "earlier": 0,
        "offered": 0,
    }
    shown = render(backtest(d, pack, replicates=50), "text", Options())
    assert "left out as the outcome of its own review: 2 undated commitments accepted or imposed, in 2 cases" in shown
    screened = screen(load_case(d / "imposed.yaml"), pack, evidence=False)  # a screening still credits it
    assert screened.score == scores["imposed"].score - 6


def test_a_case_given_twice_is_measured_once_and_located(tmp_path: Path) -> None:
    d = corpus(tmp_path)
    copy = d / "z-copy.yaml"
    copy.write_text((d / "a-prohibited.yaml").read_text("utf-8"), "utf-8")
    (tmp_path / "once").mkdir()
    once = backtest(corpus(tmp_path / "once"), load_pack(default_pack_path()), replicates=200)
    b = backtest(d, load_pack(default_pack_path()), replicates=200)
    assert [c.case for c in b.adverse] == [c.case for c in once.adverse] and b.auc == once.auc
    [dup] = [p for p in b.problems if p.code == "E109"]
    line = next(n for n, text in enumerate(copy.read_text("utf-8").splitlines(), 1) if text.startswith("id:"))
    assert (dup.file, dup.line, dup.column) == (str(copy), line, 1)
    assert "case id 'a-prohibited' is also used by" in dup.message and "a-prohibited.yaml" in dup.message
    result = runner.invoke(app, ["backtest", str(d), "--replicates", "200", "-f", "json"])
    assert json.loads(result.stdout)["counts"]["not_loaded"] == 3 and "[E109 duplicate-id]" in result.stderr
