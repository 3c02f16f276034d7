"""Start-up benchmark: wall time of `screening screen` on one example case against the import floor.

The floor is `python -c "import typer, rich.console, yaml"`: what any typer + rich + PyYAML CLI pays
before doing anything. Beside it, in the same run: `python -c pass` (the interpreter alone), `python -c "import
screening.cli"` (the package's command line imported), `screening --help`, and `screening screen CASE` in text
and in JSON. Each round runs every command once, in an order that rotates from round to round, so machine noise
hits all alike; the figure that matters is the ratio of medians, screen over floor (target: <= 1.5), in
wall-clock time and in CPU time (user + system, which a busy machine disturbs less).

    python bench/startup.py [--runs 30] [--case cases/alibaba-liege.yaml]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import floor (typer, rich.console, yaml)"


def commands(case: Path) -> dict[str, list[str]]:
    """Label -> command line; `screening` is the installed entry point when there is one beside Python."""
    script = Path(sys.executable).parent / "screening"
    cli = [str(script)] if script.is_file() else [sys.executable, "-m", "screening"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        FLOOR: [sys.executable, "-c", "import typer, rich.console, yaml"],
        "python -c 'import screening.cli'": [sys.executable, "-c", "import screening.cli"],
        "screening --help": [*cli, "--help"],
        f"screening screen {case.name}": [*cli, "screen", str(case)],
        f"screening screen {case.name} --format json": [*cli, "screen", str(case), "--format", "json"],
    }


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # screen exits 1 when the case reaches the failing level: only a crash (2 or more) is an error here
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode > 1:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--case", type=Path, default=ROOT / "cases" / "alibaba-liege.yaml")
    args = parser.parse_args()
    # An installed package runs from bytecode compiled at install time. A source checkout may not
    # write its own (PYTHONDONTWRITEBYTECODE), so every command gets a private bytecode cache,
    # filled by the warm-up runs: the figures are those of an installed command.
    cache = tempfile.mkdtemp(prefix="screening-bench-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    runs = commands(args.case.resolve())
    labels = list(runs)
    load = os.getloadavg()[0]
    for _ in range(2):  # warm the file cache, the bytecode and the pack cache
        for label in labels:
            timed(runs[label], env)
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in labels}
    for i in range(args.runs):
        for label in labels[i % len(labels) :] + labels[: i % len(labels)]:
            times[label].append(timed(runs[label], env))
    shutil.rmtree(cache, ignore_errors=True)
    walls = {label: statistics.median(w for w, _ in found) for label, found in times.items()}
    cpus = {label: statistics.median(c for _, c in found) for label, found in times.items()}
    cpu = os.cpu_count()
    print(f"{args.runs} rounds, every command once a round (cpus: {cpu}, load average {load:.1f} at the start)")
    print(f"  {'median of':52} {'wall':>7} {'(x floor)':>10} {'CPU':>7} {'(x floor)':>10}")
    for label in labels:
        print(
            f"  {label:52} {walls[label] * 1000:4.0f} ms {walls[label] / walls[FLOOR]:8.2f}x "
            f"{cpus[label] * 1000:4.0f} ms {cpus[label] / cpus[FLOOR]:8.2f}x"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; target: screen within 1.5 times the floor")


if __name__ == "__main__":
    main()
