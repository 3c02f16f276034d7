"""Benchmark of `screening batch`: cases per second end to end, as ratios to the bare cost of parsing.

Two workloads, each written as N seeded JSON Lines case documents (screening/batch/synthetic.py):

- one-entity: the investor alone, target, transaction (``cases``);
- realistic: the investor held through a chain of 1 to 6 levels (state bodies or individuals at the top),
  state links, data records, infrastructure, mitigations, sources, and about one case in ten with a long
  form, a bound or a month, which takes the full path (``realistic_cases``).

For each, in one run, the measure the targets are set in (at most 20 times ``json.loads`` per line on
one-entity, at most 40 on realistic): end to end from JSON Lines, the CPU time per case of an in-process
batch over the file (each line read, screened and its row written), over the CPU time per line of
``json.loads`` over the same file, read line by line as a batch reads it. Both are the medians of --rounds
rounds, taken in turn (json.loads, the quick path, the full path; ``Job(fast=False)``), so that a change in
the machine's speed during the run falls on all three alike. The first batch of a process pays once for
imports and the generated msgspec types; a warm-up batch of 200 lines pays it before anything is timed, and
its time is printed apart. CPU time, not wall-clock: on a shared machine the ratio then holds whatever else
runs (not the caches it shares: a busy machine still raises the ratio somewhat). Then, as asked:

- peak RSS of the CLI (one worker) on N/10 and N cases of the one-entity workload, and the growth between
  them, always; --rss: on --rss-large cases too;
- --memory-only: that peak RSS alone, on the quick path, nothing timed (e.g. ``--cases 100000 --rss-large
  1000000`` for 10k, 100k and 1M cases; a million one-entity cases are about 630 MB of JSON Lines);
- --yaml-cases M: the YAML loaders and a batch over a directory of M YAML files;
- --stages: CPU microseconds per case of each stage of the full path, on the first 5,000 one-entity cases;
  then of each stage of the quick path, each timed alone, on both workloads;
- --profile: the top entries of a cProfile of the in-process quick run.

    python bench/batch.py [--cases 10000] [--rounds 3] [--rss] [--rss-large 100000] [--yaml-cases 0] [--stages]
        [--profile]
    python bench/batch.py --memory-only --cases 100000 --rss-large 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from screening.batch.run import Job, plan, run_batch  # noqa: E402
from screening.batch.synthetic import cases, realistic_cases  # noqa: E402
from screening.batch.work import pack_for  # noqa: E402
from screening.infra.yamlio import load  # noqa: E402
from screening.pack.load import default_pack_path  # noqa: E402

RSS = (
    "import resource, sys; from screening.cli import main; code = main(sys.argv[1:]); "
    "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); sys.exit(code)"
)


def write_jsonl(path: Path, docs) -> Path:  # type: ignore[no-untyped-def]
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc) + "\n")
    return path


def write_yaml(directory: Path, m: int) -> Path:
    directory.mkdir()
    for doc in cases(m, seed=1):
        (directory / f"{doc['id']}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
    return directory


def json_seconds(jsonl: Path) -> float:
    """CPU seconds per line of ``json.loads`` over the file, read line by line as a batch reads it."""
    start = time.process_time()
    with jsonl.open(encoding="utf-8") as handle:
        n = sum(1 for line in handle if json.loads(line))
    return (time.process_time() - start) / max(n, 1)


def yaml_baseline(directory: Path) -> None:
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


DEFINITION = (
    "times json.loads per line: CPU time per case of an in-process batch of the file (each line read, screened, "
    "its row written) over CPU time per line of json.loads over the same file; medians of {rounds} rounds in turn"
)


def workload(label: str, jsonl: Path, out: Path, rounds: int) -> None:
    """json.loads, the quick path and the full path over one file, per case and as ratios to json.loads."""
    print(f"\n{label}:")
    pack_for(str(default_pack_path()))  # loaded and compiled once, before anything is timed
    head = out.parent / "warm-up.jsonl"
    with jsonl.open(encoding="utf-8") as src:
        head.write_text("".join(line for _, line in zip(range(200), src, strict=False)), "utf-8")
    for fast in (True, False):
        start = time.process_time()
        run_batch(plan(Job([head], out, force=True, fast=fast)))
        if fast:
            print(f"  warm-up batch of 200 lines (pays the one-time costs): {time.process_time() - start:.2f} CPU-s")
    spent: dict[str, list[float]] = {"json": [], "quick": [], "full": []}
    walls: dict[str, list[float]] = {"quick": [], "full": []}
    cases = 0
    for _ in range(rounds):
        spent["json"].append(json_seconds(jsonl))
        for name, fast in (("quick", True), ("full", False)):
            start = time.process_time()
            summary = run_batch(plan(Job([jsonl], out, force=True, fast=fast)))
            spent[name].append((time.process_time() - start) / summary.cases)
            walls[name].append(summary.elapsed)
            cases = summary.cases
    base = statistics.median(spent["json"])
    print(f"  json.loads per line:{'':29} {base * 1e6:8.1f} CPU-us ({1 / base:,.0f} per CPU-second)")
    for name, label in (("quick", "quick path (default)"), ("full", "full path (fast=False)")):
        per_case = statistics.median(spent[name])
        print(
            f"  in process, {label:<22}: {per_case * 1e6:8.1f} CPU-us a case ({1 / per_case:,.0f} per CPU-second), "
            f"{per_case / base:5.1f} times json.loads per line  ({cases:,} cases, "
            f"{statistics.median(walls[name]):.1f} s wall)"
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


def quick_stages(jsonl: Path, limit: int, label: str) -> None:
    """CPU time per case of each stage of the quick path (screening.decision.brief), each stage timed alone in a
    tight loop over the same cases (best of three passes), beside ``json.loads`` of their lines."""
    import datetime as dt

    from screening.batch.inputs import Item
    from screening.batch.work import Config, briefed, process
    from screening.case import facts, reasons
    from screening.case.dated import judged_day, on_day
    from screening.case.lines import read_line
    from screening.conditions.evaluate import evaluate
    from screening.decision.brief import gap_names, tables
    from screening.decision.filings import reached_outcomes
    from screening.infra.yamlio import limits

    pack = pack_for(str(default_pack_path()))
    with jsonl.open(encoding="utf-8") as handle:
        lines = [line for _, line in zip(range(limit), handle, strict=False)]
    bound, today = limits(), dt.date.today()
    config = Config(str(default_pack_path()), today=today.isoformat(), limits=bound)
    read = [read_line(line, "bench", 1, bound) for line in lines]
    cases = [c for c in read if c is not None]
    days = [judged_day(c.data, None, today) for c in cases]
    views = [on_day(c, d.first, d.last) for c, d in zip(cases, days, strict=True)]
    built = [facts.build_facts(v, sources=False) for v in views]
    values = [f.values for f in built]
    found = [evaluate(pack, v, unknowns=True) for v in values]
    table = tables(pack)
    items = [Item("json", "bench", i + 1, line) for i, line in enumerate(lines)]
    at = range(len(cases))

    def dated(case):  # type: ignore[no-untyped-def]
        day = judged_day(case.data, None, today)
        return on_day(case, day.first, day.last)

    def gaps(i: int) -> list[str]:
        return gap_names(built[i].subject, values[i], found[i].undecided, found[i].unknowns, table, pack)

    def timed(work, args) -> float:  # type: ignore[no-untyped-def]
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for arg in args:
                work(arg)
            best = min(best, (time.process_time() - start) / len(args) * 1e6)
        return best

    rows = [
        ("json.loads of the line", timed(json.loads, lines)),
        ("read the line (msgspec types)", timed(lambda line: read_line(line, "bench", 1, bound), lines)),
        ("the case on its day (dated view)", timed(dated, cases)),
        ("the facts, without their sources", timed(lambda v: facts.build_facts(v, sources=False), views)),
        (
            "  of which the ownership facts (tracing too)",
            timed(lambda v: facts._ownership_facts(v, {}, {}, False), views),
        ),
        ("  of which the reasons", timed(lambda i: reasons.derive(views[i], dict(values[i]), built[i].ownership), at)),
        ("  of which the target's", timed(lambda v: facts._target_facts(v.data["target"], {}, {}, False), views)),
        ("  of which the group's", timed(lambda v: facts._group_facts(v, {}, {}, False), views)),
        ("the rules' pass (with unknown facts)", timed(lambda v: evaluate(pack, v, unknowns=True), values)),
        (
            "the gap names",
            timed(gaps, at),
        ),
        ("the filing outcomes", timed(lambda v: reached_outcomes(v, pack.regimes, None, today), values)),
        ("the brief of a read case (the above and the rest)", timed(lambda c: briefed(c, config, pack), cases)),
        ("a row from its line (screening.batch.work.process)", timed(lambda item: process(item, config), items)),
    ]
    base = rows[0][1]
    print(
        f"\nthe quick path's stages, {label} (CPU microseconds per case, {len(cases):,} of {len(lines):,} JSON Lines "
        "cases on it, each stage timed alone, best of 3 passes):"
    )
    for label, us in rows:
        print(f"  {label:52} {us:8.1f}  {us / base:6.1f} times json.loads")


def rss(work: Path, n: int, large: int, written: Path | None = None) -> None:
    """Peak RSS of the CLI (one worker, the quick path) on N/10, N and ``large`` one-entity cases, and how much
    more the largest count takes than the smallest (memory should not grow with the cases)."""
    print("\npeak RSS of the CLI, one worker, one-entity cases:")
    peaks: dict[int, int] = {}
    for count in [max(1, n // 10), n] + ([large] if large else []):
        if count == n and written is not None:
            source = written
        else:
            source = write_jsonl(work / f"rss-{count}.jsonl", cases(count, seed=1))
        peaks[count] = cli([source], work / "rss-results.jsonl", 1, f"JSON Lines, {count:,}")[1]
        if source != written:
            source.unlink()  # a million cases take 630 MB: one file on disk at a time
    (least, low), (most, high) = min(peaks.items()), max(peaks.items())
    print(f"  memory: {high / 1024:,.0f} MiB at {most:,} cases, {(high - low) / 1024:+,.1f} MiB over {least:,} cases")


def memory(n: int, large: int) -> None:
    """--memory-only: the peak RSS of the CLI alone, nothing timed but the wall clock of each run."""
    with tempfile.TemporaryDirectory(prefix="screening-bench-") as tmp:
        print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the start")
        rss(Path(tmp), n, large)
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="JSON Lines cases of each workload (N)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each measure, their median taken")
    parser.add_argument("--rss", action="store_true", help="peak RSS of the CLI at --rss-large cases too")
    parser.add_argument("--rss-large", type=int, default=0, help="a larger count for --rss (e.g. 100000)")
    parser.add_argument(
        "--memory-only", action="store_true", help="only the peak RSS of --rss (quick path), no timed workload"
    )
    parser.add_argument("--yaml-cases", type=int, default=0, help="YAML files (M); 0: no YAML runs")
    parser.add_argument("--stages", action="store_true", help="also time each stage of both paths")
    parser.add_argument("--profile", action="store_true", help="also profile an in-process quick run")
    args = parser.parse_args()
    if args.memory_only:
        memory(args.cases, args.rss_large)
        return
    with tempfile.TemporaryDirectory(prefix="screening-bench-") as tmp:
        work = Path(tmp)
        one = write_jsonl(work / "one.jsonl", cases(args.cases, seed=1))
        real = write_jsonl(work / "realistic.jsonl", realistic_cases(args.cases, seed=1))
        print(
            f"{args.cases:,} cases per workload (cpus: {os.cpu_count()}, load average "
            f"{os.getloadavg()[0]:.1f}: rates are shared with whatever else runs; read the ratios)"
        )
        print(DEFINITION.format(rounds=args.rounds))
        out = work / "results.jsonl"
        workload("one-entity", one, out, args.rounds)
        workload("realistic (chains of 1-6 levels, state bodies, records, some long forms)", real, out, args.rounds)
        rss(work, args.cases, args.rss_large if args.rss else 0, one)  # memory, always: at N/10 and N cases
        if args.yaml_cases:
            directory = write_yaml(work / "yaml", args.yaml_cases)
            print()
            yaml_baseline(directory)
            in_process([directory], out, 1, "YAML directory")
            for workers in (1, 2):
                cli([directory], out, workers, "YAML directory")
        if args.stages:
            stages(one, min(args.cases, 5_000))
            quick_stages(one, min(args.cases, 5_000), "one-entity")
            quick_stages(real, min(args.cases, 5_000), "realistic")
        if args.profile:
            profile(one, out, min(args.cases, 5_000))
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
