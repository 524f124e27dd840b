"""the skills library (ESCO)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Trigrams correct misspelt words; a trusted extension, which the database's owner may create.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('skill_library',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('version', sa.Text(), nullable=False),
    sa.Column('languages', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('imports', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_skill_library')),
    schema='frameworks',
    comment='The skills library each tenant has imported (ESCO), as of its latest import'
    )
    op.create_table('skill_library_imports',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Text(), nullable=False),
    sa.Column('languages', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.Text(), nullable=False),
    sa.Column('report', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'number', name=op.f('pk_skill_library_imports')),
    schema='frameworks',
    comment='Every import of the skills library, with what it added, changed and withdrew'
    )
    op.create_table('skill_concepts',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('uri', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('skill_type', sa.Text(), server_default='', nullable=False),
    sa.Column('reuse_level', sa.Text(), server_default='', nullable=False),
    sa.Column('code', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('labels', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='language -> preferred, alternative, hidden, description'),
    sa.Column('broader', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('fingerprint', sa.Text(), nullable=False),
    sa.Column('added_in', sa.Text(), nullable=False),
    sa.Column('changed_in', sa.Text(), nullable=False),
    sa.Column('withdrawn_in', sa.Text(), nullable=True, comment='the version that no longer held it; null: live'),
    sa.CheckConstraint("kind IN ('skill', 'group', 'occupation')", name=op.f('ck_skill_concepts_kind_known')),
    sa.PrimaryKeyConstraint('tenant_id', 'uri', name=op.f('pk_skill_concepts')),
    schema='frameworks',
    comment='Skills, skill groups and occupations of the library; withdrawn ones are kept'
    )
    op.create_table('skill_texts',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('uri', sa.Text(), nullable=False),
    sa.Column('lang', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('preferred', sa.Text(), nullable=False),
    sa.Column('labels', sa.Text(), nullable=False, comment="every label, lower case, ' | ' between"),
    sa.Column('document', postgresql.TSVECTOR(), nullable=False, comment='labels (A, B) and description (D)'),
    sa.Column('label_document', postgresql.TSVECTOR(), nullable=False, comment='the labels alone'),
    sa.PrimaryKeyConstraint('tenant_id', 'uri', 'lang', name=op.f('pk_skill_texts')),
    schema='frameworks',
    comment='What search reads: live concepts\' labels and descriptions, per language'
    )
    op.create_index('ix_skill_texts_document', 'skill_texts', ['document'], unique=False, schema='frameworks', postgresql_using='gin')
    op.create_index('ix_skill_texts_label_document', 'skill_texts', ['label_document'], unique=False, schema='frameworks', postgresql_using='gin')
    op.create_table('skill_words',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('lang', sa.Text(), nullable=False),
    sa.Column('word', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'lang', 'word', name=op.f('pk_skill_words')),
    schema='frameworks',
    comment='Every word of the live labels: what a misspelt query word is corrected to'
    )
    op.create_index('ix_skill_words_trigrams', 'skill_words', ['word'], unique=False, schema='frameworks', postgresql_using='gist', postgresql_ops={'word': 'gist_trgm_ops'})
    op.create_table('occupation_skills',
    sa.Column('tenant_id', sa.Text(), nullable=False),
    sa.Column('occupation_uri', sa.Text(), nullable=False),
    sa.Column('skill_uri', sa.Text(), nullable=False),
    sa.Column('relation', sa.Text(), nullable=False),
    sa.CheckConstraint("relation IN ('essential', 'optional')", name=op.f('ck_occupation_skills_relation_known')),
    sa.PrimaryKeyConstraint('tenant_id', 'occupation_uri', 'skill_uri', name=op.f('pk_occupation_skills')),
    schema='frameworks'
    )
    op.create_index('ix_occupation_skills_skill', 'occupation_skills', ['tenant_id', 'skill_uri'], unique=False, schema='frameworks')


def downgrade() -> None:
    op.drop_index('ix_occupation_skills_skill', table_name='occupation_skills', schema='frameworks')
    op.drop_table('occupation_skills', schema='frameworks')
    op.drop_index('ix_skill_words_trigrams', table_name='skill_words', schema='frameworks')
    op.drop_table('skill_words', schema='frameworks')
    op.drop_index('ix_skill_texts_label_document', table_name='skill_texts', schema='frameworks')
    op.drop_index('ix_skill_texts_document', table_name='skill_texts', schema='frameworks')
    op.drop_table('skill_texts', schema='frameworks')
    op.drop_table('skill_concepts', schema='frameworks')
    op.drop_table('skill_library_imports', schema='frameworks')
    op.drop_table('skill_library', schema='frameworks')
