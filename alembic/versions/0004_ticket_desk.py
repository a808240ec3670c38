"""ticket desk: tickets with SLA clocks, timeline, evidence, callbacks, notifications; departments,
the category tree and the SLA matrix seeded from the rulebooks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:18:42.683435
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import pm_admin.core.types
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {
    "tickets.view": ("manager", "cs", "steward"),
    "tickets.create": ("manager", "cs", "steward"),
    "tickets.work": ("manager", "cs"),
    "tickets.own": ("technician",),
    "tickets.approve": ("manager",),
    "tickets.callback": ("manager", "cs"),
    "tickets.review": ("manager", "cs"),
    "tickets.settings": ("admin",),
}
DEPARTMENTS = (("service", "客服部", "Customer service"), ("engineering", "工程部", "Engineering"),
               ("cleaning", "保洁部", "Cleaning"), ("greening", "绿化部", "Landscaping"), ("security", "秩序部", "Security"))
# Seed 000 §四(二): 物业服务类、设施设备类、环境卫生类、安全管理类、邻里关系类; seed 004: 公共设施、清洁卫生、绿化维护.
# (code, 中文, English, department, round-robin among the department's members, children)
CATEGORIES = (
    ("service", "物业服务", "Property service", "service", False, (
        ("service_attitude", "客服态度", "Staff attitude"), ("fees", "收费问题", "Fees and charges"),
        ("renovation", "装修管理", "Renovation"), ("service_other", "其他服务", "Other service"))),
    ("facilities", "设施设备", "Facilities and equipment", "engineering", True, (
        ("public_facilities", "公共设施", "Public facilities"), ("elevator", "电梯", "Elevators"),
        ("water_power", "水电", "Water and power"), ("home_repair", "户内维修", "In-home repair"),
        ("access_cctv", "门禁监控", "Access control and CCTV"))),
    ("environment", "环境卫生", "Environment and hygiene", "cleaning", False, (
        ("cleaning", "清洁卫生", "Cleaning"), ("greening", "绿化维护", "Greenery upkeep"),
        ("garbage", "垃圾清运", "Rubbish removal"), ("pests", "虫害防治", "Pest control"))),
    ("safety", "安全管理", "Safety and security", "security", False, (
        ("gate", "门岗秩序", "Gate and order"), ("parking", "车辆停放", "Parking"),
        ("fire", "消防安全", "Fire safety"), ("public_security", "治安防范", "Public security"))),
    ("neighbours", "邻里关系", "Neighbour relations", "service", False, (
        ("noise", "噪音扰民", "Noise"), ("pets", "宠物管理", "Pets"), ("leak_dispute", "漏水纠纷", "Leak disputes"),
        ("shared_space", "占用公共空间", "Occupied shared space"))),
)
GREENING_DEPARTMENT = {"greening": "greening"}  # 绿化维护 goes to 绿化部, not 保洁部
# DESIGN.md defaults (minutes): urgent 15/30/240, important 60/–/1440, normal 240/–/4320.
SLA_DEFAULTS = (("urgent", 15, 30, 240), ("important", 60, None, 1440), ("normal", 240, None, 4320))


def grant_permissions() -> None:
    permission = sa.table("permission", sa.column("code", sa.String))
    grant = sa.table("role_permission", sa.column("role_code", sa.String), sa.column("permission_code", sa.String))
    op.bulk_insert(permission, [{"code": code} for code in GRANTS])
    op.bulk_insert(grant, [{"role_code": r, "permission_code": p} for p, roles in GRANTS.items() for r in roles])


def revoke_permissions() -> None:
    codes = ", ".join(f"'{code}'" for code in GRANTS)
    op.execute(f"DELETE FROM role_permission WHERE permission_code IN ({codes})")
    op.execute(f"DELETE FROM permission WHERE code IN ({codes})")


def seed_reference_data() -> None:
    department = sa.table("department", sa.column("id", sa.Integer), sa.column("code", sa.String),
                          sa.column("name", sa.String), sa.column("name_en", sa.String))
    category = sa.table("ticket_category", *(sa.column(c) for c in (
        "id", "parent_id", "code", "name_zh", "name_en", "department_id", "round_robin", "is_active", "sort")))
    policy = sa.table("sla_policy", *(sa.column(c) for c in (
        "tier", "category_id", "respond_minutes", "onsite_minutes", "resolve_minutes")))
    op.bulk_insert(department, [{"code": code, "name": name, "name_en": name_en} for code, name, name_en in DEPARTMENTS])

    def department_id(code: str):
        return sa.select(department.c.id).where(department.c.code == code).scalar_subquery()

    for sort, (code, zh, en, dept, round_robin, children) in enumerate(CATEGORIES):
        op.execute(category.insert().values(code=code, name_zh=zh, name_en=en, department_id=department_id(dept),
                                            round_robin=round_robin, is_active=True, sort=sort * 10))
        parent = sa.select(category.c.id).where(category.c.code == code).scalar_subquery()
        for child_sort, (child, child_zh, child_en) in enumerate(children):
            op.execute(category.insert().values(
                code=child, name_zh=child_zh, name_en=child_en, parent_id=parent, round_robin=round_robin,
                department_id=department_id(GREENING_DEPARTMENT.get(child, dept)), is_active=True,
                sort=sort * 10 + child_sort + 1))
    op.bulk_insert(policy, [{"tier": tier, "category_id": None, "respond_minutes": respond, "onsite_minutes": onsite,
                             "resolve_minutes": resolve} for tier, respond, onsite, resolve in SLA_DEFAULTS])


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('ticket_sequence',
    sa.Column('day', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )
    op.create_table('department_member',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('department_id', 'user_id')
    )
    op.create_table('ticket_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('round_robin', sa.Boolean(), nullable=False),
    sa.Column('last_assignee_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['last_assignee_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['ticket_category.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('ticket_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_category_parent_id'), ['parent_id'], unique=False)

    op.create_table('sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('urgent', 'important', 'normal', name='tier', native_enum=False, length=12), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('respond_minutes', sa.Integer(), nullable=False),
    sa.Column('onsite_minutes', sa.Integer(), nullable=True),
    sa.Column('resolve_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_category.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tier', 'category_id', name='uq_sla_tier_category')
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('complaint', 'request', 'repair', 'suggestion', 'inquiry', 'anonymous', name='kind', native_enum=False, length=12), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('urgent', 'important', 'normal', name='tier', native_enum=False, length=12), nullable=False),
    sa.Column('channel', sa.Enum('hotline', 'front_desk', 'suggestion_box', 'wechat_group', 'online', 'patrol', 'meeting', 'anonymous', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('status', sa.Enum('new', 'assigned', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled', 'invalid', name='status', native_enum=False, length=12), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('updated_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('respond_due', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('onsite_due', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolve_due', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('responded_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('onsite_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('hold_until', sa.Date(), nullable=True),
    sa.Column('hold_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('plan', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('plan_approved_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('plan_approved_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('repeat_of_id', sa.Integer(), nullable=True),
    sa.Column('valid_complaint', sa.Boolean(), nullable=True),
    sa.Column('callback_attempts', sa.Integer(), nullable=False),
    sa.Column('next_callback_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['category_id'], ['ticket_category.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['owner.id'], ),
    sa.ForeignKeyConstraint(['repeat_of_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_ticket_board', ['community_id', 'tier', 'status', 'resolve_due'], unique=False)
        batch_op.create_index('ix_ticket_created', ['created_at'], unique=False)
        batch_op.create_index('ix_ticket_resolved', ['status', 'resolved_at'], unique=False)
        batch_op.create_index('ix_ticket_room_category', ['room_id', 'category_id', 'created_at'], unique=False)
        batch_op.create_index('ix_ticket_status_due', ['status', 'resolve_due'], unique=False)
        batch_op.create_index('ix_ticket_tier_status_due', ['tier', 'status', 'resolve_due'], unique=False)
        batch_op.create_index('ix_ticket_community_updated', ['community_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_ticket_updated', ['updated_at'], unique=False)

    op.create_table('callback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('attitude', sa.Integer(), nullable=True),
    sa.Column('efficiency', sa.Integer(), nullable=True),
    sa.Column('skill', sa.Integer(), nullable=True),
    sa.Column('result', sa.Integer(), nullable=True),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.Column('done_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.create_index('ix_callback_ticket', ['ticket_id', 'attempt'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('message_key', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('sla_breach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Enum('urgent', 'important', 'normal', name='tier', native_enum=False, length=12), nullable=False),
    sa.Column('milestone', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('due_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('met_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('minutes_over', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'milestone', 'round', name='uq_sla_breach')
    )
    with op.batch_alter_table('sla_breach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_breach_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_event_ticket', ['ticket_id', 'at'], unique=False)

    op.create_table('ticket_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('uploaded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('uploaded_at', pm_admin.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_evidence_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_observer',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id')
    )
    # ### end Alembic commands ###
    grant_permissions()
    seed_reference_data()


def downgrade() -> None:
    revoke_permissions()
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('ticket_observer')
    with op.batch_alter_table('ticket_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_evidence_ticket_id'))

    op.drop_table('ticket_evidence')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_event_ticket')

    op.drop_table('ticket_event')
    with op.batch_alter_table('sla_breach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_breach_ticket_id'))

    op.drop_table('sla_breach')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')

    op.drop_table('notification')
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_ticket')

    op.drop_table('callback')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_updated')
        batch_op.drop_index('ix_ticket_community_updated')
        batch_op.drop_index('ix_ticket_tier_status_due')
        batch_op.drop_index('ix_ticket_status_due')
        batch_op.drop_index('ix_ticket_room_category')
        batch_op.drop_index('ix_ticket_resolved')
        batch_op.drop_index('ix_ticket_created')
        batch_op.drop_index('ix_ticket_board')
        batch_op.drop_index('ix_ticket_assignee_status')

    op.drop_table('ticket')
    op.drop_table('sla_policy')
    with op.batch_alter_table('ticket_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_category_parent_id'))

    op.drop_table('ticket_category')
    op.drop_table('department_member')
    op.drop_table('ticket_sequence')
    op.drop_table('department')
    # ### end Alembic commands ###
