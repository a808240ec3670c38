"""the outbox's dispatcher: which claim holds a message being sent; permissions to see the delivery log and
retry a message

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {
    "notify.view": ("admin", "manager"),
    "notify.manage": ("admin", "manager"),
}


def grant_permissions() -> None:
    permission = sa.table("permission", sa.column("code", sa.String))
    grant = sa.table("role_permission", sa.column("role_code", sa.String), sa.column("permission_code", sa.String))
    op.bulk_insert(permission, [{"code": code} for code in GRANTS])
    op.bulk_insert(grant, [{"role_code": r, "permission_code": p} for p, roles in GRANTS.items() for r in roles])


def revoke_permissions() -> None:
    codes = ", ".join(f"'{code}'" for code in GRANTS)
    op.execute(f"DELETE FROM role_permission WHERE permission_code IN ({codes})")
    op.execute(f"DELETE FROM permission WHERE code IN ({codes})")


def upgrade() -> None:
    with op.batch_alter_table('outbox_message') as batch:
        batch.add_column(sa.Column('claimed_by', sa.String(length=40), server_default='', nullable=False))
    grant_permissions()


def downgrade() -> None:
    revoke_permissions()
    with op.batch_alter_table('outbox_message') as batch:
        batch.drop_column('claimed_by')
