"""When do worker processes pay? `screening batch` of N synthetic JSON Lines cases, one process against two.

    python bench/workers.py [N ...]          # default: 1000 3000 10000

Prints the wall time of each run and the number of cases from which two workers were faster here; the
default of --workers (screening.batch.run.SMALL) rests on it. Rates are shared with whatever else runs on
the machine: the load average is printed with them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from screening.batch.synthetic import cases


def run(source: Path, out: Path, workers: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "screening", "batch", "--no-progress", str(source), "-o", str(out), "--force"]
        + ["--workers", str(workers)],
        check=False,
        capture_output=True,
    )
    return time.perf_counter() - started


def main(sizes: list[int]) -> None:
    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            source = Path(folder) / f"cases-{n}.jsonl"
            source.write_text("".join(json.dumps(c) + "\n" for c in cases(n)), "utf-8")
            one = run(source, Path(folder) / "one.jsonl", 1)
            two = run(source, Path(folder) / "two.jsonl", 2)
            faster = "two workers faster" if two < one else "one process faster"
            print(f"  {n:>7,} cases: workers 1 {one:6.2f} s, workers 2 {two:6.2f} s  ({faster})")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 3000, 10000])
