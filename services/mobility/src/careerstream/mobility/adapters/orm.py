"""Tables of the mobility service, all in the `mobility` schema of its own database.

Projections (from events): `employees` (the HRIS directory), `roles` (from
published frameworks), and `profiles` — what matching may use of each person
(assessed levels, current role, aspirations), with a sequence number bumped on
every change so each process's in-memory index catches up incrementally.
Own data: `opportunities`, `applications`.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from careerstream.servicekit.db import service_metadata
from careerstream.servicekit.orgtree import orgunits_table
from careerstream.servicekit.people import people_table
from careerstream.servicekit.wiring import runtime_tables

metadata = service_metadata("mobility")
outbox, outbox_lane, inbox = runtime_tables(metadata)
employees = people_table(metadata, personal=("location", "performance"))  # match, talent grid
org_units = orgunits_table(metadata)

TS = sa.DateTime(timezone=True)

profile_seq = sa.Sequence("profile_seq", metadata=metadata)

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
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("requirements", JSONB, nullable=False),
    sa.Column("scale_high", sa.SmallInteger, nullable=False),
)

skill_coverage = sa.Table(
    "skill_coverage",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("framework_id", sa.Text, primary_key=True),
    sa.Column("skill_uri", sa.Text, primary_key=True),
    sa.Column("framework_version", sa.Integer, nullable=False),
    sa.Column("competency_ids", ARRAY(sa.Text), nullable=False),
    comment="Which competencies of a published framework cover each skill of the library: "
    "a person's level in a required skill is their highest in these",
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("role_id", sa.Text),
    sa.Column("levels", JSONB, nullable=False, server_default="{}"),
    sa.Column("assessed_at", TS),
    sa.Column("target_role_ids", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("target_family_ids", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("open_to_projects", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("willing_to_relocate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("location", sa.Text, comment="where they work, from the HRIS (the location factor)"),
    sa.Column("open_to_approach", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("share_aspirations", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column(
        "share_matches_with_manager",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="their managers may see the open opportunities that fit them",
    ),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Index("ix_profiles_seq", "tenant_id", "seq"),
)

settings = sa.Table(
    "settings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("tell_manager_on_shortlist", sa.Boolean, nullable=False, server_default=sa.true()),
    comment="The tenant's marketplace settings (absent: the defaults)",
)

opportunities = sa.Table(
    "opportunities",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("role_id", sa.Text),
    sa.Column("family_id", sa.Text),
    sa.Column("level_id", sa.Text),
    sa.Column("required", JSONB, nullable=False),
    sa.Column("time_share", sa.SmallInteger, nullable=False),
    sa.Column("duration_weeks", sa.SmallInteger),
    sa.Column("department_id", sa.Text),
    sa.Column("location", sa.Text),
    sa.Column("remote", sa.Boolean, nullable=False),
    sa.Column("visibility", sa.Text, nullable=False),
    sa.Column("hiring_manager_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("posted_at", TS, nullable=False),
    sa.Column("closes_at", TS),
    sa.Column("filled_at", TS),
    sa.Column("closed_at", TS),
    sa.Column("filled_by", sa.Text),
    sa.Column("internal_fill", sa.Boolean),
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("application_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("submitted_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Index("ix_applications_opportunity", "tenant_id", "opportunity_id"),
    sa.Index(
        "one_live_application",
        "tenant_id",
        "opportunity_id",
        "employee_id",
        unique=True,
        postgresql_where=sa.text("status <> 'withdrawn'"),
    ),
)

candidate_searches = sa.Table(
    "candidate_searches",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("search_id", sa.Text, primary_key=True),
    sa.Column("opportunity_id", sa.Text, nullable=False),
    sa.Column("searched_by", sa.Text, nullable=False),
    sa.Column("searched_at", TS, nullable=False),
    sa.Column("as_hr", sa.Boolean, nullable=False),
    sa.Column("shown", sa.Integer, nullable=False),
    sa.Column("shown_in_full", sa.Integer, nullable=False),
    sa.Index("ix_candidate_searches_time", "tenant_id", "searched_at"),
)
"""Who looked for candidates, for which opportunity, and how many people they were shown."""


critical_roles = sa.Table(
    "critical_roles",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("marked_by", sa.Text, nullable=False),
    sa.Column("marked_at", TS, nullable=False),
)

nominations = sa.Table(
    "nominations",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("employee_id", sa.Text, primary_key=True),
    sa.Column("readiness", sa.Text, nullable=False),
    sa.Column(
        "note", sa.Text, nullable=False, server_default="", comment="free text: never in events"
    ),
    sa.Column("nominated_by", sa.Text, nullable=False),
    sa.Column("nominated_at", TS, nullable=False),
    sa.Index("ix_nominations_employee", "tenant_id", "employee_id"),
)

benches = sa.Table(
    "benches",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("role_id", sa.Text, primary_key=True),
    sa.Column("counts", JSONB, nullable=False, comment="the bench last published"),
    sa.Column("published_at", TS, nullable=False),
)
