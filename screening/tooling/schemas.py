"""JSON Schemas for editors, in draft-07, made from the schema files that validate.

An editor with the YAML language server offers completion, hover text and inline errors
from a draft-07 schema.  The files in ``screening/schema`` use 2020-12 (``$defs``) and are
read by ``screening.infra.schemacheck``; this module converts them, so the editor and the tool
check against one source:

- ``$defs`` becomes ``definitions`` and every ``#/$defs/X`` reference ``#/definitions/X``;
  only the definitions the document reaches are kept.
- ``$ref`` with sibling keywords (ignored beside ``$ref`` in draft-07) becomes
  ``allOf: [{$ref}]`` next to those keywords.
- ``x-question`` is also copied into ``description`` where there is none, for hover text.
- A ``format: date`` without a ``pattern`` gains the YYYY-MM-DD pattern: draft-07 tools
  treat ``format`` as a note, while the tool always checks dates.
- Case files may give a fact in long form, ``{value: X, sources: [...], note: ..., confidence: ...,
  disputed_by: [...]}`` (a bound in long form: ``{at_least: 25, sources: [...]}``); every field that is
  not itself a mapping accepts that form too.

Only the standard library is used, so the command stays fast.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

KINDS = ("case", "rule", "pack", "scoring", "legal", "sources", "waivers", "tests", "regime", "mapping")
"""What ``export`` describes: a case file, a rule file, the other files of a rule pack, a waivers
file, a pack's test file (``tests/*.yaml``), a regime file and a batch mapping file."""

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
BASE_ID = "https://screening.invalid/schema/"

_HERE = Path(__file__).parent.parent / "schema"
_DEF_NAME = {"rule": "rules"}
"""Kinds whose definition in pack.schema.json has another name."""

_ABOUT = {
    "case": ("screening case", ""),  # the description is the case schema's own
    "rule": (
        "screening rule file",
        "A rule file of a rule pack: a top-level `rules:` list, each rule with its condition.",
    ),
    "pack": ("screening pack.yaml", "pack.yaml: the name, version and named value sets of a rule pack."),
    "scoring": (
        "screening scoring.yaml",
        "scoring.yaml: the categories, levels and floors that turn fired rules into a risk level.",
    ),
    "legal": ("screening legal.yaml", "legal.yaml: the legal instruments that rules cite."),
    "sources": ("screening sources.yaml", "sources.yaml: the documents that rules cite as practice."),
    "waivers": ("screening waivers file", ""),  # the description is the definition's own
    "tests": ("screening pack test file", ""),
    "regime": ("screening regime file", ""),
    "mapping": ("screening batch mapping", ""),  # the description is the mapping schema's own
}

BOUND_KEYS = ("at_least", "at_most", "more_than", "less_than", "between")
"""The keys of a bound in a case (screening.case.values.BOUND_KEYS: this module imports nothing of the package)."""
LONG_FORM = "long_form"
"""The definition, added to the case schema, of a fact given with its own sources."""

_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}
)
_SCHEMA = frozenset(
    {"additionalProperties", "additionalItems", "not", "if", "then", "else", "contains", "propertyNames"}
)
"""Keywords whose value is one schema."""
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_MAPS = {
    "properties": "properties",
    "patternProperties": "patternProperties",
    "$defs": "definitions",
    "definitions": "definitions",
}
_UNSUPPORTED = frozenset(
    {
        "unevaluatedProperties",
        "unevaluatedItems",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "$anchor",
        "minContains",
        "maxContains",
    }
)
"""2019-09/2020-12 keywords with no draft-07 equivalent: converting them would change what validates."""


@cache
def _read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((_HERE / name).read_text("utf-8"))
    return document


def _source(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The root schema of ``kind`` and the definitions it may refer to, as written (2020-12)."""
    if kind in ("case", "mapping"):
        document = _read(f"{kind}.schema.json")
        root = {k: v for k, v in document.items() if k not in ("$schema", "$id", "$defs")}
        return root, document.get("$defs", {})
    if kind not in KINDS:
        raise KeyError(f"unknown schema kind {kind!r}; expected one of: {', '.join(KINDS)}")
    defs: dict[str, Any] = _read("pack.schema.json")["$defs"]
    name = _DEF_NAME.get(kind, kind)
    if name not in defs:
        raise KeyError(f"pack.schema.json has no definition '{name}'")
    return defs[name], defs


def _ref_name(ref: str) -> str | None:
    """The definition named by a local reference ``#/$defs/X`` or ``#/definitions/X``."""
    parts = ref.split("/")
    if len(parts) >= 3 and parts[0] == "#" and parts[1] in ("$defs", "definitions"):
        return parts[2]
    return None


class _Converter:
    """Rewrites one schema tree to draft-07; ``long_form`` adds the long form of case facts."""

    def __init__(self, defs: dict[str, Any], long_form: bool) -> None:
        self.defs, self.long_form = defs, long_form
        self.used: set[str] = set()
        """Names of the definitions the converted schemas refer to."""

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return copy.deepcopy(node)  # true / false are schemas too
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _UNSUPPORTED:
                raise ValueError(f"keyword {key!r} has no draft-07 equivalent")
            if key == "$ref":
                out[key] = self.ref(value)
            elif key in _SCHEMA_MAPS:
                convert = self.field if key == "properties" and self.long_form else self.schema
                out[_SCHEMA_MAPS[key]] = {name: convert(item) for name, item in value.items()}
            elif key in _SCHEMA_LISTS:
                out[key] = [self.schema(item) for item in value]
            elif key == "prefixItems":
                out["items"] = [self.schema(item) for item in value]
            elif key == "items" and "prefixItems" in node:
                out["additionalItems"] = self.schema(value)
            elif key == "items" and isinstance(value, list):
                out[key] = [self.schema(item) for item in value]
            elif key == "items" or key in _SCHEMA:
                out[key] = self.schema(value)
            elif key in ("dependentRequired", "dependentSchemas"):
                each: Callable[[Any], Any] = self.schema if key == "dependentSchemas" else copy.deepcopy
                out.setdefault("dependencies", {}).update({k: each(v) for k, v in value.items()})
            else:
                out[key] = copy.deepcopy(value)
        if out.get("format") == "date" and "pattern" not in out:
            out["pattern"] = _DATE_PATTERN
        return _ref_alone(_described(out))

    def ref(self, ref: str) -> str:
        name = _ref_name(ref)
        if name is None:
            raise ValueError(f"reference {ref!r} does not name a definition of the same file")
        self.used.add(name)
        return "#/definitions/" + "/".join(ref.split("/")[2:])

    def _resolved_type(self, node: dict[str, Any]) -> Any:
        name = _ref_name(node.get("$ref", ""))
        if "type" not in node and name is not None:
            return self.defs.get(name, {}).get("type")
        return node.get("type")

    def field(self, node: Any) -> Any:
        """A field of a case mapping: the value, or the long form ``{value, sources, note}``."""
        if not isinstance(node, dict) or self._resolved_type(node) == "object":
            return self.schema(node)
        notes = {k: v for k, v in node.items() if k in _ANNOTATIONS or k.startswith("x-")}
        core = self.schema({k: v for k, v in node.items() if k not in notes})
        long_form = {
            "allOf": [{"$ref": self.ref(f"#/$defs/{LONG_FORM}")}, {"properties": {"value": copy.deepcopy(core)}}]
        }
        return _described({**copy.deepcopy(notes), "anyOf": [core, long_form]})

    def long_form_definition(self) -> dict[str, Any]:
        """``{value: X, sources: [ids], note: ...}``; each field says what X must be."""
        number = {"type": "number"}
        return {
            "type": "object",
            "description": "A fact in long form, with the sources that back it: {value: ..., sources: [ids], "
            "note: ..., confidence: ..., disputed_by: [ids]}; a bound in long form gives its ends instead of "
            "the value ({at_least: 25, sources: [ids]}).",
            "additionalProperties": False,
            "anyOf": [{"required": ["value"]}, *({"required": [key]} for key in BOUND_KEYS)],
            "properties": {
                "value": {"description": "The fact."},
                "sources": {"$ref": self.ref("#/$defs/sources")},
                "note": {"type": "string", "description": "Free-text remark."},
                "confidence": {"$ref": self.ref("#/$defs/confidence")},
                "disputed_by": {"$ref": self.ref("#/$defs/sources")},
                **{key: number for key in BOUND_KEYS if key != "between"},
                "between": {"type": "array", "items": number, "minItems": 2, "maxItems": 2},
            },
        }


def _described(node: dict[str, Any]) -> dict[str, Any]:
    """Copy ``x-question`` into ``description`` where there is none, so hover text shows it."""
    question = node.get("x-question")
    if isinstance(question, str) and "description" not in node:
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "x-question":
                out["description"] = question.replace("{name}", "the entity")
            out[key] = value
        return out
    return node


def _ref_alone(node: dict[str, Any]) -> dict[str, Any]:
    """Draft-07 ignores keywords beside ``$ref``: move the reference into ``allOf``."""
    if "$ref" not in node or len(node) == 1:
        return node
    out = {k: v for k, v in node.items() if k != "$ref"}
    out["allOf"] = [{"$ref": node["$ref"]}, *out.get("allOf", ())]
    return out


def export(kind: str) -> dict[str, Any]:
    """A self-contained draft-07 JSON Schema for files of ``kind`` (one of KINDS).

    Raises KeyError for an unknown kind, or a kind whose definition the schema files lack.
    """
    root, defs = _source(kind)
    convert = _Converter(defs, long_form=kind == "case")
    body = convert.schema(root)
    title, description = _ABOUT[kind]
    document: dict[str, Any] = {
        "$schema": DRAFT_07,
        "$id": f"{BASE_ID}{kind}.json",
        "title": title,
        "description": description or root.get("description", ""),
    }
    document.update((k, v) for k, v in body.items() if k not in ("title", "description", "definitions"))
    converted: dict[str, Any] = {}
    while convert.used - set(converted):
        name = min(convert.used - set(converted))
        if name == LONG_FORM and convert.long_form:
            if LONG_FORM in defs:
                raise ValueError(f"the case schema's own definition '{LONG_FORM}' clashes with the long form")
            converted[name] = convert.long_form_definition()
        elif name in defs:
            converted[name] = convert.schema(defs[name])
        else:
            raise KeyError(f"the {kind} schema refers to a missing definition '{name}'")
    if kind == "case" and "entity" in converted:
        # A case entity may instead name a registry entity (``ref``), which supplies the rest: the tool
        # fills refs in before it validates, so only the editor's schema needs the alternative.
        entity = converted["entity"]
        required = entity.pop("required", [])
        entity["anyOf"] = [{"required": required}, {"required": ["ref"]}]
    if converted:
        document["definitions"] = {name: converted[name] for name in [*defs, LONG_FORM] if name in converted}
    return document


def export_text(kind: str) -> str:
    """``export(kind)`` as indented JSON text ending in a newline; the same on every call."""
    return json.dumps(export(kind), indent=2, ensure_ascii=False) + "\n"
