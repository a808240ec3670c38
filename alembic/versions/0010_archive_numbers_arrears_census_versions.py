"""archives: the number follows the room's code, change-record details as catalog key + parameters

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 09:00:00
"""
import json
from collections.abc import Sequence
from datetime import UTC, datetime

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
            "VALUES (:id, :now, 'renumbered', '', 'archives.detail.renumbered', :params, 'system')"),
            {"id": archive_id, "now": now, "params": json.dumps({"old": old, "new": number})})


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a SQLite batch rebuild would drop archive_change's triggers.
    op.add_column('archive_change', sa.Column('detail_key', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('archive_change', sa.Column('detail_params', sa.JSON(), nullable=False, server_default='{}'))
    _renumber_archives(op.get_bind())


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place, keeping the table's triggers.
    op.drop_column('archive_change', 'detail_params')
    op.drop_column('archive_change', 'detail_key')
