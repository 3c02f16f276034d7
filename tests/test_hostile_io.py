"""Hostile outputs: what ``-o`` names (a device, a FIFO, a symbolic link, an input, a directory, a full disk) and
what stdout is (full, closed, gone, not UTF-8). Each attack runs through the CLI and ends in its exact outcome:
written where it should be, or one located line and exit 2; never a replaced device, a lost input or a traceback.

Devices are never the machine's own: a character device is made in the test's directory (as a copy of the
null or the full device, when the system allows it), and stdout is pointed at the full device only through a
redirection, which cannot replace it.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from screening.cli import main
from screening.infra import output
from tests.conftest import ROOT

CASE = ROOT / "cases" / "alibaba-liege.yaml"
CHINESE = ROOT / "tests" / "hostile" / "valid" / "chinese-names.yaml"
RULES = ROOT / "rules"


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli(*argv: object, **options) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    """The CLI as a process of its own (for what only a real process has: its stdout, its signals)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **options.pop("env", {})}
    return subprocess.run(
        [sys.executable, "-m", "screening", *map(str, argv)],
        cwd=ROOT,
        env=env,
        capture_output=options.pop("capture_output", True),
        timeout=120,
        **options,
    )


# Every command that writes a file, with the arguments that make it write ``out``.
WRITERS = {
    "screen": lambda out: ["screen", CASE, "-f", "json", "-o", out],
    "screen --set": lambda out: ["screen", CASE, "--set", "transaction.stake_after_pct=9.9", "-f", "json", "-o", out],
    "filings": lambda out: ["filings", CASE, "-f", "json", "-o", out],
    "check": lambda out: ["check", CASE, "-f", "json", "-o", out],
    "test": lambda out: ["test", RULES, "-f", "json", "-o", out],
    "diff": lambda out: ["diff", RULES, RULES, CASE, "-f", "json", "-o", out],
    "batch jsonl": lambda out: ["batch", "--no-progress", CASE, "-o", out],
    "batch csv": lambda out: ["batch", "--no-progress", CASE, "-o", out],
}
SUFFIX = {"batch jsonl": ".jsonl", "batch csv": ".csv"}


def _name(writer: str, stem: str) -> str:
    return stem + SUFFIX.get(writer, ".json")


class Reader(threading.Thread):
    """Reads a FIFO to its end, as another program would."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""
        self.start()

    def run(self) -> None:
        with open(self.path, "rb") as handle:
            self.data = handle.read()

    def finish(self) -> bytes:
        self.join(10)
        if self.is_alive():  # the writer never opened the FIFO: let the reader go
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self.join(10)
        return self.data


def _device(path: Path, major: int, minor: int) -> Path:
    """A character device node in the test's own directory; the test is skipped where none can be made."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except (PermissionError, OSError) as exc:
        pytest.skip(
            f"cannot make a device node here ({exc.strerror}); test_a_character_device_is_a_stream "
            "covers the same path by the file's type"
        )
    return path


# --- -o: what it names is written, never replaced -----------------------------------------------------------


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writer_writes_a_fifo_through(tmp_path, capsys, writer):
    fifo = tmp_path / _name(writer, "pipe")
    os.mkfifo(fifo)
    reader = Reader(fifo)
    code, out, err = run(capsys, *WRITERS[writer](fifo))
    data = reader.finish()
    assert code == 0, err
    assert out == "" and stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO must stay a FIFO"
    assert data
    regular = tmp_path / _name(writer, "regular")
    assert run(capsys, *WRITERS[writer](regular))[0] == 0
    if writer not in ("test", "batch jsonl", "batch csv"):  # test and batch outputs hold timings or paths
        assert data == regular.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fifo.name, regular.name]), "nothing left behind"


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writer_writes_a_symlinks_target_and_says_so(tmp_path, capsys, writer):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / _name(writer, "target")
    target.write_text("old\n", "utf-8")
    link = tmp_path / _name(writer, "link")
    link.symlink_to(Path("real") / target.name)
    force = ["--force"] if writer.startswith("batch") else []
    code, out, err = run(capsys, *WRITERS[writer](link), *force)
    assert code == 0, err
    assert f"note: {link} is a symbolic link: wrote its target {target}\n" in err
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / target.name)
    assert target.read_text("utf-8") not in ("", "old\n")
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == [target.name], "no temporary, no lock left"


def test_a_dangling_symlink_gets_its_target_created(tmp_path, capsys):
    link = tmp_path / "report.json"
    link.symlink_to("made.json")
    code, _, err = run(capsys, "screen", CASE, "-f", "json", "-o", link)
    assert code == 0 and link.is_symlink() and (tmp_path / "made.json").stat().st_size > 0
    assert err == f"note: {link} is a symbolic link: wrote its target {tmp_path / 'made.json'}\n"


def test_fmt_rewrites_a_linked_rule_file_through_the_link(tmp_path, capsys):
    """A rule file linked to another file inside the pack is rewritten through the link (a link out of the
    pack is refused unread: tests/test_hostile_read.py)."""
    import shutil

    shutil.copytree(RULES, tmp_path / "pack")
    (tmp_path / "pack" / "shared").mkdir()
    rule, real = tmp_path / "pack" / "control_acquired.yaml", tmp_path / "pack" / "shared" / "elsewhere.yaml"
    real.write_bytes(rule.read_bytes().replace(b"\n", b"\r\n"))  # not in the canonical layout
    rule.unlink()
    rule.symlink_to(real)
    code, out, err = run(capsys, "fmt", tmp_path / "pack")
    assert (code, out, err) == (0, "", f"reformatted {rule}\n")
    assert rule.is_symlink() and real.read_bytes() == (RULES / "control_acquired.yaml").read_bytes()


def test_a_loop_of_symlinks_is_refused(tmp_path, capsys):
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    code, out, err = run(capsys, "screen", CASE, "-o", tmp_path / "a.json")
    assert (code, out) == (2, "")
    assert err == (
        f"{tmp_path / 'a.json'}: error: cannot write output: Too many levels of symbolic links [E401 cannot-write]\n"
    )
    assert (tmp_path / "a.json").is_symlink() and (tmp_path / "b.json").is_symlink()


@pytest.mark.parametrize("writer", ["screen", "batch csv"])
def test_a_character_device_is_written_through_and_stays_a_device(tmp_path, capsys, writer):
    null = _device(tmp_path / _name(writer, "null"), 1, 3)  # a copy of the null device
    code, out, err = run(capsys, *WRITERS[writer](null))
    assert code == 0, err
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [null.name], "no lock file beside a device"


@pytest.mark.parametrize("writer", ["screen", "batch csv"])
def test_a_full_device_under_o_is_a_located_error(tmp_path, capsys, writer):
    full = _device(tmp_path / _name(writer, "full"), 1, 7)  # a copy of the full device: every write is ENOSPC
    code, out, err = run(capsys, *WRITERS[writer](full))
    what = "results" if writer.startswith("batch") else "output"
    assert (code, out) == (2, "")
    assert err.endswith(f"{full}: error: cannot write {what}: No space left on device [E401 cannot-write]\n")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_character_device_is_a_stream(tmp_path, monkeypatch):
    """Where no device node can be made: a path the system says is a character device is written through."""
    path = tmp_path / "tty"
    path.write_text("", "utf-8")
    real = os.lstat

    def lstat(p):  # type: ignore[no-untyped-def]
        found = real(p)
        if Path(p) != path:
            return found
        return os.stat_result((stat.S_IFCHR | 0o666, *tuple(found)[1:]))

    monkeypatch.setattr(output.os, "lstat", lstat)
    assert output.destination(path) == output.Destination(path, path, stream=True)


def test_parquet_results_need_a_regular_file(tmp_path, capsys):
    fifo = tmp_path / "r.parquet"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "batch", "--no-progress", CASE, "-o", fifo)
    assert code == 2 and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert err == (
        f"{fifo}: error: cannot write Parquet results to {fifo}, which is not a regular file: they are "
        "written at the end, from a journal beside them [E401 cannot-write]\n"
    )


def test_results_in_a_fifo_cannot_be_resumed(tmp_path, capsys):
    fifo = tmp_path / "r.jsonl"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "batch", "--no-progress", CASE, "-o", fifo, "--resume")
    assert code == 2
    assert err == (
        f"{fifo}: error: cannot resume: {fifo} is a device or a FIFO, which cannot be read back [E401 cannot-write]\n"
    )


WHAT_CANNOT_TAKE_A_REPORT = {
    "": ".: error: cannot write output: this is a directory, not a file (an empty -o names the current directory) "
    "[E401 cannot-write]\n",
    "sock": "sock: error: cannot write output: this is a socket [E401 cannot-write]\n",
    "dir": "Usage: screening screen [OPTIONS] {cases}...\nTry 'screening screen --help' for help.\n\nError: Invalid "
    "value for '--output' / '-o': File 'dir' is a directory.\n",  # typer's own check: a usage error
}


@pytest.mark.parametrize("name", WHAT_CANNOT_TAKE_A_REPORT)
def test_what_cannot_take_a_report_is_refused(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind("sock")
    try:
        code, out, err = run(capsys, "screen", CASE, "-o", name)
    finally:
        server.close()
    assert (code, out, err) == (2, "", WHAT_CANNOT_TAKE_A_REPORT[name])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "sock"]


def test_a_read_only_report_is_not_replaced(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root may write any file")
    target = tmp_path / "r.json"
    target.write_text("keep\n", "utf-8")
    target.chmod(0o444)
    code, _, err = run(capsys, "screen", CASE, "-o", target)
    assert code == 2 and target.read_text("utf-8") == "keep\n"
    assert err == (
        f"{target}: error: cannot write output: permission denied (the file is read-only) [E401 cannot-write]\n"
    )


def test_a_full_disk_under_o_keeps_the_old_report(tmp_path, capsys, monkeypatch):
    target = tmp_path / "r.json"
    target.write_text("old\n", "utf-8")

    def full(fd, data):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "write", full)
    code, _, err = run(capsys, "screen", CASE, "-f", "json", "-o", target)
    assert code == 2
    assert err == f"{target}: error: cannot write output: No space left on device [E401 cannot-write]\n"
    assert target.read_text("utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


# --- stdout -------------------------------------------------------------------------------------------------


def test_a_full_stdout_is_a_located_error():
    with open("/dev/full", "wb") as full:  # a redirection: the device is written to, never replaced
        done = cli("screen", CASE, "-f", "json", stdout=full, capture_output=False, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr.decode() == "<stdout>: error: cannot write output: No space left on device [E401 cannot-write]\n"


def test_a_closed_stdout_is_a_located_error():
    done = cli(
        "screen", CASE, capture_output=False, stdout=None, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1)
    )
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "<stdout>: error: cannot write output: standard output is closed [E401 cannot-write]\n"
    )


@pytest.mark.parametrize("argv", [["screen", CASE, "-f", "json"], ["rules", "list"], ["facts"], ["schema", "case"]])
def test_a_reader_that_went_away_ends_the_run_quietly(argv):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written: every write is EPIPE
    try:
        done = cli(*argv, capture_output=False, stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, b"")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("format", ["text", "json", "markdown"])
def test_a_stdout_that_is_not_utf8_gets_escapes(encoding, format):
    done = cli(
        "screen",
        CHINESE,
        "-f",
        format,
        "--no-color" if format == "text" else "--width=100",
        env={"PYTHONIOENCODING": encoding},
    )
    assert (done.returncode, done.stderr) == (0, b"")
    text = done.stdout.decode(encoding)
    assert "\\u534e\\u79d1\\u63a7\\u80a1" in text  # 华科控股, written as escapes, not lost and not a crash
    utf8 = cli("screen", CHINESE, "-f", format, "--no-color" if format == "text" else "--width=100")
    assert text == utf8.stdout.decode("utf-8").encode(encoding, "backslashreplace").decode(encoding)


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="needs /proc/self/fd")
@pytest.mark.parametrize("writer", ["screen", "batch jsonl"])
def test_a_link_to_stdout_is_stdout_as_the_shell_left_it(tmp_path, writer):
    """``-o /dev/stdout`` (a link to /proc/self/fd/1): the descriptor is written as it is, so ``>> log`` appends;
    the test uses a link of its own to the same place, never the machine's /dev/stdout."""
    link = tmp_path / _name(writer, "stdout")
    link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.txt"
    log.write_text("earlier lines\n", "utf-8")
    with open(log, "ab") as append:
        done = cli(*WRITERS[writer](link), capture_output=False, stdout=append, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert b"note:" not in done.stderr and link.is_symlink()
    text = log.read_text("utf-8")
    assert text.startswith("earlier lines\n{") and "alibaba-liege" in text
    read, write = os.pipe()
    os.close(read)
    try:  # and a reader that went away ends the run quietly, as on stdout
        gone = cli(*WRITERS[writer](link), capture_output=False, stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert (gone.returncode, gone.stderr) == (141, b"")


def test_a_set_path_of_500_steps_is_a_located_error(capsys):
    path = ".".join(["a"] * 500)
    code, out, err = run(capsys, "screen", CASE, "--set", f"{path}=1")
    assert (code, out) == (2, "")
    assert err == (
        f"--set {path[:77]}...: error: a path of 500 steps is deeper than the limit of 64 "
        "(SCREENING_MAX_DEPTH) [E111 too-large]\n"
    )


# --- the output is one of the inputs ------------------------------------------------------------------------


def _inputs(tmp_path: Path) -> dict[str, Path]:
    import shutil

    shutil.copy(CASE, tmp_path / "case.yaml")
    shutil.copytree(RULES, tmp_path / "pack")
    shutil.copytree(ROOT / "cases", tmp_path / "cases")  # the pack's tests name ../../cases/
    (tmp_path / "cases.jsonl").write_text('{"id": "x"}\n', "utf-8")
    return {
        "case": tmp_path / "case.yaml",
        "rule": tmp_path / "pack" / "scoring.yaml",
        "member": tmp_path / "cases" / CASE.name,
        "jsonl": tmp_path / "cases.jsonl",
    }


SAME_FILE = {  # the command, the input it is also given as output, how the output names that input
    "screen-same": (lambda f, o: ["screen", f["case"], "-o", o], "case", "same"),
    "screen-symlink": (lambda f, o: ["screen", f["case"], "-o", o], "case", "symlink"),
    "screen-hardlink": (lambda f, o: ["screen", f["case"], "-o", o], "case", "hardlink"),
    "screen-pack-file": (lambda f, o: ["screen", f["case"], "--rules", f["rule"].parent, "-o", o], "rule", "same"),
    "filings-same": (lambda f, o: ["filings", f["case"], "-o", o], "case", "same"),
    "check-pack-file": (lambda f, o: ["check", f["rule"].parent, "-o", o], "rule", "same"),
    "check-symlink": (lambda f, o: ["check", f["case"], "-o", o], "case", "symlink"),
    "test-pack-file": (lambda f, o: ["test", f["rule"].parent, "-o", o], "rule", "same"),
    "diff-case": (lambda f, o: ["diff", f["rule"].parent, f["rule"].parent, f["case"], "-o", o], "case", "same"),
    "diff-pack-hardlink": (
        lambda f, o: ["diff", f["rule"].parent, f["rule"].parent, f["case"], "-o", o],
        "rule",
        "hardlink",
    ),
    "batch-force": (lambda f, o: ["batch", "--no-progress", f["jsonl"], "-o", o, "--force"], "jsonl", "same"),
    "batch-resume": (lambda f, o: ["batch", "--no-progress", f["jsonl"], "-o", o, "--resume"], "jsonl", "same"),
    "batch-dir-member-symlink": (
        lambda f, o: ["batch", "--no-progress", f["member"].parent, "-o", o, "--force"],
        "member",
        "jsonl symlink",
    ),
    "batch-dir-member-hardlink": (
        lambda f, o: ["batch", "--no-progress", f["member"].parent, "-o", o, "--force"],
        "member",
        "csv hardlink",
    ),
}


@pytest.mark.parametrize("attack", SAME_FILE)
def test_an_output_that_is_an_input_is_refused_and_nothing_is_touched(tmp_path, capsys, attack):
    command, which, how = SAME_FILE[attack]
    files = _inputs(tmp_path)
    victim = files[which]
    if how == "same":
        named = victim
    else:
        named = tmp_path / ("out.csv" if "csv" in how else "out.jsonl" if "jsonl" in how else "out.yaml")
        if "symlink" in how:
            named.symlink_to(victim)
        else:
            os.link(victim, named)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, out, err = run(capsys, *command(files, named))
    assert (code, out) == (2, "")
    same = "" if named == victim else f" ({victim})"
    assert err == (
        f"{named}: error: the output is also an input{same}: writing it would destroy the input; nothing "
        "was written: name another output file [E402 output-is-input]\n"
    )
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.rglob(".*") if p.name.endswith((".tmp", ".lock"))]


def test_an_output_beside_its_inputs_is_fine(tmp_path, capsys):
    """Only the inputs count: a report written into a case directory that is not a case file is allowed."""
    files = _inputs(tmp_path)
    report = files["member"].parent / "report.jsonl"
    report.write_text("", "utf-8")
    assert run(capsys, "batch", "--no-progress", files["member"].parent, "-o", report, "--force")[0] == 0
    assert run(capsys, "screen", files["case"], "-o", files["rule"].parent / "report.txt")[0] == 0
