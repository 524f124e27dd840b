"""an import's rows in a table of their own, read a chunk at a time

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'import_rows',
        sa.Column('tenant_id', sa.Text(), nullable=False),
        sa.Column('import_id', sa.Text(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False, comment="the row's line in the file"),
        sa.Column('employee_id', sa.Text(), nullable=False),
        sa.Column(
            'record',
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the row's fields but the employee id",
        ),
        sa.Column('hire_date', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('tenant_id', 'import_id', 'line', name=op.f('pk_import_rows')),
        schema='hris',
        comment='an import\'s rows until it is done (read a chunk at a time, then deleted)',
    )
    op.create_index(
        'ix_import_rows_employee',
        'import_rows',
        ['tenant_id', 'import_id', 'employee_id'],
        unique=False,
        schema='hris',
    )
    # The rows of imports not yet done move across; those of finished imports are not needed.
    op.execute(
        """
        INSERT INTO hris.import_rows (tenant_id, import_id, line, employee_id, record, hire_date)
        SELECT i.tenant_id, i.import_id, (r->>'line')::int, r->'record'->>'employee_id',
               (r->'record') - 'employee_id', (r->>'hire_date')::date
        FROM hris.imports i CROSS JOIN LATERAL jsonb_array_elements(i.rows) AS r
        WHERE i.status <> 'done'
        """
    )
    # Where a resumed run goes on: the last line applied (rows an erasure took out do not count).
    op.add_column(
        'imports',
        sa.Column(
            'after_line',
            sa.Integer(),
            server_default='0',
            nullable=False,
            comment='the last line applied: a resumed run goes on after it',
        ),
        schema='hris',
    )
    op.execute(
        """
        UPDATE hris.imports i SET after_line = coalesce((
            SELECT (r->>'line')::int
            FROM jsonb_array_elements(i.rows) WITH ORDINALITY AS e(r, n)
            WHERE n = i.done), 0)
        WHERE i.status <> 'done' AND i.done > 0
        """
    )
    op.drop_column('imports', 'rows', schema='hris')


def downgrade() -> None:
    op.add_column(
        'imports',
        sa.Column(
            'rows',
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
        ),
        schema='hris',
    )
    op.execute(
        """
        UPDATE hris.imports i SET rows = (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                'line', r.line,
                'record', r.record || jsonb_build_object('employee_id', r.employee_id),
                'hire_date', r.hire_date) ORDER BY r.line), '[]'::jsonb)
            FROM hris.import_rows r
            WHERE r.tenant_id = i.tenant_id AND r.import_id = i.import_id)
        """
    )
    op.alter_column('imports', 'rows', server_default=None, schema='hris')
    op.drop_column('imports', 'after_line', schema='hris')
    op.drop_index('ix_import_rows_employee', table_name='import_rows', schema='hris')
    op.drop_table('import_rows', schema='hris')
