"""tickets: (community, status, resolve_due) index for the per-community overdue and open counts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 18:20:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_community_status_due', ['community_id', 'status', 'resolve_due'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_community_status_due')
