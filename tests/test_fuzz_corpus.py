"""Replay the fuzzing corpus: every kept input gives a model or located problems, never another exception.

The inputs come from the coverage-guided fuzzer ``fuzz/fuzz_loaders.py`` and from hand-written seeds;
see ``fuzz_corpus/README.md``. Each is run the way the fuzzer runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.case.load import build_case
from screening.infra.errors import Problem, ScreeningError
from screening.infra.yamlio import loads, read_text
from screening.pack.load import validate

CORPUS = Path(__file__).parent / "fuzz_corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "README.md")


@pytest.fixture(scope="module", autouse=True)
def default_limits():
    with pytest.MonkeyPatch.context() as mp:
        for var in ("SCREENING_MAX_BYTES", "SCREENING_MAX_VALUES", "SCREENING_MAX_DEPTH", "SCREENING_MAX_TEXT"):
            mp.delenv(var, raising=False)
        yield


def replay(data: bytes, name: str = "fuzz.yaml") -> None:
    """What ``fuzz_loaders.one_input`` does, asserting on the results."""
    text = data.decode("utf-8-sig")
    try:
        document, marks = loads(text, name)
    except ScreeningError as exc:
        assert exc.problems and all(isinstance(p, Problem) for p in exc.problems)
        return
    try:
        build_case(document, marks, name)
    except ScreeningError as exc:
        assert exc.problems
    problems = validate("rules", document, marks, name)
    assert isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_input(path):
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:  # the fuzzer skips these: decoding is read_text's job
        with pytest.raises(ScreeningError) as info:
            read_text(path)
        assert [p.code for p in info.value.problems] == ["E002"]
        return
    replay(data)


def test_corpus_is_there():
    assert (CORPUS / "README.md").is_file()
    assert len(FILES) >= 5
