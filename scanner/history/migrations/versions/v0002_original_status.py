"""A suppressed finding keeps the status it had: findings.original_status.

A period export counts a waived failure as part of an exception, but an inline skip may cover a
passing finding; without the original status both looked alike.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("findings", sa.Column("original_status", sa.String(16)))


def downgrade() -> None:
    op.drop_column("findings", "original_status")
