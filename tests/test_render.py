"""One way to render: every command's value goes through screening.report.render, and every (command, format)
pair the CLI offers has a renderer that runs (as pip-audit loops over its formats)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
import typer

from screening.cli import app, main
from screening.report import RENDERERS, VIEWS, Options, formats, render, view
from tests.conftest import ROOT

COMMANDS = {
    "screen": "screen",
    "filings": "filings",
    "rules list": "rules list",
    "rules show": "rules show",
    "rules regimes": "rules regimes",
    "facts": "facts",
    "check": "check",
    "test": "test",
    "diff": "diff",
    "portfolio": "portfolio",
    "backtest": "backtest",
}
"""Each command with a --format option -> the view that shows its result."""
CASE = str(ROOT / "cases" / "alibaba-liege.yaml")
RULES = str(ROOT / "rules")
ARGS = {
    "screen": [CASE],
    "filings": [CASE],
    "rules list": [],
    "rules show": ["SI-001"],
    "rules regimes": [],
    "facts": [],
    "check": [RULES],
    "test": [RULES],
    "diff": [RULES, RULES, CASE],
    "portfolio": [str(ROOT / "tests" / "data" / "portfolio-results.jsonl")],  # the shipped export's batch results
    "backtest": [str(ROOT / "backtest" / "cases"), "--replicates", "100"],
}


def offered() -> dict[str, tuple[str, ...]]:
    """Every command of the CLI with a --format option, and the formats it offers."""
    out = {}

    def walk(group: Any, prefix: str) -> None:  # typer's own click: groups have commands, choices have choices
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
                continue
            for param in command.params:
                if param.name == "format":
                    out[prefix + name] = tuple(param.type.choices)

    walk(typer.main.get_command(app), "")
    return out


def _resolve(path: str) -> object:
    module, _, name = path.replace(":", ".").rpartition(".")
    return getattr(import_module(module), name)


def test_every_view_and_renderer_resolves():
    for path, shown in VIEWS.items():
        if not path.startswith("builtins."):
            assert isinstance(_resolve(path), type), path
        assert shown in RENDERERS, path
    for shown, targets in RENDERERS.items():
        for fmt, target in targets.items():
            assert callable(_resolve(target)), (shown, fmt, target)


def test_every_command_with_a_format_has_a_view_with_those_formats():
    found = offered()
    assert set(found) == set(COMMANDS), "a new command with --format needs its view in COMMANDS"
    for command, choices in found.items():
        assert choices == formats(COMMANDS[command]), command
    assert set(formats("what-if")) <= set(found["screen"])


@pytest.mark.parametrize("command,fmt", [(c, f) for c, view_ in COMMANDS.items() for f in formats(view_)])
def test_every_command_renders_in_every_format_it_offers(capsys, command, fmt):
    code = main([*command.split(), *ARGS[command], "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip() or (command, fmt) == ("test", "github"), (command, fmt)  # annotations only for failures


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_what_if_renders_in_its_formats(capsys, fmt):
    assert main(["screen", CASE, "--set", "transaction.stake_after_pct=9", "--format", fmt]) == 0
    assert capsys.readouterr().out.strip()


def test_what_if_refuses_a_format_it_has_not(capsys):
    assert main(["screen", CASE, "--set", "transaction.stake_after_pct=9", "--format", "html"]) == 2
    assert "--set prints the difference as text, json or markdown" in capsys.readouterr().err


def test_the_batch_summary_renders(tmp_path, capsys):
    assert main(["batch", CASE, "-o", str(tmp_path / "out.jsonl"), "--no-progress"]) == 0
    assert "1 case: 0 critical, 1 high" in capsys.readouterr().err


def test_a_value_nothing_renders_is_a_type_error():
    with pytest.raises(TypeError, match="nothing renders a builtins.dict"):
        render("text", {})
    with pytest.raises(ValueError, match="no format 'sarif'"):
        render("sarif", [])
    assert view([]) == "screen" and Options().width == 100


def test_a_level_the_pack_has_not_is_a_usage_error(capsys):
    assert main(["screen", CASE, "--fail-on", "severe"]) == 2
    assert "unknown level 'severe'; the pack's levels are low, medium, high, critical" in capsys.readouterr().err
