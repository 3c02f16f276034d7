"""The target as each regime sees it: the whole group for the risk, the part in a regime's territory for its filing.

A target group can have parts in other countries (``target.parts``: subsidiaries, branches, businesses,
assets, sites) and carry on activities where it has none (``target.activities_in``). A regime reaches
what lies in its territory: CFIUS a US business, the NSI Act an entity active in the United Kingdom.

* The **whole group** (what rules read): the target's own facts with every part's added. A list the
  target gives covers the group, a part adds to it; a list only parts give is partial (the target's own
  is not known).
* The **view of a territory** (what a regime's triggers read): the target with its parts in the
  territory when the target is there; else its parts there alone (their lists and amounts summed, the
  part's country as the target's); else, when it is active there, the target itself, placed there.
  The view says what brought the target in (``via``) and, as facts, how the target lies there
  (``target.presence``: ``established``, the kinds of its parts there, or ``activities``) and whether that
  is a business of its own there (``target.local_business``), so that each regime's reach can follow its
  own law: the NSI Act any activity, CFIUS a US business, France a French entity or registered
  establishment, Germany a domestic company.
* A case that names no part and no activity in a country is read as having none there: it is out of the
  reach of that country's regime, whatever its law's test (the reach test names what would bring it in).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from screening.case.catalogue import EU_MEMBERS
from screening.case.dated import AT
from screening.case.values import BOUNDS, AtLeast, Interval, PartialList, as_interval, highest, least

DOC = "@doc"
OWN = "@target"
"""Key of the facts under which the target's own values are kept (the ``target.*`` facts are the whole group's)."""
RECORDS = ("critical_infrastructure", "critical_technologies", "government_contracts", "sensitive_sites", "data")
LISTS = ("sectors",)
AMOUNTS = ("turnover_eur", "employees")
KEYS = LISTS + RECORDS + AMOUNTS + ("scale",)
"""What a part can give that the target gives too."""
SCALE_FACTS = (
    "target.population_served",
    "target.capacity",
    "target.market_share_pct",
    "target.sole_domestic_supplier",
    "target.dominant_domestic_supplier",
)


_HELD = tuple((key, key in RECORDS) for key in KEYS)
"""Each of KEYS, and whether it is a list of records."""


def holder(node: dict[str, Any], base: tuple[str, ...]) -> dict[str, Any]:
    """The facts of the target (or of one part) at ``base`` in the case document, records with their paths."""
    out: dict[str, Any] = {DOC: base}
    get = node.get
    for key, records in _HELD:
        value = get(key)
        if records and value is not None:  # a dated or confidence view may have left some out: partial
            kind = PartialList if isinstance(value, PartialList) else list
            value = kind({**rec, DOC: base + (key, str(rec.get(AT, i)))} for i, rec in enumerate(value))
        out[key] = value
    return out


def parts(target: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The ``target.parts`` records: each part's own fields, its lists of records with their paths."""
    given = target.get("parts")
    if given is None:
        return None
    kind = PartialList if isinstance(given, PartialList) else list  # a view at a confidence left some out
    return kind({**part, **holder(part, ("target", "parts", str(i)))} for i, part in enumerate(given))


def combine(pieces: list[dict[str, Any]], own: dict[str, Any] | None) -> dict[str, Any]:
    """The ``target.*`` facts of the target's own facts ``own`` (None: the pieces alone) with ``pieces`` added."""
    out: dict[str, Any] = {}
    given: list[Any] = []
    extra: list[Any] = []
    for key in LISTS + RECORDS:
        if pieces:  # the target alone (most cases) has nothing to add
            given = [p[key] for p in pieces if p.get(key) is not None]
            extra = [item for items in given for item in items]
        if own is not None:
            base = own.get(key)
            if base is None:
                value: Any = PartialList(extra) if given else None
            else:
                value = type(base)([*base, *extra]) if isinstance(base, PartialList) else [*base, *extra]
        elif not given:
            value = None
        else:
            value = extra if len(given) == len(pieces) else PartialList(extra)
        if key in LISTS and value is not None:
            value = type(value)(dict.fromkeys(value))
        out[f"target.{key}"] = value
    for key in AMOUNTS:
        out[f"target.{key}"] = own.get(key) if own is not None else total([p.get(key) for p in pieces])
    data = out["target.data"]
    if data is not None:
        out["target.data_categories"] = type(data)(d["category"] for d in data)
        counts = [d.get("subjects") for d in data]
        known = [c for c in counts if c is not None]
        subjects: Any = None
        if known:
            subjects = highest(known, len(known) == len(counts) and not isinstance(data, PartialList))
        elif not data and not isinstance(data, PartialList):
            subjects = 0
        out["target.data_subjects"] = subjects
    else:
        out["target.data_categories"] = out["target.data_subjects"] = None
    out.update(_scale(([own] if own is not None else []) + list(pieces), out["target.critical_infrastructure"], own))
    if isinstance(pieces, PartialList):  # a part may be missing: its lists may hold more
        for key in LISTS + RECORDS + ("data_categories",):
            if isinstance(out[f"target.{key}"], list):
                out[f"target.{key}"] = PartialList(out[f"target.{key}"])
    return out


def total(amounts: list[Any]) -> Any:
    """The sum of numbers or bounds on them: exact when every one is given exactly, the interval of every sum
    they admit when some are bounds, at least the sum of the known least values when some are not given."""
    known = [a for a in amounts if a is not None]
    if not known:
        return None
    if len(known) < len(amounts):
        low = sum(least(a) or 0.0 for a in known)
        return AtLeast(low) if low > 0 else None
    if not any(isinstance(a, BOUNDS) for a in known):
        found = float(sum(float(a) for a in known))
        return int(found) if found.is_integer() else round(found, 6)
    spans = [as_interval(a) for a in known]
    return Interval(
        sum(i.low for i in spans),
        sum(i.high for i in spans),
        any(i.low_open for i in spans),
        any(i.high_open for i in spans),
    )


def _scale(
    holders: list[dict[str, Any]], assets: list[dict[str, Any]] | None, own: dict[str, Any] | None
) -> dict[str, Any]:
    """Scale facts: the largest figure the target, a part or an asset gives (a lower bound unless it is the
    target's own), and whether any of them is the sole or dominant domestic supplier."""
    scales = [(h.get("scale") or {}, h is own) for h in holders]
    scales += [(a.get("scale") or {}, False) for a in assets or ()]
    out: dict[str, Any] = {}
    for key in ("population_served", "market_share_pct"):
        whole = own.get("scale", {}).get(key) if own is not None and own.get("scale") else None
        known = [s[key] for s, _ in scales if s.get(key) is not None]
        out[f"target.{key}"] = whole if whole is not None else highest(known, False)
    for key in ("sole_domestic_supplier", "dominant_domestic_supplier"):
        flags = [s.get(key) for s, _ in scales]
        mine = next((s.get(key) for s, is_own in scales if is_own), None)
        out[f"target.{key}"] = True if True in flags else mine
    capacities = [{**s["capacity"]} for s, _ in scales if s.get("capacity")]
    out["target.capacity"] = capacities or None
    return out


def territory(jurisdiction: str) -> frozenset[str]:
    """The countries a regime of ``jurisdiction`` covers (``EU``: the member states)."""
    return EU_MEMBERS if jurisdiction == "EU" else frozenset({jurisdiction})


def view(values: dict[str, Any], countries: Collection[str]) -> tuple[dict[str, Any], str | None]:
    """The facts with the target as seen from ``countries``, and what brought it in (None: itself, or nothing).

    A case without parts or activities abroad is its own view (the same dict).
    """
    pieces = values.get("target.parts")
    pieces = () if pieces is None else pieces
    active = values.get("target.activities_in") or ()
    if not pieces and not active and not isinstance(pieces, PartialList):
        return values, None
    own = values.get(OWN)
    if own is None:  # a fragment of facts: the target.* facts are the target's own
        own = {key: values.get(f"target.{key}") for key in LISTS + RECORDS + AMOUNTS}
    country = values.get("target.country")
    there = [p for p in pieces if p.get("country") in countries]
    if isinstance(pieces, PartialList):  # a part left out (below a confidence) may lie in the territory
        there = PartialList(there)
    via = None
    if country in countries:
        facts = combine(there, own)
    elif there:
        facts = combine(there, None)
        country = there[0]["country"]
        via = "; ".join(describe(p) for p in there)
    elif any(c in countries for c in active):
        facts = combine([], own)
        country = next(c for c in active if c in countries)
        via = f"activities in {_name(country)} ({country})"
    else:
        facts = combine([], own)
    facts["target.country"] = country
    facts["target.in_eu"] = None if country is None else country in EU_MEMBERS
    facts["target.presence"], facts["target.local_business"] = presence(values, countries, there)
    facts["target.local_entity"] = local_entity(values, countries, there)
    if country != values.get("target.country") and "ownership.states" in values:
        facts.update(foreign_states(values["ownership.states"], country))  # foreign to the target's new country
    return {**values, **facts}, via


FOREIGN_STATES = ("equity_pct", "voting_pct")
_FOREIGN_FACTS = tuple((key, f"ownership.foreign_states_{key}") for key in FOREIGN_STATES)


def foreign_states(rows: list[dict[str, Any]] | None, country: str | None) -> dict[str, Any]:
    """``ownership.foreign_states_equity_pct`` and ``..._voting_pct``: the sum of the effective interests in the
    investor of every state other than ``country`` (the target's), from the ``ownership.states`` records (a
    PartialList while the group or a stake is not known: the sum is then a lower bound). A state's interest
    runs through its own bodies, so the sum counts each holding once unless one state's body holds another's."""
    out: dict[str, Any] = {}
    for key, fact in _FOREIGN_FACTS:
        if rows is None or country is None:
            out[fact] = None
            continue
        found = [r.get(key) for r in rows if r.get("state") != country]
        exact = not isinstance(rows, PartialList) and all(n is not None and not isinstance(n, AtLeast) for n in found)
        if exact:
            out[fact] = total(found) if found else 0
        else:
            low = sum(least(n) or 0.0 for n in found if n is not None)
            out[fact] = AtLeast(low) if low > 0 else None
    return out


ENTITY = ("established", "subsidiary")
"""Presence by an entity of the territory's own: the target itself, or a subsidiary there."""


def presence(
    values: dict[str, Any], countries: Collection[str], there: list[dict[str, Any]]
) -> tuple[list[str] | None, Any]:
    """How the target lies in ``countries``: ``established`` (it is established there), the kind of each of its
    parts there (``part`` when not given), ``activities`` (activities or supplies there, ``target.activities_in``);
    and whether it has a business of its own there: true for the target or a subsidiary there, or a part managed
    there (``managed_locally``); false when every part there is said not to be and it has no activities there;
    else unknown (None)."""
    found = ["established"] if values.get("target.country") in countries else []
    found += [p.get("kind") or "part" for p in there]
    if any(c in countries for c in values.get("target.activities_in") or ()):
        found.append("activities")
    found = list(dict.fromkeys(found))
    if values.get("target.country") is None:  # where the target itself is established is not known
        if not found:
            return None, None
        found = PartialList(found)
    elif isinstance(there, PartialList):  # a part left out (below a confidence) may lie there too
        found = PartialList(found)
    local: Any
    if any(k in ENTITY for k in found) or any(p.get("managed_locally") is True for p in there):
        local = True
    elif found and all(p.get("managed_locally") is False for p in there) and "activities" not in found:
        local = False
    else:
        local = None if found else False
    return found, local


def local_entity(values: dict[str, Any], countries: Collection[str], there: list[dict[str, Any]]) -> bool | None:
    """Whether an entity with its registered office in ``countries`` passes to the investor with the deal, or its
    business does: true for the target established there, a subsidiary there, or a part there said to be carried
    on by such an entity (``local_entity``); false when every part there is a branch (an establishment of a
    company established elsewhere) or said not to be, and the target is not established there; else unknown."""
    if values.get("target.country") in countries:
        return True
    if any(p.get("kind") == "subsidiary" or p.get("local_entity") is True for p in there):
        return True
    if isinstance(there, PartialList) or values.get("target.country") is None:
        return None
    said = [p.get("local_entity") for p in there]
    if all(s is False or (s is None and p.get("kind") == "branch") for s, p in zip(said, there, strict=True)):
        return False
    return None


def describe(part: dict[str, Any]) -> str:
    """``Velan Valve Corp. (US subsidiary)``."""
    kind = part.get("kind")
    return f"{part['name']} ({part['country']}{' ' + kind if kind else ''})"


def _name(code: str) -> str:
    from screening.case import countries

    return countries.name(code)


def countries_of(values: dict[str, Any]) -> list[str]:
    """Every country the target group is in or active in: its own, its parts', its activities'."""
    found: Iterable[Any] = [
        values.get("target.country"),
        *(p.get("country") for p in values.get("target.parts") or ()),
        *(values.get("target.activities_in") or ()),
    ]
    return list(dict.fromkeys(c for c in found if c))
