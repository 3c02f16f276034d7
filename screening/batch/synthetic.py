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
        transaction.update(stake_after_pct=stake, voting_after_pct=stake)
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
                "status": "offered",
            }
        ]
    return doc


def cases(n: int, seed: int = 2024) -> Iterator[dict[str, Any]]:
    """``n`` synthetic case documents, the same for the same seed."""
    rng = random.Random(seed)
    for i in range(n):
        yield case(i, rng)
