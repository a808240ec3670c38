"""Twelve months of demo tickets (~20,000) with realistic mixes, response and resolution times, callbacks,
reopenings, repeats and breaches; plus the field staff who work them.

Bulk-inserted (the services would take minutes for this volume); what the services would write (timeline,
callbacks, breaches, day sequences) is written alongside so every page reads consistent data.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User, UserCommunity, UserRole
from pm_admin.auth.passwords import hash_password
from pm_admin.core.audit import record
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.owners.models import Owner, OwnerPhone, Ownership
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import (
    Callback,
    Department,
    DepartmentMember,
    Notification,
    SlaBreach,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketSequence,
)
from pm_admin.tickets.services.sla import DEFAULT_TARGETS

TICKETS_PER_COMMUNITY_YEAR = 6700
DAYS = 365
OPEN_WINDOW = timedelta(days=4)  # younger tickets may still be open
# Field staff per community: (department code, role, name pattern).
STAFF = (("engineering", "technician", "{}师傅"), ("engineering", "technician", "{}师傅"),
         ("cleaning", "technician", "{}阿姨"), ("greening", "technician", "{}园艺"), ("security", "technician", "{}队长"),
         ("service", "cs", "{}客服"))
SURNAMES = "孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
KINDS = (("repair", 44), ("request", 25), ("complaint", 13), ("inquiry", 10), ("suggestion", 5), ("anonymous", 3))
TIERS = (("normal", 76), ("important", 19), ("urgent", 5))
CHANNELS = {"repair": (("hotline", 45), ("front_desk", 25), ("online", 20), ("wechat_group", 10)),
            "request": (("hotline", 35), ("front_desk", 25), ("wechat_group", 20), ("online", 15), ("patrol", 5)),
            "complaint": (("hotline", 50), ("front_desk", 20), ("wechat_group", 15), ("online", 10), ("meeting", 5)),
            "inquiry": (("hotline", 50), ("front_desk", 30), ("online", 20)),
            "suggestion": (("suggestion_box", 40), ("online", 30), ("meeting", 30)),
            "anonymous": (("suggestion_box", 60), ("anonymous", 40))}
# Sub-category -> titles a caller would give.
TITLES = {
    "service_attitude": ("前台人员态度冷淡", "客服电话无人接听", "管家回复不及时"),
    "fees": ("物业费账单有疑问", "停车费收费标准咨询", "水电公摊费用不清楚"),
    "renovation": ("邻居装修超时施工", "装修垃圾堆放楼道", "装修申请审批进度"),
    "service_other": ("快递代收服务咨询", "门禁卡补办", "小区活动报名"),
    "public_facilities": ("小区路灯不亮", "儿童游乐设施损坏", "单元门闭门器失灵", "健身器材松动"),
    "elevator": ("电梯运行异响", "电梯按键失灵", "电梯困人", "电梯门关不上"),
    "water_power": ("卫生间水管漏水", "楼道灯不亮", "家中停水", "地下室跑水", "配电箱跳闸"),
    "home_repair": ("厨房下水道堵塞", "窗户关不严", "防盗门锁芯损坏", "墙面渗水发霉"),
    "access_cctv": ("门禁刷卡无反应", "可视对讲无图像", "监控探头损坏"),
    "cleaning": ("楼道垃圾未及时清理", "电梯轿厢有异味", "地下车库积水脏乱"),
    "greening": ("绿化带杂草丛生", "树枝遮挡窗户需修剪", "草坪枯黄"),
    "garbage": ("垃圾桶满溢未清运", "大件垃圾无人处理", "垃圾分类点异味"),
    "pests": ("楼道发现老鼠", "蚊虫较多需消杀", "蟑螂问题"),
    "gate": ("外来人员随意进出", "门岗未登记访客", "夜间巡逻不到位"),
    "parking": ("车位被占用", "消防通道停车", "非机动车乱停放"),
    "fire": ("消防通道堆放杂物", "灭火器过期", "楼道私拉电线充电"),
    "public_security": ("单元门被撬", "电动车被盗", "高空抛物"),
    "noise": ("楼上夜间噪音扰民", "广场舞音量过大", "邻居宠物狗夜间吠叫"),
    "pets": ("遛狗不牵绳", "宠物粪便未清理", "楼道饲养宠物"),
    "leak_dispute": ("楼上漏水至我家天花板", "邻居空调冷凝水滴落"),
    "shared_space": ("楼道堆放私人物品", "占用公共绿地种菜", "地下室被私自占用"),
}
KIND_CATEGORIES = {
    "repair": ("elevator", "water_power", "home_repair", "public_facilities", "access_cctv"),
    "request": ("cleaning", "garbage", "greening", "pests", "parking", "renovation", "service_other", "public_facilities"),
    "complaint": ("service_attitude", "noise", "cleaning", "parking", "renovation", "leak_dispute", "gate",
                  "shared_space", "elevator", "fees"),
    "inquiry": ("fees", "service_other", "renovation"),
    "suggestion": ("greening", "public_facilities", "service_other", "parking"),
    "anonymous": ("service_attitude", "gate", "fire", "public_security", "cleaning"),
}
RESOLUTIONS = ("已安排人员上门处理完毕", "已更换损坏部件，经测试正常", "已清理完毕并加强巡查", "已与相关业主沟通协调解决",
               "已联系专业维保单位处理", "已答复业主并提供相关说明")
COMMENTS = ("处理及时，很满意", "师傅很专业", "态度不错", "希望以后注意", "问题已解决", "")
# Emergencies are urgent whatever the caller's tone (seed 000 §四(三)3: 紧急诉求立即启动应急预案).
URGENT_TITLES = {"电梯困人", "地下室跑水", "单元门被撬", "高空抛物", "配电箱跳闸"}
UNHAPPY = ("问题没有彻底解决", "维修后又出现同样问题", "等待时间太长")


@dataclasses.dataclass
class Staff:
    by_department: dict[str, list[int]]
    names: dict[int, str]
    logins: dict[int, str]


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def field_staff_usernames(community_code: str) -> list[str]:
    return [f"{community_code.lower()}.{department}{index}" for index, (department, _, _) in enumerate(STAFF, start=1)]


def seed_field_staff(session: Session, community: Community, rng: random.Random, password: str) -> Staff:
    """Demo technicians and cs per community, members of their departments (round-robin assigns them)."""
    departments = {d.code: d.id for d in session.exec(select(Department)).all()}
    password_hash = hash_password(password)
    by_department: dict[str, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    logins: dict[int, str] = {}
    existing = {u.username: u for u in session.exec(select(User).where(
        col(User.username).in_(["demo.technician", "demo.cs"]))).all()}
    if community.code == "C01":  # the demo accounts join C01's departments
        for username, department in (("demo.technician", "engineering"), ("demo.cs", "service")):
            if username in existing:
                by_department[department].append(existing[username].id)
                names[existing[username].id] = existing[username].display_name
                logins[existing[username].id] = username
    for index, (department, role, pattern) in enumerate(STAFF, start=1):
        username = field_staff_usernames(community.code)[index - 1]
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, display_name=pattern.format(rng.choice(SURNAMES)), password_hash=password_hash,
                        must_change_password=False)
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role_code=role))
            session.add(UserCommunity(user_id=user.id, community_id=community.id))
            # Made in bulk (one shared bcrypt hash), but recorded like any account the system creates.
            record(session, action="user.create", actor_name="system", entity_type="user", entity_id=user.id,
                   community_id=community.id, after={"username": username, "display_name": user.display_name,
                                                     "roles": [role], "community_ids": [community.id]})
        by_department[department].append(user.id)
        names[user.id] = user.display_name
        logins[user.id] = username
    session.flush()
    for department, user_ids in by_department.items():
        for user_id in user_ids:
            if session.get(DepartmentMember, (departments[department], user_id)) is None:
                session.add(DepartmentMember(department_id=departments[department], user_id=user_id))
    session.flush()
    return Staff(dict(by_department), names, logins)


def _created_at(rng: random.Random, now: datetime, day_index: int) -> datetime:
    """Office hours weighted: most calls between 8:00 and 21:00 Shanghai time."""
    local_day = (now - timedelta(days=day_index)).astimezone(DISPLAY_ZONE).date()
    hour = rng.choices(range(24), [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 9, 10, 12, 12, 11, 10, 10, 9, 7, 5, 3, 2])[0]
    local = datetime(local_day.year, local_day.month, local_day.day, hour, rng.randrange(60), rng.randrange(60),
                     tzinfo=DISPLAY_ZONE)
    return local.astimezone(now.tzinfo)


def _minutes(rng: random.Random, target: int, late_share: float) -> int:
    """A duration around a third of the target; ``late_share`` of them miss it."""
    if rng.random() < late_share:
        return int(target * rng.uniform(1.05, 2.5))
    return max(1, int(target * min(0.98, rng.lognormvariate(math.log(0.3), 0.6))))


# Kinds the default settings close without a callback (tickets.rounds.DEFAULT_SETTINGS).
NO_CALLBACK_KINDS = ("inquiry", "anonymous")

class _Builder:
    """Accumulates rows for the bulk inserts, in ticket order."""

    def __init__(self, first_id: int, cs_login: str) -> None:
        self.next_id = first_id
        self.cs_login = cs_login  # callbacks name their caller by login, as the callback service does
        self.tickets: list[dict] = []
        self.events: list[dict] = []
        self.callbacks: list[dict] = []
        self.breaches: list[dict] = []
        self.codes: dict[int, str] = {}

    def event(self, ticket: dict, at: datetime, actor: str, kind: str, body: str = "", from_status: str = "",
              to_status: str = "", public: bool = False) -> None:
        self.events.append({"ticket_id": ticket["id"], "at": at, "actor_name": actor, "kind": kind, "body": body,
                            "from_status": from_status, "to_status": to_status, "public": public})

    def breach(self, ticket: dict, milestone: str, due: datetime, met: datetime, round_: int = 1) -> None:
        if met > due:
            self.breaches.append({"ticket_id": ticket["id"], "community_id": ticket["community_id"],
                                  "tier": ticket["tier"], "milestone": milestone, "round": round_, "due_at": due,
                                  "met_at": met, "minutes_over": int((met - due).total_seconds() // 60)})


def seed_tickets(session: Session, *, community_code: str, rng: random.Random, password: str) -> int:
    community = session.exec(select(Community).where(Community.code == community_code)).first()
    if community is None or session.exec(select(Ticket.id).where(Ticket.community_id == community.id)).first():
        return 0
    staff = seed_field_staff(session, community, rng, password)
    categories = {c.code: c for c in session.exec(select(TicketCategory)).all()}
    departments = {d.id: d.code for d in session.exec(select(Department)).all()}
    rooms = list(session.exec(select(Room.id).where(Room.community_id == community.id)).all())
    owners = _room_contacts(session, community.id)
    cs = next(iter(staff.by_department.get("service", [])), None)
    cs_name = staff.names.get(cs, "客服")
    now = utcnow()
    builder = _Builder((session.scalar(sa.select(sa.func.max(Ticket.id))) or 0) + 1, staff.logins.get(cs, "demo.cs"))
    sequences = {s.day: s.last for s in session.exec(select(TicketSequence)).all()}
    last_by_room_category: dict[tuple[int, int, str], tuple[int, datetime]] = {}
    plan: list[tuple[datetime, str, str, str]] = []
    for day_index in range(DAYS, -1, -1):
        # Fewer tickets as the year goes on (the complaint-reduction target), more in summer (leaks, pests).
        month_factor = 1.25 if 5 <= (now - timedelta(days=day_index)).month <= 8 else 1.0
        trend = 1.15 - 0.3 * (DAYS - day_index) / DAYS
        per_day = TICKETS_PER_COMMUNITY_YEAR / DAYS * month_factor * trend
        for _ in range(max(0, round(rng.gauss(per_day, math.sqrt(per_day))))):
            kind = _weighted(rng, KINDS)
            plan.append((_created_at(rng, now, day_index), kind, _weighted(rng, TIERS),
                         rng.choice(KIND_CATEGORIES[kind])))
    plan = [p for p in sorted(plan) if p[0] < now]
    for created, kind, tier, category_code in plan:
        _one_ticket(builder, rng, now, created, kind, tier, categories[category_code], departments, staff, rooms,
                    owners, cs_name, community.id, sequences, last_by_room_category)
    for table, rows in ((Ticket, builder.tickets), (TicketEvent, builder.events), (Callback, builder.callbacks),
                        (SlaBreach, builder.breaches)):
        for start in range(0, len(rows), 2000):
            session.execute(sa.insert(table), rows[start:start + 2000])
    for day, last in sequences.items():
        session.merge(TicketSequence(day=day, last=last))
    _notify_managers(session, community.id, builder.tickets)
    if session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequence past them
        session.execute(sa.text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), (SELECT max(id) FROM ticket))"))
    session.flush()
    return len(builder.tickets)


def _room_contacts(session: Session, community_id: int) -> dict[int, dict]:
    """The contact a ticket of each room defaults to: its current owner, name and primary phone (the phone's
    ciphertext and blind index are copied as they are: the same key reads them)."""
    contacts: dict[int, dict] = {}
    for room_id, owner_id, name, phone_enc, phone_index in session.execute(
            sa.select(Ownership.room_id, Ownership.owner_id, Owner.name, OwnerPhone.phone_enc, OwnerPhone.phone_index)
            .join(Room, Room.id == Ownership.room_id).join(Owner, Owner.id == Ownership.owner_id)
            .outerjoin(OwnerPhone, sa.and_(OwnerPhone.owner_id == Owner.id, OwnerPhone.is_primary == sa.true()))
            .where(Room.community_id == community_id, col(Ownership.ended_on).is_(None))
            .order_by(Ownership.id)).all():
        contacts.setdefault(room_id, {"owner_id": owner_id, "contact_name": name, "contact_phone_enc": phone_enc,
                                      "contact_phone_index": phone_index, "contact_relation": "owner"})
    return contacts


NO_CONTACT = {"owner_id": None, "contact_name": "", "contact_phone_enc": None, "contact_phone_index": None,
              "contact_relation": ""}


def _one_ticket(builder: _Builder, rng: random.Random, now: datetime, created: datetime, kind: str, tier: str,
                category: TicketCategory, departments: dict[int, str], staff: Staff, rooms: list, owners: dict,
                cs_name: str, community_id: int, sequences: dict[str, int],
                last_by_room_category: dict[tuple[int, int, str], tuple[int, datetime]]) -> None:
    respond_target, onsite_target, resolve_target = DEFAULT_TARGETS[tier]
    day = created.astimezone(DISPLAY_ZONE).strftime("%Y%m%d")
    sequences[day] = sequences.get(day, 0) + 1
    public_area = kind == "anonymous" or rng.random() < 0.15
    room_id = None if public_area else rng.choice(rooms)
    ticket_id = builder.next_id
    builder.next_id += 1
    repeat_of = None
    if room_id is not None:
        earlier = last_by_room_category.get((room_id, category.id, kind))
        if earlier and created - earlier[1] <= timedelta(days=30):
            repeat_of = earlier[0]
        last_by_room_category[(room_id, category.id, kind)] = (ticket_id, created)
    department = departments.get(category.department_id, "service")
    members = staff.by_department.get(department) or staff.by_department["service"]
    title = rng.choice(TITLES[category.code])
    if title in URGENT_TITLES:
        tier = "urgent"
        respond_target, onsite_target, resolve_target = DEFAULT_TARGETS[tier]
    elif tier == "urgent":
        tier = "important"  # an urgent tier needs an emergency
        respond_target, onsite_target, resolve_target = DEFAULT_TARGETS[tier]
    ticket = {
        "id": ticket_id, "code": f"TS-{day}-{sequences[day]:04d}", "community_id": community_id, "room_id": room_id,
        **(owners.get(room_id, NO_CONTACT) if room_id else NO_CONTACT), "contact_time": "",
        "hold_overdue_notified": None, "kind": kind, "category_id": category.id, "tier": tier,
        "channel": _weighted(rng, CHANNELS[kind]), "title": title,
        "description": f"业主来电反映：{title}，请尽快处理。" if kind != "anonymous" else f"匿名反映：{title}。",
        "status": "new", "department_id": category.department_id, "assignee_id": None, "created_at": created,
        "created_by": "demo.cs", "updated_at": created, "respond_due": created + timedelta(minutes=respond_target),
        "onsite_due": created + timedelta(minutes=onsite_target) if onsite_target else None,
        "resolve_due": created + timedelta(minutes=resolve_target), "responded_at": None, "onsite_at": None,
        "resolved_at": None, "closed_at": None, "paused_at": None, "paused_seconds": 0, "hold_until": None,
        "hold_reason": "", "resolution": "", "plan": "", "plan_approved_by": "", "plan_approved_at": None,
        "reopen_count": 0, "repeat_of_id": repeat_of, "valid_complaint": None, "callback_attempts": 0,
        "next_callback_at": None, "version": 1,
    }
    builder.tickets.append(ticket)
    builder.codes[ticket_id] = ticket["code"]
    builder.event(ticket, created, "demo.cs", "created", ticket["title"], to_status="new")
    if repeat_of:
        builder.event(ticket, created, "demo.cs", "repeat", builder.codes[repeat_of])
    _work(builder, rng, now, ticket, members, staff.names, cs_name, resolve_target)


def _work(builder: _Builder, rng: random.Random, now: datetime, ticket: dict, members: list[int],
          names: dict[int, str], cs_name: str, resolve_target: int) -> None:
    """Walk the ticket through the workflow as far as ``now`` allows."""
    late = 0.12 if ticket["tier"] == "normal" else 0.08
    age = now - ticket["created_at"]
    if age < timedelta(hours=8) and rng.random() < 0.35:  # today's queue still has unassigned calls
        return
    assigned = ticket["created_at"] + timedelta(minutes=_minutes(rng, int((ticket["respond_due"] - ticket["created_at"]).total_seconds() // 60), late))
    if assigned > now:
        return
    assignee = rng.choice(members)
    ticket.update(status="assigned", assignee_id=assignee, responded_at=assigned, updated_at=assigned)
    builder.event(ticket, assigned, "demo.cs", "status", names[assignee], "new", "assigned")
    builder.breach(ticket, "respond", ticket["respond_due"], assigned)
    if ticket["tier"] == "important":
        ticket.update(plan="制定处理方案：现场勘查后安排维修，必要时联系专业单位。", plan_approved_by="demo.manager",
                      plan_approved_at=assigned + timedelta(minutes=20))
        builder.event(ticket, assigned + timedelta(minutes=10), names[assignee], "plan", ticket["plan"])
        builder.event(ticket, assigned + timedelta(minutes=20), "demo.manager", "plan_approved")
    started = assigned + timedelta(minutes=rng.randint(10, 90) if ticket["tier"] != "urgent" else rng.randint(3, 20))
    if started > now or (age < timedelta(hours=24) and rng.random() < 0.2):
        return
    ticket.update(status="in_progress", updated_at=started)
    builder.event(ticket, started, names[assignee], "status", "", "assigned", "in_progress")
    if ticket["onsite_due"] is not None:
        ticket["onsite_at"] = started
        builder.breach(ticket, "onsite", ticket["onsite_due"], started)
    round_ = 0
    while True:
        duration = _minutes(rng, resolve_target, late)
        resolved = started + timedelta(minutes=duration)
        if resolved > now:
            paused = started + timedelta(minutes=30)
            if rng.random() < 0.08 and paused <= now:  # waiting for parts (never a pause in the future)
                ticket.update(status="on_hold", paused_at=paused, hold_reason="等待配件到货",
                              hold_until=(now + timedelta(days=2)).date(), updated_at=paused)
                builder.event(ticket, ticket["paused_at"], names[assignee], "status", "等待配件到货", "in_progress",
                              "on_hold")
            return
        resolution = rng.choice(RESOLUTIONS)
        ticket.update(status="resolved", resolved_at=resolved, resolution=resolution, updated_at=resolved,
                      next_callback_at=None if ticket["kind"] in NO_CALLBACK_KINDS else resolved)
        builder.event(ticket, resolved, names[assignee], "status", resolution, "in_progress", "resolved", public=True)
        builder.breach(ticket, "resolve", ticket["resolve_due"], resolved, round_ + 1)
        outcome_at = resolved + timedelta(hours=rng.uniform(2, 40))
        if outcome_at > now:
            return
        if ticket["kind"] in NO_CALLBACK_KINDS:  # closed with a note, never called back
            ticket.update(status="closed", closed_at=outcome_at, updated_at=outcome_at, next_callback_at=None)
            builder.event(ticket, outcome_at, cs_name, "status", "已答复，结案", "resolved", "closed")
            return
        attempts = 0
        while rng.random() < 0.07 and attempts < 2:  # not reached, tried again the next day
            attempts += 1
            builder.callbacks.append(_callback(ticket, attempts, outcome_at, builder.cs_login, reached=False))
            builder.event(ticket, outcome_at, cs_name, "callback_unreachable", "", "resolved", "resolved")
            outcome_at += timedelta(days=1)
            if outcome_at > now:
                ticket.update(callback_attempts=attempts, next_callback_at=outcome_at)
                return
        attempts += 1
        satisfied = rng.random() < (0.9 if round_ == 0 else 0.97)
        builder.callbacks.append(_callback(ticket, attempts, outcome_at, builder.cs_login, reached=True, satisfied=satisfied,
                                           rng=rng))
        if satisfied:
            ticket.update(status="closed", closed_at=outcome_at, updated_at=outcome_at, callback_attempts=attempts,
                          next_callback_at=None)
            builder.event(ticket, outcome_at, cs_name, "callback_satisfied", builder.callbacks[-1]["comment"],
                          "resolved", "closed")
            if ticket["kind"] == "complaint":  # a manager judges few complaints valid (target ≤ 1 % of households)
                ticket["valid_complaint"] = rng.random() < 0.03
            return
        round_ += 1
        ticket.update(status="in_progress", reopen_count=round_, resolved_at=None, callback_attempts=0,
                      next_callback_at=None, updated_at=outcome_at,
                      resolve_due=outcome_at + timedelta(minutes=resolve_target))
        builder.event(ticket, outcome_at, cs_name, "callback_unsatisfied", builder.callbacks[-1]["comment"], "resolved",
                      "in_progress")
        started = outcome_at + timedelta(minutes=rng.randint(30, 240))
        if started > now:
            return


def _callback(ticket: dict, attempt: int, at: datetime, by: str, *, reached: bool, satisfied: bool | None = None,
              rng: random.Random | None = None) -> dict:
    row = {"ticket_id": ticket["id"], "attempt": attempt, "method": "phone", "reached": reached,
           "satisfied": satisfied if reached else None, "comment": "", "done_at": at, "done_by": by,
           "attitude": None, "efficiency": None, "skill": None, "result": None, "overall": None}
    if reached and rng is not None:
        row["comment"] = rng.choice(COMMENTS if satisfied else UNHAPPY)
        if ticket["kind"] == "repair":
            base = 5 if satisfied else 2
            for score in ("attitude", "efficiency", "skill", "result", "overall"):
                row[score] = max(1, min(5, base - (rng.random() < 0.25)))
    return row


def _notify_managers(session: Session, community_id: int, tickets: list[dict]) -> None:
    """The open urgent tickets are unread notices of the community's managers."""
    managers = session.exec(select(User.id).join(UserRole, UserRole.user_id == User.id)
                            .join(UserCommunity, UserCommunity.user_id == User.id)
                            .where(UserRole.role_code == "manager", UserCommunity.community_id == community_id)).all()
    urgent = [t for t in tickets if t["tier"] == "urgent" and t["status"] in ("new", "assigned", "in_progress")][-5:]
    rows = [{"user_id": manager, "ticket_id": t["id"], "message_key": "tickets.urgent_notice", "detail": t["title"],
             "created_at": t["created_at"], "read_at": None} for manager in managers for t in urgent]
    if rows:
        session.execute(sa.insert(Notification), rows)
