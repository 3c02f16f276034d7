"""The case: its model, loading, the entity registry, the fact catalogue, facts, ownership, watchlists."""
