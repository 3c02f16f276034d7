"""The command line: exit codes, outputs, errors as one located line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.cli import main
from tests.conftest import ROOT

ALIBABA = str(ROOT / "cases" / "alibaba-liege.yaml")
BAD = Path(__file__).parent / "bad" / "cases"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_screen_text(capsys):
    code, out, err = run(capsys, "screen", ALIBABA, "--width", "120")
    assert code == 0 and err == ""
    assert "alibaba-liege" in out and "Information gaps" in out and "Ownership chain" in out


def test_screen_json_to_file_is_complete(capsys, tmp_path):
    target = tmp_path / "out.json"
    code, out, _ = run(capsys, "screen", ALIBABA, "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["case"]["id"] == "alibaba-liege"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left behind


def test_several_cases_give_a_json_array(capsys):
    cases = sorted(str(p) for p in (ROOT / "cases").glob("*.yaml"))[:3]
    code, out, _ = run(capsys, "screen", *cases, "--format", "json")
    assert code == 0 and [d["case"]["file"] for d in json.loads(out)] == cases


@pytest.mark.parametrize("level,expected", [("low", 1), ("high", 1), ("critical", 0)])
def test_fail_on(capsys, level, expected):
    code, out, _ = run(capsys, "screen", ALIBABA, "--format", "json", "--fail-on", level)
    assert json.loads(out)["level"] == "high"  # the golden reports pin this level
    assert code == expected


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_input_is_exit_2_with_one_located_line(capsys, path):
    code, out, err = run(capsys, "screen", str(path))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:") and "Traceback" not in err


def test_missing_file_and_bad_pack(capsys, tmp_path):
    code, _, err = run(capsys, "screen", str(tmp_path / "none.yaml"))
    assert code == 2 and "file not found" in err
    code, _, err = run(capsys, "screen", ALIBABA, "--rules", str(tmp_path))
    assert code == 2 and "pack.yaml" in err


def test_broken_rule_condition_is_located(capsys, tmp_path):
    pack = Path(__file__).parent / "data" / "pack"
    for f in pack.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    text = (tmp_path / "rules.yaml").read_text().replace("field: investor.country", "field: investor.contry", 1)
    (tmp_path / "rules.yaml").write_text(text)
    code, _, err = run(capsys, "screen", ALIBABA, "--rules", str(tmp_path))
    assert code == 2
    assert err.startswith(f"{tmp_path / 'rules.yaml'}:7:") and "did you mean 'investor.country'" in err


def test_usage_error_is_exit_2(capsys):
    code, _, err = run(capsys, "screen", ALIBABA, "--format", "pdf")
    assert code == 2 and "pdf" in err


def test_rules_list_and_show(capsys):
    code, out, _ = run(capsys, "rules", "list", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and len(rules) >= 40
    assert {"id", "category", "weight", "title"} <= set(rules[0])
    code, out, _ = run(capsys, "rules", "show", "SI-001")
    assert code == 0 and "Rationale" in out and "Legal basis" in out and "Condition" in out
    code, _, err = run(capsys, "rules", "show", "SI-0001")
    assert code == 2 and "did you mean" in err


def test_version_and_facts(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("screening ")
    code, out, _ = run(capsys, "facts", "--format", "json")
    assert code == 0 and any(f["fact"] == "group.state_links" for f in json.loads(out))


DETERMINISTIC = {
    "screen json": [
        "screen",
        *sorted(str(p) for p in (ROOT / "cases").glob("*.yaml")),
        "--format",
        "json",
        "--watchlist",
        str(ROOT / "watchlists" / "sample-sanctions.csv"),
    ],
    "screen text": ["screen", ALIBABA, "--width", "100"],
    "screen markdown": [
        "screen",
        *sorted(str(p) for p in (ROOT / "cases").glob("*.yaml"))[:4],
        "-f",
        "markdown",
        "--explain",
    ],
    "screen html": ["screen", ALIBABA, "-f", "html"],
    "check sarif": ["check", str(ROOT / "rules"), str(ROOT / "cases"), str(ROOT / "entities"), "--format", "sarif"],
    "check json": ["check", str(ROOT / "rules"), "--format", "json"],
    "test junit": ["test", str(ROOT / "rules"), "--format", "junit"],
    "diff markdown": ["diff", str(ROOT / "rules"), str(ROOT / "rules"), "--format", "markdown"],
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_outputs_are_byte_identical_across_hash_seeds(name):
    import os
    import re
    import subprocess
    import sys

    outputs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SCREENING_CACHE_DIR": ""}
        run = subprocess.run(
            [sys.executable, "-m", "screening", *DETERMINISTIC[name]],
            capture_output=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        assert run.returncode in (0, 1), run.stderr
        outputs.append(re.sub(rb'(time|seconds)="[0-9.]+"', b"", run.stdout))  # JUnit timings are measurements
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize(
    ("env", "width", "colour"),
    [
        ({}, 100, False),  # piped: 100 columns, plain
        ({"COLUMNS": "80"}, 80, False),
        ({"COLUMNS": "132", "FORCE_COLOR": "1"}, 132, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, 100, False),  # NO_COLOR wins, as in rich
        ({"FORCE_COLOR": "1", "TERM": "dumb"}, 100, False),
        ({"COLUMNS": "wide"}, 100, False),  # not a number: ignored
    ],
)
def test_piped_output_follows_columns_and_the_colour_variables(capsys, monkeypatch, env, width, colour):
    for name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run(capsys, "screen", str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml"))
    assert code == 0 and ("\x1b[" in out) == colour
    plain = [line for line in out.splitlines() if "\x1b" not in line and "https://" not in line]
    assert max(len(line) for line in plain) <= width
    assert any(len(line) > width - 12 for line in plain)  # the width is used, not some narrower default
    code, out, _ = run(capsys, "screen", str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml"), "--width", "90")
    assert max(len(line) for line in out.splitlines() if "https://" not in line and "\x1b" not in line) <= 90


@pytest.mark.parametrize("command", ["screen", "filings"])
@pytest.mark.parametrize("width", ["-5", "0", "39"])
def test_a_width_under_40_columns_is_a_usage_error(capsys, command, width):
    """A report cannot be laid out in fewer columns (``--set`` with -5 was an internal error of textwrap)."""
    case = str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml")
    code, _, err = run(
        capsys, command, case, "--width", width, *(["--set", "target.sectors=[]"] if command == "screen" else [])
    )
    assert code == 2 and f"Invalid value for '--width': {width} is not in the range x>=40" in err


def test_at_80_columns_tree_lines_keep_their_indent_and_urls_stay_whole(capsys):
    code, out, _ = run(capsys, "screen", str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml"), "--width", "80")
    lines = out.splitlines()
    at = lines.index("    └── 41.94% equity, controls (as the sources state) ← China COSCO Shipping")
    assert lines[at + 1] == "            Corporation Limited  state-owned enterprise, China"  # under its own text, +4
    url = "https://www.cash.ch/news/politik/deutschland-will-chinas-cosco-wohl-nur-teil-einstieg-bei-terminal-erlauben-541599"
    assert any(line.strip() == url for line in lines)


def test_brief_is_text_markdown_or_html(capsys):
    code, out, _ = run(capsys, "screen", str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml"), "--brief")
    assert code == 0 and "Main findings" in out and "Sources cited" not in out
    code, out, err = run(
        capsys, "screen", str(ROOT / "cases" / "cosco-hamburg-tollerort.yaml"), "--brief", "-f", "json"
    )
    assert code == 2 and out == "" and "--brief is a report in text, markdown or html" in err
