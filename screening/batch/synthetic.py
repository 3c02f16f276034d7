"""Synthetic cases (seeded, varied enough that most rules fire on some) for benchmarks and tests.

Every case is fictional: the names are placeholders and say so.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

_COUNTRIES = [
    "CN",
    "CN",
    "RU",
    "US",
    "US",
    "US",
    "DE",
    "DE",
    "FR",
    "FR",
    "GB",
    "GB",
    "JP",
    "JP",
    "AE",
    "SA",
    "NO",
    "CH",
    "CH",
    "IN",
    "SG",
    "QA",
    "CA",
    "KR",
    "NL",
    "SE",
]
_STATE_HEAVY = {"CN", "RU", "AE", "SA", "QA"}
_KINDS = ["soe", "sovereign_fund", "listed_company", "private_company", "private_company", "fund", "state_body"]
_TARGET_COUNTRIES = ["DE", "FR", "IT", "NL", "BE", "ES", "PL", "SE", "FI", "AT", "GB", "US"]
_SECTORS = [
    "transport",
    "logistics",
    "energy",
    "communications",
    "data_processing",
    "defence",
    "semiconductors",
    "software",
    "health",
    "manufacturing",
    "agriculture_food",
    "financial",
    "media",
    "research",
    "water",
]
_ASSETS = [
    "airport",
    "port",
    "rail",
    "power_grid",
    "power_plant",
    "telecom_network",
    "data_centre",
    "submarine_cable",
    "water_utility",
    "hospital",
    "lng_terminal",
]
_ROLES = ["owner", "operator", "tenant", "supplier", "service_provider", "concession_holder"]
_TECH = [
    "artificial_intelligence",
    "semiconductors",
    "cybersecurity",
    "aerospace",
    "defence",
    "quantum",
    "dual_use",
    "robotics",
    "surveillance",
    "space",
]
_DATA = ["personal", "health", "biometric", "location", "financial", "communications", "government"]
_LISTS = ["us_entity_list", "us_ns_cmic", "eu_sanctions", "us_sdn", "us_1260h"]
_LINKS = ["state_shareholder", "party_committee", "intelligence_law", "state_financing", "military_end_user"]
_TX = ["acquisition", "minority_stake", "greenfield", "joint_venture", "asset_purchase"]


def _some(rng: random.Random, choices: list[str], most: int, known: float = 0.8) -> list[str] | None:
    """A few distinct choices, an empty list ("none"), or None (unknown) one time in five."""
    if rng.random() > known:
        return None
    return sorted(set(rng.choices(choices, k=rng.randint(0, most))))


def case(i: int, rng: random.Random) -> dict[str, Any]:
    """Synthetic case number ``i`` as a case document (plain data)."""
    country = rng.choice(_COUNTRIES)
    kind = rng.choice(_KINDS)
    state = {"soe": 100, "sovereign_fund": 100, "state_body": 100}.get(kind, rng.choice([0, 0, 10, 30, None]))
    investor: dict[str, Any] = {"id": "inv", "name": f"Synthetic Investor {i}", "country": country, "kind": kind}
    if state is not None:
        investor["state_ownership_pct"] = state
    listings = _some(rng, _LISTS, 1, 0.7)
    if listings is not None:
        investor["listings"] = [{"list": x} for x in listings if rng.random() < 0.1]
    links = _some(rng, _LINKS, 2, 0.6) if country in _STATE_HEAVY else _some(rng, _LINKS, 0, 0.8)
    if links is not None:
        investor["state_links"] = [{"kind": x, "state": country} for x in links]
    target: dict[str, Any] = {
        "name": f"Synthetic Target {i}",
        "country": rng.choice(_TARGET_COUNTRIES),
        "sectors": sorted(set(rng.choices(_SECTORS, k=rng.randint(1, 3)))),
    }
    assets = _some(rng, _ASSETS, 2)
    if assets is not None:
        target["critical_infrastructure"] = [{"kind": a, "role": rng.choice(_ROLES)} for a in assets]
    tech = _some(rng, _TECH, 2)
    if tech is not None:
        target["critical_technologies"] = [{"kind": t} for t in tech]
    data = _some(rng, _DATA, 3)
    if data is not None:
        target["data"] = [{"category": d} for d in data]
    if rng.random() < 0.7:
        target["turnover_eur"] = rng.choice([2, 15, 80, 400, 2500]) * 1_000_000
    stake = rng.choice([5, 10, 24.9, 25, 30, 49, 51, 75, 100, None])
    transaction: dict[str, Any] = {"kind": rng.choice(_TX)}
    if stake is not None:
        transaction.update(stake_after_pct=stake, votes_after_pct=stake)
    if rng.random() < 0.5:
        transaction["board_seats"] = rng.randint(0, 4)
        transaction["board_size"] = 5
    doc: dict[str, Any] = {
        "format": 1,
        "id": f"syn-{i:06d}",
        "title": f"Synthetic case {i} (fictional)",
        "investor": "inv",
        "entities": [investor],
        "target": target,
        "transaction": transaction,
    }
    if rng.random() < 0.2:
        doc["mitigations"] = [
            {
                "kind": rng.choice(["data_localisation", "ring_fencing", "no_board_seat"]),
                "binding": True,
                "status": "accepted",
            }
        ]
    return doc


def cases(n: int, seed: int = 2024) -> Iterator[dict[str, Any]]:
    """``n`` synthetic case documents, the same for the same seed."""
    rng = random.Random(seed)
    for i in range(n):
        yield case(i, rng)


def realistic(i: int, rng: random.Random) -> dict[str, Any]:
    """Synthetic case number ``i`` shaped as real filings are: the investor held through a chain of one to six
    levels (a state body or a family at the top), state links, data records, infrastructure, mitigations,
    sources, and now and then a long form, a bound or a month (cases the quick path leaves to the full one)."""
    doc = case(i, rng)
    levels = rng.randint(1, 6)
    top_country = doc["entities"][0]["country"]
    state_top = top_country in _STATE_HEAVY or rng.random() < 0.3
    entities = doc["entities"]
    entities[0].pop("state_ownership_pct", None)  # the chain says who holds it
    entities[0]["kind"] = rng.choice(["private_company", "listed_company", "fund", "soe"])
    doc["sources"] = [
        {"id": "s1", "title": f"Annual report {i} (fictional)", "date": "2024-03-31"},
        {"id": "s2", "title": f"Press release {i} (fictional)", "url": "https://example.invalid/news"},
    ]
    edges = []
    below = "inv"
    for level in range(1, levels + 1):
        eid = f"p{level}"
        last = level == levels
        entity: dict[str, Any] = {
            "id": eid,
            "name": f"Synthetic Parent {i}-{level}",
            "country": top_country if rng.random() < 0.8 else rng.choice(_COUNTRIES),
            "kind": ("state_body" if state_top else "individual") if last else rng.choice(_KINDS[:6]),
        }
        if last:
            entity["owners_complete"] = True
        elif rng.random() < 0.3:
            entity["state_links"] = [{"kind": rng.choice(_LINKS), "state": entity["country"], "sources": ["s1"]}]
        entities.append(entity)
        stake = rng.choice([100, 100, 75, 60, 51, 50, 35, 20])
        edge: dict[str, Any] = {"owner": eid, "owned": below, "equity_pct": stake}
        if rng.random() < 0.2:
            edge["voting_pct"] = min(100, stake + rng.choice([0, 10, 25]))
        if rng.random() < 0.4:
            edge["sources"] = ["s1"]
        edges.append(edge)
        below = eid
    if rng.random() < 0.3:  # a minority co-owner of the investor, its owners unknown
        entities.append({"id": "m1", "name": f"Synthetic Minority {i}", "country": rng.choice(_COUNTRIES)})
        first = edges[0]
        first["equity_pct"] = min(first["equity_pct"], 80)
        edges.append({"owner": "m1", "owned": "inv", "equity_pct": rng.choice([5, 10, 20])})
    doc["ownership"] = edges
    target = doc["target"]
    target.setdefault("data", [{"category": "personal"}])
    for record in target["data"]:
        record["subjects"] = rng.choice([500, 20_000, 1_500_000])
        record["countries"] = sorted({target["country"], rng.choice(_TARGET_COUNTRIES)})
    for asset in target.get("critical_infrastructure") or ():
        asset["name"] = f"Synthetic asset {i}"
        asset["sources"] = ["s2"]
    offered = sorted(set(rng.choices(["data_localisation", "ring_fencing", "no_board_seat", "audit_rights"], k=2)))
    doc["mitigations"] = [
        {"kind": kind, "binding": rng.random() < 0.7, "status": rng.choice(["offered", "accepted"])} for kind in offered
    ]
    doc["transaction"]["signing_date"] = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    odd = rng.random()
    tx = doc["transaction"]
    if odd < 0.05:  # a long form: the stake with its sources
        tx["stake_after_pct"] = {"value": tx.get("stake_after_pct") or 30, "sources": ["s2"]}
    elif odd < 0.08:  # a bound
        tx["stake_after_pct"] = {"at_least": 25}
    elif odd < 0.10:  # a month
        tx["signing_date"] = tx["signing_date"][:7]
    return doc


def realistic_cases(n: int, seed: int = 2024) -> Iterator[dict[str, Any]]:
    """``n`` realistic synthetic case documents (see ``realistic``), the same for the same seed."""
    rng = random.Random(seed)
    for i in range(n):
        yield realistic(i, rng)
