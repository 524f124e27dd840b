"""framework versions: one row per version, the document as JSONB

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "framework_versions",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("framework_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("published_by", sa.Text),
        sa.Column("retired_at", sa.DateTime(timezone=True)),
        sa.Column("retired_reason", sa.Text),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'retired')", name="ck_framework_versions_status_known"
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "framework_id", "version", name="pk_framework_versions"
        ),
        schema="frameworks",
    )
    op.create_index(
        "one_draft_per_framework",
        "framework_versions",
        ["tenant_id", "framework_id"],
        unique=True,
        schema="frameworks",
        postgresql_where=sa.text("status = 'draft'"),
    )


def downgrade() -> None:
    op.drop_table("framework_versions", schema="frameworks")
