"""tickets: resolution rounds (read back from each ticket's timeline), the contact who reported it, per-kind
callback settings, SLA breach rounds counted from 1, and the once-per-hold overdue notice; dashboard: the
month rollup loses its resolution counters (the rounds hold them) and counts valid and undecided complaints
of complaints neither cancelled nor invalid

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 09:00:00
"""
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (needs a callback, days): seed 003 5.28 repairs within 7 days, other kinds 2; inquiries none by default,
# anonymous feedback never (seed 004).
KIND_SETTINGS = {"complaint": (True, 2), "request": (True, 2), "repair": (True, 7), "suggestion": (True, 2),
                 "inquiry": (False, 2), "anonymous": (False, 0)}
MAX_CALLBACK_ATTEMPTS = 3
BATCH = 2000
SHANGHAI = ZoneInfo("Asia/Shanghai")
RESOLUTION_COUNTERS = ("resolved", "resolved_in_sla", "callbacks_done", "resolve_minutes", "ttr_lt_1h", "ttr_1_4h",
                       "ttr_4_8h", "ttr_8_24h", "ttr_1_3d", "ttr_3_7d", "ttr_gt_7d")


def _moment(value) -> datetime:
    """A timestamp as the driver returns it (SQLite: text or naive UTC; PostgreSQL: aware)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _rounds_of(ticket, events: list) -> list[dict]:
    """A frozen copy of pm_admin.tickets.round_history.rounds_of, as the app read timelines at this revision."""
    needs_callback, days = KIND_SETTINGS.get(ticket.kind, (True, 2))
    tier_changes = [e for e in events if e.kind == "tier"]
    tier = tier_changes[0].from_status if tier_changes else ticket.tier
    paused, hold_started, unreachable = 0, None, 0
    current = {"number": 1, "started_at": _moment(ticket.created_at), "paused_seconds_at_start": 0}
    rounds = [current]
    for event in events:
        at = _moment(event.at)
        if event.kind == "tier":
            tier = event.to_status
        elif event.kind == "status" and event.to_status == "on_hold":
            hold_started = at
        elif event.from_status == "on_hold" and hold_started is not None:
            paused += int((at - hold_started).total_seconds())
            hold_started = None
        if event.to_status == "resolved" and event.kind == "status":
            held = paused - current["paused_seconds_at_start"]
            current.update(resolved_at=at, tier=tier, hold_seconds=held,
                           active_seconds=max(0, int((at - current["started_at"]).total_seconds()) - held),
                           callback_due_at=at + timedelta(days=days) if needs_callback else None)
            unreachable = 0
        elif event.kind in ("callback_satisfied", "callback_unsatisfied") and current.get("resolved_at"):
            current.setdefault("callback_reached_at", at)
        elif event.kind == "callback_unreachable" and current.get("resolved_at"):
            unreachable += 1
            current["callback_unreachable"] = unreachable >= MAX_CALLBACK_ATTEMPTS
        if event.from_status in ("resolved", "closed") and event.to_status in ("in_progress", "assigned"):
            current = {"number": current["number"] + 1, "started_at": at, "paused_seconds_at_start": paused}
            rounds.append(current)
    for row in rounds:
        row.update(ticket_id=ticket.id, community_id=ticket.community_id, kind=ticket.kind)
        for name, empty in (("resolved_at", None), ("hold_seconds", 0), ("active_seconds", 0), ("tier", ""),
                            ("breached", False), ("callback_due_at", None), ("callback_reached_at", None),
                            ("callback_unreachable", False)):
            row.setdefault(name, empty)
    return rounds


def _backfill_rounds(bind, rounds_table) -> None:
    last = 0
    while True:
        tickets = bind.execute(sa.text(
            "SELECT id, community_id, kind, tier, created_at FROM ticket WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH}).all()
        if not tickets:
            return
        events: dict[int, list] = defaultdict(list)
        for event in bind.execute(sa.text(
                "SELECT ticket_id, at, kind, from_status, to_status FROM ticket_event "
                "WHERE ticket_id > :first AND ticket_id <= :last ORDER BY ticket_id, at, id"),
                {"first": last, "last": tickets[-1].id}).all():
            events[event.ticket_id].append(event)
        rows = [row for ticket in tickets for row in _rounds_of(ticket, events[ticket.id])]
        bind.execute(rounds_table.insert(), rows)
        last = tickets[-1].id


def _recount_complaints(bind) -> None:
    """valid_complaints and undecided_complaints of complaints neither cancelled nor invalid, per rollup row
    (the month of registration in Shanghai time, the top-level category; community 0 is the company)."""
    parents = dict(bind.execute(sa.text("SELECT id, parent_id FROM ticket_category")).all())
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in bind.execute(sa.text(
            "SELECT community_id, created_at, category_id, tier, valid_complaint FROM ticket "
            "WHERE kind = 'complaint' AND status NOT IN ('cancelled', 'invalid')")).all():
        top = row.category_id
        while parents.get(top) is not None:
            top = parents[top]
        month = _moment(row.created_at).astimezone(SHANGHAI).date().replace(day=1)
        valid = row.valid_complaint
        for community in (row.community_id, 0):
            counter = counts[(community, month, top, row.tier)]
            counter[0] += int(valid is True or valid == 1)
            counter[1] += int(valid is None)
    bind.execute(sa.text("UPDATE ticket_month_stats SET valid_complaints = 0"))
    statement = sa.text(
        "UPDATE ticket_month_stats SET valid_complaints = :valid, undecided_complaints = :undecided "
        "WHERE community_id = :community AND month = :month AND category_id = :category AND tier = :tier "
        "AND kind = 'complaint'").bindparams(sa.bindparam("month", type_=sa.Date()))
    rows = [{"community": c, "month": m, "category": g, "tier": t, "valid": v, "undecided": u}
            for (c, m, g, t), (v, u) in counts.items()]
    if rows:
        bind.execute(statement, rows)


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: no copy of the (large) ticket table.
    op.add_column('ticket', sa.Column('contact_name', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('ticket', sa.Column('contact_phone_enc', sa.String(length=255), nullable=True))
    op.add_column('ticket', sa.Column('contact_phone_index', sa.String(length=64), nullable=True))
    op.add_column('ticket', sa.Column('contact_relation', sa.String(length=12), nullable=False, server_default=''))
    op.add_column('ticket', sa.Column('contact_time', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('ticket', sa.Column('hold_overdue_notified', sa.Date(), nullable=True))
    op.create_index('ix_ticket_contact_phone_index', 'ticket', ['contact_phone_index'], unique=False)
    settings = op.create_table(
        'ticket_kind_setting',
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('needs_callback', sa.Boolean(), nullable=False),
        sa.Column('callback_days', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind'),
    )
    op.bulk_insert(settings, [{"kind": kind, "needs_callback": needs, "callback_days": days}
                              for kind, (needs, days) in KIND_SETTINGS.items()])
    rounds = op.create_table(
        'ticket_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('paused_seconds_at_start', sa.Integer(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('hold_seconds', sa.Integer(), nullable=False),
        sa.Column('active_seconds', sa.Integer(), nullable=False),
        sa.Column('tier', sa.String(length=12), nullable=False),
        sa.Column('breached', sa.Boolean(), nullable=False),
        sa.Column('callback_due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('callback_reached_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('callback_unreachable', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['community.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'number', name='uq_ticket_round'),
    )
    op.create_index('ix_ticket_round_resolved', 'ticket_round', ['community_id', 'resolved_at'])
    op.create_index('ix_ticket_round_resolved_all', 'ticket_round', ['resolved_at'])
    op.create_index('ix_ticket_round_callback_due', 'ticket_round', ['community_id', 'callback_due_at'])
    op.create_index('ix_ticket_round_callback_due_all', 'ticket_round', ['callback_due_at'])
    # Breach rounds count from 1 like the rounds themselves; through negatives, so no two rows of a ticket
    # ever hold the same (milestone, round) on the way (the unique constraint is checked row by row).
    op.execute("UPDATE sla_breach SET round = -(round + 1)")
    op.execute("UPDATE sla_breach SET round = -round")
    _backfill_rounds(op.get_bind(), rounds)
    op.execute("UPDATE ticket_round SET breached = EXISTS (SELECT 1 FROM sla_breach WHERE sla_breach.ticket_id = "
               "ticket_round.ticket_id AND sla_breach.round = ticket_round.number)")
    for column in RESOLUTION_COUNTERS:  # SQLite (3.35+) drops a column in place
        op.drop_column('ticket_month_stats', column)
    op.add_column('ticket_month_stats', sa.Column('undecided_complaints', sa.Integer(), nullable=False,
                                                  server_default='0'))
    _recount_complaints(op.get_bind())


def downgrade() -> None:
    # The resolution counters come back empty: `python -m pm_admin.cli rebuild-rollups` refills them.
    op.drop_column('ticket_month_stats', 'undecided_complaints')
    for column in RESOLUTION_COUNTERS:
        op.add_column('ticket_month_stats', sa.Column(column, sa.BigInteger() if column == 'resolve_minutes'
                                                      else sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE sla_breach SET round = -(round - 1)")
    op.execute("UPDATE sla_breach SET round = -round")
    op.drop_index('ix_ticket_round_callback_due_all', table_name='ticket_round')
    op.drop_index('ix_ticket_round_callback_due', table_name='ticket_round')
    op.drop_index('ix_ticket_round_resolved_all', table_name='ticket_round')
    op.drop_index('ix_ticket_round_resolved', table_name='ticket_round')
    op.drop_table('ticket_round')
    op.drop_table('ticket_kind_setting')
    op.drop_index('ix_ticket_contact_phone_index', table_name='ticket')
    for column in ('hold_overdue_notified', 'contact_time', 'contact_relation', 'contact_phone_index',
                   'contact_phone_enc', 'contact_name'):
        op.drop_column('ticket', column)
