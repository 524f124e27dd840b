"""Tables of the hris gateway, all in the `hris` schema of its own database.

`people` is the gateway's current record of every employee (the source of the
canonical events it emits: a change is the difference with it); `sources` the
per-tenant webhook secrets; `deliveries` the ids of accepted webhook
deliveries (a replay is refused); `job_mappings` HRIS job codes to framework
roles; `scheduled` notifications effective in the future; `imports` full
exports and their progress, `import_rows` their rows until they are done;
`org_units` the organisation tree (the source of `orgunit.changed`).
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.orgtree import orgunits_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("hris")
outbox, outbox_lane, inbox = runtime_tables(metadata)

TS = sa.DateTime(timezone=True)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("vendor", sa.Text, primary_key=True),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("vendor", sa.Text, primary_key=True),
    sa.Column("delivery_id", sa.Text, primary_key=True),
    sa.Column("received_at", TS, nullable=False),
)

job_mappings = sa.Table(
    "job_mappings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("job_code", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, nullable=False),
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("display_name", sa.Text),
    sa.Column("job_code", sa.Text),
    sa.Column("job_title", sa.Text),
    sa.Column("manager_id", sa.Text),
    sa.Column("department_id", sa.Text),
    sa.Column("location", sa.Text),
    sa.Column("groups", JSONB, nullable=False, server_default="{}"),
    sa.Column("work_email", sa.Text),
    sa.Column("performance", sa.Text, comment="low, medium or high: the HRIS's latest rating"),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("hired_on", sa.Date),
    sa.Column("updated_at", TS, nullable=False),
)

scheduled = sa.Table(
    "scheduled",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("due", sa.Date, nullable=False),
    sa.Column("notification", JSONB, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_scheduled_due", "due"),
)

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("import_id", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    sa.Column(
        "after_line",
        sa.Integer,
        nullable=False,
        server_default="0",
        comment="the last line applied: a resumed run goes on after it",
    ),
    sa.Column("counts", JSONB, nullable=False, server_default="{}"),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("finished_at", TS),
    sa.Column("claimed_until", TS, comment="the lease of the replica running it"),
)

import_rows = sa.Table(
    "import_rows",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("import_id", sa.Text, primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True, comment="the row's line in the file"),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("record", JSONB, nullable=False, comment="the row's fields but the employee id"),
    sa.Column("hire_date", sa.Date),
    sa.Index("ix_import_rows_employee", "tenant_id", "import_id", "employee_id"),
    comment="an import's rows until it is done (read a chunk at a time, then deleted)",
)

surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("survey_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("questions", JSONB, nullable=False),
    sa.Column("audience", JSONB, nullable=False),
    sa.Column("opens_at", TS, nullable=False),
    sa.Column("closes_at", TS, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    comment="Pulse surveys HR defined",
)

survey_invitations = sa.Table(
    "survey_invitations",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("survey_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("answered_at", TS),
    comment="Who a pulse asks (its audience when it was defined), and whether they answered",
)

survey_responses = sa.Table(
    "survey_responses",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("response_id", sa.Text, primary_key=True),
    sa.Column("survey_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("answers", JSONB, nullable=False, comment="question id -> score; no free text"),
    sa.Column("responded_at", TS, nullable=False),
    sa.Index("ix_survey_responses_survey", "tenant_id", "survey_id"),
)

learning_sources = sa.Table(
    "learning_sources",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("source_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False, unique=True, comment="the Basic user name"),
    sa.Column("secret_sha256", sa.Text, nullable=False, comment="the secret is shown once"),
    sa.Column(
        "identifier",
        sa.Text,
        nullable=False,
        comment="how an actor maps to an employee: 'email' or 'employee_id'",
    ),
    sa.Column("home_page", sa.Text, comment="employee_id: the account homePage required"),
    sa.Column("created_at", TS, nullable=False),
    comment="LMSs that send xAPI statements, with their credentials",
)

learning_statements = sa.Table(
    "learning_statements",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("statement_id", sa.Text, primary_key=True),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, comment="whom the actor maps to; null when nobody"),
    sa.Column("verb_id", sa.Text, nullable=False),
    sa.Column("activity_id", sa.Text),
    sa.Column("fingerprint", sa.Text, nullable=False, comment="what a re-sent id is compared on"),
    sa.Column("statement", JSONB, nullable=False, comment="as stored (with stored, authority)"),
    sa.Column("published", sa.Boolean, nullable=False, comment="it became a learning event"),
    sa.Column("stored_at", TS, nullable=False),
    sa.Column("voided_by", sa.Text),
    sa.Index("ix_learning_statements_employee", "tenant_id", "employee_id"),
    sa.Index("ix_learning_statements_stored", "tenant_id", "source_id", "stored_at"),
    comment="The company's learning record: every statement an LMS sent",
)

sa.Index("ix_people_work_email", people.c.tenant_id, sa.func.lower(people.c.work_email))
"""Learning records find their person by e-mail address."""


org_units = orgunits_table(metadata)
