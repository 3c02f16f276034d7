"""Run one fuzz scenario through the real command line and judge what came out.

A scenario is plain data (JSON): the files to lay out in an empty directory, then steps, each a command
line with its environment and standard input (or a change made to a file between two commands). Each
command runs in its own process, with its memory capped (RLIMIT_AS) and its time bounded (killed past
the limit, with the processes it started): either a fork of this process, which has the package
imported already (fast), or a new interpreter (``python -m screening``, as a user runs it).

What a run may not do, whatever its input (``verdict``):
- exit with anything but 0, 1 or 2 (3 is the last-resort handler of an internal error), die of a signal,
  or run past its time limit or its memory bound;
- print a traceback, or an internal error, on stderr; exit 2 without saying why;
- leave a temporary file of an atomic write behind;
- let a control sequence or a bidirectional override from an input reach a terminal form (stderr, or a
  text or Markdown report on stdout) uncoloured runs.
"""

from __future__ import annotations

import base64
import io
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

MEMORY_LIMIT = 4 << 30
"""Address space of one run (RLIMIT_AS): past it an allocation fails, which must not be an internal error."""
RSS_LIMIT_KB = 1_500_000
"""Most resident memory one run may reach (ru_maxrss, KiB): the bound the fuzzer asserts."""
TIME_LIMIT = 45.0
"""Seconds one command may take; the hostile shapes the README names finish in a few."""


def load_factor() -> float:
    """How many times longer than on an idle machine a command may take now: the load per core, at least 1. On a
    shared machine under a load of 7 on 2 cores a batch of 300 rows that takes 3 s idle took over 45 s, which the
    time limit took for a hang (seed 512)."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


FILE_LIMIT = 512 << 20
"""Largest file one run may write (RLIMIT_FSIZE; stdout and stderr are files too): past it the system stops the
run with SIGXFSZ, a finding (output without bound), before it fills the disk."""
READ_LIMIT = 16 << 20
"""Bytes of stdout and stderr the fuzzer reads back from one run."""


class Outcome(NamedTuple):
    """What one command did."""

    argv: list[str]
    code: int | None
    """Exit code; None when killed at the time limit; negative for a signal."""
    stdout: bytes
    stderr: bytes
    seconds: float
    max_rss_kb: int
    leftovers: list[str]
    """Temporary files of atomic writes left in the directory."""
    written: int = 0
    """Bytes written to stdout and stderr."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def fsname(name: str) -> bytes:
    """A path of a scenario as bytes: names that are not UTF-8 are kept as surrogate escapes."""
    return os.fsencode(name)


def lay_out(files: dict[str, dict], root: Path) -> list[Path]:
    """Make the files of a scenario under ``root``; return the FIFOs made (they need a reader)."""
    fifos = []
    links = []
    for name, spec in sorted(files.items(), key=lambda kv: kv[0].count("/")):
        path = Path(os.fsdecode(os.path.join(fsname(str(root)), fsname(name))))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if "data" in spec:
                path.write_bytes(unb64(spec["data"]))
            elif spec.get("dir"):
                path.mkdir(exist_ok=True)
            elif spec.get("fifo"):
                os.mkfifo(path)
                fifos.append(path)
            elif "link" in spec:
                links.append((path, spec["link"]))
        except OSError:
            pass  # a name the file system refuses (too long): the command meets a missing file
    for path, target in links:
        try:
            os.symlink(target, path)
        except OSError:
            pass
    return fifos


def commit(root: Path) -> None:
    """Commit the files of a scenario to a new git repository in its directory (for ``diff REV:PATH``)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "f",
        "GIT_AUTHOR_EMAIL": "f@example.org",
        "GIT_COMMITTER_NAME": "f",
        "GIT_COMMITTER_EMAIL": "f@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for args in (["init", "-q"], ["add", "-A", "--ignore-errors"], ["commit", "-q", "-m", "scenario"]):
        subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, timeout=60)


class FifoDrain(threading.Thread):
    """A reader on a FIFO of the scenario, so that a command writing its output there is not blocked."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path

    def run(self) -> None:
        try:
            with open(self.path, "rb") as pipe:
                while pipe.read(65536):
                    pass
        except OSError:
            pass

    def release(self) -> None:
        """Unblock the reader if no command ever opened the FIFO for writing."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
        self.join(2)


def leftovers(root: Path) -> list[str]:
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


def _text_stream(fd: int, mode: str, env: dict[str, str]) -> io.TextIOWrapper:
    """A standard stream as a new interpreter would make it from PYTHONIOENCODING."""
    spec = env.get("PYTHONIOENCODING", "")
    encoding, _, errors = spec.partition(":")
    encoding = encoding or "utf-8"
    errors = errors or ("backslashreplace" if fd == 2 else "strict")
    raw = open(fd, mode + "b", buffering=0 if mode == "w" and fd == 2 else -1, closefd=False)
    return io.TextIOWrapper(raw, encoding=encoding, errors=errors, line_buffering=fd == 2, write_through=fd == 2)


def _child(argv: list[str], env: dict[str, str], cwd: Path, fds: tuple[int, int, int]) -> None:
    """In the forked process: become the command and exit with its code."""
    code = 99
    try:
        os.setpgid(0, 0)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.chdir(cwd)
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
        os.environ.clear()
        os.environ.update(env)
        sys.stdin = _text_stream(0, "r", env)
        sys.stdout = _text_stream(1, "w", env)
        sys.stderr = _text_stream(2, "w", env)
        from screening import cli

        code = cli.main(argv)
        try:
            sys.stdout.flush()
        except Exception as exc:  # what Python does when flushing stdout at exit fails
            os.write(2, f"Exception ignored on flushing sys.stdout: {exc!r}\n".encode())
            code = 120
    except BaseException:
        import traceback

        os.write(2, b"fuzz harness: the command raised out of main():\n")
        os.write(2, traceback.format_exc().encode("utf-8", "backslashreplace"))
        code = 98
    finally:
        os._exit(code if isinstance(code, int) and 0 <= code < 256 else 97)


def _wait(pid: int, limit: float) -> tuple[int | None, int]:
    """Wait for ``pid`` at most ``limit`` seconds; its exit code (None if killed for time) and max RSS."""
    deadline = time.monotonic() + limit
    delay = 0.001
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            _kill_group(pid)  # what it started and left running (a pool's workers)
            return os.waitstatus_to_exitcode(status), usage.ru_maxrss
        if time.monotonic() > deadline:
            _kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            return None, usage.ru_maxrss
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _bytes(arg: str) -> bytes:
    try:
        return os.fsencode(arg)  # surrogate escapes: the bytes of a name that is not UTF-8
    except UnicodeEncodeError:
        return arg.encode("utf-8", "surrogatepass")


def run_command(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    stdin: bytes = b"",
    *,
    fork: bool = True,
    limit: float = TIME_LIMIT,
    kill_after: float | None = None,
) -> Outcome:
    """Run ``screening ARGV`` in ``cwd``; forked from this process, or a new interpreter."""
    # what a process is given is bytes: a lone surrogate in a scenario reaches it as the bytes that encode
    # it, which Python decodes as surrogate escapes; a fork gets exactly what a new interpreter would
    raw = [_bytes(a) for a in argv]
    argv = [os.fsdecode(a) for a in raw]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        inp.write(stdin)
        inp.seek(0)
        started = time.monotonic()
        wait_for = kill_after if kill_after is not None else limit * load_factor()
        if fork:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(argv, env, cwd, (inp.fileno(), out.fileno(), err.fileno()))
            code, rss = _wait(pid, wait_for)
        else:
            # no preexec_fn (Python code between fork and exec is unsafe in a process with threads): a
            # session of its own, and the memory cap set from here before the interpreter has started up
            proc = subprocess.Popen(
                [os.fsencode(sys.executable), b"-m", b"screening", *raw],
                cwd=cwd,
                env=env,
                stdin=inp,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
            try:
                resource.prlimit(proc.pid, resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
                resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
            except OSError:
                pass
            code, rss = _wait(proc.pid, wait_for)
            proc.returncode = code if code is not None else -9  # reaped already: keep Popen from waiting
        seconds = time.monotonic() - started
        written = out.seek(0, 2) + err.seek(0, 2)
        out.seek(0)
        err.seek(0)
        return Outcome(argv, code, out.read(READ_LIMIT), err.read(READ_LIMIT), seconds, rss, leftovers(cwd), written)


ESCAPES = re.compile("[\x1b\x9b\u202a-\u202e\u2066-\u2069]")


def _coloured(argv: list[str], env: dict[str, str]) -> bool:
    return "--color" in argv or "--progress" in argv or bool(env.get("FORCE_COLOR")) or bool(env.get("TTY_COMPATIBLE"))


def _terminal_stdout(argv: list[str]) -> bool:
    """Whether stdout holds a terminal form: a text or Markdown report, a diff of fmt, check's lines."""
    if "-o" in argv or "--output" in argv or not argv:
        return False
    if argv[0] in ("schema", "facts"):
        return False
    fmt = None  # the last -f or --format wins, as it does for the command line
    for i, arg in enumerate(argv):
        if arg in ("-f", "--format") and i + 1 < len(argv):
            fmt = argv[i + 1]
        elif arg.startswith("--format="):
            fmt = arg.partition("=")[2]
    return fmt in (None, "text", "markdown", "github")


def _decode(data: bytes, env: dict[str, str]) -> str:
    encoding = env.get("PYTHONIOENCODING", "").partition(":")[0] or "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def verdict(outcome: Outcome, env: dict[str, str]) -> str | None:
    """What is wrong with an outcome, as a short signature to group findings by; None if nothing."""
    command = " ".join(a for a in outcome.argv[:2] if a and not a.startswith("-") and a in COMMANDS) or "?"
    err = _decode(outcome.stderr, env)
    internal = re.search(r"internal error: ([\w.]+).*? at (\S+:\d+) \(screening", err)
    if internal:  # named by the innermost frame of the package when the traceback is there
        ours = re.findall(r'File "[^"]*/screening/([^"]+)", line (\d+)', err)
        where = f"{ours[-1][0]}:{ours[-1][1]}" if ours else internal.group(2)
        return f"internal error {internal.group(1)} at {where} [{command}]"
    if "Traceback (most recent call last)" in err:
        frames = re.findall(r'File "([^"]+)", line (\d+)', err)
        where = f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else "?"
        last = err.strip().splitlines()[-1][:80] if err.strip() else ""
        return f"traceback {last.split(':')[0]} at {where} [{command}]"
    if outcome.code is None:
        return f"time limit [{command}]"
    if outcome.code < 0:
        return f"signal {-outcome.code} [{command}]"
    if outcome.code not in (0, 1, 2):
        return f"exit {outcome.code} [{command}]"
    if outcome.written > 100 << 20 or "File too large" in err:
        return f"output without bound ({outcome.written >> 20} MiB on stdout and stderr) [{command}]"
    if outcome.max_rss_kb > RSS_LIMIT_KB:
        return f"memory {outcome.max_rss_kb // 1024} MiB [{command}]"
    if outcome.code == 2 and not err.strip():
        return f"exit 2 without a message [{command}]"
    if outcome.leftovers:
        return f"temporary file left [{command}]"
    if env.get("PYTHONIOENCODING", "").startswith("utf-16"):
        return None
    if not _coloured(outcome.argv, env):
        if ESCAPES.search(err):
            return f"escape sequence on stderr [{command}]"
        if _terminal_stdout(outcome.argv) and ESCAPES.search(_decode(outcome.stdout, env)):
            return f"escape sequence on stdout [{command}]"
    return None


def results_verdict(argv: list[str], root: Path, outcome: Outcome) -> str | None:
    """What is wrong with the JSON Lines results of a batch that ended well: every line whole, one row per
    input row (no source twice, as a resume after a kill must leave them)."""
    if not argv or argv[0] != "batch" or outcome.code not in (0, 1) or "-o" not in argv[:-1]:
        return None
    name = argv[argv.index("-o") + 1]
    inputs = argv[1 : argv.index("-o")]
    if len(set(inputs)) != len(inputs) or any(i in (".", "", "-", "/dev/stdin") for i in inputs):
        return None  # an input given twice, or a directory holding the others: its rows come twice, rightly
    path = root / name
    if not name.endswith(".jsonl") or not path.is_file() or path.is_symlink():
        return None
    import json

    sources = []
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        return "results end in a partial row [batch]"
    for line in data.splitlines():
        try:
            row = json.loads(line)
            sources.append(row["source"])
        except (ValueError, KeyError, TypeError):
            return "results hold a row that is not one JSON object with a source [batch]"
        wrong = conversion_verdict(row.get("notes"))
        if wrong:
            return wrong
    if len(sources) != len(set(sources)):
        return "results hold a row twice [batch]"
    return None


CONVERSION = re.compile(r"([A-Z]{3}) ([0-9,.]+) = EUR ([0-9,.]+) at ([0-9.eE+-]+) [A-Z]{3}/EUR \(rate of ([^,]*),")
"""A row's note of an amount converted to euros: currency, amount, euros, the rate, the day of the rate."""


def conversion_verdict(notes: object) -> str | None:
    """What is wrong with a row's notes of currency conversions: a rate of a day not written YYYY-MM-DD (the
    days of a rates table are searched as text, so one in another form is taken out of order), or euros that
    are not the amount at the rate shown."""
    for note in notes if isinstance(notes, list) else ():
        found = CONVERSION.search(str(note))
        if not found:
            continue
        _, amount, euros, rate, day = found.groups()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
            return "a conversion at the rate of a day not written YYYY-MM-DD [batch]"
        try:
            want = float(amount.replace(",", "")) / float(rate)
            got = float(euros.replace(",", ""))
        except ValueError:
            return "a conversion note whose numbers cannot be read [batch]"
        if abs(got - want) > max(1.0, abs(want) * 1e-5):  # the rate is shown to 6 digits
            return "a conversion whose euros are not the amount at the rate shown [batch]"
    return None


COMMANDS = {
    "backtest",
    "portfolio",
    "init",
    "screen",
    "filings",
    "facts",
    "check",
    "test",
    "diff",
    "fmt",
    "batch",
    "schema",
    "rules",
    "list",
    "show",
    "regimes",
}


def mutate_file(path: Path, how: str, seed: int) -> None:
    """Change a file between two steps: cut it, damage its bytes, or add a line of junk."""
    import random

    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return  # a FIFO would block the driver
        data = path.read_bytes()
    except OSError:
        return
    rng = random.Random(seed)
    if how == "truncate" and data:
        data = data[: rng.randrange(len(data))]
    elif how == "bytes" and data:
        data = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
    elif how == "junk":
        data += rng.choice(
            [
                b"{not json\n",
                b"\xff\xfe\n",
                b"id,score\n",
                b'{"id": "x", "score": NaN}\n',
                b"=cmd|' /C calc'!A0\n",
                data[: len(data) // 2],
            ]
        )
    elif how == "delete":
        path.unlink()
        return
    path.write_bytes(data)


def run_scenario(
    scenario: dict, base: Path, *, fork: bool = True, keep: bool = False, limit: float = TIME_LIMIT
) -> tuple[list[Outcome], str | None, int]:
    """Lay the scenario out in a new directory under ``base`` and run its steps; the outcomes, the first
    verdict (or None), and the index of the step it came from."""
    root = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    outcomes: list[Outcome] = []
    try:
        fifos = lay_out(scenario["files"], root)
        if scenario.get("git"):
            commit(root)
        drains = [FifoDrain(p) for p in fifos]
        for drain in drains:
            drain.start()
        found, where = None, -1
        for index, step in enumerate(scenario["steps"]):
            if "mutate" in step:
                mutate_file(root / step["mutate"], step["how"], step["seed"])
                continue
            if not safe(step["argv"]):
                continue
            env = {**BASE_ENV, **step.get("env", {})}
            outcome = run_command(
                step["argv"],
                env,
                root,
                unb64(step.get("stdin", "")),
                fork=fork and not step.get("exec"),
                limit=limit,
                kill_after=step.get("kill"),
            )
            outcomes.append(outcome)
            if step.get("kill") is not None:
                continue  # killed on purpose: only the steps after it are judged
            found = verdict(outcome, env) or results_verdict(step["argv"], root, outcome)
            if found:
                where = index
                break
            if step.get("same_as_exec") and outcome.code in (0, 1):
                again = run_command(
                    step["argv"],
                    {**env, "PYTHONHASHSEED": str(step["same_as_exec"])},
                    root,
                    unb64(step.get("stdin", "")),
                    fork=False,
                    limit=limit,
                )
                outcomes.append(again)
                found = verdict(again, env)
                if not found and again.stdout != outcome.stdout:
                    found = f"output differs across runs and hash seeds [{step['argv'][0]}]"
                if found:
                    where = index
                    break
        for drain in drains:
            drain.release()
        return outcomes, found, where
    finally:
        if not keep:
            _remove(root)


def _remove(root: Path) -> None:
    def writable(func, path, _exc):  # type: ignore[no-untyped-def]
        try:
            os.chmod(path, stat.S_IRWXU)
            func(path)
        except OSError:
            pass

    shutil.rmtree(root, onerror=writable)


def safe(argv: list[str]) -> bool:
    """Never let a command rewrite the bundled pack: fmt needs paths of the scenario's own files."""
    if argv and argv[0] == "fmt":
        operands = [a for a in argv[1:] if not a.startswith("-")]
        return bool(operands) and all(not os.path.isabs(a) and ".." not in a for a in operands)
    return True


BASE_ENV: dict[str, str] = {}
"""The environment every command starts from (set by the driver: PATH, HOME, a private pack cache)."""
