"""The entity registry: cases refer to known groups by id, and may override them."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.case.load import build_case, load_case
from screening.case.registry import default_registry_path, read_registry
from screening.cli import main
from screening.infra.errors import ScreeningError
from screening.infra.yamlio import loads
from tests.conftest import ROOT


def case_text(entities: str, ownership: str = "") -> str:
    return (
        "format: 1\nid: t\ntitle: Test\ninvestor: cspl\nentities:\n"
        + entities
        + ownership
        + "target: {name: T, country: DE}\n"
    )


def build(text: str, registry: Path | None = None):
    data, marks = loads(text, "t.yaml")
    return build_case(data, marks, "t.yaml", registry)


def write_registry(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "entities"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def test_the_bundled_registry_is_clean():
    registry, problems = read_registry(default_registry_path())
    assert problems == []
    assert {"cspl", "china-cosco-shipping", "sasac", "alibaba-group", "cainiao"} <= set(registry.entities)


def test_a_ref_pulls_in_the_chain_above_it_with_edges_and_sources():
    case = load_case(ROOT / "cases" / "cosco-hamburg-tollerort.yaml")
    assert {"cspl", "cosco-shipping-holdings", "china-cosco-shipping", "sasac", "nssf"} <= set(case.entities)
    assert {(e.owner, e.owned) for e in case.ownership} >= {
        ("cosco-shipping-holdings", "cspl"),
        ("sasac", "china-cosco-shipping"),
    }
    assert "informare-2022" in case.sources  # cited by a pulled-in edge, defined in the registry


def test_fields_beside_ref_override_the_registry():
    case = load_case(ROOT / "cases" / "alibaba-liege.yaml")
    cainiao = case.entities["cainiao"]
    assert cainiao.name == "Cainiao Smart Logistics Network Limited"  # from the registry
    assert cainiao.conduct and cainiao.conduct[0]["country"] == "BE"  # written in the case


def test_an_entity_or_edge_the_case_writes_wins(tmp_path):
    case = build(
        case_text(
            "  - ref: cspl\n  - {id: sasac, name: Written in the case, kind: state_body, country: CN}\n",
            "ownership:\n  - {owner: sasac, owned: china-cosco-shipping, equity_pct: 80}\n",
        )
    )
    assert case.entities["sasac"].name == "Written in the case"
    edges = [e for e in case.ownership if (e.owner, e.owned) == ("sasac", "china-cosco-shipping")]
    assert [e.equity_pct for e in edges] == [80]


def test_an_unknown_ref_is_located_with_a_suggestion():
    with pytest.raises(ScreeningError) as err:
        build(case_text("  - ref: cpsl\n"))
    problem = err.value.problems[0]
    assert (problem.line, problem.column, problem.code) == (6, 5, "E108")
    assert "did you mean 'cspl'" in problem.message


def test_a_custom_registry(tmp_path, capsys):
    directory = write_registry(
        tmp_path,
        {
            "x.yaml": (
                "format: 1\nentities:\n  - {id: cspl, name: Custom Ports, kind: private_company, country: HK}\n"
                "  - {id: fund, name: A Fund, kind: fund, country: HK, owners_complete: true}\n"
                "ownership:\n  - {owner: fund, owned: cspl, equity_pct: 100, sources: [s1]}\n"
                "sources:\n  - {id: s1, title: Register extract}\n"
            )
        },
    )
    case = build(case_text("  - ref: cspl\n"), directory)
    assert case.entities["cspl"].name == "Custom Ports" and "s1" in case.sources
    target = tmp_path / "t.yaml"
    target.write_text(case_text("  - ref: cspl\n"))
    assert main(["screen", str(target), "--entities", str(directory), "-f", "json"]) == 0
    assert '"Custom Ports"' in capsys.readouterr().out


@pytest.mark.parametrize(
    "files, code, fragment",
    [
        (
            {"a.yaml": "format: 1\nentities:\n  - {id: x, name: X}\n", "b.yaml": "entities:\n  - {id: x, name: Y}\n"},
            "E109",
            "also in",
        ),
        (
            {"a.yaml": "entities:\n  - {id: x, name: X}\nownership:\n  - {owner: y, owned: x}\n"},
            "E108",
            "unknown entity",
        ),
        ({"a.yaml": "entities:\n  - {id: x, name: X, sources: [nope]}\n"}, "E108", "unknown source 'nope'"),
        ({"a.yaml": "entities:\n  - {id: x, name: X, ref: y}\n"}, "E104", "registry entities are written out"),
        ({"a.yaml": "entities:\n  - {id: x}\n"}, "E105", "missing required field 'name'"),
    ],
)
def test_registry_problems_are_located(tmp_path, files, code, fragment):
    _, problems = read_registry(write_registry(tmp_path, files))
    assert any(p.code == code and fragment in p.message and p.line for p in problems), problems


def test_check_reads_registry_files(capsys, tmp_path):
    directory = write_registry(
        tmp_path, {"a.yaml": "entities:\n  - {id: x, name: X}\nownership:\n  - {owner: y, owned: x}\n"}
    )
    assert main(["check", str(directory)]) == 1
    assert "unknown entity 'y'" in capsys.readouterr().out


def test_registry_cache_sees_edits(tmp_path, monkeypatch):
    from screening.case.registry import load_registry

    monkeypatch.setenv("SCREENING_CACHE_DIR", str(tmp_path / "cache"))
    directory = write_registry(tmp_path, {"a.yaml": "entities:\n  - {id: x, name: First}\n"})
    load_registry.cache_clear()
    assert load_registry(directory).entities["x"]["name"] == "First"
    assert list((tmp_path / "cache").glob("registry-*.marshal"))
    load_registry.cache_clear()
    assert load_registry(directory).entities["x"]["name"] == "First"  # from the cache
    (directory / "a.yaml").write_text("entities:\n  - {id: x, name: Second, kind: fund}\n")
    load_registry.cache_clear()
    assert load_registry(directory).entities["x"]["name"] == "Second"


@pytest.mark.parametrize("key", ["sources", "ownership"])
def test_a_null_list_beside_registry_references_is_reported(tmp_path, key):
    """Filling in registry entities must not turn `sources: null` into a list the validator then accepts."""
    text = (ROOT / "cases" / "alibaba-liege.yaml").read_text("utf-8")
    path = tmp_path / "case.yaml"
    path.write_text(
        text + f"\n{key}: null\n"
        if key == "ownership"
        else text.replace("\nsources:\n", "\nsources: null\nunused_sources:\n"),
        encoding="utf-8",
    )
    with pytest.raises(ScreeningError) as info:
        load_case(path)
    assert any(p.code == "E103" and p.path[:1] == (key,) for p in info.value.problems), info.value.problems


REGISTRY_WITH_SOURCE = (
    "format: 1\nentities:\n  - {id: cspl, name: Custom Ports, kind: private_company, country: HK}\n"
    "  - {id: fund, name: A Fund, kind: fund, country: HK, owners_complete: true}\n"
    "ownership:\n  - {owner: fund, owned: cspl, equity_pct: 100, sources: [s1]}\n"
    "sources:\n  - {id: s1, title: Register extract, url: 'https://example.org/register'}\n"
)


@pytest.mark.parametrize(
    "own, differ",
    [
        ("{id: s1, title: A press article}", "title, url"),
        ("{id: s1, title: Register extract, url: 'https://example.org/other'}", "url"),
        ("{id: s1, title: Register extract, url: 'https://example.org/register', date: 2020-01-01}", "date"),
        ("{id: s1, title: Register extract, url: 'https://example.org/register'}", None),
    ],
)
def test_a_case_source_differing_from_the_registry_source_it_overrides_is_a_located_warning(
    tmp_path, capsys, own, differ
):
    """A registry edge cites s1; the case defines its own s1. The case's won silently, so the registry's edge cited a
    document it was never taken from. The same source is fine; a different one is W381 at the case's source."""
    directory = write_registry(tmp_path, {"x.yaml": REGISTRY_WITH_SOURCE})
    text = case_text("  - ref: cspl\n") + f"sources:\n  - {{id: other, title: Other}}\n  - {own}\n"
    case = build(text, directory)
    assert case.sources["s1"].title == loads(f"x: {own}", "o.yaml")[0]["x"]["title"]  # the case's still wins
    warnings = [p for p in case.notes if p.code == "W381"]
    if differ is None:
        assert warnings == []
        return
    [warning] = warnings
    assert (warning.line, warning.severity, warning.path[:2]) == (10, "warning", ("sources", "1"))
    assert f"source 's1' differs from the entity registry's source of that id (in {differ})" in warning.message
    target = tmp_path / "t.yaml"
    target.write_text(text)
    assert main(["screen", str(target), "--entities", str(directory), "-f", "json", "-o", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "t.yaml:10:5: warning: sources.1: source 's1' differs" in err and "[W381 source-overridden]" in err


def test_a_case_source_the_registry_records_do_not_cite_is_no_warning(tmp_path):
    directory = write_registry(tmp_path, {"x.yaml": REGISTRY_WITH_SOURCE.replace("sources: [s1]", "sources: []")})
    case = build(case_text("  - ref: cspl\n") + "sources:\n  - {id: s1, title: Something else}\n", directory)
    assert [p for p in case.notes if p.code == "W381"] == []
