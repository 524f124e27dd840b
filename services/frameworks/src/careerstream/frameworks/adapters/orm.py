"""Tables of the frameworks service, all in the `frameworks` schema of its own database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.people import people_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("frameworks")
outbox, outbox_lane, inbox = runtime_tables(metadata)

versions = sa.Table(
    "framework_versions",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
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
    sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name="status_known"),
    sa.Index(
        "one_draft_per_framework",
        "tenant_id",
        "framework_id",
        unique=True,
        postgresql_where=sa.text("status = 'draft'"),
    ),
)

employees = people_table(metadata, personal=("location",))
"""The directory (servicekit.people): whose pay band is whose (their role and location)."""

pay_bands = sa.Table(
    "pay_bands",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, primary_key=True),
    sa.Column("family_id", sa.Text, primary_key=True),
    sa.Column("level_id", sa.Text, primary_key=True),
    sa.Column("location", sa.Text, primary_key=True, comment="'*': wherever no band is set"),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("minimum", sa.Numeric(14, 2), nullable=False),
    sa.Column("midpoint", sa.Numeric(14, 2), nullable=False),
    sa.Column("maximum", sa.Numeric(14, 2), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    comment="Compensation bands per level and location: never in an event or an export file",
)

pay_settings = sa.Table(
    "pay_settings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employees_see_bands", sa.Boolean, nullable=False, server_default=sa.false()),
    comment="Whether employees see the bands of their own and their next levels",
)

# The skills library (ESCO): per tenant, so each company chooses its version and languages
# and its events carry its tenant like every other event.
skill_library = sa.Table(
    "skill_library",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("languages", ARRAY(sa.Text), nullable=False),
    sa.Column("imports", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("imported_by", sa.Text, nullable=False),
    comment="The skills library each tenant has imported (ESCO), as of its latest import",
)

skill_library_imports = sa.Table(
    "skill_library_imports",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("languages", ARRAY(sa.Text), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("imported_by", sa.Text, nullable=False),
    sa.Column("report", JSONB, nullable=False),
    comment="Every import of the skills library, with what it added, changed and withdrew",
)

skill_concepts = sa.Table(
    "skill_concepts",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("uri", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("skill_type", sa.Text, nullable=False, server_default=""),
    sa.Column("reuse_level", sa.Text, nullable=False, server_default=""),
    sa.Column("code", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column(
        "labels",
        JSONB,
        nullable=False,
        comment="language -> preferred, alternative, hidden, description",
    ),
    sa.Column("broader", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("added_in", sa.Text, nullable=False),
    sa.Column("changed_in", sa.Text, nullable=False),
    sa.Column("withdrawn_in", sa.Text, comment="the version that no longer held it; null: live"),
    sa.CheckConstraint("kind IN ('skill', 'group', 'occupation')", name="kind_known"),
    comment="Skills, skill groups and occupations of the library; withdrawn ones are kept",
)

skill_texts = sa.Table(
    "skill_texts",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("uri", sa.Text, primary_key=True),
    sa.Column("lang", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("preferred", sa.Text, nullable=False),
    sa.Column("labels", sa.Text, nullable=False, comment="every label, lower case, ' | ' between"),
    sa.Column("document", TSVECTOR, nullable=False, comment="labels (A, B) and description (D)"),
    sa.Column("label_document", TSVECTOR, nullable=False, comment="the labels alone"),
    sa.Index("ix_skill_texts_document", "document", postgresql_using="gin"),
    sa.Index("ix_skill_texts_label_document", "label_document", postgresql_using="gin"),
    comment="What search reads: live concepts' labels and descriptions, per language",
)

skill_words = sa.Table(
    "skill_words",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("lang", sa.Text, primary_key=True),
    sa.Column("word", sa.Text, primary_key=True),
    # GiST, not GIN: it answers "the words nearest this one" (ORDER BY <->) from the index.
    sa.Index(
        "ix_skill_words_trigrams",
        "word",
        postgresql_using="gist",
        postgresql_ops={"word": "gist_trgm_ops"},
    ),
    comment="Every word of the live labels: what a misspelt query word is corrected to",
)

occupation_skills = sa.Table(
    "occupation_skills",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("occupation_uri", sa.Text, primary_key=True),
    sa.Column("skill_uri", sa.Text, primary_key=True),
    sa.Column("relation", sa.Text, nullable=False),
    sa.Index("ix_occupation_skills_skill", "tenant_id", "skill_uri"),
    sa.CheckConstraint("relation IN ('essential', 'optional')", name="relation_known"),
)
