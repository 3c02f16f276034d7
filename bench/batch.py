"""Benchmark of `screening batch`: cases per second end to end, against the bare cost of parsing.

Writes N synthetic cases (seeded; see screening/batch/synthetic.py) as JSON Lines case documents and
M of them as a directory of YAML files, then prints:

- the parsing baseline: json.loads per line, PyYAML's C loader per file, and the project's YAML loader
  (C parser plus line marks and limits), which is what a batch pays to read a YAML case;
- cases/s of the batch in process (library call) and through the CLI, for JSON Lines and the YAML
  directory, with 1 and 2 worker processes;
- peak RSS of a CLI run (one worker) on N/10 and on N cases, to show memory does not grow with N;
- where a case's time goes: CPU microseconds per case of each stage of the work, measured stage by stage
  on the first 5,000 JSON Lines cases (reading the line, building and validating the case, building the
  facts, the rules' pass, the information gaps, the filing matrix, the rest of screening and the row);
- with --profile, the top entries of a cProfile of the in-process JSON Lines run.

    python bench/batch.py [--cases 100000] [--yaml-cases 5000] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from screening.batch.run import Job, plan, run_batch  # noqa: E402
from screening.batch.synthetic import cases  # noqa: E402
from screening.infra.yamlio import load  # noqa: E402

RSS = (
    "import resource, sys; from screening.cli import main; code = main(sys.argv[1:]); "
    "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); sys.exit(code)"
)


def write_inputs(work: Path, n: int, m: int) -> tuple[Path, Path, Path]:
    """The N-case JSON Lines file, its first N/10 cases, and the directory of M YAML cases."""
    jsonl, tenth, directory = work / "cases.jsonl", work / "tenth.jsonl", work / "yaml"
    directory.mkdir()
    with jsonl.open("w", encoding="utf-8") as out, tenth.open("w", encoding="utf-8") as part:
        for i, doc in enumerate(cases(n, seed=1)):
            line = json.dumps(doc) + "\n"
            out.write(line)
            if i < max(1, n // 10):
                part.write(line)
            if i < m:
                (directory / f"{doc['id']}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    return jsonl, tenth, directory


def baseline(jsonl: Path, directory: Path) -> None:
    start = time.perf_counter()
    with jsonl.open(encoding="utf-8") as handle:
        n = sum(1 for line in handle if json.loads(line))
    rate = n / (time.perf_counter() - start)
    print(f"  parse only, json.loads per line:          {rate:>10,.0f} cases/s  ({n:,} lines)")
    files = sorted(directory.glob("*.yaml"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    start = time.perf_counter()
    for path in files:
        yaml.load(path.read_text("utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    print(
        f"  parse only, yaml {loader.__name__} per file:  {len(files) / (time.perf_counter() - start):>10,.0f} "
        f"cases/s  ({len(files):,} files)"
    )
    start = time.perf_counter()
    for path in files:
        load(path)
    print(
        f"  parse only, screening.infra.yamlio.load:  {len(files) / (time.perf_counter() - start):>10,.0f} "
        "cases/s  (C parser, marks, limits)"
    )


def in_process(sources: list[Path], out: Path, workers: int, label: str) -> float:
    summary = run_batch(plan(Job(sources, out, workers=workers, force=True)))
    print(
        f"  in process, {label:<22} workers {workers}: {summary.rate:>8,.0f} cases/s  "
        f"({summary.cases:,} cases, {summary.elapsed:.1f} s)"
    )
    return summary.rate


def cli(sources: list[Path], out: Path, workers: int, label: str) -> tuple[float, int]:
    """Wall-clock rate of the CLI (start-up included) and the peak RSS (KiB) of its main process."""
    cmd = [
        sys.executable,
        "-c",
        RSS,
        "batch",
        *map(str, sources),
        "-o",
        str(out),
        "--force",
        "--no-progress",
        "--workers",
        str(workers),
    ]
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    wall = time.perf_counter() - start
    n = sum(1 for _ in out.open(encoding="utf-8"))
    rss = int(done.stdout.strip() or 0)
    print(
        f"  CLI,        {label:<22} workers {workers}: {n / wall:>8,.0f} cases/s  ({n:,} cases, {wall:.1f} s wall, "
        f"peak RSS {rss / 1024:,.0f} MiB)"
    )
    return n / wall, rss


def profile(jsonl: Path, out: Path, limit: int) -> None:
    import cProfile
    import pstats

    head = out.parent / "profile.jsonl"
    with jsonl.open(encoding="utf-8") as src, head.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= limit:
                break
            dst.write(line)
    job = plan(Job([head], out, force=True))
    profiler = cProfile.Profile()
    profiler.runcall(run_batch, job)
    print(f"\nwhere the time goes ({limit:,} JSON Lines cases, cProfile, top 20 by cumulative time):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(20)


def stages(jsonl: Path, limit: int) -> None:
    """CPU time per case of each stage of a batch's work, timed stage by stage (no profiler overhead)."""
    from screening.batch.work import LineMarks, assess, pack_for
    from screening.case.facts import build_facts
    from screening.case.load import build_case
    from screening.conditions.evaluate import evaluate, prepare
    from screening.decision import engine
    from screening.decision.filings import matrix
    from screening.pack.load import default_pack_path

    pack = pack_for(str(default_pack_path()))
    prepare(pack)
    mitigation = {c.id for c in pack.scoring.categories if c.mitigation}
    with jsonl.open(encoding="utf-8") as handle:
        lines = [line for _, line in zip(range(limit), handle, strict=False)]
    spent = dict.fromkeys(
        (
            "read the JSON line",
            "build and validate the case",
            "build the facts",
            "the rules' pass (fired, undecided, unknown facts)",
            "the information gaps",
            "the filing matrix (brief)",
            "the whole screen and row",
        ),
        0.0,
    )
    labels = list(spent)

    def timed(stage: int, work, *args):  # type: ignore[no-untyped-def]
        start = time.process_time()
        out = work(*args)
        spent[labels[stage]] += time.process_time() - start
        return out

    for line in lines:
        data = timed(0, json.loads, line)
        case = timed(1, build_case, data, LineMarks(line, 1), "bench")
        facts = timed(2, build_facts, case)
        explained = timed(3, lambda values: evaluate(pack, values, unknowns=True), facts.values)
        unknown = [(pack.rules[i], found) for i, found in zip(explained.undecided, explained.unknowns, strict=True)]
        timed(4, engine._gaps, facts, unknown, mitigation)
        timed(5, matrix, facts.values, pack.regimes, None, None, False)
        timed(6, assess, case, pack)
    n = len(lines)
    whole = spent[labels[0]] + spent[labels[1]] + spent[labels[6]]
    rest = spent[labels[6]] - sum(spent[label] for label in labels[2:6])
    print(f"\nwhere a case's time goes (CPU microseconds per case, {n:,} JSON Lines cases, each stage timed apart):")
    for label, seconds in [*list(spent.items())[:6], ("the rest of screening and the row", rest)]:
        print(f"  {label:52} {seconds / n * 1e6:8.1f}  {seconds / whole:6.1%}")
    print(f"  {'in all':52} {whole / n * 1e6:8.1f}  -> {n / whole:,.0f} cases per CPU-second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="JSON Lines cases (N)")
    parser.add_argument("--yaml-cases", type=int, default=5_000, help="YAML files (M)")
    parser.add_argument("--profile", action="store_true", help="also profile an in-process run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="screening-bench-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        jsonl, tenth, directory = write_inputs(work, args.cases, args.yaml_cases)
        print(
            f"inputs: {args.cases:,} JSON Lines cases and {args.yaml_cases:,} YAML files written in "
            f"{time.perf_counter() - start:.1f} s (cpus: {os.cpu_count()}, load average "
            f"{os.getloadavg()[0]:.1f}: rates are shared with whatever else runs)"
        )
        baseline(jsonl, directory)
        out = work / "results.jsonl"
        in_process([jsonl], out, 1, "JSON Lines")
        in_process([directory], out, 1, "YAML directory")
        large = 0
        for workers in (1, 2):
            _, rss = cli([jsonl], out, workers, "JSON Lines")
            large = large or rss  # one worker: the main process does all the work
            cli([directory], out, workers, "YAML directory")
        _, small = cli([tenth], out, 1, f"JSON Lines, N/10={args.cases // 10:,}")
        print(f"  peak RSS, N/10 -> N cases: {small / 1024:,.0f} -> {large / 1024:,.0f} MiB")
        stages(jsonl, min(args.cases, 5_000))
        if args.profile:
            profile(jsonl, out, min(args.cases, 5_000))


if __name__ == "__main__":
    main()
