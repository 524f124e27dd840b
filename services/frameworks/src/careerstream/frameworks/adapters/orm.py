"""Tables of the frameworks service, all in the `frameworks` schema of its own database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

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
