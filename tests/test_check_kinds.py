"""`screening check` tells mapping files and waiver files from cases, and validates each as its kind."""

from __future__ import annotations

import json

from screening.cli import main
from tests.conftest import ROOT


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def problems(out: str) -> list[dict]:
    return json.loads(out)["problems"]


def test_the_shipped_mapping_is_clean(capsys):
    code, out, _ = run(capsys, "check", str(ROOT / "examples" / "deals-mapping.yaml"), "-f", "json")
    assert code == 0 and problems(out) == []


def test_a_broken_mapping_is_checked_as_a_mapping(capsys, tmp_path):
    path = tmp_path / "deals.yaml"
    path.write_text("format: 1\nid: deal_id\nfields:\n  investor.contry: x\n  target.name: {colum: t}\n")
    code, out, _ = run(capsys, "check", str(path), "-f", "json")
    found = [(p["line"], p["code"]) for p in problems(out)]
    assert code == 1 and found == [(4, "E104"), (5, "E104")]
    assert "did you mean 'investor.country'" in problems(out)[0]["message"]


def test_a_mapping_named_so_is_a_mapping_even_when_broken(capsys, tmp_path):
    path = tmp_path / "my-mapping.yaml"
    path.write_text("format: 1\nid_column: deal_id\n")
    _, out, _ = run(capsys, "check", str(path), "-f", "json")
    assert {p["code"] for p in problems(out)} <= {"E104", "E105"}
    assert not any("investor" in p["message"] or "case" in p["message"] for p in problems(out))


def test_a_waiver_file_with_a_misspelt_key_is_checked_as_waivers(capsys, tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text("format: 1\nwaiver:\n  - case: x\n")
    code, out, _ = run(capsys, "check", str(path), "-f", "json")
    assert code == 1
    assert "expected waivers" in problems(out)[0]["message"]
