"""the outbox's dispatcher: which claim holds a message being sent; permissions to see the delivery log and
retry a message

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {
    "notify.view": ("admin", "manager"),
    "notify.manage": ("admin", "manager"),
}


def upgrade() -> None:
    with op.batch_alter_table('outbox_message') as batch:
        batch.add_column(sa.Column('claimed_by', sa.String(length=40), server_default='', nullable=False))
    grant_permissions(GRANTS)


def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('outbox_message') as batch:
        batch.drop_column('claimed_by')
