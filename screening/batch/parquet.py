"""Parquet results: the JSON Lines journal of a run, written as one Parquet file, atomically."""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from screening.infra.errors import fail

BATCH = 10_000
"""Rows per record batch: the journal is read this many rows at a time, never whole."""


def schema(categories: list[str], regimes: Sequence[str] = (), keep: Sequence[str] = ()) -> Any:
    """The Arrow schema of the results: per-category scores in pack order, lists of rule ids and facts, and
    each regime's filing answer (null when the regime does not reach the case)."""
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.string()),
            ("source", pa.string()),
            *((c, pa.string()) for c in keep),
            ("title", pa.string()),
            ("investor_country", pa.string()),
            ("score", pa.float64()),
            ("level", pa.string()),
            ("level_rank", pa.int64()),
            *((f"cat.{c}", pa.float64()) for c in categories),
            ("fired", pa.list_(pa.string())),
            ("gaps", pa.list_(pa.string())),
            *((f"filing.{r}", pa.string()) for r in regimes),
            ("hits", pa.list_(pa.string())),
            ("notes", pa.list_(pa.string())),
            ("error", pa.string()),
        ]
    )


def _flat(row: dict[str, Any], categories: list[str], regimes: Sequence[str], keep: Sequence[str]) -> dict[str, Any]:
    cats, filings, kept = row["categories"], row.get("filings") or {}, row.get("kept") or {}
    flat = {k: row[k] for k in ("id", "source", "score", "level", "fired", "gaps", "error")}
    flat.update(level_rank=row.get("level_rank"), notes=row.get("notes") or [], hits=row.get("hits") or [])
    flat.update(title=row.get("title", ""), investor_country=row.get("investor_country", ""))
    flat.update((c, kept.get(c, "")) for c in keep)
    flat.update((f"cat.{c}", cats.get(c)) for c in categories)
    flat.update((f"filing.{r}", filings.get(r)) for r in regimes)
    return flat


def write_parquet(
    journal: Path, path: Path, categories: list[str], regimes: Sequence[str] = (), keep: Sequence[str] = ()
) -> None:
    """Write the rows of ``journal`` to ``path`` through a temporary file: ``path`` is whole or absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from screening.infra.output import replacing

    arrow = schema(categories, regimes, keep)
    try:
        with (
            replacing(path) as tmp,
            journal.open(encoding="utf-8") as lines,
            pq.ParquetWriter(str(tmp), arrow) as writer,
        ):
            while True:
                block = [_flat(json.loads(line), categories, regimes, keep) for line in islice(lines, BATCH)]
                if not block:
                    break
                writer.write_batch(pa.RecordBatch.from_pylist(block, schema=arrow))
    except OSError as exc:
        raise fail(str(path), "E401", f"cannot write results: {exc.strerror or exc}") from None
