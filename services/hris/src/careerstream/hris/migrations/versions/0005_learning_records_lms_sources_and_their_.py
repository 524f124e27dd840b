"""learning records: LMS sources and their xAPI statements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:21:51.250657
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('learning_sources',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False, comment='the Basic user name'),
    sa.Column('secret_sha256', sa.Text(), nullable=False, comment='the secret is shown once'),
    sa.Column('identifier', sa.Text(), nullable=False, comment="how an actor maps to an employee: 'email' or 'employee_id'"),
    sa.Column('home_page', sa.Text(), nullable=True, comment='employee_id: the account homePage required'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'source_id', name=op.f('pk_learning_sources')),
    sa.UniqueConstraint('key', name=op.f('uq_learning_sources_key')),
    schema='hris',
    comment='LMSs that send xAPI statements, with their credentials'
    )
    op.create_table('learning_statements',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('statement_id', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Text(), nullable=False),
    sa.Column('employee_id', sa.Text(), nullable=True, comment='whom the actor maps to; null when nobody'),
    sa.Column('verb_id', sa.Text(), nullable=False),
    sa.Column('activity_id', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.Text(), nullable=False, comment='what a re-sent id is compared on'),
    sa.Column('statement', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='as stored (with stored, authority)'),
    sa.Column('published', sa.Boolean(), nullable=False, comment='it became a learning event'),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_by', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('tenant_id', 'statement_id', name=op.f('pk_learning_statements')),
    schema='hris',
    comment="The company's learning record: every statement an LMS sent"
    )
    op.create_index('ix_learning_statements_employee', 'learning_statements', ['tenant_id', 'employee_id'], unique=False, schema='hris')
    op.create_index('ix_learning_statements_stored', 'learning_statements', ['tenant_id', 'source_id', 'stored_at'], unique=False, schema='hris')
    op.create_index('ix_people_work_email', 'people', ['tenant_id', sa.literal_column('lower(work_email)')], unique=False, schema='hris')


def downgrade() -> None:
    op.drop_index('ix_people_work_email', table_name='people', schema='hris')
    op.drop_index('ix_learning_statements_stored', table_name='learning_statements', schema='hris')
    op.drop_index('ix_learning_statements_employee', table_name='learning_statements', schema='hris')
    op.drop_table('learning_statements', schema='hris')
    op.drop_table('learning_sources', schema='hris')
