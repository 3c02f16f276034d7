"""Hostile and broken case files: each is refused with located, one-line problems and exit code 2.

``hostile/*.yaml`` are attacks (tags, aliases, nesting, size, odd characters), YAML 1.1 surprises,
wrong types at every level, foreign encodings and line ends, truncated files, duplicate keys and keys
that are not text. Each says on its first line what must be reported among its problems::

    # expect: LINE:COL CODE message fragment
    # expect: - CODE message fragment          (a problem without a location)

A file that cannot hold a text header (UTF-16, empty, only a BOM) has the line in a sidecar
``NAME.expect`` instead. ``hostile/valid/*.yaml`` are awkward but valid cases (unquoted ``NO``,
Chinese and Arabic names, BOM with CRLF, astral characters): they screen with exit code 0 and give
byte-identical JSON on a second run.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

import pytest

from screening import api
from screening.case.load import load_case
from screening.cli import main
from screening.infra.errors import ScreeningError

HERE = Path(__file__).parent
HOSTILE = HERE / "hostile"
FILES = sorted(HOSTILE.glob("*.yaml"))
VALID = sorted((HOSTILE / "valid").glob("*.yaml"))
HEADER = re.compile(rb"# expect: (?:(\d+):(\d+)|-) (E\d{3}) (.+)")
BOM = b"\xef\xbb\xbf"

_TYPED_TAG = (
    "a standard tag on content it cannot hold escapes from the constructor as {}: "
    "it should be a located E100 naming the value"
)
_EOF = (
    "an error at the end of a file without a final line break is placed on line {}, which the file "
    "does not have; it should be placed where the text ends"
)
_UNESCAPED = (
    "the key is printed as is in the message, so the problem takes {} on stderr; keys should be "
    "shown escaped (like values, with repr)"
)
_READER = (
    "a control character is reported without line and column, in a message of two lines "
    "('in \"<unicode string>\", position N'); it should be located, on one line"
)
_BOM_E002 = (
    "after a UTF-8 BOM, E002 counts from the end of the BOM: it names the wrong byte (0x{}) and the wrong place ({})"
)
_ALIAS_AT = "a key written as an alias (*k) is reported where its anchor is ({}), not where the alias is used as a key"
_REF = (
    "with a 'ref' entity, registry.expand replaces a non-list '{}' by the pulled-in list, so the "
    "wrong type is never reported{}"
)
_NL = (
    "libyaml treats {} as a line break (YAML 1.1); YAML 1.2 and editors do not, so a comment holding "
    "one is cut in two and the rest of the comment is parsed as YAML (E100 at 6:1 instead of the "
    "file's real problem)"
)
XFAIL: dict[str, str] = {}


class Expect(NamedTuple):
    line: int | None
    column: int | None
    code: str
    fragment: str

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}" if self.line is not None else "-"
        return f"{where} {self.code} ...{self.fragment}..."


def expectation(path: Path) -> Expect:
    """The problem a hostile file must report: its first line, or its sidecar NAME.expect."""
    sidecar = path.with_suffix(".expect")
    source = sidecar if sidecar.exists() else path
    first = source.read_bytes().removeprefix(BOM).splitlines()[0]
    match = HEADER.fullmatch(first.rstrip())
    assert match, f"{source.name}: first line is not '# expect: LINE:COL CODE fragment'"
    line, column, code, fragment = match.groups()
    return Expect(line and int(line), column and int(column), code.decode(), fragment.decode())


def line_lengths(path: Path) -> list[int]:
    """Length in characters of each line, line ends being LF, CRLF or CR (undecodable bytes count one)."""
    text = path.read_bytes().removeprefix(BOM).decode("utf-8", errors="replace")
    return [len(line) for line in re.split(r"\r\n|\r|\n", text)]


@pytest.fixture(scope="module", autouse=True)
def default_settings(tmp_path_factory):
    """Default limits whatever the environment says, a private pack cache, and the pack compiled once."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT"):
            mp.delenv(var, raising=False)
        mp.setenv("SCREENING_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        mp.setattr(api, "pack_at", functools.cache(api.pack_at))  # the cases are under test, not the pack
        yield


def _param(path: Path) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=XFAIL[path.stem])] if path.stem in XFAIL else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_hostile_case_is_refused_with_located_problems(path, capsys):
    expect = expectation(path)
    code = main(["screen", str(path), "-f", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == 2, err
    assert out == "", "no report when a case cannot be read"

    with pytest.raises(ScreeningError) as info:
        load_case(path)
    problems = info.value.problems
    assert problems

    assert err.endswith("\n")
    lines = err[:-1].split("\n")
    assert lines == [str(p) for p in problems], "stderr must hold one line per problem"
    form = re.compile(re.escape(str(path)) + r"(?::(\d+):(\d+))?: error: (.+) \[(E\d{3}) [a-z]+(?:-[a-z]+)*\]")
    for line, problem in zip(lines, problems, strict=True):
        match = form.fullmatch(line)
        assert match, f"not in the 'file:line:col: error: message [CODE name]' form: {line!r}"
        assert not [c for c in line if unicodedata.category(c) == "Cc"], f"control character in {line!r}"
        assert match.group(4) == problem.code

    lengths = line_lengths(path)
    for problem in problems:  # a location is a place in the file: at most just after its last character
        if problem.line is not None:
            assert 1 <= problem.line <= len(lengths), f"line outside the file: {problem}"
            assert 1 <= (problem.column or 1) <= lengths[problem.line - 1] + 1, f"column outside the line: {problem}"

    found = [p for p in problems if (p.line, p.column, p.code) == expect[:3]]
    assert found, f"expected {expect}; reported:\n" + "\n".join(lines)
    assert any(expect.fragment in p.message for p in found), f"expected {expect}; message is {found[0].message!r}"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_awkward_valid_case_screens_the_same_twice(path, capsys):
    assert main(["screen", str(path), "-f", "json"]) == 0
    first, err = capsys.readouterr()
    assert err == ""
    assert main(["screen", str(path), "-f", "json"]) == 0
    second, _ = capsys.readouterr()
    assert first.encode("utf-8") == second.encode("utf-8")

    def strict(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    report = json.loads(first, parse_constant=strict)
    assert report


def test_yaml_1_1_words_stay_text():
    case = load_case(HOSTILE / "valid" / "norway-no-unquoted.yaml")
    assert case.investor.country == "NO"
    assert case.data["entities"][0]["state_links"][0]["state"] == "NO"
    case = load_case(HOSTILE / "valid" / "yaml-1-1-words-stay-text.yaml")
    assert (case.id, case.title, case.data["summary"], case.investor_id) == ("0777", "yes", "off", "on")
    assert all(isinstance(tag, str) for tag in case.data["tags"])
    assert case.data["tags"][:3] == ["no", "NO", "on"]
    assert case.data["ownership"][0]["equity_pct"] == 10.0  # 1e1 is a YAML 1.2 float


def test_yaml_1_2_numbers_are_numbers():
    """-0, +0, .5 and -.5e1 are numbers in YAML 1.2's core schema (they were read as text)."""
    case = load_case(HOSTILE / "valid" / "yaml-1-2-numbers.yaml")
    tx, target = case.data["transaction"], case.data["target"]
    assert (tx["stake_before_pct"], tx["stake_after_pct"], tx["price_premium_pct"]) == (0, 12.0, -5.0)
    assert (target["turnover_eur"], target["land_area_m2"]) == (1000.0, 0.5)
    assert case.data["entities"][0]["state_ownership_pct"] == 0
    assert all(type(v) in (int, float) for v in (*tx.values(), target["turnover_eur"]) if v != "minority_stake")


def test_non_latin_names_survive():
    case = load_case(HOSTILE / "valid" / "chinese-names.yaml")
    assert case.investor.name == "华科控股（香港）有限公司"
    case = load_case(HOSTILE / "valid" / "arabic-rtl-names.yaml")
    assert case.investor.name == "صندوق الاستثمارات العامة"
    assert "\u200f" in case.data["summary"]


def test_corpus():
    assert len(FILES) >= 60
    assert len(VALID) >= 3
    assert not set(XFAIL) - {p.stem for p in FILES}, "stale XFAIL entries"
    sidecars = {p.stem for p in HOSTILE.glob("*.expect")}
    assert sidecars <= {p.stem for p in FILES}, "sidecar without its file"
    bad = {p.read_bytes() for p in (HERE / "bad" / "cases").glob("*.yaml")}
    assert not [p.name for p in FILES if p.read_bytes() in bad], "duplicates tests/bad/cases"
    assert len({p.read_bytes() for p in FILES}) == len(FILES), "two hostile files are the same"
