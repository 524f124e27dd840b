"""baseline: the notifications schema and the runtime tables (outbox, inbox)

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

from careerstream.servicekit.runtime_tables import create_runtime_tables, drop_runtime_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_runtime_tables("notifications")


def downgrade() -> None:
    drop_runtime_tables("notifications")
