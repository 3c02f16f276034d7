"""Layers point one way: only the CLI imports typer; the core never prints or exits."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "screening"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_does_not_import_the_cli_framework():
    core = [p for p in PACKAGE.rglob("*.py") if p.name not in ("cli.py", "__main__.py")]
    offenders = [p.name for p in core if {"typer", "click"} & imports(p)]
    assert not offenders


def test_core_never_prints_or_exits():
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("cli.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit"), f"{path.name}:{node.lineno}"
            assert not (isinstance(node, ast.Attribute) and node.attr == "exit"), f"{path.name}:{node.lineno}"
