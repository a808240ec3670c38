"""VIP owner groups 业主VIP群: groups, rules, admins, applications, members, violations, group-owner tasks, the
moderation log, posts raised in the group, compliance checks; the groups permissions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 09:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"groups.view": ("manager", "cs", "steward", "executive"),
          "groups.manage": ("manager", "cs", "steward"),
          "groups.approve": ("manager",)}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('vip_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.Enum('wecom', 'wechat', name='groupchannel', native_enum=False, length=8), nullable=False),
    sa.Column('building_ids', sa.JSON(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('join_link', sa.String(length=500), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['owner_user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vip_group_community_id'), ['community_id'], unique=False)

    op.create_table('vip_group_compliance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('checked_by', sa.String(length=64), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'quarter', name='uq_vip_compliance_quarter')
    )
    op.create_table('vip_group_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=4000), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'number', name='uq_vip_group_rules_number')
    )
    with op.batch_alter_table('vip_group_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vip_group_rules_group_id'), ['group_id'], unique=False)

    op.create_table('vip_group_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('applicant_name', sa.String(length=64), nullable=False),
    sa.Column('person_kind', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'invited', 'joined', 'rejected', name='applicationstatus', native_enum=False, length=10), nullable=False),
    sa.Column('identity_ok', sa.Boolean(), nullable=False),
    sa.Column('identity_note', sa.String(length=200), nullable=False),
    sa.Column('fee_ok', sa.Boolean(), nullable=False),
    sa.Column('fee_note', sa.String(length=200), nullable=False),
    sa.Column('override_reason', sa.String(length=500), nullable=False),
    sa.Column('reject_reason', sa.String(length=500), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_application', schema=None) as batch_op:
        batch_op.create_index('ix_vip_application_group_status', ['group_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_vip_group_application_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vip_group_application_room_id'), ['room_id'], unique=False)

    op.create_table('vip_group_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('active', 'muted', 'removed', name='memberstatus', native_enum=False, length=8), nullable=False),
    sa.Column('muted_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['vip_group_application.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_member', schema=None) as batch_op:
        batch_op.create_index('ix_vip_member_group_status', ['group_id', 'status'], unique=False)

    op.create_table('vip_group_admin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=False),
    sa.Column('elected_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['vip_group_member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_admin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vip_group_admin_group_id'), ['group_id'], unique=False)

    op.create_table('vip_group_moderation_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('before', sa.String(length=64), nullable=False),
    sa.Column('after', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['vip_group_member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_moderation_log', schema=None) as batch_op:
        batch_op.create_index('ix_vip_moderation_group_time', ['group_id', 'created_at'], unique=False)

    op.create_table('vip_group_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=2000), nullable=False),
    sa.Column('is_question', sa.Boolean(), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('suggestion_id', sa.Integer(), nullable=True),
    sa.Column('logged_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['vip_group_member.id'], ),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_post', schema=None) as batch_op:
        batch_op.create_index('ix_vip_post_group_time', ['group_id', 'posted_at'], unique=False)

    op.create_table('vip_group_violation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('illegal', 'ad', 'insult', 'privacy', 'spam', name='violationcategory', native_enum=False, length=10), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=False),
    sa.Column('evidence_type', sa.String(length=32), nullable=False),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('reported', 'confirmed', 'awaiting_second', 'dismissed', 'overturned', name='violationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('sanction', sa.Enum('warning', 'mute', 'removal', name='sanction', native_enum=False, length=8), nullable=True),
    sa.Column('mute_days', sa.Integer(), nullable=False),
    sa.Column('reviewed_by', sa.String(length=64), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.String(length=500), nullable=False),
    sa.Column('second_approver', sa.String(length=64), nullable=False),
    sa.Column('appeal', sa.String(length=1000), nullable=False),
    sa.Column('appealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal_decision', sa.String(length=500), nullable=False),
    sa.Column('appeal_decided_by', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['vip_group_member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_violation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vip_group_violation_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_vip_violation_member', ['member_id', 'status'], unique=False)

    op.create_table('vip_group_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('violation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('admit', 'mute', 'unmute', 'remove', name='taskkind', native_enum=False, length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['vip_group_application.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['vip_group.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['vip_group_member.id'], ),
    sa.ForeignKeyConstraint(['violation_id'], ['vip_group_violation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vip_group_task', schema=None) as batch_op:
        batch_op.create_index('ix_vip_task_group_open', ['group_id', 'done_at'], unique=False)



def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('vip_group_task', schema=None) as batch_op:
        batch_op.drop_index('ix_vip_task_group_open')

    op.drop_table('vip_group_task')
    with op.batch_alter_table('vip_group_violation', schema=None) as batch_op:
        batch_op.drop_index('ix_vip_violation_member')
        batch_op.drop_index(batch_op.f('ix_vip_group_violation_group_id'))

    op.drop_table('vip_group_violation')
    with op.batch_alter_table('vip_group_post', schema=None) as batch_op:
        batch_op.drop_index('ix_vip_post_group_time')

    op.drop_table('vip_group_post')
    with op.batch_alter_table('vip_group_moderation_log', schema=None) as batch_op:
        batch_op.drop_index('ix_vip_moderation_group_time')

    op.drop_table('vip_group_moderation_log')
    with op.batch_alter_table('vip_group_admin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vip_group_admin_group_id'))

    op.drop_table('vip_group_admin')
    with op.batch_alter_table('vip_group_member', schema=None) as batch_op:
        batch_op.drop_index('ix_vip_member_group_status')

    op.drop_table('vip_group_member')
    with op.batch_alter_table('vip_group_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vip_group_application_room_id'))
        batch_op.drop_index(batch_op.f('ix_vip_group_application_account_id'))
        batch_op.drop_index('ix_vip_application_group_status')

    op.drop_table('vip_group_application')
    with op.batch_alter_table('vip_group_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vip_group_rules_group_id'))

    op.drop_table('vip_group_rules')
    op.drop_table('vip_group_compliance')
    with op.batch_alter_table('vip_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vip_group_community_id'))

    op.drop_table('vip_group')
