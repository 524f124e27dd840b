"""Tables of the plans service, all in the `plans` schema of its own database.

Projections (from events): `employees` (the HRIS directory), `competencies`
and `roles` (from published frameworks). Own data: `settings`, `catalogue`,
`plans`, `goals`, `actions`, `checkins`, `conversations`.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.people import people_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("plans")
outbox, outbox_lane, inbox = runtime_tables(metadata)
employees = people_table(metadata)

TS = sa.DateTime(timezone=True)

competencies = sa.Table(
    "competencies",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, nullable=False),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("descriptors", JSONB, nullable=False),
    sa.Column("scale_low", sa.SmallInteger, nullable=False),
    sa.Column("scale_high", sa.SmallInteger, nullable=False),
)

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, nullable=False),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("family_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("track_ids", ARRAY(sa.Text), nullable=False),
    sa.Column("requirements", JSONB, nullable=False),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("plan_mode", sa.Text, nullable=False, server_default="draft"),
    sa.Column("period_months", sa.SmallInteger, nullable=False, server_default="6"),
)

catalogue = sa.Table(
    "catalogue",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True, comment="'*' for the seeded entries"),
    sa.Column("entry_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, nullable=False, comment="'*' for any competency"),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("min_level", sa.SmallInteger, nullable=False),
    sa.Column("max_level", sa.SmallInteger, nullable=False),
    sa.Column("effort_weeks", sa.SmallInteger, nullable=False),
)

retired_entries = sa.Table(
    "retired_entries",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("entry_id", sa.Text, primary_key=True, comment="the tenant's own or a seeded entry"),
    sa.Column("retired_at", TS, nullable=False),
    sa.Column("retired_by", sa.Text, nullable=False),
    comment="Catalogue entries a tenant retired: no longer suggested; plans that use them keep them",
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("assessment_id", sa.Text),
    sa.Column("transition_to_role_id", sa.Text, comment="a transition plan: the role moved into"),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("approved_by", sa.Text),
    sa.Column("approved_at", TS),
    sa.Column("completed_at", TS),
    sa.Column("outcome", sa.Text),
    sa.Index(
        "one_open_plan_per_period",
        "tenant_id",
        "employee_id",
        "period_start",
        unique=True,
        postgresql_where=sa.text("status IN ('suggested', 'draft', 'active')"),
    ),
)

levels = sa.Table(
    "levels",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("level", sa.SmallInteger, nullable=False),
    sa.Column("identified_at", TS, nullable=False),
    comment="Each person's latest known level per competency (from skillgap.identified): "
    "a transition plan's gaps against the new role are read from it",
)

goals = sa.Table(
    "goals",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("goal_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, nullable=False),
    sa.Column("competency_id", sa.Text, nullable=False),
    sa.Column("from_level", sa.SmallInteger, nullable=False),
    sa.Column("to_level", sa.SmallInteger, nullable=False),
    sa.Column("target_date", sa.Date, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("progress", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("completed_at", TS),
    sa.Index("ix_goals_plan", "tenant_id", "plan_id"),
)

actions = sa.Table(
    "actions",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("action_id", sa.Text, primary_key=True),
    sa.Column("goal_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("owner_id", sa.Text, nullable=False),
    sa.Column("target_date", sa.Date, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="planned"),
    sa.Index("ix_actions_goal", "tenant_id", "goal_id"),
)

checkins = sa.Table(
    "checkins",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("checkin_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, nullable=False),
    sa.Column("manager_id", sa.Text, nullable=False),
    sa.Column(
        "notes", sa.Text, nullable=False, comment="private to the employee and their managers"
    ),
    sa.Column("progress_rating", sa.SmallInteger, nullable=False),
    sa.Column("held_at", TS, nullable=False),
    sa.Index("ix_checkins_plan", "tenant_id", "plan_id"),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("conversation_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("manager_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("held_at", TS, nullable=False),
    sa.Column(
        "notes", sa.Text, nullable=False, comment="private to the employee and their managers"
    ),
    sa.Column("follow_ups", JSONB, nullable=False, comment="[{text, goal_id}]"),
    sa.Index("ix_conversations_employee", "tenant_id", "employee_id"),
)
