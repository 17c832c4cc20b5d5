"""Pull-request gating: `.comply.yaml` settings, baselines and `--changed-since`."""
