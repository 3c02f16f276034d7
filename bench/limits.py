"""How fast, and in how much memory, a file over the value limit is refused.

A file just under the size limit (10 MB) that holds millions of tiny values must be refused for its
values (E111) long before they are all built, by `screening screen` and by `screening fmt --check`
(2 MB of them). Each command runs as its own process; the figures are its wall time and its peak
resident memory (``ru_maxrss`` of the child).

    python bench/limits.py [--mb 10] [--fmt-mb 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = "format: 1\nid: x\ntitle: t\ninvestor: b\nentities: [{id: b, name: B}]\ntarget: {name: T}\n"

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{wall:.2f} {peak:.0f} {done.returncode} {done.stderr.strip().splitlines()[-1] if done.stderr else ''}")
"""


def block(size: int) -> str:
    """A case whose tags are a block list of one-letter values, ``size`` bytes in all."""
    head = HEAD + "tags:\n"
    return head + "- a\n" * ((size - len(head)) // 4)


def flow(size: int) -> str:
    """A case whose tags are a flow list of one-letter values, ``size`` bytes in all."""
    head = HEAD + "tags: ["
    return head + "a," * ((size - len(head) - 2) // 2) + "a]\n"


def rules_block(size: int) -> str:
    """A rule file with one list of ``size`` bytes of one-digit values (what ``fmt`` reads)."""
    head = "rules:\n"
    return head + "- 1\n" * ((size - len(head)) // 4)


def run(label: str, command: list[str]) -> None:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    wall, peak, code, last = out.stdout.strip().split(" ", 3)
    print(f"{label:<44} {float(wall):8.2f} s {float(peak):8.0f} MiB  exit {code}  {last[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the case files (default 10 MB)")
    parser.add_argument("--fmt-mb", type=float, default=2.0, help="size of the rule file for fmt (default 2 MB)")
    args = parser.parse_args()
    size, fmt_size = int(args.mb * 1_000_000) - 1, int(args.fmt_mb * 1_000_000)
    env = dict(os.environ, SCREENING_CACHE_DIR="")
    os.environ.update(env)
    with tempfile.TemporaryDirectory() as tmp:
        files = {"block": Path(tmp, "block.yaml"), "flow": Path(tmp, "flow.yaml"), "rules": Path(tmp, "rules.yaml")}
        files["block"].write_text(block(size), "utf-8")
        files["flow"].write_text(flow(size), "utf-8")
        files["rules"].write_text(rules_block(fmt_size), "utf-8")
        screening = [sys.executable, "-m", "screening"]
        start = time.perf_counter()
        run(f"screen, {args.mb:g} MB block list of 'a'", [*screening, "screen", str(files["block"])])
        run(f"screen, {args.mb:g} MB flow list of 'a'", [*screening, "screen", str(files["flow"])])
        run(f"fmt --check, {args.fmt_mb:g} MB block list of 1", [*screening, "fmt", "--check", str(files["rules"])])
        print(f"(all runs: {time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
