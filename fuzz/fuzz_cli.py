"""Fuzz the whole command line: every command, with mutated inputs, paths and environment.

Each run builds a scenario (fuzz/cli_scenarios.py: a command line, the files it names, made from the
project's own examples and mutated, and an environment) and runs it in its own process with its memory
capped and its time bounded (fuzz/cli_runner.py). A run may exit 0, 1 or 2 and nothing else; it may not
print a traceback or an internal error, leave a temporary file, or let a control sequence from an input
reach a terminal form. A failing scenario is minimised (environment variables, arguments, files, lines
and bytes removed while it still fails the same way) and written under the findings directory, one
folder per kind of failure, with the command's stderr.

    python fuzz/fuzz_cli.py --minutes 10                 # explore for ten minutes from a random seed
    python fuzz/fuzz_cli.py --seed 1 --runs 300          # a fixed seed and count: the same runs every time
    python fuzz/fuzz_cli.py --replay fuzz/findings/X/scenario.json [--keep]   # run one again, show it

Exit status: 0 when no run failed, 1 otherwise (the findings are listed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cli_runner  # noqa: E402
from cli_runner import run_scenario  # noqa: E402
from cli_scenarios import ROOT, Seeds, scenario  # noqa: E402


def preload() -> None:
    """Import what commands import lazily, once, so that each forked run starts warm."""
    import screening.api  # noqa: F401
    import screening.batch.run  # noqa: F401
    import screening.case.watchlists  # noqa: F401
    import screening.cli  # noqa: F401
    import screening.report.html  # noqa: F401
    import screening.report.markdown  # noqa: F401
    import screening.report.text  # noqa: F401
    import screening.tooling.check  # noqa: F401
    import screening.tooling.diff  # noqa: F401
    import screening.tooling.fmt  # noqa: F401
    import screening.tooling.testing  # noqa: F401

    for optional in ("pyarrow.parquet", "ruamel.yaml", "rapidfuzz.process"):
        try:
            __import__(optional)
        except ImportError:
            pass


def base_env(cache: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["SCREENING_CACHE_DIR"] = str(cache)
    env["PYTHONPATH"] = str(ROOT)
    env["SCREENING_TRACEBACK"] = "1"  # an internal error is a finding anyway: its traceback names where
    return env


def minimise(found: dict, signature: str, work: Path, budget: float = 90.0) -> tuple[dict, int]:
    """A smaller scenario that fails the same way: environment, arguments, files, lines, bytes removed."""
    deadline = time.monotonic() + budget
    tries = 0
    best = json.loads(json.dumps(found))

    def still(candidate: dict) -> bool:
        nonlocal tries
        if time.monotonic() > deadline:
            return False
        tries += 1
        _, got, _ = run_scenario(candidate, work)
        return got == signature

    def attempt(change) -> bool:  # type: ignore[no-untyped-def]
        nonlocal best
        candidate = json.loads(json.dumps(best))
        if change(candidate) is False:
            return False
        if still(candidate):
            best = candidate
            return True
        return False

    # steps other than the failing one's earlier commands
    for i in range(len(best["steps"]) - 1, -1, -1):
        attempt(lambda c, i=i: len(c["steps"]) > 1 and c["steps"].pop(i) and None)
    for step_index, step in enumerate(best["steps"]):
        for var in sorted(step.get("env", {})):
            attempt(lambda c, s=step_index, v=var: c["steps"][s]["env"].pop(v) and None)
        i = 1
        while i < len(best["steps"][step_index].get("argv", [])):
            argv = best["steps"][step_index]["argv"]
            if argv[i].startswith("-") and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                if attempt(lambda c, s=step_index, i=i: c["steps"][s]["argv"].__delitem__(slice(i, i + 2))):
                    continue
            if attempt(lambda c, s=step_index, i=i: c["steps"][s]["argv"].pop(i) and None):
                continue
            i += 1
    for name in sorted(best["files"]):
        attempt(lambda c, n=name: c["files"].pop(n) and None)
    for name in sorted(best["files"]):
        if "data" not in best["files"].get(name, {}):
            continue
        for unit in ("lines", "bytes"):
            _shrink_file(best, name, unit, attempt)
    return best, tries


def _shrink_file(best: dict, name: str, unit: str, attempt) -> None:  # type: ignore[no-untyped-def]
    from cli_runner import b64, unb64

    def parts_of(scenario: dict) -> list[bytes]:
        data = unb64(scenario["files"][name]["data"])
        return data.splitlines(keepends=True) if unit == "lines" else [bytes([x]) for x in data]

    chunk = max(1, len(parts_of(best)) // 2)
    while chunk >= 1:
        start = 0
        while start < len(parts_of(best)):

            def cut(c, start=start, chunk=chunk):  # type: ignore[no-untyped-def]
                parts = parts_of(c)
                if start >= len(parts):
                    return False
                c["files"][name]["data"] = b64(b"".join(parts[:start] + parts[start + chunk :]))

            if not attempt(cut):
                start += chunk
        if unit == "bytes" and chunk == 1:
            break
        chunk //= 2
        if unit == "bytes" and len(parts_of(best)) > 4000:
            break  # byte by byte on a large file would take too long: lines have done most of it


def slug(signature: str) -> str:
    return (
        re.sub(r"[^a-zA-Z0-9]+", "-", signature).strip("-")[:60]
        + "-"
        + hashlib.sha256(signature.encode()).hexdigest()[:8]
    )


def campaign(args: argparse.Namespace) -> int:
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1)  # kill -USR1 PID shows where the driver itself waits
    import resource

    # the fuzzer itself is held to 8 GiB, on a machine others share: past it, a MemoryError here, not the OOM killer
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    preload()
    seeds = Seeds()
    work = Path(tempfile.mkdtemp(prefix="screening-fuzz-"))
    cache = work / "cache"
    cache.mkdir()
    cli_runner.BASE_ENV.update(base_env(cache))
    findings = Path(args.findings)
    pack_before = _digest(ROOT / "rules")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    print(
        f"fuzzing the CLI: seed {seed}, " + (f"{args.runs} runs" if args.runs else f"{args.minutes} minutes"),
        file=sys.stderr,
    )
    started = time.monotonic()
    runs = commands = 0
    by_command: Counter[str] = Counter()
    codes: Counter[object] = Counter()
    slowest = (0.0, "")
    largest = (0, "")
    seen: dict[str, int] = {}
    harness: Counter[str] = Counter()
    while True:
        if args.runs and runs >= args.runs:
            break
        if not args.runs and time.monotonic() - started > args.minutes * 60:
            break
        one = scenario(rng, seeds)
        runs += 1
        by_command[one["command"]] += 1
        try:
            outcomes, signature, step = run_scenario(one, work, fork=not args.exec)
        except Exception as exc:  # a fault of the harness, not of the tool: shown, and the campaign goes on
            import traceback

            traceback.print_exc()
            harness[f"{type(exc).__name__}: {exc}"[:120]] += 1
            continue
        commands += len(outcomes)
        for outcome in outcomes:
            codes[outcome.code] += 1
            if outcome.code is not None:
                slowest = max(slowest, (round(outcome.seconds, 2), " ".join(outcome.argv[:2])))
                largest = max(largest, (outcome.max_rss_kb >> 10, " ".join(outcome.argv[:2])))
        if signature:
            seen[signature] = seen.get(signature, 0) + 1
            print(f"run {runs}: {signature}", file=sys.stderr)
            if seen[signature] == 1:
                _record(one, signature, outcomes, findings, work, args.minimise_seconds)
        elif args.verbose:
            print(f"run {runs}: {one['command']} ok {[o.code for o in outcomes]}", file=sys.stderr)
    elapsed = time.monotonic() - started
    changed = _digest(ROOT / "rules") != pack_before
    summary = {
        "seed": seed,
        "runs": runs,
        "commands": commands,
        "seconds": round(elapsed, 1),
        "by_command": dict(sorted(by_command.items())),
        "exit_codes": {str(k): v for k, v in sorted(codes.items(), key=lambda kv: str(kv[0]))},
        "findings": seen,
        "harness_errors": dict(harness),
        "bundled_pack_changed": changed,
        "slowest_run_s": slowest,
        "largest_run_mib": largest,
        "fuzzer_max_rss_mib": __import__("resource").getrusage(0).ru_maxrss >> 10,
    }
    print(json.dumps(summary, indent=1), file=sys.stderr)
    print(f"fuzz_cli: {runs} scenarios, {commands} commands, {len(seen)} kinds of failure", file=sys.stderr)
    if seen or changed:
        print(f"{len(seen)} kinds of failure; scenarios under {findings}/", file=sys.stderr)
        return 1
    return 0


def _record(found: dict, signature: str, outcomes: list, findings: Path, work: Path, budget: float) -> None:
    folder = findings / slug(signature)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "original.json").write_text(json.dumps(found, indent=1))
    small, tries = minimise(found, signature, work, budget) if budget > 0 else (found, 0)
    (folder / "scenario.json").write_text(json.dumps(small, indent=1))
    outcomes, _, _ = run_scenario(small, work)
    last = outcomes[-1] if outcomes else None
    lines = [f"signature: {signature}", f"minimised in {tries} runs"]
    if last:
        lines += [f"argv: {last.argv!r}", f"exit: {last.code}", "stderr:", last.stderr.decode("utf-8", "replace")]
    (folder / "README.txt").write_text("\n".join(lines) + "\n")
    print(f"  recorded in {folder}", file=sys.stderr)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def replay(args: argparse.Namespace) -> int:
    preload()
    work = Path(tempfile.mkdtemp(prefix="screening-fuzz-"))
    cache = work / "cache"
    cache.mkdir()
    cli_runner.BASE_ENV.update(base_env(cache))
    one = json.loads(Path(args.replay).read_text())
    outcomes, signature, _ = run_scenario(one, work, fork=not args.exec, keep=args.keep)
    for outcome in outcomes:
        print(
            f"$ screening {' '.join(map(repr, outcome.argv))}\nexit {outcome.code} in {outcome.seconds:.2f} s, "
            f"{outcome.max_rss_kb // 1024} MiB"
        )
        print("--- stdout (first 2000 bytes):\n" + outcome.stdout[:2000].decode("utf-8", "replace"))
        print("--- stderr:\n" + outcome.stderr.decode("utf-8", "replace"))
    print(f"verdict: {signature or 'nothing wrong'}")
    if args.keep:
        print(f"files kept under {work}")
    return 1 if signature else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, help="seed of the random choices (default: a random one)")
    parser.add_argument("--runs", type=int, default=0, help="stop after this many scenarios")
    parser.add_argument("--minutes", type=float, default=1.0, help="stop after this long (without --runs)")
    parser.add_argument(
        "--findings",
        default=str(Path(__file__).parent / "findings"),
        help="where failing scenarios are written (default: fuzz/findings)",
    )
    parser.add_argument("--minimise-seconds", type=float, default=90.0, help="time to shrink each new finding")
    parser.add_argument("--exec", action="store_true", help="a new interpreter per command instead of a fork")
    parser.add_argument("--replay", help="run one scenario file and show what it did")
    parser.add_argument("--keep", action="store_true", help="with --replay: keep the scenario's files")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    return replay(args) if args.replay else campaign(args)


if __name__ == "__main__":
    sys.exit(main())
