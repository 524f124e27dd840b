"""which competencies cover which skills of the library (opportunities may require skills)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'skill_coverage',
        sa.Column('tenant_id', sa.Text(), nullable=False),
        sa.Column('framework_id', sa.Text(), nullable=False),
        sa.Column('skill_uri', sa.Text(), nullable=False),
        sa.Column('framework_version', sa.Integer(), nullable=False),
        sa.Column('competency_ids', postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint('tenant_id', 'framework_id', 'skill_uri', name=op.f('pk_skill_coverage')),
        schema='mobility',
        comment='Which competencies of a published framework cover each skill of the library: '
        'a person\'s level in a required skill is their highest in these',
    )


def downgrade() -> None:
    op.drop_table('skill_coverage', schema='mobility')
