"""notices and emergencies: the notice, the households it reached (read, acknowledged, escalated, called), progress
updates, category templates (停水, 停电, 电梯, 消防, 燃气, 绿化); permissions to view, draft and approve notices

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTS = {"notices.view": ("manager", "cs", "steward"), "notices.draft": ("manager", "cs"),
          "notices.approve": ("manager",)}
# code, kind, name, title, body ({placeholders} the staff fill in)
TEMPLATES = (
    ("water", "outage", "停水", "停水通知", "因{原因}，{范围}将于{开始时间}至{结束时间}停水。请提前储水，关闭水龙头，恢复供水后先放水片刻。给您带来不便，敬请谅解。"),
    ("power", "outage", "停电", "停电通知", "因{原因}，{范围}将于{开始时间}至{结束时间}停电。停电期间电梯停运，请提前做好准备，切勿使用明火照明。"),
    ("elevator", "announcement", "电梯", "电梯维保通知", "{范围}电梯将于{开始时间}至{结束时间}进行维护保养，期间暂停使用，请走楼梯并注意安全。"),
    ("fire", "emergency", "消防", "消防紧急通知", "{范围}发生{情况}。请保持冷静，沿安全通道撤离，不要乘坐电梯，听从工作人员指挥。"),
    ("gas", "emergency", "燃气", "燃气紧急通知", "{范围}发现燃气{情况}。请立即关闭燃气阀门，开窗通风，切勿开关电器或使用明火，迅速离开并等待通知。"),
    ("greening", "announcement", "绿化", "绿化作业通知", "{范围}将于{开始时间}进行{作业内容}，请照看好儿童和宠物，暂勿靠近作业区域。"),
)


def upgrade() -> None:
    permission = sa.table("permission", sa.column("code", sa.String))
    grant = sa.table("role_permission", sa.column("role_code", sa.String), sa.column("permission_code", sa.String))
    op.bulk_insert(permission, [{"code": code} for code in GRANTS])
    op.bulk_insert(grant, [{"role_code": r, "permission_code": p} for p, roles in GRANTS.items() for r in roles])
    op.create_table(
        'notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('body', sa.String(length=8000), nullable=False),
        sa.Column('building_ids', sa.JSON(), nullable=False),
        sa.Column('unit_ids', sa.JSON(), nullable=False),
        sa.Column('room_ids', sa.JSON(), nullable=False),
        sa.Column('group', sa.String(length=12), nullable=False),
        sa.Column('channels', sa.JSON(), nullable=False),
        sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('requires_ack', sa.Boolean(), nullable=False),
        sa.Column('escalate_after_minutes', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approved_by', sa.String(length=64), nullable=False),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('review_needed', sa.Boolean(), nullable=False),
        sa.Column('reviewed_by', sa.String(length=64), nullable=False),
        sa.Column('withdrawn_reason', sa.String(length=200), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['corrects_id'], ['notice.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notice_community_status', 'notice', ['community_id', 'status'])
    op.create_table(
        'notice_household',
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('accounts', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('escalation', sa.Integer(), nullable=False),
        sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('called_by', sa.String(length=64), nullable=False),
        sa.Column('call_note', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['building_id'], ['building.id']),
        sa.ForeignKeyConstraint(['notice_id'], ['notice.id']),
        sa.ForeignKeyConstraint(['room_id'], ['room.id']),
        sa.PrimaryKeyConstraint('notice_id', 'room_id'),
    )
    op.create_index('ix_notice_household_building', 'notice_household', ['notice_id', 'building_id'])
    op.create_table(
        'notice_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('body', sa.String(length=2000), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['notice.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notice_update_notice_id', 'notice_update', ['notice_id'])
    templates = op.create_table(
        'notice_template',
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('body', sa.String(length=4000), nullable=False),
        sa.Column('extra', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )
    op.bulk_insert(templates, [{"code": c, "kind": k, "name": n, "title": t, "body": b, "extra": {}}
                               for c, k, n, t, b in TEMPLATES])


def downgrade() -> None:
    codes = ", ".join(f"'{code}'" for code in GRANTS)
    op.execute(f"DELETE FROM role_permission WHERE permission_code IN ({codes})")
    op.execute(f"DELETE FROM permission WHERE code IN ({codes})")
    op.drop_table('notice_template')
    op.drop_table('notice_update')
    op.drop_table('notice_household')
    op.drop_table('notice')
