"""executive dashboard: the dashboard.view permission (rollups and indexes for the KPI queries follow here)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"dashboard.view": ("manager", "executive")}


def upgrade() -> None:
    permission = sa.table("permission", sa.column("code", sa.String))
    grant = sa.table("role_permission", sa.column("role_code", sa.String), sa.column("permission_code", sa.String))
    op.bulk_insert(permission, [{"code": code} for code in GRANTS])
    op.bulk_insert(grant, [{"role_code": r, "permission_code": p} for p, roles in GRANTS.items() for r in roles])


def downgrade() -> None:
    codes = ", ".join(f"'{code}'" for code in GRANTS)
    op.execute(f"DELETE FROM role_permission WHERE permission_code IN ({codes})")
    op.execute(f"DELETE FROM permission WHERE code IN ({codes})")
