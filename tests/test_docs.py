"""The docs say what the code does, checked as sqlite-utils checks its own: every command and option is in the
docs, the command reference is the real --help, and the operator table is the operator registry. (The README's
problem-code table is checked against errors.CODES in tests/test_problem_formats.py.)"""

from __future__ import annotations

import importlib.util
import re

import typer

from screening.cli import app
from screening.conditions.operators import ALIASES, OPERATORS
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_reference_is_the_real_help():
    reference = _script("cli_reference")
    assert (ROOT / "docs" / "cli.md").read_text("utf-8") == reference.page(), "run python scripts/cli_reference.py"


def test_every_command_and_option_is_in_the_docs():
    text = "\n".join(p.read_text("utf-8") for p in DOCS)
    missing = []

    def walk(group: object, path: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if hasattr(command, "commands"):
                walk(command, [*path, name])
                continue
            full = " ".join(["screening", *path, name])
            if full not in text:
                missing.append(full)
            for param in command.params:
                flags = (*param.opts, *param.secondary_opts)
                missing.extend(f"{full} {o}" for o in flags if o.startswith("--") and o not in text)

    walk(typer.main.get_command(app), [])
    assert not missing


def test_the_operator_table_is_the_operator_registry():
    page = (ROOT / "docs" / "rule-format.md").read_text("utf-8")
    table = page[page.index("| operator | fact types | true when |") :].split("\n\n", 1)[0]
    written = set()
    for row in table.splitlines()[2:]:
        first = row.split("|")[1]
        written |= {token.split(":")[0] for token in re.findall(r"`([^`]+)`", first)}
    assert written == set(OPERATORS) | set(ALIASES)


def test_every_test_the_hostile_input_audit_names_exists():
    """docs/hostile.md maps each attack to the tests that hold it; a renamed or removed test breaks the map."""
    text = (ROOT / "docs" / "hostile.md").read_text("utf-8")
    named: list[tuple[str, str]] = []
    for row in text.splitlines():
        current = None
        for ref in re.findall(r"`(tests/[\w/]+\.py)?(?:::(test_\w+))?`", row):
            path, test = ref
            current = path or current
            if test:
                assert current, f"a test named without its file: {test}"
                named.append((current, test))
    assert len(named) > 60
    missing = [f"{path}::{test}" for path, test in named if f"def {test}(" not in (ROOT / path).read_text("utf-8")]
    assert not missing, f"docs/hostile.md names tests that do not exist: {missing}"
