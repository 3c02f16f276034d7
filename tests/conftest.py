"""Shared fixtures: the default pack (loaded once) and the example cases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from screening.pack import Pack, default_pack_path, load_pack

# Reports say what today's law makes of a case: fix "today" so golden files hold on any day.
os.environ["SCREENING_TODAY"] = "2026-11-28"

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack(default_pack_path())
