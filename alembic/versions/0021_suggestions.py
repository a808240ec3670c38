"""the suggestion box 意见箱: suggestions with triage, reply due date, photo of the slip and improvement action; the
suggestions permissions

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 09:00:40
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"suggestions.view": ("manager", "cs", "steward", "executive"),
          "suggestions.manage": ("manager", "cs", "steward")}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('portal', 'box', 'visit', 'meeting', 'group', 'front_desk', name='suggestionchannel', native_enum=False, length=12), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.String(length=2000), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('submitter_name', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=False),
    sa.Column('photo_type', sa.String(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('reply_due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('new', 'triaged', 'replied', 'closed', name='suggestionstatus', native_enum=False, length=12), nullable=False),
    sa.Column('outcome', sa.Enum('accepted', 'ticket', 'declined', 'duplicate', name='outcome', native_enum=False, length=12), nullable=True),
    sa.Column('triage_note', sa.String(length=500), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('triaged_by', sa.String(length=64), nullable=False),
    sa.Column('triaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('improvement', sa.String(length=2000), nullable=False),
    sa.Column('improvement_notice_ref', sa.String(length=64), nullable=False),
    sa.Column('reply', sa.String(length=2000), nullable=False),
    sa.Column('replied_by', sa.String(length=64), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_category.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['suggestion.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_suggestion_community_received', ['community_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_room_id'), ['room_id'], unique=False)
        batch_op.create_index('ix_suggestion_status_due', ['status', 'reply_due_on'], unique=False)



def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestion_status_due')
        batch_op.drop_index(batch_op.f('ix_suggestion_room_id'))
        batch_op.drop_index('ix_suggestion_community_received')
        batch_op.drop_index(batch_op.f('ix_suggestion_account_id'))

    op.drop_table('suggestion')
