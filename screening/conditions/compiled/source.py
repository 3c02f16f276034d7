"""Write the Python source of a whole pack: the evaluating functions, then one function per rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from screening.conditions.compiled import codegen, codelogic
from screening.conditions.tree import leaves

if TYPE_CHECKING:
    from screening.conditions.evaluate import Ruled as Rule


def source(rules: Sequence[Rule]) -> tuple[str, str, str]:
    """The Python text of the evaluator of ``rules``: the whole-pack functions ``evaluate`` and ``explain``, each a
    module of its own (compiled when first used), and one function per rule."""
    w = codegen.Writer()
    w.depth = 2
    title = (
        f"The rule pack's {len(rules)} conditions, compiled by screening.conditions.compiled.evaluator: one block "
        "per rule"
    )
    evaluate = _function(w, "evaluate", rules, _decide)
    explain = _function(w, "explain", rules, _decide_and_explain)
    passes = (
        _module(w, f"{title}, which fire and which are undecided.", evaluate, "evaluate"),
        _module(w, f"{title}, with the evidence of each fired and the unknowns of each undecided.", explain, "explain"),
    )
    w.constants = {}
    singles = [line for i, rule in enumerate(rules) for line in _function(w, f"rule_{i}", [rule], _value_and_explain)]
    names = "".join(f"rule_{i}, " for i in range(len(rules)))
    alone = "Each rule on its own, to explain it: its value, evidence and unknown facts."
    return (*passes, _module(w, alone, singles, f"({names})"))


def _module(w: codegen.Writer, title: str, functions: list[str], returned: str) -> str:
    head = [f"# {title}", "", "def build(Bound, PartialList, compare, Outcome, Explained):"]
    head += ["    Exact = frozenset({str, int, float, bool})  # classes no bound is: isinstance(v, Bound) is False"]
    head += ["    new = tuple.__new__"]
    head += [f"    {name} = {text}" for name, text in w.constants.items()]
    return "\n".join(head + [""] + functions + [f"    return {returned}"]) + "\n\n"


def _function(w: codegen.Writer, name: str, rules: Sequence[Rule], block: Callable[..., None]) -> list[str]:
    """One function of the values: read the facts the rules name, test each leaf once, then one block per rule."""
    w.lines, w.facts, w.leaves, w.parts, w.kept = [], {}, {}, {}, {}
    w.shared = codelogic.shared([rule.condition for rule in rules])
    codegen.prelude(w, [leaf for rule in rules for leaf in leaves(rule.condition)])
    results = {"evaluate": ("fired", "undecided"), "explain": ("fired", "undecided", "evidence", "unknowns")}
    for kept in results.get(name, ()):
        w.emit(f"{kept} = []")
        w.emit(f"{kept}_add = {kept}.append")
    mark = len(w.lines)
    for i, rule in enumerate(rules):
        block(w, i if name in results else None, rule)
    if w.kept:  # none listed yet
        w.lines.insert(mark, "    " * w.depth + " = ".join(w.kept) + " = None")
    make = {"evaluate": "Outcome", "explain": "Explained"}.get(name)
    if make:
        fields = ", ".join(f"tuple({r})" for r in results[name])
        w.emit(f"return new({make}, ({fields}))  # what {make}(...) makes, without the call of its __new__")
    else:
        w.emit("return r, tuple(e), tuple(u)")
    indent = "    " * 2
    reads = [indent + "get = values.get"] + [indent + f"{local} = get({path!r})" for path, local in w.facts.items()]
    return [f"    def {name}(values):"] + reads + w.lines + [""]


def _block(w: codegen.Writer, rule: Rule) -> tuple[str, dict[int, str]]:
    """A rule's comment and the code combining its leaves; the local its value is in, and each part's."""
    mark = len(w.lines)
    w.emit("")
    root, names = codelogic.value(w, rule.condition)
    w.lines[mark] = "    " * w.depth + f"# {rule.id} {rule.name} -> {root}"
    return root, names


def _guarded(w: codegen.Writer, rule: Rule, branches: Callable[[str, dict[int, str]], None]) -> None:
    """A rule's block for a pass that lists only the rules fired and undecided: when the rule needs all of some
    leaves or shared parts and one is false, the rule is false, and its own parts are not computed."""
    mark = len(w.lines)
    w.emit("")
    ready = codelogic.prepare(w, rule.condition)

    def rest() -> None:
        root, names = codelogic.value(w, rule.condition)
        w.lines[mark] = "    " * (w.depth - bool(ready)) + f"# {rule.id} {rule.name} -> {root}"
        branches(root, names)

    if ready:
        w.block("if " + " and ".join(f"{name} is not False" for name in ready) + ":", rest)
    else:
        rest()


def _decide(w: codegen.Writer, index: int, rule: Rule) -> None:
    def branches(r: str, _names: dict[int, str]) -> None:
        w.block(f"if {r}:", lambda: w.emit(f"fired_add({index})"))
        w.block(f"elif {r} is None:", lambda: w.emit(f"undecided_add({index})"))

    _guarded(w, rule, branches)


def _decide_and_explain(w: codegen.Writer, index: int, rule: Rule) -> None:
    def branches(r: str, names: dict[int, str]) -> None:
        def fired() -> None:
            w.emit(f"fired_add({index})")
            w.emit(f"evidence_add({codelogic.listing(codelogic.support_plan(w, rule.condition, True, names))})")

        def undecided() -> None:
            w.emit(f"undecided_add({index})")
            w.emit(f"unknowns_add({codelogic.listing(codelogic.unknowns_plan(w, rule.condition, names))})")

        w.block(f"if {r}:", fired)  # only True is true among a rule's values
        w.block(f"elif {r} is None:", undecided)

    _guarded(w, rule, branches)


def _value_and_explain(w: codegen.Writer, _index: None, rule: Rule) -> None:
    r, names = _block(w, rule)
    w.emit(f"r = {r}")
    w.emit("e = []")
    codelogic.support(w, rule.condition, codelogic.UNSET, names, "e")
    w.emit("u = []")
    w.block("if r is None:", lambda: codelogic.unknowns(w, rule.condition, names, "u"))
