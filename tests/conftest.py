"""Shared fixtures: the default pack (loaded once) and the example cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.pack import Pack, default_pack_path, load_pack

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack(default_pack_path())
