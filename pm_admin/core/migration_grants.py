"""Permissions a migration grants to roles (and takes back on downgrade): rows of ``permission`` and
``role_permission``, which are data, not schema.

Only migrations use this, and migrations are frozen history: what these functions write never changes. A migration
that needs something else gets a new function here, or writes it itself."""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

Grants = dict[str, tuple[str, ...]]  # permission code -> roles holding it


def grant_permissions(grants: Grants) -> None:
    permission = sa.table("permission", sa.column("code", sa.String))
    grant = sa.table("role_permission", sa.column("role_code", sa.String), sa.column("permission_code", sa.String))
    op.bulk_insert(permission, [{"code": code} for code in grants])
    op.bulk_insert(grant, [{"role_code": r, "permission_code": p} for p, roles in grants.items() for r in roles])


def revoke_permissions(grants: Grants) -> None:
    codes = ", ".join(f"'{code}'" for code in grants)
    op.execute(f"DELETE FROM role_permission WHERE permission_code IN ({codes})")
    op.execute(f"DELETE FROM permission WHERE code IN ({codes})")
