"""Drift between Terraform and live AWS: join state to live resources, compare, report."""
