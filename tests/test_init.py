"""`screening init DIR`: a pack that checks, tests and formats clean from the first run, and moves whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from screening.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_makes_a_working_pack(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    pack = tmp_path / "Our Rules"
    code, _, err = run(capsys, "init", str(pack))
    assert code == 0 and "next: screening check" in err
    assert yaml.safe_load((pack / "pack.yaml").read_text())["name"] == "our-rules"
    code, out, _ = run(capsys, "check", str(pack), "--severity", "warning")
    assert (code, out.splitlines()[-1]) == (0, "no problems in 5 files")
    code, out, _ = run(capsys, "test", str(pack), "--min-coverage", "100")
    assert code == 0 and "3 passed, 0 failed" in out
    assert run(capsys, "fmt", "--check", str(pack))[0] == 0
    hooks = yaml.safe_load((pack / ".pre-commit-config.yaml").read_text())
    assert [h["id"] for h in hooks["repos"][0]["hooks"]] == ["screening-check", "screening-test", "screening-fmt"]
    workflow = yaml.safe_load((pack / ".github" / "workflows" / "rules.yml").read_text())
    steps = [s.get("run", "") for s in workflow["jobs"]["rules"]["steps"]]
    assert any(s.startswith("screening check") for s in steps) and any(s.startswith("screening test") for s in steps)


def test_a_new_pack_is_self_contained(capsys, tmp_path, monkeypatch):
    """Copied anywhere, its tests still find their case: it lies inside the pack."""
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    run(capsys, "init", str(tmp_path / "a" / "pack"))
    moved = tmp_path / "elsewhere" / "deep" / "pack"
    shutil.copytree(tmp_path / "a" / "pack", moved)
    shutil.rmtree(tmp_path / "a")
    code, out, _ = run(capsys, "test", str(moved), "--min-coverage", "100")
    assert code == 0 and "100.0%" in out


def test_init_refuses_a_directory_that_is_not_empty(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 2 and "E401" in err and (tmp_path / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "pack.yaml").exists()


def test_a_pack_whose_tests_reach_outside_it_says_so_when_moved(capsys, tmp_path, monkeypatch):
    """A pack whose tests read a repository's cases (the default pack with the pins of the example cases put in
    it): copied alone, each missing case says why."""
    from tests.conftest import ROOT, add_pins

    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    add_pins(Path(shutil.copytree(ROOT / "rules", tmp_path / "rules")))
    code, out, _ = run(capsys, "check", str(tmp_path / "rules"), "-f", "json")
    import json

    missing = [p for p in json.loads(out)["problems"] if p["code"] == "E001"]
    assert code == 1 and missing
    assert all("should name cases inside the pack (see screening init)" in p["message"] for p in missing)
