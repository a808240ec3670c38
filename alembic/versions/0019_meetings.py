"""meetings 会议: the owners' committee roster, meetings with agenda, attachments, invitees and sign-in, minutes
reviewed by a manager and published, action items; the meetings permissions

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"meetings.view": ("manager", "cs", "steward", "executive"),
          "meetings.manage": ("manager", "cs"),
          "meetings.approve": ("manager",)}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('quarterly', 'residents', 'topic', name='meetingkind', native_enum=False, length=12), nullable=False),
    sa.Column('topic', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'minutes_pending', 'approved', 'published', name='meetingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('discussion', sa.String(length=8000), nullable=False),
    sa.Column('resolutions', sa.String(length=8000), nullable=False),
    sa.Column('review_note', sa.String(length=500), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_ref', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_community_time', ['community_id', 'starts_at'], unique=False)

    op.create_table('meeting_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.Enum('management_report', 'financial_report', 'other', name='doctype', native_enum=False, length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attachment_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_invitee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('committee', 'owner', 'staff', name='inviteekind', native_enum=False, length=12), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=64), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'kind', 'person_id', name='uq_meeting_invitee')
    )
    with op.batch_alter_table('meeting_invitee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_invitee_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('committee_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Enum('chair', 'vice_chair', 'member', name='position', native_enum=False, length=12), nullable=False),
    sa.Column('term_from', sa.Date(), nullable=False),
    sa.Column('term_to', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('committee_member', schema=None) as batch_op:
        batch_op.create_index('ix_committee_member_community', ['community_id', 'term_to'], unique=False)

    op.create_table('meeting_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('responsible_name', sa.String(length=64), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='actionstatus', native_enum=False, length=8), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_action', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_action_community_due', ['community_id', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_action_meeting_id'), ['meeting_id'], unique=False)



def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('meeting_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_action_meeting_id'))
        batch_op.drop_index('ix_meeting_action_community_due')

    op.drop_table('meeting_action')
    with op.batch_alter_table('committee_member', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_member_community')

    op.drop_table('committee_member')
    with op.batch_alter_table('meeting_invitee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_invitee_meeting_id'))

    op.drop_table('meeting_invitee')
    with op.batch_alter_table('meeting_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attachment_meeting_id'))

    op.drop_table('meeting_attachment')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_community_time')

    op.drop_table('meeting')
