"""The watchlist index kept in the cache: read with the standard library, searched alike with and without numpy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screening.case import listindex
from screening.case.watchlists import load_watchlists
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "watchlists"
LISTS = [
    DATA / "targets.simple.csv",
    DATA / "entities.ftm.json",
    DATA / "ns-cmic.yaml",
    ROOT / "watchlists" / "sample-sanctions.csv",
]


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    """A cache folder holding the index of ``LISTS``."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(cache))
    monkeypatch.setattr(listindex, "MIN_ENTRIES", 1)
    load_watchlists(LISTS)
    return cache


def test_screening_with_a_kept_index_loads_neither_numpy_nor_the_confusables_table(kept):
    code = (
        "import sys; from pathlib import Path; from screening.case.watchlists import load_watchlists, match; "
        f"w = load_watchlists([Path(p) for p in {[str(p) for p in LISTS]!r}]); "
        "print(len(match([('a', 'Mikhail Fridmann', (), None, 'individual'), ('b', '中芯国际', (), 'CN', None)], w))); "
        "print(sorted(m for m in ('numpy', 'confusable_homoglyphs') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env={**_env(kept)}
    )
    count, modules = done.stdout.split("\n")[:2]
    assert int(count) >= 1
    assert modules == "[]"


def _env(cache: Path) -> dict[str, str]:
    import os

    return {**os.environ, "SCREENING_CACHE_DIR": str(cache)}


def test_the_index_is_the_same_built_with_or_without_numpy(tmp_path, monkeypatch, kept):
    monkeypatch.setitem(sys.modules, "numpy", None)  # import fails as if not installed
    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "plain"))
    load_watchlists(LISTS)
    (with_numpy,) = (kept / "watchlists").glob("*/index.bin")
    (without,) = (tmp_path / "plain" / "watchlists").glob("*/index.bin")
    assert with_numpy.read_bytes() == without.read_bytes()
