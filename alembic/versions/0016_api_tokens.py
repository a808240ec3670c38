"""the REST API: integration tokens (hashed, scoped, revocable) and the answers kept for Idempotency-Key retries;
the permission to manage tokens, for admins

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"api_tokens.manage": ("admin",)}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=12), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('all_communities', sa.Boolean(), nullable=False),
        sa.Column('community_ids', sa.JSON(), nullable=False),
        sa.Column('per_minute', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_table(
        'api_idempotency',
        sa.Column('caller', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('caller', 'key'),
    )
    op.create_index('ix_api_idempotency_created_at', 'api_idempotency', ['created_at'])


def downgrade() -> None:
    revoke_permissions(GRANTS)
    op.drop_table('api_idempotency')
    op.drop_table('api_token')
