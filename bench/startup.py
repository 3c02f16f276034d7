"""Start-up benchmark: wall time of `screening screen` on the Alibaba case against the import floor.

The floor is `python -c "import typer, rich.console, yaml"`: what any typer + rich + PyYAML CLI pays
before doing anything. Runs alternate between the two commands so machine noise hits both alike;
the figure that matters is the ratio of medians (target: <= 1.5).

    python bench/startup.py [--runs 30]
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
FLOOR = [sys.executable, "-c", "import typer, rich.console, yaml"]
SCREEN = [sys.executable, "-m", "screening", "screen", str(ROOT / "cases" / "alibaba-liege.yaml")]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # An installed package runs from bytecode compiled at install time. A source checkout may not
    # write its own (PYTHONDONTWRITEBYTECODE), so both commands get a private bytecode cache,
    # filled by the warm-up runs: the figures are those of an installed command.
    cache = tempfile.mkdtemp(prefix="screening-bench-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    for _ in range(2):  # warm the file cache and the bytecode
        wall(FLOOR, env), wall(SCREEN, env)
    floor, screen = [], []
    for _ in range(args.runs):
        floor.append(wall(FLOOR, env))
        screen.append(wall(SCREEN, env))
    shutil.rmtree(cache, ignore_errors=True)
    f, s = statistics.median(floor), statistics.median(screen)
    print(f"import floor (typer, rich.console, yaml): median {f * 1000:.0f} ms over {args.runs} runs")
    print(f"screening screen cases/alibaba-liege.yaml: median {s * 1000:.0f} ms over {args.runs} runs")
    print(f"ratio: {s / f:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
