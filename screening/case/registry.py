"""The entity registry: known entities and their ownership, kept once and referred to by cases.

A registry is a directory of YAML files (``entities/*.yaml``), each holding ``entities`` (the case
format's entities), the ``ownership`` edges between them and the ``sources`` they cite. A case entity
written ``{ref: cosco-shipping-ports}`` takes that entity from the registry, together with every entity
above it and the edges between them; fields written beside ``ref`` override the registry's, and an
entity or edge the case writes itself wins over the registry's. Sources the pulled-in records cite
come along, unless the case defines a source with the same id: then the pulled-in records cite the case's, which
is fine when the two are the same and a warning (W381 source-overridden) at the case's source when they differ.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from screening.case.catalogue import case_schema
from screening.infra import schemacheck
from screening.infra.errors import Hints, Marks, Problem, ScreeningError, located
from screening.infra.yamlio import load


class Registry(NamedTuple):
    entities: dict[str, dict[str, Any]]
    edges: tuple[dict[str, Any], ...]
    sources: dict[str, dict[str, Any]]
    files: tuple[str, ...]


def default_registry_path() -> Path:
    """The registry shipped inside the package, or the repository's ``entities/`` in a source checkout."""
    shipped = Path(__file__).parent.parent / "entities"
    return shipped if shipped.is_dir() else Path(__file__).resolve().parent.parent.parent / "entities"


def read_registry(path: Path) -> tuple[Registry, list[Problem]]:
    """Every file of the registry in ``path``, with all their problems (bad records are left out)."""
    problems: list[Problem] = []
    entities: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    sources: dict[str, dict[str, Any]] = {}
    where: dict[str, str] = {}
    files = sorted(path.glob("*.yaml")) if path.is_dir() else []
    if not path.is_dir():
        problems.append(
            Problem(str(path), None, None, "E001", "entity registry not found: expected a directory of YAML files")
        )
    schema = {**case_schema()["$defs"]["registry"], "$defs": case_schema()["$defs"]}
    docs: list[tuple[dict[str, Any], Marks, str]] = []
    for file in files:
        name = str(file)
        try:
            data, marks = load(file)
        except ScreeningError as exc:
            problems += exc.problems
            continue
        found = schemacheck.problems(data, schema, marks, name)
        if isinstance(data, dict):
            for i, entity in enumerate(data.get("entities") or ()):
                if isinstance(entity, dict) and "ref" in entity:
                    found.append(
                        located(
                            name,
                            marks,
                            ("entities", str(i), "ref"),
                            "E104",
                            "'ref' refers a case to the registry; registry entities are written out",
                        )
                    )
        problems += found
        if found:
            continue
        docs.append((data, marks, name))
        for i, entity in enumerate(data["entities"]):
            if entity["id"] in entities:
                problems.append(
                    located(
                        name,
                        marks,
                        ("entities", str(i), "id"),
                        "E109",
                        f"entity '{entity['id']}' is also in {where[entity['id']]}",
                    )
                )
            entities.setdefault(entity["id"], entity)
            where.setdefault(entity["id"], name)
        for source in data.get("sources") or ():
            sources.setdefault(source["id"], source)
    for data, marks, name in docs:
        hints = Hints(entities)
        for i, edge in enumerate(data.get("ownership") or ()):
            for key in ("owner", "owned"):
                if edge[key] not in entities:
                    hint = hints(edge[key])
                    problems.append(
                        located(
                            name,
                            marks,
                            ("ownership", str(i), key),
                            "E108",
                            f"unknown entity '{edge[key]}'" + (f"; did you mean '{hint}'?" if hint else ""),
                        )
                    )
            edges.append(edge)
        for cited_path, source_id in _citations(data):
            if source_id not in sources:
                problems.append(located(name, marks, cited_path, "E108", f"unknown source '{source_id}'"))
    return Registry(entities, tuple(edges), sources, tuple(str(f) for f in files)), problems


@cache
def load_registry(path: Path) -> Registry:
    """The registry in ``path``; raise ScreeningError listing every problem.

    A registry that loaded cleanly is cached like a rule pack (see screening.infra.cache).
    """
    from screening.infra import cache as doc_cache
    from screening.infra.files import read_input
    from screening.infra.yamlio import limits

    files = sorted(path.glob("*.yaml")) if path.is_dir() else []
    try:
        raw = {file: read_input(file, limits().max_bytes) for file in files}
    except ScreeningError:
        raw = None  # read_registry reports it, located
    key = doc_cache.files_digest(path, files, raw) if raw is not None else ""
    cached = doc_cache.read("registry", path, key) if raw is not None else None
    if cached is not None:
        return Registry(cached["entities"], tuple(cached["edges"]), cached["sources"], tuple(cached["files"]))
    registry, problems = read_registry(path)
    if problems:
        raise ScreeningError(problems)
    doc_cache.write(
        "registry",
        path,
        key,
        {
            "entities": registry.entities,
            "edges": list(registry.edges),
            "sources": registry.sources,
            "files": list(registry.files),
        },
    )
    return registry


def _citations(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """(path, source id) for every ``sources: [...]`` list below ``node`` (not the top-level list)."""
    out: list[tuple[tuple[str, ...], str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and path and isinstance(value, list):
                out += [(path + (key, str(i)), s) for i, s in enumerate(value) if isinstance(s, str)]
            elif key != "sources":
                out += _citations(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _citations(value, path + (str(i),))
    return out


def expand(
    data: Any, marks: Marks, name: str, registry_path: Path | None = None, notes: list[Problem] | None = None
) -> Any:
    """The case document with its ``ref`` entities filled in from the registry (marks extended in place).

    Pulled-in entities, edges and sources are appended; their marks point at the ``ref`` that pulled
    them in, so a problem in them is reported there. A source of the case that differs from the registry's source
    of the same id, which pulled-in records cite, adds a warning to ``notes`` (W381, at the case's source).
    """
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        return data
    refs = [(i, e) for i, e in enumerate(data["entities"]) if isinstance(e, dict) and "ref" in e]
    if not refs:
        return data
    registry = load_registry((registry_path or default_registry_path()).resolve())
    entities = list(data["entities"])
    # a malformed ownership or sources list (null included) is left as written, for the validator to report
    edges_ok = isinstance(data.get("ownership", []), list)
    sources_ok = isinstance(data.get("sources", []), list)
    edges = list(data.get("ownership") or []) if edges_ok else []
    sources = list(data.get("sources") or []) if sources_ok else []
    # the document is not validated yet: only text ids count, anything else is the validator's to report
    own_ids = {_text(e.get("ref", e.get("id"))) for e in entities if isinstance(e, dict)}
    have_edges = {(_text(e.get("owner")), _text(e.get("owned"))) for e in edges if isinstance(e, dict)}
    have_sources = {_text(s.get("id")) for s in sources if isinstance(s, dict)}
    problems: list[Problem] = []
    added: set[str] = set()
    hints = Hints(registry.entities)
    for i, item in refs:
        ref = item["ref"]
        base = ("entities", str(i))
        if not isinstance(ref, str):
            kinds: dict[type, str] = {list: "a list", dict: "a mapping"}
            kind = kinds.get(type(ref), f"{type(ref).__name__}")
            problems.append(
                located(
                    name, marks, base + ("ref",), "E103", f"expected text (the id of a registry entity), found {kind}"
                )
            )
            continue
        if ref not in registry.entities:
            hint = hints(str(ref))
            problems.append(
                located(
                    name,
                    marks,
                    base + ("ref",),
                    "E108",
                    f"'{ref}' is not in the entity registry"
                    + (f"; did you mean '{hint}'?" if hint else f" ({len(registry.entities)} entities; see entities/)"),
                )
            )
            continue
        entities[i] = {**registry.entities[ref], **{k: v for k, v in item.items() if k != "ref"}, "id": ref}
        added.add(ref)
        frontier = [ref]
        while frontier:  # every entity above, with the edges between them
            owned = frontier.pop()
            for edge in registry.edges:
                if edge["owned"] != owned:
                    continue
                if (edge["owner"], owned) not in have_edges:
                    have_edges.add((edge["owner"], owned))
                    _mark(marks, ("ownership", str(len(edges))), base)
                    edges.append(edge)
                owner = edge["owner"]
                if owner not in own_ids and owner not in added:
                    added.add(owner)
                    _mark(marks, ("entities", str(len(entities))), base)
                    entities.append(registry.entities[owner])
                    frontier.append(owner)
    if problems:
        raise ScreeningError(problems)
    pulled = (
        entities[len(data["entities"]) :] + [entities[i] for i, _ in refs] + edges[len(data.get("ownership") or []) :]
    )
    own_sources = {_text(s.get("id")): i for i, s in enumerate(sources) if isinstance(s, dict)}
    citing: dict[str, None] = {}  # the case's own sources that pulled-in records cite, in order
    for _, source_id in _citations({"pulled": pulled}):
        if source_id in own_sources and source_id in registry.sources:
            citing[source_id] = None
        if source_id not in have_sources and source_id in registry.sources:
            have_sources.add(source_id)
            _mark(marks, ("sources", str(len(sources))), ("entities",))
            sources.append(registry.sources[source_id])
    if notes is not None:
        notes += [
            _overridden(name, marks, sid, own_sources[sid], sources[own_sources[sid]], registry.sources[sid])
            for sid in citing
            if sources[own_sources[sid]] != registry.sources[sid]
        ]
    out = {**data, "entities": entities}
    if edges_ok:
        out["ownership"] = edges
    if sources_ok and sources:
        out["sources"] = sources
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mark(marks: Marks, path: tuple[str, ...], at: tuple[str, ...]) -> None:
    if at in marks:
        marks[path] = marks[at]


def _overridden(name: str, marks: Marks, sid: str, at: int, own: dict[str, Any], theirs: dict[str, Any]) -> Problem:
    """W381: the case's source ``sid`` (item ``at`` of its sources) differs from the registry's, which records
    pulled in from the registry cite: they now cite the case's."""
    differ = [k for k in dict.fromkeys([*theirs, *own]) if own.get(k) != theirs.get(k)]
    message = (
        f"source '{sid}' differs from the entity registry's source of that id (in {', '.join(differ)}), which "
        "records taken from the registry cite: they now cite this one; give one of them another id, or make them "
        "the same"
    )
    return located(name, marks, ("sources", str(at)), "W381", message, severity="warning")
