"""The decision: screening a case, the filing matrix, and what-if edits."""
