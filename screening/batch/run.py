"""Run a batch: stream the inputs through an engine, write the rows in input order, tally the summary."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from screening.batch.inputs import Input, Item, count, items, scan
from screening.batch.outputs import Writer, journal_of
from screening.batch.prior import Prior
from screening.batch.summary import Summary, Tally
from screening.batch.work import Config, lost_row, pack_for, process_chunk
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


class Plan(NamedTuple):
    """A checked job: its inputs classified, its configuration for the workers."""

    job: Job
    inputs: list[Input]
    config: Config
    levels: list[str]
    """The pack's levels, in rising order."""
    note: str = ""
    """What to tell about the output: that it is a symbolic link, and its target is written."""


def plan(job: Job) -> Plan:
    """Check the job before anything runs: the pack, the mapping and every input (ScreeningError: exit 2)."""
    from screening.pack.load import default_pack_path

    if job.engine not in ("local", "dask"):
        raise fail("--engine", "E001", f"unknown engine '{job.engine}'; expected local or dask")
    mapping = None
    if job.mapping is not None:
        from screening.batch.mapping import load_mapping

        mapping = load_mapping(job.mapping)
    inputs = scan(job.inputs, mapping)
    where = destination(job.output)
    given = [*job.inputs, job.mapping, job.registry, job.pack or default_pack_path()]
    for results in (where.path, journal_of(where.path)):  # nothing is touched when the output is an input
        refuse_inputs(results, [p for p in given if p is not None], str(job.output))
    pack_dir = str((job.pack or default_pack_path()).resolve())
    pack = pack_for(pack_dir)
    if job.timeout is not None and not job.timeout >= 0:  # also NaN
        raise fail("--timeout", "E106", f"the time limit must be a number of seconds, 0 or more, not {job.timeout}")
    config = Config(pack_dir, str(job.registry.resolve()) if job.registry else None, mapping, job.timeout or None)
    return Plan(job, inputs, config, list(pack.scoring.names), where.note)


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
