"""Every rule's examples: `pytest -k SI-003` runs one rule's."""

from __future__ import annotations

import pytest

from screening.pack.examples import run_rule_examples
from screening.pack.load import default_pack_path, load_pack

PACK = load_pack(default_pack_path())


@pytest.mark.parametrize("rule", PACK.rules, ids=[r.id for r in PACK.rules])
def test_examples(rule):
    results = run_rule_examples(rule)
    assert {r.kind for r in results} == {"fires", "quiet"}, "each rule needs fires and quiet examples"
    failures = [f"{r.kind}[{r.index}] {r.fragment}: {r.message}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)
