"""Layers point one way: each folder imports only from the folders below it, no module imports itself back
round a circle, only the CLI imports typer, and the core never prints or exits. ARCHITECTURE.md draws the
same map."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "screening"

LAYERS = ["infra", "case", "conditions", "pack", "decision", "tooling", "batch", "report", "api", "cli"]
"""Bottom to top: a module may import from its own layer and the layers below it, never above."""
HOME = {"__init__": "infra", "__main__": "cli", "cli": "cli", "api": "api", "schema": "infra"}
"""Modules at the top of the package: the package itself (``EMPTY``, ``__version__``) is below everything, and
``schema/`` holds the JSON Schema files (data)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return HOME["__init__"]
    return HOME.get(parts[1], parts[1])


def _type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imports(path: Path, runtime_only: bool = False) -> set[str]:
    """The screening modules ``path`` imports, at the top or inside functions; with ``runtime_only``, those
    under ``if TYPE_CHECKING:`` left out."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if runtime_only and isinstance(child, ast.If) and _type_checking(child):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("screening"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("screening"):
                for alias in child.names:  # ``from screening.pack import load``: the submodule
                    sub = f"{child.module}.{alias.name}"
                    found.add(sub if sub in MODULES else child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_every_module_lives_in_a_known_layer():
    assert {layer(m) for m in MODULES} <= set(LAYERS)
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "api.py", "cli.py"], "new modules go into a layer's folder"


def test_layers_import_only_downwards():
    """Type-only imports count too: a lower layer does not even name a higher layer's types."""
    offenders = []
    for module, path in MODULES.items():
        for target in imports(path):
            if LAYERS.index(layer(target)) > LAYERS.index(layer(module)):
                offenders.append(f"{module} ({layer(module)}) imports {target} ({layer(target)})")
    assert not offenders, "\n".join(offenders)


def test_no_import_circles():
    """No module imports itself back round a circle, not even from inside a function (which only hides it)."""
    graph = {m: {t for t in imports(p, runtime_only=True) if t in MODULES and t != m} for m, p in MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    assert not circles, circles


def test_the_map_reads_imports_as_written():
    engine = imports(MODULES["screening.decision.engine"])
    assert {"screening.decision.filings", "screening.conditions.evaluate", "screening.pack.load"} <= engine
    assert "screening.pack.waivers" in engine - imports(MODULES["screening.decision.engine"], runtime_only=True)
    assert imports(MODULES["screening.tooling.diff"]) >= {"screening.decision.engine", "screening.tooling.testing"}
    assert layer("screening") == "infra" and layer("screening.cli") == "cli"
    assert layer("screening.report.text") == "report"


def test_core_does_not_import_the_cli_framework():
    core = [p for p in PACKAGE.rglob("*.py") if p.name not in ("cli.py", "__main__.py")]
    offenders = [p.name for p in core if {"typer", "click"} & {n.split(".")[0] for n in _all_imports(p)}]
    assert not offenders


def _all_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_prints_or_exits():
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("cli.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit"), f"{path.name}:{node.lineno}"
            assert not (isinstance(node, ast.Attribute) and node.attr == "exit"), f"{path.name}:{node.lineno}"
