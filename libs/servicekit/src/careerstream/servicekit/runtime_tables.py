"""The tables every service's schema holds for the runtime: outbox, outbox lanes, inbox.

Defined once here; a service's first migration calls `create_runtime_tables`.

- `outbox`: events written in the same transaction as the state change that
  caused them; the relay publishes and deletes them.
- `outbox_lane`: a lease per lane (a hash of the message key). One relay at a
  time owns a lane, so events of one key leave in the order they were written,
  while several relay replicas share the lanes.
- `inbox`: (consumer, tenant|source|id) of every event a consumer has applied, written
  in the same transaction as the effects, so a redelivery is skipped.
- `idempotency`: the response of each HTTP request sent with an
  `Idempotency-Key`, written in the same transaction as its effects, so a
  retried request is answered again instead of applied twice.
- `erased`: the people this service erased (a keyed hash of the id, never the
  id) and the pseudonym it gave them, so that events about them that arrive
  later (late, redelivered, or read again by a replay) are erased on arrival
  (`servicekit.erasure.ErasureGuard`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from careerstream.servicekit.db import service_metadata

#: How many lanes the outbox is split into (the most relay replicas that help).
OUTBOX_LANES = 16


def define_runtime_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table, sa.Table]:
    """The outbox, its lanes and the inbox, in `metadata`'s schema."""
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("message_key", sa.Text, nullable=False),
        sa.Column("lane", sa.SmallInteger, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Index(None, "lane", "id"),
    )
    lanes = sa.Table(
        "outbox_lane",
        metadata,
        sa.Column("lane", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("owner", sa.Text, nullable=True),
        sa.Column(
            "lease_until",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("'epoch'::timestamptz"),
        ),
    )
    sa.Table(
        "outbox_relay",
        metadata,
        sa.Column("owner", sa.Text, primary_key=True),
        sa.Column("seen_until", sa.DateTime(timezone=True), nullable=False),
        comment="Live relays (heartbeats), so that lanes are shared evenly between replicas",
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    sa.Table(
        "idempotency",
        metadata,
        sa.Column("scope", sa.Text, primary_key=True, comment="hash of the caller's credentials"),
        sa.Column("key", sa.Text, primary_key=True, comment="the Idempotency-Key header"),
        sa.Column("fingerprint", sa.Text, nullable=False, comment="hash of method, path, body"),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("headers", JSONB, nullable=False, comment="the response's headers"),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Index(None, "created_at"),
        comment="Responses of requests sent with an Idempotency-Key, committed with their effects",
    )
    sa.Table(
        "erased",
        metadata,
        sa.Column(
            "subject",
            sa.LargeBinary,
            primary_key=True,
            comment="keyed hash of the tenant and the employee id",
        ),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("alias", sa.Text, nullable=False, comment="the pseudonym this service gave"),
        sa.Column(
            "erased_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        comment="People erased here: what arrives about them later is erased on arrival",
    )
    return outbox, lanes, inbox


def notify_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel that wakes the relay of `schema`."""
    return f"{schema}_outbox"


def install_runtime_tables(bind: Connection, schema: str) -> None:
    """Create the runtime tables, lanes and notify trigger in `schema` (idempotent)."""
    bind.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    md = service_metadata(schema)
    define_runtime_tables(md)
    md.create_all(bind=bind)
    bind.execute(
        sa.text(
            f'INSERT INTO "{schema}".outbox_lane (lane) '
            f"SELECT g FROM generate_series(0, {OUTBOX_LANES - 1}) g ON CONFLICT DO NOTHING"
        )
    )
    # One notification per inserting statement: it only wakes the relay, which then polls.
    bind.execute(
        sa.text(
            f'CREATE OR REPLACE FUNCTION "{schema}".outbox_notify() RETURNS trigger '
            f"LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('{notify_channel(schema)}', ''); "
            f"RETURN NULL; END $$"
        )
    )
    bind.execute(sa.text(f'DROP TRIGGER IF EXISTS outbox_notify ON "{schema}".outbox'))
    bind.execute(
        sa.text(
            f'CREATE TRIGGER outbox_notify AFTER INSERT ON "{schema}".outbox '
            f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".outbox_notify()'
        )
    )


def create_runtime_tables(schema: str) -> None:
    """Create the runtime tables in `schema` (call from a migration)."""
    install_runtime_tables(op.get_bind(), schema)


def drop_runtime_tables(schema: str) -> None:
    """Drop the runtime tables of a schema (migration downgrades)."""
    op.execute(
        f'DROP TABLE IF EXISTS "{schema}".outbox, "{schema}".outbox_lane, '
        f'"{schema}".outbox_relay, "{schema}".inbox, "{schema}".idempotency'
    )
    op.execute(f'DROP FUNCTION IF EXISTS "{schema}".outbox_notify()')
