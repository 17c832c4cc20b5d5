"""The model (resources, findings, the Unknown marker), the check registry, the engine, and the
small mechanics every layer shares (dates, YAML files, redaction, git, paths). Imports nothing
above it."""
