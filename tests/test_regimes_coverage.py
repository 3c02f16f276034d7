"""Coverage across regimes: what one country's regimes hold (`rules regimes --country`) and the README's table."""

from __future__ import annotations

import importlib.util
import json

import pytest

from screening.cli import main
from screening.report.catalogue import checked
from screening.tooling.catalogue import coverage
from tests.conftest import ROOT


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("regime_coverage", ROOT / "scripts" / "regime_coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_coverage_table_is_current():
    script = _script()
    current = (ROOT / "README.md").read_text("utf-8")
    assert current == script.page(current), "run python scripts/regime_coverage.py"


def test_the_table_has_a_row_for_every_regime_with_its_counts(pack):
    table = _script().table()
    for g in pack.regimes:
        c = coverage(g)
        row = next(line for line in table.splitlines() if line.startswith("| ") and f"| {g.id}: " in line)
        assert f"| {c.primary} | {c.secondary} | {c.unverified} | {c.verified_pct}% |" in row, row
        assert g.valid_from in row


def test_coverage_counts_each_trigger_once_and_planned_ones_apart(pack):
    uk = next(g for g in pack.regimes if g.id == "UK")
    us = next(g for g in pack.regimes if g.id == "US")
    assert coverage(uk).planned == 1 and coverage(uk).triggers == len({t.id for t in uk.rules}) - 1
    assert coverage(us).triggers == len({t.id for t in us.rules})  # US-005 is split at a dated investor test
    c = coverage(uk)
    assert c.primary + c.secondary + c.unverified == c.triggers


@pytest.mark.parametrize(
    ("country", "expected"),
    [("DE", {"DE", "EU"}), ("de", {"DE", "EU"}), ("UK", {"UK"}), ("GB", {"UK"}), ("US", {"US"})],
)
def test_rules_regimes_country_lists_the_regimes_that_reach_it(capsys, country, expected):
    code, out, _ = run(capsys, "rules", "regimes", "--country", country, "-f", "json")
    regimes = {g["id"]: g for g in json.loads(out)}
    assert code == 0 and expected <= set(regimes)
    assert all(g["jurisdiction"] in (country.upper().replace("UK", "GB"), "EU") for g in regimes.values())
    for g in regimes.values():
        shares = g["coverage"]
        assert shares["primary"] + shares["secondary"] + shares["unverified"] == shares["triggers"]


def test_rules_regimes_country_prints_the_verified_share(capsys, pack):
    code, out, _ = run(capsys, "rules", "regimes", "--country", "DE")
    c = coverage(next(g for g in pack.regimes if g.id == "DE"))
    assert code == 0 and "DE-003" in out and "EU-001" in out and "FR-001" not in out
    assert checked(c) in out and f"{c.primary} primary, {c.secondary} secondary, {c.unverified} unverified" in out


def test_rules_regimes_country_without_a_regime_is_an_input_error(capsys):
    code, out, err = run(capsys, "rules", "regimes", "--country", "BR")
    assert code == 2 and not out
    assert "no regime in pack screening-default covers Brazil (BR)" in err and "[E108 unknown-reference]" in err


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("Germany", "unknown country code 'Germany'; did you mean DE (Germany)?"),
        ("XX", "unknown country code 'XX'; expected an ISO 3166-1 alpha-2 code (DE) or a regime's id (CAN)"),
    ],
)
def test_rules_regimes_country_named_in_words_asks_for_the_code(capsys, given, said):
    # A country's name is no code: the answer names the code meant, never "no regime covers GERMANY (GERMANY)".
    code, out, err = run(capsys, "rules", "regimes", "--country", given)
    assert code == 2 and not out
    assert f"error: {said} [E107 unknown-country]" in err and "no regime" not in err


def test_rules_show_a_lower_case_id_suggests_the_id_itself(capsys):
    code, out, err = run(capsys, "rules", "show", "ci-001")
    assert code == 2 and "did you mean 'CI-001'?" in err


def test_the_readme_counts_the_rules_and_triggers_of_the_pack(pack):
    """The README's sentence on the default pack gives its rules and its triggers as the pack has them (it said
    110 rules and 129 triggers when the pack held 111 and 125)."""
    readme = " ".join((ROOT / "README.md").read_text("utf-8").split())
    triggers = sum(coverage(g).triggers for g in pack.regimes)
    planned = sum(coverage(g).planned for g in pack.regimes)
    assert f"has {len(pack.rules)} rules in eight categories" in readme
    assert f"and {triggers} filing triggers ({planned} more planned) in fourteen regime packs" in readme
    assert len(pack.regimes) == 14
    # the coverage line `screening test rules/` ends with, as the README quotes it (it said "428 tests make all 93
    # rules and 32 triggers fire" long after the pack had grown)
    total = len(pack.rules) + triggers + planned
    assert f"`{total}/{total} rules (100.0%) made to fire by a test`: the {len(pack.rules)} rules" in readme


def test_one_trigger_is_one_trigger(pack):
    nltc = next(g for g in pack.regimes if g.id == "NLTC")
    assert checked(coverage(nltc)).startswith("1 trigger, ")


def test_filings_regime_takes_an_id_in_any_case_and_names_the_id_a_country_meant(capsys):
    case = str(ROOT / "cases" / "state-grid-50hertz.yaml")
    code, lower, err = run(capsys, "filings", case, "--regime", "de", "-f", "json")
    assert code == 0, err
    code, upper, _ = run(capsys, "filings", case, "--regime", "DE", "-f", "json")
    assert lower == upper and '"regime": "DE"' in upper
    code, out, err = run(capsys, "filings", case, "--regime", "Germany", "--regime", "United Kingdom")
    assert code == 2 and not out
    assert "unknown regime Germany (did you mean DE?), United Kingdom (did you mean UKEA or UK?)" in err
