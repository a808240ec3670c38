"""owners' requests to change their contact data from the portal, decided by staff

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table('owner_contact_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('phone_enc', sa.String(length=256), nullable=True),
    sa.Column('phone_masked', sa.String(length=32), nullable=False),
    sa.Column('phone2_enc', sa.String(length=256), nullable=True),
    sa.Column('phone2_masked', sa.String(length=32), nullable=False),
    sa.Column('drop_phone2', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('owner_contact_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_contact_request_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_owner_contact_request_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_owner_contact_request_community', ['community_id', 'status', 'id'], unique=False)
        # One waiting request per account: a second one submitted at the same moment is refused here.
        batch_op.create_index('ix_owner_contact_request_waiting', ['account_id'], unique=True,
                              sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade() -> None:
    with op.batch_alter_table('owner_contact_request', schema=None) as batch_op:
        batch_op.drop_index('ix_owner_contact_request_waiting', sqlite_where=WAITING, postgresql_where=WAITING)
        batch_op.drop_index('ix_owner_contact_request_community')
        batch_op.drop_index(batch_op.f('ix_owner_contact_request_owner_id'))
        batch_op.drop_index(batch_op.f('ix_owner_contact_request_account_id'))

    op.drop_table('owner_contact_request')
