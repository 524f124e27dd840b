"""Tables of the privacy service, in the `privacy` schema of its own database.

`people` (projection: who exists, ids only), `data_keys` (one per person, wrapped;
NULL once destroyed), `erasures` and `erasure_answers` (each service's part),
`access_log` (the audit trail of personal reads and writes, from every service).
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("privacy")
outbox, outbox_lane, inbox = runtime_tables(metadata)

TS = sa.DateTime(timezone=True)

people = sa.Table(
    "people",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("seen_at", TS, nullable=False),
)

data_keys = sa.Table(
    "data_keys",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("kid", sa.Text, nullable=False, unique=True),
    sa.Column("master_kid", sa.Text),
    sa.Column("wrapped", sa.LargeBinary, comment="NULL once destroyed by an erasure"),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("destroyed_at", TS),
    sa.Index("ix_data_keys_master", "master_kid"),
)

erasures = sa.Table(
    "erasures",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("erasure_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("requested_at", TS, nullable=False),
    sa.Column("deadline", TS, nullable=False),
    sa.Column("services", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False, comment="in_progress | completed"),
    sa.Column("completed_at", TS),
    sa.Column("missing", JSONB, nullable=False, server_default="[]"),
    sa.Index("ux_erasures_employee", "tenant_id", "employee_id", unique=True),
    sa.Index("ix_erasures_open", "status", "deadline"),
)

erasure_answers = sa.Table(
    "erasure_answers",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("erasure_id", sa.Text, primary_key=True),
    sa.Column("service", sa.Text, primary_key=True),
    sa.Column("answered_at", TS, nullable=False),
    sa.Column("deleted", JSONB, nullable=False),
    sa.Column("anonymised", JSONB, nullable=False),
)

access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("subject_id", sa.Text, nullable=False),
    sa.Column("actor_id", sa.Text, nullable=False),
    sa.Column("actor_roles", JSONB, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("service", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("route", sa.Text, nullable=False),
    sa.Column("at", TS, nullable=False),
    sa.Index("ix_access_log_subject", "tenant_id", "subject_id", "at"),
    sa.Index("ix_access_log_at", "at"),
)
