"""Load a rule pack directory: validate its files, compile every rule once, report all problems."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from screening import EMPTY
from screening.case.catalogue import catalogue
from screening.case.model import Source
from screening.conditions.compile import CompileError, Compiler
from screening.conditions.tree import Node
from screening.infra import cache as doc_cache
from screening.infra import schemacheck
from screening.infra.cache import files_digest
from screening.infra.errors import Marks, Problem, ScreeningError, located
from screening.infra.files import confine, read_input
from screening.infra.yamlio import decode, limits, loads_duplicates
from screening.pack.regimes import Regime, build_regime, example_keys, under
from screening.pack.scoring import Scoring, build_scoring

RESERVED = ("pack.yaml", "scoring.yaml", "legal.yaml", "sources.yaml")


class LegalRef(NamedTuple):
    """A pinpoint citation of a legal instrument, e.g. EU-2019/452 Art. 4(2)(a)."""

    instrument: str
    pinpoint: str
    title: str
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.instrument} {self.pinpoint}".strip()


class Rule(NamedTuple):
    """One compiled rule."""

    id: str
    name: str
    title: str
    category: str
    weight: float
    condition: Node
    when: dict[str, Any]
    rationale: str
    legal_basis: tuple[LegalRef, ...] = ()
    practice: str | None = None
    references: tuple[str, ...] = ()
    mitigates: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    examples: dict[str, list[dict[str, Any]]] = EMPTY
    file: str = ""
    line: int | None = None
    column: int | None = None
    keys: dict[str, tuple[int, int]] = EMPTY
    """Line and column of each key of the rule as written (empty when loaded from the cache)."""

    def at(self, key: str) -> tuple[str, int | None, int | None]:
        """File, line and column of one of the rule's keys (the rule's start when unknown)."""
        line, column = self.keys.get(key, (self.line, self.column))
        return self.file, line, column


class Pack(NamedTuple):
    """A loaded rule pack."""

    name: str
    version: str
    path: str
    digest: str
    """sha256 over the pack's files (names and bytes), so a report names the exact rules used."""
    rules: tuple[Rule, ...]
    scoring: Scoring
    instruments: dict[str, dict[str, Any]]
    sources: dict[str, Source]
    sets: dict[str, list[Any]]
    description: str = ""
    regimes: tuple[Regime, ...] = ()
    help_uri: str = ""
    """Where the pack's authors explain problem codes (pack.yaml ``help_uri``; ``{code}`` stands for the code):
    SARIF's ``helpUri``. Empty: SARIF has no ``helpUri``."""
    """Filing regimes (``regimes/*.yaml``), in file order."""

    def rule(self, rule_id: str) -> Rule | None:
        """Find a rule by id or former id (alias)."""
        for rule in self.rules:
            if rule.id == rule_id or rule_id in rule.aliases:
                return rule
        return None


def default_pack_path() -> Path:
    """The pack shipped inside the package, or the repository's ``rules/`` in a source checkout."""
    shipped = Path(__file__).parent.parent / "rules"
    if (shipped / "pack.yaml").is_file():
        return shipped
    return Path(__file__).resolve().parent.parent.parent / "rules"


@cache
def _schemas() -> dict[str, Any]:
    return json.loads((Path(__file__).parent.parent / "schema" / "pack.schema.json").read_text("utf-8"))


def validate(kind: str, data: Any, marks: Marks, name: str) -> list[Problem]:
    """The problems of a document of one kind of pack file (rules, pack, scoring, legal, sources, tests, waivers)."""
    return schemacheck.problems(data, {**_schemas()["$defs"][kind], "$defs": _schemas()["$defs"]}, marks, name)


def load_pack(path: Path) -> Pack:
    """Load and compile the pack in directory ``path``; raise ScreeningError listing every error.

    A pack that loaded cleanly is cached (its parsed, validated documents as JSON), keyed on its
    digest, the sha256 of its files' names and bytes, so the next run reads and hashes the files but
    skips YAML parsing and validation, and only compiles the conditions.
    """
    pack, problems = read_pack(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors or pack is None:
        raise ScreeningError(errors)
    return pack


def read_pack(path: Path, use_cache: bool = True) -> tuple[Pack | None, list[Problem]]:
    """Load the pack in ``path``, collecting every problem instead of stopping at the first.

    Rules with problems are left out of the pack returned; the pack is None when its pack.yaml or
    scoring.yaml is unusable. Without ``use_cache`` every file is parsed, so every rule has its line.
    """
    if not path.is_dir():
        return None, [
            Problem(
                str(path),
                None,
                None,
                "E001",
                "rule pack not found: expected a directory holding pack.yaml, scoring.yaml and rule files",
            )
        ]
    problems: list[Problem] = []
    files = pack_files(path)
    raw = read_files(path, files, problems)
    hexdigest = files_digest(path, [f for f in files if f in raw], raw)
    cached = doc_cache.read("pack", path, hexdigest) if use_cache and not problems else None
    if cached is not None:
        docs: dict[str, tuple[Any, Marks, str]] = {k: (d, {}, n) for k, (d, n) in cached["docs"].items()}
        pack = _build(path, docs, hexdigest, problems, {}, lazy=True)
        if not any(p.severity == "error" for p in problems):
            return pack, problems  # warnings only (W380: an old fact name), without lines: check reads afresh
        problems.clear()
    docs = {}
    skip: dict[str, set[int]] = {}
    for file in files:
        if file not in raw:
            continue
        key = file.relative_to(path).as_posix()
        kind = file_kind(key)
        try:
            data, marks, found = loads_duplicates(decode(raw[file], str(file)), str(file))
            if found and (kind != "rules" or any(_rule_index(p, data) is None for p in found)):
                raise ScreeningError(found)  # a repeated key outside a rule spoils the whole file
        except ScreeningError as exc:
            problems += exc.problems
            continue
        found += validate(kind, data, marks, str(file))
        if kind == "rules" and found and all(_rule_index(p, data) is not None for p in found):
            skip[key] = {_rule_index(p, data) for p in found}  # type: ignore[misc]
            found = [p._replace(rule=_rule_id(data, _rule_index(p, data))) for p in found]
            docs[key] = (data, marks, str(file))
        elif not found:
            docs[key] = (data, marks, str(file))
        problems += found
    for name in ("pack.yaml", "scoring.yaml"):
        if not (path / name).is_file():
            problems.append(Problem(str(path / name), None, None, "E001", f"a rule pack needs {name}"))
    if "pack.yaml" not in docs or "scoring.yaml" not in docs:
        return None, problems
    clean = not problems
    pack = _build(path, docs, hexdigest, problems, skip)
    if clean and not any(p.severity == "error" for p in problems):
        doc_cache.write("pack", path, hexdigest, {"docs": {k: [d, n] for k, (d, _, n) in docs.items()}})
    return pack, problems


def pack_files(path: Path) -> list[Path]:
    """The files of the pack in ``path``: its top-level YAML files, then its regime files (whatever they are:
    a FIFO or a link leading out of the pack is refused when read, not skipped), hidden files left out."""

    def found(directory: Path) -> list[Path]:  # hidden files are the repository's (.pre-commit-config.yaml)
        return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith(".") and not p.is_dir())

    return found(path) + found(path / "regimes")


def read_files(path: Path, files: list[Path], problems: list[Problem]) -> dict[Path, bytes]:
    """The bytes of each file of the pack in ``path`` that can be read; a problem for each that cannot.

    A file is read only when it is a regular file inside the pack, links followed (a link from a pack
    that came with a pull request to a credential elsewhere must not be read, let alone quoted), and
    within the size limit.
    """
    inside = path.resolve()
    limit = limits().max_bytes
    raw: dict[Path, bytes] = {}
    trusted: dict[Path, bool] = {}  # directories of the pack that resolve inside it
    for file in files:
        try:
            parent = file.parent
            if parent not in trusted:
                trusted[parent] = parent.resolve() in (inside, inside / "regimes")
            if not (trusted[parent] and not file.is_symlink()):  # a plain file of the pack needs no resolving
                confine(file, inside, "the pack")
            raw[file] = read_input(file, limit)
        except ScreeningError as exc:
            problems += exc.problems
    return raw


def file_kind(key: str) -> str:
    """The kind of a pack file from its path inside the pack (``pack.yaml``, ``regimes/be.yaml``)."""
    if key.startswith("regimes/"):
        return "regime"
    return key[:-5] if key in RESERVED else "rules"


def _rule_index(problem: Problem, data: Any) -> int | None:
    """The index of the rule a schema problem of a rule file is inside, if it is inside one."""
    path = problem.path
    if len(path) >= 2 and path[0] == "rules" and path[1].isdigit() and isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, list) and int(path[1]) < len(rules):
            return int(path[1])
    return None


def _rule_id(data: Any, index: int | None) -> str | None:
    rule = data["rules"][index] if index is not None else None
    return rule.get("id") if isinstance(rule, dict) and isinstance(rule.get("id"), str) else None


def _build(
    path: Path,
    docs: dict[str, tuple[Any, Marks, str]],
    digest: str,
    problems: list[Problem],
    skip: dict[str, set[int]],
    lazy: bool = False,
) -> Pack:
    meta, _, _ = docs["pack.yaml"]
    sets = meta.get("sets") or {}
    scoring = build_scoring(*docs["scoring.yaml"], problems)
    instruments = {i["id"]: i for i in docs.get("legal.yaml", ({"instruments": []},))[0]["instruments"]}
    sources = {s["id"]: Source.from_data(s) for s in docs.get("sources.yaml", ({"sources": []},))[0]["sources"]}
    categories = {c.id: c for c in scoring.categories}
    pattern = None
    if meta.get("id_pattern"):
        try:
            pattern = schemacheck.regex(meta["id_pattern"])
        except re.error as exc:
            pack_doc = docs["pack.yaml"]
            problems.append(
                located(pack_doc[2], pack_doc[1], ("id_pattern",), "E203", f"invalid regular expression: {exc}")
            )
    compiler = Compiler(catalogue(), sets)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for fname, (data, marks, name) in docs.items():
        if fname in RESERVED or file_kind(fname) != "rules":
            continue
        for i, raw in enumerate(data["rules"]):
            base = ("rules", str(i))
            if i in skip.get(fname, ()):  # schema problems already reported: still check its condition
                _check_condition(compiler, raw, base, name, marks, problems)
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    seen.setdefault(raw["id"], name)
                continue

            def report(
                sub: tuple[str, ...],
                code: str,
                message: str,
                name: str = name,
                marks: Marks = marks,
                base: tuple[str, ...] = base,
                raw: dict[str, Any] = raw,
            ) -> None:
                severity = "warning" if code.startswith("W") else "error"
                problems.append(located(name, marks, base + sub, code, message, severity, raw["id"]))

            if raw["id"] in seen:
                report(("id",), "E109", f"duplicate rule id (also in {seen[raw['id']]})")
            seen[raw["id"]] = name
            if pattern and not pattern.search(raw["id"]):
                report(("id",), "E106", f"id does not match the pack's id_pattern {meta['id_pattern']}")
            category = categories.get(raw["category"])
            if category is None:
                report(
                    ("category",),
                    "E108",
                    f"unknown category '{raw['category']}'; scoring.yaml defines " + ", ".join(categories),
                )
            elif raw["weight"] == 0:
                report(("weight",), "E106", "a weight of 0 changes nothing: give the rule points or remove it")
            elif category.mitigation != (raw["weight"] < 0):
                report(("weight",), "E106", "mitigation rules take negative weights, risk rules positive ones")
            for j, cat in enumerate(raw.get("mitigates") or ()):
                if cat not in categories or categories[cat].mitigation:
                    report(("mitigates", str(j)), "E108", f"mitigates unknown risk category '{cat}'")
            if category and category.mitigation and not raw.get("mitigates"):
                report(("mitigates",), "E105", "a mitigation rule must say which categories it mitigates")
            refs = legal_refs(
                instruments,
                raw.get("legal_basis") or [],
                under(("legal_basis",), report),
            )
            if not raw.get("legal_basis") and not raw.get("practice"):
                report((), "E105", "a rule needs a legal_basis or the analyst practice it encodes")
            for j, ref in enumerate(raw.get("references") or ()):
                if ref not in sources:
                    report(("references", str(j)), "E108", f"unknown source '{ref}'; add it to sources.yaml")
            if not lazy:  # a cached pack was checked when it was cached
                from screening.pack.examples import example_problems

                example_problems(raw, report)
            notes: list[CompileError] = []
            try:
                condition = compiler.compile(raw["when"], (), notes)
            except CompileError as exc:
                for error in exc.all:
                    report(("when",) + error.path, error.code, error.message)
                continue
            finally:
                for note in notes:  # an old fact name (W380): read as the new one, the rule kept
                    report(("when",) + note.path, note.code, note.message)
            rules.append(
                Rule(
                    id=raw["id"],
                    name=raw["name"],
                    title=raw["title"],
                    category=raw["category"],
                    weight=raw["weight"],
                    condition=condition,
                    when=raw["when"],
                    rationale=raw["rationale"].strip(),
                    legal_basis=tuple(refs),
                    practice=raw.get("practice"),
                    references=tuple(raw.get("references") or ()),
                    mitigates=tuple(raw.get("mitigates") or ()),
                    aliases=tuple(raw.get("aliases") or ()),
                    examples=raw.get("examples") or {},
                    file=name,
                    line=marks.get(base, (None, None))[0],
                    column=marks.get(base, (None, None))[1],
                    keys={
                        **{k: marks[base + (k,)] for k in raw if base + (k,) in marks},
                        **example_keys(raw, marks, base),
                    },
                )
            )
    risk_ids = set(seen)
    regimes: list[Regime] = []
    regime_files: dict[str, str] = {}
    for fname, (data, marks, name) in docs.items():
        if file_kind(fname) == "regime":
            regime_id = data["regime"]["id"]
            if regime_id in regime_files:
                problems.append(
                    located(
                        name,
                        marks,
                        ("regime", "id"),
                        "E109",
                        f"duplicate regime id '{regime_id}' (also in {regime_files[regime_id]})",
                    )
                )
                continue
            regime_files[regime_id] = name
            regime = build_regime(
                data,
                marks,
                name,
                compiler,
                lambda texts, report: legal_refs(instruments, texts, report),
                problems,
                seen,
                lazy,
            )
            if regime is not None:
                regimes.append(regime)
    for j, floor in enumerate(scoring.floors):
        for k, rid in enumerate(floor.rules):
            if rid not in risk_ids:
                problems.append(
                    located(
                        docs["scoring.yaml"][2],
                        docs["scoring.yaml"][1],
                        ("floors", str(j), "rules", str(k)),
                        "E108",
                        f"floor '{floor.id}' names unknown rule '{rid}'",
                    )
                )
    return Pack(
        name=meta["name"],
        version=str(meta["version"]),
        path=str(path),
        digest=digest,
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        scoring=scoring,
        instruments=instruments,
        sources=sources,
        sets=sets,
        description=(meta.get("description") or "").strip(),
        regimes=tuple(regimes),
        help_uri=meta.get("help_uri") or "",
    )


def legal_refs(
    instruments: dict[str, dict[str, Any]], texts: list[str], report: Callable[[tuple[str, ...], str, str], None]
) -> tuple[LegalRef, ...]:
    """Resolve citations ``"INSTRUMENT-ID pinpoint"``; report (by index) those naming no known instrument."""
    refs = []
    for j, text in enumerate(texts):
        inst, _, pin = text.partition(" ")
        if inst not in instruments:
            report((str(j),), "E108", f"unknown legal instrument '{inst}'; add it to legal.yaml")
            continue
        refs.append(LegalRef(inst, pin.strip(), instruments[inst]["title"], instruments[inst].get("url")))
    return tuple(refs)


def _check_condition(
    compiler: Compiler, raw: Any, base: tuple[str, ...], name: str, marks: Marks, problems: list[Problem]
) -> None:
    """Compile the condition of a rule left out for other problems, so its own problems are reported too."""
    if not isinstance(raw, dict) or not isinstance(raw.get("when"), dict):
        return
    rule = raw.get("id") if isinstance(raw.get("id"), str) else None
    already = {p.path for p in problems if p.file == name}
    try:
        compiler.compile(raw["when"], ())
    except CompileError as exc:
        for error in exc.all:
            path = base + ("when",) + error.path
            if path not in already:
                problems.append(located(name, marks, path, error.code, error.message, rule=rule))
