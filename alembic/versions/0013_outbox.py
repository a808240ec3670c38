"""the outbox: every message to an owner or a staff member, and the channels a recipient switched off

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 06:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'channel_preference',
        sa.Column('recipient_kind', sa.String(length=16), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('recipient_kind', 'recipient_id', 'channel'),
    )
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('recipient_kind', sa.String(length=16), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=True),
        sa.Column('community_id', sa.Integer(), nullable=True),
        sa.Column('address_enc', sa.String(length=512), nullable=True),
        sa.Column('address_masked', sa.String(length=64), nullable=False),
        sa.Column('template', sa.String(length=80), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('cause', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.Column('provider_message_id', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_outbox_due', 'outbox_message', ['status', 'next_attempt_at'])
    op.create_index('ix_outbox_message_cause', 'outbox_message', ['cause'])
    op.create_index('ix_outbox_message_community_id', 'outbox_message', ['community_id'])
    op.create_index('ix_outbox_recipient', 'outbox_message', ['recipient_kind', 'recipient_id', 'channel'])


def downgrade() -> None:
    op.drop_table('outbox_message')
    op.drop_table('channel_preference')
