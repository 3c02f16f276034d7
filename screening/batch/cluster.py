"""The Dask engine: chunks of items screened on a Dask cluster, rows gathered back in input order.

The workers need not share the client's files: the rule pack (and the entity registry) is sent once to
every worker as a bundle of its files (``work.bundle``), and YAML cases travel with their text. Each
worker writes the pack once, loads and compiles it once (``work.pack_for`` is cached per process), so a
task carries only its raw items. The workers need this package installed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from screening.batch.inputs import Item, inline
from screening.batch.work import Config, bundle, lost_row, process_bundled
from screening.infra.errors import fail

TRIES = 3
"""Tries a case gets on its own after its chunk's task killed its workers."""
ALONE_SECONDS = 300
"""How long a try of one case on its own may take (a case is screened in well under a second; a try that takes
longer met a cluster that lost the task without saying so)."""
WORKERS_SECONDS = 120
"""How long the batch waits for the cluster to have a worker again, when it has none (a nanny that could not
start a worker again after one died leaves the cluster empty, and a task then waits for ever). After that, the
cases not yet screened get a row saying so (E404) instead of a batch that never ends."""
POLL_SECONDS = 10
"""How often a chunk's task that is still running is checked for a cluster left without workers."""


def run_on_dask(
    chunks: Iterator[list[Item]], config: Config, scheduler: str | None, workers: int = 1
) -> Iterator[list[dict[str, Any]]]:
    """The rows of each chunk, in order, screened on the cluster at ``scheduler`` (None: a local cluster
    of ``workers`` processes). At most two chunks per worker thread are in flight."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise fail(
            "--engine", "E001", "the dask engine needs the 'batch' extra: pip install 'screening[batch]'"
        ) from None
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler)
    except OSError as exc:
        raise fail(scheduler or "LocalCluster", "E001", f"cannot reach the Dask scheduler: {exc}") from None
    try:
        yield from gather_in_order(client, chunks, config)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def gather_in_order(client: Any, chunks: Iterator[list[Item]], config: Config) -> Iterator[list[dict[str, Any]]]:
    """Submit chunks to ``client`` and yield their rows in submission order, with bounded tasks in flight.

    A chunk whose task kills its workers (Dask gives up after ``allowed-failures`` tries: ``KilledWorker``),
    or that a dead worker took down with it (its data lost: cancelled), is screened again one case per task,
    with the pack sent again; a case that kills its worker on its own, three times, gets a row saying so (E404).
    """
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    slots = max(1, sum(client.nthreads().values())) * 2
    files = bundle(config)
    sent = client.scatter([files], broadcast=True)  # the pack's files, once to every worker
    pending: deque[tuple[list[Item], Any]] = deque()
    lost = (KilledWorker, CancelledError)

    def submit(items: list[Item]) -> Any:
        return client.submit(process_bundled, [inline(item) for item in items], sent[0], pure=False)

    gone = False  # the cluster had no worker for WORKERS_SECONDS: nothing more can be screened on it

    def staffed() -> bool:
        """Whether the cluster has a worker, waiting up to ``WORKERS_SECONDS`` for one when it has none."""
        nonlocal gone
        if not gone and not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=WORKERS_SECONDS)
            except Exception:  # noqa: BLE001 - a timeout, or a scheduler gone with its workers
                gone = True
        return not gone

    def rows(chunk: list[Item], future: Any) -> list[dict[str, Any]]:
        while staffed():
            try:
                return future.result(timeout=POLL_SECONDS)
            except lost:
                break
            except TimeoutError:  # still running: go on waiting while the cluster has a worker
                continue
        out: list[dict[str, Any]] = []
        for item in chunk:
            for _ in range(TRIES):  # a try may also meet the cluster still replacing the dead worker
                found = alone(item) if staffed() else None
                if found is not None:
                    out += found
                    break
                if gone:
                    break
            else:
                out.append(lost_row(item, config))
                continue
            if found is None:
                out.append(lost_row(item, config, no_workers=True))
        return out

    def alone(item: Item) -> list[dict[str, Any]] | None:
        """The row of one case screened in a task of its own that carries the pack's files itself (a worker
        that died may have taken the scattered copy along, and a broadcast to a cluster still replacing it
        can wait for ever); None when the task's worker dies, the cluster fails it otherwise, or it takes
        longer than ``ALONE_SECONDS``."""
        try:
            return client.submit(process_bundled, [inline(item)], files, pure=False).result(timeout=ALONE_SECONDS)
        except Exception:  # noqa: BLE001 - a cluster replacing a dead worker fails in many ways (lost, cancelled,
            return None  # unreachable, a worker it no longer knows, timed out): each is a failed try

    for chunk in chunks:
        pending.append((chunk, submit(chunk)))
        if len(pending) >= slots:
            yield rows(*pending.popleft())
    while pending:
        yield rows(*pending.popleft())
