"""The first history schema: runs, their shards, findings by fingerprint, the population.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(512), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("shard_total", sa.Integer, nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
    )
    op.create_index("ix_runs_scope", "runs", ["scope"])
    op.create_table(
        "run_shards",
        sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("shard_index", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", _MOMENT, nullable=False),
        sa.Column("finished_at", _MOMENT),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("arguments", sa.Text, nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
        sa.Column("accounts", sa.Text, nullable=False),
        sa.Column("regions", sa.Text, nullable=False),
        sa.Column("commit", sa.String(64)),
        sa.Column("operator_user", sa.String(256)),
        sa.Column("operator_host", sa.String(256)),
        sa.Column("ci_run_url", sa.Text),
        sa.Column("summary", sa.Text),
        sa.Column("errors", sa.Text),
        sa.Column("context", sa.Text),
    )
    shard_key = sa.ForeignKeyConstraint(
        ["run_id", "shard_index"], ["run_shards.run_id", "run_shards.shard_index"]
    )
    op.create_table(
        "findings",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("shard_index", sa.Integer, primary_key=True),
        sa.Column("check_id", sa.String(256), nullable=False),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("resource_type", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("controls", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("failing_since", _MOMENT),
        shard_key,
    )
    op.create_index("ix_findings_check_id", "findings", ["check_id"])
    op.create_index("ix_findings_resource_id", "findings", ["resource_id"])
    op.create_table(
        "resources",
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("shard_index", sa.Integer, primary_key=True),
        sa.Column("resource_key", sa.String(64), primary_key=True),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("resource_type", sa.String(256), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id", "shard_index"], ["run_shards.run_id", "run_shards.shard_index"]
        ),
    )


def downgrade() -> None:
    for table in ("resources", "findings", "run_shards", "runs"):
        op.drop_table(table)
