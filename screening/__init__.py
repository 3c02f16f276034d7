"""screening: score foreign-investment cases against versioned YAML rule packs."""

__version__ = "0.1.0"
