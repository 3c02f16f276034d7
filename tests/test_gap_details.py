"""Gap questions ask for what is really missing: the details of records the case lists, not the records."""

from __future__ import annotations

from pathlib import Path

import yaml

from screening.api import screen_files

CASE = {
    "format": 1,
    "id": "supplier",
    "title": "A supplier with a known government contract whose classification is not given",
    "as_of": "2024-03-01",
    "investor": "buyer",
    "entities": [
        {
            "id": "buyer",
            "name": "Buyer Co",
            "country": "CN",
            "kind": "private_company",
            "state_ownership_pct": 0,
            "owners_complete": True,
            "listings": [],
            "state_links": [],
            "conduct": [],
        }
    ],
    "target": {
        "name": "Target Ltd",
        "country": "GB",
        "sectors": ["defence"],
        "government_contracts": [{"customer": "defence", "country": "GB", "description": "maintenance of vehicles"}],
    },
    "transaction": {"kind": "acquisition", "stake_before_pct": 0, "stake_after_pct": 100, "signing_date": "2024-03-01"},
}


def _gap(tmp_path: Path, case: dict) -> str:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case, sort_keys=False), "utf-8")
    (result,) = screen_files([path])
    return next(g.question for g in result.gaps if "target.government_contracts" in g.facts)


def test_a_listed_contract_without_its_classification_is_asked_about_by_name(tmp_path):
    question = _gap(tmp_path, CASE)
    assert "defence: maintenance of vehicles" in question and "(classified)" in question
    assert "Does the target supply governments" not in question


def test_a_case_without_contracts_is_asked_whether_there_are_any(tmp_path):
    case = {**CASE, "target": {k: v for k, v in CASE["target"].items() if k != "government_contracts"}}
    assert _gap(tmp_path, case).startswith("Does the target supply governments")


def test_a_contract_whose_classification_is_given_is_not_asked_about(tmp_path):
    contract = {**CASE["target"]["government_contracts"][0], "classified": False}
    case = {**CASE, "target": {**CASE["target"], "government_contracts": [contract]}}
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case, sort_keys=False), "utf-8")
    (result,) = screen_files([path])
    assert all("(classified)" not in g.question for g in result.gaps)
