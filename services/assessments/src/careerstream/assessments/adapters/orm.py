"""Tables of the assessments service, all in the `assessments` schema of its own database.

Projections (from events): `frameworks`, `roles`, `employees`.
Own data: `cycles`, `assessments`, `submissions`, `results`, and `levels`
(each employee's latest calibrated level per competency, with the attributes
the skills matrix groups by, kept current as people move).
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.orgtree import orgunits_table
from careerstream.servicekit.people import people_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("assessments")
outbox, outbox_lane, inbox = runtime_tables(metadata)

TS = sa.DateTime(timezone=True)

frameworks = sa.Table(
    "frameworks",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("scale_low", sa.SmallInteger, nullable=False),
    sa.Column("scale_high", sa.SmallInteger, nullable=False),
    sa.Column("competencies", JSONB, nullable=False),
    sa.Column("retired_versions", ARRAY(sa.Integer), nullable=False, server_default="{}"),
)

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, nullable=False),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("family_id", sa.Text, nullable=False),
    sa.Column("level_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("requirements", JSONB, nullable=False),
)

employees = people_table(metadata, sa.Column("target_role_id", sa.Text))
org_units = orgunits_table(metadata)  # a department means its subtree
"""The HRIS directory (see servicekit.people), plus each person's declared target role."""

cycles = sa.Table(
    "cycles",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("cycle_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("population", JSONB, nullable=False),
    sa.Column("deadline", TS, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("weights", JSONB, nullable=False, server_default="{}"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("opened_at", TS, nullable=False),
    sa.Column("opened_by", sa.Text, nullable=False),
    sa.Column("closed_at", TS),
)

assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("assessment_id", sa.Text, primary_key=True),
    sa.Column("cycle_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("role_id", sa.Text, nullable=False),
    sa.Column("framework_id", sa.Text, nullable=False),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("required", JSONB, nullable=False),
    sa.Column("scale_low", sa.SmallInteger, nullable=False),
    sa.Column("scale_high", sa.SmallInteger, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("peers", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("completed_at", TS),
    sa.Column("cancelled_reason", sa.Text),
    sa.UniqueConstraint("tenant_id", "cycle_id", "employee_id"),
    sa.Index("ix_assessments_employee", "tenant_id", "employee_id"),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("assessment_id", sa.Text, primary_key=True),
    sa.Column("rater_id", sa.Text, primary_key=True),
    sa.Column("rater_kind", sa.Text, nullable=False),
    sa.Column("ratings", JSONB, nullable=False),
    sa.Column("submitted_at", TS, nullable=False),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("assessment_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("calibrated_by", sa.Text),
    sa.Column("calibrated_at", TS),
)

levels = sa.Table(
    "levels",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("required", sa.SmallInteger),
    sa.Column("department_id", sa.Text),
    sa.Column("family_id", sa.Text),
    sa.Column("manager_id", sa.Text),
    sa.Column("assessment_id", sa.Text, nullable=False),
    sa.Column("assessed_at", TS, nullable=False),
    sa.Index("ix_levels_department", "tenant_id", "department_id"),
    sa.Index("ix_levels_family", "tenant_id", "family_id"),
    sa.Index("ix_levels_manager", "tenant_id", "manager_id"),
)

matrix_cells = sa.Table(
    "matrix_cells",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("dim", sa.Text, primary_key=True),
    sa.Column("group_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("level", sa.SmallInteger, primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("gap_sum", sa.Integer, nullable=False),
    sa.Column("n_required", sa.Integer, nullable=False),
    comment="The skills matrix, rolled up from `levels` by statement triggers in the same transaction",
)
