"""pulse surveys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:54:01.186585
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_invitations',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('survey_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'survey_id', 'employee_id', name=op.f('pk_survey_invitations')),
    schema='hris',
    comment='Who a pulse asks (its audience when it was defined), and whether they answered'
    )
    op.create_table('survey_responses',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('response_id', sa.Text(), nullable=False),
    sa.Column('survey_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=False),
    sa.Column('answers', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='question id -> score; no free text'),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'response_id', name=op.f('pk_survey_responses')),
    schema='hris'
    )
    op.create_index('ix_survey_responses_survey', 'survey_responses', ['tenant_id', 'survey_id'], unique=False, schema='hris')
    op.create_table('surveys',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('survey_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('questions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('audience', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'survey_id', name=op.f('pk_surveys')),
    schema='hris',
    comment='Pulse surveys HR defined'
    )


def downgrade() -> None:
    op.drop_table('surveys', schema='hris')
    op.drop_index('ix_survey_responses_survey', table_name='survey_responses', schema='hris')
    op.drop_table('survey_responses', schema='hris')
    op.drop_table('survey_invitations', schema='hris')
