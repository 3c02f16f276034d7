"""Load case files: YAML -> validated plain data -> Case model, with every problem located."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from screening.case import countries
from screening.case.catalogue import case_schema
from screening.case.model import Case, DocPath, Edge, Entity, Source
from screening.infra import schemacheck
from screening.infra.errors import Hints, Marks, Problem, ScreeningError, located
from screening.infra.yamlio import load

_FACT_KEYS = {"value", "sources", "note"}
_CONTAINERS = (dict, list)


def load_case(path: Path, registry: Path | None = None) -> Case:
    """Read, validate and build the case in ``path``; raise ScreeningError listing every problem.

    Entities written ``{ref: ID}`` come from the entity registry in ``registry`` (default: the bundled one).
    """
    data, marks = load(path)
    return build_case(data, marks, str(path), registry)


def build_case(data: Any, marks: Marks, name: str, registry: Path | None = None) -> Case:
    """Validate plain data (as read from a file called ``name``) and build the Case."""
    if _refers(data):  # the registry is read only for a case that names its entities
        from screening.case.registry import expand

        data = expand(data, marks, name, registry)
    fact_sources: dict[DocPath, tuple[str, ...]] = {}
    long_form: list[tuple[DocPath, str]] = []
    data = _unwrap(data, (), fact_sources, long_form)
    problems = [located(name, marks, path, "E103", message) for path, message in long_form]
    problems += schemacheck.problems(data, case_schema(), marks, name)
    if not problems:
        problems = list(_semantic_problems(data, marks, name, fact_sources))
    if problems:
        raise ScreeningError(problems)
    entities = {e["id"]: Entity.from_data(e, i) for i, e in enumerate(data["entities"])}
    edges = tuple(Edge.from_data(e, i) for i, e in enumerate(data.get("ownership") or ()))
    owners: dict[str, list[Edge]] = {}
    for edge in edges:
        owners.setdefault(edge.owned, []).append(edge)
    return Case(
        id=data["id"],
        title=data["title"],
        file=name,
        investor_id=data["investor"],
        entities=entities,
        ownership=edges,
        data=data,
        sources={s["id"]: Source.from_data(s) for s in data.get("sources") or ()},
        fact_sources=fact_sources,
        owners={k: tuple(v) for k, v in owners.items()},
    )


def _refers(data: Any) -> bool:
    """Whether the document has entities written ``{ref: ID}`` (screening.case.registry.expand fills them in)."""
    entities = data.get("entities") if isinstance(data, dict) else None
    return isinstance(entities, list) and any(isinstance(e, dict) and "ref" in e for e in entities)


def _unwrap(
    node: Any, path: DocPath, out: dict[DocPath, tuple[str, ...]], problems: list[tuple[DocPath, str]] | None = None
) -> Any:
    """Replace long-form facts ``{value: X, sources: [...], note: ...}`` by X, keeping their sources.

    A long form whose ``sources`` is not a list of source ids, or whose ``note`` is not text, is
    added to ``problems``.
    """
    problems = [] if problems is None else problems
    if isinstance(node, dict):
        if "value" in node and set(node) <= _FACT_KEYS and path:
            sources = node.get("sources", [])
            if isinstance(sources, list) and all(isinstance(s, str) for s in sources):
                if sources:
                    out[path] = tuple(sources)
            else:
                problems.append(
                    (
                        path + ("sources",),
                        "expected a list of source ids, found " + _kind(sources)
                        if not isinstance(sources, list)
                        else "expected a list of source ids (text)",
                    )
                )
            if "note" in node and not isinstance(node["note"], str):
                problems.append((path + ("note",), f"expected text, found {_kind(node['note'])}"))
            return node["value"]
        return {k: _unwrap(v, path + (k,), out, problems) if isinstance(v, _CONTAINERS) else v for k, v in node.items()}
    if isinstance(node, list):
        return [
            _unwrap(v, path + (str(i),), out, problems) if isinstance(v, _CONTAINERS) else v for i, v in enumerate(node)
        ]
    return node


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), "a number"
    )


def _scan(node: Any, path: DocPath, country_paths: list[DocPath], cited: list[tuple[DocPath, Any]]) -> None:
    """One pass over the document: the paths of country codes, and every source a mapping cites."""
    if isinstance(node, dict):
        if path and node.get("sources"):
            sources = node["sources"]
            cited += (
                [(path + ("sources", str(i)), sid) for i, sid in enumerate(sources)]
                if isinstance(sources, list)
                else []
            )
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                _scan(value, path + (key,), country_paths, cited)
            elif key in ("country", "state") and isinstance(value, str):
                country_paths.append(path + (key,))
    elif isinstance(node, list):
        countries_list = bool(path) and path[-1] == "countries"
        for i, value in enumerate(node):
            if isinstance(value, (dict, list)):
                _scan(value, path + (str(i),), country_paths, cited)
            elif countries_list and isinstance(value, str):
                country_paths.append(path + (str(i),))


def _semantic_problems(
    data: dict[str, Any], marks: Marks, name: str, fact_sources: dict[DocPath, tuple[str, ...]]
) -> Iterator[Problem]:
    """What a schema cannot say: country codes, references between ids, stakes adding up."""
    schema_countries: list[DocPath] = []
    cited: list[tuple[DocPath, Any]] = []
    _scan(data, (), schema_countries, cited)
    for path in schema_countries:
        code = _get(data, path)
        if isinstance(code, str) and not countries.is_country(code):
            hint = countries.suggest(code)
            yield located(name, marks, path, "E107", f"unknown country code {code!r}" + (f"; {hint}" if hint else ""))
    source_ids = [s["id"] for s in data.get("sources") or ()]
    yield from _duplicates(name, marks, source_ids, ("sources",), "source")
    known = set(source_ids)
    cited += [(p, s) for p, ids in fact_sources.items() for s in ids]
    hints = Hints(known)
    for path, sid in cited:
        if path[0] != "sources" and sid not in known:
            yield located(name, marks, path, "E108", _unknown("source", sid, hints))
    entity_ids = [e["id"] for e in data["entities"]]
    yield from _duplicates(name, marks, entity_ids, ("entities",), "entity")
    entities = set(entity_ids)
    hints = Hints(entities)
    if data["investor"] not in entities:
        yield located(name, marks, ("investor",), "E108", _unknown("entity", data["investor"], hints))
    held: dict[tuple[str, str], float] = {}
    for i, edge in enumerate(data.get("ownership") or ()):
        for key in ("owner", "owned"):
            if edge[key] not in entities:
                yield located(name, marks, ("ownership", str(i), key), "E108", _unknown("entity", edge[key], hints))
        if edge["owner"] == edge["owned"]:
            yield located(name, marks, ("ownership", str(i)), "E106", "an entity cannot own itself")
        for key, what in (("equity_pct", "stakes"), ("voting_pct", "voting rights")):
            if edge.get(key) is None:
                continue
            total = held[(edge["owned"], key)] = held.get((edge["owned"], key), 0.0) + edge[key]
            if total > 100.0001:
                yield located(
                    name,
                    marks,
                    ("ownership", str(i), key),
                    "E106",
                    f"{what} held in '{edge['owned']}' add up to {total:g}%, over 100%",
                )


def _get(data: Any, path: DocPath) -> Any:
    for key in path:
        data = data[int(key)] if isinstance(data, list) else data[key]
    return data


def _duplicates(name: str, marks: Marks, ids: list[str], base: DocPath, what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            yield located(name, marks, base + (str(i), "id"), "E109", f"duplicate {what} id '{item}'")
        seen.add(item)


def _unknown(what: str, value: str, hints: Hints) -> str:
    hint = hints(value)
    return f"unknown {what} '{value}'" + (f"; did you mean '{hint}'?" if hint else "")
