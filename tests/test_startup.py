"""`screening screen` of one case imports only what screening one case needs: start-up time counts
(bench/startup.py measures it against the import floor)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import CASES, ROOT

NOT_NEEDED = (
    "msgspec",  # the batch's quick path
    "numpy",
    "scipy",  # large ownership blocks
    "pyarrow",
    "dask",
    "pycountry",  # country names in a mapping
    "rapidfuzz",  # watchlists
    "ruamel",  # fmt
    "jsonschema",
    "hashlib",  # OpenSSL: the pack is hashed with CPython's own sha256
    "tempfile",  # writing a file
    "screening.batch",
    "screening.tooling",
    "screening.case.watchlists",
    "screening.conditions.compiled",  # a batch compiles the pack to generated code; one case does not
    "screening.report.html",
    "screening.report.markdown",
)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_screen_of_one_case_imports_nothing_it_does_not_need(fmt):
    code = (
        "import sys; from screening.cli import main\ntry: main(sys.argv[1:])\nexcept SystemExit: pass\n"
        f"sys.stderr.write('\\n' + repr(sorted(m for m in {NOT_NEEDED!r} if m in sys.modules)))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code, "screen", str(CASES[0]), "--format", fmt],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.stderr.splitlines()[-1] == "[]"
    # neither the JSON report nor the plain text one (to a pipe, without colour) imports rich: the text is
    # laid out by screening.report.layout
    check = code.replace(repr(NOT_NEEDED), "('rich',)")
    found = subprocess.run(
        [sys.executable, "-c", check, "screen", str(CASES[0]), "--format", fmt],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.stderr.splitlines()[-1] == "[]"
