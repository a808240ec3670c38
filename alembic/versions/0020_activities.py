"""activities 社区活动: activities with staff roles, sign-ups with the waiting list and check-in, evaluations and
the review; the activities permissions

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"activities.view": ("manager", "cs", "steward", "executive"),
          "activities.manage": ("manager", "cs", "steward")}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.Enum('planned', 'open', 'closed', 'done', 'reviewed', name='activitystatus', native_enum=False, length=12), nullable=False),
    sa.Column('notice_ref', sa.String(length=64), nullable=False),
    sa.Column('improvement', sa.String(length=2000), nullable=False),
    sa.Column('reviewed_by', sa.String(length=64), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index('ix_activity_community_time', ['community_id', 'starts_at'], unique=False)

    op.create_table('activity_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'user_id', name='uq_activity_staff')
    )
    with op.batch_alter_table('activity_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_staff_activity_id'), ['activity_id'], unique=False)

    op.create_table('activity_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'room_id', name='uq_activity_evaluation_room')
    )
    with op.batch_alter_table('activity_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_evaluation_activity_id'), ['activity_id'], unique=False)

    op.create_table('activity_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('room_code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waiting', 'cancelled', name='signupstatus', native_enum=False, length=12), nullable=False),
    sa.Column('source', sa.Enum('portal', 'staff', 'walk_in', name='signupsource', native_enum=False, length=8), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('signed_up_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'room_id', name='uq_activity_signup_room')
    )
    with op.batch_alter_table('activity_signup', schema=None) as batch_op:
        batch_op.create_index('ix_activity_signup_activity', ['activity_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_signup_room_id'), ['room_id'], unique=False)



def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('activity_signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_signup_room_id'))
        batch_op.drop_index('ix_activity_signup_activity')

    op.drop_table('activity_signup')
    with op.batch_alter_table('activity_evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_evaluation_activity_id'))

    op.drop_table('activity_evaluation')
    with op.batch_alter_table('activity_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_staff_activity_id'))

    op.drop_table('activity_staff')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_community_time')

    op.drop_table('activity')
