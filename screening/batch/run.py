"""Run a batch: stream the inputs through an engine, write the rows in input order, tally the summary."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from screening.batch.inputs import Input, Item, count, items, scan
from screening.batch.outputs import Prior, Writer
from screening.batch.summary import Summary, Tally
from screening.batch.work import Config, pack_for, process_chunk
from screening.errors import fail

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


def plan(job: Job) -> Plan:
    """Check the job before anything runs: the pack, the mapping and every input (ScreeningError: exit 2)."""
    from screening.pack import default_pack_path

    if job.engine not in ("local", "dask"):
        raise fail("--engine", "E001", f"unknown engine '{job.engine}'; expected local or dask")
    mapping = None
    if job.mapping is not None:
        from screening.batch.mapping import load_mapping

        mapping = load_mapping(job.mapping)
    inputs = scan(job.inputs, mapping)
    pack_dir = str((job.pack or default_pack_path()).resolve())
    pack = pack_for(pack_dir)
    if job.timeout is not None and not job.timeout >= 0:  # also NaN
        raise fail("--timeout", "E106", f"the time limit must be a number of seconds, 0 or more, not {job.timeout}")
    config = Config(pack_dir, str(job.registry.resolve()) if job.registry else None, mapping, job.timeout or None)
    return Plan(job, inputs, config, [name for name, _ in pack.scoring.levels])


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
    writer = Writer(job.output, [c.id for c in pack.scoring.categories], job.resume, job.force,
                    [g.id for g in pack.regimes])
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
    return tally.summary(time.perf_counter() - started)


def _skip_done(todo: Iterator[Item], done: Iterator[Prior], tally: Tally, output: str) -> None:
    """Advance ``todo`` past the items already in the results. Rows are written in input order, so those
    done are the first ones; each is checked to be the row of the same input, so changed inputs are refused."""
    for number, prior in enumerate(done, 1):
        item = next(todo, None)
        if item is None or item.source != prior.source:
            found = "no such input" if item is None else item.source
            raise fail(output, "E001", f"cannot resume: result row {number} is for {prior.source}, but the "
                       f"inputs give {found} there (were the inputs changed?)")
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
    """Chunks screened by ``workers`` processes; at most two chunks per worker in flight."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the parent may run a progress thread, and forking a threaded process is unsafe
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=pack_for, initargs=(config.pack,)) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.submit(process_chunk, chunk, config))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
