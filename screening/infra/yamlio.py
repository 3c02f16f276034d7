"""The one module that reads YAML: safe, YAML 1.2 scalars, line marks, duplicate keys refused."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, NamedTuple, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from screening.infra.errors import Marks, Problem, ScreeningError, fail
from screening.infra.files import read_input


class Limits(NamedTuple):
    """What one input file may hold; each can be set through the environment variable named beside it."""

    max_bytes: int = 10_000_000
    """SCREENING_MAX_BYTES: size of a file; reading stops one byte past it."""
    max_values: int = 200_000
    """SCREENING_MAX_VALUES: values in a document once aliases are expanded ("billion laughs")."""
    max_depth: int = 64
    """SCREENING_MAX_DEPTH: nesting of mappings and lists (at most ``DEPTH_CEILING``)."""
    max_text: int = 100_000
    """SCREENING_MAX_TEXT: characters in one text value or key."""


_ENV = {
    "max_bytes": "SCREENING_MAX_BYTES",
    "max_values": "SCREENING_MAX_VALUES",
    "max_depth": "SCREENING_MAX_DEPTH",
    "max_text": "SCREENING_MAX_TEXT",
}


DEPTH_CEILING = 200
"""The highest SCREENING_MAX_DEPTH accepted: every reader and checker of nested data recurses, and stays well
inside Python's recursion limit up to this depth."""


def limits() -> Limits:
    """The limits in force: the defaults, or positive integers set in the environment."""
    values = {}
    for field, var in _ENV.items():
        raw = os.environ.get(var)
        if raw is None or raw == "":
            continue
        # ASCII digits only: str.isdigit accepts '²' and other digits int() refuses
        digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
        if not digits:
            raise fail(var, "E106", f"environment variable {var} must be a positive whole number, not {raw!r}")
        ceiling = DEPTH_CEILING if field == "max_depth" else 10**18
        if len(digits) > 19 or int(digits) > ceiling:
            raise fail(
                var,
                "E106",
                f"environment variable {var} can be at most {ceiling:,}, not {raw[:30]}"
                + ("..." if len(raw) > 30 else ""),
            )
        values[field] = int(digits)
    return Limits(**values)


_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}


class CoreResolver(BaseResolver):
    """YAML 1.2 core-schema scalars, so that ``NO`` (Norway), ``on`` or ``0777`` stay text.

    PyYAML follows YAML 1.1, where ``NO`` is false and ``0777`` is octal 511; a country
    code or id must never silently change type. The core schema is followed (``-0``, ``+0``, ``.5``,
    ``1e3``; ``.inf`` and ``.nan`` are read as numbers, then refused as not finite) but for numbers
    written with a leading zero, ``0o`` or ``0x`` (``0777``, ``007``, ``0x1F``), which stay text: YAML 1.1
    readers take ``0777`` for 511, so such a number would mean one thing here and another elsewhere.
    Bare dates also stay text and are parsed where the schema asks for a date.
    """


CoreResolver.add_implicit_resolver(_STD + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
CoreResolver.add_implicit_resolver(_STD + "int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
CoreResolver.add_implicit_resolver(
    _STD + "float",
    re.compile(
        r"^[-+]?(?:(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))$"
        r"|^\.(?:nan|NaN|NAN)$"
    ),
    list("-+0123456789."),
)
CoreResolver.add_implicit_resolver(_STD + "null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

if getattr(yaml, "__with_libyaml__", False):  # the C parser is about 4x faster
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]  # present with libyaml

    class _Loader(_Parser, yaml.constructor.SafeConstructor, CoreResolver):
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            CoreResolver.__init__(self)
else:  # pragma: no cover - exercised only where libyaml is missing
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(  # type: ignore[no-redef]
        Reader,
        Scanner,
        Parser,
        Composer,
        yaml.constructor.SafeConstructor,
        CoreResolver,
    ):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            CoreResolver.__init__(self)


def read_text(path: Path) -> str:
    """Read a UTF-8 file (a BOM is allowed) within the size limit; any other encoding is a located error.

    Only a regular file is read (or stdin): a FIFO or a device such as /dev/zero is refused, unread.
    """
    return decode(read_input(path, limits().max_bytes), str(path))


def decode(raw: bytes, name: str) -> str:
    """The text of a file's bytes ``raw``: UTF-8, a BOM allowed; any other encoding is a located error (E002)."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(body[: exc.start].decode("utf-8"))
        raise fail(
            name, "E002", f"not valid UTF-8 (byte 0x{body[exc.start]:02x}); save the file as UTF-8", line, column
        ) from None


_BREAK = re.compile(r"\r\n|\r|\n")


def _position(before: str) -> tuple[int, int]:
    """Line and column (1-based, in characters) just after the text ``before``; CR, LF and CRLF end lines."""
    lines = _BREAK.split(before)
    return len(lines), len(lines[-1]) + 1


# Characters YAML does not allow in a stream (C0 and C1 controls but tab, LF, CR and NEL; surrogates;
# U+FFFE and U+FFFF). libyaml reports them without a place, so they are found first.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# YAML 1.2 reads NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as ordinary characters, libyaml (1.1) as line
# breaks: they are swapped for private-use stand-ins while parsing, and swapped back in the values.
_SWAP = {"\x85": "\uf8f0", "\u2028": "\uf8f1", "\u2029": "\uf8f2"}
_TO_STANDIN = str.maketrans(_SWAP)
_FROM_STANDIN = str.maketrans({v: k for k, v in _SWAP.items()})


def load(path: Path) -> tuple[Any, Marks]:
    """Load one YAML document from ``path`` with the marks of every node."""
    return loads(read_text(path), str(path))


def loads(text: str, name: str = "<string>") -> tuple[Any, Marks]:
    """Parse YAML text into plain data (dict, list, str, int, float, bool, None) and marks."""
    data, marks, duplicates = loads_duplicates(text, name)
    if duplicates:
        raise ScreeningError(duplicates)
    return data, marks


def loads_duplicates(text: str, name: str = "<string>") -> tuple[Any, Marks, list[Problem]]:
    """As ``loads``, but a repeated key (E101) is returned, located, with the data (the last value kept), so
    that a caller can leave out only the part of the document that holds it; every other problem raises."""
    text = text.removeprefix("\ufeff")
    bad = _FORBIDDEN.search(text)
    if bad:
        row, col = _position(text[: bad.start()])
        raise fail(
            name,
            "E100",
            f"invalid YAML: character #x{ord(bad.group()):04X} is not allowed in a YAML file",
            row,
            col,
        )
    swapped = any(c in text for c in _SWAP) and not any(c in text for c in _SWAP.values())
    source = text.translate(_TO_STANDIN) if swapped else text
    bound = limits()
    if len(source) > bound.max_values:  # a shorter text cannot compose into more nodes than the limit
        _count_values(source, name, bound, swapped)
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(_one_line(str(x)) for x in (exc.context, exc.problem) if x)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        lines = _BREAK.split(text)
        if line is not None and line > len(lines):
            # libyaml places an error at the end of a file without a final line break on a line past it
            line, column = len(lines), len(lines[-1]) + 1
        code = "E100"
        if line is not None and _tab_at(lines[line - 1] if line <= len(lines) else "", column or 1):
            code, message = "E102", "a tab character where YAML needs spaces (indent with spaces)"
        else:
            opened = _unclosed(exc, lines, (line, column))
            if opened is not None:  # point at the bracket or quote left open, where the fix is
                message, line, column = opened
        raise fail(name, code, f"invalid YAML: {message}", line, column) from None
    except yaml.YAMLError as exc:
        raise fail(name, "E100", f"invalid YAML: {_one_line(str(exc))}") from None
    finally:
        loader.dispose()
    if node is None:
        return None, {(): (1, 1)}, []
    builder = _Builder(loader, name, bound, swapped)
    data = builder.build(node, ())
    if any(p.code != "E101" for p in builder.problems):
        raise ScreeningError(builder.problems)
    return data, builder.marks, builder.problems


_OPENERS = {"flow sequence": "[", "flow mapping": "{", "quoted scalar": None}


def _unclosed(
    exc: yaml.MarkedYAMLError, lines: list[str], found: tuple[int | None, int | None]
) -> tuple[str, int, int] | None:
    """For a bracket or quote that is never closed: the message and the place it opened (line, column), where
    the parser only notices it later, often at the end of the file."""
    mark, context = exc.context_mark, str(exc.context or "")
    what = next((k for k in _OPENERS if k in context), None)
    if mark is None or what is None or found[0] is None or (mark.line + 1, mark.column + 1) == found:
        return None
    line, column = mark.line + 1, mark.column + 1
    text = lines[line - 1] if line <= len(lines) else ""
    char = _OPENERS[what] or (text[column - 1] if column <= len(text) and text[column - 1] in "'\"" else "quote")
    there = lines[found[0] - 1][(found[1] or 1) - 1 :] if found[0] <= len(lines) else ""
    at = (
        "the end of the file"
        if not (there + "".join(lines[found[0] :])).strip()
        else f"line {found[0]}, column {found[1]}"
    )
    if char in ("[", "{"):
        closer = "]" if char == "[" else "}"
        if _closes(there, char, closer):  # closed later on the line: what is wrong is inside, as the parser says
            return None
        return f"this '{char}' is never closed: still open at {at}, where ',' or '{closer}' was expected", line, column
    if "end of stream" not in str(exc.problem):  # a bad escape inside a closed quote, not an open one
        return None
    return f"this {char} quote is never closed: the text runs on to {at}", line, column


def _closes(text: str, opener: str, closer: str) -> bool:
    """Whether ``text`` holds a ``closer`` that no ``opener`` in it matches (one closing a bracket opened before)."""
    depth = 0
    for ch in text:
        if ch == opener:
            depth += 1
        elif ch == closer:
            if depth == 0:
                return True
            depth -= 1
    return False


def _too_many(name: str, bound: Limits, where: tuple[int, int], path: tuple[str, ...]) -> ScreeningError:
    return fail(
        name,
        "E111",
        f"document has more than {bound.max_values:,} values (too large, or aliases "
        "expanding without bound; SCREENING_MAX_VALUES)",
        *where,
        path=path,
    )


def _count_values(source: str, name: str, bound: Limits, swapped: bool) -> None:
    """Refuse a document of more values than the limit while its events stream by, before it is composed.

    Composing builds a node per value: 10 MB of one-character values would take gigabytes before the values
    could be counted. Values are counted as the builder counts them (values, not keys; an alias as many
    values as its anchor's node holds), and the error is the builder's, placed at the same top-level value.
    Text that does not parse is left to the composer, which reports it.
    """
    from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, MappingStartEvent, ScalarEvent

    parser = _Loader(source)
    open_: list[list[Any]] = []  # per open collection: [is a mapping, entries seen, anchor, count at its start]
    sizes: dict[str, int] = {}  # values an anchored node holds
    count, top, label = 0, (1, 1), ""
    top_path: tuple[str, ...] = ()
    places: dict[str, tuple[int, int]] = {}  # where each anchor is
    try:
        while True:
            event: Any = parser.get_event()
            if isinstance(event, CollectionEndEvent):
                _, _, anchor, start = open_.pop()
                if anchor is not None:
                    sizes[anchor] = count - start
                continue
            if not isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent)):
                if event.__class__.__name__ == "StreamEndEvent":
                    return
                continue
            named: Any = getattr(event, "anchor", None)
            mark: Any = event.start_mark
            at_line, at_column = mark.line + 1, mark.column + 1
            parent = open_[-1] if open_ else None
            key = parent is not None and parent[0] and parent[1] % 2 == 0
            if parent is not None:
                parent[1] += 1
            if len(open_) == 1:
                if key:
                    label = event.value if isinstance(event, ScalarEvent) else ""
                    label = label.translate(_FROM_STANDIN) if swapped else label
                else:  # an alias is where its anchor is, as the builder has it
                    at = places.get(named) if isinstance(event, AliasEvent) else None
                    top = at or (at_line, at_column)
                    top_path = (label,) if parent[0] else (str(parent[1] - 1),)  # type: ignore[index]
            if named is not None and not isinstance(event, AliasEvent):
                places[named] = (at_line, at_column)
            if isinstance(event, AliasEvent):
                count += 0 if key else sizes.get(named, 1)
            elif isinstance(event, ScalarEvent):
                count += 0 if key else 1
                if named is not None:
                    sizes[named] = 1
            else:
                open_.append([isinstance(event, MappingStartEvent), 0, event.anchor, count])
                count += 1
            if count > bound.max_values:
                raise _too_many(name, bound, top, top_path)
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tab_at(line: str, column: int) -> bool:
    """Whether a tab is the likely cause of an error at ``column``: one in the indentation, or right there."""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return "\t" in indent or line[column - 1 : column] == "\t"


class _Builder:
    """Turns a composed node tree into plain data, recording marks and refusing oddities."""

    def __init__(self, loader: Any, name: str, limits: Limits, swapped: bool = False) -> None:
        self.loader, self.name, self.limits, self.swapped = loader, name, limits, swapped
        self.marks: Marks = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.keys: set[int] = set()  # key nodes seen: a key node met again is an alias used as a key
        self.key_at: dict[tuple[str, ...], tuple[int, int]] = {}  # where the key of each value is written

    def _where(self, node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _key_where(self, knode: Node, vnode: Node, mapping: Node) -> tuple[int, int]:
        """Where a key is written. An alias used as a key has only its anchor's place, so it is placed at
        the line of its value and the mapping's column."""
        if id(knode) in self.keys or knode.start_mark.line < mapping.start_mark.line:
            return vnode.start_mark.line + 1, mapping.start_mark.column + 1
        return self._where(knode)

    def build(self, node: Node, path: tuple[str, ...]) -> Any:
        self.count += 1
        if self.count > self.limits.max_values:  # reported at the top-level key whose value grows without bound
            raise _too_many(self.name, self.limits, self.marks.get(path[:1]) or self._where(node), path[:1])
        if len(path) > self.limits.max_depth:
            raise fail(
                self.name,
                "E111",
                f"nesting deeper than {self.limits.max_depth} levels (SCREENING_MAX_DEPTH)",
                *self._where(node),
            )
        if isinstance(node, ScalarNode) and len(node.value) > self.limits.max_text:
            raise fail(
                self.name,
                "E111",
                f"a text of {len(node.value):,} characters is longer than the limit of "
                f"{self.limits.max_text:,} (SCREENING_MAX_TEXT)",
                *self._where(node),
                path=path,
            )
        self.marks[path] = self._where(node)
        if node.tag not in _ALLOWED_TAGS:
            raise fail(
                self.name,
                "E110",
                f"tag {node.tag!r} is not allowed: files hold plain data only",
                *self._where(node),
                path=path,
            )
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (str(i),)) for i, item in enumerate(node.value)]
        return self._scalar(cast(ScalarNode, node), path)  # neither a mapping nor a sequence

    def _mapping(self, node: MappingNode, path: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            where = self._key_where(knode, vnode, node)
            if not isinstance(knode, ScalarNode):
                raise fail(self.name, "E103", "mapping keys must be plain text", *where)
            if knode.tag == _STD + "merge" or (knode.value == "<<" and not knode.style):
                raise fail(self.name, "E110", "merge keys ('<<') are not supported", *where)
            if knode.tag not in _ALLOWED_TAGS:
                raise fail(
                    self.name,
                    "E110",
                    f"tag {knode.tag!r} on a key is not allowed: files hold plain data only",
                    *where,
                    path=path,
                )
            self.keys.add(id(knode))
            key = self._text(knode.value)  # the raw text: keys never become numbers or booleans
            if len(key) > self.limits.max_text:
                raise fail(
                    self.name,
                    "E111",
                    f"a key of {len(key):,} characters is longer than the limit of "
                    f"{self.limits.max_text:,} (SCREENING_MAX_TEXT)",
                    *where,
                    path=path,
                )
            if key in out:
                first = self.marks.get(path + (key,), (None, None))[0]
                self.problems.append(
                    Problem(
                        self.name,
                        *where,
                        "E101",
                        f"duplicate key '{key}' (first defined on line {first})",
                        path + (key,),
                    )
                )
            self.key_at[path + (key,)] = where
            out[key] = self.build(vnode, path + (key,))
            self.marks[path + (key,)] = where  # problems point at the key
        return out

    def _scalar(self, node: ScalarNode, path: tuple[str, ...]) -> Any:
        at = self.key_at.get(path) or self._where(node)  # like every other problem, at the value's key
        if node.tag == _STD + "int" and len(node.value.lstrip("+-")) > 4000:
            raise fail(
                self.name, "E111", f"a number of {len(node.value):,} digits is too long", *self._where(node), path=path
            )
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, IndexError, KeyError, TypeError, yaml.YAMLError):
            kind = {
                "int": "an integer",
                "float": "a number",
                "bool": "true or false",
                "null": "null",
                "seq": "a list (sequence)",
                "map": "a mapping",
            }.get(node.tag.rsplit(":", 1)[-1], "this type")
            raise fail(
                self.name,
                "E100",
                f"invalid YAML: {node.value!r} cannot be read as {kind} ({node.tag.rsplit(':', 1)[-1]} tag)",
                *self._where(node),
                path=path,
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise fail(self.name, "E106", f"{node.value!r} is not a finite number", *at, path=path)
        return self._text(value) if isinstance(value, str) else value

    def _text(self, value: str) -> str:
        return value.translate(_FROM_STANDIN) if self.swapped else value


def beyond(data: Any, bound: Limits) -> str:
    """Which limit a JSON document exceeds (nesting, values, text length), as a message; empty if none."""
    values, stack = 0, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        values += 1
        if depth > bound.max_depth:
            return f"nesting deeper than {bound.max_depth} levels (SCREENING_MAX_DEPTH)"
        if values > bound.max_values:
            return f"document has more than {bound.max_values:,} values (SCREENING_MAX_VALUES)"
        if isinstance(node, dict):
            for key, value in node.items():
                if len(key) > bound.max_text:
                    return f"a key longer than {bound.max_text:,} characters (SCREENING_MAX_TEXT)"
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, str) and len(node) > bound.max_text:
            return f"a text longer than {bound.max_text:,} characters (SCREENING_MAX_TEXT)"
    return ""
