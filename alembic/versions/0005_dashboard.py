"""executive dashboard: the dashboard.view permission, ticket rollups (month, day, week, keywords) and the
households index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"dashboard.view": ("manager", "executive")}
TTR_COLUMNS = ("ttr_lt_1h", "ttr_1_4h", "ttr_4_8h", "ttr_8_24h", "ttr_1_3d", "ttr_3_7d", "ttr_gt_7d")


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False)


def create_rollups() -> None:
    # Rollups start empty: `python -m pm_admin.cli rebuild-rollups` fills them from existing tickets.
    op.create_table(
        'ticket_month_stats',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('tier', _text(12), nullable=False),
        sa.Column('kind', _text(12), nullable=False),
        *(_counter(name) for name in ('created', 'repeats', 'reopened', 'valid_complaints', 'resolved',
                                      'resolved_in_sla', 'callbacks_done')),
        sa.Column('resolve_minutes', sa.BigInteger(), nullable=False),
        *(_counter(name) for name in TTR_COLUMNS),
        sa.PrimaryKeyConstraint('community_id', 'month', 'category_id', 'tier', 'kind'),
    )
    op.create_table(
        'ticket_day_stats',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('kind', _text(12), nullable=False),
        _counter('created'),
        sa.PrimaryKeyConstraint('community_id', 'day', 'category_id', 'kind'),
    )
    op.create_table(
        'ticket_week_stats',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        _counter('created'),
        sa.PrimaryKeyConstraint('community_id', 'week', 'building_id', 'category_id'),
    )
    with op.batch_alter_table('ticket_week_stats', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_week_stats_week', ['week', 'community_id', 'building_id', 'category_id',
                                                            'created'], unique=False)
    op.create_table(
        'ticket_keyword_month',
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('word', _text(32), nullable=False),
        _counter('tickets'),
        sa.PrimaryKeyConstraint('community_id', 'month', 'word'),
    )
    with op.batch_alter_table('ownership', schema=None) as batch_op:
        batch_op.create_index('ix_ownership_community_room_current', ['community_id', 'room_id'], unique=False,
                              sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))


def upgrade() -> None:
    permission = sa.table("permission", sa.column("code", sa.String))
    grant = sa.table("role_permission", sa.column("role_code", sa.String), sa.column("permission_code", sa.String))
    op.bulk_insert(permission, [{"code": code} for code in GRANTS])
    op.bulk_insert(grant, [{"role_code": r, "permission_code": p} for p, roles in GRANTS.items() for r in roles])
    create_rollups()


def downgrade() -> None:
    with op.batch_alter_table('ownership', schema=None) as batch_op:
        batch_op.drop_index('ix_ownership_community_room_current', sqlite_where=sa.text('ended_on IS NULL'),
                            postgresql_where=sa.text('ended_on IS NULL'))
    op.drop_table('ticket_keyword_month')
    with op.batch_alter_table('ticket_week_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_week_stats_week')
    op.drop_table('ticket_week_stats')
    op.drop_table('ticket_day_stats')
    op.drop_table('ticket_month_stats')
    codes = ", ".join(f"'{code}'" for code in GRANTS)
    op.execute(f"DELETE FROM role_permission WHERE permission_code IN ({codes})")
    op.execute(f"DELETE FROM permission WHERE code IN ({codes})")
