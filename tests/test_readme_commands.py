"""Every command of the README's shell blocks runs as printed in a fresh clone of the repository.

A block is left out when an HTML comment just above it says "not run by the README test" (installing, the
test suite itself, fuzzing), and a line when its own comment says so (a Dask cluster, a file of the
reader's own). Each command runs in bash, in a clone of this repository with the working tree's tracked
files laid over it, with this environment's ``screening``; it must end with exit 0 or 1 (1: a finding at
the threshold, a lint), never a usage error, an input error or a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
MARK = "not run by the README test"
COMMENT = re.compile(r"\s+#\s.*$")


def shell_lines() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The commands of the README's ``sh`` blocks (line number, command), and those marked not to run."""
    run: list[tuple[int, str]] = []
    left: list[tuple[int, str]] = []
    lines = README.read_text("utf-8").splitlines()
    inside, skip, previous = False, False, ""
    for number, line in enumerate(lines, 1):
        if not inside and line.strip() == "```sh":
            inside, skip = True, MARK in previous
            continue
        if inside and line.strip() == "```":
            inside = False
            continue
        if line.strip():
            previous = line
        if not inside or not line.strip() or line.lstrip().startswith("#"):
            continue
        if skip or MARK in line:
            left.append((number, line))
        else:
            run.append((number, COMMENT.sub("", line).strip()))
    return run, left


def test_the_readme_has_commands_and_marks_the_few_it_cannot_run():
    run, left = shell_lines()
    assert len(run) >= 25
    assert all("pip install" not in command for _, command in run)
    assert len(left) <= 15, left
    assert not any(re.search(r"\bCASE\b|\[--", command) for _, command in run)  # no placeholders left


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    target = tmp_path_factory.mktemp("readme") / "screening"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):  # the working tree as it is now, tracked files only
        source, copy = ROOT / name, target / name
        if source.is_file() and not source.is_symlink():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
    return target


@pytest.mark.slow  # reason: some 30 commands, each a process (about 30 s)
@pytest.mark.parametrize("number, command", shell_lines()[0], ids=[f"README:{n}" for n, _ in shell_lines()[0]])
def test_readme_command_runs_as_printed(clone, number, command, tmp_path):
    env = {**os.environ, "SCREENING_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "100"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode in (0, 1), f"README line {number}: {command}\nexit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    if done.returncode == 1:  # a threshold reached or a lint, said on stdout or stderr, never silently
        assert done.stdout or done.stderr


def test_browser_tests_are_reported_skipped_without_chromium(tmp_path):
    """Where no Chromium is installed, the README's test command says the browser tests were skipped, and why."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if k != "SCREENING_REQUIRE_BROWSER"}
    env["PATH"] = str(bin_dir)  # no chromium on it
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_browser.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "skipped" in done.stdout.splitlines()[-1] and "passed" not in done.stdout.splitlines()[-1]
    assert "SKIPPED" in done.stdout and "chromium is not installed" in done.stdout
