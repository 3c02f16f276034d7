"""The installed `screening` command works outside the repository, with the bundled rule pack."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(shutil.which("screening") is None, reason="package not installed")
def test_installed_command_runs_outside_the_repo(tmp_path):
    case = ROOT / "cases" / "alibaba-liege.yaml"
    run = subprocess.run(
        ["screening", "screen", str(case), "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["case"]["id"] == "alibaba-liege" and doc["rule_pack"]["rules"] >= 40


@pytest.mark.skipif(shutil.which("screening") is None, reason="package not installed")
def test_installed_pack_checks_and_tests_outside_the_repo(tmp_path):
    """The shipped pack carries its tests and the cases they name, so CI of a rule repository can run them."""
    for argv in (["screening", "check"], ["screening", "test", "--min-coverage", "100"]):
        run = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
