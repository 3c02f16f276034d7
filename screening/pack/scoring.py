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


class Scoring(NamedTuple):
    categories: tuple[Category, ...]
    levels: tuple[tuple[str, float], ...]
    """(level id, minimum score), ascending."""
    floors: tuple[Floor, ...] = ()

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
    return Scoring(categories, levels, floors)
