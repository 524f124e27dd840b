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
    sa.Column("entry_id", sa.Text, comment="the catalogue entry it is, when it is one"),
    sa.Column("progress", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("via", sa.Text, nullable=False, server_default="hand", comment="hand or lms"),
    sa.Column("statement_id", sa.Text, comment="the learning record that last moved it"),
    sa.Index("ix_actions_goal", "tenant_id", "goal_id"),
)

catalogue_activities = sa.Table(
    "catalogue_activities",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("activity_id", sa.Text, primary_key=True, comment="the LMS's activity IRI"),
    sa.Column("entry_id", sa.Text, nullable=False),
    sa.Column("mapped_at", TS, nullable=False),
    sa.Index("ix_catalogue_activities_entry", "tenant_id", "entry_id"),
    comment="Which catalogue entry an LMS activity is (learning records find actions by it)",
)

learning_records = sa.Table(
    "learning_records",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("statement_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("activity_id", sa.Text, nullable=False),
    sa.Column("activity_name", sa.Text),
    sa.Column("verb", sa.Text, nullable=False),
    sa.Column("progress", sa.SmallInteger),
    sa.Column("occurred_at", TS, nullable=False),
    sa.Column(
        "applied",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="its activity was mapped when it came (or since): it moved the plans it could",
    ),
    sa.Column(
        "actions", JSONB, nullable=False, server_default="[]", comment="the actions it moved"
    ),
    sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index(
        "ix_learning_records_pending",
        "tenant_id",
        "activity_id",
        postgresql_where=sa.text("NOT applied"),
    ),
    sa.Index("ix_learning_records_employee", "tenant_id", "employee_id"),
    comment="Learning records of the tenant's people, kept until their activity is mapped",
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
