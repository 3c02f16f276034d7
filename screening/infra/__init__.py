"""Infrastructure: reading YAML and JSON, schema checks, located problems, limits, files and output."""
