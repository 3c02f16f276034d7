"""screening: score foreign-investment cases against versioned YAML rule packs."""

__version__ = "0.1.0"

from types import MappingProxyType
from typing import Any

EMPTY: Any = MappingProxyType({})
"""Default for mapping fields of immutable records: shared by all of them, so read-only."""
