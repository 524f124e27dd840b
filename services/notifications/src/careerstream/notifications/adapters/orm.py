"""Tables of the notifications service, in the `notifications` schema of its own database.

- `employees`: the directory from the HRIS stream (manager, active, name and work e-mail:
  whom to tell and where);
- `assessments`, `raters`, `plans`, `applications`, `opportunities`, `erasures`: just
  enough of the other services' events to decide the timed rules (a reminder is due,
  a check-in is overdue) and who is concerned when a role is filled;
- `notifications`: one per person, kind and trigger, decided once (the unique key), the
  in-app inbox;
- `deliveries`: one per notification and channel (e-mail, chat), the delivery log: its
  status, attempts, next attempt and last error; `dead` ones are the dead-letter list;
- `preferences`: a person's choices (per kind and channel, digest, quiet hours, time zone);
- `settings`: a tenant's chat webhook.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.people import people_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("notifications")
outbox, outbox_lane, inbox = runtime_tables(metadata)

TS = sa.DateTime(timezone=True)

employees = people_table(metadata, personal=("display_name", "work_email"))

assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("assessment_id", sa.Text, primary_key=True),
    sa.Column("cycle_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("deadline", TS, nullable=False),
    sa.Column("completed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reminded", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_assessments_due", "completed", "reminded", "deadline"),
    sa.Index("ix_assessments_employee", "tenant_id", "employee_id"),
)

raters = sa.Table(
    "raters",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("assessment_id", sa.Text, primary_key=True),
    sa.Column("rater_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False, comment="self | manager | peer"),
    sa.Column("submitted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_raters_rater", "tenant_id", "rater_id"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("plan_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, comment="draft | active | completed"),
    sa.Column("last_touch", TS, nullable=False, comment="approval or the latest check-in"),
    sa.Column("overdue_told", TS, comment="last_touch when an overdue check-in was told"),
    sa.Index("ix_plans_active", "status", "last_touch"),
    sa.Index("ix_plans_employee", "tenant_id", "employee_id"),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("application_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False, comment="open | shortlisted | withdrawn"),
    sa.Index("ix_applications_opportunity", "tenant_id", "opportunity_id"),
    sa.Index("ix_applications_employee", "tenant_id", "employee_id"),
)

opportunities = sa.Table(
    "opportunities",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, comment="NULL while open; filled | closed"),
    sa.Column("selected_id", sa.Text, comment="who was selected (internal fill)"),
)

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("erasure_id", sa.Text, primary_key=True),
    sa.Column("requested_by", sa.Text),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("recipient_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("trigger_key", sa.Text, nullable=False, comment="what decided it, e.g. an event"),
    sa.Column("about_id", sa.Text, comment="the person it is about, when not the recipient"),
    sa.Column("params", JSONB, nullable=False, server_default="{}"),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("read_at", TS),
    sa.UniqueConstraint(
        "tenant_id", "recipient_id", "kind", "trigger_key", name="ux_notifications_once"
    ),
    sa.Index("ix_notifications_inbox", "tenant_id", "recipient_id", "created_at"),
    sa.Index("ix_notifications_about", "tenant_id", "about_id"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column(
        "notification_id",
        sa.Text,
        sa.ForeignKey("notifications.notifications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("recipient_id", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False, comment="email | chat"),
    sa.Column(
        "status",
        sa.Text,
        nullable=False,
        comment="pending | sending | sent | dead | suppressed (left, erased or opted out)",
    ),
    sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TS, nullable=False),
    sa.Column("lease_until", TS),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", TS),
    sa.Column("message_id", sa.Text),
    sa.UniqueConstraint("notification_id", "channel", name="ux_deliveries_once"),
    sa.Index("ix_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_deliveries_recipient", "tenant_id", "recipient_id"),
)

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("channels", JSONB, nullable=False, server_default="{}"),
    sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("time_zone", sa.Text),
    sa.Column("quiet_start", sa.Integer),
    sa.Column("quiet_end", sa.Integer),
    sa.Column("updated_at", TS, nullable=False),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("chat_webhook_url", sa.Text),
    sa.Column("chat_webhook_secret", sa.Text),
    sa.Column("time_zone", sa.Text),
    sa.Column("updated_at", TS, nullable=False),
)
