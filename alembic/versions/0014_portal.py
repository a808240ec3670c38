"""owner accounts of the portal: invitations, one-time codes, portal sessions; the staff permission to manage them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 06:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"owner_accounts.manage": ("manager", "cs", "steward")}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('owner_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_kind', sa.String(length=12), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('phone_enc', sa.String(length=256), nullable=False),
    sa.Column('phone_index', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=128), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_kind', 'person_id', name='uq_owner_account_person'),
    sa.UniqueConstraint('phone_index')
    )
    with op.batch_alter_table('owner_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_account_community_id'), ['community_id'], unique=False)

    op.create_table('owner_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('owner_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_code_account_id'), ['account_id'], unique=False)

    op.create_table('owner_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('owner_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_invitation_account_id'), ['account_id'], unique=False)

    op.create_table('portal_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('ticket_hash', sa.String(length=64), nullable=True),
    sa.Column('ticket_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_hash'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('portal_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_session_account_id'), ['account_id'], unique=False)

    op.create_table('portal_upload',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_portal_upload_account_id', 'portal_upload', ['account_id'])



def downgrade() -> None:
    revoke_permissions(GRANTS)
    op.drop_table('portal_upload')
    with op.batch_alter_table('portal_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_session_account_id'))

    op.drop_table('portal_session')
    with op.batch_alter_table('owner_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_invitation_account_id'))

    op.drop_table('owner_invitation')
    with op.batch_alter_table('owner_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_code_account_id'))

    op.drop_table('owner_code')
    with op.batch_alter_table('owner_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_account_community_id'))

    op.drop_table('owner_account')
