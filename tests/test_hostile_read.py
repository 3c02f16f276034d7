"""Hostile reads that are not one case file: FIFOs and devices, files of millions of values, deep nesting,
limits set oddly in the environment, a pack whose links or tests lead out of it, a stale pack cache.

Each attack runs through the command line, in its own process where a real process matters (a read that
could block for ever, memory), and must end in a located problem with a stable code and exit code 2
within a generous time: never a traceback, never a hang, never a read without end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

CASE = ROOT / "cases" / "benign-nordic-bakery.yaml"
MAPPING = ROOT / "examples" / "deals-mapping.yaml"
LIMIT_VARS = ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT")
HEAD = "format: 1\nid: x\ntitle: t\ninvestor: b\nentities: [{id: b, name: B}]\ntarget: {name: T}\n"

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
sys.stdout.write(f"{done.returncode} {wall:.3f} {peak:.0f}\\n{done.stderr}")
"""


class Run:
    """A finished command: exit code, output, and how long it took (and its peak memory, when measured)."""

    def __init__(self, code: int, out: str, err: str, seconds: float, mib: float = 0.0) -> None:
        self.code, self.out, self.err, self.seconds, self.mib = code, out, err, seconds, mib

    def refused(self, code: str, fragment: str = "") -> Run:
        """Assert the command ended with exit code 2 and one-line located problems, ``code`` among them."""
        assert "Traceback" not in self.err and "internal error" not in self.err, self.err
        assert self.code == 2, (self.code, self.err)
        assert f"[{code} " in self.err, self.err
        assert fragment in self.err, self.err
        return self


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in LIMIT_VARS and k != "SCREENING_TRACEBACK"}
    return {**base, "SCREENING_CACHE_DIR": "", **extra}


def screening(*args: object, timeout: float = 60, **extra: str) -> Run:
    """``screening ARGS`` in its own process, killed (and the test failed) when it outlives ``timeout``."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "screening", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env(**extra),
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"screening {' '.join(map(str, args))} still running after {timeout} s")
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - start)


def measured(*args: object, timeout: float = 120, **extra: str) -> Run:
    """``screening ARGS`` with its wall time and peak resident memory (``ru_maxrss`` of its process)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "screening", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(**extra),
        cwd=ROOT,
    )
    head, _, err = done.stdout.partition("\n")
    code, seconds, mib = head.split()
    return Run(int(code), "", err, float(seconds), float(mib))


# --- 16: FIFOs and devices are refused, unread, whatever names them -------------------------------------------


def fifo(path: Path) -> Path:
    os.mkfifo(path)  # nobody ever writes to it: reading it would block for ever
    return path


def zero(path: Path) -> Path:
    path.symlink_to("/dev/zero")  # endless: reading it would never end, and stat says 0 bytes
    return path


SPECIALS = {"fifo": fifo, "dev-zero": zero}


def _routes(tmp: Path, special) -> dict[str, tuple[list[object], str]]:  # type: ignore[no-untyped-def]
    """Every way a file reaches the tool, each with a special file in the place of the input."""
    registry = tmp / "registry"
    shutil.copytree(ROOT / "entities", registry)
    special(registry / "zz.yaml")
    pack = tmp / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    special(pack / "zz.yaml")
    out = tmp / "out.jsonl"
    return {
        "case file": (["screen", special(tmp / "case.yaml")], "case.yaml"),
        "--waivers": (["screen", CASE, "--waivers", special(tmp / "waivers.yaml")], "waivers.yaml"),
        "--watchlist": (["screen", CASE, "--watchlist", special(tmp / "list.csv")], "list.csv"),
        "--entities": (["screen", ROOT / "cases" / "cosco-hamburg-tollerort.yaml", "--entities", registry], "zz.yaml"),
        "--rules": (["screen", CASE, "--rules", pack], "zz.yaml"),
        "check": (["check", "-f", "github", special(tmp / "check.yaml")], "check.yaml"),
        "fmt": (["fmt", "--check", special(tmp / "fmt.yaml")], "fmt.yaml"),
        "batch --mapping": (
            ["batch", "--no-progress", ROOT / "examples" / "deals.csv", "-m", special(tmp / "map.yaml"), "-o", out],
            "map.yaml",
        ),
        "batch jsonl": (["batch", "--no-progress", special(tmp / "in.jsonl"), "-o", out], "in.jsonl"),
        "batch csv": (["batch", "--no-progress", special(tmp / "in.csv"), "-m", MAPPING, "-o", out], "in.csv"),
        "batch yaml": (["batch", "--no-progress", special(tmp / "in.yaml"), "-o", out], "in.yaml"),
    }


ROUTES = [
    "case file",
    "--waivers",
    "--watchlist",
    "--entities",
    "--rules",
    "check",
    "fmt",
    "batch --mapping",
    "batch jsonl",
    "batch csv",
    "batch yaml",
]


@pytest.mark.parametrize("kind", SPECIALS)
@pytest.mark.parametrize("route", ROUTES)
def test_a_fifo_or_a_device_is_refused_unread(tmp_path, route, kind):
    args, name = _routes(tmp_path, SPECIALS[kind])[route]
    if route == "--rules" and kind == "dev-zero":  # a link from a pack leading out of it is refused first
        done = screening(*args, timeout=30).refused("E003", "leads outside the pack")
        assert done.err.startswith(f"{tmp_path / 'pack' / 'zz.yaml'}: error: refused, unread: ")
        return
    done = screening(*args, timeout=30)
    if route == "check":  # check reports problems as its output (here as annotations), and exits 1
        assert done.code == 1 and "Traceback" not in done.err, done.err
        done.err, done.code = done.out.replace("title=E001 file-not-found::", "[E001 "), 2
    done.refused("E001", "not a regular file")
    what = "a FIFO (named pipe)" if kind == "fifo" else "a character device"
    assert any(name in line and what in line for line in done.err.splitlines()), done.err
    assert done.seconds < 20
    assert not (tmp_path / "out.jsonl").exists()


def test_stdin_may_be_piped(tmp_path):
    """The one non-regular file that is read: stdin, named /dev/stdin, which the user pipes on purpose."""
    done = subprocess.run(
        [sys.executable, "-m", "screening", "screen", "/dev/stdin", "-f", "json"],
        input=CASE.read_bytes(),
        capture_output=True,
        timeout=60,
        env=env(),
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert b'"benign-nordic-bakery"' in done.stdout


def test_a_piped_stdin_beyond_the_size_limit_is_refused(tmp_path):
    limit = max(p.stat().st_size for p in (ROOT / "rules").rglob("*.yaml")) + 1000  # the pack's files fit
    done = subprocess.run(
        [sys.executable, "-m", "screening", "screen", "/dev/stdin"],
        input=b"#" * (limit + 1),
        capture_output=True,
        timeout=60,
        env=env(SCREENING_MAX_BYTES=str(limit)),
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"/dev/stdin: error: file larger than the limit of {limit:,} bytes (SCREENING_MAX_BYTES) [E111 too-large]\n"
    )


# --- 17: millions of tiny values are refused while they are counted, in little time and memory ---------------


def test_ten_megabytes_of_tiny_values_are_refused_early(tmp_path):
    """Before: 830 MiB and 6 s (block list), 1.5 GiB and 13 s (flow list), the values all composed first."""
    block = tmp_path / "block.yaml"
    head = HEAD + "tags:\n"
    block.write_text(head + "- a\n" * ((9_999_999 - len(head)) // 4), "utf-8")
    flow = tmp_path / "flow.yaml"
    head = HEAD + "tags: ["
    flow.write_text(head + "a," * ((9_999_990 - len(head)) // 2) + "a]\n", "utf-8")
    for path, where in ((block, "8:1"), (flow, "7:7")):
        done = measured("screen", path).refused("E111", "document has more than 200,000 values")
        assert f"{path}:{where}: error: tags: " in done.err or f"{path}:{where}: error: document" in done.err
        assert done.seconds < 10, done.seconds
        assert done.mib < 300, done.mib


def test_fmt_refuses_two_megabytes_of_tiny_values_before_the_round_trip(tmp_path):
    """Before: ruamel.yaml built its tree of all of them first (800 MiB, 23 s here)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n" + "- 1\n" * 500_000, "utf-8")
    done = measured("fmt", "--check", rules).refused("E111", "document has more than 200,000 values")
    assert f"{rules}:2:1: error: " in done.err
    assert done.seconds < 10, done.seconds
    assert done.mib < 300, done.mib


def test_values_are_counted_as_the_builder_counts_them(tmp_path):
    """The early count and the builder agree: keys do not count, an alias counts what its anchor holds."""
    from screening.infra.errors import ScreeningError
    from screening.infra.yamlio import loads

    anchored = "a: &x [" + ",".join(["1"] * 99) + "]\n" + "".join(f"k{i}: *x\n" for i in range(1999))
    padded = anchored + "#" * 300_000 + "\n"  # long enough to be counted while parsed
    for text in (anchored, padded):  # 1 mapping + 2,000 lists of 100 values: 200,001 values
        with pytest.raises(ScreeningError) as info:
            loads(text, "t.yaml")
        # placed, as the builder places it, at the top-level value: an alias is where its anchor is
        assert [(p.line, p.column, p.code, p.path) for p in info.value.problems] == [(1, 4, "E111", ("k1998",))]
    fits = "a: &x [" + ",".join(["1"] * 99) + "]\n" + "".join(f"k{i}: *x\n" for i in range(1998))
    assert len(loads(fits + "#" * 300_000 + "\n", "t.yaml")[0]) == 1999


# --- 10 and 13: deep nesting, and limits set oddly in the environment -----------------------------------------


def commented_levels(levels: int) -> str:
    """A rule file of ``levels`` list items, each a mapping (two nesting levels each), with comments."""
    lines, indent = ["rules:"], 2
    for _ in range(levels):
        lines += [" " * indent + "- # c", " " * (indent + 2) + "a: 1", " " * (indent + 2) + "b:"]
        indent += 4
    return "\n".join(lines + [" " * indent + "x"]) + "\n"


def test_fmt_on_150_levels_is_a_located_error(tmp_path):
    """ruamel.yaml recursed into them before the depth limit was applied: RecursionError."""
    deep = tmp_path / "deep.yaml"
    deep.write_text(commented_levels(75), "utf-8")  # 150 levels
    done = screening("fmt", "--check", deep).refused("E111")
    assert done.err == f"{deep}:96:132: error: nesting deeper than 64 levels (SCREENING_MAX_DEPTH) [E111 too-large]\n"


def test_fmt_with_a_raised_depth_limit_formats_or_refuses_deep_files(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text(commented_levels(99), "utf-8")  # 198 levels, under the highest limit (200)
    done = screening("fmt", "--check", deep, SCREENING_MAX_DEPTH="200")
    assert done.code == 1 and "Traceback" not in done.err, done.err
    assert done.err.endswith("1 file would be reformatted\n")
    deeper = tmp_path / "deeper.yaml"
    deeper.write_text(commented_levels(101), "utf-8")
    screening("fmt", "--check", deeper, SCREENING_MAX_DEPTH="200").refused("E111", "deeper than 200 levels")


def test_fmt_turns_a_recursion_error_into_a_located_one(tmp_path):
    """Were ruamel.yaml to recurse too deep within the limits, fmt says so and leaves the file."""
    deep = tmp_path / "deep.yaml"
    deep.write_text(commented_levels(31), "utf-8")  # 63 levels, within the default limit
    code = (
        "import sys; from screening.cli import main; sys.setrecursionlimit(200); "
        f"sys.exit(main(['fmt', '--check', {str(deep)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env())
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"{deep}: error: nested too deeply to be formatted (SCREENING_MAX_DEPTH) [E111 too-large]\n")


def deep_case(levels: int) -> str:
    return HEAD + "outcome:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels)).rstrip("\n") + " x\n"


@pytest.mark.parametrize("command", ["screen", "check"])
def test_a_raised_depth_limit_with_a_deep_file(tmp_path, command):
    deep = tmp_path / "deep.yaml"
    deep.write_text(deep_case(199), "utf-8")  # 200 levels with the document's own
    done = screening(command, deep, SCREENING_MAX_DEPTH="200")
    assert "Traceback" not in done.err and "internal error" not in done.err
    if command == "screen":
        assert done.code == 2
        assert f"{deep}:7:1: error: outcome: missing required field 'decision' [E105 missing-field]" in done.err
    else:
        assert done.code == 1
        assert "E105 missing-field" in done.out
    deeper = tmp_path / "deeper.yaml"
    deeper.write_text(deep_case(400), "utf-8")
    run = screening(command, deeper, SCREENING_MAX_DEPTH="200")
    assert "Traceback" not in run.err and "E111" in run.err + run.out


@pytest.mark.parametrize("var", LIMIT_VARS)
@pytest.mark.parametrize("value", ["²", "٣", "0", "-1", "1e3", "9" * 5000])
def test_a_limit_that_is_not_a_plain_positive_number_is_a_located_error(var, value):
    """'²' and '٣' pass str.isdigit and fail int(); 5,000 digits fail int() too."""
    done = screening("screen", CASE, **{var: value}).refused("E106")
    line = done.err.splitlines()
    assert len(line) == 1 and line[0].startswith(f"{var}: error: environment variable {var} "), done.err


def test_the_depth_limit_has_a_ceiling():
    done = screening("screen", CASE, SCREENING_MAX_DEPTH="100000").refused("E106")
    assert done.err == (
        "SCREENING_MAX_DEPTH: error: environment variable SCREENING_MAX_DEPTH can be at most 200, "
        "not 100000 [E106 bad-value]\n"
    )


# --- 3: a pack from a pull request cannot make check or test read, or quote, a file outside it ---------------

SECRET = "ghp_S3cr3tT0kenThatMustNeverBePrinted"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository holding a copy of the default pack and its cases, and a credential outside it."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "rules", root / "rules")
    shutil.copytree(ROOT / "cases", root / "cases")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n", "utf-8")
    (tmp_path / "token.txt").write_text(SECRET + "\n", "utf-8")
    (tmp_path / "token.yaml").write_text(f"token: {SECRET}\n", "utf-8")
    return root


def pack_test(root: Path, case: str) -> Path:
    path = root / "rules" / "tests" / "zz-attack.yaml"
    path.write_text(f"format: 1\ntests:\n  - case: {case}\n    expect: {{level: high}}\n", "utf-8")
    return path


FORMATS = ["text", "json", "github", "sarif"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pack_file_linked_to_a_credential_is_refused_unread(repo, fmt):
    (repo / "rules" / "zz.yaml").symlink_to(repo.parent / "token.txt")
    done = screening("check", repo / "rules", "-f", fmt)
    assert done.code == 1 and "Traceback" not in done.err
    assert SECRET not in done.out + done.err
    assert "E003" in done.out and "leads outside the pack" in done.out
    run = screening("test", repo / "rules")
    assert SECRET not in run.out + run.err
    run.refused("E003", f"{repo / 'rules' / 'zz.yaml'}: error: refused, unread: it leads outside the pack")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", ["../../../token.txt", "../../../token.yaml", "../../.git/config"])
def test_a_test_case_outside_the_repository_is_refused_unread(repo, fmt, case):
    test_file = pack_test(repo, case)
    done = screening("check", repo / "rules", "-f", fmt)
    assert done.code == 1 and "Traceback" not in done.err
    assert SECRET not in done.out + done.err
    assert "E003" in done.out
    run = screening("test", repo / "rules")
    assert SECRET not in run.out + run.err
    how = "leads into a .git directory" if ".git" in case else f"leads outside the root ({repo})"
    run.refused("E003", f"{test_file}:3:5: error: tests.0.case: case file {case} refused, unread: it {how}")


def test_a_link_among_the_cases_is_followed_and_confined(repo):
    (repo / "cases" / "zz.yaml").symlink_to(repo.parent / "token.txt")
    pack_test(repo, "../../cases/zz.yaml")
    run = screening("test", repo / "rules")
    assert SECRET not in run.out + run.err
    run.refused("E003", "case file ../../cases/zz.yaml refused, unread: it leads outside the root")


def test_a_test_file_linked_out_of_the_pack_is_refused(repo):
    (repo / "rules" / "tests" / "zz.yaml").symlink_to(repo.parent / "token.yaml")
    run = screening("test", repo / "rules")
    assert SECRET not in run.out + run.err
    run.refused("E003", "zz.yaml: error: refused, unread: it leads outside the pack")


@pytest.mark.parametrize("name, found", [("token.txt", "E103 wrong-type"), ("token.yaml", "E104 unknown-field")])
def test_a_file_of_another_kind_is_named_not_quoted(repo, name, found):
    """Given a wider --root, the file is read; its content is still never shown."""
    pack_test(repo, f"../../../{name}")
    for command in ("check", "test"):
        done = screening(command, repo / "rules", "--root", repo.parent, "-f", "github")
        assert SECRET not in done.out + done.err and "token" not in (done.out + done.err).replace("token.", "")
        assert found in done.out + done.err, done.out + done.err
        assert "not a file of this kind (its content is not shown)" in done.out + done.err


def test_the_default_root_keeps_the_bundled_tests_working(repo):
    """The pins of the example cases (tests/pack/, beside the pack) name ../../cases/*.yaml: the default root,
    the directory holding the pack, lets them be read; a narrower --root does not."""
    shutil.copytree(ROOT / "tests" / "pack", repo / "tests" / "pack")
    run = screening("test", repo / "rules", "--min-coverage", "100", "--tests", repo / "tests" / "pack")
    assert run.code == 0, run.err
    assert screening("check", repo / "rules").code == 0
    pins = ("--tests", repo / "tests" / "pack")
    screening("test", repo / "rules", *pins, "--root", repo / "rules").refused("E003", "leads outside the root")


def test_diff_reads_test_cases_within_the_root_only(repo):
    pack_test(repo, "../../../token.txt")
    done = screening("diff", repo / "rules", repo / "rules")
    assert done.code == 0 and "Traceback" not in done.err
    assert SECRET not in done.out + done.err
    assert "E003 outside-root" in done.err


# --- 9: whole numbers beyond what a float holds are refused where they are read -------------------------------

HUGE = "9" * 400


@pytest.mark.parametrize(
    "change, line",
    [
        (f"target.turnover_eur={HUGE}", "74:3: error: target.turnover_eur"),
        (f"target.land_area_m2=-{HUGE}", "76:3: error: target.land_area_m2"),
        (f"transaction.board_seats={HUGE}", "91:3: error: transaction.board_seats"),
    ],
)
def test_a_400_digit_number_in_set_is_a_located_error(change, line):
    """--set transaction.board_seats=999...9 raised OverflowError where the number was used."""
    done = screening("screen", CASE, "--set", change).refused("E106")
    assert done.err == (
        f"{CASE} (with --set):{line}: a number of 400 digits is too large (beyond ±1.8e308) [E106 bad-value]\n"
    )


@pytest.mark.parametrize("field", ["target.turnover_eur", "target.land_area_m2", "transaction.board_seats"])
def test_a_400_digit_number_fails_its_batch_row_only(tmp_path, field):
    import json

    from screening.infra.yamlio import load

    good = load(CASE)[0]
    bad = json.loads(json.dumps(good))
    section, key = field.split(".")
    bad[section][key] = int(HUGE)
    bad["id"] = "huge"
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    done = screening("batch", "--no-progress", lines, "-o", out)
    assert done.code == 1 and "Traceback" not in done.err, done.err  # 1: a row failed
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert rows[0]["error"] in ("", None) and rows[0]["level"] == "low"
    assert f"{field}: a number of 400 digits is too large (beyond ±1.8e308) [E106 bad-value]" in rows[1]["error"]


# --- 21: an id with a trailing newline does not pass a $-anchored pattern -----------------------------------


def test_a_rule_id_with_a_trailing_newline_is_refused(tmp_path):
    """'SI-001\\n' matched ^...$ (Python's $ matches before a final newline) and the pack's id_pattern."""
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    rules = pack / "state_influence.yaml"
    rules.write_text(rules.read_text("utf-8").replace("  - id: SI-001\n", '  - id: "SI-001\\n"\n', 1), "utf-8")
    done = screening("check", pack, "-f", "github")
    assert done.code == 1 and "Traceback" not in done.err
    line = next(n for n, text in enumerate(rules.read_text("utf-8").splitlines(), 1) if '"SI-001\\n"' in text)
    assert (
        f"::error file={rules},line={line},col=5,title=E106 bad-value::SI-001%0A: rules.0.id: 'SI-001\\n' does "
        "not match the expected form"
    ) in done.out, done.out
    screening("screen", CASE, "--rules", pack).refused("E106", "rules.0.id: 'SI-001\\n' does not match")


def test_the_id_pattern_of_a_pack_is_anchored_at_the_very_end():
    from screening.infra.schemacheck import regex

    pattern = regex("^(SI|CI)-[0-9]{3}$")
    assert pattern.search("SI-001") and not pattern.search("SI-001\n")
    assert regex("^https?://").search("https://x\n")  # a pattern without $ is unchanged
    assert regex(r"^a[$]\$$").search("a$$") and not regex(r"^a[$]\$$").search("a$$\n")


# --- 19: waivers fail closed: one granted after the day judged, or after it expires, waives nothing ----------

ALIBABA = ROOT / "cases" / "alibaba-liege.yaml"


def waivers(tmp_path: Path, granted: str, expires: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        f"""format: 1
waivers:
  - case: alibaba-liege
    rule: IC-013
    reason: Ownership above Alibaba Group is public record for a listed company.
    approver: J. Peeters, head of unit
    granted: {granted}
    expires: {expires}
""",
        "utf-8",
    )
    return path


def ic013(report: dict) -> dict:
    return next(f for f in report["findings"] if f["rule"] == "IC-013")


def test_a_waiver_granted_after_the_day_judged_waives_nothing(tmp_path):
    import json

    path = waivers(tmp_path, "2026-12-01", "2027-06-30")
    before = json.loads(screening("screen", ALIBABA, "--as-of", "2026-11-28", "-f", "json").out)
    done = screening("screen", ALIBABA, "--waivers", path, "--as-of", "2026-11-28", "-f", "json")
    assert done.code == 0 and done.err == "", done.err
    report = json.loads(done.out)
    finding = ic013(report)
    assert finding["waived"] is False
    assert finding["waiver"]["status"] == "not_yet_granted"
    assert report["score"] == before["score"]  # the finding counts
    text = screening("screen", ALIBABA, "--waivers", path, "--as-of", "2026-11-28", "--width", "200").out
    assert (
        "waiver granted on 2026-12-01, after the day judged (approved by J. Peeters, head of unit): the "
        "finding counts" in text
    )
    assert "WAIVED" not in text
    on_the_day = json.loads(screening("screen", ALIBABA, "--waivers", path, "--as-of", "2026-12-01", "-f", "json").out)
    assert ic013(on_the_day)["waived"] is True and ic013(on_the_day)["waiver"]["status"] == "active"
    check = screening("check", path, ALIBABA, "--as-of", "2026-11-28", "-f", "github")
    assert check.code == 1
    assert (
        f"::error file={path},line=7,col=5,title=E313 waiver-not-yet-granted::IC-013: waiver for case "
        "'alibaba-liege' is granted on 2026-12-01, after the day judged (2026-11-28): it waives nothing "
        "before then, the finding counts"
    ) in check.out


def test_a_waiver_granted_after_it_expires_never_applies(tmp_path):
    import json

    path = waivers(tmp_path, "2027-06-01", "2027-05-31")
    for day in ("2027-05-31", "2027-06-01", "2026-11-28"):
        done = screening("screen", ALIBABA, "--waivers", path, "--as-of", day, "-f", "json")
        assert done.code == 0, done.err
        assert done.err == (
            f"{path}:7:5: warning: IC-013: waiver for case 'alibaba-liege' granted on 2027-06-01, "
            "after it expires on 2027-05-31: it never applies, the finding counts [E106 bad-value] "
            "(this waiver is ignored)\n"
        )
        finding = ic013(json.loads(done.out))
        assert finding["waived"] is False and "waiver" not in finding
    check = screening("check", path, ALIBABA, "-f", "github")
    assert (
        check.code == 1
        and "title=E106 bad-value::IC-013: waiver for case 'alibaba-liege' granted on "
        "2027-06-01, after it expires on 2027-05-31"
        in check.out
    )


# --- 11: check catches the examples and test facts that test would choke on ---------------------------------


@pytest.mark.parametrize(
    "value, found",
    [('"twelve"', "text 'twelve'"), ("[12]", "a list"), ("{a: 1}", "a mapping"), ("true", "boolean true")],
)
def test_a_wrongly_typed_example_is_found_by_check_and_refused_by_test(tmp_path, value, found):
    """`check` passed the pack, then `test` raised TypeError comparing the text with 10."""
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    rules = pack / "control_acquired.yaml"
    text = rules.read_text("utf-8")
    rules.write_text(text.replace("stake_after_pct: 12}", f"stake_after_pct: {value}}}", 1), "utf-8")
    rows = rules.read_text("utf-8").splitlines()
    line = next(n for n, row in enumerate(rows, 1) if f"stake_after_pct: {value}" in row)
    problem = (
        f"{rules}:{line}:48: error: CA-002: rules.0.examples.fires.0.transaction.stake_after_pct: expected a "
        f"number, found {found} [E103 wrong-type]"
    )
    check = screening("check", pack, "-f", "github")
    assert check.code == 1 and "Traceback" not in check.err
    assert (
        f"title=E103 wrong-type::CA-002: rules.0.examples.fires.0.transaction.stake_after_pct: expected a "
        f"number, found {found}" in check.out
    )
    assert screening("test", pack).refused("E103").err == problem + "\n"


def test_a_wrongly_typed_trigger_example_is_found_by_check(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    regime = pack / "regimes" / "be.yaml"
    regime.write_text(regime.read_text("utf-8").replace("turnover_eur: 150000000}", "turnover_eur: lots}", 1), "utf-8")
    done = screening("test", pack).refused(
        "E103", "examples.fires.0.target.turnover_eur: expected a number, found text 'lots'"
    )
    line = (
        regime.read_text("utf-8")
        .splitlines()
        .index(next(t for t in regime.read_text("utf-8").splitlines() if "turnover_eur: lots}" in t))
    )
    assert done.err.startswith(f"{regime}:{line + 1}:") and done.err.count("\n") == 1


def test_wrongly_typed_facts_of_a_pack_test_are_found_by_check(repo):
    path = repo / "rules" / "tests" / "zz-facts.yaml"
    path.write_text(
        "format: 1\ntests:\n  - on: 2024-03-01\n    facts:\n      target: {country: BE, turnover_eur: "
        "lots}\n    expect: {filings: {BE: mandatory}}\n",
        "utf-8",
    )
    check = screening("check", repo / "rules", "-f", "github")
    assert check.code == 1
    assert (
        f"::error file={path},line=5,col=29,title=E103 wrong-type::tests.0.facts.target.turnover_eur: expected "
        "a number, found text 'lots'"
    ) in check.out
    screening("test", repo / "rules").refused("E103", f"{path}:5:29: error: tests.0.facts.target.turnover_eur")


@pytest.mark.parametrize("check", [True, False], ids=["fmt-check", "fmt"])
def test_fmt_neither_shows_nor_rewrites_a_file_linked_out_of_the_pack(repo, check):
    """fmt --check prints a diff of each file it would change: a linked credential must not be one of them."""
    secret = repo.parent / "token.txt"
    secret.write_text(SECRET + "   \n\n\n", "utf-8")  # trailing blanks fmt would remove, showing the line
    (repo / "rules" / "zz.yaml").symlink_to(secret)
    done = screening("fmt", *(["--check"] if check else []), repo / "rules")
    assert SECRET not in done.out + done.err
    done.refused("E003", f"{repo / 'rules' / 'zz.yaml'}: error: refused, unread: it leads outside the pack")
    assert secret.read_text("utf-8") == SECRET + "   \n\n\n"


def test_fmt_does_not_show_a_file_that_is_not_a_mapping(tmp_path):
    named = tmp_path / "token.yaml"
    named.write_text(SECRET + "   \n", "utf-8")
    done = screening("fmt", "--check", named)
    assert SECRET not in done.out + done.err
    assert done.refused("E103").err == (
        f"{named}:1:1: error: expected a mapping, found a single value: not a "
        "rule-pack file (its content is not shown) [E103 wrong-type]\n"
    )


# --- 18: an edit that keeps size and modification time is seen, score and digest alike ----------------------


def test_an_edit_kept_in_size_and_mtime_changes_the_report(tmp_path):
    """cp -p, rsync -t and tar x keep both: the cache keyed on them reported the old score under the old
    digest, which is the audit trail."""
    import json

    pack, cache = tmp_path / "pack", tmp_path / "cache"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    rules = pack / "state_influence.yaml"
    before = json.loads(screening("screen", ALIBABA, "--rules", pack, "-f", "json", SCREENING_CACHE_DIR=str(cache)).out)
    assert list(cache.glob("pack-*.marshal"))
    stat = rules.stat()
    text = rules.read_text("utf-8")
    weight = next(line for line in text.splitlines() if line.startswith("    weight: ") and len(line) == 14)
    edited = text.replace(weight, weight[:-1] + ("1" if weight[-1] != "1" else "2"), 1)
    staged = tmp_path / "staged.yaml"
    staged.write_text(edited, "utf-8")
    os.utime(staged, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    subprocess.run(["cp", "-p", str(staged), str(rules)], check=True)
    assert (rules.stat().st_size, rules.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    after = json.loads(screening("screen", ALIBABA, "--rules", pack, "-f", "json", SCREENING_CACHE_DIR=str(cache)).out)
    fresh = json.loads(screening("screen", ALIBABA, "--rules", pack, "-f", "json", SCREENING_CACHE_DIR="").out)
    assert after["rule_pack"]["digest"] != before["rule_pack"]["digest"]
    assert after["rule_pack"]["digest"] == fresh["rule_pack"]["digest"]
    assert after["math"] == fresh["math"] and after["findings"] == fresh["findings"]


# --- the README's promise: the limits apply to every input ---------------------------------------------------


def _big_inputs(tmp: Path, size: int) -> dict[str, list[object]]:
    """Each kind of input, over ``size`` bytes (a comment pads it), and the command that reads it."""
    pad = "#" * (size + 10) + "\n"

    def big(name: str, text: str) -> Path:
        path = tmp / name
        path.write_text(text + pad, "utf-8")
        return path

    registry = tmp / "registry"
    shutil.copytree(ROOT / "entities", registry)
    big("registry/zz.yaml", "entities: []\n")
    pack = tmp / "pack"
    shutil.copytree(ROOT / "rules", pack, ignore=shutil.ignore_patterns("tests"))
    (pack / "zz.yaml").write_text("rules: []\n" + pad, "utf-8")
    out = tmp / "out.jsonl"
    return {
        "case file": ["screen", big("case.yaml", HEAD)],
        "--waivers": ["screen", CASE, "--waivers", big("waivers.yaml", "format: 1\nwaivers: []\n")],
        "--watchlist": ["screen", CASE, "--watchlist", big("list.yaml", "entries: []\n")],
        "--entities": ["screen", ROOT / "cases" / "cosco-hamburg-tollerort.yaml", "--entities", registry],
        "--rules": ["screen", CASE, "--rules", pack],
        "check": ["check", "-f", "github", big("check.yaml", HEAD)],
        "fmt": ["fmt", "--check", big("fmt.yaml", "rules: []\n")],
        "batch --mapping": [
            "batch",
            "--no-progress",
            ROOT / "examples" / "deals.csv",
            "-m",
            big("map.yaml", MAPPING.read_text("utf-8")),
            "-o",
            out,
        ],
        "batch yaml": ["batch", "--no-progress", big("in.yaml", HEAD), "-o", out],
    }


@pytest.mark.parametrize(
    "route",
    ["case file", "--waivers", "--watchlist", "--entities", "--rules", "check", "fmt", "batch --mapping", "batch yaml"],
)
def test_the_size_limit_applies_to_every_input(tmp_path, route):
    size = max(p.stat().st_size for p in (ROOT / "rules").rglob("*.yaml")) + 2000  # the bundled pack fits
    args = _big_inputs(tmp_path, size)[route]
    done = screening(*args, SCREENING_MAX_BYTES=str(size))
    text = done.out + done.err
    assert "Traceback" not in text and "internal error" not in text
    assert f"is larger than the limit of {size:,} (SCREENING_MAX_BYTES)" in text, text
    if route == "batch yaml":  # a case file of a batch fails its row (its only one: exit 2), and the batch goes on
        assert done.code == 2 and "1 case: " in done.err
    else:
        assert done.code == (1 if route == "check" else 2), text


CREDENTIALS = {
    "aws": f"[default]\naws_access_key_id = {SECRET}\naws_secret_access_key = {SECRET}\n",
    "ssh-key": f"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r{SECRET}\n-----END OPENSSH PRIVATE KEY-----\n",
    "netrc": f"machine github.com login me password {SECRET}\n",
    "docker-json": f'{{"auths": {{"ghcr.io": {{"auth": "{SECRET}"}}}}}}\n',
    "dotenv": f"TOKEN={SECRET}\nOTHER={SECRET}\n",
    "git-config": f"[core]\n\tbare = false\n[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n",
    "duplicate-key": f"{SECRET}: 1\n{SECRET}: 2\n",
    "tag": f"!{SECRET}\n",
    "tagged-value": f"password: !!int {SECRET}\n",
    "id-and-token": f"id: {SECRET}!\ntoken: {SECRET}\n",
    "list": f"- {SECRET}\n- {SECRET}\n",
}


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_no_credential_named_by_a_test_reaches_the_output(repo, kind):
    """With a --root wide enough to read it, a file that is not a case is named, never quoted: not by the
    schema's messages, nor by the parser's (a tag, a duplicate key, a tagged value)."""
    (repo.parent / "credential").write_text(CREDENTIALS[kind], "utf-8")
    pack_test(repo, "../../../credential")
    for args in (["check", "-f", "sarif"], ["check", "-f", "github"], ["test", "-f", "github"]):
        done = screening(*args, repo / "rules", "--root", repo.parent)
        assert "Traceback" not in done.err
        assert SECRET not in done.out + done.err, (args, done.out + done.err)
        assert "credential" in done.out + done.err


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: 1\nb: [x, y\nc: 2\nd: 3\n", (2, 4), "this '[' is never closed: still open at line 3, column 2"),
        ("a: {x: 1\nb: 2\n", (1, 4), "this '{' is never closed"),
        ("a: [1, 2\n\n\n\n", (1, 4), "this '[' is never closed: still open at the end of the file"),
        ('a: 1\nb: "hello\nc: 2\nd: 3\n', (2, 4), 'this " quote is never closed: the text runs on to the end'),
        ("title: 'it\nb: 2\n", (1, 8), "this ' quote is never closed"),
    ],
)
def test_an_unclosed_bracket_or_quote_is_reported_where_it_opened(text, where, message):
    from screening.infra.errors import ScreeningError
    from screening.infra.yamlio import loads

    with pytest.raises(ScreeningError) as info:
        loads(text, "case.yaml")
    (problem,) = info.value.problems
    assert (problem.code, (problem.line, problem.column)) == ("E100", where)
    assert message in problem.message
