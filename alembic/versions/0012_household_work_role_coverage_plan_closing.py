"""census and arrears follow-ups go to the role each community chooses (seed 001 §篇3 4.4.2: 客服专员 by
default; communities that existed before keep their stewards); arrears cases get an assignee and a new case
is due 15 days after it opened; survey plans keep their closing time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _as_date(value):
    return datetime.fromisoformat(value).date() if isinstance(value, str) else value


def _as_utc(value):
    """A stored time as an aware UTC datetime (SQLite returns text or naive UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _first_follow_up_due(bind) -> None:
    """A case nobody has called yet fell due the day it opened; now it is due 15 days later (a new case is
    "due", not late, for its first 15 days)."""
    rows = bind.execute(sa.text(
        "SELECT id, opened_on FROM arrears_case WHERE status = 'open' AND last_follow_up_on IS NULL")).all()
    for case_id, opened_on in rows:
        bind.execute(sa.text("UPDATE arrears_case SET next_due_on = :due WHERE id = :id")
                     .bindparams(sa.bindparam("due", type_=sa.Date())),
                     {"due": _as_date(opened_on) + timedelta(days=15), "id": case_id})


def _closing_times(bind) -> None:
    """Closed and published plans: closed when the audit log says so, else when published, else at the end of
    their last day (Shanghai)."""
    plans = bind.execute(sa.text(
        "SELECT id, ends_on, published_at FROM survey_plan WHERE status IN ('closed', 'published')")).all()
    for plan_id, ends_on, published_at in plans:
        closed = bind.execute(sa.text(
            "SELECT min(occurred_at) FROM audit_event WHERE action = 'surveys.closed' "
            "AND entity_type = 'survey_plan' AND entity_id = :id"), {"id": str(plan_id)}).scalar()
        closed_at = _as_utc(closed) or _as_utc(published_at) or datetime.combine(
            _as_date(ends_on), time(23, 59, 59), SHANGHAI)
        # In UTC, as the models store it (SQLite keeps no offset).
        bind.execute(sa.text("UPDATE survey_plan SET closed_at = :at WHERE id = :id")
                     .bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
                     {"at": closed_at.astimezone(UTC), "id": plan_id})


def upgrade() -> None:
    op.add_column('community', sa.Column(
        'household_work_role', sa.Enum('cs', 'steward', name='householdworkrole', native_enum=False, length=16),
        server_default='cs', nullable=False))
    # Communities that existed before this revision gave the work to their stewards: an upgrade moves nobody's
    # tasks. New communities start with cs (seed 001 §4.4.2); the community form switches either way.
    op.execute("UPDATE community SET household_work_role = 'steward'")
    # No batch rebuild of arrears_case (its follow-ups reference it): SQLite adds a column with its REFERENCES
    # clause in place, PostgreSQL adds the constraint after the column.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE arrears_case ADD COLUMN assignee_id INTEGER REFERENCES app_user (id)")
    else:
        op.add_column('arrears_case', sa.Column('assignee_id', sa.Integer(), nullable=True))
        op.create_foreign_key('arrears_case_assignee_id_fkey', 'arrears_case', 'app_user', ['assignee_id'], ['id'])
    op.create_index('ix_arrears_case_assignee', 'arrears_case', ['assignee_id', 'status'], unique=False)
    # What the case list showed as responsible until now: the building's steward.
    op.execute("UPDATE arrears_case SET assignee_id = (SELECT building.steward_user_id FROM building "
               "WHERE building.id = arrears_case.building_id) WHERE status = 'open'")
    _first_follow_up_due(op.get_bind())
    op.add_column('survey_plan', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    _closing_times(op.get_bind())


def downgrade() -> None:
    op.drop_column('survey_plan', 'closed_at')
    op.drop_index('ix_arrears_case_assignee', table_name='arrears_case')
    # In place on both (SQLite 3.35+; PostgreSQL drops the column's foreign key with it).
    op.drop_column('arrears_case', 'assignee_id')
    op.drop_column('community', 'household_work_role')
