"""Inline `comply:skip` comments on resources, companions and module blocks."""

from __future__ import annotations

from scanner.core.model import Skip


def test_skips_inside_resource_and_companion_blocks(load, by_id):
    resources = by_id(load("skips"))
    assert resources["aws_s3_bucket.skipped"].skips == [
        Skip("s3_bucket_versioning_enabled", "scratch data, recreated nightly", "main.tf", 2),
        Skip("s3_bucket_logging_enabled", "", "main.tf", 4),  # `//` comment, empty reason
        Skip("s3_bucket_public_access_blocked", "public website", "main.tf", 9),  # from companion
    ]
    assert resources["aws_s3_bucket.plain"].skips == []


def test_skip_on_module_block_applies_to_every_resource_it_creates(load):
    result = load("modules")
    module_skip = Skip("s3_bucket_logging_enabled", "logs go to the central account", "main.tf", 7)
    for resource in result.resources:
        if resource.id.startswith("module.storage."):
            assert resource.skips == [module_skip], resource.id
        else:
            assert resource.skips == [], resource.id  # a comment above the block does not count
