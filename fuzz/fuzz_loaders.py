"""Coverage-guided fuzzing of the loaders with atheris: YAML text in, a located problem or a model out.

Anything but a ScreeningError (or success) is a defect: a traceback the user would see. Run by hand
for a set time; inputs that reach new code are kept in the corpus directory, and crashing inputs are
written as crash-* files. Copy those worth keeping to tests/fuzz_corpus/: the test suite replays them.

    pip install atheris
    python fuzz/fuzz_loaders.py fuzz/corpus -max_total_time=600 -rss_limit_mb=2048
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    from screening.case.load import build_case
    from screening.infra.errors import ScreeningError
    from screening.infra.yamlio import loads
    from screening.pack.load import validate


def one_input(data: bytes) -> None:
    """Load ``data`` as a case, and as a rule file; only located problems may come out."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # decoding is read_text's job, tested on its own
    try:
        document, marks = loads(text, "fuzz.yaml")
    except ScreeningError:
        return
    try:
        build_case(document, marks, "fuzz.yaml")
    except ScreeningError:
        pass
    validate("rules", document, marks, "fuzz.yaml")


def seed(corpus: Path) -> None:
    """Start the corpus from the example cases, the rule files and the broken files of the tests."""
    corpus.mkdir(parents=True, exist_ok=True)
    if any(corpus.iterdir()):
        return
    sources = [
        *ROOT.glob("cases/*.yaml"),
        *ROOT.glob("rules/*.yaml"),
        *ROOT.glob("tests/bad/**/*.yaml"),
        *ROOT.glob("tests/fuzz_corpus/*"),
    ]
    for i, path in enumerate(sorted(sources)):
        (corpus / f"seed-{i:03d}").write_bytes(path.read_bytes()[:20000])


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if args:
        seed(Path(args[0]))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
