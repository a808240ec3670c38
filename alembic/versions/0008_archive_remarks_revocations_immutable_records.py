"""archives: catalog remarks, who revoked a grant (the approval stays), scan versions that never change
and an append-only change record

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Nothing updates a scan version (a replacement adds one), and the change record only grows (seed 4.4.1).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER archive_file_no_update BEFORE UPDATE ON archive_file "
    "BEGIN SELECT RAISE(ABORT, 'archive_file is kept forever'); END",
    "CREATE TRIGGER archive_change_no_update BEFORE UPDATE ON archive_change "
    "BEGIN SELECT RAISE(ABORT, 'archive_change is append-only'); END",
    "CREATE TRIGGER archive_change_no_delete BEFORE DELETE ON archive_change "
    "BEGIN SELECT RAISE(ABORT, 'archive_change is append-only'); END",
)
POSTGRES_TRIGGERS = (
    # archive_kept_forever() comes from 0003.
    "CREATE TRIGGER archive_file_no_update BEFORE UPDATE ON archive_file "
    "FOR EACH ROW EXECUTE FUNCTION archive_kept_forever()",
    "CREATE TRIGGER archive_file_no_truncate BEFORE TRUNCATE ON archive_file "
    "FOR EACH STATEMENT EXECUTE FUNCTION archive_kept_forever()",
    "CREATE FUNCTION archive_change_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'archive_change is append-only'; END $$",
    "CREATE TRIGGER archive_change_no_change BEFORE UPDATE OR DELETE ON archive_change "
    "FOR EACH ROW EXECUTE FUNCTION archive_change_append_only()",
    "CREATE TRIGGER archive_change_no_truncate BEFORE TRUNCATE ON archive_change "
    "FOR EACH STATEMENT EXECUTE FUNCTION archive_change_append_only()",
)


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a SQLite batch rebuild would drop the tables' triggers.
    op.add_column('archive', sa.Column('remarks', sa.String(length=500), nullable=False, server_default=''))
    op.add_column('access_request', sa.Column('revoked_by', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('access_request', sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('access_request', sa.Column('revoke_note', sa.String(length=300), nullable=False, server_default=''))
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table in (("archive_file_no_update", "archive_file"), ("archive_file_no_truncate", "archive_file"),
                               ("archive_change_no_change", "archive_change"),
                               ("archive_change_no_truncate", "archive_change")):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS archive_change_append_only()")
    else:
        for trigger in ("archive_file_no_update", "archive_change_no_update", "archive_change_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    # SQLite (3.35+) drops a column in place, keeping the tables' other triggers.
    op.drop_column('access_request', 'revoke_note')
    op.drop_column('access_request', 'revoked_at')
    op.drop_column('access_request', 'revoked_by')
    op.drop_column('archive', 'remarks')
