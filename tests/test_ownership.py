"""Ownership analysis on small hand-built groups, with answers computed by hand."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.case import holdings
from screening.case.facts import build_facts
from screening.case.load import build_case
from screening.case.ownership import MAX_PATHS, analyse
from screening.case.values import AtLeast
from screening.infra.errors import ScreeningError
from tests import ownership_reference as reference


def case(entities, edges, investor="inv", transaction=None, target_country="DE"):
    """A case from compact entity tuples: (id, kind, country, extra fields)."""
    data = {
        "format": 1,
        "id": "t",
        "title": "Test",
        "investor": investor,
        "entities": [{"id": i, "name": i.upper(), "kind": k, "country": c, **(x or {})} for i, k, c, x in entities],
        "ownership": [{"owner": o, "owned": d, **kw} for o, d, kw in edges],
        "target": {"name": "Target", "country": target_country},
    }
    if transaction:
        data["transaction"] = transaction
    return build_case(data, {}, "t.yaml")


DONE = {"owners_complete": True}


def test_chain_multiplies_and_control_passes_down_majorities():
    c = case(
        [("inv", "private_company", "HK", None), ("a", "soe", "CN", None), ("s", "state_body", "CN", None)],
        [("a", "inv", {"equity_pct": 51}), ("s", "a", {"equity_pct": 60})],
    )
    own = analyse(c)
    cn = own.state("CN")
    assert cn.equity_pct == pytest.approx(30.6)  # 60% of 51%
    assert cn.controls is True  # s controls a (60%), a controls inv (51%)
    assert own.controllers == ("a", "s") and own.ultimate_controllers == ("s",)
    assert [ch.entities for ch in cn.chains] == [("s", "a", "inv")]


def test_parallel_chains_add_up():
    c = case(
        [("inv", "private_company", "HK", DONE), ("b", "private_company", "HK", DONE), ("s", "state_body", "CN", None)],
        [("s", "inv", {"equity_pct": 30}), ("s", "b", {"equity_pct": 20}), ("b", "inv", {"equity_pct": 50})],
    )
    cn = analyse(c).state("CN")
    assert cn.equity_pct == pytest.approx(40.0)  # 30% + 20% x 50%
    assert cn.controls is False  # 30% of the votes directly; b is not s's to vote
    assert len(cn.chains) == 2


def test_votes_of_what_a_state_controls_count_with_its_own():
    c = case(
        [("inv", "private_company", "HK", DONE), ("b", "private_company", "HK", DONE), ("s", "state_body", "CN", None)],
        [("s", "inv", {"equity_pct": 30}), ("s", "b", {"equity_pct": 60}), ("b", "inv", {"equity_pct": 25})],
    )
    own = analyse(c)
    assert own.state("CN").controls is True  # 30% + b's 25% = 55% of the votes
    assert own.state("CN").equity_pct == pytest.approx(45.0)  # 30% + 60% x 25%


def test_cross_holding_is_counted_round_the_cycle():
    # s holds 50% of a; a holds 20% of b and b 10% of a; a holds 60% of inv.
    # Integrated: x_a = 50 + 0.1 x_b, x_b = 0.2 x_a  =>  x_a = 50 / 0.98 = 51.0204...; x_inv = 0.6 x_a.
    c = case(
        [
            ("inv", "private_company", "HK", DONE),
            ("a", "private_company", "HK", DONE),
            ("b", "private_company", "HK", DONE),
            ("s", "state_body", "CN", None),
        ],
        [
            ("s", "a", {"equity_pct": 50}),
            ("a", "b", {"equity_pct": 20}),
            ("b", "a", {"equity_pct": 10}),
            ("a", "inv", {"equity_pct": 60}),
        ],
    )
    cn = analyse(c).state("CN")
    assert cn.equity_pct == pytest.approx(0.6 * 50 / 0.98, abs=1e-6)  # 30.6122...
    assert [ch.equity_pct for ch in cn.chains] == [pytest.approx(30.0)]  # the one simple chain: 50% x 60%
    assert cn.controls is False  # 50% is no majority


def test_golden_share_gives_control_whatever_the_stake():
    c = case(
        [("inv", "private_company", "CN", DONE), ("s", "state_body", "CN", None)],
        [("s", "inv", {"equity_pct": 1, "rights": ["golden_share"]})],
    )
    own = analyse(c)
    assert own.state("CN").controls is True and own.state("CN").equity_pct == pytest.approx(1.0)
    facts = build_facts(c).values
    assert facts["ownership.state_controls"] is True and facts["ownership.controlling_states"] == ["CN"]


def test_a_missing_stake_is_a_gap_not_a_zero():
    c = case(
        [("inv", "private_company", "HK", DONE), ("a", "soe", "CN", DONE), ("s", "state_body", "CN", None)],
        [("a", "inv", {"equity_pct": 40}), ("s", "a", {})],
    )
    own = analyse(c)
    cn = own.state("CN")
    assert cn.equity_pct is None and cn.controls is None  # unknown, not 0% and not "no control"
    assert any("stake of S in A" in m for m in own.missing)
    facts = build_facts(c).values
    assert facts["ownership.state_equity_pct"] is None and facts["ownership.state_controls"] is None


def test_an_undocumented_group_gives_lower_bounds():
    c = case(
        [("inv", "private_company", "HK", None), ("s", "state_body", "CN", None)], [("s", "inv", {"equity_pct": 30})]
    )
    cn = analyse(c).state("CN")
    assert isinstance(cn.equity_pct, AtLeast) and cn.equity_pct == pytest.approx(30.0)
    assert cn.controls is None  # other owners are unknown
    assert build_facts(c).values["ownership.state_voting_pct"] == pytest.approx(30.0)


def test_all_of_an_entity_is_exact_in_an_undocumented_group():
    """Holders not known, above or beside, cannot add to a whole: a holder of all of the investor holds exactly
    100%, not "at least 100%", and what it carries into the target is exact too. Less than all stays a bound."""
    parent = case(
        [("inv", "private_company", "HK", None), ("p", "listed_company", "CN", None)],
        [("p", "inv", {"equity_pct": 100})],
        transaction={"kind": "minority_stake", "stake_after_pct": 30},
    )
    (holder,) = [i for i in analyse(parent).owners if i.owner == "p"]
    assert (holder.equity_pct, holder.voting_pct, holder.in_target_voting_pct) == (100.0, 100.0, 30.0)
    assert not isinstance(holder.equity_pct, AtLeast) and not isinstance(holder.in_target_voting_pct, AtLeast)
    state = case([("inv", "soe", "CN", {"state_ownership_pct": 100})], [])  # its own owners not said complete
    cn = analyse(state).state("CN")
    assert cn.equity_pct == 100.0 and not isinstance(cn.equity_pct, AtLeast)
    part = case([("inv", "soe", "CN", {"state_ownership_pct": 60})], [])
    assert isinstance(analyse(part).state("CN").equity_pct, AtLeast)


def test_stated_state_share_of_an_entity_without_itemised_owners():
    c = case([("inv", "soe", "CN", {"state_ownership_pct": 64, "owners_complete": True})], [])
    cn = analyse(c).state("CN")
    assert cn.bodies == ("state:CN",) and cn.equity_pct == pytest.approx(64.0) and cn.controls is True


@pytest.mark.parametrize("state_votes, in_target, expected", [(49, 25, True), (49, 24.9, False), (48.9, 30, False)])
def test_cfius_substantial_interest(state_votes, in_target, expected):
    c = case(
        [("inv", "private_company", "AE", DONE), ("s", "state_body", "AE", None)],
        [("s", "inv", {"equity_pct": state_votes})],
        transaction={"kind": "minority_stake", "stake_after_pct": in_target},
        target_country="US",
    )
    ae = analyse(c).state("AE")
    assert ae.substantial_interest is expected
    assert build_facts(c).values["ownership.foreign_state_substantial_interest"] is expected


def test_the_targets_own_state_is_not_foreign():
    c = case(
        [("inv", "soe", "US", DONE), ("s", "state_body", "US", None)],
        [("s", "inv", {"equity_pct": 100})],
        transaction={"kind": "acquisition", "stake_after_pct": 100},
        target_country="US",
    )
    assert analyse(c).state("US").substantial_interest is False


def test_no_state_and_a_complete_group_means_no_state_interest():
    c = case(
        [("inv", "private_company", "NO", DONE), ("p", "individual", "NO", None)], [("p", "inv", {"equity_pct": 100})]
    )
    facts = build_facts(c).values
    assert facts["ownership.state_equity_pct"] == 0.0 and facts["ownership.state_controls"] is False
    assert [u["id"] for u in facts["ownership.ultimate_controllers"]] == ["p"]


@pytest.mark.parametrize("key", ["equity_pct", "voting_pct"])
def test_more_than_100_percent_into_one_entity_is_a_located_error(key):
    with pytest.raises(ScreeningError) as err:
        case(
            [
                ("inv", "private_company", "HK", None),
                ("a", "private_company", "HK", None),
                ("b", "private_company", "HK", None),
            ],
            [("a", "inv", {key: 60}), ("b", "inv", {key: 50})],
        )
    problem = err.value.problems[0]
    assert problem.code == "E106" and problem.path == ("ownership", "1", key) and "110%" in problem.message


def test_mutual_control_terminates_and_both_are_ultimate():
    c = case(
        [
            ("inv", "private_company", "HK", DONE),
            ("a", "private_company", "HK", DONE),
            ("b", "private_company", "HK", DONE),
        ],
        [("a", "inv", {"equity_pct": 60}), ("a", "b", {"equity_pct": 51}), ("b", "a", {"equity_pct": 51})],
    )
    own = analyse(c)
    assert set(own.ultimate_controllers) == {"a", "b"}


def test_case_analysis_agrees_with_the_graph_algorithm():
    """The case-sized fixed point and the registry-sized algorithm compute the same integrated interest."""
    np = pytest.importorskip("numpy")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from screening.case.graphs import integrated_interest

    @settings(max_examples=60, deadline=None)
    @given(st.integers(2, 6), st.data())
    def check(n, draw):
        # entity 0 is the investor, entity n the state body; stakes into each entity sum to <= 90%
        edges, into = [], {}
        for owned in range(n):
            for owner in draw.draw(st.lists(st.integers(1, n), max_size=3, unique=True)):
                if owner == owned:
                    continue
                pct = draw.draw(st.integers(1, 45))
                if into.get(owned, 0) + pct <= 90:
                    into[owned] = into.get(owned, 0) + pct
                    edges.append((owner, owned, pct))
        ents = [(f"e{i}", "private_company", "HK", DONE) for i in range(n)] + [(f"e{n}", "state_body", "CN", None)]
        c = case(ents, [(f"e{o}", f"e{d}", {"equity_pct": p}) for o, d, p in edges], investor="e0")
        got = analyse(c).state("CN")
        owner, owned, pct = (np.array([e[i] for e in edges], dtype=float if i == 2 else int) for i in range(3))
        want = integrated_interest(n + 1, owner, owned, pct, [n])[0]
        assert (got.equity_pct if got else 0.0) == pytest.approx(want, abs=1e-6)

    check()


def test_owners_interest_carries_through_to_the_target():
    c = case(
        [("inv", "private_company", "HK", DONE), ("p", "individual", "HK", None)],
        [("p", "inv", {"equity_pct": 80})],
        transaction={"kind": "acquisition", "stake_after_pct": 60},
    )
    (owner,) = analyse(c).owners
    assert owner.voting_pct == pytest.approx(80) and owner.in_target_voting_pct == pytest.approx(48)


# -- the analysis against the literal one (tests/ownership_reference.py) ---------------------------------


@st.composite
def groups(draw):
    """A small group: companies, people and state bodies of two states, holding each other at random
    (cycles too), stakes sometimes unknown or apart from votes, control rights, stated state shares."""
    n = draw(st.integers(1, 7))
    kinds = ["private_company", "soe", "individual", "state_body", "state_body"]
    entities = []
    for i in range(n):
        kind = "private_company" if i == 0 else draw(st.sampled_from(kinds))
        extra = {}
        if draw(st.booleans()):
            extra["owners_complete"] = draw(st.booleans())
        if kind == "soe" and draw(st.booleans()):
            extra["state_ownership_pct"] = draw(st.integers(1, 100))
        entities.append((f"e{i}", kind, draw(st.sampled_from(["CN", "RU", "HK"])), extra))
    edges, held = [], {}
    for _ in range(draw(st.integers(0, 12))):
        owner, owned = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if owner == owned:
            continue
        kw = {}
        for key in ("equity_pct", "voting_pct"):
            # From 5%, unless 0: a holding of unknown size then changes an interest by more than the
            # reference's tolerance (1e-9 points), which decides whether an interest is a lower bound.
            pct = draw(
                st.one_of(st.none(), st.just(0), st.integers(5, 60), st.integers(500, 6000).map(lambda v: v / 100))
            )
            if pct is not None and held.get((owned, key), 0) + pct <= 100:
                held[(owned, key)] = held.get((owned, key), 0) + pct
                kw[key] = pct
        if draw(st.integers(0, 5)) == 0:
            kw["rights"] = [draw(st.sampled_from(["golden_share", "veto", "board_majority"]))]
        if draw(st.integers(0, 7)) == 0:
            kw["controlling"] = True
        edges.append((f"e{owner}", f"e{owned}", kw))
    tx = {"kind": "minority_stake", "stake_after_pct": draw(st.integers(1, 100))} if draw(st.booleans()) else None
    return case(entities, edges, investor="e0", transaction=tx, target_country=draw(st.sampled_from(["DE", "CN"])))


def same_pct(new, old):
    assert type(new) is type(old), (new, old)
    if old is not None:
        assert new == pytest.approx(old, abs=2e-6)


def same_interest(new, old):
    same_pct(new.equity_pct, old.equity_pct)
    same_pct(new.voting_pct, old.voting_pct)
    same_pct(new.in_target_voting_pct, old.in_target_voting_pct)
    assert new.controls is old.controls
    # the same chains in the same order: the first MAX_PATHS found from the investor up, by owner
    assert [c.entities for c in new.chains] == [c.entities for c in old.chains]
    for a, b in zip(new.chains, old.chains, strict=True):
        same_pct(a.equity_pct, b.equity_pct)
    assert new.chain_count.exact
    if len(old.chains) < MAX_PATHS:
        assert new.chain_count.total == len(old.chains)
    else:
        assert new.chain_count.total >= MAX_PATHS


@settings(max_examples=400, deadline=None)
@given(groups(), st.booleans())
def test_the_analysis_agrees_with_the_literal_one(c, small_limits):
    # with small limits, every cycle is solved by the sparse solve (iteration without scipy) and no closure is taken
    # in whole
    limits = {"DENSE_LIMIT": 1, "FRONTIER_LIMIT": 0} if small_limits else {"DENSE_LIMIT": holdings.DENSE_LIMIT}
    with mock.patch.multiple(holdings, **limits):
        new = analyse(c)
    old = reference.analyse(c)
    assert (new.investor, new.complete, new.missing) == (old.investor, old.complete, old.missing)
    assert new.controllers == old.controllers
    assert new.ultimate_controllers == old.ultimate_controllers
    assert [o.owner for o in new.owners] == [o.owner for o in old.owners]
    for a, b in zip(new.owners, old.owners, strict=True):
        assert (a.name, a.kind, a.country) == (b.name, b.kind, b.country)
        same_interest(a, b)
    assert [s.state for s in new.states] == [s.state for s in old.states]
    for a, b in zip(new.states, old.states, strict=True):
        assert (a.bodies, a.links, a.substantial_interest) == (b.bodies, b.links, b.substantial_interest)
        same_interest(a, b)
    facts = build_facts(c).values
    with mock.patch("screening.case.ownership.analyse", reference.analyse):
        literal = build_facts(c).values
    for key in facts:
        if key.startswith("ownership."):
            same_fact(facts[key], literal[key])


def same_fact(new, old):
    assert type(new) is type(old), (new, old)
    if isinstance(old, float):
        assert new == pytest.approx(old, abs=2e-6)
    elif isinstance(old, list):
        assert len(new) == len(old)
        for a, b in zip(new, old, strict=True):
            same_fact(a, b)
    elif isinstance(old, dict):
        assert new.keys() == old.keys()
        for key in old:
            same_fact(new[key], old[key])
    else:
        assert new == old
