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
    country_problems = list(_country_problems(data, marks, name))
    shown = {p.path for p in country_problems}  # the schema's "does not match" says less
    problems += country_problems
    problems += [p for p in schemacheck.problems(data, case_schema(), marks, name) if p.path not in shown]
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


_COUNTRY_KEYS = ("country", "state", "headquarters")
_COUNTRY_LISTS = ("countries", "activities_in")


def _country_problems(data: Any, marks: Marks, name: str) -> Iterator[Problem]:
    """Each country code that is not one, with the code it likely means (``France`` or ``fr``: FR)."""
    paths: list[DocPath] = []
    _scan(data, (), paths, [])
    for path in paths:
        code = _get(data, path)
        if isinstance(code, str) and not countries.is_country(code):
            hint = countries.suggest(code)
            yield located(name, marks, path, "E107", f"unknown country code {code!r}" + (f"; {hint}" if hint else ""))


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
            elif key in _COUNTRY_KEYS and isinstance(value, str):
                country_paths.append(path + (key,))
    elif isinstance(node, list):
        countries_list = bool(path) and path[-1] in _COUNTRY_LISTS
        for i, value in enumerate(node):
            if isinstance(value, (dict, list)):
                _scan(value, path + (str(i),), country_paths, cited)
            elif countries_list and isinstance(value, str):
                country_paths.append(path + (str(i),))


def _semantic_problems(
    data: dict[str, Any], marks: Marks, name: str, fact_sources: dict[DocPath, tuple[str, ...]]
) -> Iterator[Problem]:
    """What a schema cannot say: country codes, references between ids, stakes adding up."""
    cited: list[tuple[DocPath, Any]] = []
    _scan(data, (), [], cited)
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
    yield from _references(data, marks, name, entities, hints)
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


def _references(data: dict[str, Any], marks: Marks, name: str, entities: set[str], hints: Hints) -> Iterator[Problem]:
    """Entity ids named by joint control, supervision links and co-investors must be entities of the case."""
    refs: list[tuple[DocPath, Any]] = []
    for i, edge in enumerate(data.get("ownership") or ()):
        refs += [
            (("ownership", str(i), "joint_control_with", str(j)), e)
            for j, e in enumerate(edge.get("joint_control_with") or ())
        ]
    for i, entity in enumerate(data["entities"]):
        for j, link in enumerate(entity.get("state_links") or ()):
            if "body" in link:
                refs.append((("entities", str(i), "state_links", str(j), "body"), link["body"]))
    tx = data.get("transaction") or {}
    for i, co in enumerate(tx.get("co_investors") or ()):
        path: DocPath = ("transaction", "co_investors", str(i), "entity")
        refs.append((path, co["entity"]))
        if co["entity"] == data["investor"]:
            yield located(name, marks, path, "E106", "the investor cannot be its own co-investor")
    for path, eid in refs:
        if eid not in entities:
            yield located(name, marks, path, "E108", _unknown("entity", eid, hints))


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
