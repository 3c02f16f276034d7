"""The batch's quick path (screening.case.lines, screening.decision.brief) gives the rows of the full path, byte for
byte in every results format; lines it cannot take go the full way, with their errors located as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.batch.run import Job, plan, run_batch
from screening.batch.synthetic import cases, realistic_cases
from screening.case import ownership
from screening.case.lines import read_line
from screening.case.load import build_case
from screening.case.model import group_of
from screening.infra.yamlio import limits, load
from tests.conftest import CASES, ROOT

BACKTEST = sorted((ROOT / "backtest" / "cases").glob("*.yaml"))


def _line(path: Path) -> str:
    return json.dumps(load(path)[0], ensure_ascii=False, default=str)


def _odd(docs: list[dict]) -> list[str]:
    """Lines the quick path must leave to the full one (or take to the same row): faults and rarer forms."""
    text = json.dumps(docs[0])
    out = [
        text.replace('"title": ', '"title": "x", "title": ', 1),  # a key twice
        text.replace('"country": "', '"country": "X', 1),  # not a country
        text.replace('"target": {', '"target": {"employees": ' + "9" * 30 + ", ", 1),  # past 64 bits
        text.replace('"target": {', '"target": {"employees": {"value": 5, "sources": ["x"]}, ', 1),  # unknown source
        text.replace('"title": "', '"title": "caf\\u00e9 ', 1),  # an escape
        text.replace('"investor": "inv"', '"investor": "nobody"', 1),
        text.replace('"format": 1', '"format": 3', 1),
        text.replace('"entities": [{', '"entities": [{"ref": "acme", ', 1),
        text.replace('"transaction": {', '"transaction": {"signing_date": "2024-02-30", ', 1),
        "[1, 2]",
        "{",
        text.replace('"mitigations": [{', '"mitigations": [{"agreed": "2024-05-01", "until": "2024-01-01", ', 1),
        text.replace('"mitigations": [{', '"mitigations": [{"sources": ["nowhere"], ', 1),  # cites no source given
        text.replace('"mitigations": [{', '"mitigations": [{"disputed_by": ["nowhere"], ', 1),
    ]
    return out


FORMS = [
    (("target", "turnover_eur"), {"at_least": 5_000_000}),
    (("target", "employees"), {"more_than": 250, "at_most": 1000}),
    (("transaction", "stake_after_pct"), {"between": [20, 30]}),
    (("transaction", "stake_after_pct"), "majority"),
    (("transaction", "votes_after_pct"), "blocking_minority"),
    (("ownership", 0, "equity_pct"), "all"),
    (("ownership", 0, "equity_pct"), {"at_least": 50, "sources": ["s1"]}),
    (("target", "turnover_eur"), {"value": 2_500_000_000, "sources": ["s1"], "confidence": "reported"}),
    (("target", "employees"), {"value": 40, "disputed_by": ["s2"], "note": "as reported"}),
    (("target", "data", 0, "subjects"), {"less_than": 1000}),
    (("transaction", "board_size"), {"at_least": 5}),
    (("transaction", "signing_date"), "2024-02"),
    (("transaction", "signing_date"), 2023),
    (("transaction", "signing_date"), {"between": ["2023-11", "2024-02-15"]}),
    (("transaction", "signing_date"), {"value": "2024-03", "sources": ["s2"]}),
    (("as_of",), 2024),
    (("mitigations", 0, "agreed"), {"between": [2023, "2024-01"]}),
]
"""Forms of the case format the quick path reads as the full path does: bounds, words, long forms (with sources,
confidence, contradicting sources), months, years, ranges of dates."""

FORM_FAULTS = [
    (("transaction", "stake_after_pct"), {"between": [30, 20]}),
    (("transaction", "stake_after_pct"), {"at_least": 120}),
    (("transaction", "stake_after_pct"), {}),
    (("transaction", "stake_after_pct"), {"at_least": 10, "more_than": 5}),
    (("transaction", "stake_after_pct"), {"at_least": 10, "at_most": 20, "less_than": 30}),
    (("transaction", "stake_after_pct"), {"at_least": None}),
    (("transaction", "votes_after_pct"), "most"),
    (("target", "employees"), {"at_least": 5.5, "at_most": 2}),
    (("transaction", "signing_date"), "2024-13"),
    (("transaction", "signing_date"), "2024-02-30"),
    (("transaction", "signing_date"), "2024"),
    (("transaction", "signing_date"), 1899),
    (("transaction", "signing_date"), {"between": ["2024-02-30", "2024-03"]}),
    (("transaction", "signing_date"), {"between": ["2024-05", "2024-03"]}),
    (("transaction", "signing_date"), {"between": ["2024-05"]}),
    (("transaction", "signing_date"), {"value": "2024-13", "sources": ["s1"]}),
    (("target", "turnover_eur"), {"value": 5, "sources": ["nowhere"]}),
    (("target", "turnover_eur"), {"value": 5, "confidence": "sure"}),
    (("target", "turnover_eur"), {"value": 5, "sources": "s1"}),
    (("target", "turnover_eur"), {"value": 5, "disputed_by": ["nowhere"]}),
    (("mitigations", 0, "agreed"), {"between": ["2024-03", 2023]}),
]
"""Forms written wrong: the full path locates each problem, on either path."""


def _with_form(path: tuple[str | int, ...], value: object) -> str:
    """A realistic case (with sources s1 and s2, an ownership edge, data records and a mitigation) with ``value``
    written at ``path``, as a JSON line."""
    doc = next(d for d in realistic_cases(40, seed=7) if d.get("ownership") and d.get("mitigations"))
    doc["target"].setdefault("data", [{"category": "personal", "subjects": 500, "countries": ["FR"]}])
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(doc)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Synthetic one-entity and realistic cases, every example and backtest case, the forms of the case format,
    written well and wrong, and odd lines, as JSON lines."""
    simple = list(cases(150, seed=7))
    lines = [json.dumps(d) for d in simple]
    lines += [json.dumps(d, ensure_ascii=False) for d in realistic_cases(150, seed=7)]
    lines += [_line(p) for p in (*CASES, *BACKTEST)]
    lines += [_with_form(path, value) for path, value in (*FORMS, *FORM_FAULTS)]
    lines += _odd(simple)
    path = tmp_path_factory.mktemp("fast") / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _results(source: Path, out: Path, fast: bool) -> bytes:
    run_batch(plan(Job([source], out, force=True, fast=fast, timeout=None)))
    return out.read_bytes()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_the_quick_path_writes_the_rows_of_the_full_path(corpus, tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    full = _results(corpus, tmp_path / f"full{suffix}", fast=False)
    quick = _results(corpus, tmp_path / f"quick{suffix}", fast=True)
    assert quick == full


def test_watchlists_waivers_and_a_day_give_the_same_rows_either_way(corpus, tmp_path):
    simple = corpus.read_text("utf-8").splitlines()[:150]
    docs = [json.loads(line) for line in simple[:40]]
    docs[0]["entities"][0].update(name="Mikhail Fridman", kind="individual")  # on the sample list
    docs[0]["entities"][0].pop("state_ownership_pct", None)
    source = tmp_path / "c.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs), "utf-8")
    first = tmp_path / "first.jsonl"
    run_batch(plan(Job([source], first, force=True, fast=False, timeout=None)))
    fired = [(r["id"], r["fired"][0]) for r in map(json.loads, first.read_text("utf-8").splitlines()) if r["fired"]]
    waivers = tmp_path / "waivers.yaml"
    given = "reason: Reviewed and accepted by the unit, approver: A. B., granted: 2024-01-01"
    entries = [
        f"  - {{case: {case}, rule: {rule}, {given}, expires: {end}}}"
        for (case, rule), end in zip(fired[:6], ["2030-01-01", "2024-06-01"] * 3, strict=False)
    ]
    waivers.write_text("format: 1\nwaivers:\n" + "\n".join(entries) + "\n", "utf-8")
    lists = (ROOT / "watchlists" / "sample-sanctions.csv",)
    for as_of in (None, "2021-03-01"):
        found = []
        for fast in (False, True):
            out = tmp_path / f"r-{fast}-{as_of}.csv"
            job = Job([source], out, force=True, fast=fast, watchlists=lists, waivers=waivers, as_of=as_of)
            planned = plan(job)
            assert planned.warnings == ()  # the waivers are read, not ignored
            run_batch(planned)
            found.append(out.read_bytes())
        assert found[0] == found[1]
        assert b"Fridman" in found[1]


def test_the_limits_and_day_in_force_when_a_batch_is_planned_hold_for_its_lines(tmp_path, monkeypatch):
    source = tmp_path / "c.jsonl"
    source.write_text(json.dumps(next(iter(cases(1)))) + "\n", "utf-8")
    assert b"E111" not in _results(source, tmp_path / "a.jsonl", True)
    monkeypatch.setenv("SCREENING_MAX_TEXT", "10")  # the title is longer
    quick = _results(source, tmp_path / "b.jsonl", True)
    assert b"E111" in quick
    assert quick == _results(source, tmp_path / "full.jsonl", False)
    monkeypatch.delenv("SCREENING_MAX_TEXT")
    monkeypatch.setenv("SCREENING_TODAY", "tomorrow")  # malformed: every row says so, on both paths
    quick = _results(source, tmp_path / "d.jsonl", True)
    assert quick == _results(source, tmp_path / "e.jsonl", False)
    assert b"SCREENING_TODAY" in quick


def test_most_lines_take_the_quick_path_and_faults_do_not(corpus):
    lines = corpus.read_text("utf-8").splitlines()
    bound = limits()
    taken = [read_line(line, "c.jsonl", n, bound) is not None for n, line in enumerate(lines, 1)]
    assert all(taken[:300])  # the one-entity and realistic cases, long forms, bounds and months included
    examples = taken[300 : 300 + len(CASES) + len(BACKTEST)]
    registry = [p for p in (*CASES, *BACKTEST) if '"ref"' in _line(p)]  # entities from the registry: in full
    assert examples.count(False) == len(registry) and 0 < len(registry) < 5
    forms = taken[300 + len(examples) :]
    assert all(forms[: len(FORMS)])
    assert not any(forms[len(FORMS) :])  # every form written wrong and every odd line goes the full way


@pytest.mark.parametrize(("path", "value"), FORMS, ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v in FORMS])
def test_a_form_of_the_case_format_is_read_quickly_into_the_case_and_row_of_the_full_path(tmp_path, path, value):
    from screening.batch.work import LineMarks

    line = _with_form(path, value)
    quick = read_line(line, "c.jsonl", 1, limits())
    assert quick is not None
    assert quick == build_case(json.loads(line), LineMarks(line, 1), "c.jsonl")
    source = tmp_path / "c.jsonl"
    source.write_text(line + "\n", "utf-8")
    rows = _results(source, tmp_path / "q.jsonl", True)
    assert rows == _results(source, tmp_path / "f.jsonl", False)
    assert json.loads(rows)["error"] == ""


@pytest.mark.parametrize(("path", "value"), FORM_FAULTS, ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v in FORM_FAULTS])
def test_a_form_written_wrong_takes_the_full_path_which_locates_it(tmp_path, path, value):
    line = _with_form(path, value)
    assert read_line(line, "c.jsonl", 1, limits()) is None
    source = tmp_path / "c.jsonl"
    source.write_text(line + "\n", "utf-8")
    rows = _results(source, tmp_path / "q.jsonl", True)
    assert rows == _results(source, tmp_path / "f.jsonl", False)
    assert "c.jsonl:1:" in json.loads(rows)["error"]


def test_a_key_given_twice_is_found_beside_a_quoted_colon():
    text = json.dumps(next(iter(cases(1))))
    quoted = text.replace('"title": "', '"title": "he said \\": ', 1)
    assert read_line(quoted, "c.jsonl", 1, limits()) is not None
    twice = quoted.replace('"investor": ', '"investor": "x", "investor": ', 1)
    assert read_line(twice, "c.jsonl", 1, limits()) is None


def test_a_source_cited_anywhere_and_not_given_sends_the_line_the_full_way():
    """The source ids a line's records cite are gathered as the typed decode reads each record (no walk over the
    document again): an id the document does not give, at any depth, leaves the line to the full path."""
    from screening.case import lines

    doc = next(d for d in realistic_cases(40, seed=3) if d.get("ownership") and d.get("sources"))
    known = doc["sources"][0]["id"]
    bound = limits()
    assert read_line(json.dumps(doc), "c.jsonl", 1, bound) is not None
    both = ("sources", "disputed_by")
    places = ((doc["ownership"][0], both), (doc["entities"][-1], both), (doc["target"], ("sources",)))
    for where, keys in (*places, (doc["transaction"], ("sources",))):
        for key in keys:
            before = where.get(key)
            where[key] = [known]
            assert read_line(json.dumps(doc), "c.jsonl", 1, bound) is not None, (where, key)
            where[key] = [known, "not-a-source-of-this-case"]
            assert read_line(json.dumps(doc), "c.jsonl", 1, bound) is None, (where, key)
            if before is None:
                del where[key]
            else:
                where[key] = before
    assert lines._CITED.ids is None  # gathered only while a line is read


def test_a_case_read_quickly_is_the_case_read_in_full(corpus):
    from screening.batch.work import LineMarks

    bound = limits()
    for n, line in enumerate(corpus.read_text("utf-8").splitlines(), 1):
        quick = read_line(line, "c.jsonl", n, bound)
        if quick is not None:
            assert quick == build_case(json.loads(line), LineMarks(line, n), "c.jsonl")


def _general(case):
    group = group_of(case)
    members = {e.id for e, _ in group}
    return ownership._analyse(case, group, members, ownership._links(case, members, 0))


def test_an_investor_no_one_holds_is_analysed_without_the_graph(corpus):
    bound = limits()
    alone = held = 0
    for n, line in enumerate(corpus.read_text("utf-8").splitlines(), 1):
        case = read_line(line, "c.jsonl", n, bound)
        if case is None:
            continue
        quick = ownership._alone(case)
        if quick is not None:
            assert quick == _general(case)
            alone += 1
        for fast in (ownership._held_by_its_state, ownership._state_body_alone):
            quick = fast(case)
            if quick is not None:
                assert quick == _general(case)
                held += 1
    assert alone > 20 and held > 40


_PCT = st.one_of(st.integers(1, 100), st.floats(0.001, 100), st.sampled_from([50, 50.0000001, 49.999999, 100]))


@settings(max_examples=150, deadline=None)
@given(
    pct=_PCT,
    kind=st.sampled_from(["soe", "private_company", "sovereign_fund", "individual", "fund", "state_body"]),
    complete=st.sampled_from([None, True, False]),
    country=st.sampled_from(["CN", "FR", "US"]),
    target=st.sampled_from(["CN", "FR", "DE"]),
    votes=st.one_of(st.none(), st.floats(0, 100), st.sampled_from([25, 24.9, {"at_least": 20}, {"between": [20, 30]}])),
    links=st.lists(st.sampled_from(["CN", "RU", "FR"]), max_size=2),
)
def test_an_investor_held_only_by_its_state_or_a_state_body_is_analysed_as_the_graph_would(
    pct, kind, complete, country, target, votes, links
):
    doc = next(iter(cases(1, seed=1)))
    entity = {"id": "inv", "name": "Investor", "country": country, "kind": kind, "state_ownership_pct": pct}
    if complete is not None:
        entity["owners_complete"] = complete
    if links:
        entity["state_links"] = [{"kind": "state_mandate", "state": s} for s in links]
    doc["entities"] = [entity]
    doc["target"]["country"] = target
    doc["transaction"] = {"kind": "acquisition", "stake_after_pct": 30}
    if votes is not None:
        doc["transaction"]["voting_after_pct"] = votes
    from screening.batch.work import LineMarks

    line = json.dumps(doc)
    case = build_case(json.loads(line), LineMarks(line, 1), "c.jsonl")
    quick = (ownership._state_body_alone if kind == "state_body" else ownership._held_by_its_state)(case)
    assert quick is not None
    assert quick == _general(case)


_WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=False), _WORDS)


_FIELDS = [
    ("target", "employees"),
    ("target", "country"),
    ("target", "sectors"),
    ("target", "listed"),
    ("transaction", "stake_after_pct"),
    ("transaction", "signing_date"),
    ("entity", "state_ownership_pct"),
    ("entity", "kind"),
    ("entity", "country"),
    ("target", ""),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), field=st.sampled_from(_FIELDS), key=_WORDS, value=_VALUES)
def test_a_changed_field_gives_the_same_row_either_way(tmp_path, seed, field, key, value):
    doc = next(iter(realistic_cases(1, seed=seed)))
    where, name = field
    node = doc["entities"][0] if where == "entity" else doc[where]
    node[name or key] = value
    source = tmp_path / "c.jsonl"
    source.write_text(json.dumps(doc) + "\n", "utf-8")
    assert _results(source, tmp_path / "q.jsonl", True) == _results(source, tmp_path / "f.jsonl", False)


@pytest.mark.parametrize("args", [["--help"], ["screen", str(CASES[0])]])
def test_help_and_screen_do_not_import_msgspec(args):
    code = (
        "import sys; from screening.cli import main\ntry: main(sys.argv[1:])\nexcept SystemExit: pass\n"
        "sys.stderr.write(str('msgspec' in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert found.stderr.strip().endswith("False")


def test_the_brief_matrix_evaluates_the_triggers_only_of_regimes_the_case_may_fall_under():
    from screening.batch.work import pack_for
    from screening.case.facts import build_facts
    from screening.decision.filings import _BRIEF, matrix
    from screening.pack.load import default_pack_path

    pack = pack_for(str(default_pack_path()))
    case = read_line(json.dumps(next(iter(cases(1, seed=3)))), "c.jsonl", 1, limits())
    assert case is not None
    values = build_facts(case).values
    truth = _BRIEF.get(pack.regimes).truth(values)
    reached = [r for r in pack.regimes if truth[id(r.applies)] is not False]
    assert 0 < len(reached) < len(pack.regimes)  # the case is out of most regimes' reach
    for regime in pack.regimes:
        known = [id(t.condition) in truth for t in regime.rules]
        assert all(known) if regime in reached else not any(known)
    brief = matrix(values, pack.regimes, explain=False)
    full = matrix(values, pack.regimes)
    assert [(d.outcome, d.rule) for d in brief.decisions] == [(d.outcome, d.rule) for d in full.decisions]


def test_one_time_limit_for_a_chunk_stops_a_slow_call_lets_the_next_run_and_restores_the_handler():
    import signal
    import time

    from screening.infra.budget import OverTime, TimeLimit

    before = signal.getsignal(signal.SIGALRM)

    def slow() -> str:
        end = time.perf_counter() + 20
        while time.perf_counter() < end:
            pass
        return "late"

    with TimeLimit(0.2) as limit:
        with pytest.raises(OverTime):
            limit.call(slow)
        for _ in range(3):  # each call has its own 0.2 s
            assert limit.call(lambda: time.sleep(0.12) or "done") == "done"
    assert signal.getsignal(signal.SIGALRM) is before


def test_the_reached_outcomes_are_the_matrix_s_on_every_day_a_case_is_judged(corpus):
    import datetime as dt

    from screening.batch.work import pack_for
    from screening.case.facts import build_facts
    from screening.case.values import DayRange
    from screening.decision.filings import _completion_days, judgement_days, matrix, reached_outcomes
    from screening.pack.load import default_pack_path

    pack = pack_for(str(default_pack_path()))
    completion = [r for r in pack.regimes if r.law_day == "completion"]
    assert completion  # a regime judged on the day of completion: over a range of days when it is not given
    today = dt.date(2026, 6, 1)
    days = (None, dt.date(2021, 3, 1), DayRange("2020-01-01", "2020-12-31", "2020"))
    checked = ranged = over_completion = 0
    for number, line in enumerate(corpus.read_text("utf-8").splitlines(), 1):
        try:
            case = read_line(line, "c.jsonl", number, limits())
        except Exception:  # noqa: BLE001 - an odd line of the corpus: the full path's to locate
            continue
        if case is None:
            continue
        values = build_facts(case).values
        for on in days:
            quick = reached_outcomes(values, pack.regimes, on, today)
            found = matrix(values, pack.regimes, on, today, explain=False, today_too=False)
            full = matrix(values, pack.regimes, on, today, today_too=False)
            if quick is None:  # a case judged on a range of days: the matrix's own
                ranged += 1
                continue
            expected = [(d.regime.id, d.outcome) for d in found.decisions if d.reached]
            assert list(quick.items()) == expected
            assert expected == [(d.regime.id, d.outcome) for d in full.decisions if d.reached]
            checked += 1
            if on is None:  # judged on one day, but the regime of the day of completion on a range of its own
                first, last, basis = judgement_days(values, None, today)
                days_of = _completion_days(values, (first, last, basis, first, None), today.isoformat())
                over_completion += days_of[0] != days_of[1]
    assert checked > 300 and ranged > 100 and over_completion > 0
