"""The compiled evaluator: a pack's conditions written as one generated Python function."""
