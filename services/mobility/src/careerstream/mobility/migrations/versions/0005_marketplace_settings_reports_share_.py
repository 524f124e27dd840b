"""marketplace settings; reports share their matches with their managers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:28:44.645263
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('settings',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('tell_manager_on_shortlist', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_settings')),
    schema='mobility',
    comment="The tenant's marketplace settings (absent: the defaults)"
    )
    op.add_column('profiles', sa.Column('share_matches_with_manager', sa.Boolean(), server_default=sa.text('false'), nullable=False, comment='their managers may see the open opportunities that fit them'), schema='mobility')


def downgrade() -> None:
    op.drop_column('profiles', 'share_matches_with_manager', schema='mobility')
    op.drop_table('settings', schema='mobility')
