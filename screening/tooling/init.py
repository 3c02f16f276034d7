"""`screening init DIR`: a new rule pack that works from the first run, and stays whole when moved.

The pack holds one rule with examples, the scoring, the legal instrument it cites, an example case *inside
the pack* (``cases/``) with a test on it, a pre-commit configuration and a GitHub Actions workflow that
run check, test and fmt. `screening check DIR`, `screening test DIR --min-coverage 100` and
`screening fmt --check DIR` pass on it as written; copied elsewhere, its tests still find their case.
"""

from __future__ import annotations

import re
from pathlib import Path

from screening.infra.errors import fail
from screening.infra.output import write_atomic

PACK = """\
name: {name}
version: 0.1.0
description: >
  Risk criteria of {name}. Each rule cites the provision or the documented practice it encodes.
id_pattern: "^[A-Z]{{2}}-[0-9]{{3}}$"
sets:
  # States whose law obliges organisations to assist state intelligence services on request.
  intelligence_law_states: [CN, RU]
"""

SCORING = """\
# How rule points become a 0-100 score and a level (see the screening documentation on scoring).
categories:
  - id: state_influence
    title: State influence
    cap: 40
  - id: mitigations
    title: Mitigations
    mitigation: true
levels:
  - {id: low, min: 0}
  - {id: medium, min: 25}
  - {id: high, min: 50}
  - {id: critical, min: 75}
"""

LEGAL = """\
# The instruments the rules cite: a rule's legal_basis entry is "INSTRUMENT-ID pinpoint".
instruments:
  - id: EU-2019/452
    title: Regulation (EU) 2019/452 establishing a framework for the screening of foreign direct investments
    jurisdiction: EU
    url: https://eur-lex.europa.eu/eli/reg/2019/452/oj
    date: 2019-03-19
"""

RULES = """\
rules:
  - id: SI-001
    name: state_influence.state_owned_investor
    title: The investor is a state body, a state-owned enterprise or a sovereign fund
    category: state_influence
    weight: 20
    when:
      field: investor.kind
      in: [state_body, soe, sovereign_fund]
    rationale: >
      An investor owned by a state can be directed to pursue that state's strategic aims rather than a
      commercial return; Reg. 2019/452 names control by a third-country government as a screening factor.
    legal_basis:
      - "EU-2019/452 Art. 4(2)(a)"
    examples:
      fires:
        - {investor: {kind: soe}}
      quiet:
        - {investor: {kind: private_company}}
"""

CASE = """\
format: 1
id: example-state-investor
title: A state-owned investor buys a logistics company (illustrative)
summary: >
  ILLUSTRATIVE CASE: the companies are placeholders. A state-owned enterprise acquires all of a logistics
  company. Replace it with a case of your own.
as_of: 2026-11-28

investor: buyer
entities:
  - id: buyer
    name: Example State Logistics Co.
    country: CN
    kind: soe
    state_ownership_pct: 100
    sources: [illustrative]

target:
  name: Example Logistics NV
  country: BE
  sectors: [transport]
  sources: [illustrative]

transaction:
  kind: acquisition
  stake_after_pct: 100
  votes_after_pct: 100
  signing_date: 2026-09-15
  sources: [illustrative]

sources:
  - id: illustrative
    title: Illustrative case written for a new rule pack; not drawn from a public record
    publisher: screening project
    date: 2026-11-28
"""

TESTS = """\
# The pack's regression tests: each case file (relative to this file, inside the pack) and what the pack
# must make of it. `screening test .` runs them with every rule's examples.
format: 1
tests:
  - case: ../cases/example-state-investor.yaml
    expect:
      fires: [SI-001]
"""

PRE_COMMIT = """\
# pre-commit hooks: check, test and format the rule pack on every commit (`pip install pre-commit &&
# pre-commit install`). They run the screening command installed in the environment.
repos:
  - repo: local
    hooks:
      - id: screening-check
        name: screening check
        entry: screening check .
        language: system
        files: \\.ya?ml$
        pass_filenames: false
      - id: screening-test
        name: screening test
        entry: screening test . --min-coverage 100
        language: system
        files: \\.ya?ml$
        pass_filenames: false
      - id: screening-fmt
        name: screening fmt
        entry: screening fmt --check .
        language: system
        files: \\.ya?ml$
        pass_filenames: false
"""

WORKFLOW = """\
# GitHub Actions: check, test and format the rule pack on every pull request, and show what the change does
# to the pack's cases. Set the install line to where your screening comes from (a wheel, your package
# index, or a git address): the project has no public package, and a bare `pip install screening` would
# fetch another one.
name: rules
on: [pull_request]
jobs:
  rules:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      - run: pip install "screening @ git+https://git.example.org/tools/screening"
      - run: screening check . --format github
      - run: screening test . --min-coverage 100 --format junit -o junit.xml
      - run: screening fmt --check .
      - run: screening diff origin/${{ github.base_ref }}:. . --format markdown -o diff.md
"""

FILES = {
    "pack.yaml": PACK,
    "scoring.yaml": SCORING,
    "legal.yaml": LEGAL,
    "rules.yaml": RULES,
    "cases/example-state-investor.yaml": CASE,
    "tests/example.yaml": TESTS,
    ".pre-commit-config.yaml": PRE_COMMIT,
    ".github/workflows/rules.yml": WORKFLOW,
}
"""The files of a new pack, by path inside it."""


def pack_name(directory: Path) -> str:
    """A pack name from the directory's name: lower case, letters, digits and dashes."""
    name = re.sub(r"[^a-z0-9]+", "-", directory.absolute().name.lower()).strip("-")
    return name or "rules"


def create_pack(directory: Path) -> list[Path]:
    """Write a new pack into ``directory`` (created; an existing one must be empty); return the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise fail(str(directory), "E401", "cannot create a pack here: it exists and is not an empty directory")
    written = []
    try:
        for relative, text in FILES.items():
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text.format(name=pack_name(directory)) if relative == "pack.yaml" else text)
            written.append(path)
    except OSError as exc:
        raise fail(str(directory), "E401", f"cannot create a pack here: {exc.strerror or exc}") from None
    return written
