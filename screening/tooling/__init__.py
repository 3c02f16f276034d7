"""Pack tooling: check, test, diff, fmt and the editor schemas."""
