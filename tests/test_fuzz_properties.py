"""Properties of the loaders and the engine on generated and mutated input.

* any YAML-ish document (``yaml.safe_dump`` of random nested data) gives a case or located problems;
* random edits of the example cases and of the rule files give a model or problems, and the CLI
  returns 0, 1 or 2 without raising;
* a valid case written out again and re-read is the same case with the same outcome, and screening
  a case twice gives the same report.

Every property runs a bounded, derandomized set of examples, so the module stays fast and stable;
the coverage-guided fuzzer ``fuzz/fuzz_loaders.py`` is the open-ended search.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import api
from screening.case.catalogue import case_schema
from screening.case.load import build_case, load_case
from screening.cli import main
from screening.decision.engine import screen
from screening.infra.errors import Problem, ScreeningError
from screening.infra.yamlio import loads
from screening.pack.load import default_pack_path, load_pack, read_pack
from screening.report import render
from tests.conftest import CASES, ROOT

RULE_FILES = sorted((ROOT / "rules").glob("*.yaml"))
ALIBABA = ROOT / "cases" / "alibaba-liege.yaml"
PROFILE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LIMITS = ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT")


@pytest.fixture(scope="module", autouse=True)
def environment():
    """Default limits, and no pack cache: a mutated pack must be read afresh every time."""
    with pytest.MonkeyPatch.context() as mp:
        for var in LIMITS:
            mp.delenv(var, raising=False)
        mp.setenv("SCREENING_CACHE_DIR", "")
        yield


@functools.cache
def default_pack():
    return load_pack(default_pack_path())


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# ---- generated documents


def _schema_words() -> tuple[list[str], list[str]]:
    """Every field name and every enum value of the case schema."""
    fields: set[str] = set()
    values: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            fields.update(node.get("properties", {}))
            values.update(v for v in node.get("enum", ()) if isinstance(v, str))
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(case_schema())
    return sorted(fields), sorted(values)


FIELDS, ENUM_VALUES = _schema_words()
WORDS = [
    "NO",
    "yes",
    "off",
    "0777",
    "0x1F",
    "1e3",
    "1_000",
    ".inf",
    ".nan",
    "~",
    "null",
    "<<",
    "2021-01-01",
    "2021-13-01",
    "buyer",
    "CN",
    "UK",
    "s1",
    "ref",
    "cainiao",
    "value",
    "sources",
    "",
    " ",
    "\t",
    "a\nb",
    "中国",
    "صندوق",
    "\u202e",
    "\x85",
    "\ufeff",
]
text = st.text(max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.integers(-(10**300), 10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.sampled_from(WORDS + ENUM_VALUES),
)
keys = st.one_of(st.sampled_from(FIELDS), text, st.integers(-5, 5), st.none(), st.booleans())
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5), max_leaves=30
)


def minimal_case() -> dict[str, Any]:
    return {
        "format": 1,
        "id": "gen",
        "title": "Generated",
        "investor": "e0",
        "entities": [
            {"id": "e0", "name": "Buyer", "country": "CN"},
            {"id": "e1", "name": "Parent", "country": "CN", "kind": "soe"},
        ],
        "ownership": [{"owner": "e1", "owned": "e0", "equity_pct": 60}],
        "target": {"name": "T", "country": "DE", "sectors": ["energy"]},
        "transaction": {"kind": "acquisition", "stake_after_pct": 30},
        "sources": [{"id": "s1", "title": "S"}],
    }


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, path + (i,))
    return out


@st.composite
def edited_cases(draw: Any) -> Any:
    """A valid case with one node replaced by, or one mapping given, a random document."""
    data = minimal_case()
    path = draw(st.sampled_from(_paths(data)))
    value = draw(documents)
    if not path:
        return value
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        parent[draw(keys)] = value
    else:
        parent[path[-1]] = value
    return data


@settings(PROFILE, max_examples=150)
@given(st.one_of(documents, edited_cases()), st.booleans(), st.sampled_from([None, False, True]))
def test_any_yaml_document_gives_a_case_or_problems(document, unicode, flow):
    text = yaml.safe_dump(document, allow_unicode=unicode, default_flow_style=flow, sort_keys=False)
    try:
        data, marks = loads(text, "gen.yaml")
        build_case(data, marks, "gen.yaml")
    except ScreeningError as exc:
        assert exc.problems and all(isinstance(p, Problem) for p in exc.problems)


# ---- mutated files

TOKENS = [
    b":",
    b": ",
    b"- ",
    b"-",
    b"&a ",
    b"*a",
    b"&a [*a]",
    b"!!str ",
    b"!x ",
    b"!!",
    b"{",
    b"}",
    b"[",
    b"]",
    b"'",
    b'"',
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b"#",
    b"? ",
    b"<<: ",
    b"|",
    b">-",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"---\n",
    b"...\n",
    b"%YAML 1.2\n",
    b"~",
    b"null",
    b"1e999",
    b"NO",
    b"\\u",
    b"  ",
    b"\xe4\xb8\xad",
]
KINDS = ["insert", "delete", "flip", "duplicate line", "swap lines", "truncate"]


@st.composite
def mutated(draw: Any, sources: list[Path]) -> tuple[Path, bytes]:
    """One of ``sources`` with one to three random edits: insert, delete, flip a bit, duplicate or swap lines,
    truncate. Positions are drawn over the whole file, not only near its start."""
    source = draw(st.sampled_from(sources))
    data = source.read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        at = draw(st.integers(0, len(data)))
        if kind == "insert":
            data = data[:at] + draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif kind == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif kind in ("duplicate line", "swap lines"):
            lines = data.splitlines(keepends=True)
            if not lines:
                continue
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate line":
                lines.insert(i, lines[i])
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            data = b"".join(lines)
        elif kind == "truncate":
            data = data[:at]
    return source, data


def load_as_case(path: Path) -> None:
    try:
        load_case(path)
    except ScreeningError as exc:
        assert exc.problems


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mutated")


@pytest.fixture(scope="module")
def pack_copy(tmp_path_factory) -> Path:
    """A copy of the bundled pack; each example replaces one file and puts it back."""
    target = tmp_path_factory.mktemp("pack") / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target


@settings(PROFILE, max_examples=40)
@given(mutated(CASES))
def test_mutated_case_gives_a_case_or_problems(workdir, case):
    path = workdir / "case.yaml"
    path.write_bytes(case[1])
    load_as_case(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(api, "pack_at", lambda _path: default_pack())  # the case is under test, not the pack
        code, _, err = run_cli("screen", str(path), "-f", "json")
    assert code in (0, 1, 2) and "Traceback" not in err


@settings(PROFILE, max_examples=12)
@given(mutated(RULE_FILES))
def test_mutated_rule_file_gives_a_pack_or_problems(workdir, pack_copy, rule_file):
    source, data = rule_file
    path = workdir / source.name
    path.write_bytes(data)
    load_as_case(path)
    target = pack_copy / source.name
    target.write_bytes(data)
    try:
        try:
            pack, problems = read_pack(pack_copy, use_cache=False)
            assert isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)
            assert pack is not None or problems
        except ScreeningError as exc:
            assert exc.problems
        code, _, err = run_cli("screen", str(ALIBABA), "--rules", str(pack_copy), "-f", "json")
        assert code in (0, 1, 2) and "Traceback" not in err
    finally:
        shutil.copyfile(source, target)


# ---- round trip and determinism


def outcome(result: Any) -> tuple[Any, ...]:
    return (
        result.score,
        result.level,
        sorted(f.rule.id for f in result.findings),
        sorted(f.rule.id for f in result.mitigations),
    )


def _as_written(node: Any) -> Any:
    """A case document with its value forms (bounds, ranges of days) as a case writes them."""
    if hasattr(node, "written"):
        return node.written()
    if isinstance(node, dict):
        return {k: _as_written(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_written(v) for v in node]
    return node


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_example_case_survives_a_round_trip(path):
    case = load_case(path)
    text = yaml.safe_dump(_as_written(case.data), allow_unicode=True, sort_keys=False)
    data, marks = loads(text, "again.yaml")
    again = build_case(data, marks, "again.yaml")
    assert again.data == case.data
    assert outcome(screen(again, default_pack())) == outcome(screen(case, default_pack()))


DEFS = case_schema()["$defs"]
PROPS = case_schema()["properties"]
COUNTRIES = ["CN", "RU", "US", "DE", "NO", "KY", "SA", "AE", "BE", "GB", "HK", "FR"]
EXPONENT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+")
names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=15).filter(
    lambda s: not EXPONENT.fullmatch(s)  # PyYAML writes '1e3' plain (text in YAML 1.1), read back as a number
) | st.sampled_from(["华为技术有限公司", "صندوق الاستثمارات العامة", "Ölmühle Müller", "NO", "yes", "0777"])
pct = st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1))


def enum(node: dict[str, Any]) -> Any:
    return st.sampled_from(node["enum"])


def optional(data: dict[str, Any], draw: Any, key: str, strategy: Any) -> None:
    if draw(st.booleans()):
        data[key] = draw(strategy)


@st.composite
def valid_cases(draw: Any) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    entities = []
    for i in range(n):
        entity = {"id": f"e{i}", "name": draw(names)}
        optional(entity, draw, "country", st.sampled_from(COUNTRIES))
        optional(entity, draw, "kind", enum(DEFS["entity"]["properties"]["kind"]))
        optional(entity, draw, "state_ownership_pct", pct)
        optional(entity, draw, "owners_complete", st.booleans())
        optional(
            entity,
            draw,
            "listings",
            st.lists(st.builds(lambda x: {"list": x}, enum(DEFS["listing"]["properties"]["list"])), max_size=2),
        )
        optional(
            entity,
            draw,
            "state_links",
            st.lists(
                st.builds(
                    lambda k, s, p: {"kind": k, "state": s, "pct": p},
                    enum(DEFS["state_link"]["properties"]["kind"]),
                    st.sampled_from(COUNTRIES),
                    pct,
                ),
                max_size=2,
            ),
        )
        optional(
            entity,
            draw,
            "conduct",
            st.lists(st.builds(lambda k: {"kind": k}, enum(DEFS["conduct"]["properties"]["kind"])), max_size=2),
        )
        entities.append(entity)
    ownership = [
        {
            "owner": f"e{i}",
            "owned": f"e{draw(st.integers(0, i - 1))}",
            "equity_pct": draw(st.floats(0, 100 / n).map(lambda x: round(x, 1))),
            "rights": draw(st.lists(enum(DEFS["edge"]["properties"]["rights"]["items"]), max_size=2, unique=True)),
        }
        for i in range(1, n)
    ]
    target = {"name": draw(names)}
    optional(target, draw, "country", st.sampled_from(COUNTRIES))
    optional(
        target,
        draw,
        "sectors",
        st.lists(enum(PROPS["target"]["properties"]["sectors"]["items"]), max_size=3, unique=True),
    )
    optional(
        target,
        draw,
        "critical_infrastructure",
        st.lists(st.builds(lambda k: {"kind": k}, enum(DEFS["asset"]["properties"]["kind"])), max_size=2),
    )
    optional(
        target,
        draw,
        "critical_technologies",
        st.lists(
            st.builds(
                lambda k, e: {"kind": k, "export_controlled": e},
                enum(DEFS["technology"]["properties"]["kind"]),
                st.booleans(),
            ),
            max_size=2,
        ),
    )
    optional(
        target,
        draw,
        "data",
        st.lists(
            st.builds(
                lambda c, s: {"category": c, "subjects": s},
                enum(DEFS["data"]["properties"]["category"]),
                st.integers(0, 10**8),
            ),
            max_size=2,
        ),
    )
    transaction: dict[str, Any] = {}
    optional(transaction, draw, "kind", enum(PROPS["transaction"]["properties"]["kind"]))
    optional(transaction, draw, "stake_after_pct", pct)
    optional(transaction, draw, "votes_after_pct", pct)
    optional(transaction, draw, "board_seats", st.integers(0, 5))
    optional(transaction, draw, "technical_information_access", st.booleans())
    data = {
        "format": 1,
        "id": "gen",
        "title": draw(names),
        "investor": "e0",
        "entities": entities,
        "ownership": ownership,
        "target": target,
    }
    if transaction:
        data["transaction"] = transaction
    optional(
        data,
        draw,
        "mitigations",
        st.lists(
            st.builds(
                lambda k, b: {"kind": k, "binding": b}, enum(DEFS["mitigation"]["properties"]["kind"]), st.booleans()
            ),
            max_size=2,
        ),
    )
    return data


@settings(PROFILE, max_examples=25)
@given(valid_cases())
def test_screening_is_deterministic(data):
    first = screen(build_case(copy.deepcopy(data), {}, "gen.yaml"), default_pack())
    second = screen(build_case(copy.deepcopy(data), {}, "gen.yaml"), default_pack())
    assert outcome(first) == outcome(second)
    assert render("json", [first]) == render("json", [second])
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    reread = build_case(*loads(text, "gen.yaml"), "gen.yaml")
    assert outcome(screen(reread, default_pack())) == outcome(first)
