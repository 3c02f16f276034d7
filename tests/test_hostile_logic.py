"""Hostile inputs that are not one small case file: shapes generated at size, run through the CLI.

Each test builds the attack as described (a ladder of owners, a chain of 500 entities, 10,000 owners
of one entity, 500 unknown references among 2,000 entities, ...), runs ``screening`` on it and
asserts the exact outcome, within a generous time bound: these operations were exponential or
quadratic, and a bound ten times what they take now catches a return of that.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening import api
from screening.cli import main


@pytest.fixture(scope="module", autouse=True)
def default_settings(tmp_path_factory):
    """Default limits, a private pack cache, and the pack compiled once."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT"):
            mp.delenv(var, raising=False)
        mp.setenv("SCREENING_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        mp.setattr(api, "pack_at", functools.cache(api.pack_at))
        yield


def write(path: Path, data: Any) -> Path:
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    return path


def entity(eid: str, kind: str = "private_company", country: str = "HK", **extra: Any) -> dict[str, Any]:
    return {"id": eid, "name": eid.upper(), "kind": kind, "country": country, **extra}


def case(entities: list[dict[str, Any]], edges: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"format": 1, "id": "hostile", "title": "Hostile shape", "investor": "inv", "entities": entities,
            "ownership": edges, "target": {"name": "Target", "country": "DE"}, **extra}


def timed(args: list[str]) -> tuple[int, float]:
    start = time.perf_counter()
    code = main(args)
    return code, time.perf_counter() - start


# -- did-you-mean at scale ----------------------------------------------------------------------------

def test_500_unknown_references_among_2000_entities_are_reported_fast_with_capped_hints(tmp_path, capsys):
    # Each unknown owner is one letter off an entity id: before, every hint compared the reference
    # with all 2,000 ids in Python (difflib), 12 s here for 500 references.
    ents = [entity("inv")] + [entity(f"entity-{i:04d}") for i in range(2000)]
    edges = [{"owner": f"entity-{i:04d}", "owned": "inv", "equity_pct": 0.01} for i in range(2000)]
    edges += [{"owner": f"entiti-{i:04d}", "owned": f"entity-{i:04d}", "equity_pct": 1} for i in range(500)]
    path = write(tmp_path / "refs.yaml", case(ents, edges))
    code, seconds = timed(["screen", str(path), "-f", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 500
    assert all(line.endswith("[E108 unknown-reference]") for line in lines)
    hinted = [line for line in lines if "did you mean" in line]
    assert hinted == lines[:20], "the first 20 unknown references of a file get a hint, the others none"
    assert lines[0].endswith(": error: ownership.2000.owner: unknown entity 'entiti-0000'; "
                             "did you mean 'entity-0000'? [E108 unknown-reference]")
    assert lines[20].endswith(": error: ownership.2020.owner: unknown entity 'entiti-0020' [E108 unknown-reference]")
    assert seconds < 5, f"{seconds:.1f} s"


def test_an_unknown_registry_reference_still_gets_its_hint(tmp_path, capsys):
    path = write(tmp_path / "ref.yaml", case([entity("inv"), {"ref": "csp1"}],
                                              [{"owner": "csp1", "owned": "inv", "equity_pct": 10}]))
    assert main(["screen", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'csp1' is not in the entity registry; did you mean 'cspl'? [E108 unknown-reference]" in err
