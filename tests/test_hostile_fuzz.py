"""What the command-line fuzzer (fuzz/fuzz_cli.py) found, each minimised to its attack and run through the CLI
with its exact outcome: one located line and exit 2, never an internal error (exit 3)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from screening.cli import main
from tests.conftest import ROOT

CASE = ROOT / "cases" / "alibaba-liege.yaml"
LONG = "a" * 300 + ".yaml"  # one component over the 255 bytes a Linux file system takes


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", LONG],
        ["fmt", LONG],
        ["test", LONG],
        ["diff", LONG, LONG],
        ["rules", "list", "-r", LONG],
        ["batch", "--no-progress", LONG, "-o", "results.jsonl"],
        ["screen", CASE, "--entities", LONG],
    ],
    ids=["check", "fmt", "test", "diff", "rules", "batch", "entities"],
)
def test_a_file_name_too_long_for_the_system_is_a_located_error(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    name = str(tmp_path / LONG) if "--entities" in argv else LONG
    assert (code, out) == (2, "")
    assert err == f"{name}: error: cannot use path: File name too long [E001 file-not-found]\n"


@pytest.mark.parametrize(
    "argv, found",
    [
        (["screen", LONG], "cannot read file: File name too long [E001 file-not-found]"),
        (["screen", CASE, "-o", LONG], "cannot write output: File name too long [E401 cannot-write]"),
    ],
    ids=["case", "output"],
)
def test_the_readers_and_writers_already_said_so(tmp_path, monkeypatch, capsys, argv, found):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert (code, err) == (2, f"{LONG}: error: {found}\n")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_reads_a_pack_from_git_whose_file_names_have_spaces(tmp_path, monkeypatch, capsys):
    # Before: the names git listed were split at white space, 'state influence.yaml' read as 'influence.yaml',
    # and git's refusal to show it escaped as an internal error (CalledProcessError, exit 3).
    shutil.copytree(ROOT / "rules", tmp_path / "pack", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "pack" / "state_influence.yaml").rename(tmp_path / "pack" / "state influence.yaml")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "pack")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "diff", "HEAD:pack", "pack", CASE, "-f", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["rules"] == []
    code, _, err = run(capsys, "diff", "HEAD:nothing", "pack", CASE)
    assert code == 2
    assert err.startswith("HEAD:nothing: error: cannot read the pack from git: fatal: ")
    assert err.endswith(" [E001 file-not-found]\n") and err.count("\n") == 1


@pytest.mark.parametrize(
    "name, shown",
    [
        ("\x1b[2Jx.yaml", "\\x1b[2Jx.yaml"),
        ("b\x1b]52;c;aGk=\x07.yaml", "b\\x1b]52;c;aGk=\\x07.yaml"),
        ("\u202ex.yaml", "\\u202ex.yaml"),
    ],
    ids=["clear", "clipboard", "bidi"],
)
def test_github_annotations_show_a_file_name_escaped(tmp_path, monkeypatch, capsys, name, shown):
    # Before: the annotation's file= property held the name raw, and a CI log, a terminal too, obeyed it.
    monkeypatch.chdir(tmp_path)
    Path(name).write_text("format: 1\nid: x\n", "utf-8")
    code, out, _ = run(capsys, "check", name, "-f", "github")
    assert code == 1
    assert out.splitlines()[0] == (
        f"::error file={shown.replace(':', '%3A').replace(',', '%2C')},line=1,col=1,"
        "title=E105 missing-field::missing required field 'entities'"
    )


def _runner():  # type: ignore[no-untyped-def]
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        spec = importlib.util.spec_from_file_location("cli_runner", ROOT / "fuzz" / "cli_runner.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "fuzz"))


@pytest.mark.parametrize(
    ("argv", "terminal"),
    [
        (["screen", "c.yaml"], True),
        (["screen", "c.yaml", "-f", "json"], False),
        (["screen", "c.yaml", "-f", "markdown", "-f", "json"], False),  # the last one wins, as on the command line
        (["screen", "c.yaml", "-f", "json", "--format", "text"], True),
        (["screen", "c.yaml", "--format=json"], False),
        (["screen", "c.yaml", "-o", "r.md"], False),
    ],
)
def test_the_fuzzer_judges_the_format_the_command_line_uses(argv, terminal):
    """A ten-minute run flagged raw text in a JSON report, which keeps text as it is by design: the fuzzer had
    taken the first of two --format options for the one in force."""
    assert _runner()._terminal_stdout(argv) is terminal


@pytest.mark.parametrize("stake", ["{at_least: 0}", "{between: [40, 60]}", "majority", "{at_most: 30}"])
def test_a_deal_whose_stake_is_a_bound_is_drawn_in_every_format(tmp_path, capsys, stake):
    """Found by the fuzzer after the case format took bounds: the deal's other owners were computed with
    float() of the investor's votes, an internal error for any stake given as a bound."""
    case = tmp_path / "case.yaml"
    case.write_text(
        "id: s\ntitle: o\ninvestor: bidco\nentities:\n  - {id: bidco, name: B, country: DE, kind: private_company}\n"
        f"target: {{name: T, country: DE}}\ntransaction: {{kind: acquisition, stake_after_pct: {stake}}}\n",
        "utf-8",
    )
    for fmt in ("text", "json", "markdown", "html"):
        code, out, err = run(capsys, "screen", case, "-f", fmt)
        assert code == 0 and "internal error" not in err, err
    code, out, err = run(capsys, "screen", case, "--brief")
    assert code == 0 and "equity" in out
    doc = json.loads(run(capsys, "screen", case, "-f", "json")[1])
    deal = doc["deal"]
    assert deal["others_votes_pct"] is None or isinstance(deal["others_votes_pct"], (int, float))
    if stake == "majority":
        assert deal["control"] == "investor"
    if stake == "{at_most: 30}":
        assert deal["control"] == "others"


def test_the_fuzzer_reaches_the_backtest_the_portfolio_and_the_newer_deal_fields():
    """The scenarios of a fixed seed run backtest and portfolio, and write Australia's and Canada's newer fields
    (an entity's au_* facts, the target's unread-threshold answer, a completion date) into the cases."""
    import random
    import sys

    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        import cli_scenarios
        from cli_runner import unb64
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    seeds = cli_scenarios.Seeds()
    commands, texts = set(), b""
    for n in range(150):
        one = cli_scenarios.scenario(random.Random(n), seeds)
        commands.add(one["command"])
        texts += b"".join(unb64(f["data"]) for f in one["files"].values() if "data" in f)
    assert {"backtest", "portfolio", "batch", "screen", "filings"} <= commands
    for field in (b"au_agreement_investor", b"au_associates", b"au_passive_fund", b"au_india_threshold"):
        assert field in texts, field
    assert b"au_above_unread_threshold" in texts and b"completion_date" in texts
    doc = cli_scenarios.deal_fields({"entities": [{"id": "a"}], "transaction": {}}, random.Random(3))
    assert doc != {"entities": [{"id": "a"}], "transaction": {}}


def test_the_fuzzer_reaches_the_newer_regimes_facts_sources_and_days():
    """The scenarios of fixed seeds write the Japanese, Spanish, Italian and Dutch facts into their case files
    (now and then of the wrong kind), sources no finding cites with odd titles and URLs, chains cut short, and
    run --as-of on the first and last days a case may hold and filings for the newer regimes."""
    import random
    import sys

    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        import cli_scenarios
        from cli_runner import unb64
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    seeds = cli_scenarios.Seeds()
    cases, argv = b"", []
    for n in range(200):
        one = cli_scenarios.scenario(random.Random(n), seeds)
        # the case files only: a copied pack names these facts too
        cases += b"".join(unb64(f["data"]) for k, f in one["files"].items() if k.startswith("case") and "data" in f)
        argv += [a for step in one["steps"] for a in step.get("argv", ())]
    for field in (
        b"jp_specified_investor",
        b"jp_specified_core",
        b"es_civil_arms_authorisation",
        b"it_assets_availability_changed",
        b"odd-source-0",
        b"abroad-owner",
    ):
        assert field in cases, field
    days = {cli_scenarios.Builder(random.Random(n), seeds).date() for n in range(3000)}
    assert {"1900-01-01", "2100-12-31", "2100", "1899-12-31", "2101-01-01", "1900-02-29"} <= days
    assert {"JP", "ES", "NL"} & {argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--regime"}
    given = set()
    for n in range(300):
        doc = cli_scenarios.regime_fields({"target": {}, "transaction": {}}, random.Random(n))
        if "jp_specified_investor" in doc["transaction"]:
            given.add(repr(doc["transaction"]["jp_specified_investor"]))
    assert {"'specified'", "'equivalent'", "'neither'"} < given  # and values of the wrong kind


def test_the_fuzzer_reaches_mapping_options_edited_results_ftm_shapes_regime_files_ranges_and_deep_yaml():
    """The scenarios of fixed seeds run every newer generator: a deal export with a table of rates holding days a
    table should not (``20210922``), edited results for portfolio, FtM lists, odd regime files, ``--as-of`` on
    cases dated by ranges, and YAML nested thousands deep."""
    import random
    import sys

    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        import cli_extra
        import cli_scenarios
        from cli_runner import unb64
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    seeds = cli_scenarios.Seeds()
    commands, rates, lists, argv = set(), b"", b"", []
    for n in range(300):
        one = cli_scenarios.scenario(random.Random(n), seeds)
        commands.add(one["command"])
        rates += b"".join(unb64(f["data"]) for k, f in one["files"].items() if k.startswith("rates") and "data" in f)
        lists += b"".join(unb64(f["data"]) for k, f in one["files"].items() if k.startswith("list") and "data" in f)
        argv += [a for step in one["steps"] for a in step.get("argv", ())]
    assert {name.__name__ for name, _ in cli_extra.EXTRA_COMMANDS} <= commands
    assert b"Date,USD" in rates
    odd = b""
    for n in range(200):
        builder = cli_scenarios.Builder(random.Random(n), seeds)
        builder.heat = 1.0
        odd += cli_extra.rates_table(builder)
    assert b"20210922" in odd and b"2021-W38-3" in odd and b"1_1726" in odd
    assert b'"schema": "Sanction"' in lists and b"leiCode" in lists
    assert "--keep" in argv and "--excel" in argv and "--as-of" in argv
    deep = {cli_extra.deep_text(random.Random(n))[:5] for n in range(50)}
    assert {b"[[[[[", b"{a: {"} <= deep


@pytest.mark.parametrize(
    ("note", "verdict"),
    [
        ("transaction.value_eur: USD 76,400,000 = EUR 65,154,358 at 1.1726 USD/EUR (rate of 2021-09-22, r.csv)", None),
        (
            "transaction.value_eur: USD 76,400,000 = EUR 65,154,358 at 1.1726 USD/EUR (rate of 20210922, r.csv)",
            "a conversion at the rate of a day not written YYYY-MM-DD [batch]",
        ),
        (
            "transaction.value_eur: USD 76,400,000 = EUR 75,154,358 at 1.1726 USD/EUR (rate of 2021-09-22, r.csv)",
            "a conversion whose euros are not the amount at the rate shown [batch]",
        ),
        ("investor.kind: 'Family office' not in the values table, taken as not given [W345 value-defaulted]", None),
    ],
)
def test_the_fuzzer_checks_each_conversion_of_a_batch_row(note, verdict):
    assert _runner().conversion_verdict([note]) == verdict


def test_the_fuzzer_time_limit_grows_with_the_load(monkeypatch):
    import os

    runner = _runner()
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (7.0, 6.0, 5.0))
    assert runner.load_factor() == 3.5
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert runner.load_factor() == 1.0
