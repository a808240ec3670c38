"""Scorecards 绩效: who a resolution round counts for (resolver, department) and the callback that ended it; the
scorecards permissions

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 12:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from pm_admin.core.migration_grants import grant_permissions, revoke_permissions

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# permission code -> roles holding it
GRANTS = {"scorecards.own": ("manager", "cs", "steward", "technician"),
          "scorecards.team": ("manager",),
          "scorecards.departments": ("manager", "executive")}


def upgrade() -> None:
    grant_permissions(GRANTS)
    with op.batch_alter_table('ticket_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolver_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('callback_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_ticket_round_department', ['department_id', 'resolved_at'], unique=False)
        batch_op.create_index('ix_ticket_round_resolver', ['resolver_id', 'resolved_at'], unique=False)
        batch_op.create_foreign_key('fk_ticket_round_resolver', 'app_user', ['resolver_id'], ['id'])
        batch_op.create_foreign_key('fk_ticket_round_department', 'department', ['department_id'], ['id'])
        batch_op.create_foreign_key('fk_ticket_round_callback', 'callback', ['callback_id'], ['id'])
    # Rounds resolved before: the ticket's assignee and department now (the best the rows tell), and the first
    # callback after the resolution that reached the owner.
    op.execute("""UPDATE ticket_round SET
        resolver_id = (SELECT ticket.assignee_id FROM ticket WHERE ticket.id = ticket_round.ticket_id),
        department_id = (SELECT ticket.department_id FROM ticket WHERE ticket.id = ticket_round.ticket_id)
        WHERE resolved_at IS NOT NULL""")
    op.execute("""UPDATE ticket_round SET callback_id = (
        SELECT min(callback.id) FROM callback WHERE callback.ticket_id = ticket_round.ticket_id
        AND callback.reached = true AND callback.done_at >= ticket_round.resolved_at)
        WHERE resolved_at IS NOT NULL AND callback_reached_at IS NOT NULL""")


def downgrade() -> None:
    with op.batch_alter_table('ticket_round', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ticket_round_callback', type_='foreignkey')
        batch_op.drop_constraint('fk_ticket_round_department', type_='foreignkey')
        batch_op.drop_constraint('fk_ticket_round_resolver', type_='foreignkey')
        batch_op.drop_index('ix_ticket_round_resolver')
        batch_op.drop_index('ix_ticket_round_department')
        batch_op.drop_column('callback_id')
        batch_op.drop_column('department_id')
        batch_op.drop_column('resolver_id')
    revoke_permissions(GRANTS)
