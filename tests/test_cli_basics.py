"""What a newcomer tries first: --version, -h, shell completion, a case on standard input, scores as reports
write them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from screening import __version__
from screening.cli import main
from tests.conftest import ROOT

BAKERY = ROOT / "cases" / "benign-nordic-bakery.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    assert run(capsys, "--version") == (0, f"screening {__version__}\n", "")


@pytest.mark.parametrize("argv", [["-h"], ["screen", "-h"], ["rules", "-h"], ["rules", "show", "-h"], ["check", "-h"]])
def test_short_help_is_help(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.startswith("Usage: screening") and "-h, --help" in out


def test_shell_completion_is_offered(capsys):
    # the script bash sources, asked for as a shell's completion asks (--show-completion names the shell it
    # detects from its parent processes, which a test run does not have); in a process of its own
    env = {k: v for k, v in os.environ.items() if not k.startswith("_TYPER_COMPLETE")}
    done = subprocess.run(
        [sys.executable, "-m", "screening"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "_SCREENING_COMPLETE": "source_bash"},
    )
    assert done.returncode == 0, done.stderr
    assert "_screening_completion()" in done.stdout and "_SCREENING_COMPLETE=complete_bash" in done.stdout
    code, out, _ = run(capsys, "-h")
    assert "--install-completion" in out


def test_a_case_from_standard_input():
    """`-` reads the case from standard input, as cat and grep do."""
    command = [sys.executable, "-m", "screening", "screen", "-", "--format", "json"]
    done = subprocess.run(command, input=BAKERY.read_bytes(), capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    from_file = subprocess.run([*command[:4], str(BAKERY), "--format", "json"], capture_output=True, cwd=ROOT)
    report, expected = json.loads(done.stdout), json.loads(from_file.stdout)
    assert report["case"]["file"] == "/dev/stdin"
    assert {**report["case"], "file": ""} == {**expected["case"], "file": ""}
    assert report["score"] == expected["score"] and report["level"] == expected["level"]
    filings = [sys.executable, "-m", "screening", "filings", "-"]
    done = subprocess.run(filings, input=BAKERY.read_bytes(), capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 0 and b"Where to file" in done.stdout


def test_a_broken_case_on_standard_input_is_located():
    command = [sys.executable, "-m", "screening", "screen", "-"]
    done = subprocess.run(command, input=b"id: x\ntarget: [\n", capture_output=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and b"E100" in done.stderr and b"Traceback" not in done.stderr


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_batch_scores_are_written_as_reports_write_them(capsys, tmp_path, suffix):
    _, report, _ = run(capsys, "screen", str(ROOT / "cases" / "alibaba-liege.yaml"), "-f", "json")
    score = json.loads(report)["score"]
    assert isinstance(score, int)
    out = tmp_path / f"results{suffix}"
    assert run(capsys, "batch", str(ROOT / "cases" / "alibaba-liege.yaml"), "-o", str(out))[0] == 0
    text = out.read_text()
    if suffix == ".jsonl":
        row = json.loads(text)
        assert row["score"] == score and isinstance(row["score"], int)
        assert all(isinstance(v, int) for v in row["categories"].values())
    else:
        assert f",{score},{json.loads(report)['level']}," in text and f"{score}.0" not in text
