"""The backtest's interval treats the files of one deal (one per regime that reviewed it) as one observation."""

from __future__ import annotations

from pathlib import Path

import yaml

from screening.pack.load import default_pack_path, load_pack
from screening.tooling.backtest import backtest, bootstrap
from tests.test_backtest import _case


def test_without_shared_deals_the_interval_is_the_plain_stratified_one() -> None:
    pos, neg = [60, 70, 40, 80, 55, 30], [20, 45, 10, 35]
    plain = bootstrap(pos, neg, 500, 7)
    own = bootstrap(pos, neg, 500, 7, ([f"p{i}" for i in pos], [f"n{i}" for i in neg]))
    assert plain is not None and own is not None
    assert (plain.low, plain.high) == (own.low, own.high)
    assert own.deals == (6, 4)


def test_files_of_one_deal_are_drawn_together() -> None:
    # one deal reviewed under three regimes, all scoring 30, beside another adverse deal scoring 90: as three
    # independent cases they would look like three observations, and the interval narrower than it is
    pos, neg = [30.0, 30.0, 30.0, 90.0], [50.0, 60.0]
    plain = bootstrap(pos, neg, 1000, 3)
    grouped = bootstrap(pos, neg, 1000, 3, (["a", "a", "a", "b"], ["c", "d"]))
    assert plain is not None and grouped is not None
    assert grouped.deals == (2, 2)
    assert grouped.low <= plain.low and grouped.high >= plain.high
    assert grouped.high - grouped.low > plain.high - plain.low


def test_the_corpus_groups_files_by_outcome_deal(tmp_path: Path) -> None:
    d = tmp_path / "corpus"
    d.mkdir()
    grid = {"critical_infrastructure": [{"kind": "power_grid", "name": "Grid", "role": "owner"}]}
    cases = [
        _case("deal-uk", "prohibited", **grid),
        _case("deal-us", "prohibited", **grid),
        _case("other", "cleared_with_conditions", sectors=["retail"]),
        _case("cleared", "cleared", sectors=["retail"]),
    ]
    for case in cases[:2]:
        case["outcome"] = {**case["outcome"], "deal": "one-deal"}  # type: ignore[dict-item]
    for case in cases:
        (d / f"{case['id']}.yaml").write_text(yaml.safe_dump(case, sort_keys=False), "utf-8")
    b = backtest(d, load_pack(default_pack_path()), replicates=200)
    assert {c.case: c.deal for c in b.cases}["deal-us"] == "one-deal"
    assert b.interval is not None and b.interval.deals == (2, 1)
