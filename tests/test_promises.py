"""The README's promises about hostile input, each with a test that fails when it is broken.

Where the test lives:
- never a traceback: tests/test_hostile.py (every file of the hostile corpus, through the CLI),
  tests/test_fuzz_corpus.py and tests/test_fuzz_properties.py (the loaders), tests/test_hostile_fuzz.py (what the
  command-line fuzzer found) and the fuzzer's fixed-seed run in .ci/run (fuzz/fuzz_cli.py: every command);
- nothing half-written: tests/test_atomic.py (a writer and the CLI killed with SIGKILL mid-write), the kill below
  (fmt rewriting a pack), tests/test_batch.py::test_resume_after_sigkill_loses_and_repeats_nothing and
  ::test_no_half_written_parquet_when_writing_fails, tests/test_hostile_io.py (a full disk keeps the old file);
- waivers fail closed: below (a malformed entry, an unknown field such as a status, waives nothing),
  tests/test_hostile_read.py (granted after the day judged, granted after expiry),
  tests/test_rulepack_cli.py::test_screen_with_waivers_keeps_waived_findings_visible (expired, reason too short);
- a bad row fails only its row: tests/test_hostile_batch.py (not UTF-8, lone surrogates, JSON faults, overflowing
  numbers, damaged Parquet pages, killed workers), tests/test_batch.py::test_a_bad_cell_fails_its_row_only_located_at
  _the_cell and below (every kind of bad row in one batch);
- byte-identical JSON across runs and hash seeds, the same case and pack always giving the same JSON:
  tests/test_cli.py::test_outputs_are_byte_identical_across_hash_seeds, tests/test_fuzz_properties.py::
  test_screening_is_deterministic, tests/test_hostile.py::test_awkward_valid_case_screens_the_same_twice, and the
  fuzzer, which screens a sample of cases again in a new interpreter with another PYTHONHASHSEED.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from screening.cli import main
from tests.conftest import ROOT

ALIBABA = ROOT / "cases" / "alibaba-liege.yaml"
ENTRY = {
    "case": "alibaba-liege",
    "rule": "IC-013",
    "reason": "Ownership above Alibaba Group is public record for a listed company.",
    "approver": "J. Peeters, head of unit",
    "expires": "2027-06-30",
}


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def waivers_file(path: Path, entry: dict[str, object]) -> Path:
    lines = ["format: 1", "waivers:"]
    for i, (key, value) in enumerate(entry.items()):
        lines.append(("  - " if i == 0 else "    ") + f"{key}: {value}")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def ic013(report: dict) -> dict:
    return next(f for f in report["findings"] if f["rule"] == "IC-013")


# --- waivers fail closed -------------------------------------------------------------------------------------

MALFORMED = {  # how the entry is changed, and the problem its line on stderr must name
    "unknown status": ({"status": "approved"}, "waivers.0.status: unknown field 'status'", "E104 unknown-field"),
    "waived: true": ({"waived": "true"}, "waivers.0.waived: unknown field 'waived'", "E104 unknown-field"),
    "no approver": ({"approver": None}, "waivers.0: missing required field 'approver'", "E105 missing-field"),
    "approver a number": ({"approver": "7"}, "waivers.0.approver: expected text", "E103 wrong-type"),
    "no such day": ({"expires": "2027-02-30"}, "waivers.0.expires", "E106 bad-value"),
    "expiry not a date": ({"expires": "someday"}, "waivers.0.expires", "E106 bad-value"),
    "rule a list": ({"rule": "[IC-013]"}, "waivers.0.rule: expected text", "E103 wrong-type"),
    "reason too short": ({"reason": "ok"}, "waivers.0.reason", "E106 bad-value"),
}


def test_a_well_formed_waiver_waives(tmp_path, capsys):
    path = waivers_file(tmp_path / "w.yaml", ENTRY)
    code, out, err = run(capsys, "screen", ALIBABA, "-w", path, "--as-of", "2026-11-28", "-f", "json")
    assert (code, err) == (0, "")
    assert ic013(json.loads(out))["waived"] is True


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_waiver_entry_waives_nothing(tmp_path, capsys, name):
    change, fragment, code_name = MALFORMED[name]
    entry = {k: v for k, v in {**ENTRY, **change}.items() if v is not None}
    path = waivers_file(tmp_path / "w.yaml", entry)
    plain = json.loads(run(capsys, "screen", ALIBABA, "--as-of", "2026-11-28", "-f", "json")[1])
    code, out, err = run(capsys, "screen", ALIBABA, "-w", path, "--as-of", "2026-11-28", "-f", "json")
    assert code == 0
    (line,) = err.splitlines()
    assert line.startswith(f"{path}:") and fragment in line
    assert line.endswith(f"[{code_name}] (this waiver is ignored)")
    report = json.loads(out)
    assert ic013(report)["waived"] is False and "waiver" not in ic013(report)
    assert report["score"] == plain["score"] and report["level"] == plain["level"]
    check = run(capsys, "check", path, ALIBABA, "--as-of", "2026-11-28")
    assert check[0] == 1 and code_name in check[1]  # and check fails on it


def test_a_waivers_file_that_is_not_a_list_of_waivers_waives_nothing(tmp_path, capsys):
    path = tmp_path / "w.yaml"
    path.write_text("format: 1\nwaivers:\n  case: alibaba-liege\n  rule: IC-013\n", "utf-8")
    code, out, err = run(capsys, "screen", ALIBABA, "-w", path, "--as-of", "2026-11-28", "-f", "json")
    assert (code, out) == (2, "")
    assert err == f"{path}:2:1: error: waivers: expected a list, found a mapping [E103 wrong-type]\n"


# --- nothing half-written: fmt killed while it rewrites a pack ------------------------------------------------


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_fmt_killed_at_any_moment_leaves_each_rule_file_old_or_new(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    messy = {}
    for path in sorted(pack.glob("*.yaml")):  # the same rules, laid out otherwise: fmt rewrites every file
        text = yaml.safe_dump(yaml.safe_load(path.read_text("utf-8")), indent=4, sort_keys=True, allow_unicode=True)
        messy[path.name] = text
        path.write_text(text, "utf-8")
    subprocess.run(
        [sys.executable, "-m", "screening", "fmt", str(pack)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
    )
    formatted = {p.name: p.read_text("utf-8") for p in pack.glob("*.yaml")}
    killed = 0
    for delay in (0.3, 0.5, 0.7, 0.9, 1.2):
        for name, text in messy.items():
            (pack / name).write_text(text, "utf-8")
        child = subprocess.Popen(
            [sys.executable, "-m", "screening", "fmt", str(pack)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        killed += child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait()
        for path in pack.glob("*.yaml"):
            assert path.read_text("utf-8") in (messy[path.name], formatted[path.name]), path.name
        for leftover in pack.glob(".*.tmp"):  # what a kill may leave: a hidden temporary, never a rule file
            leftover.unlink()
    assert killed, "fmt finished before it could be killed"
    if Path("/proc").is_dir():  # and none of its forked workers is left waiting for work that never comes
        time.sleep(1)
        left = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(pack).encode() in cmdline.read_bytes():
                    left.append(cmdline.parent.name)
            except OSError:
                pass
        assert not left, f"fmt workers outlived a killed fmt: {left}"


# --- a bad row fails only its row: every kind at once -----------------------------------------------------------


def test_every_kind_of_bad_row_fails_alone_in_one_batch(tmp_path, capsys):
    good = json.dumps(
        {
            "format": 1,
            "id": "good",
            "title": "Good",
            "investor": "inv",
            "entities": [{"id": "inv", "name": "Inv", "country": "NO", "kind": "private_company"}],
            "target": {"name": "T", "country": "DE"},
        }
    )
    bad = [
        b'{"format": 1, "id": "dup", "id": "dup"}',
        b'{"format": 1, "id": "big", "x": 1e400}',
        b'{"format": 1, "id": "\\ud800"}',
        b'{"format": 1, "id": "latin", "title": "caf\xe9"}',
        b"{not json",
        b'{"format": 1, "id": "deep", "x": ' + b"[" * 100 + b"]" * 100 + b"}",
        b"[]",
        b"null",
        b'{"format": 1, "id": "n", "target": {"name": "T", "country": "DE", "turnover_eur": ' + b"9" * 400 + b"}}",
    ]
    lines = []
    for i, line in enumerate(bad):
        lines += [good.replace('"good"', f'"good{i}"').encode(), line]
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "results.jsonl"
    code, _, err = run(capsys, "batch", "--no-progress", source, "-o", out)
    assert code == 1, err  # rows failed
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [r["source"] for r in rows] == [f"{source}:{i}" for i in range(1, len(lines) + 1)]
    assert all(r["level"] and not r["error"] for r in rows[0::2])
    assert all(not r["level"] and r["error"].startswith(f"{source}:{2 * i + 2}") for i, r in enumerate(rows[1::2]))
