"""Output files are replaced whole or not at all, even when the writer is killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from screening.infra.errors import ScreeningError
from screening.infra.output import write_atomic
from tests.conftest import ROOT

WRITER = """
import sys
from pathlib import Path
from screening.infra.errors import ScreeningError
from screening.infra.output import write_atomic
print("start", flush=True)
write_atomic(Path(sys.argv[1]), "x" * 200_000_000 + "\\nEND\\n")
"""


def _partial_files(directory):
    return [p for p in directory.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_mid_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("OLD COMPLETE REPORT\n")
    killed_mid_write = 0
    for delay in (0.05, 0.2, 0.4):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert child.stdout.readline().strip() == b"start"
        deadline = time.monotonic() + 10
        while not _partial_files(tmp_path) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.005)
        time.sleep(delay)
        if child.poll() is None:
            killed_mid_write += bool(_partial_files(tmp_path))
            child.send_signal(signal.SIGKILL)
        child.wait()
        assert target.read_text() == "OLD COMPLETE REPORT\n" or target.read_text().endswith("\nEND\n")
        for leftover in _partial_files(tmp_path):  # what a kill leaves is a hidden temporary, never the target
            assert leftover.name.startswith(".report.json.")
            leftover.unlink()
    assert killed_mid_write >= 1, "the writer finished before it could be killed: make the text larger"


def test_a_failed_write_removes_its_temporary_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old\n")

    def boom(*_):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(ScreeningError) as info:
        write_atomic(target, "new\n")
    assert str(info.value) == f"{target}: error: cannot write output: disk full [E401 cannot-write]"
    assert target.read_text() == "old\n" and not _partial_files(tmp_path)


def test_a_new_report_gets_the_usual_permissions(tmp_path):
    target = tmp_path / "out.json"
    mask = os.umask(0o022)
    try:
        write_atomic(target, "{}\n")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_the_cli_killed_at_any_moment_leaves_no_partial_report(tmp_path):
    target = tmp_path / "all.json"
    cases = sorted(str(p) for p in (ROOT / "cases").glob("*.yaml"))
    for delay in (0.1, 0.3, 0.6, 1.0):
        child = subprocess.Popen(
            [sys.executable, "-m", "screening", "screen", *cases, "-f", "json", "-o", str(target)], cwd=ROOT
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if target.exists():
            assert len(json.loads(target.read_text())) == len(cases)  # complete, or not there at all
        for leftover in _partial_files(tmp_path):
            leftover.unlink()
