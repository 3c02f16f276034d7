"""`screening fmt --check rules/` against `screening check rules/`, in one run, as whole processes.

Three commands alternate so that machine noise hits them alike: `check rules/` (the reference: parse,
validate, compile and lint the default pack), `fmt --check rules/` with no cache (a fresh CI clone: every
file goes through the fast layout check, and those it does not clear through the round-trip parser), and
`fmt --check rules/` with a warm cache (the pre-commit hook on a developer's machine: texts found canonical
before are known by their hash). Figures are medians, and ratios to `check`.

    python bench/fmt.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules")
CHECK = [sys.executable, "-m", "screening", "check", RULES]
FMT = [sys.executable, "-m", "screening", "fmt", "--check", RULES]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="screening-bench-")
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base["PYTHONPYCACHEPREFIX"] = os.path.join(work, "pyc")
    cold = {**base, "SCREENING_CACHE_DIR": ""}
    warm = {**base, "SCREENING_CACHE_DIR": os.path.join(work, "cache")}
    for _ in range(2):  # bytecode, the file cache, and the warm cache filled
        wall(CHECK, warm), wall(FMT, cold), wall(FMT, warm)
    check, fmt_cold, fmt_warm = [], [], []
    for _ in range(args.runs):
        check.append(wall(CHECK, warm))
        fmt_cold.append(wall(FMT, cold))
        fmt_warm.append(wall(FMT, warm))
    shutil.rmtree(work, ignore_errors=True)
    c, fc, fw = (statistics.median(x) for x in (check, fmt_cold, fmt_warm))
    print(f"check rules/:                    median {c:.2f} s over {args.runs} runs")
    print(f"fmt --check rules/ (no cache):   median {fc:.2f} s, ratio to check {fc / c:.2f}")
    print(f"fmt --check rules/ (warm cache): median {fw:.2f} s, ratio to check {fw / c:.2f}")


if __name__ == "__main__":
    main()
