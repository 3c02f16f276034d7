"""`screening check` on a corpus of broken rule packs: every problem has its code, line, column and rule.

Two corpora, one kind of problem per file or directory:

* ``bad/rules/*.yaml``: broken rule files. Each is added, under its own name, to a copy of the small
  test pack ``data/pack``. Its first lines say what check must report there::

      # expect: LINE:COL CODE [RULE-ID] message fragment

  ``[RULE-ID]`` is given when the problem belongs to a rule, and is then the problem's ``rule``;
  without it the problem names no rule.
* ``bad/packs/<name>/``: broken pack-level files (pack.yaml, scoring.yaml, legal.yaml, sources.yaml,
  ``tests/*.yaml``), which replace or add to files of the copy. ``waivers.yaml`` and ``cases/`` are put
  beside the pack and passed to check along with it. ``expect.txt`` holds lines::

      FILE LINE:COL CODE [RULE-ID] message fragment     (FILE relative to the pack; LINE:COL "-:-" for none)
      remove FILE                                      (delete FILE from the copy first)

Besides the expected problems, a file may cause no other error anywhere, and the good rules of the
test pack must still load with the same (lint) warnings as before.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from screening.infra.errors import CODES, Problem
from screening.pack.load import read_pack
from screening.tooling.check import CheckResult, check_paths

HERE = Path(__file__).parent
ROOT = HERE.parent
PACK = HERE / "data" / "pack"
RULE_FILES = sorted((HERE / "bad" / "rules").glob("*.yaml"))
PACK_DIRS = sorted(p for p in (HERE / "bad" / "packs").iterdir() if p.is_dir())
ON = dt.date(2026, 11, 28)
"""The day waivers are judged on."""
GOOD_RULES = {"T-001", "T-002", "T-003", "T-004", "T-005"}
BESIDE = ("waivers.yaml", "cases")
"""Entries of a pack corpus directory that go beside the pack, not into it."""

HEADER = re.compile(rb"# expect: (\d+):(\d+) ([EW]\d{3}) (?:\[([^\]]+)\] )?(.+)")
LINE = re.compile(r"(\S+) (\d+|-):(\d+|-) ([EW]\d{3}) (?:\[([^\]]+)\] )?(.+)")

LINT_AT_RULE = (
    "lints are placed at the start of the rule (lint_pack uses the rule's line for every "
    "warning), not at the key they are about"
)
WAIVER_AT_ENTRY = (
    "waiver problems are placed at the start of the waiver entry (Waiver keeps only the "
    "entry's line), not at the key they are about"
)
XFAIL: dict[str, str] = {}

UNCOVERED: dict[str, str] = {
    "W345": "a note in a batch row (a value table's default taken), tested in tests/test_mapping.py",
    "W370": "a damaged watchlist index in the cache, tested in tests/test_watchlist_index.py",
    "W371": "an unknown country code of a FollowTheMoney watchlist, tested in tests/test_watchlists.py",
    "W381": "a case source that differs from the entity registry's of its id, tested in tests/test_registry.py",
}
"""Codes of the E1xx, E2xx, W3xx families (and E310) that no corpus file exercises, with the reason."""


class Expect(NamedTuple):
    file: str
    line: int | None
    column: int | None
    code: str
    rule: str | None
    fragment: str

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.file}:{self.line}:{self.column} {self.code}{rule} ...{self.fragment}..."


def rule_file_expectations(path: Path) -> list[Expect]:
    out = []
    for line in path.read_bytes().splitlines():
        match = HEADER.match(line)
        if match:
            row, col, code, rule, fragment = match.groups()
            out.append(
                Expect(path.name, int(row), int(col), code.decode(), rule and rule.decode(), fragment.decode().strip())
            )
    return out


def pack_expectations(directory: Path) -> tuple[list[Expect], list[str]]:
    """The expected problems of a pack corpus directory, and the files to remove from the copy."""
    expects, removals = [], []
    for line in (directory / "expect.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("remove "):
            removals.append(line.split(None, 1)[1].strip())
            continue
        match = LINE.fullmatch(line.strip())
        assert match, f"{directory.name}/expect.txt: cannot read {line!r}"
        file, row, col, code, rule, fragment = match.groups()
        expects.append(
            Expect(file, None if row == "-" else int(row), None if col == "-" else int(col), code, rule, fragment)
        )
    return expects, removals


def _param(name: str, value: Path) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
    return pytest.param(value, id=name, marks=marks)


@pytest.fixture(scope="module", autouse=True)
def no_pack_cache():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCREENING_CACHE_DIR", "")
        yield


class Run(NamedTuple):
    result: CheckResult
    pack: Path
    """The pack copy."""
    base: Path
    """The directory holding the pack copy (and the waivers and cases passed beside it)."""

    def where(self, file: str) -> Path:
        """Where a file named in an expectation is."""
        return self.base / file if file.split("/")[0] in BESIDE else self.pack / file

    def errors(self) -> list[Problem]:
        return [p for p in self.result.problems if p.severity == "error"]

    def show(self, expects: Sequence[Expect] = ()) -> str:
        """The problems of the files expected to have some, and every error, for failure messages."""
        files = {self.where(e.file) for e in expects}
        shown = [p for p in self.result.problems if Path(p.file) in files or p.severity == "error"]
        return "\n".join(str(p).replace(str(self.base) + "/", "") for p in shown) or "(nothing)"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Check a corpus entry (a rule file or a pack directory) once; later calls reuse the result."""
    runs: dict[str, Run] = {}

    def run(entry: Path) -> Run:
        key = str(entry)
        if key not in runs:
            base = tmp_path_factory.mktemp(entry.stem)
            pack = base / "pack"
            shutil.copytree(PACK, pack)
            paths = [pack]
            if entry.is_file():
                shutil.copyfile(entry, pack / entry.name)
            elif entry != PACK:
                for item in sorted(entry.iterdir()):
                    if item.name == "expect.txt":
                        continue
                    dest = (base if item.name in BESIDE else pack) / item.name
                    if item.is_dir():
                        shutil.copytree(item, dest, dirs_exist_ok=True)
                    else:
                        shutil.copyfile(item, dest)
                    if item.name in BESIDE:
                        paths.append(dest)
                for name in pack_expectations(entry)[1]:
                    (pack / name).unlink()
            runs[key] = Run(check_paths(paths, on=ON), pack, base)
        return runs[key]

    return run


@pytest.fixture(scope="module")
def baseline(corpus) -> set[tuple[str, int | None, int | None, str]]:
    """The (lint) problems of the intact test pack: what rules.yaml reports before a file is added."""
    run = corpus(PACK)
    assert not run.errors(), run.show()
    return {(Path(p.file).name, p.line, p.column, p.code) for p in run.result.problems}


def assert_reported(run: Run, expects: list[Expect]) -> None:
    for expect in expects:
        path = run.where(expect.file)
        here = [p for p in run.result.problems if Path(p.file) == path]
        found = [p for p in here if (p.line, p.column, p.code) == (expect.line, expect.column, expect.code)]
        assert found, f"expected {expect}; reported:\n{run.show(expects)}"
        matching = [p for p in found if expect.fragment in p.message]
        assert matching, f"expected {expect}; message is {found[0].message!r}"
        assert any(p.rule == expect.rule for p in matching), (
            f"expected {expect} to name rule {expect.rule}; it names {matching[0].rule}"
        )


def assert_no_other_error(run: Run, expects: list[Expect]) -> None:
    allowed = {(run.where(e.file), e.line, e.column, e.code) for e in expects}
    other = [p for p in run.errors() if (Path(p.file), p.line, p.column, p.code) not in allowed]
    assert not other, "errors besides the expected ones:\n" + "\n".join(map(str, other))


@pytest.mark.parametrize("path", [_param(p.stem, p) for p in RULE_FILES])
def test_bad_rule_file(path, corpus, baseline):
    expects = rule_file_expectations(path)
    assert expects, f"{path.name} has no '# expect:' line"
    run = corpus(path)
    assert str(run.pack / path.name) in run.result.files
    assert_reported(run, expects)
    assert_no_other_error(run, expects)
    for name in ("pack.yaml", "scoring.yaml", "rules.yaml"):
        now = {(name, p.line, p.column, p.code) for p in run.result.problems if Path(p.file) == run.pack / name}
        assert now == {b for b in baseline if b[0] == name}, f"{name} reports something new:\n{run.show()}"
    pack, _ = read_pack(run.pack, use_cache=False)
    assert pack is not None and GOOD_RULES <= {r.id for r in pack.rules}


@pytest.mark.parametrize("directory", [_param(d.name, d) for d in PACK_DIRS])
def test_bad_pack(directory, corpus):
    expects, _ = pack_expectations(directory)
    assert expects, f"{directory.name}/expect.txt expects nothing"
    run = corpus(directory)
    assert_reported(run, expects)
    assert_no_other_error(run, expects)


def test_corpus_size():
    assert len(RULE_FILES) + len(PACK_DIRS) >= 36
    assert not set(XFAIL) - {p.stem for p in RULE_FILES} - {d.name for d in PACK_DIRS}, "stale XFAIL entries"


def test_default_pack_has_no_errors():
    result = check_paths([ROOT / "rules"], on=ON)
    for problem in result.problems:  # warnings are allowed; shown with -rP or -s
        print(problem)
    assert result.count("error") == 0, "\n".join(str(p) for p in result.problems if p.severity == "error")
    assert str(ROOT / "rules" / "pack.yaml") in result.files


def test_every_problem_code_is_exercised(corpus):
    """Each code of the rule-pack, condition, lint and waiver families is reported by some corpus entry."""
    wanted = {c for c in CODES if c.startswith(("E1", "E2", "W3")) or c == "E310"}
    reported: set[str] = set()
    for entry in RULE_FILES + PACK_DIRS:
        try:
            run = corpus(entry)
        except Exception:  # a crash fails (or xfails) the entry's own test
            continue
        files = [
            run.where(e.file)
            for e in (rule_file_expectations(entry) if entry.is_file() else pack_expectations(entry)[0])
        ]
        reported |= {p.code for p in run.result.problems if Path(p.file) in files}
    assert not set(UNCOVERED) & reported, "codes listed as uncovered are exercised now"
    assert wanted - reported == set(UNCOVERED), f"not exercised: {sorted(wanted - reported - set(UNCOVERED))}"


def test_duplicate_key_leaves_out_only_its_rule(corpus):
    """A repeated key inside one rule leaves out that rule; the rules beside it load and are checked."""
    run = corpus(HERE / "bad" / "rules" / "duplicate-key-one-rule.yaml")
    pack, problems = read_pack(run.pack, use_cache=False)
    assert pack is not None
    ids = {r.id for r in pack.rules}
    assert "T-102" in ids and not {"T-101", "T-103"} & ids
    assert [p.code for p in problems if p.severity == "error"] == ["E101", "E201"]


def test_every_mistake_of_a_condition_in_one_run(corpus):
    """The first mistake in a condition hides none of the others."""
    run = corpus(HERE / "bad" / "rules" / "several-mistakes.yaml")
    codes = [p.code for p in run.result.problems if p.rule == "T-101"]
    assert codes == ["E201", "E202", "E103", "E107", "E107"]
