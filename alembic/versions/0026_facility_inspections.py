"""Facility inspections 巡检 and hazard rectification 隐患整改: equipment, checklists (the seeds' three: 消防全面检查,
消防季度抽查, 电梯机房日检), schedules, tasks and their answers, rectifications and their rechecks; the inspections
permissions

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 12:04:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"inspections.view": ("manager", "steward", "technician", "executive"),
          "inspections.work": ("manager", "technician"),
          "inspections.manage": ("manager",)}

# The company's checklists, from the seeds (frozen here: a community's own are kept by its managers).
# (name, category, recurrence, days to rectify, department code, items as (section, text))
TEMPLATES = (
    # Seed 003 5.29.1 a: 公司每年进行二次防火安全检查 …《防火安全检查记录表》; 5.29.2 检查内容 a–c.
    ("消防全面检查", "fire", "half_yearly", 7, "security", (
        ("消防通道", "消防通道畅通，无占用、堵塞"),
        ("消防通道", "安全疏散标志完好"),
        ("消防设施", "自动火灾报警装置运行正常"),
        ("消防设施", "消防水池水位正常、无渗漏"),
        ("消防设施", "消火栓系统完好（栓箱、水带、水枪齐全）"),
        ("消防设施", "消防水泵运行正常"),
        ("消防设施", "气体灭火系统运行正常"),
        ("用火用电", "火源控制到位，无违规用火"),
        ("用火用电", "电气设备安装符合安全要求"),
        ("用火用电", "无超负荷用电现象"),
    )),
    # Seed 003 5.29.1 b: 突击检查 …由消防第一责任人每季度组织一次.
    ("消防季度抽查", "fire", "quarterly", 7, "security", (
        ("抽查", "防火安全措施真正落实"),
        ("抽查", "消防设施完好"),
        ("抽查", "消防通道畅通，安全疏散标志完好"),
        ("抽查", "用火用电安全，无超负荷现象"),
    )),
    # Seed 003 5.30 《电梯机房管理制度》: 维修管理人员每天对机房机械及电器部件巡视检查一遍.
    ("电梯机房日检", "elevator", "daily", 3, "engineering", (
        ("机房", "机房门锁完好，无无关人员进入"),
        ("机房", "机房机械及电器部件巡视正常"),
        ("机房", "机房清洁，曳引机、减速箱无漏油"),
        ("限速器", "限速器每周加油，钳口无油垢"),
        ("制动器", "制动器清洁，制动轮与闸瓦间隙正常、制动灵活"),
        ("环境", "机房温度正常，照明、通讯及降温设备工作正常"),
        ("消防", "机房配备消防器材且完好"),
    )),
)


def seed_templates() -> None:
    department = sa.table("department", sa.column("id", sa.Integer), sa.column("code", sa.String))
    template = sa.table("inspection_template", sa.column("name", sa.String), sa.column("category", sa.String),
                        sa.column("recurrence", sa.String), sa.column("rectify_days", sa.Integer),
                        sa.column("department_id", sa.Integer), sa.column("items", sa.JSON),
                        sa.column("is_active", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)),
                        sa.column("version", sa.Integer))
    now = datetime.now(UTC)
    for name, category, recurrence, days, department_code, items in TEMPLATES:
        department_id = sa.select(department.c.id).where(department.c.code == department_code).scalar_subquery()
        op.execute(template.insert().values(
            name=name, category=category, recurrence=recurrence, rectify_days=days, department_id=department_id,
            items=[{"section": section, "text": text} for section, text in items], is_active=True, created_at=now,
            version=1))


def upgrade() -> None:
    grant_permissions(GRANTS)
    op.create_table('inspection_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('category', sa.Enum('fire', 'elevator', 'general', name='category', native_enum=False, length=12), nullable=False),
    sa.Column('recurrence', sa.Enum('daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', name='recurrence', native_enum=False, length=12), nullable=False),
    sa.Column('rectify_days', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inspection_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_template_community_id'), ['community_id'], unique=False)

    op.create_table('inspection_equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.Enum('elevator', 'fire', 'pump', 'power', 'other', name='equipmentkind', native_enum=False, length=12), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inspection_equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_equipment_community_id'), ['community_id'], unique=False)

    op.create_table('inspection_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('equipment_id', sa.Integer(), nullable=True),
    sa.Column('recurrence', sa.Enum('daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', name='recurrence', native_enum=False, length=12), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['equipment_id'], ['inspection_equipment.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['inspection_template.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inspection_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_schedule_community_id'), ['community_id'], unique=False)

    op.create_table('inspection_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('fire', 'elevator', 'general', name='category', native_enum=False, length=12), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('place', sa.String(length=160), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('equipment_id', sa.Integer(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', name='taskstatus', native_enum=False, length=8), nullable=False),
    sa.Column('failed_items', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=64), nullable=False),
    sa.Column('done_by_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['equipment_id'], ['inspection_equipment.id'], ),
    sa.ForeignKeyConstraint(['schedule_id'], ['inspection_schedule.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['inspection_template.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'period_start', name='uq_inspection_task_period')
    )
    with op.batch_alter_table('inspection_task', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_task_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_inspection_task_community_due', ['community_id', 'due_on'], unique=False)

    op.create_table('inspection_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('photo_sha256', sa.String(length=64), nullable=False),
    sa.Column('photo_type', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['inspection_task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('task_id', 'position', name='uq_inspection_answer_item')
    )
    with op.batch_alter_table('inspection_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_answer_task_id'), ['task_id'], unique=False)

    op.create_table('rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('fire', 'elevator', 'general', name='category', native_enum=False, length=12), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('hazard', sa.String(length=800), nullable=False),
    sa.Column('requirement', sa.String(length=500), nullable=False),
    sa.Column('responsible', sa.Enum('household', 'contractor', 'department', name='responsible', native_enum=False, length=12), nullable=False),
    sa.Column('responsible_room_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('contractor', sa.String(length=80), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('first_deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='rectificationstatus', native_enum=False, length=8), nullable=False),
    sa.Column('inspector', sa.String(length=64), nullable=False),
    sa.Column('inspector_name', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=False),
    sa.Column('escalated_for', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['inspection_answer.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['responsible_room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['inspection_task.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id')
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_rectification_status_deadline', ['status', 'deadline'], unique=False)

    op.create_table('rectification_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_by', sa.String(length=64), nullable=False),
    sa.Column('checker_name', sa.String(length=64), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('photo_sha256', sa.String(length=64), nullable=False),
    sa.Column('photo_type', sa.String(length=32), nullable=False),
    sa.Column('deadline_before', sa.Date(), nullable=False),
    sa.Column('new_deadline', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectification.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rectification_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_check_rectification_id'), ['rectification_id'], unique=False)

    seed_templates()


def downgrade() -> None:
    revoke_permissions(GRANTS)
    with op.batch_alter_table('rectification_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_check_rectification_id'))

    op.drop_table('rectification_check')
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_status_deadline')
        batch_op.drop_index(batch_op.f('ix_rectification_community_id'))

    op.drop_table('rectification')
    with op.batch_alter_table('inspection_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_answer_task_id'))

    op.drop_table('inspection_answer')
    with op.batch_alter_table('inspection_task', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_task_community_due')
        batch_op.drop_index('ix_inspection_task_assignee_status')

    op.drop_table('inspection_task')
    with op.batch_alter_table('inspection_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_schedule_community_id'))

    op.drop_table('inspection_schedule')
    with op.batch_alter_table('inspection_equipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_equipment_community_id'))

    op.drop_table('inspection_equipment')
    with op.batch_alter_table('inspection_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_template_community_id'))

    op.drop_table('inspection_template')
