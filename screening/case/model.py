"""Case models: immutable records built once from validated plain data."""

from __future__ import annotations

from typing import Any, NamedTuple

from screening import EMPTY
from screening.case.values import ends

DocPath = tuple[str, ...]

KIND_LABELS = {
    "state_body": "state body",
    "soe": "state-owned enterprise",
    "sovereign_fund": "sovereign fund",
    "listed_company": "listed company",
    "private_company": "private company",
    "fund": "fund",
    "individual": "individual",
}
"""Each kind of entity in words, as every report writes it."""
STATE_KINDS = ("state_body", "soe", "sovereign_fund")
"""Kinds of entity that are the state, or held by it: reports set them apart."""
STATE = "state:"
"""Prefix of the id the ownership analysis gives a state holding a stated share (``state:CN``)."""

CONTROL_RIGHTS = frozenset(
    {"golden_share", "veto", "board_appointment", "board_majority", "appoint_ceo", "joint_control", "stated_control"}
)
"""Rights over an entity that give control of it, whatever the stake (``stated_control``: an edge the
sources call controlling, written ``controlling: true``, or a fund's general partner; ``joint_control``:
control shared with named others, which is control of each of them). ``board_seat``, ``observer`` and
``information_rights`` are influence, not control."""
VOTELESS_ROLES = frozenset({"limited_partner", "sole_limited_partner"})
"""Fund roles that hold equity without votes, unless the edge gives ``voting_pct``."""


class Source(NamedTuple):
    """A document that facts cite."""

    id: str
    title: str
    url: str | None = None
    publisher: str | None = None
    date: str | None = None
    accessed: str | None = None
    note: str | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Source:
        fields = {k: data.get(k) for k in cls._fields}
        for key in ("date", "accessed"):  # a date as reported (2019, 2019-03) is shown as written
            if fields[key] is not None:
                fields[key] = str(fields[key])
        return cls(**fields)  # type: ignore[arg-type]  # validated data

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self._asdict().items() if v is not None}


class Entity(NamedTuple):
    """A company, state body, fund or person; list fields are None when unknown."""

    id: str
    name: str
    index: int  # type: ignore[assignment]  # a field, where a tuple has a method
    """Position in the case's ``entities`` list (for locating its facts)."""
    country: str | None = None
    """Country of incorporation (or residence)."""
    kind: str | None = None
    aliases: tuple[str, ...] = ()
    state_ownership_pct: float | None = None
    owners_complete: bool | None = None
    listings: tuple[dict[str, Any], ...] | None = None
    state_links: tuple[dict[str, Any], ...] | None = None
    conduct: tuple[dict[str, Any], ...] | None = None
    lei: str | None = None
    registration_number: str | None = None
    headquarters: str | None = None
    """Principal place of business, when given."""

    @classmethod
    def from_data(cls, data: dict[str, Any], index: int) -> Entity:
        def records(key: str) -> tuple[dict[str, Any], ...] | None:
            return None if data.get(key) is None else tuple(data[key])

        return cls(
            id=data["id"],
            name=data["name"],
            index=index,
            country=data.get("country"),
            kind=data.get("kind"),
            aliases=tuple(data.get("aliases") or ()),
            state_ownership_pct=data.get("state_ownership_pct"),
            owners_complete=data.get("owners_complete"),
            listings=records("listings"),
            state_links=records("state_links"),
            conduct=records("conduct"),
            lei=data.get("lei"),
            registration_number=data.get("registration_number"),
            headquarters=data.get("headquarters"),
        )

    @property
    def terminal(self) -> bool:
        """Nothing stands above a state body or a natural person."""
        return self.kind in ("state_body", "individual")


class Edge(NamedTuple):
    """An ownership or control link: ``owner`` holds a stake or rights in ``owned``."""

    owner: str
    owned: str
    index: int  # type: ignore[assignment]  # a field, where a tuple has a method
    equity_pct: float | None = None
    voting_pct: float | None = None
    rights: tuple[str, ...] = ()
    role: str = "shareholder"
    """shareholder, general_partner, limited_partner or sole_limited_partner."""
    joint_control_with: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any], index: int) -> Edge:
        role = data.get("role") or "shareholder"
        joint = tuple(data.get("joint_control_with") or ())
        rights = tuple(data.get("rights") or ())
        rights += ("stated_control",) if data.get("controlling") or role == "general_partner" else ()
        rights += ("joint_control",) if joint and "joint_control" not in rights else ()
        voting = data.get("voting_pct")
        if voting is None and role in VOTELESS_ROLES:
            voting = 0.0  # a limited partner's equity carries no vote in the fund
        return cls(
            owner=data["owner"],
            owned=data["owned"],
            index=index,
            equity_pct=data.get("equity_pct"),
            voting_pct=voting,
            rights=rights,
            role=role,
            joint_control_with=joint,
        )

    @property
    def controlling(self) -> bool:
        """A majority of votes (or of equity when votes are not given), or a control right on its own."""
        votes = self.voting_pct if self.voting_pct is not None else self.equity_pct
        return majority(votes) is True or bool(set(self.rights) & CONTROL_RIGHTS)


class Case(NamedTuple):
    """One investment case, validated."""

    id: str
    title: str
    file: str
    investor_id: str
    entities: dict[str, Entity]
    ownership: tuple[Edge, ...]
    data: dict[str, Any]
    """The validated document (long-form facts unwrapped), for facts and provenance."""
    sources: dict[str, Source]
    fact_sources: dict[DocPath, tuple[str, ...]] = EMPTY
    """Sources cited by single facts in long form (``{value: ..., sources: [...]}``)."""
    owners: dict[str, tuple[Edge, ...]] | None = None
    """The edges into each entity, in the order of ``ownership`` (None: found by a scan)."""
    partial_records: frozenset[tuple[str, str]] = frozenset()
    """(entity id, ``listings`` / ``state_links`` / ``conduct``): lists that lost a record possibly in force on
    the day the case is judged on (screening.case.dated): known to hold what they hold, perhaps more."""
    fact_meta: dict[DocPath, dict[str, Any]] = EMPTY
    """Of single facts in long form: their ``confidence`` and ``disputed_by`` (the sources that contradict them)."""
    day: tuple[str, str] | None = None
    """The first and last day the case is judged on (screening.case.dated.on_day), when a dated view fixed it."""
    notes: tuple[Any, ...] = ()
    """Warnings of the reading (screening.infra.errors.Problem): a field under its old name (W380)."""

    @property
    def investor(self) -> Entity:
        return self.entities[self.investor_id]

    @property
    def summary(self) -> str | None:
        return self.data.get("summary")

    def owners_of(self, entity_id: str) -> list[Edge]:
        """Edges pointing at ``entity_id`` (its direct owners)."""
        if self.owners is None:
            return [e for e in self.ownership if e.owned == entity_id]
        return list(self.owners.get(entity_id, ()))

    def sources_at(self, path: DocPath) -> tuple[str, ...]:
        """Source ids backing the fact at ``path``: its own, else the nearest enclosing mapping's."""
        if path in self.fact_sources:
            return self.fact_sources[path]
        nodes: list[Any] = [self.data]
        for key in path:
            node = nodes[-1]
            try:
                nodes.append(node[int(key)] if isinstance(node, list) else node[key])
            except (KeyError, IndexError, ValueError, TypeError):
                break
        for node in reversed(nodes[1:]):  # the document's own top-level sources list is no citation
            if isinstance(node, dict) and node.get("sources"):
                return tuple(node["sources"])
        return ()


def majority(votes: Any) -> bool | None:
    """Whether a share of votes (a number or a bound on one) is more than half; None when its bounds do not say."""
    if votes is None:
        return None
    found = ends(votes)
    if found.low is not None and (found.low > 50 or (found.low == 50 and found.low_open)):
        return True
    if found.high is not None and found.high <= 50:
        return False
    return None


def state_id(country: str) -> str:
    """The id of the state of ``country`` as an owner: ``state:CN``."""
    return STATE + country


def state_of(entity_id: str) -> str | None:
    """The country of a state's id (``state:CN`` -> ``CN``); None for the id of an entity."""
    return entity_id[len(STATE) :] if entity_id.startswith(STATE) else None


_LAST_GROUPS: tuple[Any, dict[str, tuple[tuple[Entity, int], ...]], dict[str, bool | None]] = (None, {}, {})
"""The groups found in the last case asked about, by the entity they start from, and whether each is complete: the
facts of one case ask for the investor's group several times (the ownership analysis, the group and reasons facts,
tracing). The case is held (identity is the key) and replaced by the next one asked about."""


def _groups(case: Case) -> tuple[dict[str, tuple[tuple[Entity, int], ...]], dict[str, bool | None]]:
    global _LAST_GROUPS
    held, groups, complete = _LAST_GROUPS
    if held is not case:
        groups, complete = {}, {}
        _LAST_GROUPS = (case, groups, complete)
    return groups, complete


def group_of(case: Case, entity_id: str | None = None) -> list[tuple[Entity, int]]:
    """The investor (or ``entity_id``) and every entity above it, with its depth (0 = itself); cycles terminate."""
    start = case.investor_id if entity_id is None else entity_id
    groups = _groups(case)[0]
    found = groups.get(start)
    if found is None:
        found = groups[start] = tuple(_group(case, start))
    return list(found)


def complete_of(case: Case, entity_id: str | None = None) -> bool | None:
    """``group_complete(group_of(case, entity_id))``, worked out once per case."""
    start = case.investor_id if entity_id is None else entity_id
    statuses = _groups(case)[1]
    if start not in statuses:
        statuses[start] = group_complete(group_of(case, start))
    return statuses[start]


def _group(case: Case, start: str) -> list[tuple[Entity, int]]:
    seen = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for eid in frontier:
            for edge in case.owners_of(eid):
                if edge.owner not in seen:
                    seen[edge.owner] = seen[eid] + 1
                    nxt.append(edge.owner)
        frontier = nxt
    return [(case.entities[eid], depth) for eid, depth in seen.items()]


def group_complete(group: list[tuple[Entity, int]]) -> bool | None:
    """Whether the group is documented up to its ultimate owners: False when an entity's owners are known to
    be incomplete, None when some are not said to be complete."""
    status: list[bool | None] = []
    for entity, _ in group:
        if entity.terminal or entity.owners_complete is True:
            status.append(True)
        elif entity.owners_complete is False:
            return False
        else:
            status.append(None)
    return True if all(status) else None
