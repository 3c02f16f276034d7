"""`screening init DIR`: a pack that checks, tests and formats clean from the first run, and moves whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
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


def _git(cwd: Path, *argv: str) -> None:
    import os
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *argv], cwd=cwd, check=True, capture_output=True, env={**os.environ, **env})


def _weight_raised(pack: Path) -> None:
    rules = pack / "rules.yaml"
    rules.write_text(rules.read_text().replace("weight: 20", "weight: 25", 1))


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_workflow_diff_reads_the_old_pack_from_git(capsys, tmp_path, monkeypatch):
    # The workflow `init` writes runs `screening diff origin/BASE:. .` at the top of the pack's repository; git
    # itself reads `REV:.` as no object ("path '.' exists on disk, but not in 'REV'"), so the step failed on every
    # pull request with E001.
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    pack = tmp_path / "pack"
    assert run(capsys, "init", str(pack))[0] == 0
    workflow = yaml.safe_load((pack / ".github" / "workflows" / "rules.yml").read_text())
    (step,) = [s["run"] for s in workflow["jobs"]["rules"]["steps"] if s.get("run", "").startswith("screening diff")]
    argv = step.replace("origin/${{ github.base_ref }}", "HEAD").split()[1:]
    assert argv[:3] == ["diff", "HEAD:.", "."]
    _git(pack, "init", "-q")
    _git(pack, "add", "-A")
    _git(pack, "commit", "-qm", "pack")
    _weight_raised(pack)
    monkeypatch.chdir(pack)
    code, out, err = run(capsys, *argv[:3])
    assert code == 0, err
    assert "weight 20 → 25" in out and "score 20 → 25" in out
    for spec in ("HEAD:./", "HEAD:"):  # the same tree, written as git writes it
        assert run(capsys, "diff", spec, ".")[0] == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_reads_a_pack_from_git_in_a_subdirectory(capsys, tmp_path, monkeypatch):
    # Run inside rules/ of a repository, `HEAD:.` and `HEAD:rules` are both that directory (git ls-tree limits its
    # names to the current directory unless told --full-tree: the old pack came out empty, E001 pack.yaml).
    monkeypatch.setenv("SCREENING_CACHE_DIR", "")
    pack = tmp_path / "repo" / "rules"
    assert run(capsys, "init", str(pack))[0] == 0
    _git(tmp_path / "repo", "init", "-q")
    _git(tmp_path / "repo", "add", "-A")
    _git(tmp_path / "repo", "commit", "-qm", "pack")
    _weight_raised(pack)
    monkeypatch.chdir(pack)
    for spec in ("HEAD:.", "HEAD:rules"):
        code, out, err = run(capsys, "diff", spec, ".")
        assert code == 0, err
        assert "weight 20 → 25" in out
