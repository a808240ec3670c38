"""The visit programme 走访 / 回访计划: plans per community, their visit tasks, visit records and the issues raised on
them; the visits permissions

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 12:04:30
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"visits.view": ("manager", "cs", "steward", "executive"),
          "visits.record": ("manager", "cs", "steward"),
          "visits.plan": ("manager",),
          "visits.report": ("manager", "executive")}


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('visit_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('weekly', 'quarterly', 'door_to_door', name='plankind', native_enum=False, length=16), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('times_per_year', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'kind', name='uq_visit_plan_kind')
    )
    with op.batch_alter_table('visit_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_plan_community_id'), ['community_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('method', sa.Enum('door', 'phone', 'forum', 'other', name='method', native_enum=False, length=8), nullable=False),
    sa.Column('met', sa.Enum('owner', 'family', 'tenant', 'other', 'nobody', name='met', native_enum=False, length=8), nullable=False),
    sa.Column('met_name', sa.String(length=40), nullable=False),
    sa.Column('topics', sa.String(length=1000), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['visitor_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_community_day', ['community_id', 'visited_on'], unique=False)
        batch_op.create_index('ix_visit_room_day', ['room_id', 'visited_on'], unique=False)
        batch_op.create_index('ix_visit_visitor_day', ['visitor_id', 'visited_on'], unique=False)

    op.create_table('visit_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('weekly', 'quarterly', 'door_to_door', name='plankind', native_enum=False, length=16), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'done', name='taskstatus', native_enum=False, length=12), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['visit_plan.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'period', 'subject', name='uq_visit_task_subject')
    )
    with op.batch_alter_table('visit_task', schema=None) as batch_op:
        batch_op.create_index('ix_visit_task_assignee', ['assignee_id', 'status', 'ends_on'], unique=False)
        batch_op.create_index('ix_visit_task_community', ['community_id', 'ends_on', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_task_room_id'), ['room_id'], unique=False)

    op.create_table('visit_issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('action', sa.Enum('answered', 'ticket', 'suggestion', 'pending', name='issueaction', native_enum=False, length=12), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('suggestion_id', sa.Integer(), nullable=True),
    sa.Column('promised_on', sa.Date(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('reply', sa.String(length=500), nullable=False),
    sa.Column('replied_by', sa.String(length=64), nullable=False),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit_issue', schema=None) as batch_op:
        batch_op.create_index('ix_visit_issue_promise', ['community_id', 'promised_on', 'replied_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_issue_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('visit_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_issue_visit_id'))
        batch_op.drop_index('ix_visit_issue_promise')

    op.drop_table('visit_issue')
    with op.batch_alter_table('visit_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_task_room_id'))
        batch_op.drop_index('ix_visit_task_community')
        batch_op.drop_index('ix_visit_task_assignee')

    op.drop_table('visit_task')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_visitor_day')
        batch_op.drop_index('ix_visit_room_day')
        batch_op.drop_index('ix_visit_community_day')

    op.drop_table('visit')
    with op.batch_alter_table('visit_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_plan_community_id'))

    op.drop_table('visit_plan')
    revoke_permissions(GRANTS)
