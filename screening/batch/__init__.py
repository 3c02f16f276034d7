"""Batch screening: many cases from YAML, JSON Lines, CSV or Parquet to one results file, resumable."""
