"""The catalogue of facts that rule conditions may name, with types and gap questions.

Facts about the investor, target, transaction and mitigations come straight from the
case schema (one source of truth); facts about the investor's group and a few
conveniences are derived (see ``screening.case.facts``) and declared here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from screening import EMPTY

SCALAR_TYPES = ("string", "number", "integer", "boolean", "date", "country", "enum")
PRESENCE = ("established", "subsidiary", "branch", "business", "asset", "site", "part", "activities")
"""How a target lies in a regime's country (target.presence, screening.case.territory)."""
NUMBER_FORMS = {"percent": "number", "amount": "number", "count": "integer", "signed_number": "number"}
"""The case schema's definitions of a number as reported (a number, a bound or a word): the fact's type."""


class Fact(NamedTuple):
    """One named fact a condition can test."""

    path: str
    type: str
    """One of SCALAR_TYPES, ``list`` (of scalars) or ``records`` (list of objects)."""
    item: str | None = None
    """For ``list``: the type of each item."""
    values: tuple[str, ...] = ()
    """Allowed values of an enum, or of the items of an enum list."""
    subfields: dict[str, Fact] = EMPTY
    """For ``records``: the facts of each record, by key."""
    question: str = ""
    """The question to put to the investor when the fact is unknown ({name} is the entity)."""
    description: str = ""
    derived: bool = False

    @property
    def is_list(self) -> bool:
        return self.type in ("list", "records")


@cache
def case_schema() -> dict[str, Any]:
    """The JSON Schema of case files."""
    text = (Path(__file__).parent.parent / "schema" / "case.schema.json").read_text("utf-8")
    return json.loads(text)


def _from_schema(path: str, node: dict[str, Any], defs: dict[str, Any]) -> Fact:
    question = node.get("x-question", "")
    description = node.get("description", "")
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        target = defs[name]
        if name in ("country", "date"):
            return Fact(path, name, question=question, description=description or target["description"])
        if name in NUMBER_FORMS:
            return Fact(path, NUMBER_FORMS[name], question=question, description=description or target["description"])
        return _from_schema(path, {**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs)
    kind = node.get("type")
    if kind == "string" and "enum" in node:
        return Fact(path, "enum", values=tuple(node["enum"]), question=question, description=description)
    if kind == "array":
        item = _from_schema(path, node["items"], defs)
        if item.type == "records":
            return Fact(path, "records", subfields=item.subfields, question=question, description=description)
        return Fact(path, "list", item=item.type, values=item.values, question=question, description=description)
    if kind is None and "anyOf" in node:  # a number with its bounds written out (board_size)
        kind = next(o.get("type") for o in node["anyOf"] if "type" in o)
    if kind == "object":
        # a record's scale is read through the target.* scale facts (population_served, capacity, ...)
        skip = ("sources", "note", "disputed_by", "scale")
        subs = {k: _from_schema(k, v, defs) for k, v in node["properties"].items() if k not in skip}
        return Fact(path, "records", subfields=subs, question=question, description=description)
    return Fact(path, kind or "string", question=question, description=description)


def _enum(defs: dict[str, Any], name: str, prop: str) -> tuple[str, ...]:
    return tuple(defs[name]["properties"][prop]["enum"])


LIST_TYPES = {
    "un_sanctions": "sanctions",
    "eu_sanctions": "sanctions",
    "uk_sanctions": "sanctions",
    "us_sdn": "sanctions",
    "other_sanctions": "sanctions",
    "us_entity_list": "export_control",
    "us_meu_list": "export_control",
    "us_uvl": "export_control",
    "other_export_control": "export_control",
    "us_ns_cmic": "investment_ban",
    "us_1260h": "military_company",
}
"""What each list is, so rules can ask for 'any sanctions list' without naming every list."""


def _with(fact: Fact, **subfields: Fact) -> Fact:
    """``fact`` with more subfields, everything else kept (``derived`` too)."""
    return fact._replace(subfields={**fact.subfields, **subfields})


@cache
def catalogue() -> dict[str, Fact]:
    """Every fact a rule may name, by dotted path."""
    schema = case_schema()
    defs = schema["$defs"]
    out: dict[str, Fact] = {}
    entity = defs["entity"]["properties"]
    list_type = Fact(
        "type",
        "enum",
        values=tuple(sorted(set(LIST_TYPES.values()))),
        description="Kind of list: sanctions, export_control, investment_ban, military_company.",
    )
    who = Fact("entity", "string", description="Id of the group entity the record belongs to.")
    for key, node in entity.items():
        # ``ref`` names a registry entity in a case file; once the case is loaded the entity is the registry's,
        # its id that ref (investor.id), so a fact of its own would only repeat investor.id
        if key in ("sources", "note", "aliases", "ref", "confidence", "disputed_by"):
            continue
        fact = _from_schema(f"investor.{key}", node, defs)
        if key == "listings":
            fact = _with(fact, type=list_type)
        out[fact.path] = fact
    out["investor.in_eu"] = Fact(
        "investor.in_eu",
        "boolean",
        derived=True,
        description="The investor is incorporated or resident in an EU member state.",
        question="In which country is {name} incorporated or resident?",
    )
    for key, node in schema["properties"]["target"]["properties"].items():
        if key not in ("sources", "note", "description", "scale"):  # scale: facts of their own, below
            out[f"target.{key}"] = _from_schema(f"target.{key}", node, defs)
    for key, node in schema["properties"]["transaction"]["properties"].items():
        if key not in ("sources", "note", "value_local", "control"):  # control: derived, below
            out[f"transaction.{key}"] = _from_schema(f"transaction.{key}", node, defs)
    entity_of = {k: _from_schema(k, v, defs) for k, v in entity.items() if k in ("name", "country", "kind")}
    out["transaction.co_investors"] = _with(
        out["transaction.co_investors"],
        name=entity_of["name"],
        country=entity_of["country"],
        headquarters=Fact("headquarters", "country"),
        kind=entity_of["kind"],
        state_owned=Fact("state_owned", "boolean", description="A state holds some of it, up its own chain."),
    )
    kind = out["transaction.kind"]
    out["transaction.kind"] = kind._replace(
        values=tuple(v for v in kind.values if v not in ("asset_deal", "indirect_acquisition", "staged")),
        description="Form of the investment as regimes read it: asset_deal is read as asset_purchase, "
        "indirect_acquisition as acquisition (transaction.indirect), staged as its last step's kind "
        "(transaction.staged).",
    )
    out["mitigations"] = _from_schema("mitigations", schema["properties"]["mitigations"], defs)

    group_q = "Who are the owners of {name}, at every level up to the ultimate owners, with their stakes?"
    entity_kinds = _enum(defs, "entity", "kind")
    own_q = (
        "Who holds the shares and voting rights of {name} and of each entity above it, with what "
        "percentages and special rights, up to the ultimate owners?"
    )
    passive_q = (
        "Is each entity above {name} that the governments of several foreign countries hold 40% or more of "
        "together (none of them 20%) a corporation, unit-trust trustee or general partner operating a pooled "
        "scheme in which no individual member can influence any individual investment decision or the "
        "management of any investment, each government holding only as a member (FATR s.17(2), its "
        "`au_passive_fund`)? And who holds the shares and votes of each entity above {name}, up to the "
        "ultimate owners?"
    )
    derived = [
        Fact(
            "group.entities",
            "records",
            derived=True,
            question=group_q,
            description="The investor and every entity above it through ownership edges.",
            subfields={
                "id": Fact("id", "string"),
                "name": Fact("name", "string"),
                "country": Fact("country", "country"),
                "headquarters": Fact("headquarters", "country"),
                "kind": Fact("kind", "enum", values=entity_kinds),
                "depth": Fact("depth", "integer", description="0 for the investor, 1 for its owners, ..."),
                "state_ownership_pct": Fact("state_ownership_pct", "number"),
                "holds_pct": Fact(
                    "holds_pct",
                    "number",
                    description="The largest share of the votes or equity it holds in another entity of the group "
                    "(0 for the investor; unknown when an ownership edge gives no percentage).",
                ),
                "control_rights": Fact(
                    "control_rights",
                    "boolean",
                    description="It holds a control right (golden share, veto, board majority, ...) in another "
                    "entity of the group.",
                ),
            },
        ),
        Fact(
            "group.countries",
            "list",
            item="country",
            derived=True,
            question=group_q,
            description="Countries of the investor and every entity above it.",
        ),
        Fact(
            "group.kinds",
            "list",
            item="enum",
            values=entity_kinds,
            derived=True,
            question=group_q,
            description="Kinds of the investor and every entity above it.",
        ),
        _with(
            Fact(
                "group.listings",
                "records",
                derived=True,
                question=entity["listings"]["x-question"],
                description="Listings of any entity in the group.",
                subfields=_from_schema("l", entity["listings"], defs).subfields,
            ),
            type=list_type,
            entity=who,
        ),
        _with(
            Fact(
                "group.state_links",
                "records",
                derived=True,
                question=entity["state_links"]["x-question"],
                description="State links of any entity in the group.",
                subfields=_from_schema("s", entity["state_links"], defs).subfields,
            ),
            entity=who,
        ),
        _with(
            Fact(
                "group.conduct",
                "records",
                derived=True,
                question=entity["conduct"]["x-question"],
                description="Conduct records of any entity in the group.",
                subfields=_from_schema("c", entity["conduct"], defs).subfields,
            ),
            entity=who,
            role=Fact(
                "role",
                "enum",
                values=("investor", "controller", "holder", "other"),
                description="The entity's role towards the investor, as in ownership.attached.",
            ),
            recent=Fact(
                "recent",
                "boolean",
                description=(
                    "The record dates from within ten years before the day the case is judged on "
                    "(unknown when undated or on the window's edge)."
                ),
            ),
        ),
        Fact(
            "group.state_ownership_pct",
            "number",
            derived=True,
            question=entity["state_ownership_pct"]["x-question"],
            description="Highest stated state ownership of any entity in the group.",
        ),
        Fact(
            "group.watchlist_hits",
            "records",
            derived=True,
            question="Has {name}, and every entity above it, been screened against the sanctions and "
            "export-control lists (screening screen --watchlist FILE)?",
            description="Entries of the watchlists screened that match an entity of the group by name.",
            subfields={
                "entity": Fact("entity", "string"),
                "name": Fact("name", "string"),
                "lists": Fact("lists", "list", item="string", description="The list entry's datasets or programmes."),
                "type": Fact("type", "enum", values=("sanctions", "export_control", "other")),
                "score": Fact("score", "number", description="Name similarity, 0-100."),
                "matched_name": Fact("matched_name", "string"),
                "read_as": Fact(
                    "read_as",
                    "string",
                    description="The entity's name as compared: "
                    "normalised, invisible characters removed, look-alike letters read "
                    "as Latin.",
                ),
                "entry": Fact("entry", "string"),
                "why": Fact("why", "string"),
                "role": Fact(
                    "role",
                    "enum",
                    values=("investor", "controller", "holder", "other"),
                    description="The matched entity's role towards the investor, as in ownership.attached.",
                ),
            },
        ),
        Fact(
            "group.complete",
            "boolean",
            derived=True,
            question=group_q,
            description="The group is documented up to its ultimate owners (states, individuals, "
            "or entities marked owners_complete).",
        ),
        Fact(
            "group.size",
            "integer",
            derived=True,
            question=group_q,
            description="Number of entities in the group, the investor included.",
        ),
        Fact(
            "ownership.state_equity_pct",
            "number",
            derived=True,
            question=own_q,
            description="Highest effective equity interest any one state holds in the investor, through every "
            "chain (integrated ownership); a lower bound while stakes or owners are missing.",
        ),
        Fact(
            "ownership.state_voting_pct",
            "number",
            derived=True,
            question=own_q,
            description="Highest effective voting interest any one state holds in the investor.",
        ),
        Fact(
            "ownership.state_interest_in_target_pct",
            "number",
            derived=True,
            question=own_q,
            description="Highest voting interest any one state will hold in the target through the investor.",
        ),
        Fact(
            "ownership.state_controls",
            "boolean",
            derived=True,
            question=own_q,
            description="A state controls the investor: its bodies, with what they control, hold a majority "
            "of the votes or a golden share, veto or board right somewhere up the chain.",
        ),
        Fact(
            "ownership.controlling_states",
            "list",
            item="country",
            derived=True,
            question=own_q,
            description="States that control the investor.",
        ),
        Fact(
            "ownership.controlled",
            "boolean",
            derived=True,
            question=own_q,
            description="Some entity or state controls the investor.",
        ),
        Fact(
            "ownership.foreign_state_substantial_interest",
            "boolean",
            derived=True,
            question=own_q,
            description="A state other than the target's holds 49% or more of the investor's votes and the "
            "investor 25% or more of the target's (the CFIUS 'substantial interest', 31 CFR 800.244).",
        ),
        Fact(
            "ownership.foreign_states_equity_pct",
            "number",
            derived=True,
            question=own_q,
            description="Sum of the effective equity interests every state other than the target's holds in "
            "the investor (governments of several countries together); a lower bound while stakes or owners "
            "are missing.",
        ),
        Fact(
            "ownership.foreign_states_voting_pct",
            "number",
            derived=True,
            question=own_q,
            description="The same sum for the votes.",
        ),
        Fact(
            "ownership.au_traced_government_pct",
            "number",
            derived=True,
            question=own_q,
            description="The largest interest one foreign (not Australian) government investor holds in the investor "
            "as Australia's FATA s.19 traces it: the whole interest of every entity in which it holds 20% or more "
            "of the votes or shares, level by level, added to its own (the higher of votes and shares); a state "
            "body, state-owned enterprise or sovereign fund counts as its country's government, and an entity "
            "40% held by the governments of several countries is a foreign government investor of its own "
            "(FATR s.17(1)(e)). Associates "
            "(FATA s.6) are counted where the case states them (`au_associates`). Unknown while the group is "
            "not documented to its top or a stake is "
            "missing or a bound, unless what is known already reaches 20%.",
        ),
        Fact(
            "ownership.au_traced_aggregate_government_pct",
            "number",
            derived=True,
            question=own_q,
            description="The aggregate interest the foreign government investors of more than one foreign "
            "country hold in the investor together (Australia's FATR s.17(1)(b)(ii)), each traced as FATA s.19 "
            "does: every holding into the investor by a government's body, or by an entity in which one of them "
            "holds 20% or more (traced), counted once; 0 when all of it comes from one country. Associates "
            "(FATA s.6) are counted where the case states them (`au_associates`). Unknown while the group is "
            "not documented to its top or a stake is "
            "missing or a bound, unless what is known already reaches 40%.",
        ),
        Fact(
            "ownership.au_traced_government_pct_from_2021",
            "number",
            derived=True,
            question=passive_q,
            description="`ownership.au_traced_government_pct` as it stands from 1 January 2021, when Australia's "
            "FATR s.17(2) takes a passive fund out of the foreign government investors: an entity of the chain "
            "that would be one only through the aggregate test (40% held by the governments of several countries, "
            "or by foreign government investors through s.17(1)(e)) is not one when the case says it is such a "
            "fund (its `au_passive_fund`); when the case does not say, the figure is the range between the two "
            "readings, so that the answer is asked where it turns on that entity.",
        ),
        Fact(
            "ownership.au_traced_aggregate_government_pct_from_2021",
            "number",
            derived=True,
            question=passive_q,
            description="`ownership.au_traced_aggregate_government_pct` as it stands from 1 January 2021, with "
            "the passive funds of the chain (FATR s.17(2), an entity's `au_passive_fund`) not foreign government "
            "investors, as for `ownership.au_traced_government_pct_from_2021`.",
        ),
        Fact(
            "ownership.au_associates_stated",
            "boolean",
            derived=True,
            question=own_q,
            description="Whether the case states the associates (Australia's FATA s.6: an entity's `au_associates`, "
            "an empty list saying none) of every foreign government body of the group and every entity traced as a "
            "foreign government investor of its own, so that the traced figures, which add stated associates' "
            "interests, are the Act's count; false when one is not stated, or a state's share is given only as a "
            "figure. True when the group has no foreign government.",
        ),
        Fact(
            "ownership.states",
            "records",
            derived=True,
            question=own_q,
            description="Each state with bodies or links in the group: its interests and whether it controls.",
            subfields={
                "state": Fact("state", "country"),
                "equity_pct": Fact("equity_pct", "number"),
                "voting_pct": Fact("voting_pct", "number"),
                "controls": Fact("controls", "boolean"),
                "in_target_voting_pct": Fact("in_target_voting_pct", "number"),
                "substantial_interest": Fact("substantial_interest", "boolean"),
            },
        ),
        Fact(
            "ownership.ultimate_controllers",
            "records",
            derived=True,
            question=own_q,
            description="The controllers of the investor that nobody else controls.",
            subfields={
                "id": Fact("id", "string"),
                "name": Fact("name", "string"),
                "kind": Fact("kind", "enum", values=entity_kinds),
                "country": Fact("country", "country"),
                "headquarters": Fact("headquarters", "country"),
            },
        ),
        Fact(
            "ownership.supervising_states",
            "list",
            item="country",
            derived=True,
            question=entity["state_links"]["x-question"],
            description="States with a supervision link (the entity reports to a state body) on an entity of "
            "the group.",
        ),
        Fact(
            "target.in_eu",
            "boolean",
            derived=True,
            question=out["target.country"].question,
            description="The target is established in an EU member state.",
        ),
        Fact(
            "target.presence",
            "list",
            item="enum",
            derived=True,
            values=PRESENCE,
            question=out["target.parts"].question,
            description="How the target lies in the regime's country: established there, its parts there "
            "(subsidiary, branch, business, asset, site; part when the kind is not given), or activities or "
            "supplies there (target.activities_in); [established] in the target's own country; unknown when "
            "the target's country is not given.",
        ),
        Fact(
            "target.local_business",
            "boolean",
            derived=True,
            question="Is the target's presence in that country a business of its own there (a branch or "
            "establishment managed there, with its own accounts: target.parts[].managed_locally), rather "
            "than only assets held or goods and services supplied there?",
            description="The target has a business of its own in the regime's country: it is established "
            "there, has a subsidiary there, or a part there managed locally.",
        ),
        Fact(
            "target.local_entity",
            "boolean",
            derived=True,
            question="Is the target's business in that country carried on by a company with its registered office "
            "there (not a branch of a company established elsewhere), and does the deal pass that company's "
            "control, or the business itself, to the investor (target.parts[].local_entity)?",
            description="An entity with its registered office in the regime's country passes to the investor with "
            "the deal, or its business does: the target is established there, has a subsidiary there, or a part "
            "there carried on by such an entity (parts[].local_entity); false when its only parts there are "
            "branches or said not to be.",
        ),
        Fact(
            "target.data_categories",
            "list",
            item="enum",
            derived=True,
            values=_enum(defs, "data", "category"),
            question=out["target.data"].question,
            description="Categories of data the target holds.",
        ),
        Fact(
            "target.data_subjects",
            "integer",
            derived=True,
            question=out["target.data"].question,
            description="Largest number of people any data category of the target covers.",
        ),
        Fact(
            "target.countries",
            "list",
            item="country",
            derived=True,
            question=out["target.parts"].question,
            description="Countries the target group is in or active in: the target's, its parts' and "
            "target.activities_in.",
        ),
        *_scale_facts(defs, schema["properties"]["target"]["properties"]["scale"]["x-question"]),
        Fact(
            "transaction.indirect",
            "boolean",
            derived=True,
            question=out["transaction.kind"].question,
            description="The target is acquired through the acquisition of a foreign parent "
            "(kind: indirect_acquisition).",
        ),
        Fact(
            "transaction.staged",
            "boolean",
            derived=True,
            question=out["transaction.kind"].question,
            description="The stake is acquired in steps (kind: staged; transaction.steps).",
        ),
        Fact(
            "transaction.control_kind",
            "enum",
            values=("sole", "joint", "none"),
            derived=True,
            question="Will the investor control the target alone, jointly with others, or not at all?",
            description="transaction.control as the sources give it, else sole when transaction.control holds "
            "(joint with a joint_control right).",
        ),
        Fact(
            "transaction.co_investor_countries",
            "list",
            item="country",
            derived=True,
            question=out["transaction.co_investors"].question,
            description="Countries (incorporation and headquarters) of the co-investors and of every entity "
            "above them.",
        ),
        Fact(
            "transaction.co_investors_state_owned",
            "boolean",
            derived=True,
            question=out["transaction.co_investors"].question,
            description="A state holds some of a co-investor, up its own chain.",
        ),
        Fact(
            "transaction.combined_stake_after_pct",
            "number",
            derived=True,
            question=out["transaction.co_investors"].question,
            description="The investor's stake after the transaction with every co-investor's.",
        ),
        Fact(
            "transaction.stake_acquired_pct",
            "number",
            derived=True,
            question=out["transaction.stake_after_pct"].question,
            description="stake_after_pct - stake_before_pct (before counts as 0 for a greenfield).",
        ),
        Fact(
            "transaction.votes_before_pct",
            "number",
            derived=True,
            question=out["transaction.votes_before_pct"].question,
            description="Voting rights held before the transaction as the case gives them, else stake_before_pct "
            "(one share, one vote); 0 for a greenfield investment.",
        ),
        Fact(
            "transaction.votes_after_pct",
            "number",
            derived=True,
            question=out["transaction.votes_after_pct"].question,
            description="Voting rights held after the transaction as the case gives them (or its last step), else "
            "stake_after_pct (one share, one vote).",
        ),
        Fact(
            "transaction.board_beyond_votes",
            "boolean",
            derived=True,
            question="How many board seats will the investor appoint, out of how many, and with what share of "
            "the votes?",
            description="The investor's share of the board's seats (transaction.board_seats of "
            "transaction.board_size) exceeds its share of the votes: seats beyond what the votes carry "
            "(AWV §56(3) Nr. 1).",
        ),
        Fact(
            "transaction.control",
            "boolean",
            derived=True,
            question="Will the investor hold a majority of the votes or appoint a majority of the board?",
            description="Majority of votes (> 50%) or of board seats after the transaction, a control right "
            "acquired (transaction.rights: appoint_ceo, joint_control, golden_share, veto, board_appointment, "
            "board_majority), or control stated in words (transaction.control: sole or joint; none is no "
            "control). The one control fact risk rules and filing triggers share.",
        ),
        Fact(
            "transaction.control_acquired",
            "boolean",
            derived=True,
            question="What share of the votes did the investor hold before the transaction, and will it then hold "
            "a majority of the votes or the board?",
            description="Control after the transaction (transaction.control) that the investor did not have before "
            "(votes_before_pct 50 or less).",
        ),
    ]
    out.update((f.path, f) for f in derived)
    out.update((f.path, f) for f in _reasons(out, defs, own_q))
    return out


def _reasons(out: dict[str, Fact], defs: dict[str, Any], own_q: str) -> list[Fact]:
    """The facts of screening.case.reasons: who the investor answers to, whose state, sanctions, control."""
    kinds = _enum(defs, "entity", "kind")
    relation = Fact("relation", "enum", values=("host", "internal_market", "third_country"))
    return [
        Fact(
            "ownership.attached",
            "records",
            derived=True,
            question=own_q,
            description="The investor, every entity or state that controls it, and every holder of 25% or more of its "
            "votes or equity through the chain (10% with a golden share, veto or board right): whom the investor "
            "answers to.",
            subfields={
                "id": Fact("id", "string"),
                "name": Fact("name", "string"),
                "kind": Fact("kind", "enum", values=kinds),
                "country": Fact("country", "country"),
                "headquarters": Fact(
                    "headquarters",
                    "country",
                    description="Where the entity is run (its principal place of business); its country of "
                    "incorporation when the case gives no headquarters.",
                ),
                "role": Fact("role", "enum", values=("investor", "controller", "holder")),
                "equity_pct": Fact("equity_pct", "number"),
                "voting_pct": Fact("voting_pct", "number"),
            },
        ),
        Fact(
            "ownership.state_holders",
            "records",
            derived=True,
            question=own_q,
            description="Each state with bodies or links in the group (as ownership.states), with what it is to the "
            "target's country: host, internal_market (EU/EEA state, EU/EEA target) or third_country.",
            subfields={
                "state": Fact("state", "country"),
                "relation": relation,
                "equity_pct": Fact("equity_pct", "number"),
                "voting_pct": Fact("voting_pct", "number"),
                "controls": Fact("controls", "boolean"),
            },
        ),
        Fact(
            "ownership.state_entities",
            "records",
            derived=True,
            question=own_q,
            description="State bodies, state-owned enterprises and sovereign funds in the group (depth 0 = the "
            "investor), each with its state (its country), what that state is to the target's country, and its role "
            "towards the investor (as in ownership.attached, or other; unknown while its stakes leave it open).",
            subfields={
                "id": Fact("id", "string"),
                "kind": Fact("kind", "enum", values=kinds),
                "depth": Fact("depth", "integer"),
                "state": Fact("state", "country"),
                "relation": relation,
                "role": Fact("role", "enum", values=("investor", "controller", "holder", "other")),
            },
        ),
        Fact(
            "ownership.state_links",
            "records",
            derived=True,
            question=out["group.state_links"].question,
            description="The group's state links, each with the entity, its depth, its role towards the investor "
            "(as in ownership.attached, or other; unknown while its stakes leave it open) and what the state is to "
            "the target's country.",
            subfields={
                "kind": Fact("kind", "enum", values=_enum(defs, "state_link", "kind")),
                "state": Fact("state", "country"),
                "pct": Fact("pct", "number"),
                "entity": Fact("entity", "string"),
                "depth": Fact("depth", "integer"),
                "role": Fact("role", "enum", values=("investor", "controller", "holder", "other")),
                "relation": relation,
            },
        ),
        Fact(
            "ownership.sanctioned",
            "enum",
            values=("listed", "owned", "controlled", "material_holder", "minor_holder", "none"),
            derived=True,
            question="Are {name} or any of its owners on a sanctions list, and with what stakes and rights?",
            description="The investor under the owned-or-controlled test: listed itself; owned 50% or more in "
            "aggregate by listed persons (layer by layer); controlled by one; or a listed material or minor holder.",
        ),
        Fact(
            "ownership.controlled_from_abroad",
            "boolean",
            derived=True,
            question=own_q,
            description="The investor's ultimate controllers (the investor itself when nobody controls it) are of "
            "another country than the target's, allies and EU states included.",
        ),
        Fact(
            "target.host_security_customer",
            "boolean",
            derived=True,
            question=out["target.government_contracts"].question,
            description="The target supplies the armed forces, intelligence services or police of its own country.",
        ),
        Fact(
            "transaction.control_reached",
            "list",
            item="enum",
            values=("qualifying", "influence", "negative", "joint", "sole", "full"),
            derived=True,
            question="What share of the votes will the investor hold, with which board seats and vetoes, and will it "
            "control the target?",
            description="The control levels the transaction reaches: qualifying (10%), influence (20% votes, over 25% "
            "equity, a board seat or a veto), negative (over 25% with a strategic veto) or joint, sole (control, or a "
            "lease or concession of 10 years or more operating the asset), full (75%).",
        ),
        Fact(
            "case.day",
            "date",
            derived=True,
            question="On what day was the transaction signed (or completed, or announced)?",
            description="The day the case is judged on: --as-of, else the signing, completion or announcement "
            "date, else today (a range of days for a year or month).",
        ),
        Fact(
            "group.sector_acquisitions",
            "integer",
            derived=True,
            question="Which firms have {name} and those who control it acquired in the last ten years, in which "
            "sectors and countries?",
            description="Earlier acquisitions (conduct of kind acquisition) by the investor and its controllers "
            "in the ten years before the case's day that share a sector with the target (a lower bound while their "
            "records are not given in full).",
        ),
        Fact(
            "group.host_sector_acquisitions",
            "integer",
            derived=True,
            question="Which firms have {name} and those who control it acquired in the last ten years, in which "
            "sectors and countries?",
            description="Of group.sector_acquisitions, those in the target's country.",
        ),
    ]


def _scale_facts(defs: dict[str, Any], question: str) -> list[Fact]:
    """The scale of the target (its own, its parts' and its assets' figures), as facts."""
    scale = defs["scale"]["properties"]
    out = [
        Fact(
            f"target.{key}",
            "boolean" if key.endswith("supplier") else "number",
            derived=True,
            question=question,
            description=scale[key]["description"]
            + (
                " True when the target, a part or an asset is."
                if key.endswith("supplier")
                else " The target's own figure, else the largest of its parts' and assets' (a lower bound)."
            ),
        )
        for key in ("population_served", "market_share_pct", "sole_domestic_supplier", "dominant_domestic_supplier")
    ]
    out.append(
        Fact(
            "target.capacity",
            "records",
            derived=True,
            question=question,
            description="Capacities given for the target, its parts and its assets, each a value and a unit.",
            subfields={"value": Fact("value", "number"), "unit": Fact("unit", "string")},
        )
    )
    return out


EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
