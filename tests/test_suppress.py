"""Leaving out problems of `screening check`: --select/--ignore, inline comments, [tool.screening]."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from screening.cli import main
from screening.infra.errors import Problem
from screening.tooling.settings import directives, read_settings, select, suppress
from tests.conftest import ROOT


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pack(tmp_path, monkeypatch) -> Path:
    """A copy of the default pack, without its tests (whose cases stay behind), in a directory of its own."""
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target, ignore=shutil.ignore_patterns("tests"))
    return target


def codes(out: str) -> list[str]:
    return [p["code"] for p in json.loads(out)["problems"]]


def test_default_pack_warns_w302(capsys, pack):
    code, out, _ = run(capsys, "check", str(pack), "--format", "json")
    assert code == 0 and codes(out).count("W302") == 3 and not [c for c in codes(out) if c.startswith("E")]


def test_ignore_and_select_codes_and_prefixes(capsys, pack):
    assert "W302" not in codes(run(capsys, "check", str(pack), "-f", "json", "--ignore", "W302")[1])
    assert codes(run(capsys, "check", str(pack), "-f", "json", "--ignore", "W3")[1]) == []
    assert codes(run(capsys, "check", str(pack), "-f", "json", "--select", "E")[1]) == []
    assert codes(run(capsys, "check", str(pack), "-f", "json", "--select", "E1,W302")[1]) == ["W302"] * 3
    code, _, err = run(capsys, "check", str(pack), "--ignore", "X999")
    assert code == 2 and "X999" in err


def test_inline_comment_on_the_line_and_on_the_rule(capsys, pack):
    rules = pack / "mitigations.yaml"
    lines = rules.read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id: MI-00")]
    practice = [i for i, line in enumerate(lines) if line.startswith("    practice:")]
    # MI-007 by its `- id:` line, MI-008 by the line of the problem
    mi007 = next(i for i in starts if lines[i].endswith("MI-007"))
    lines[mi007] += "  # screening: ignore[W302] the unit's own practice, reviewed 2026"
    lines[practice[-1]] += "  # screening: ignore[W302] reviewed"
    rules.write_text("\n".join(lines) + "\n")
    code, out, _ = run(capsys, "check", str(pack), "--format", "json", "--select", "W302,W330,W331")
    problems = json.loads(out)["problems"]
    assert [(p["code"], p["rule"]) for p in problems] == [("W302", "IC-014")], problems


def test_inline_comment_without_reason_or_unused_is_reported(capsys, pack):
    rules = pack / "state_influence.yaml"
    text = rules.read_text().replace("  - id: SI-001\n", "  - id: SI-001  # screening: ignore[W301]\n", 1)
    text = text.replace("  - id: SI-002\n", "  - id: SI-002  # screening: ignore[W999] no such\n", 1)
    rules.write_text(text)
    code, out, _ = run(capsys, "check", str(pack), "--format", "json", "--ignore", "W302")
    found = {(p["code"], p["message"].split(":")[0]) for p in json.loads(out)["problems"]}
    assert ("W330", "say why the problem is ignored, after the codes") in found
    assert ("W331", "unused suppression") in found
    assert ("W331", "no such problem code") in found


def test_pyproject_table(capsys, pack, tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "rules"\n\n[tool.screening]\npack = "rules"\nseverity = "warning"\nignore = ["W3"]\n'
    )
    assert run(capsys, "check")[0] == 0  # the pack of the table, its warnings ignored
    (tmp_path / "pyproject.toml").write_text('[tool.screening]\npack = "rules"\nseverity = "warning"\n')
    code, out, _ = run(capsys, "check")
    assert code == 1 and "W302" in out  # warnings fail now
    code, out, _ = run(capsys, "check", "--severity", "error")
    assert code == 0  # the option wins
    code, out, _ = run(capsys, "test")
    assert code == 0 and "(100.0%) made to fire" in out  # test reads the pack of the table too


def test_pyproject_mistakes_are_reported(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.screening]\npak = "rules"\nseverity = "loud"\nignore = ["W302", "Q1"]\n')
    settings, problems = read_settings(path)
    assert [p.code for p in problems] == ["E104", "E106", "E106"]
    assert settings.ignore == ("W302",)
    path.write_text("[tool.other]\nx = 1\n")
    assert read_settings(path) == (read_settings(path)[0], []) and read_settings(path)[0].file is None


def test_select_and_suppress_are_pure():
    a = Problem("f.yaml", 3, 5, "W302", "m", severity="warning", rule="R-1")
    b = Problem("f.yaml", 9, 5, "E201", "m", rule="R-2")
    assert select([a, b], ("E",), ()) == [b] and select([a, b], (), ("W3",)) == [b]
    text = "x\ny\n  - id: R-1  # screening: ignore[W302, W301] why\n"
    assert directives("f.yaml", text)[0].codes == ("W302", "W301")
    assert directives("f.yaml", text)[0].rule == "R-1"
    kept = suppress([a, b], {"f.yaml": text})
    assert kept == [b]  # W301 is named beside W302 and used: one comment, used once, is not unused
