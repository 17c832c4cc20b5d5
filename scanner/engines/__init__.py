"""Second engines: other scanners run as separate processes, their results mapped into comply
findings. Never imported into comply's environment (docs/decisions.md)."""
