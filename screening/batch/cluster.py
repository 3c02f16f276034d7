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
from screening.batch.work import Config, bundle, process_bundled
from screening.errors import fail


def run_on_dask(chunks: Iterator[list[Item]], config: Config, scheduler: str | None,
                workers: int = 1) -> Iterator[list[dict[str, Any]]]:
    """The rows of each chunk, in order, screened on the cluster at ``scheduler`` (None: a local cluster
    of ``workers`` processes). At most two chunks per worker thread are in flight."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise fail("--engine", "E001", "the dask engine needs the 'batch' extra: "
                   "pip install 'screening[batch]'") from None
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
    """Submit chunks to ``client`` and yield their rows in submission order, with bounded tasks in flight."""
    slots = max(1, sum(client.nthreads().values())) * 2
    [sent] = client.scatter([bundle(config)], broadcast=True)  # the pack's files, once to every worker
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(client.submit(process_bundled, [inline(item) for item in chunk], sent, pure=False))
        if len(pending) >= slots:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
