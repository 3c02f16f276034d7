"""Records of a case that no source backs: W382, from ``screening check``, so that a case's author sees which facts
a report would show as evidence without a source.

A record is backed when it cites sources, when one of its own facts does (the long form
``{value: ..., sources: [...]}``), or when a block around it does (the target's sources back its records, as
``Case.sources_at`` reads them for the evidence). The records checked are those a report cites: the entities rules
read (the investor's chain and each co-investor's), their state links, listings and conduct, the ownership edges,
the target with its infrastructure, data and parts, the transaction and the mitigations. A state body is left out:
that a ministry or a state is one is public law, not a fact a source attests; its holdings are edges, which are
checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from screening.case.model import Case, DocPath
from screening.case.relations import RECORDS, used_entities
from screening.infra.errors import Marks, Problem, located

TARGET_LISTS = ("critical_infrastructure", "data", "parts")


def unsourced(case: Case, marks: Marks | None = None) -> list[Problem]:
    """A W382 warning for each record of ``case`` a report may cite that no source backs."""
    out = []
    for path, what in _records(case):
        if _backed(case, path):
            continue
        message = (
            f"{what} cites no source, nor does a block around it: a report shows its facts as evidence without "
            "one (add `sources: [...]` to it, or to the block it is in)"
        )
        out.append(located(case.file, marks or {}, path, "W382", message, severity="warning"))
    return out


def _backed(case: Case, path: DocPath) -> bool:
    if case.sources_at(path):
        return True
    n = len(path)
    return any(p[:n] == path and ids for p, ids in case.fact_sources.items())


def _records(case: Case) -> Iterator[tuple[DocPath, str]]:
    data = case.data
    used = used_entities(case)
    for i, entity in enumerate(data.get("entities") or ()):
        if not isinstance(entity, dict) or entity.get("id") not in used:
            continue
        name = f"{entity.get('name') or entity.get('id')} ('{entity.get('id')}')"
        if entity.get("kind") != "state_body":
            yield ("entities", str(i)), f"entity {name}"
        for key, words in RECORDS.items():
            for j, _ in enumerate(entity.get(key) or ()):
                yield ("entities", str(i), key, str(j)), f"{words[:-1]} {j + 1} of {name}"
    for i, edge in enumerate(data.get("ownership") or ()):
        if isinstance(edge, dict):
            yield ("ownership", str(i)), f"the holding of '{edge.get('owner')}' in '{edge.get('owned')}'"
    target = data.get("target")
    if isinstance(target, dict):
        yield ("target",), "the target"
        for key in TARGET_LISTS:
            for j, item in enumerate(target.get(key) or ()):
                named = f" ({item['name']})" if isinstance(item, dict) and isinstance(item.get("name"), str) else ""
                yield ("target", key, str(j)), f"target.{key} {j + 1}{named}"
    if isinstance(data.get("transaction"), dict):
        yield ("transaction",), "the transaction"
    for i, _ in enumerate(data.get("mitigations") or ()):
        yield ("mitigations", str(i)), f"mitigation {i + 1}"
