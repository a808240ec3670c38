"""Command line: ``python -m pm_admin.cli <command>`` (also installed as ``pm-admin``)."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path

from pm_admin import wiring
from pm_admin.core.db import unit_of_work
from pm_admin.settings import settings_or_exit

wiring.install()


def cmd_seed(args: argparse.Namespace) -> int:
    from pm_admin.demo.seed import DEMO_PASSWORD, demo_usernames_present, seed_for_environment
    from pm_admin.settings import get_settings

    admin_password = os.environ.get("PM_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    with unit_of_work() as session:
        outcome = seed_for_environment(
            session, settings=get_settings(), admin_username=args.admin_username, admin_password=admin_password,
            demo_requested=args.demo, if_empty=args.if_empty, seed=args.seed,
        )
        demo_logins = demo_usernames_present(session)
    if outcome.first_admin_created:
        shown = "(from PM_ADMIN_PASSWORD)" if os.environ.get("PM_ADMIN_PASSWORD") else admin_password
        print(f"首个系统管理员 / first admin: {args.admin_username}  密码 / password: {shown}")
        print("只显示这一次，首次登录后须修改密码 / shown once; must be changed at first login")
    if outcome.skipped == "production":
        print("生产环境不加载演示数据（需要时加 --demo） / production: no demo data loaded (add --demo to load it)")
    elif outcome.skipped == "not_empty":
        print("数据库已有数据，跳过演示数据 / database not empty, demo data skipped")
    else:
        report = outcome.demo
        print(f"demo data: +{report.communities} communities, +{report.buildings} buildings, +{report.units} units, "
              f"+{report.rooms} rooms, +{report.owners} owners, +{report.users} users, +{report.tickets} tickets, "
              f"+{report.survey_responses} survey responses, +{report.faq_entries} FAQ entries, "
              f"+{report.inspection_schedules} inspection schedules")
    # Printed whenever the accounts exist (also on later runs), never when they don't.
    if demo_logins:
        print(f"演示账号 / demo logins (password {DEMO_PASSWORD}): " + ", ".join(demo_logins))
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from pm_admin.users.services import ensure_admin

    password = os.environ.get("PM_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    with unit_of_work() as session:
        admin = ensure_admin(session, username=args.username, password=password)
    if admin is None:
        print("已存在系统管理员 / an active admin already exists; nothing created")
        return 0
    shown = "(from PM_ADMIN_PASSWORD)" if os.environ.get("PM_ADMIN_PASSWORD") else password
    print("=" * 64)
    print(f"首个系统管理员 / first admin: {args.username}  密码 / password: {shown}")
    print("只显示这一次，首次登录后须修改密码 / shown once; must be changed at first login")
    print("=" * 64)
    return 0


def cmd_rotate_keys(args: argparse.Namespace) -> int:
    from pm_admin.core.audit import record
    from pm_admin.notify.keys import rotate_addresses
    from pm_admin.owners.keys import rotate_personal_data
    from pm_admin.portal.keys import rotate_portal_data

    with unit_of_work() as session:
        counts = rotate_personal_data(session)
        counts["outbox_message.address_enc"] = rotate_addresses(session)
        counts.update(rotate_portal_data(session))
        record(session, action="pii.rotate_keys", actor_name="system", details=counts)
    for column, number in counts.items():
        print(f"{column}: {number} re-encrypted")
    print("完成：现在可以从 PM_FIELD_KEYS 中移除旧密钥 / done: old keys can now be removed from PM_FIELD_KEYS")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from pm_admin.backup import backup

    target = backup(Path(args.out))
    print(f"备份完成 / backup written: {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pm_admin.backup import RestoreRefused, restore
    from pm_admin.core.audit import record

    if not args.yes:
        print("恢复会覆盖当前数据库和存储的文件（档案扫描件、工单证据）；请先停止应用，并加 --yes 确认。 "
              "Restoring overwrites the database and the stored files (archive scans, ticket evidence); "
              "stop the app and add --yes.")
        return 2
    try:
        summary = restore(Path(args.file))
    except RestoreRefused as refused:
        print(f"未恢复任何内容 / nothing restored: {refused}")
        return 1
    # The restored log ends at the snapshot: it says itself that, and from what, it was put back.
    with unit_of_work() as session:
        record(session, action="system.restore", actor_name=f"system ({getpass.getuser()})", entity_type="backup",
               entity_id=Path(args.file).name, details={"snapshot_taken": summary.created_at,
                                                        "files": summary.files, "revision": summary.alembic_revision})
    print(f"已恢复 / restored: {summary.database} snapshot of {summary.created_at}, {summary.files} files, "
          f"schema {summary.alembic_revision} (run `alembic upgrade head` if the code is newer)")
    return 0


def cmd_daily(args: argparse.Namespace) -> int:
    from pm_admin.arrears.services import sync_cases
    from pm_admin.census.services import open_current_quarters
    from pm_admin.core.clock import local_today
    from pm_admin.core.files import purge_stale_uploads
    from pm_admin.core.permissions import SYSTEM
    from pm_admin.household_work.services import reassign_all
    from pm_admin.inspections.services.generation import generate_due
    from pm_admin.inspections.services.rectifications import escalate_overdue
    from pm_admin.portal.services.photos import purge_pending
    from pm_admin.reports.monthly import generate_closed_month
    from pm_admin.tickets.services.review import notify_overdue_holds
    from pm_admin.visits.services.plans import generate_all
    from pm_admin.visits.services.replies import remind_due

    with unit_of_work() as session:
        changed = sync_cases(session)
        census_tasks = open_current_quarters(session)
        moved = reassign_all(session)
        purged = purge_stale_uploads(session) + purge_pending(session)
        holds = notify_overdue_holds(session)
        today = local_today()
        inspections = generate_due(session, today, SYSTEM)
        escalated = escalate_overdue(session, actor=SYSTEM, today=today)
        visit_tasks = generate_all(session)
        reminded = remind_due(session)
    with unit_of_work() as session:  # apart: a report that fails to build holds none of the work above back
        reports = generate_closed_month(session)
    print(f"arrears cases updated: {changed}; census tasks opened: {census_tasks}; open tasks reassigned: {moved}; "
          f"stale uploads removed: {purged}; holds past their day notified: {holds}; "
          f"inspection tasks given out: {inspections}; overdue rectifications escalated: {escalated}; "
          f"visit tasks generated: {visit_tasks}; promised replies reminded: {reminded}; "
          f"last month's reports generated: {reports}")
    return 0


def cmd_rebuild_rollups(args: argparse.Namespace) -> int:
    from pm_admin.dashboards.rollups import rebuild

    with unit_of_work() as session:
        tickets = rebuild(session)
    print(f"dashboard rollups rebuilt from {tickets} tickets")
    return 0


def cmd_kpi_report(args: argparse.Namespace) -> int:
    import json

    from pm_admin.core.errors import DomainError
    from pm_admin.core.i18n import bilingual
    from pm_admin.dashboards.kpi_report import kpi_report

    with unit_of_work() as session:
        try:
            report = kpi_report(session, args.period, args.community)
        except DomainError as error:
            print(bilingual(error.key, **error.params), file=sys.stderr)
            return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def comms_tick() -> None:
    """Scheduled notices whose time came, expiries, escalations of unconfirmed emergencies, and group mutes that
    ran out (the dispatcher runs this between batches, so they follow within its poll interval)."""
    from pm_admin.comms.notices import escalate_due, send_due
    from pm_admin.groups.services.moderation import end_mutes

    with unit_of_work() as session:
        send_due(session)
        escalate_due(session)
        end_mutes(session)


def cmd_dispatch(args: argparse.Namespace) -> int:
    import logging

    from pm_admin.core.db import get_engine
    from pm_admin.notify.dispatcher import Dispatcher, stop_on_signals
    from pm_admin.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    dispatcher = Dispatcher(get_engine(), settings.notify, production=settings.is_production,
                            batch_size=args.batch_size)
    unconfigured = [channel.value for channel, sender in dispatcher.senders.items() if not sender.configured]
    where = "dead (production)" if settings.is_production else "the development outbox"
    print(f"outbox dispatcher {os.getpid()} started" + (f"; not configured, so to {where}: {', '.join(unconfigured)}"
                                                        if unconfigured else ""), flush=True)
    stop_on_signals(dispatcher)
    try:
        tally = dispatcher.drain() if args.once else dispatcher.run(args.poll_interval, idle_work=comms_tick)
    except KeyboardInterrupt:
        print("outbox dispatcher stopped at once (second signal); the message in hand waits for its lease", flush=True)
        return 130
    finally:
        dispatcher.close()
    print(f"outbox dispatcher stopped: {tally.line() or 'nothing was due'}", flush=True)
    return 0


def cmd_notify_test(args: argparse.Namespace) -> int:
    from pm_admin.core.clock import utcnow
    from pm_admin.notify.models import Channel, Recipient
    from pm_admin.notify.outbox import Address, enqueue

    channel = Channel(args.channel)
    if channel != Channel.INBOX and not args.to:
        print(f"--to is needed for {channel}: a phone number, an e-mail address or a robot's name", file=sys.stderr)
        return 2
    kind = Recipient.GROUP if channel == Channel.WECOM else Recipient.USER
    with unit_of_work() as session:
        message_id = enqueue(session, key=f"channel_test:{channel}:{utcnow().isoformat()}",
                             to=Address(kind, None, channel, args.to, args.language), template="notify.channel_test",
                             params={"channel": channel.value}, cause="channel_test")
    print(f"已排队 / queued: message {message_id}; the dispatcher sends it (python -m pm_admin.cli dispatch --once)")
    return 0


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0 (got {text})")
        return value
    return parse


def cmd_invite_owner(args: argparse.Namespace) -> int:
    """An owner's activation link (e.g. for a mini-program's own onboarding); printed once."""
    from pm_admin.core.errors import DomainError
    from pm_admin.core.i18n import bilingual
    from pm_admin.core.permissions import SYSTEM
    from pm_admin.portal.services.invitations import invite

    try:
        with unit_of_work() as session:
            issued = invite(session, actor=SYSTEM, person_kind=args.kind, person_id=args.person_id, send=args.send)
    except DomainError as error:
        print(bilingual(error.key, **error.params), file=sys.stderr)
        return 2
    print(issued.token if args.token_only else issued.path)
    return 0


def cmd_api_token(args: argparse.Namespace) -> int:
    """Create (printed once) or revoke an integration token of the REST API; both audited as "system"."""
    from sqlmodel import select

    from pm_admin.api import tokens
    from pm_admin.core.errors import DomainError, ValidationFailed
    from pm_admin.core.i18n import bilingual
    from pm_admin.core.permissions import SYSTEM
    from pm_admin.places.models import Community

    try:
        with unit_of_work() as session:
            if args.revoke:
                tokens.revoke(session, actor=SYSTEM, token_id=args.revoke)
                print(f"revoked {args.revoke}")
                return 0
            codes = [c for c in (args.community or []) if c != "all"]
            ids = list(session.exec(select(Community.id).where(Community.code.in_(codes))).all()) if codes else []
            if len(ids) != len(codes):
                print(f"unknown community among {codes}", file=sys.stderr)
                return 2
            issued = tokens.create(session, actor=SYSTEM, name=args.name or "", scopes=args.scope or [],
                                   community_ids=ids, all_communities="all" in (args.community or []),
                                   per_minute=args.per_minute)
    except ValidationFailed as error:
        print("; ".join(f"{field}: {bilingual(key, **params)}" for field, (key, params) in error.fields.items()),
              file=sys.stderr)
        return 2
    except DomainError as error:
        print(bilingual(error.key, **error.params), file=sys.stderr)
        return 2
    print(issued.token)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pm-admin", description="pm_admin command line")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="load demo data (idempotent); in production only the first admin")
    seed.add_argument("--seed", type=int, default=2026, help="random seed for reproducible data")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no communities")
    seed.add_argument("--demo", action="store_true",
                      help="in production, load the demo data and accounts (published password) anyway")
    seed.add_argument("--admin-username", default="admin", help="first admin created in production")
    seed.set_defaults(func=cmd_seed)
    admin = commands.add_parser("create-admin", help="create the first admin if none exists")
    admin.add_argument("--username", default="admin")
    admin.set_defaults(func=cmd_create_admin)
    rotate = commands.add_parser("rotate-keys", help="re-encrypt personal data with the newest key")
    rotate.set_defaults(func=cmd_rotate_keys)
    backup = commands.add_parser(
        "backup", help="write a timestamped backup (database snapshot, archive scans, ticket evidence)")
    backup.add_argument("--out", default="backups", help="directory for the backup file")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="restore a backup after verifying its checksums")
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help="confirm overwriting the current data")
    restore.set_defaults(func=cmd_restore)
    daily = commands.add_parser("daily", help="daily jobs: open and close arrears follow-up cases, open the "
                                              "quarter's census tasks, remove unused uploads, give out inspection "
                                              "tasks, escalate overdue rectifications, generate visit tasks, remind "
                                              "promised visit replies, store last month's reports")
    daily.set_defaults(func=cmd_daily)
    rollups = commands.add_parser("rebuild-rollups", help="recompute the dashboard rollups from the tickets")
    rollups.set_defaults(func=cmd_rebuild_rollups)
    report = commands.add_parser("kpi-report", help="every dashboard figure with its numerator and denominator")
    report.add_argument("--period", default="this_month", help="this_month | last_month | this_quarter | this_year "
                                                               "| last_12_months")
    report.add_argument("--community", default="all", help="a community code (C01) or all")
    report.add_argument("--format", default="json", choices=["json"])
    report.set_defaults(func=cmd_kpi_report)
    dispatch = commands.add_parser("dispatch", help="send the outbox's messages (runs until SIGTERM/Ctrl-C)")
    dispatch.add_argument("--once", action="store_true", help="send what is due now, then exit")
    dispatch.add_argument("--batch-size", type=_positive(int), default=50, help="messages claimed at a time")
    dispatch.add_argument("--poll-interval", type=_positive(float), default=2.0,
                          help="seconds to wait when nothing is due")
    dispatch.set_defaults(func=cmd_dispatch)
    notify_test = commands.add_parser("notify-test", help="queue a test message to check a channel's settings")
    notify_test.add_argument("--channel", required=True, choices=["inbox", "email", "sms", "wecom"])
    notify_test.add_argument("--to", default=None, help="phone, e-mail address or WeCom robot name")
    notify_test.add_argument("--language", default="zh-CN", choices=["zh-CN", "en"])
    notify_test.set_defaults(func=cmd_notify_test)
    owner_invite = commands.add_parser("invite-owner", help="print a person's portal activation link (voids earlier ones)")
    owner_invite.add_argument("--person-id", type=int, required=True)
    owner_invite.add_argument("--kind", default="owner", choices=["owner", "member", "occupant"])
    owner_invite.add_argument("--send", action="store_true", help="also text the link through the outbox")
    owner_invite.add_argument("--token-only", action="store_true", help="print the token, not the path")
    owner_invite.set_defaults(func=cmd_invite_owner)
    api_token = commands.add_parser("api-token", help="create (printed once) or revoke a REST API integration token")
    api_token.add_argument("--name")
    api_token.add_argument("--scope", action="append", help="tickets:create | tickets:read | kpis:read (repeat)")
    api_token.add_argument("--community", action="append", help="a community code (repeat), or all")
    api_token.add_argument("--per-minute", type=_positive(int), default=120)
    api_token.add_argument("--revoke", type=int, help="the id of a token to revoke")
    api_token.set_defaults(func=cmd_api_token)
    args = parser.parse_args(argv)
    settings_or_exit()  # a refused configuration stops here with its message, before any work
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
