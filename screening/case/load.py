"""Load case files: YAML -> validated plain data -> Case model, with every problem located."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from screening.case import countries, values
from screening.case.catalogue import NUMBER_FORMS, case_schema
from screening.case.model import Case, DocPath, Edge, Entity, Source
from screening.case.names import renamed
from screening.infra import schemacheck
from screening.infra.errors import Hints, Marks, Problem, ScreeningError, closest, located
from screening.infra.yamlio import load

_META_KEYS = {"sources", "note", "confidence", "disputed_by"}
_FACT_KEYS = {"value"} | _META_KEYS
_BOUND_KEYS = set(values.BOUND_KEYS)
_CONTAINERS = (dict, list)


def load_case(path: Path, registry: Path | None = None) -> Case:
    """Read, validate and build the case in ``path``; raise ScreeningError listing every problem.

    Entities written ``{ref: ID}`` come from the entity registry in ``registry`` (default: the bundled one).
    """
    data, marks = load(path)
    return build_case(data, marks, str(path), registry)


def build_case(data: Any, marks: Marks, name: str, registry: Path | None = None) -> Case:
    """Validate plain data (as read from a file called ``name``) and build the Case."""
    overridden: list[Problem] = []
    if _refers(data):  # the registry is read only for a case that names its entities
        from screening.case.registry import expand

        data = expand(data, marks, name, registry, overridden)
    data, notes = renamed(data, marks, name)  # old field names read as the new ones, with a warning
    notes = [*notes, *overridden]
    data, fact_sources, long_form, meta = unwrap(data)
    problems = [p for p in notes if p.severity == "error"]
    problems += [
        located(name, marks, path[:-1], path[-1], message)
        if path and path[-1].startswith("E")
        else located(name, marks, path, "E103", message)
        for path, message in long_form
    ]
    country_problems = list(_country_problems(data, marks, name))
    shown = {p.path for p in country_problems}  # the schema's "does not match" says less
    problems += country_problems
    problems += [p for p in schemacheck.problems(data, case_schema(), marks, name) if p.path not in shown]
    if problems and isinstance(data, dict):  # one run names every source missing too, not only the next time
        problems += _uncited_sources(data, marks, name, fact_sources, {p.path for p in problems})
    if not problems:
        data, forms = read_forms(data)
        problems = [located(name, marks, path, "E106", message) for path, message in forms]
    if not problems:
        problems = list(semantic_problems(data, marks, name, fact_sources, meta))
    if problems:
        raise ScreeningError(problems)
    return assemble(data, name, fact_sources, meta)._replace(notes=tuple(p for p in notes if p.severity != "error"))


def assemble(
    data: dict[str, Any], name: str, fact_sources: dict[DocPath, tuple[str, ...]], meta: dict[DocPath, dict[str, Any]]
) -> Case:
    """The Case of a document found valid (its long forms unwrapped into ``fact_sources`` and ``meta``)."""
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
        fact_meta=meta,
    )


def unwrap(
    data: Any,
) -> tuple[Any, dict[DocPath, tuple[str, ...]], list[tuple[DocPath, str]], dict[DocPath, dict[str, Any]]]:
    """The document with its long forms unwrapped (``_unwrap``): the data, the sources of its facts, the problems of
    its long forms (path, message) and the confidence and contradicting sources of its facts."""
    fact_sources: dict[DocPath, tuple[str, ...]] = {}
    long_form: list[tuple[DocPath, str]] = []
    meta: dict[DocPath, dict[str, Any]] = {}
    return _unwrap(data, (), fact_sources, long_form, meta), fact_sources, long_form, meta


def read_forms(data: Any) -> tuple[Any, list[tuple[DocPath, str]]]:
    """A document the schema accepts with its numbers and dates as reported read into values (``_read_forms``), and
    the problems found meanwhile (path, message)."""
    forms: list[tuple[DocPath, str]] = []
    schema = case_schema()
    return _read_forms(data, schema, schema["$defs"], (), forms), forms


def _refers(data: Any) -> bool:
    """Whether the document has entities written ``{ref: ID}`` (screening.case.registry.expand fills them in)."""
    entities = data.get("entities") if isinstance(data, dict) else None
    return isinstance(entities, list) and any(isinstance(e, dict) and "ref" in e for e in entities)


def _unwrap(
    node: Any,
    path: DocPath,
    out: dict[DocPath, tuple[str, ...]],
    problems: list[tuple[DocPath, str]] | None = None,
    meta: dict[DocPath, dict[str, Any]] | None = None,
) -> Any:
    """Replace long-form facts ``{value: X, sources: [...], note: ..., confidence: ..., disputed_by: [...]}`` by X
    (a bound in long form, ``{at_least: 25, sources: [...]}``, by the bound), keeping their sources in ``out`` and
    their confidence and contradicting sources in ``meta``.

    A long form whose ``sources`` or ``disputed_by`` is not a list of source ids, or whose ``note`` is not text,
    is added to ``problems``.
    """
    problems = [] if problems is None else problems
    meta = {} if meta is None else meta
    if isinstance(node, dict):
        keys = set(node)
        bound = keys & _BOUND_KEYS
        plain = "value" in node and not bound
        if (
            path
            and keys <= _FACT_KEYS | _BOUND_KEYS
            and (plain or (bound and keys & _META_KEYS and "value" not in node))
        ):
            return _long_form(node, path, out, problems, meta, bound)
        return {
            k: _unwrap(v, path + (k,), out, problems, meta) if isinstance(v, _CONTAINERS) else v
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [
            _unwrap(v, path + (str(i),), out, problems, meta) if isinstance(v, _CONTAINERS) else v
            for i, v in enumerate(node)
        ]
    return node


def _long_form(
    node: dict[str, Any],
    path: DocPath,
    out: dict[DocPath, tuple[str, ...]],
    problems: list[tuple[DocPath, str]],
    meta: dict[DocPath, dict[str, Any]],
    bound: set[str],
) -> Any:
    for key in ("sources", "disputed_by"):
        ids = node.get(key, [])
        if isinstance(ids, list) and all(isinstance(s, str) for s in ids):
            if ids and key == "sources":
                out[path] = tuple(ids)
            elif ids:
                meta.setdefault(path, {})[key] = tuple(ids)
        else:
            problems.append(
                (
                    path + (key,),
                    "expected a list of source ids, found " + _kind(ids)
                    if not isinstance(ids, list)
                    else "expected a list of source ids (text)",
                )
            )
    if "note" in node and not isinstance(node["note"], str):
        problems.append((path + ("note",), f"expected text, found {_kind(node['note'])}"))
    if "confidence" in node:
        level = node["confidence"]
        if level in CONFIDENCE:
            meta.setdefault(path, {})["confidence"] = level
        else:
            hint = closest(str(level), list(CONFIDENCE), 0.6)
            more = f"did you mean '{hint}'?" if hint else f"expected one of: {', '.join(CONFIDENCE)}"
            problems.append((path + ("confidence", "E106"), f"unknown value {level!r}; {more}"))
    if bound:
        return {k: node[k] for k in node if k in bound}
    return node["value"]


CONFIDENCE = ("confirmed", "reported", "alleged", "disputed")
"""How well a fact is established, from best to worst (confirmed is the default)."""


def _read_forms(node: Any, schema: dict[str, Any], defs: dict[str, Any], path: DocPath, problems: list[Any]) -> Any:
    """The validated document with its numbers as reported (bounds, words) and its dates as reported (years,
    months, ranges) read into values (screening.case.values); a bound that admits no number, a percentage
    bound outside 0..100 or dates reversed added to ``problems``."""
    kind, schema = _form(schema, defs)
    if kind == "date":
        if isinstance(node, str) and len(node) == 10:  # a day stays its text
            return node
        found = values.date_problem(node)
        if found:
            problems.append((path, found))
        return values.day_range(node)
    if kind:
        if isinstance(node, (int, float)):
            return node
        found = values.bound_problem(node, percent=kind == "percent")
        if found:
            problems.append((path, found))
        if kind == "percent":
            return values.number(node, 0.0, 100.0)
        return values.number(node, 0.0 if kind in ("amount", "count") else -values.INF)
    if isinstance(node, dict) and "properties" in schema:
        props = schema["properties"]
        return {
            k: _read_forms(v, props[k], defs, path + (k,), problems)
            if k in props and isinstance(v, (dict, list, str, int, float)) and _holds_forms(props[k], defs)
            else v
            for k, v in node.items()
        }
    if isinstance(node, list) and isinstance(schema.get("items"), dict) and _holds_forms(schema["items"], defs):
        return [_read_forms(v, schema["items"], defs, path + (str(i),), problems) for i, v in enumerate(node)]
    return node


_FORMS: dict[int, tuple[str, dict[str, Any]]] = {}
"""Schema node (by id: the case schema is read once and kept) -> (its form, ``date``, a number form or "", and
the node with its reference resolved)."""
_HOLDS: dict[int, bool] = {}


def _form(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    found = _FORMS.get(id(schema))
    if found is None:
        name = schema.get("$ref", "").rsplit("/", 1)[-1]
        kind = name if name == "date" or name in NUMBER_FORMS else ""
        if not kind and "anyOf" in schema and "$ref" not in schema:
            kind = "number"  # a number with its bounds written out (board_size)
        resolved = {**defs[name], **{k: v for k, v in schema.items() if k != "$ref"}} if name else schema
        found = _FORMS[id(schema)] = (kind, resolved)
    return found


def _holds_forms(schema: dict[str, Any], defs: dict[str, Any]) -> bool:
    """Whether a number or a date may be found at or under this schema node."""
    found = _HOLDS.get(id(schema))
    if found is None:
        _HOLDS[id(schema)] = True  # a schema that refers to itself: assumed to, while it is looked at
        kind, resolved = _form(schema, defs)
        found = bool(kind) or any(
            _holds_forms(sub, defs) for sub in (resolved.get("properties") or {}).values() if isinstance(sub, dict)
        )
        items = resolved.get("items")
        found = found or (isinstance(items, dict) and _holds_forms(items, defs))
        _HOLDS[id(schema)] = found
    return found


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
        for key in ("sources", "disputed_by"):
            sources = node.get(key) if path else None
            if sources and isinstance(sources, list):
                cited += [(path + (key, str(i)), sid) for i, sid in enumerate(sources)]
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


def _uncited_sources(
    data: dict[str, Any], marks: Marks, name: str, fact_sources: dict[DocPath, tuple[str, ...]], shown: set[DocPath]
) -> list[Problem]:
    """The source ids a document of the wrong shape cites and does not define, as its semantic check would find
    them (which waits for a document of the right shape); none when its list of sources is itself malformed."""
    sources = data.get("sources")
    if not isinstance(sources, list) or not all(isinstance(s, dict) and isinstance(s.get("id"), str) for s in sources):
        return []
    cited: list[tuple[DocPath, Any]] = []
    _scan(data, (), [], cited)
    cited += [(p, sid) for p, ids in fact_sources.items() for sid in ids]
    known = {s["id"] for s in sources}
    hints = Hints(known)
    return [
        located(name, marks, path, "E108", _unknown("source", sid, hints))
        for path, sid in cited
        if path[0] != "sources" and isinstance(sid, str) and sid not in known and path not in shown
    ]


def semantic_problems(
    data: dict[str, Any],
    marks: Marks,
    name: str,
    fact_sources: dict[DocPath, tuple[str, ...]],
    meta: dict[DocPath, dict[str, Any]],
    cited: list[tuple[DocPath, Any]] | None = None,
    dated: bool = True,
) -> Iterator[Problem]:
    """What a schema cannot say: country codes, references between ids, stakes adding up.

    ``cited`` (every source id the document's records cite, with its path) is found here when not given.
    ``dated``: whether a record may end before it starts (False: the document has no ``until``)."""
    if cited is None:
        cited = []
        _scan(data, (), [], cited)
    source_ids = [s["id"] for s in data.get("sources") or ()]
    yield from _duplicates(name, marks, source_ids, ("sources",), "source")
    known = set(source_ids)
    cited += [(p, s) for p, ids in fact_sources.items() for s in ids]
    cited += [
        (p + ("disputed_by", str(i)), s)
        for p, found in meta.items()
        for i, s in enumerate(found.get("disputed_by", ()))
    ]
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
    for i, entity in enumerate(data.get("entities") or ()):
        named: set[str] = set()
        for j, eid in enumerate(entity.get("au_associates") or ()):
            path = ("entities", str(i), "au_associates", str(j))
            if eid not in entities:
                yield located(name, marks, path, "E108", _unknown("entity", eid, hints))
            elif eid == entity["id"]:
                yield located(name, marks, path, "E106", f"'{eid}' is named as its own associate")
            elif eid in named:
                yield located(name, marks, path, "E106", f"associate '{eid}' is named twice")
            named.add(eid)
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
            least = values.ends(edge[key]).low or 0.0  # a bound adds its least
            total = held[(edge["owned"], key)] = held.get((edge["owned"], key), 0.0) + least
            if total > 100.0001:
                yield located(
                    name,
                    marks,
                    ("ownership", str(i), key),
                    "E106",
                    f"{what} held in '{edge['owned']}' add up to {total:g}%, over 100%",
                )
    if dated:
        yield from _reversed_dates(data, (), marks, name)
    yield from _completed_before_signed(data, marks, name)


_STARTS = ("since", "date", "agreed")


def _completed_before_signed(data: dict[str, Any], marks: Marks, name: str) -> Iterator[Problem]:
    """A deal whose completion date is certainly before its signing date: the dates contradict, and a regime
    that judges a deal by the law of its day of completion (Canada) would read the wrong day's law."""
    tx = data.get("transaction")
    if not isinstance(tx, dict) or tx.get("signing_date") is None or tx.get("completion_date") is None:
        return
    signed, done = values.bounds(tx["signing_date"])[0], values.bounds(tx["completion_date"])[1]
    if isinstance(signed, str) and isinstance(done, str) and done < signed:
        yield located(
            name,
            marks,
            ("transaction", "completion_date"),
            "E113",
            f"the deal completes before it is signed: completion_date {tx['completion_date']} is before "
            f"signing_date {tx['signing_date']}",
        )


def _reversed_dates(node: Any, path: DocPath, marks: Marks, name: str) -> Iterator[Problem]:
    """Dated records that end before they start (``until`` certainly before ``since``, ``agreed`` or ``date``)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _reversed_dates(item, path + (str(i),), marks, name)
        return
    if not isinstance(node, dict):
        return
    start = next((key for key in _STARTS if key in node), None)
    if start is not None and "until" in node:
        first, last = values.bounds(node[start])[0], values.bounds(node["until"])[1]
        if isinstance(first, str) and isinstance(last, str) and first > last:
            yield located(
                name,
                marks,
                path + ("until",),
                "E113",
                f"it ends before it starts: until {node['until']} is before {start} {node[start]}",
            )
    for key, value in node.items():
        if isinstance(value, (dict, list)) and key not in ("sources",):
            yield from _reversed_dates(value, path + (key,), marks, name)


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
