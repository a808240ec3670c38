"""archives: the number follows the room's code, change-record details as catalog key + parameters;
arrears: one open case per room (partial unique index), a version on balances; census: a version on tasks
and what changed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 09:00:00
"""
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _renumber_archives(bind) -> None:
    """Archives of rooms renumbered before this revision still carry the old code: give them the room's
    code (or, if another archive holds it, the first free ``<code>-<n>``) and say so in the change record."""
    rows = bind.execute(sa.text(
        "SELECT archive.id, archive.archive_no, room.code FROM archive JOIN room ON room.id = archive.room_id "
        "WHERE archive.archive_no <> room.code ORDER BY archive.id")).all()
    taken = {number for (number,) in bind.execute(sa.text("SELECT archive_no FROM archive")).all()}
    now = datetime.now(UTC)
    for archive_id, old, code in rows:
        if old.startswith(code + "-") and old[len(code) + 1:].isdigit() and code in taken:
            continue  # already on a free number of its code
        number, n = code, 2
        while number in taken:
            number, n = f"{code}-{n}", n + 1
        taken.discard(old)
        taken.add(number)
        bind.execute(sa.text("UPDATE archive SET archive_no = :number WHERE id = :id"), {"number": number, "id": archive_id})
        bind.execute(sa.text(
            "INSERT INTO archive_change (archive_id, occurred_at, kind, detail, detail_key, detail_params, actor_name) "
            "VALUES (:id, :now, 'renumbered', '', 'archives.detail.renumbered', :params, 'system')")
            # Typed, so SQLAlchemy writes the value as the models do (not sqlite3's deprecated adapter).
            .bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True))),
            {"id": archive_id, "now": now, "params": json.dumps({"old": old, "new": number})})


def _merge_duplicate_open_cases(bind) -> None:
    """Rooms with more than one open case (opened twice at once before the index): the oldest case keeps
    everyone's follow-ups, the others are closed."""
    rooms = bind.execute(sa.text(
        "SELECT room_id, min(id) FROM arrears_case WHERE status = 'open' GROUP BY room_id HAVING count(*) > 1")).all()
    for room_id, keep in rooms:
        twins = [case_id for (case_id,) in bind.execute(sa.text(
            "SELECT id FROM arrears_case WHERE room_id = :room AND status = 'open' AND id <> :keep"),
            {"room": room_id, "keep": keep}).all()]
        for twin in twins:
            bind.execute(sa.text("UPDATE arrears_follow_up SET case_id = :keep WHERE case_id = :twin"),
                         {"keep": keep, "twin": twin})
            bind.execute(sa.text("UPDATE arrears_case SET status = 'closed', closed_on = opened_on WHERE id = :twin"),
                         {"twin": twin})
        last = bind.execute(sa.text("SELECT max(done_on) FROM arrears_follow_up WHERE case_id = :keep"),
                            {"keep": keep}).scalar()
        if last is not None:
            last = last if not isinstance(last, str) else datetime.fromisoformat(last).date()
            bind.execute(sa.text("UPDATE arrears_case SET last_follow_up_on = :last, next_due_on = :due WHERE id = :keep")
                         .bindparams(sa.bindparam("last", type_=sa.Date()), sa.bindparam("due", type_=sa.Date())),
                         {"last": last, "due": last + timedelta(days=15), "keep": keep})


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a SQLite batch rebuild would drop archive_change's triggers.
    op.add_column('archive_change', sa.Column('detail_key', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('archive_change', sa.Column('detail_params', sa.JSON(), nullable=False, server_default='{}'))
    _renumber_archives(op.get_bind())
    _merge_duplicate_open_cases(op.get_bind())
    op.create_index('uq_arrears_case_open_room', 'arrears_case', ['room_id'], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
    # Plain ADD COLUMN: a SQLite batch rebuild could lose the amount's CHECK constraint.
    op.add_column('room_arrears', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('census_task', sa.Column('changed_fields', sa.String(length=300), nullable=False, server_default=''))
    op.add_column('census_task', sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    op.drop_column('census_task', 'version')
    op.drop_column('census_task', 'changed_fields')
    op.drop_column('room_arrears', 'version')
    op.drop_index('uq_arrears_case_open_room', table_name='arrears_case')
    # SQLite (3.35+) drops a column in place, keeping the table's triggers.
    op.drop_column('archive_change', 'detail_params')
    op.drop_column('archive_change', 'detail_key')
