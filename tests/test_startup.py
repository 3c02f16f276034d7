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
    # a cold cache is written once (with tempfile, for an atomic write): warm it, then look at a warm run
    subprocess.run([sys.executable, "-m", "screening", "screen", str(CASES[0])], cwd=ROOT, capture_output=True)
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


def test_a_command_run_alone_is_the_command_of_the_whole_app():
    """main() registers only the command it runs (typer builds every registered command on each run): its
    help, options and errors are those of the whole app; anything else runs the whole app."""
    from typer.testing import CliRunner

    from screening.cli import _app_for, _command_name, app

    names = [_command_name(c) for c in app.registered_commands]
    assert "screen" in names and "test" in names and len(names) == len(set(names))
    runner = CliRunner()
    for name in names:
        alone = _app_for([name, "--help"])
        assert [_command_name(c) for c in alone.registered_commands] == [name]
        for args in ([name, "--help"], [name, "--no-such-option"]):
            whole = runner.invoke(app, args, prog_name="screening")
            one = runner.invoke(alone, args, prog_name="screening")
            assert (one.exit_code, one.output) == (whole.exit_code, whole.output), args
    for args in ([], ["--help"], ["--version"], ["rules", "list"], ["scren"], ["screen-x"]):
        assert _app_for(args) is app
