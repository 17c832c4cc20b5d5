"""The history store's tables (SQLAlchemy Core), as the latest migration leaves them.

A *run* is one logical scan of one scope; it has `shard_total` shards, each a process that
reports on its own (`comply scan aws --shard 2/4 --run-id ...`). An ordinary scan is a run of
one shard. A shard row is written when the scan starts (`running`) and completed, together with
its findings and population, in one transaction when it ends: a shard that never completes is a
crashed or unfinished scan, and its run is never shown as clean.

Rows are only ever added, except a shard's own `running` -> `complete` transition.
Structured values (lists, mappings) are JSON text, so that SQLite and PostgreSQL store the same
thing and a reader needs no dialect-specific types.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    # What was scanned, as a stable key: runs of one scope are compared with each other.
    sa.Column("scope", sa.String(512), nullable=False, index=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("shard_total", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

run_shards = sa.Table(
    "run_shards",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("shard_index", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # running | complete
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("tool_version", sa.String(64), nullable=False),
    sa.Column("arguments", sa.Text, nullable=False),  # JSON list, secrets masked
    sa.Column("targets", sa.Text, nullable=False),  # JSON list
    sa.Column("accounts", sa.Text, nullable=False),  # JSON list
    sa.Column("regions", sa.Text, nullable=False),  # JSON list
    sa.Column("commit", sa.String(64)),
    sa.Column("operator_user", sa.String(256)),
    sa.Column("operator_host", sa.String(256)),
    sa.Column("ci_run_url", sa.Text),
    sa.Column("summary", sa.Text),  # JSON {status: count}, once complete
    sa.Column("errors", sa.Text),  # JSON [{target, message}], redacted, once complete
    sa.Column("context", sa.Text),  # JSON: the scan's provenance (identity, repository ...)
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    # (run_id, fingerprint) leads the key: one finding of one run is found by an index seek.
    sa.Column("fingerprint", sa.String(64), primary_key=True),
    sa.Column("shard_index", sa.Integer, primary_key=True),
    sa.Column("check_id", sa.String(256), nullable=False),
    sa.Column("resource_id", sa.Text, nullable=False),
    sa.Column("resource_type", sa.String(256), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),  # redacted
    sa.Column("controls", sa.Text, nullable=False),  # JSON ["hipaa:164.312(b)", "soc2:CC7.2"]
    sa.Column("location", sa.Text, nullable=False),  # JSON {file, start_line} | {account, region}
    # When the current unbroken streak of failures began (fail only): "since when?".
    sa.Column("failing_since", sa.DateTime(timezone=True)),
    # A `skipped` finding's status before its waiver or inline skip (fail, pass ...); NULL for
    # other statuses and for rows stored before revision 0002.
    sa.Column("original_status", sa.String(16)),
    sa.ForeignKeyConstraint(
        ["run_id", "shard_index"], ["run_shards.run_id", "run_shards.shard_index"]
    ),
)
sa.Index("ix_findings_check_id", findings.c.check_id)
sa.Index("ix_findings_resource_id", findings.c.resource_id)

resources = sa.Table(
    "resources",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("shard_index", sa.Integer, primary_key=True),
    sa.Column("resource_key", sa.String(64), primary_key=True),  # sha256 of the id (indexable)
    sa.Column("resource_id", sa.Text, nullable=False),
    sa.Column("resource_type", sa.String(256), nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("location", sa.Text, nullable=False),  # JSON
    sa.Column("attributes", sa.Text, nullable=False),  # JSON, redacted
    sa.ForeignKeyConstraint(
        ["run_id", "shard_index"], ["run_shards.run_id", "run_shards.shard_index"]
    ),
)
