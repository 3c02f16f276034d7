"""Hostile inputs that are not one small case file: shapes generated at size, run through the CLI.

Each test builds the attack as described (a ladder of owners, a chain of 500 entities, 10,000 owners
of one entity, 500 unknown references among 2,000 entities, ...), runs ``screening`` on it and
asserts the exact outcome, within a generous time bound: these operations were exponential or
quadratic, and a bound ten times what they take now catches a return of that.
"""

from __future__ import annotations

import functools
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening import api
from screening.cli import main
from tests.conftest import ROOT


@pytest.fixture(scope="module", autouse=True)
def default_settings(tmp_path_factory):
    """Default limits, a private pack cache, and the pack compiled once."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT"):
            mp.delenv(var, raising=False)
        mp.setenv("SCREENING_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        mp.setattr(api, "pack_at", functools.cache(api.pack_at))
        yield


def write(path: Path, data: Any) -> Path:
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    return path


def entity(eid: str, kind: str = "private_company", country: str = "HK", **extra: Any) -> dict[str, Any]:
    return {"id": eid, "name": eid.upper(), "kind": kind, "country": country, **extra}


def case(entities: list[dict[str, Any]], edges: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "format": 1,
        "id": "hostile",
        "title": "Hostile shape",
        "investor": "inv",
        "entities": entities,
        "ownership": edges,
        "target": {"name": "Target", "country": "DE"},
        **extra,
    }


def timed(args: list[str]) -> tuple[int, float]:
    """The exit code and the seconds a command took: CPU seconds of this process for ``screen`` (it runs here,
    and a bound on its own work holds on a busy machine), wall-clock for ``batch`` (whose workers and
    time-outs run elsewhere). The bounds catch work that grows exponentially or quadratically, not speed."""
    clock = time.perf_counter if args[0] == "batch" else time.process_time
    start = clock()
    code = main(args)
    return code, clock() - start


# -- did-you-mean at scale ----------------------------------------------------------------------------


def test_500_unknown_references_among_2000_entities_are_reported_fast_with_capped_hints(tmp_path, capsys):
    # Each unknown owner is one letter off an entity id: before, every hint compared the reference
    # with all 2,000 ids in Python (difflib), 12 s here for 500 references.
    ents = [entity("inv")] + [entity(f"entity-{i:04d}") for i in range(2000)]
    edges = [{"owner": f"entity-{i:04d}", "owned": "inv", "equity_pct": 0.01} for i in range(2000)]
    edges += [{"owner": f"entiti-{i:04d}", "owned": f"entity-{i:04d}", "equity_pct": 1} for i in range(500)]
    path = write(tmp_path / "refs.yaml", case(ents, edges))
    code, seconds = timed(["screen", str(path), "-f", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 500
    assert all(line.endswith("[E108 unknown-reference]") for line in lines)
    hinted = [line for line in lines if "did you mean" in line]
    assert hinted == lines[:20], "the first 20 unknown references of a file get a hint, the others none"
    assert lines[0].endswith(
        ": error: ownership.2000.owner: unknown entity 'entiti-0000'; "
        "did you mean 'entity-0000'? [E108 unknown-reference]"
    )
    assert lines[20].endswith(": error: ownership.2020.owner: unknown entity 'entiti-0020' [E108 unknown-reference]")
    assert seconds < 5, f"{seconds:.1f} s"


def test_an_unknown_registry_reference_still_gets_its_hint(tmp_path, capsys):
    path = write(
        tmp_path / "ref.yaml",
        case([entity("inv"), {"ref": "csp1"}], [{"owner": "csp1", "owned": "inv", "equity_pct": 10}]),
    )
    assert main(["screen", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'csp1' is not in the entity registry; did you mean 'cspl'? [E108 unknown-reference]" in err


# -- ownership shapes that were exponential, cubic or quadratic -------------------------------------------

DONE = {"owners_complete": True}


def ladder(levels: int) -> dict[str, Any]:
    """Each level two companies, each holding 50% of both companies of the level below; the investor at the
    foot, two state bodies at the top: 2^levels chains from the state to the investor."""
    ents = [entity("inv", **DONE)]
    edges = []
    below = ["inv"]
    for level in range(levels):
        top = level == levels - 1
        row = [f"l{level}a", f"l{level}b"]
        ents += [entity(r, "state_body", "CN") if top else entity(r, **DONE) for r in row]
        edges += [{"owner": r, "owned": b, "equity_pct": 50} for r in row for b in below]
        below = row
    return case(ents, edges)


def chain(n: int) -> dict[str, Any]:
    """A chain of n entities, each holding all of the next; a state body at the top."""
    ents = [entity("inv", **DONE)] + [entity(f"e{i:03d}", **DONE) for i in range(1, n - 1)]
    ents.append(entity("gov", "state_body", "CN"))
    ids = [e["id"] for e in ents]
    return case(ents, [{"owner": ids[i + 1], "owned": ids[i], "equity_pct": 100} for i in range(n - 1)])


def star(n: int) -> dict[str, Any]:
    """n people holding 100/n% each of the investor."""
    ents = [entity("inv", **DONE)] + [entity(f"p{i:05d}", "individual") for i in range(n)]
    return case(ents, [{"owner": f"p{i:05d}", "owned": "inv", "equity_pct": 100 / n} for i in range(n)])


def report(path: Path, capsys, limit: float) -> dict[str, Any]:
    code, seconds = timed(["screen", str(path), "-f", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert seconds < limit, f"{seconds:.1f} s"
    return json.loads(out)


def test_a_ladder_of_30_levels_is_analysed_in_bounded_time(tmp_path, capsys):
    # 60 companies, 120 holdings, 12 KB: 2^30 chains. Before: 20 levels took 1.5 s here, 30 never ended.
    path = write(tmp_path / "ladder.yaml", ladder(30))
    doc = report(path, capsys, 5)
    analysis = doc["ownership"]["analysis"]
    (cn,) = analysis["states"]
    assert (cn["state"], cn["equity_pct"], cn["voting_pct"], cn["controls"]) == ("CN", 100, 100, True)
    assert len(cn["chains"]) == 20 and cn["more_chains"] == 2**30 - 20
    assert cn["chains"][0]["entities"] == ["l29a"] + [f"l{i}a" for i in range(28, -1, -1)] + ["inv"]
    assert analysis["controllers"] == [] and analysis["ultimate_controllers"] == []  # 50% each: the state's bloc
    for owner in analysis["owners"]:
        assert owner["equity_pct"] == 50 and owner["controls"] is False and owner["more_chains"] == 2**29 - 20
    code, seconds = timed(["screen", str(path)])
    text = capsys.readouterr().out
    assert code == 0 and seconds < 5
    assert "and 1,073,741,821 more chains" in text  # three of the state's chains are shown


@pytest.mark.parametrize("levels", [20, 22, 30])
def test_ladders_of_20_22_and_30_levels_take_about_the_same_time(tmp_path, capsys, levels):
    # The sizes as reported: a ladder of about 10 KB; 20 levels took 9.7 s, 22 took 32 s, 30 never ended.
    path = write(tmp_path / "ladder.yaml", ladder(levels))
    assert 6_000 < path.stat().st_size < 13_000
    (cn,) = report(path, capsys, 5)["ownership"]["analysis"]["states"]
    assert (cn["equity_pct"], cn["controls"], cn["more_chains"]) == (100, True, 2**levels - 20)


def test_a_chain_of_500_entities_is_analysed_in_bounded_time(tmp_path, capsys):
    # Before: 83 s (each entity's control worked out by sweeping every holding until nothing changed).
    path = write(tmp_path / "chain.yaml", chain(500))
    doc = report(path, capsys, 5)
    analysis = doc["ownership"]["analysis"]
    assert analysis["ultimate_controllers"] == ["gov"] and len(analysis["controllers"]) == 499
    (cn,) = analysis["states"]
    assert (cn["equity_pct"], cn["controls"], len(cn["chains"])) == (100, True, 1)
    assert len(cn["chains"][0]["entities"]) == 500 and "more_chains" not in cn
    for fmt in ("text", "markdown", "html"):  # no recursion through the chain: the trees stop at 16 levels
        code, seconds = timed(["screen", str(path), "-f", fmt, "--width", "200"])
        out, err = capsys.readouterr()
        assert (code, err) == (0, "") and seconds < 5
        if fmt != "html":
            assert "(more owners above: the tree stops at 16 levels; --format json lists them all)" in out
            assert "E016" in out and "E017" not in out.split("Controlled by")[0].split("controlled by")[0]


def test_10000_owners_of_one_entity_are_analysed_in_bounded_time(tmp_path, capsys):
    # Before: past 300 s (the fixed point iterated once per owner over every holding).
    path = write(tmp_path / "star.yaml", star(10_000))
    doc = report(path, capsys, 20)
    analysis = doc["ownership"]["analysis"]
    assert len(analysis["owners"]) == 10_000 and analysis["controllers"] == []
    first = analysis["owners"][0]
    assert (first["id"], first["equity_pct"], first["controls"]) == ("p00000", 0.01, False)
    assert [c["entities"] for c in first["chains"]] == [["p00000", "inv"]]
    code, seconds = timed(["screen", str(path), "-f", "html"])
    out = capsys.readouterr().out
    assert code == 0 and seconds < 20
    assert "10,001 entities: too many to draw" in out


def test_a_ring_of_3000_entities_holding_each_other_is_solved_in_bounded_time(tmp_path, capsys):
    # One cycle of cross-holdings through the investor, each holding 60% of the next, a state 1% of each:
    # a strongly connected group of 3,000 solved by iteration, and 3,000 entities controlling each other.
    n = 3000
    ents = [entity("inv", **DONE)] + [entity(f"r{i:04d}", **DONE) for i in range(1, n)]
    ents.append(entity("gov", "state_body", "CN"))
    ids = [e["id"] for e in ents[:n]]
    edges = [{"owner": ids[(i + 1) % n], "owned": ids[i], "equity_pct": 60} for i in range(n)]
    edges += [{"owner": "gov", "owned": eid, "equity_pct": 1} for eid in ids]
    path = write(tmp_path / "ring.yaml", case(ents, edges))
    doc = report(path, capsys, 10)
    analysis = doc["ownership"]["analysis"]
    assert len(analysis["ultimate_controllers"]) == n - 1  # each controls all the others: all are ultimate
    (cn,) = analysis["states"]
    assert cn["equity_pct"] == 2.5 and cn["controls"] is False  # x = 1 + 0.6 x: 2.5%
    assert cn["more_chains"] == n - 20


def test_a_batch_with_such_cases_writes_every_row(tmp_path, capsys):
    # Before: the ladder held the batch forever and it wrote nothing.
    folder = tmp_path / "cases"
    folder.mkdir()
    write(folder / "a-ladder.yaml", ladder(30))
    write(folder / "b-chain.yaml", chain(500))
    write(folder / "c-star.yaml", star(10_000) | {"id": "star"})
    (folder / "d-plain.yaml").write_bytes((ROOT / "cases" / "alibaba-liege.yaml").read_bytes())
    code, seconds = timed(["batch", "--no-progress", str(folder), "-o", str(tmp_path / "out.jsonl")])
    capsys.readouterr()
    assert code == 0 and seconds < 30
    found = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(r["id"], r["error"]) for r in found] == [
        ("hostile", ""),
        ("hostile", ""),
        ("star", ""),
        ("alibaba-liege", ""),
    ]


def test_a_case_over_the_time_limit_fails_its_row_and_the_batch_goes_on(tmp_path, capsys, monkeypatch):
    from screening.batch import work

    assess = work.assess

    def slow(case, pack, context=None):  # a case built to be slow, whatever it is slow at
        if case.id == "slow":
            time.sleep(30)
        return assess(case, pack, context)

    monkeypatch.setattr(work, "assess", slow)
    folder = tmp_path / "cases"
    folder.mkdir()
    plain = (ROOT / "cases" / "alibaba-liege.yaml").read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(plain, encoding="utf-8")
    (folder / "b.yaml").write_text(plain.replace("id: alibaba-liege", "id: slow", 1), encoding="utf-8")
    (folder / "c.yaml").write_text(plain, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, seconds = timed(["batch", "--no-progress", str(folder), "-o", str(out), "--timeout", "0.5"])
    err = capsys.readouterr().err
    assert code == 1 and seconds < 10  # a row failed
    found = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["level"]) for r in found] == [
        ("alibaba-liege", "high"),
        ("slow", None),
        ("alibaba-liege", "high"),
    ]
    assert found[1]["error"] == (
        f"{folder / 'b.yaml'}: error: screening the case took longer than 0.5 s "
        "(--timeout); it was stopped [E405 time-limit]"
    )
    assert "E405" in err  # the summary lists the row's error
    code, _ = timed(
        ["batch", "--no-progress", str(folder), "-o", str(out), "--force", "--timeout", "0.5", "--fail-on", "critical"]
    )
    capsys.readouterr()
    assert code == 1, "a case that could not be screened fails --fail-on"


def busy(seconds: float, collect: bool = True) -> float:
    """Python work for ``seconds``, with garbage collections (whose callbacks swallow exceptions) on the way."""
    import gc

    start = last = time.perf_counter()
    while (now := time.perf_counter()) - start < seconds:
        if collect and now - last > 0.002:
            gc.collect(0)
            last = time.perf_counter()
    return time.perf_counter() - start


def collector_callback(phase, info):  # as a Dask worker's: an exception raised in it is ignored
    busy(0.001, collect=False)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed ones
@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "other-thread"])
def test_the_time_limit_stops_work_in_any_thread_even_if_an_interruption_is_swallowed(in_thread):
    import gc
    import threading

    from screening.infra.budget import OverTime, call_with_limit

    outcome = []

    def work() -> None:
        start = time.perf_counter()
        try:
            call_with_limit(0.2, lambda: busy(30))
        except OverTime:
            outcome.append(time.perf_counter() - start)
        outcome.append(call_with_limit(5, lambda: busy(0.3)))  # done in time: its result, nothing raised later
        busy(0.3)

    gc.callbacks.append(collector_callback)
    try:
        if in_thread:
            thread = threading.Thread(target=work)
            thread.start()
            thread.join(20)
        else:
            work()
    finally:
        gc.callbacks.remove(collector_callback)
    assert len(outcome) == 2 and outcome[0] < 5 and 0.3 <= outcome[1] < 5


@pytest.mark.parametrize("value", ["-1", "nan", "x"])
def test_a_bad_time_limit_is_a_usage_error(tmp_path, capsys, value):
    code = main(["batch", "--no-progress", str(ROOT / "cases"), "-o", str(tmp_path / "out.jsonl"), "--timeout", value])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "--timeout" in err
    assert not (tmp_path / "out.jsonl").exists()


# -- sanctions matching evaded by what prints as nothing or looks Latin --------------------------------


@pytest.mark.parametrize(
    "stem", ["watchlist-zero-width-spaces", "watchlist-soft-hyphens", "watchlist-cyrillic-lookalikes"]
)
def test_a_sanctioned_name_in_disguise_is_still_a_hit(stem, capsys):
    path = ROOT / "tests" / "hostile" / "valid" / f"{stem}.yaml"
    code = main(["screen", str(path), "--watchlist", str(ROOT / "watchlists" / "sample-sanctions.csv"), "-f", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert [(h["entity"], h["entry"], h["score"], h["read_as"]) for h in doc["watchlist_hits"]] == [
        ("owner", "sample-eu-fridman", 100.0, "mikhail maratovich fridman"),
        ("owner", "sample-ofac-fridman", 100.0, "mikhail maratovich fridman"),
    ]
    assert "IC-016" in [f["rule"] for f in doc["findings"]]  # a sanctioned owner: the rule fires
    assert (
        main(["screen", str(path), "--watchlist", str(ROOT / "watchlists" / "sample-sanctions.csv"), "--width", "200"])
        == 0
    )
    text = capsys.readouterr().out  # the terminal shows the name as compared beside each hit
    assert text.count("(read as 'mikhail maratovich fridman') matches 'Mikhail Maratovich Fridman' on ") == 2


# -- terminal injection: nothing from an input is obeyed by a terminal ---------------------------------

ATTACK = (
    "\x1b]52;c;SGVsbG8=\x07 \x1b]8;;https://x.example/\x1b\\link\x1b]8;;\x1b\\ \x1b[2J \x1b[8mhidden\x1b[0m "
    "bare\rCR bell\x07 [link=https://x]y[/link] [red]red[/red] \u202eevil\u202c zero\u200bwidth"
)
"""A clipboard write (OSC 52), a hyperlink (OSC 8), a screen clear, hidden text, a bare carriage return, a bell,
rich markup for a link and a colour, a right-to-left override and a zero-width space."""
SGR = re.compile(r"\x1b\[[0-9;]*m")


def assert_safe(output: str, whole: bool = True) -> None:
    """No control sequence but the report's own colours, no live link, and (``whole``) the attack readable."""
    assert not [c for c in SGR.sub("", output) if c in "\x1b\x07\r\x9b\x9d\u202e\u200b"], repr(output[:2000])
    assert "\x1b]" not in output and "\x1b[2J" not in output and "\x1b[8m" not in output
    if whole:  # unwrapped, and Markdown's own escape of a backslash undone
        flat = output.replace("\n", "").replace(" ", "").replace("&#92;", "\\").replace("\\\\", "\\")
        assert "\\x1b]52;c;SGVsbG8=\\x07" in flat, "the attack is shown, escaped"
        assert "\\u202eevil\\u202c" in flat and "zero\\u200bwidth" in flat


def yaml_text(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(value)


def hostile_case(tmp_path: Path) -> Path:
    """The corpus case whose every text carries ``ATTACK`` (YAML's escapes write the control characters)."""
    path = ROOT / "tests" / "hostile" / "valid" / "terminal-injection.yaml"
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == "Title " + ATTACK
    return path


@pytest.mark.parametrize(
    "args",
    [["-f", "text"], ["-f", "text", "--color"], ["-f", "markdown"], ["--explain", "--color"]],
    ids=["text", "color", "markdown", "explain"],
)
def test_case_text_reaches_the_terminal_escaped(tmp_path, capsys, args):
    code = main(["screen", str(hostile_case(tmp_path)), *args])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert_safe(out)
    assert "[link=https://x]y[/link]" in out.replace("\\", "")  # markup is text


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_what_if_text_escapes_the_rule_titles(tmp_path, capsys, fmt):
    code = main(
        [
            "screen",
            str(hostile_case(tmp_path)),
            "--rules",
            str(hostile_pack(tmp_path)),
            "--set",
            "entities.0.kind=soe",
            "-f",
            fmt,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "SI-001" in out  # fires now: its title is printed
    assert_safe(out)


@pytest.mark.parametrize("color", [[], ["--color"]], ids=["plain", "color"])
def test_filings_text_escapes_the_case(tmp_path, capsys, color):
    assert main(["filings", str(hostile_case(tmp_path)), *color]) == 0
    assert_safe(capsys.readouterr().out)


def hostile_pack(tmp_path: Path) -> Path:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack)
    rules = pack / "state_influence.yaml"
    text = rules.read_text(encoding="utf-8")
    old = "    title: Investor is a third-country state body, state-owned enterprise or sovereign wealth fund\n"
    assert old in text
    rules.write_text(text.replace(old, f"    title: {yaml_text('State investor ' + ATTACK)}\n"), encoding="utf-8")
    regime = pack / "regimes" / "be.yaml"
    text = regime.read_text(encoding="utf-8")
    old = "  title: Interfederal screening of foreign direct investments (cooperation agreement of 30 November 2022)\n"
    assert old in text
    regime.write_text(text.replace(old, f"  title: {yaml_text('Belgium ' + ATTACK)}\n"), encoding="utf-8")
    return pack


@pytest.mark.parametrize("command", [["rules", "list"], ["rules", "show", "SI-001"], ["rules", "regimes"]])
def test_rule_pack_titles_make_no_links_colours_or_sequences(tmp_path, capsys, command):
    pack = hostile_pack(tmp_path)
    code = main([*command, "--rules", str(pack)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert_safe(out)
    assert "[link=https://x]y[/link]" in out.replace("\n", "").replace(" ", "").replace("│", "")
    # as on a terminal, in colour (the CLI colours only a terminal): the same text, coloured by the table only
    from screening.pack.load import load_pack
    from screening.report import Options
    from screening.report.catalogue import regime_list, rule_detail, rule_list

    loaded, options = load_pack(pack), Options(width=200, color=True)
    coloured = {
        "list": lambda: rule_list(loaded, None, "text", options),
        "show": lambda: rule_detail(loaded, "SI-001", "text", options),
        "regimes": lambda: regime_list(loaded, "text", options),
    }[command[1]]()
    assert SGR.search(coloured), "coloured"
    assert_safe(coloured)
    assert "\x1b]8;" not in coloured


def test_registry_and_watchlist_names_reach_the_terminal_escaped(tmp_path, capsys):
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "evil.yaml").write_text(
        f"""format: 1
entities:
  - id: evil-parent
    name: {yaml_text("Evil Parent " + ATTACK)}
    country: RU
    kind: private_company
""",
        encoding="utf-8",
    )
    watchlist = tmp_path / "list.yaml"
    watchlist.write_text(
        f"""entries:
  - name: {yaml_text("Evil Parent " + ATTACK)}
    lists: [{yaml_text("Sanctions " + ATTACK)}]
    type: sanctions
""",
        encoding="utf-8",
    )
    case = tmp_path / "case.yaml"
    case.write_text(
        """format: 1
id: registry-injection
title: A case that takes its owner from a registry
investor: inv
entities:
  - {id: inv, name: Plain Holdco, country: HK, kind: private_company}
  - ref: evil-parent
ownership:
  - {owner: evil-parent, owned: inv, equity_pct: 100}
target: {name: Target, country: DE}
""",
        encoding="utf-8",
    )
    for color in ([], ["--color"]):
        code = main(["screen", str(case), "--entities", str(registry), "--watchlist", str(watchlist), *color])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert_safe(out)
        assert "watchlist hit: Evil Parent" in SGR.sub("", out)


def test_file_names_and_ids_reach_the_terminal_escaped(tmp_path, capsys):
    folder = tmp_path / "cases"
    folder.mkdir()
    name = "evil\x1b]52;c;SGVsbG8=\x07\u202e.yaml"
    (folder / name).write_text("format: 1\nid: x\n", encoding="utf-8")  # broken: its problems name the file
    (folder / "good.yaml").write_text(hostile_case(tmp_path).read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["screen", str(folder / name)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "\\x1b]52;c;SGVsbG8=\\x07\\u202e.yaml" in err
    assert_safe(err, whole=False)
    rows = tmp_path / "deals.csv"
    rows.write_text("deal_id,acquirer\n" + json.dumps("id " + ATTACK.replace('"', "")) + ",Acme\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("format: 1\nid: deal_id\nfields:\n  investor.name: acquirer\n", encoding="utf-8")
    code = main(["batch", "--no-progress", str(folder), str(rows), "-m", str(mapping), "-o", str(tmp_path / "o.jsonl")])
    out, err = capsys.readouterr()
    assert code == 1  # the broken case's row failed
    assert_safe(err)  # the summary names the files, ids and errors
    assert "\\x1b]52;c;SGVsbG8=\\x07\\u202e.yaml" in err


def test_check_and_fmt_show_rule_files_escaped(tmp_path, capsys):
    # a pull request's rule file: a name with a clipboard write, a right-to-left override inside a title
    # (as in "Trojan Source"), written raw in the file, which YAML allows
    pack = hostile_pack(tmp_path)
    rules = pack / "state_influence.yaml"
    text = rules.read_text(encoding="utf-8").replace(
        "    name: state_influence.state_investor\n", "    name: state_influence.state_investor\n    junk: 1\n", 1
    )
    evil = pack / "evil\x1b]52;c;SGVsbG8=\x07.yaml"
    evil.write_text(text.replace("\\u202e", "\u202e"), encoding="utf-8")
    rules.unlink()
    assert main(["check", str(pack)]) == 1
    out, err = capsys.readouterr()
    assert "evil\\x1b]52;c;SGVsbG8=\\x07.yaml" in out + err and "unknown field" in out + err
    assert_safe(out + err, whole=False)
    assert main(["fmt", "--check", str(pack)]) == 1
    out, err = capsys.readouterr()
    assert "\\u202e" in out and "\u202e" not in out  # the diff shows the override, escaped
    assert_safe(out + err, whole=False)
