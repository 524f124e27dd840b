"""Tables of the metrics service, all in the `metrics` schema of its own database.

Every table but `snapshots` is a projection of events — facts, kept as they
were announced — from which the figures are computed when asked for, so a late
or out-of-order event corrects every figure it touches. The projections can be
rebuilt from the topics (`python -m careerstream.metrics replay`).
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.orgtree import orgunits_table
from careerstream.servicekit.people import people_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("metrics")
outbox, outbox_lane, inbox = runtime_tables(metadata)

TS = sa.DateTime(timezone=True)

employees = people_table(metadata, personal=("group_attributes",))  # fairness views
org_units = orgunits_table(metadata)  # a department filter means its subtree

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, nullable=False),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("family_id", sa.Text, nullable=False),
    sa.Column("level_id", sa.Text, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("track_ids", ARRAY(sa.Text), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
)

opportunities = sa.Table(
    "opportunities",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text),
    sa.Column("role_id", sa.Text),
    sa.Column("family_id", sa.Text),
    sa.Column("department_id", sa.Text),
    sa.Column("hiring_manager_id", sa.Text),
    sa.Column("posted_at", TS),
    sa.Column("closed_at", TS),
    sa.Column("filled_at", TS),
    sa.Column("internal", sa.Boolean),
    sa.Column("mover_id", sa.Text),
    sa.Column("from_role_id", sa.Text),
    sa.Column("to_role_id", sa.Text),
    sa.Column("move_kind", sa.Text),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("application_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("submitted_at", TS),
    sa.Column("withdrawn_at", TS),
    sa.Column("shortlisted_at", TS),
)

passed_over = sa.Table(
    "passed_over",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("at", TS, nullable=False),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("created_at", TS),
    sa.Column("approved_at", TS),
    sa.Column("completed_at", TS),
    sa.Column("outcome", sa.Text),
    sa.Column("goals_total", sa.Integer),
    sa.Column("goals_achieved", sa.Integer),
)

goals = sa.Table(
    "goals",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("goal_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("competency_id", sa.Text),
    sa.Column("added_at", TS),
    sa.Column("completed_at", TS),
    sa.Column("outcome", sa.Text),
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
)

survey_answers = sa.Table(
    "survey_answers",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("response_id", sa.Text, primary_key=True),
    sa.Column("question_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("scale_max", sa.Integer, nullable=False),
    sa.Column("responded_at", TS, nullable=False),
)

gap_observations = sa.Table(
    "gap_observations",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("reference", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("identified_at", TS, primary_key=True),
    sa.Column("role_id", sa.Text, nullable=False),
    sa.Column("required", sa.SmallInteger, nullable=False),
    sa.Column("current", sa.SmallInteger, nullable=False),
    sa.Column("gap", sa.SmallInteger, nullable=False),
)

gap_closings = sa.Table(
    "gap_closings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("competency_id", sa.Text, primary_key=True),
    sa.Column("closed_at", TS, primary_key=True),
    sa.Column("opened_at", TS, nullable=False),
    sa.Column("days", sa.Float, nullable=False),
    sa.Index("ix_gap_closings_window", "tenant_id", "closed_at"),
    comment="each gap against the current role from its opening to its closing, kept by the "
    "projection of gap observations (the time-to-close figure reads these, not the series)",
)

readiness = sa.Table(
    "readiness",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("identified_at", TS, primary_key=True),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("readiness", sa.Float, nullable=False),
    sa.Column("ready", sa.Boolean, nullable=False),
)

role_history = sa.Table(
    "role_history",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("recorded_at", TS, primary_key=True),
    sa.Column("effective_on", TS, nullable=False, comment="the start of the effective date"),
    sa.Column("role_id", sa.Text),
    sa.Column("reason", sa.Text, comment="the HRIS's reason; 'hired' for the role at hire"),
    sa.Index("ix_role_history_window", "tenant_id", "effective_on"),
    comment="Every role the HRIS gave a person, as announced: moves are read from it in order",
)

learning_completions = sa.Table(
    "learning_completions",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("statement_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("activity_id", sa.Text, nullable=False),
    sa.Column("completed_at", TS, nullable=False),
    sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_learning_completions_window", "tenant_id", "completed_at"),
    comment="Activities people completed or passed, as the LMS said (learning.completed)",
)

plan_actions = sa.Table(
    "plan_actions",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("action_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("via", sa.Text, nullable=False),
    sa.Column("done_at", TS, comment="when it was last marked done (null unless done)"),
    sa.Column("updated_at", TS, nullable=False),
    comment="Plan actions whose status changed (action.updated): done by hand or from the LMS",
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("figures", JSONB, nullable=False),
    sa.Column("taken_at", TS, nullable=False),
)

benches = sa.Table(
    "benches",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("critical", sa.Boolean, nullable=False),
    sa.Column("ready_now", sa.Integer, nullable=False),
    sa.Column("ready_soon", sa.Integer, nullable=False),
    sa.Column("later", sa.Integer, nullable=False),
    sa.Column("nominated", sa.Integer, nullable=False),
    sa.Column("incumbents", sa.Integer, nullable=False),
    sa.Column("changed_at", TS, nullable=False),
    comment="each critical role's latest bench (bench.changed): counts, no people",
)

facts_versions = sa.Table(
    "facts_versions",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("changed_at", TS, nullable=False),
    comment="how many transactions have changed a tenant's facts: a view computed at the "
    "current version is still exact (service_layer/views.py)",
)

view_results = sa.Table(
    "view_results",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("view", sa.Text, primary_key=True),
    sa.Column("params", sa.Text, primary_key=True),
    sa.Column("viewer_id", sa.Text),
    sa.Column("manager_id", sa.Text),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("computed_at", TS, nullable=False),
    sa.Column("compute_ms", sa.Float, nullable=False),
    sa.Column("read_at", TS, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    comment="each view's latest answer per question, with the facts version it was computed at",
)

PROJECTIONS = (
    employees,
    roles,
    opportunities,
    applications,
    passed_over,
    plans,
    goals,
    conversations,
    survey_answers,
    gap_observations,
    gap_closings,
    readiness,
    role_history,
    learning_completions,
    plan_actions,
    org_units,
    benches,
)
"""The tables a replay rebuilds (with `inbox`)."""
