"""Shared fixtures: the default pack (loaded once) and the example cases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from screening.pack.load import Pack, default_pack_path, load_pack

# Reports say what today's law makes of a case: fix "today" so golden files hold on any day.
os.environ["SCREENING_TODAY"] = "2026-11-28"
# Width and colour follow these as rich does: a test that wants them sets them itself.
for _name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))
PINS = ROOT / "tests" / "pack"
"""The project's tests of the example cases against the default pack (`screening test rules/ --tests tests/pack`)."""

GRID_SERVICER = """\
id: grid-servicer
title: A state-owned utility's vehicle buys 30% of a grid servicer
as_of: 2026-10-01
investor: vehicle
entities:
  - {id: vehicle, name: Vehicle Ltd, country: HK, kind: private_company}
  - {id: utility, name: Utility Corp, country: CN, kind: soe, state_ownership_pct: 100}
ownership:
  - {owner: utility, owned: vehicle, equity_pct: 100}
target:
  name: Grid Servicer GmbH
  country: DE
  sectors: [energy]
  critical_infrastructure: [{kind: power_grid, name: Substations, role: service_provider}]
transaction: {kind: minority_stake, stake_after_pct: 30, signing_date: 2021-03}
"""
"""A fictional case (a state-owned utility's vehicle, 30% of a German grid servicer, dated by a month) that the
report and what-if tests share."""


def add_pins(pack_dir: Path) -> Path:
    """Put the tests of the example cases into a copy of the default pack as its own test files (their
    ``../../cases/`` then names a copy of cases/ beside the pack copy)."""
    for path in PINS.glob("*.yaml"):
        shutil.copy(path, pack_dir / "tests" / path.name)
    return pack_dir


@pytest.fixture(scope="session")
def pack() -> Pack:
    return load_pack(default_pack_path())


def mutated(document, path, junk, delete):  # type: ignore[no-untyped-def]
    """A copy of ``document`` with the value at ``path`` replaced by ``junk`` (or, with ``delete``, a mapping's
    key removed)."""
    import copy

    data = copy.deepcopy(document)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = junk
    return data


def paths_of(node, path=()):  # type: ignore[no-untyped-def]
    """Every path into a YAML/JSON document (mapping keys and list indexes), the root first."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths_of(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths_of(value, path + (i,))
