"""who may be found: open_to_approach, share_aspirations; the candidate search log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('profiles', sa.Column('open_to_approach', sa.Boolean(), server_default=sa.false(), nullable=False), schema='mobility')
    op.add_column('profiles', sa.Column('share_aspirations', sa.Boolean(), server_default=sa.false(), nullable=False), schema='mobility')
    op.create_table('candidate_searches',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('search_id', sa.Text(), nullable=False),
    sa.Column('opportunity_id', sa.Text(), nullable=False),
    sa.Column('searched_by', sa.Text(), nullable=False),
    sa.Column('searched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_hr', sa.Boolean(), nullable=False),
    sa.Column('shown', sa.Integer(), nullable=False),
    sa.Column('shown_in_full', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'search_id', name=op.f('pk_candidate_searches')),
    schema='mobility'
    )
    op.create_index('ix_candidate_searches_time', 'candidate_searches', ['tenant_id', 'searched_at'], unique=False, schema='mobility')


def downgrade() -> None:
    op.drop_index('ix_candidate_searches_time', table_name='candidate_searches', schema='mobility')
    op.drop_table('candidate_searches', schema='mobility')
    op.drop_column('profiles', 'share_aspirations', schema='mobility')
    op.drop_column('profiles', 'open_to_approach', schema='mobility')
