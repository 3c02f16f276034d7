"""Canonical layout of rule-pack YAML files, comments kept (the library side of ``screening fmt``).

Formatting is a round trip through ruamel.yaml: the document is loaded with its anchors, quoting,
flow collections and block scalars, keys are put in their canonical order, and it is written back in
one layout. Only the ``fmt`` command imports this module.

The canonical layout
--------------------
* UTF-8 without a byte-order mark, ``\\n`` line ends, no trailing spaces, exactly one final newline
  (an empty file stays empty). Trailing spaces inside a block scalar are part of its text and stay.
* Mappings indent by 2 spaces. A block sequence is indented 2 spaces under its key, its items'
  content 2 more: ``rules:`` / ``  - id: SI-001`` / ``    name: ...``.
* Nothing is re-wrapped: plain and quoted scalars and flow collections are written on one line
  whatever their length (a flow collection written over several lines is joined), block scalars
  (``|``, ``>``) keep their lines, chomping and folds. Quotes stay as written. Flow collections stay
  flow, block collections stay block.
* Plain scalars keep their text (``~``, ``True``, ``0x1F``, ``1_000``, ``24.90`` and a date-like
  ``2026-13-01`` included); only an empty value inside a flow collection is written ``null``, and a
  mapping of one pair in a flow sequence keeps (or gets) its braces: ``[{a: 1}]``.
* Anchors and aliases are kept. When reordering puts an alias before its anchor, the anchor moves to
  the first occurrence (the data is the same).
* Keys are put in the order the pack schema (``screening/schema/pack.schema.json``) lists them, at
  every level the schema describes: a rule's keys as id, name, title, category, weight, mitigates, when,
  rationale, legal_basis, practice, references, aliases, examples (``fires`` before
  ``quiet`` inside ``examples``); the keys of pack.yaml, scoring.yaml (and of its categories, levels
  and floors), legal.yaml instruments and sources.yaml sources likewise. Keys the schema does not
  know come last, in their original order. Conditions (``when``), examples and ``sets`` keep their
  order. The kind of file is the schema definition whose keys cover the document's top-level keys
  (``rules:`` makes a rule file), else the reserved file name (pack.yaml, scoring.yaml, legal.yaml,
  sources.yaml); a file of no known kind (a case, say) is laid out without reordering.
* Comments are kept and travel with what they belong to:

  - an end-of-line comment belongs to the key or list item that starts on its line (or whose value
    it ends) and is written after that value, two spaces from it;
  - a whole-line comment belongs to the key or list item that follows it and is indented like it
    (comments before the first key of a list item go above its ``-``, which shares that key's line);
    but a comment below the end of a nested block, indented deeper than the next key and at least
    as deep as the block's own entries, stays at the end of that block, indented like its entries
    (the entries of a sequence written without indentation, ``key:`` / ``- item``, count as one
    column deeper than their dashes, so a comment at the dashes' column ends the enclosing block);
  - comments at the end of the file stay at the end; a comment inside a flow collection, which
    cannot be kept there, is written above the key that holds the collection.

* Blank lines are kept where they separate entries (runs of blank lines become one); they are
  dropped at the start and end of the file and before the first entry of a block.

Formatting is idempotent, and the formatted text always loads to the same data as the original
(this is checked on every file; a file that cannot be formatted without changing its data is
reported and left as it is).

The round trip is slow (ruamel.yaml is pure Python: some 70 ms a rule file), so a text is first given to
:func:`is_canonical`, which checks the rules above line by line against one parse by libyaml (a few ms) and
clears a text written in the common forms of a pack; any other text, and every text it does not clear, takes
the round trip. Texts the round trip found canonical are also remembered in the cache directory.
"""

from __future__ import annotations

import bisect
import difflib
import io
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq, comment_attrib
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from yaml.tokens import (
    BlockEntryToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    ScalarToken,
)

from screening.infra import yamlio
from screening.infra.errors import ScreeningError, fail
from screening.infra.files import confine
from screening.infra.output import write_atomic

WIDTH = 1_000_000
"""Line width given to the emitter: large enough that nothing is ever re-wrapped."""
EOL_GAP = "  "
"""Space between a value and its end-of-line comment."""
RESERVED = {"pack.yaml": "pack", "scoring.yaml": "scoring", "legal.yaml": "legal", "sources.yaml": "sources"}
"""Pack files whose kind their name gives."""

_Loader: Any = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
_DOC = "doc"
"""Reference of the document itself, the outermost box of comments."""


class Change(NamedTuple):
    """One file: its text before and after formatting."""

    path: Path
    old: str
    new: str

    @property
    def changed(self) -> bool:
        """Whether formatting changes the file."""
        return self.old != self.new


# ---------------------------------------------------------------------------------------------
# Public API


def format_text(text: str, name: str = "<string>") -> str:
    """The canonical layout of one rule-pack YAML document (the file's kind is read from its top-level
    key or its file name).

    Raises :class:`ScreeningError` for text that is not valid YAML (E100, E101, E102, located), holds
    what pack files may not (tags, merge keys: E110) or cannot be formatted without changing its data.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # The data, and the checks every pack file gets (tags, size, values and nesting counted as the text is
    # parsed), before the round-trip parser builds its much larger tree of a document within the limits.
    original, _ = yamlio.loads(text, name)
    if original is not None and not isinstance(original, dict):  # not a pack file: its diff would show it
        raise fail(
            name,
            "E103",
            "expected a mapping, found "
            + ("a list" if isinstance(original, list) else "a single value")
            + ": not a rule-pack file (its content is not shown)",
            1,
            1,
        )
    try:
        tree = _load_roundtrip(text, name)
        new = _format(text, tree, name)
    except RecursionError:  # ruamel.yaml recurses several frames a level: nesting raised near DEPTH_CEILING
        raise fail(name, "E111", "nested too deeply to be formatted (SCREENING_MAX_DEPTH)") from None
    except _Unplaceable as exc:
        where = (exc.mark.line + 1, exc.mark.column + 1) if exc.mark is not None else (None, None)
        raise fail(name, exc.code, f"cannot be formatted: {exc.message}; file left as it is", *where) from None
    if new != text and (yamlio.loads(new, name)[0] != original or not _same_safe_data(text, new)):
        raise fail(name, "E100", "cannot be formatted without changing its data; file left as it is")
    return new


def format_paths(paths: list[Path]) -> list[Change]:
    """For every *.yaml file in the given files/directories (a directory means its top-level *.yaml
    files, i.e. a pack), the file and its old and new text. Does not write.

    Files named explicitly are formatted whatever their suffix. Problems in any file are raised
    together, as one :class:`ScreeningError`, after every file was read.
    """
    problems = []
    known = _Canonical()
    slots: list[Change | None] = []
    todo: list[tuple[int, Path, str]] = []
    for path, pack in _files(paths):
        try:
            if pack is not None:  # a file of a pack: read only inside it (a link to a credential is not)
                confine(path, pack, "the pack")
            old = _read(path)
        except ScreeningError as exc:
            problems.extend(exc.problems)
            continue
        if known.holds(old) or is_canonical(old, str(path)):  # no round trip for a text known to be canonical
            slots.append(Change(path, old, old))
        else:
            todo.append((len(slots), path, old))
            slots.append(None)
    for (index, path, old), (new, found) in zip(todo, _format_all([(p, o) for _, p, o in todo]), strict=True):
        problems.extend(found)
        if new is not None:
            slots[index] = Change(path, old, new)
            if new == old:
                known.add(old)
    known.save()
    if problems:
        raise ScreeningError(problems)
    return [c for c in slots if c is not None]


PARALLEL_FROM = 6
"""Files to format from which the work is shared among processes (one a core): each is a round trip through
ruamel.yaml's pure-Python parser and emitter, some 70 ms for a rule file; forked processes start in a few ms."""


def _format_all(items: list[tuple[Path, str]]) -> list[tuple[str | None, list[Any]]]:
    """``_format_one`` of each item, in order; in forked processes when there are enough of them."""
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if len(items) < PARALLEL_FROM or cores < 2:
        return [_format_one(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = multiprocessing.get_context("fork")  # the parent's imports, limits and environment, at no cost
    except ValueError:  # no fork (Windows): one process
        return [_format_one(item) for item in items]
    workers = min(cores, len(items))
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    ) as pool:
        return list(pool.map(_format_one, items, chunksize=max(1, len(items) // (2 * cores))))


def _die_with(parent: int) -> None:
    """A worker ends when fmt does, even killed (SIGKILL): each worker holds the task pipe open, so none
    would see its end and all would wait for ever. Linux: the kernel signals it when its parent dies."""
    import os
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown is all there is
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _format_one(item: tuple[Path, str]) -> tuple[str | None, list[Any]]:
    """The formatted text of one file, or None and its problems (plain data: it may cross a process boundary)."""
    path, old = item
    try:
        return format_text(old, str(path)), []
    except ScreeningError as exc:
        return None, list(exc.problems)


class _Canonical:
    """Texts already found in the canonical layout, by their sha256, kept in the cache directory
    (screening.infra.cache) and keyed on this formatter's own source, ruamel.yaml's version and the input
    limits: formatting is a pure function of those and the text, so a text found canonical once needs no
    round trip again (the round trip is what `fmt --check` spends its time on: most files of a pack are
    unchanged between two runs of a pre-commit hook)."""

    KEEP = 5_000

    def __init__(self) -> None:
        from ruamel.yaml import __version__ as ruamel_version

        from screening.infra import cache

        self.cache = cache
        digest = cache._sha256()
        digest.update(Path(__file__).read_bytes())
        digest.update(f"{ruamel_version}\0{yamlio.limits()}".encode())
        self.key = digest.hexdigest()
        self.source = Path(__file__)
        cached = cache.read("fmt", self.source, self.key) or {}
        self.seen: dict[str, None] = dict.fromkeys(cached.get("canonical") or ())
        self.added = False

    def _digest(self, text: str) -> str:
        digest = self.cache._sha256()
        digest.update(text.encode("utf-8", "surrogatepass"))
        return str(digest.hexdigest())

    def holds(self, text: str) -> bool:
        return self._digest(text) in self.seen

    def add(self, text: str) -> None:
        self.seen[self._digest(text)] = None
        self.added = True

    def save(self) -> None:
        if self.added:
            kept = list(self.seen)[-self.KEEP :]
            self.cache.write("fmt", self.source, self.key, {"canonical": kept})


def write_changes(changes: list[Change]) -> None:
    """Write the files whose text changes, each atomically; unchanged files are not touched."""
    for change in changes:
        if change.changed:
            write_atomic(change.path, change.new)


def unified_diff(change: Change) -> str:
    """The change as a unified diff labelled ``a/<path>`` and ``b/<path>`` (empty when unchanged)."""
    if not change.changed:
        return ""
    label = change.path.as_posix().lstrip("/")
    out = []
    for line in difflib.unified_diff(_lines(change.old), _lines(change.new), f"a/{label}", f"b/{label}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines split at ``\\n`` only, each with its line end (a ``\\r`` before it is shown as part of the line)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


# ---------------------------------------------------------------------------------------------
# Files


def _files(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """Each file to format, with the directory it was found in (None for a file named itself)."""
    seen: set[Path] = set()
    out = []
    for path in paths:
        if path.is_dir():
            from screening.pack.load import pack_files  # a pack's files, as check and test read them

            found = pack_files(path)
        else:
            found = [path]
        for file in found:
            try:
                key = file.resolve()
            except (OSError, RuntimeError):  # a loop of links: refused when read
                key = file.absolute()
            if key not in seen:
                seen.add(key)
                out.append((file, path if path.is_dir() else None))
    return out


def _read(path: Path) -> str:
    """The file's text as stored (line ends and a byte-order mark kept, so that they count as changes)."""
    text = yamlio.read_text(path)  # located errors for missing files and bad encodings
    with open(path, "rb") as handle:
        bom = handle.read(3) == b"\xef\xbb\xbf"
    return "\ufeff" + text if bom else text


# ---------------------------------------------------------------------------------------------
# Loading


class _Plain(str):
    """A plain scalar that is not text (null, boolean, number, date), kept exactly as written.

    ruamel.yaml would rewrite some of them (``~`` as nothing, ``True`` as ``true``, ``-0`` as ``0``)
    and fails on a date-like value that is not a date (``2026-13-01``, which the pack loader reads as text).
    """

    tag = ""


_PLAIN_TAGS = [f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")]


class _Constructor(RoundTripConstructor):
    def construct_plain(self, node: Any) -> Any:
        if node.style or node.anchor or not node.value:  # quoted, anchored or empty: ruamel.yaml's own way
            try:
                return RoundTripConstructor.yaml_constructors[str(node.tag)](self, node)
            except ValueError:
                pass
        plain = _Plain(node.value)
        plain.tag = str(node.tag)
        return plain


for _tag in _PLAIN_TAGS:
    _Constructor.add_constructor(_tag, _Constructor.construct_plain)


class _Representer(RoundTripRepresenter):
    def represent_plain(self, data: _Plain) -> Any:
        return self.represent_scalar(data.tag, str(data))


_Representer.add_representer(_Plain, _Representer.represent_plain)


def _roundtrip() -> YAML:
    rt = YAML(typ="rt")
    rt.Constructor = _Constructor
    rt.Representer = _Representer
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = WIDTH
    rt.allow_unicode = True
    rt.brace_single_entry_mapping_in_flow_sequence = True  # [{a: 1}] stays so, not [a: 1]
    return rt


def _load_roundtrip(text: str, name: str) -> Any:
    try:
        return _roundtrip().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        found = re.match(r'found duplicate key "(.*)" with value', exc.problem or "")
        if found and exc.context_mark is not None:
            raise fail(
                name,
                "E101",
                f"duplicate key '{found.group(1)}' (first defined on line {exc.context_mark.line + 1})",
                line,
                column,
            ) from None
        lines = text.split("\n")
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            raise fail(
                name, "E102", "a tab character where YAML needs spaces (indent with spaces)", line, column
            ) from None
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise fail(name, "E100", f"invalid YAML: {message}", line, column) from None
    except YAMLError as exc:
        raise fail(name, "E100", f"invalid YAML: {exc}") from None


def _same_safe_data(old: str, new: str) -> bool:
    """Whether a YAML 1.1 safe loader (PyYAML's) also reads the same data; true when it cannot read the old text."""
    try:
        before = yaml.load(old, Loader=_Loader)
    except (yaml.YAMLError, ValueError, TypeError):
        return True
    try:
        return bool(yaml.load(new, Loader=_Loader) == before)
    except (yaml.YAMLError, ValueError, TypeError):
        return False


# ---------------------------------------------------------------------------------------------
# Key order


@cache
def _schema_defs() -> dict[str, Any]:
    path = Path(__file__).parent.parent / "schema" / "pack.schema.json"
    defs: dict[str, Any] = json.loads(path.read_text("utf-8"))["$defs"]
    return defs


def file_kind(tree: Any, name: str) -> str | None:
    """The pack schema definition a document follows: by its top-level keys, else by its file name."""
    defs = _schema_defs()
    if isinstance(tree, dict) and tree:
        keys = set(tree)
        kinds = [
            kind
            for kind, schema in defs.items()
            if isinstance(schema.get("properties"), dict)
            and keys <= set(schema["properties"])
            and set(schema.get("required", ())) <= keys
        ]
        if len(kinds) == 1:
            return kinds[0]
    kind = RESERVED.get(Path(name).name)
    return kind if kind in defs else None


def key_order(kind: str, *path: str) -> list[str]:
    """Canonical key order of the mappings at ``path`` (property names; ``[]`` for list items) in a file of ``kind``."""
    defs = _schema_defs()
    schema = _resolve(defs[kind], defs)
    for step in path:
        schema = _resolve(schema["items"] if step == "[]" else schema["properties"][step], defs)
    return list(schema.get("properties", ()))


def _resolve(schema: Any, defs: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _reorder(node: Any, schema: Any, defs: dict[str, Any], seen: set[int]) -> None:
    schema = _resolve(schema, defs)
    if not isinstance(schema, dict) or id(node) in seen:
        return
    if isinstance(node, CommentedMap):
        seen.add(id(node))
        props = schema.get("properties")
        if isinstance(props, dict):
            rank = {key: i for i, key in enumerate(props)}
            keys = list(node)
            ordered = sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))
            if ordered != keys:
                for key in ordered:
                    node.move_to_end(key)
        extra = schema.get("additionalProperties")
        for key, value in node.items():
            sub = props.get(key) if isinstance(props, dict) and key in props else extra
            _reorder(value, sub, defs, seen)
    elif isinstance(node, CommentedSeq):
        seen.add(id(node))
        for item in node:
            _reorder(item, schema.get("items"), defs, seen)


# ---------------------------------------------------------------------------------------------
# Where things are: entries (keys of block mappings, items of block sequences) and comments


class _Slot:
    """A key of a block mapping or an item of a block sequence, where comments attach."""

    __slots__ = ("ref", "line", "col", "chain", "eol_line")

    def __init__(self, ref: Any, line: int, col: int, chain: tuple[Any, ...]) -> None:
        self.ref, self.line, self.col, self.chain = ref, line, col, chain
        self.eol_line = line
        """Line on which an end-of-line comment of the entry goes: where its value ends, or the key's line."""


class _Box:
    """A block collection (or the document): comments may stay at its end."""

    __slots__ = ("ref", "col", "depth", "parent", "first")

    def __init__(self, ref: Any, depth: int, parent: Any) -> None:
        self.ref, self.depth, self.parent = ref, depth, parent
        self.col = 0
        self.first: Any = None


class _Unplaceable(Exception):
    """The parsed events do not match the loaded tree (a construct the formatter does not handle)."""

    def __init__(self, message: str, mark: Any = None, code: str = "E100") -> None:
        super().__init__(message)
        self.message, self.mark, self.code = message, mark, code


class _Layout:
    """Entries, boxes and comments of one YAML text, matched with its loaded tree."""

    def __init__(self, text: str, tree: Any) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        try:
            self.tokens = list(yaml.scan(text, Loader=_Loader))
            events = list(yaml.parse(text, Loader=_Loader))
        except yaml.YAMLError as exc:
            raise _Unplaceable(f"not readable by the pack loader ({exc})") from None
        self.dashes = sorted(
            (t.start_mark.line, t.start_mark.column) for t in self.tokens if isinstance(t, BlockEntryToken)
        )
        self.slots: list[_Slot] = []
        self.by_ref: dict[Any, _Slot] = {}
        self.boxes: dict[Any, _Box] = {_DOC: _Box(_DOC, 0, None)}
        self.order: list[tuple[str, Any]] = []
        """("slot", ref) and ("close", box ref) in document order."""
        self._events: Iterator[Any] = iter(events)
        self.root_text = ""
        """The root node's text when it is a scalar (empty for an empty document)."""
        if any(isinstance(e, DocumentStartEvent) for e in events):
            self._walk_document(tree)

    # -- entries --------------------------------------------------------------------------------

    def _next(self) -> Any:
        try:
            return next(self._events)
        except StopIteration:
            raise _Unplaceable("unexpected end of events") from None

    def _walk_document(self, tree: Any) -> None:
        event = self._next()
        while not isinstance(event, DocumentStartEvent):
            event = self._next()
        event = self._next()
        self.root_text = event.value if isinstance(event, ScalarEvent) else "-"
        root = self._add_slot((_DOC, None), event.start_mark.line, 0, (_DOC,))
        self._node(event, tree, (_DOC,), root)
        self.order.append(("close", _DOC))

    def _add_slot(self, ref: Any, line: int, col: int, chain: tuple[Any, ...]) -> _Slot:
        slot = _Slot(ref, line, col, chain)
        box = self.boxes[chain[-1]]
        if box.first is None:
            box.first, box.col = ref, col
            holder = self.by_ref.get(box.parent)
            if holder is not None and holder.ref != (_DOC, None) and col <= holder.col:
                box.col = holder.col + 1  # an indentless sequence: a comment at its dashes' column is the outer one's
        self.slots.append(slot)
        self.by_ref[ref] = slot
        self.order.append(("slot", ref))
        return slot

    def _skip(self, event: Any) -> Any:
        """Consume the rest of a node that has no entries; return its last event."""
        depth = 1 if isinstance(event, CollectionStartEvent) else 0
        while depth:
            event = self._next()
            if isinstance(event, CollectionStartEvent):
                depth += 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
        return event

    def _node(self, event: Any, obj: Any, chain: tuple[Any, ...], slot: _Slot) -> None:
        start: Any = event.start_mark
        end: Any = event.end_mark
        if isinstance(event, ScalarEvent):
            slot.eol_line = start.line if event.style in ("|", ">") else end.line
            return
        if isinstance(event, AliasEvent) or not isinstance(event, CollectionStartEvent):
            slot.eol_line = end.line
            return
        if event.flow_style:
            slot.eol_line = self._skip(event).end_mark.line
            return
        if not isinstance(obj, (CommentedMap, CommentedSeq)):
            raise _Unplaceable("a collection the loader did not keep as one")
        box = _Box(id(obj), len(chain), slot.ref)
        self.boxes[box.ref] = box
        inner = chain + (box.ref,)
        if isinstance(event, MappingStartEvent):
            if not isinstance(obj, CommentedMap):
                raise _Unplaceable("a mapping the loader did not keep as one")
            keys = list(obj)
            index = 0
            event = self._next()
            while not isinstance(event, CollectionEndEvent):
                if isinstance(event, ScalarEvent) and event.value == "<<" and not event.style:
                    raise _Unplaceable("merge keys ('<<') are not supported", event.start_mark, "E110")
                if index >= len(keys):
                    raise _Unplaceable("more keys than the loader kept", event.start_mark)
                key = keys[index]
                entry = self._add_slot((box.ref, key), event.start_mark.line, event.start_mark.column, inner)
                self._skip(event)
                self._node(self._next(), obj[key], inner, entry)
                index += 1
                event = self._next()
            if index != len(keys):
                raise _Unplaceable("fewer keys than the loader kept")
        else:
            if not isinstance(event, SequenceStartEvent) or not isinstance(obj, CommentedSeq):
                raise _Unplaceable("a sequence the loader did not keep as one")
            index = 0
            event = self._next()
            while not isinstance(event, CollectionEndEvent):
                if index >= len(obj):
                    raise _Unplaceable("more items than the loader kept")
                at = bisect.bisect_left(self.dashes, (event.start_mark.line, event.start_mark.column)) - 1
                line, col = self.dashes[at] if at >= 0 else (event.start_mark.line, event.start_mark.column)
                entry = self._add_slot((box.ref, index), line, col, inner)
                self._node(event, obj[index], inner, entry)
                index += 1
                event = self._next()
        self.order.append(("close", box.ref))

    # -- comments and blank lines ---------------------------------------------------------------

    def _offset(self, mark: Any) -> int:
        return self.starts[mark.line] + mark.column

    def scalar_lines(self) -> tuple[set[int], set[int]]:
        """Lines inside scalars and flow collections (where blank lines are content, not layout), and
        the content lines of block scalars (whose trailing spaces are text)."""
        inside: set[int] = set()
        block: set[int] = set()
        flow_start: list[int] = []
        for token in self.tokens:
            start, end = token.start_mark, token.end_mark
            if isinstance(token, (FlowSequenceStartToken, FlowMappingStartToken)):
                flow_start.append(start.line)
            elif isinstance(token, (FlowSequenceEndToken, FlowMappingEndToken)) and flow_start:
                first = flow_start.pop()
                if not flow_start:
                    inside.update(range(first + 1, end.line + 1))
            elif isinstance(token, ScalarToken) and end.line > start.line:
                if token.style in ("|", ">"):
                    span = self.text[self._offset(start) : self._offset(end)].split("\n")
                    header = span[0].split("#", 1)[0]
                    lines = range(start.line + 1, start.line + len(span))
                    block.update(lines)
                    if "+" in header:
                        inside.update(lines)
                    else:
                        filled = [i for i, part in enumerate(span) if i and part.strip()]
                        inside.update(range(start.line + 1, start.line + (filled[-1] if filled else 0) + 1))
                else:
                    inside.update(range(start.line + 1, end.line + 1))
        return inside, block

    def comments(self) -> list[tuple[int, int, str, bool, bool]]:
        """Every comment as (line, column, text, at end of a line, inside a flow collection)."""
        found: list[tuple[int, int, str, bool, bool]] = []
        depth = 0
        reached = 0
        for token in self.tokens:
            begin = self._offset(token.start_mark)
            if begin > reached:
                found.extend(self._gap_comments(reached, begin, depth > 0))
            if isinstance(token, (FlowSequenceStartToken, FlowMappingStartToken)):
                depth += 1
            elif isinstance(token, (FlowSequenceEndToken, FlowMappingEndToken)):
                depth = max(depth - 1, 0)
            elif isinstance(token, ScalarToken) and token.style in ("|", ">"):
                header_end = self.text.find("\n", begin)
                header_end = len(self.text) if header_end < 0 else header_end
                hash_at = self.text.find("#", begin, header_end)
                if hash_at >= 0:
                    found.append(self._comment_at(hash_at, header_end, False))
            reached = max(reached, self._offset(token.end_mark))
        if reached < len(self.text):
            found.extend(self._gap_comments(reached, len(self.text), False))
        return found

    def _gap_comments(self, begin: int, end: int, in_flow: bool) -> Iterator[tuple[int, int, str, bool, bool]]:
        at = self.text.find("#", begin, end)
        while at >= 0:
            stop = self.text.find("\n", at, end)
            stop = end if stop < 0 else stop
            yield self._comment_at(at, stop, in_flow)
            at = self.text.find("#", stop, end)

    def _comment_at(self, at: int, stop: int, in_flow: bool) -> tuple[int, int, str, bool, bool]:
        line = bisect.bisect_right(self.starts, at) - 1
        col = at - self.starts[line]
        eol = bool(self.lines[line][:col].strip())
        return line, col, self.text[at:stop].rstrip(), eol, in_flow


class _Notes:
    """The comments and blank lines of a document, attached to entries and boxes."""

    def __init__(self) -> None:
        self.before: dict[Any, list[str]] = {}
        self.eol: dict[Any, str] = {}
        self.after: dict[Any, list[str]] = {}
        """Comments that stay at the end of a box."""


def _attach(layout: _Layout) -> _Notes:
    """Give every comment and blank line of the text to the entry or box it belongs to."""
    notes = _Notes()
    slots = layout.slots
    lines = [slot.line for slot in slots]
    inside, _ = layout.scalar_lines()
    items: list[tuple[int, int, str, bool, bool]] = layout.comments()
    items += [
        (i, 0, "", False, False)
        for i, text in enumerate(layout.lines)
        if not text.strip() and i not in inside and i < len(layout.lines) - 1
    ]
    items.sort(key=lambda item: (item[0], item[1]))

    run: Any = object()  # the entry the current run of comments precedes
    floor = 0  # deepest box the run may still attach to
    blanks = 0
    final = False  # the run already attached to its following entry

    def target_list(kind: str, ref: Any) -> list[str]:
        store = notes.before if kind == "before" else notes.after
        return store.setdefault(ref, [])

    def put(kind: str, ref: Any, text: str) -> None:
        nonlocal blanks
        where = target_list(kind, ref)
        if blanks and (not where or where[-1] != ""):
            where.append("")
        blanks = 0
        where.append(text)

    def flush() -> None:
        nonlocal blanks
        if blanks and isinstance(run, int) and run < len(slots):
            where = target_list("before", slots[run].ref)
            if not where or where[-1] != "":
                where.append("")
        blanks = 0

    for line, col, text, eol, in_flow in items:
        following = bisect.bisect_right(lines, line)  # index of the first entry after this line
        if (eol or in_flow) and following:
            owner = slots[following - 1]
            if eol and owner.ref not in notes.eol:
                notes.eol[owner.ref] = text
            else:
                notes.before.setdefault(owner.ref, []).append(text)
            continue
        if following != run:
            flush()
            run, floor, final = following, len(slots) + 1, False
        if not text:
            blanks += 1
            continue
        nxt = slots[following] if following < len(slots) else None
        prev = slots[following - 1] if following else None
        if final or prev is None or (nxt is not None and col <= nxt.col):
            final = True
            put("before", nxt.ref if nxt is not None else _DOC, text)
            continue
        chain = prev.chain
        open_boxes = [ref for ref in chain if nxt is None or ref not in nxt.chain]
        chosen = None
        for ref in reversed(open_boxes):
            box = layout.boxes[ref]
            if box.depth <= floor and box.col <= col:
                chosen = box
                break
        if chosen is None:
            if nxt is None:
                chosen = layout.boxes[_DOC]
            else:
                final = True
                put("before", nxt.ref, text)
                continue
        floor = chosen.depth
        put("after", chosen.ref, text)
    flush()
    return notes


# ---------------------------------------------------------------------------------------------
# Formatting


def _strip_comments(node: Any, seen: set[int]) -> None:
    if id(node) in seen:
        return
    if isinstance(node, (CommentedMap, CommentedSeq)):
        seen.add(id(node))
        setattr(node, comment_attrib, Comment())
        values = node.values() if isinstance(node, CommentedMap) else node
        for value in values:
            _strip_comments(value, seen)
    elif getattr(node, "comment", None) is not None:  # block scalars keep their header comment here
        node.comment = None


def _format(text: str, tree: Any, name: str) -> str:
    before = _Layout(text, tree)
    if tree is None and not before.root_text:  # no content (``---`` at most): the comments alone
        out: list[str] = []
        last = None
        for line, _, comment, _, _ in before.comments():
            if last is not None and any(not t.strip() for t in before.lines[last + 1 : line]):
                out.append("")
            out.append(comment)
            last = line
        return "".join(line + "\n" for line in out)
    notes = _attach(before)

    _strip_comments(tree, set())
    kind = file_kind(tree, name)
    if kind is not None:
        defs = _schema_defs()
        _reorder(tree, defs[kind], defs, set())
    stream = io.StringIO()
    _roundtrip().dump(tree, stream)
    plain = stream.getvalue()
    after = _Layout(plain, tree)
    return _place(after, before, notes)


def _home(ref: Any, after: _Layout, before: _Layout) -> Any:
    """The entry where a comment of ``ref`` (an entry or a box) is written: itself, or, when the
    formatted text has no such entry (its collection went inside a flow collection), the nearest
    enclosing entry that is there."""
    while ref not in after.by_ref:
        box = before.boxes.get(ref)
        if box is None:
            slot = before.by_ref.get(ref)
            if slot is None:
                return (_DOC, None)
            box = before.boxes[slot.chain[-1]]
        ref = box.parent
        if ref is None:
            return (_DOC, None)
    return ref


def _place(after: _Layout, before: _Layout, notes: _Notes) -> str:
    """Write the comments into the formatted text."""
    lines = after.lines[:-1] if after.lines and after.lines[-1] == "" else list(after.lines)
    _, keep = after.scalar_lines()
    lines = [line if i in keep else line.rstrip() for i, line in enumerate(lines)]

    extra_before: dict[Any, list[str]] = {}
    for ref, block in notes.before.items():
        if ref not in after.by_ref:
            extra_before.setdefault(_home(ref, after, before), []).extend(t for t in block if t)
    for ref, block in notes.after.items():
        if ref not in after.boxes:
            extra_before.setdefault(_home(ref, after, before), []).extend(t for t in block if t)
    used: set[int] = set()
    for ref, text in notes.eol.items():
        home = _home(ref, after, before)
        slot = after.by_ref[home]
        if home != ref or slot.eol_line in used or slot.eol_line >= len(lines):
            extra_before.setdefault(home, []).append(text)
            continue
        used.add(slot.eol_line)
        lines[slot.eol_line] += EOL_GAP + text

    first_on_line: dict[int, _Slot] = {}
    for slot in after.slots:
        first_on_line.setdefault(slot.line, slot)

    inserts: dict[int, list[str]] = {}
    tail: list[str] = []
    order = after.order
    next_line: list[int | None] = [None] * len(order)
    upcoming: int | None = None
    for i in range(len(order) - 1, -1, -1):
        kind, ref = order[i]
        if kind == "slot":
            upcoming = after.by_ref[ref].line
        next_line[i] = upcoming

    def emit(at: int | None, col: int, texts: list[str]) -> None:
        where = tail if at is None else inserts.setdefault(at, [])
        for text in texts:
            if not text and where and not where[-1]:
                continue
            where.append(" " * col + text if text else "")

    for i, (kind, ref) in enumerate(order):
        if kind == "close":
            texts = notes.after.get(ref, [])
            if texts:
                emit(next_line[i], after.boxes[ref].col, texts)
            continue
        slot = after.by_ref[ref]
        texts = notes.before.get(ref, []) + extra_before.get(ref, [])
        box = after.boxes[slot.chain[-1]]
        if box.first == ref or ref == (_DOC, None):
            while texts and not texts[0]:
                texts = texts[1:]
        if texts:
            emit(slot.line, first_on_line[slot.line].col, texts)

    out: list[str] = []
    for i, line in enumerate(lines):
        for text in inserts.get(i, ()):
            if text or (out and out[-1]):
                out.append(text)
        out.append(line)
    for text in tail:
        if text or (out and out[-1]):
            out.append(text)
    return "\n".join(out) + "\n" if out else ""


# ---------------------------------------------------------------------------------------------
# The fast check: a text already in the canonical layout, told without the round trip

_UNSURE_CHARS = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
"""Characters the fast check leaves to the round trip: tabs, carriage returns, a byte-order mark, controls, and
the line breaks YAML 1.1 and 1.2 read differently (NEL, LS, PS)."""
_DOUBLE_SAFE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
"""Characters a double-quoted scalar is written with as they are (the others are escaped)."""
_BLOCK_HEADER = re.compile(r"([|>])(-?)(?=  #|$)")
_FAST_MAX_DEPTH = 40
"""Nesting beyond which the fast check leaves a text to the round trip (which refuses the deepest texts)."""


def _line(event: Any) -> int:
    return int(event.start_mark.line)


def _column(event: Any) -> int:
    return int(event.start_mark.column)


def _end(event: Any) -> int:
    return int(event.end_mark.line)


def _name(event: Any) -> str:
    return str(event.anchor)


class _NotSure(Exception):
    """The text is outside what the fast check decides: the round trip must tell."""


def is_canonical(text: str, name: str = "<string>") -> bool:
    """Whether :func:`format_text` is sure to return ``text`` as it is, told from one parse by libyaml.

    The layout rules of this module are checked line by line on a text written in the common forms of a
    pack (block mappings and sequences, one-line scalars and flow collections, ``>``/``|`` block scalars,
    whole-line and end-of-line comments, single blank lines); a text in any other form (anchors, tags,
    multi-line flow collections, escapes, a comment that formatting would move...) gives False, which
    means "not known": the round trip decides. True is never given for a text that formatting would
    change or refuse (tests/test_fmt_fast.py holds the two to the same verdict).
    """
    if not text.endswith("\n") or _UNSURE_CHARS.search(text):
        return False
    try:
        data, _ = yamlio.loads(text, name)
    except ScreeningError:
        return False
    if not isinstance(data, dict) or not data:
        return False
    try:
        return _FastCheck(text, name, data).holds()
    except (_NotSure, yaml.YAMLError):
        return False


class _FastCheck:
    """One text, checked against the layout the round trip would write."""

    def __init__(self, text: str, name: str, data: dict[Any, Any]) -> None:
        self.lines = text.split("\n")[:-1]
        self.events = iter(yaml.parse(text, Loader=_Loader))
        self.emitter = _roundtrip().emitter  # the dump's own emitter, for its analysis of scalars
        self.expected: dict[int, str] = {}
        """Line -> its text as the round trip writes it (comments left out)."""
        self.dash: dict[int, int] = {}
        """Line -> column of a sequence item's dash that shares the line with its mapping's first key."""
        self.content: set[int] = set()
        """Lines of block scalars' content."""
        self.first_slot: dict[int, tuple[int, bool]] = {}
        """Line -> (column, first of its collection) of the first entry that starts on it."""
        self.anchors: set[str] = set()
        self.aliases: set[str] = set()
        kind = file_kind(data, name)
        self.defs = _schema_defs()
        self.schema = self.defs[kind] if kind is not None else None

    # -- events ---------------------------------------------------------------------------------

    def _next(self) -> Any:
        event = next(self.events, None)
        if event is None:
            raise _NotSure
        if getattr(event, "tag", None) is not None:
            raise _NotSure  # tags (refused in a pack anyway)
        if isinstance(event, AliasEvent):
            self.aliases.add(_name(event))
        elif getattr(event, "anchor", None) is not None:
            if _name(event) in self.anchors or isinstance(event, ScalarEvent):
                raise _NotSure  # a name used twice, an anchored scalar (ruamel.yaml's own types)
            self.anchors.add(_name(event))
        return event

    def _anchor(self, event: Any) -> str:
        """The anchor written before a collection, with its space ("" for none)."""
        return "" if event.anchor is None else "&" + _name(event) + " "

    def holds(self) -> bool:
        if not isinstance(self._next(), yaml.StreamStartEvent):
            raise _NotSure
        start = self._next()
        if not isinstance(start, DocumentStartEvent) or start.explicit or start.version or start.tags:
            raise _NotSure
        root = self._next()
        if not isinstance(root, MappingStartEvent) or root.flow_style or root.anchor is not None:
            raise _NotSure
        self._slot(_line(root), 0, True)  # the document's own entry
        self._block_map(0, 1, self.schema)
        end = self._next()
        if not isinstance(end, yaml.DocumentEndEvent) or end.explicit:
            raise _NotSure
        if not isinstance(self._next(), yaml.StreamEndEvent):
            raise _NotSure
        if self.anchors - self.aliases:
            raise _NotSure  # the round trip drops an anchor no alias uses
        return self._lines_hold()

    def _slot(self, line: int, col: int, first: bool) -> None:
        self.first_slot.setdefault(line, (col, first))

    def _expect(self, line: int, col: int, text: str) -> None:
        if line in self.expected:
            raise _NotSure
        dash = self.dash.pop(line, None)
        if dash is not None:
            if col != dash + 2:
                raise _NotSure
            self.expected[line] = " " * dash + "- " + text
        else:
            self.expected[line] = " " * col + text

    def _schema(self, schema: Any) -> Any:
        schema = _resolve(schema, self.defs)
        return schema if isinstance(schema, dict) else None

    def _keys(self, schema: Any) -> tuple[dict[str, int], Any, Any]:
        """The rank of each key the schema orders, the schema of other keys', and the schema itself."""
        schema = self._schema(schema)
        if schema is None:
            return {}, None, None
        props = schema.get("properties")
        if not isinstance(props, dict):
            return {}, schema.get("additionalProperties"), None
        return {key: i for i, key in enumerate(props)}, schema.get("additionalProperties"), props

    def _key(self, event: Any, col: int | None, last: int, rank: dict[str, int], flow: bool) -> tuple[str, int]:
        """The key's text and rank (keys out of their canonical order are not canonical)."""
        if not isinstance(event, ScalarEvent) or event.style or (col is not None and _column(event) != col):
            raise _NotSure  # only plain keys: the round trip may re-quote others
        if event.value == "<<" or len(event.value) > 100:
            raise _NotSure
        at = rank.get(event.value, len(rank)) if rank else 0
        if at < last:
            raise _NotSure
        return self._scalar(event, flow), at

    # -- nodes ----------------------------------------------------------------------------------

    def _block_map(self, col: int, depth: int, schema: Any, after: int = -1) -> None:
        if depth > _FAST_MAX_DEPTH:
            raise _NotSure
        rank, extra, props = self._keys(schema)
        last = 0
        first = True
        event = self._next()
        previous = after
        while not isinstance(event, yaml.MappingEndEvent):
            line = _line(event)
            if line <= previous:
                raise _NotSure
            key, last = self._key(event, col, last, rank, False)
            self._slot(line, col, first)
            first = False
            sub = props.get(event.value) if props is not None and event.value in props else extra
            previous = self._value(line, col, key + ":", self._next(), depth, sub)
            event = self._next()

    def _block_seq(self, dash: int, depth: int, schema: Any, after: int) -> None:
        if depth > _FAST_MAX_DEPTH:
            raise _NotSure
        node = self._schema(schema)
        items = node.get("items") if node is not None else None
        first = True
        previous = after
        event = self._next()
        while not isinstance(event, yaml.SequenceEndEvent):
            line = _line(event)
            if line <= previous or _column(event) != dash + 2:
                raise _NotSure
            self._slot(line, dash, first)
            first = False
            if isinstance(event, MappingStartEvent) and not event.flow_style and event.anchor is not None:
                self._expect(line, dash, "- &" + _name(event))
                if _line(event) != line:
                    raise _NotSure
                previous = self._block_map_end(dash + 2, depth + 1, items, after=line)
            elif isinstance(event, MappingStartEvent) and not event.flow_style:
                self.dash[line] = dash
                previous = self._block_map_end(dash + 2, depth + 1, items)
            elif isinstance(event, AliasEvent):
                self._one_line(event, line)
                self._expect(line, dash, "- *" + _name(event))
                previous = line
            elif isinstance(event, ScalarEvent) and event.style not in ("|", ">"):
                self._one_line(event, _line(event))
                self._expect(line, dash, "- " + self._scalar(event, False))
                previous = line
            elif isinstance(event, (MappingStartEvent, SequenceStartEvent)) and event.flow_style:
                self._expect(line, dash, "- " + self._flow(event, depth + 1, items, line))
                previous = line
            else:
                raise _NotSure  # a block scalar or a block sequence as an item
            event = self._next()

    def _block_map_end(self, col: int, depth: int, schema: Any, after: int = -1) -> int:
        """A block mapping (its first key after line ``after``); the last line it takes."""
        self._block_map(col, depth, schema, after)
        return max(self.expected) if self.expected else -1

    def _value(self, line: int, col: int, prefix: str, event: Any, depth: int, schema: Any) -> int:
        """A mapping's value after its key (``prefix``) on ``line``; the last line it takes."""
        if isinstance(event, ScalarEvent) and event.style in ("|", ">"):
            return self._block_scalar(line, col, prefix, event)
        if isinstance(event, ScalarEvent):
            self._one_line(event, line)
            self._expect(line, col, prefix + " " + self._scalar(event, False))
            return line
        if isinstance(event, AliasEvent):
            self._one_line(event, line)
            self._expect(line, col, prefix + " *" + _name(event))
            return line
        if not isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            raise _NotSure
        if event.flow_style:
            self._expect(line, col, prefix + " " + self._flow(event, depth + 1, schema, line))
            return line
        if (_line(event) == line) != (event.anchor is not None):
            raise _NotSure  # the collection starts on the next line (its anchor, if any, on the key's)
        self._expect(line, col, prefix + ("" if event.anchor is None else " &" + _name(event)))
        if isinstance(event, MappingStartEvent):
            return self._block_map_end(col + 2, depth + 1, schema, after=line)
        self._block_seq(col + 2, depth + 1, schema, after=line)
        return max(self.expected)

    def _one_line(self, event: Any, line: int) -> None:
        if _line(event) != line or _end(event) != line:
            raise _NotSure

    def _scalar(self, event: Any, flow: bool) -> str:
        """A one-line scalar as the round trip writes it (the style kept; text that style cannot hold is not sure)."""
        value = event.value
        if not event.style:
            analysis = self.emitter.analyze_scalar(value)
            plain = analysis.allow_flow_plain if flow else analysis.allow_block_plain
            if not value or analysis.multiline or not plain:
                raise _NotSure
            if flow and ":" in value:  # read as a key by one YAML version and not the other
                raise _NotSure
            return str(value)
        if event.style == "'":
            analysis = self.emitter.analyze_scalar(value)
            if "\n" in value or not analysis.allow_single_quoted:
                raise _NotSure
            return "'" + value.replace("'", "''") + "'"
        if event.style == '"' and not _DOUBLE_SAFE.search(value):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        raise _NotSure

    def _flow(self, event: Any, depth: int, schema: Any, line: int) -> str:
        """A flow collection on one line as the round trip writes it: ``[a, b]``, ``{a: 1, b: [c]}``."""
        if depth > _FAST_MAX_DEPTH:
            raise _NotSure
        if isinstance(event, ScalarEvent):
            if event.style in ("|", ">"):
                raise _NotSure
            self._one_line(event, line)
            return self._scalar(event, True)
        if isinstance(event, AliasEvent):
            self._one_line(event, line)
            return "*" + _name(event)
        if isinstance(event, SequenceStartEvent):
            node = self._schema(schema)
            items = node.get("items") if node is not None else None
            parts = []
            item = self._next()
            while not isinstance(item, yaml.SequenceEndEvent):
                parts.append(self._flow(item, depth + 1, items, line))
                item = self._next()
            if _end(item) != line:
                raise _NotSure
            return self._anchor(event) + "[" + ", ".join(parts) + "]"
        if isinstance(event, MappingStartEvent):
            rank, extra, props = self._keys(schema)
            last = 0
            parts = []
            key = self._next()
            while not isinstance(key, yaml.MappingEndEvent):
                text, last = self._key(key, None, last, rank, True)
                if _line(key) != line:
                    raise _NotSure
                sub = props.get(key.value) if props is not None and key.value in props else extra
                parts.append(text + ": " + self._flow(self._next(), depth + 1, sub, line))
                key = self._next()
            if _end(key) != line:
                raise _NotSure
            return self._anchor(event) + "{" + ", ".join(parts) + "}"
        raise _NotSure

    def _block_scalar(self, line: int, col: int, prefix: str, event: Any) -> int:
        """A ``>``/``|`` scalar whose lines the round trip writes back as they are: its content indented two
        columns under its key, no line indented further, no trailing spaces, no blank line but inside a literal."""
        if _line(event) != line:
            raise _NotSure
        header = _BLOCK_HEADER.match(self.lines[line], _column(event))
        if header is None:
            raise _NotSure
        self._expect(line, col, prefix + " " + header.group(1) + header.group(2))
        indent = " " * (col + 2)
        body: list[str] = []
        at = line + 1
        while at < len(self.lines) and (self.lines[at].startswith(indent) or not self.lines[at]):
            body.append(self.lines[at])
            at += 1
        while body and not body[-1]:
            body.pop()
        if not body or not body[0]:
            raise _NotSure  # no content, or a blank first line (written with an indentation indicator)
        texts = []
        for text in body:
            if text and (text[len(indent)] == " " or text != text.rstrip()):
                raise _NotSure
            if not text and header.group(1) == ">":
                raise _NotSure
            texts.append(text[len(indent) :])
        value = (" " if header.group(1) == ">" else "\n").join(texts) + ("" if header.group(2) else "\n")
        if value != event.value:
            raise _NotSure
        self.content.update(range(line + 1, line + 1 + len(body)))
        return line + len(body)

    # -- the lines ------------------------------------------------------------------------------

    def _lines_hold(self) -> bool:
        """Every line as the round trip writes it: content as expected, comments where they stay, blank lines
        kept (single, never first in a collection, at the start or at the end)."""
        if self.dash:
            raise _NotSure
        run: list[tuple[int, str]] = []  # the blank and comment lines since the last content line
        for number, line in enumerate(self.lines):
            expected = self.expected.get(number)
            if expected is not None:
                if line != expected and not (
                    line.startswith(expected + EOL_GAP + "#") and line == line.rstrip() and "\n" not in line
                ):
                    return False
                if not self._run_holds(run, self.first_slot.get(number)):
                    return False
                run = []
            elif number in self.content:
                if run:
                    raise _NotSure
            elif not line:
                run.append((number, ""))
            else:
                stripped = line.lstrip(" ")
                if not stripped.startswith("#") or line != line.rstrip():
                    return False
                run.append((len(line) - len(stripped), "#"))
        return self._run_holds(run, None)

    @staticmethod
    def _run_holds(run: list[tuple[int, str]], following: tuple[int, bool] | None) -> bool:
        kinds = [kind for _, kind in run]
        if any(a == b == "" for a, b in zip(kinds, kinds[1:], strict=False)):
            return False  # runs of blank lines become one
        if following is None:  # the end of the file: comments at the margin, no blank line last
            return not (kinds and kinds[-1] == "") and all(col == 0 for col, kind in run if kind)
        col, first = following
        if first and kinds and kinds[0] == "":
            return False  # no blank line before the first entry of a collection (or the file)
        return all(c == col for c, kind in run if kind)
