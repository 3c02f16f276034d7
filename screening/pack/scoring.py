"""A pack's scoring: categories with their caps, the levels a score falls into, and the floors rules set."""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.infra.errors import Marks, Problem, located


class Category(NamedTuple):
    id: str
    title: str
    cap: float | None = None
    mitigation: bool = False


class Floor(NamedTuple):
    """When any of ``rules`` fires, the level is at least ``level``."""

    id: str
    rules: tuple[str, ...]
    level: str
    reason: str


class Exposure(NamedTuple):
    """Threat and access count in proportion to what the target exposes: each category of ``scales`` is
    multiplied by ``min(1, exposure / full_at)``, where the exposure is the sum of the categories of ``by``
    (after caps and mitigations)."""

    scales: tuple[str, ...]
    by: tuple[str, ...]
    full_at: float
    rationale: str

    def factor(self, exposure: float) -> float:
        return min(1.0, exposure / self.full_at)


CONFIDENCE = (("confirmed", 1.0), ("reported", 0.75), ("alleged", 0.5), ("disputed", 0.25))
"""Confidence levels, best first, with the fraction of a rule's weight scored at each when scoring.yaml gives
none."""


class Scoring(NamedTuple):
    categories: tuple[Category, ...]
    levels: tuple[tuple[str, float], ...]
    """(level id, minimum score), ascending."""
    floors: tuple[Floor, ...] = ()
    confidence: tuple[tuple[str, float], ...] = CONFIDENCE
    """(confidence level, fraction of the weight a rule scores when it fires only at that level), best first."""
    floor_confidence: str = "reported"
    """A floor applies only when its rule fires at this confidence or better."""
    filing_confidence: str = "confirmed"
    """A filing answer rests only on facts held at this confidence or better; the answer facts held below it
    would give is shown beside it, never as the answer (screening.decision.filings.qualify)."""
    exposure: Exposure | None = None
    """How the target's exposure scales threat and access (None: the categories simply add up)."""

    def fraction(self, level: str) -> float:
        return dict(self.confidence)[level]

    @property
    def names(self) -> tuple[str, ...]:
        """The level ids, in rising order."""
        return tuple(name for name, _ in self.levels)

    def level_of(self, score: float) -> str:
        level = self.levels[0][0]
        for name, minimum in self.levels:
            if score >= minimum:
                level = name
        return level

    def rank(self, level: str) -> int:
        return self.names.index(level)

    def minimum(self, level: str) -> float:
        return dict(self.levels)[level]


def build_scoring(data: dict[str, Any], marks: Marks, name: str, problems: list[Problem]) -> Scoring:
    """The scoring of a validated scoring.yaml; problems of its levels and floors are added to ``problems``."""
    categories = tuple(
        Category(c["id"], c["title"], c.get("cap"), bool(c.get("mitigation"))) for c in data["categories"]
    )
    levels = tuple((lv["id"], float(lv["min"])) for lv in data["levels"])
    if [m for _, m in levels] != sorted(m for _, m in levels) or levels[0][1] != 0:
        problems.append(
            located(name, marks, ("levels",), "E106", "levels must ascend by 'min', the first starting at 0")
        )
    floors = tuple(Floor(f["id"], tuple(f["rules"]), f["level"], f["reason"].strip()) for f in data.get("floors") or ())
    for j, floor in enumerate(floors):
        if floor.level not in dict(levels):
            problems.append(
                located(
                    name,
                    marks,
                    ("floors", str(j), "level"),
                    "E108",
                    f"unknown level '{floor.level}'; levels are {', '.join(dict(levels))}",
                )
            )
    given = data.get("confidence") or {}
    confidence = tuple((level, float(given.get(level, default))) for level, default in CONFIDENCE)
    fractions = [f for _, f in confidence]
    if fractions != sorted(fractions, reverse=True):
        problems.append(
            located(
                name,
                marks,
                ("confidence",),
                "E106",
                "confidence fractions must not rise as confidence falls (confirmed >= reported >= alleged >= disputed)",
            )
        )
    return Scoring(
        categories,
        levels,
        floors,
        confidence,
        data.get("floor_confidence", "reported"),
        data.get("filing_confidence", "confirmed"),
        _exposure(data.get("exposure"), categories, marks, name, problems),
    )


def _exposure(
    data: dict[str, Any] | None, categories: tuple[Category, ...], marks: Marks, name: str, problems: list[Problem]
) -> Exposure | None:
    """The exposure step of a validated scoring.yaml: its categories must be risk categories, each in one list."""
    if not data:
        return None
    risk = [c.id for c in categories if not c.mitigation]
    seen: set[str] = set()
    for key in ("scales", "by"):
        for j, cat in enumerate(data[key]):
            if cat not in risk:
                problems.append(
                    located(
                        name,
                        marks,
                        ("exposure", key, str(j)),
                        "E108",
                        f"unknown risk category '{cat}'; the risk categories are {', '.join(risk)}",
                    )
                )
            elif cat in seen:
                problems.append(
                    located(
                        name,
                        marks,
                        ("exposure", key, str(j)),
                        "E106",
                        f"'{cat}' is named twice: a category is either scaled or part of the exposure, once",
                    )
                )
            seen.add(cat)
    return Exposure(
        tuple(data["scales"]), tuple(data["by"]), float(data["full_at"]), " ".join(data["rationale"].split())
    )
