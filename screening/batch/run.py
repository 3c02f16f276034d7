"""Run a batch: stream the inputs through an engine, write the rows in input order, tally the summary."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from screening.batch.inputs import Input, Item, count, items, scan
from screening.batch.mapping import Mapping
from screening.batch.outputs import Writer, journal_of
from screening.batch.prior import Prior
from screening.batch.summary import Summary, Tally
from screening.batch.work import Config, context_for, lost_row, pack_for, process_chunk
from screening.infra.errors import fail
from screening.infra.output import destination, refuse_inputs

TIMEOUT = 60.0
"""Default time limit of one case, in seconds: an ordinary case takes a millisecond, a group of ten
thousand entities a second or two; one past a minute was built to be slow."""
CHUNK = 256
"""Items sent to a worker at a time: large enough to cost little in transport, small enough to keep
every worker busy and the rows in flight few."""


class Job(NamedTuple):
    """A batch to run."""

    inputs: list[Path]
    output: Path
    pack: Path | None = None
    """Rule pack directory (default: the bundled pack)."""
    mapping: Path | None = None
    registry: Path | None = None
    workers: int = 1
    engine: str = "local"
    """``local`` (this machine: in process, or ``workers`` processes) or ``dask``."""
    scheduler: str | None = None
    """Dask scheduler address; None starts a local cluster."""
    resume: bool = False
    force: bool = False
    chunk: int = CHUNK
    timeout: float | None = TIMEOUT
    """Most seconds one case may take (None or 0: no limit)."""
    keep: tuple[str, ...] = ()
    """Input columns carried into the results (added to the mapping's ``keep``)."""
    excel: bool = False
    """CSV results for Excel: a byte order mark (text cells are neutralised against formulas in any CSV)."""
    watchlists: tuple[Path, ...] = ()
    waivers: Path | None = None
    as_of: str | None = None
    """YYYY-MM-DD: the day waivers and the law are judged on."""
    threshold: float = 90.0
    fast: bool = True
    """Case lines the quick path accepts take it (the same rows; False: every case read and screened in full)."""


class Plan(NamedTuple):
    """A checked job: its inputs classified, its configuration for the workers."""

    job: Job
    inputs: list[Input]
    config: Config
    levels: list[str]
    """The pack's levels, in rising order."""
    note: str = ""
    """What to tell about the output: that it is a symbolic link, and its target is written."""
    warnings: tuple[str, ...] = ()
    """Problems that do not stop the run (a malformed waiver, which waives nothing), as lines to show."""


def plan(job: Job) -> Plan:
    """Check the job before anything runs: the pack, the mapping and every input (ScreeningError: exit 2)."""
    from screening.pack.load import default_pack_path

    if job.engine not in ("local", "dask"):
        raise fail("--engine", "E001", f"unknown engine '{job.engine}'; expected local or dask")
    mapping = None
    if job.mapping is not None:
        from screening.batch.mapping import load_mapping

        mapping = load_mapping(job.mapping)
    if job.keep:
        if mapping is None:
            raise fail("--keep", "E001", "--keep carries columns of flat rows into the results: it needs --mapping")
        mapping = mapping._replace(keep=tuple(dict.fromkeys((*mapping.keep, *job.keep))))
    if mapping is not None:
        _check_keep(mapping)
    warnings = _check_context(job)
    inputs = scan(job.inputs, mapping)
    where = destination(job.output)
    given = [*job.inputs, job.mapping, job.registry, job.pack or default_pack_path(), job.waivers, *job.watchlists]
    for results in (where.path, journal_of(where.path)):  # nothing is touched when the output is an input
        refuse_inputs(results, [p for p in given if p is not None], str(job.output))
    pack_dir = str((job.pack or default_pack_path()).resolve())
    pack = pack_for(pack_dir)
    if job.timeout is not None and not job.timeout >= 0:  # also NaN
        raise fail("--timeout", "E106", f"the time limit must be a number of seconds, 0 or more, not {job.timeout}")
    config = Config(
        pack_dir,
        str(job.registry.resolve()) if job.registry else None,
        mapping,
        job.timeout or None,
        tuple(str(p.resolve()) for p in job.watchlists),
        str(job.waivers.resolve()) if job.waivers else None,
        job.as_of,
        job.threshold,
        job.fast,
        *_once(),
    )
    context = context_for(config.watchlists, config.waivers, config.as_of, config.threshold)  # a bad list: exit 2
    notes = tuple(str(p) for p in (context.watchlist.notes if context.watchlist is not None else ()))
    notes += tuple(str(p) for p in (mapping.notes if mapping is not None else ()))
    return Plan(job, inputs, config, list(pack.scoring.names), where.note, warnings + notes)


def _once() -> tuple[str | None, Any]:
    """Today and the limits of a case, read once for the batch; each None when its setting in the environment
    is malformed (the full path then reports it in every row it concerns, as before)."""
    from screening.infra import clock
    from screening.infra.errors import ScreeningError
    from screening.infra.yamlio import limits

    found: list[Any] = []
    for read in (lambda: clock.today().isoformat(), limits):
        try:
            found.append(read())
        except ScreeningError:
            found.append(None)
    return found[0], found[1]


def _check_keep(mapping: Mapping) -> None:
    """A kept column may not take the name of a result column (E106)."""
    from screening.batch.outputs import RESERVED

    clash = [c for c in mapping.keep if c in RESERVED or c.startswith(("cat.", "filing."))]
    if clash:
        raise fail(
            "--keep",
            "E106",
            f"column '{clash[0]}' would take the name of a result column; rename it in the input to keep it",
        )


def _check_context(job: Job) -> tuple[str, ...]:
    """Check the day, the watchlists and the waivers before anything runs (ScreeningError: exit 2); a malformed
    waiver waives nothing and is a warning, as in ``screen``."""
    import datetime as dt

    if job.as_of is not None:
        try:
            dt.date.fromisoformat(job.as_of)
        except ValueError:
            raise fail("--as-of", "E106", f"expected a date as YYYY-MM-DD, got {job.as_of!r}") from None
    if (job.watchlists or job.waivers) and job.engine == "dask" and job.scheduler is not None:
        raise fail(
            "--scheduler",
            "E001",
            "--watchlist and --waivers are read by each worker: run them with --engine local or a local Dask cluster",
        )
    warnings: tuple[str, ...] = ()
    if job.waivers is not None:
        from screening.pack.waivers import load_waivers

        problems = load_waivers(job.waivers)[1]
        warnings = tuple(f"{p._replace(severity='warning')} (this waiver is ignored)" for p in problems)
    return warnings


SMALL = 5_000
"""Fewer cases than this are screened in one process when --workers is not given: starting a worker process
(Python, the pack loaded and compiled) costs about a second, some 1,500 cases' worth (bench/batch.py)."""


def choose_workers(plan: Plan) -> tuple[Plan, str]:
    """The plan with the number of workers that pays for its inputs and the cores free, and a note saying so
    when the input is large."""
    if plan.job.engine != "local":
        return plan, ""
    cases = total(plan)
    if cases < SMALL:
        return plan, ""
    cores, free = _cores()
    workers = min(free, 1 + cases // SMALL)
    if workers == 1:
        busy = f" (the machine is busy: {cores - free} of {cores} cores in use)" if free < cores else ""
        return plan, f"{cases:,} cases: one process{busy}" if busy else ""
    note = f"{cases:,} cases: {workers} worker processes (--workers 1 to use one)"
    return plan._replace(job=plan.job._replace(workers=workers)), note


def _cores() -> tuple[int, int]:
    """The cores this process may use, and how many of them are not busy (by the 1-minute load average):
    on a machine whose cores are taken, more processes only queue (bench/workers.py)."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not on every system
        load = 0.0
    return cores, max(1, min(cores, round(cores - load)))


def slow_workers(plan: Plan) -> str:
    """A note when the workers asked for are likely slower than one process for so few cases; empty otherwise."""
    if plan.job.engine != "local" or plan.job.workers <= 1:
        return ""
    cases = total(plan)
    if cases >= SMALL:
        return ""
    return (
        f"{plan.job.workers} workers for {cases:,} cases are likely slower than one: starting each costs about a "
        f"second; one process is faster below {SMALL:,} cases"
    )


def total(plan: Plan) -> int:
    """How many cases the inputs hold (for a progress bar)."""
    return count(plan.inputs)


def run_batch(plan: Plan, progress: Callable[[int], None] | None = None) -> Summary:
    """Screen every case of the plan's inputs and append a row per case to the output, in input order.

    With ``resume``, rows already in the output are checked against the inputs and skipped.
    ``progress`` is called with the number of rows each time rows are written.
    """
    job, started = plan.job, time.perf_counter()
    pack = pack_for(plan.config.pack)
    writer = Writer(
        job.output,
        [c.id for c in pack.scoring.categories],
        job.resume,
        job.force,
        [g.id for g in pack.regimes],
        plan.levels,
        plan.config.mapping.keep if plan.config.mapping else (),
        job.excel,
    )
    tally = Tally()
    complete = False
    try:
        todo = items(plan.inputs, plan.config.mapping)
        if job.resume:
            _skip_done(todo, writer.prior(), tally, str(job.output))
        if progress is not None and tally.resumed:
            progress(tally.resumed)
        for rows in _engine(plan, _chunks(todo, job.chunk)):
            for row in rows:
                writer.write(row)
                tally.add(row["id"], row["source"], row["score"], row["level"], row["error"])
            if progress is not None:
                progress(len(rows))
        tally.find_duplicates((prior.id, prior.source) for prior in writer.prior())
        complete = True
    finally:
        writer.close(complete)
    return tally.summary(time.perf_counter() - started, plan.levels)


def _skip_done(todo: Iterator[Item], done: Iterator[Prior], tally: Tally, output: str) -> None:
    """Advance ``todo`` past the items already in the results. Rows are written in input order, so those
    done are the first ones; each is checked to be the row of the same input, so changed inputs are refused."""
    for number, prior in enumerate(done, 1):
        item = next(todo, None)
        if item is None or item.source != prior.source:
            found = "no such input" if item is None else item.source
            raise fail(
                output,
                "E001",
                f"cannot resume: result row {number} is for {prior.source}, but the "
                f"inputs give {found} there (were the inputs changed?)",
            )
        tally.add(prior.id, prior.source, prior.score, prior.level, prior.error, resumed=True)


def _chunks(todo: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(todo)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _engine(plan: Plan, chunks: Iterator[list[Item]]) -> Iterator[list[dict[str, Any]]]:
    """The rows of each chunk, in order."""
    job = plan.job
    if job.engine == "dask":
        from screening.batch.cluster import run_on_dask

        return run_on_dask(chunks, plan.config, job.scheduler, job.workers)
    if job.workers <= 1:
        return (process_chunk(chunk, plan.config) for chunk in chunks)
    return _pool(chunks, plan.config, job.workers)


def _pool(chunks: Iterator[list[Item]], config: Config, workers: int) -> Iterator[list[dict[str, Any]]]:
    """Chunks screened by ``workers`` processes; at most two chunks per worker in flight.

    A worker that dies (killed by the system for want of memory, say) breaks the pool and every chunk in
    flight: those chunks are screened again in a new pool, one case at a time, so that only a case whose
    process dies again fails, in its own row (E404), and the batch goes on.
    """
    team = _Workers(config, workers)
    pending: deque[tuple[list[Item], Any]] = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, team.submit(chunk)))
            if len(pending) >= 2 * workers:
                yield from team.next(pending)
        while pending:
            yield from team.next(pending)
    finally:
        team.close()


class _Workers:
    """A pool of worker processes, started again when one of them dies."""

    def __init__(self, config: Config, workers: int) -> None:
        self.config, self.workers = config, workers
        self.pool = self._start()

    def _start(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: the parent may run a progress thread, and forking a threaded process is unsafe
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=pack_for, initargs=(self.config.pack,))

    def submit(self, chunk: list[Item]) -> Any:
        """The future of a chunk's rows; None when the pool is already broken."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.pool.submit(process_chunk, chunk, self.config)
        except BrokenProcessPool:
            return None

    def next(self, pending: deque[tuple[list[Item], Any]]) -> Iterator[list[dict[str, Any]]]:
        """The rows of the first pending chunk; after a break, of every chunk that was pending."""
        from concurrent.futures.process import BrokenProcessPool

        chunk, future = pending.popleft()
        try:
            if future is not None:
                rows = future.result()
        except BrokenProcessPool:
            future = None
        if future is not None:
            yield rows
            return
        lost = [chunk, *(c for c, _ in pending)]
        pending.clear()
        self.restart()
        for chunk in lost:
            yield self.alone(chunk)

    def alone(self, chunk: list[Item]) -> list[dict[str, Any]]:
        """The rows of a chunk, each case screened on its own; a case whose process dies gets a row saying so."""
        from concurrent.futures.process import BrokenProcessPool

        rows = []
        for item in chunk:
            try:
                rows += self.pool.submit(process_chunk, [item], self.config).result()
            except BrokenProcessPool:
                rows.append(lost_row(item, self.config))
                self.restart()
        return rows

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
