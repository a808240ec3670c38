"""Ticket settings an administrator edits: the category tree, the SLA matrix, department members, and which
kinds need a callback."""

from __future__ import annotations

import dataclasses
import secrets

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.core.audit import record
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.i18n import translate
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_choice
from pm_admin.core.permissions import Perm, Principal
from pm_admin.tickets.models import Department, DepartmentMember, Kind, KindSetting, SlaPolicy, TicketCategory, Tier
from pm_admin.tickets.services.rounds import kind_setting
from pm_admin.tickets.services.sla import DEFAULT_TARGETS

MAX_TARGET_MINUTES = 60 * 24 * 90


@dataclasses.dataclass
class CategoryInput:
    name_zh: str
    name_en: str = ""
    parent_id: int | str | None = None
    department_id: int | str | None = None
    round_robin: bool = False
    is_active: bool = True


def _as_id(value) -> int | None:
    return int(value) if is_id(value) else None


def save_category(session: Session, *, actor: Principal, category_id: int | None, data: CategoryInput) -> TicketCategory:
    """Add or change a category; the tree is two levels (category → sub-category)."""
    actor.require(Perm.TICKETS_SETTINGS)
    category = session.get(TicketCategory, category_id) if category_id else None
    if category_id and category is None:
        raise NotFound("category")
    errors = FieldErrors()
    name_zh = clean_text(errors, "name_zh", data.name_zh, max_length=32, required=True)
    name_en = clean_text(errors, "name_en", data.name_en, max_length=48)
    parent_id, department_id = _as_id(data.parent_id), _as_id(data.department_id)
    parent = session.get(TicketCategory, parent_id) if parent_id else None
    if parent_id and (parent is None or parent.parent_id is not None or parent_id == category_id):
        errors.add("parent_id", "tickets.parent_invalid")
    if category is not None and parent_id and session.exec(
            select(TicketCategory.id).where(TicketCategory.parent_id == category.id)).first():
        errors.add("parent_id", "tickets.parent_has_children")
    if department_id and session.get(Department, department_id) is None:
        errors.add("department_id", "tickets.department_invalid")
    errors.raise_if_any()
    before = category.model_dump() if category else None
    if category is None:
        category = TicketCategory(code=f"custom-{secrets.token_hex(4)}", name_zh=name_zh, name_en=name_en or name_zh)
    category.name_zh, category.name_en = name_zh, name_en or name_zh
    category.parent_id, category.department_id = parent_id, department_id
    category.round_robin, category.is_active = bool(data.round_robin), bool(data.is_active)
    session.add(category)
    session.flush()
    record(session, action="ticket_category.save", actor=actor, entity_type="ticket_category", entity_id=category.id,
           before=before, after=category.model_dump())
    return category


def set_target(session: Session, *, actor: Principal, tier: str, category_id: int | None, respond: str | int,
               onsite: str | int | None, resolve: str | int) -> SlaPolicy:
    """One cell of the SLA matrix (minutes); category None is the tier's default row."""
    actor.require(Perm.TICKETS_SETTINGS)
    errors = FieldErrors()
    tier_value = parse_choice(errors, "tier", tier, Tier, key="tickets.tier_invalid", default=None)
    if category_id is not None:
        category = session.get(TicketCategory, category_id)
        if category is None or category.parent_id is not None:
            errors.add("category_id", "tickets.category_invalid")
    minutes = {}
    for field, value, optional in (("respond", respond, False), ("onsite", onsite, True), ("resolve", resolve, False)):
        text = str(value if value is not None else "").strip()
        if not text and optional:
            minutes[field] = None
        elif not text.isdigit() or not 1 <= int(text) <= MAX_TARGET_MINUTES:
            errors.add(field, "tickets.minutes_invalid", max=MAX_TARGET_MINUTES)
        else:
            minutes[field] = int(text)
    if not errors.fields:
        if minutes["respond"] > minutes["resolve"]:
            errors.add("respond", "tickets.respond_after_resolve")
        if minutes["onsite"] and minutes["onsite"] > minutes["resolve"]:
            errors.add("onsite", "tickets.respond_after_resolve")
    errors.raise_if_any()
    policy = session.exec(select(SlaPolicy).where(SlaPolicy.tier == tier_value, SlaPolicy.category_id == category_id
                                                  if category_id is not None else col(SlaPolicy.category_id).is_(None))
                          ).first()
    before = policy.model_dump() if policy else None
    policy = policy or SlaPolicy(tier=tier_value, category_id=category_id, respond_minutes=0, resolve_minutes=0)
    policy.respond_minutes, policy.onsite_minutes, policy.resolve_minutes = (
        minutes["respond"], minutes["onsite"], minutes["resolve"])
    session.add(policy)
    session.flush()
    record(session, action="sla_policy.save", actor=actor, entity_type="sla_policy", entity_id=policy.id,
           before=before, after=policy.model_dump())
    return policy


def clear_target(session: Session, *, actor: Principal, tier: str, category_id: int) -> None:
    """Drop a category's own cell so the tier's default applies again."""
    actor.require(Perm.TICKETS_SETTINGS)
    policy = session.exec(select(SlaPolicy).where(SlaPolicy.tier == tier, SlaPolicy.category_id == category_id)).first()
    if policy is not None:
        record(session, action="sla_policy.clear", actor=actor, entity_type="sla_policy", entity_id=policy.id,
               before=policy.model_dump())
        session.delete(policy)


def set_members(session: Session, *, actor: Principal, department_id: int, user_ids: list[int]) -> None:
    """The department's active members (round-robin assignment takes them in turn)."""
    actor.require(Perm.TICKETS_SETTINGS)
    if session.get(Department, department_id) is None:
        raise NotFound("department")
    wanted = set(session.exec(select(User.id).where(col(User.id).in_(user_ids or [0]))).all())
    current = {m.user_id: m for m in session.exec(select(DepartmentMember).where(
        DepartmentMember.department_id == department_id)).all()}
    for user_id, member in current.items():
        member.is_active = user_id in wanted
        session.add(member)
    for user_id in wanted - set(current):
        session.add(DepartmentMember(department_id=department_id, user_id=user_id, is_active=True))
    session.flush()
    record(session, action="department.members", actor=actor, entity_type="department", entity_id=department_id,
           details={"members": sorted(wanted)})


# ---------------------------------------------------------------- reads for the settings page


def category_tree(session: Session, language: str = "zh-CN") -> list[dict]:
    """Top-level categories each followed by their sub-categories, with department names."""
    departments = dict(session.execute(sa.select(Department.id, Department.name)).all())
    categories = list(session.exec(select(TicketCategory).order_by(TicketCategory.sort, TicketCategory.id)).all())
    rows = []
    for top in (c for c in categories if c.parent_id is None):
        for c in [top, *(c for c in categories if c.parent_id == top.id)]:
            rows.append({"id": c.id, "parent_id": c.parent_id or 0, "name_zh": c.name_zh, "name_en": c.name_en,
                         "label": c.name_zh if language == "zh-CN" else c.name_en, "level": 1 if c.parent_id else 0,
                         "department_id": c.department_id or 0, "department": departments.get(c.department_id, ""),
                         "round_robin": c.round_robin, "is_active": c.is_active})
    return rows


def sla_matrix(session: Session, language: str = "zh-CN") -> list[dict]:
    """Rows: the tier defaults, then each top-level category; cells show the minutes in force."""
    policies = {(str(p.tier), p.category_id): p for p in session.exec(select(SlaPolicy)).all()}
    tops = list(session.exec(select(TicketCategory).where(col(TicketCategory.parent_id).is_(None))
                             .order_by(TicketCategory.sort)).all())
    rows = []
    for category in [None, *tops]:
        row = {"category_id": category.id if category else 0,
               "label": "" if category is None else (category.name_zh if language == "zh-CN" else category.name_en)}
        for tier in Tier:
            own = policies.get((str(tier), category.id if category else None))
            fallback = policies.get((str(tier), None))
            source = own or fallback
            respond, onsite, resolve = ((source.respond_minutes, source.onsite_minutes, source.resolve_minutes)
                                        if source else DEFAULT_TARGETS[tier])
            row[str(tier)] = {"respond": respond, "onsite": onsite or "", "resolve": resolve,
                              "own": own is not None}
        rows.append(row)
    return rows


def departments_with_members(session: Session) -> list[dict]:
    members = session.execute(sa.select(DepartmentMember.department_id, User.id, User.display_name)
                              .join(User, User.id == DepartmentMember.user_id)
                              .where(DepartmentMember.is_active == sa.true()).order_by(User.display_name)).all()
    return [{"id": d.id, "name": d.name,
             "members": [{"id": user_id, "name": name} for dept, user_id, name in members if dept == d.id]}
            for d in session.exec(select(Department).order_by(Department.id)).all()]


# ---------------------------------------------------------------- callbacks per kind

MAX_CALLBACK_DAYS = 30


def kind_settings(session: Session, language: str = "zh-CN") -> list[dict]:
    """Whether each kind needs a callback and within how many days (anonymous feedback never: locked)."""
    rows = []
    for kind in Kind:
        needs, days = kind_setting(session, kind)
        rows.append({"kind": kind.value, "label": translate(f"tickets.kind.{kind.value}", language),
                     "needs_callback": needs, "callback_days": str(days), "locked": kind == Kind.ANONYMOUS})
    return rows


def save_kind_setting(session: Session, *, actor: Principal, kind: str, needs_callback: bool,
                      callback_days: str | int) -> KindSetting:
    """A kind's callback rule; it applies to rounds resolved from now on (earlier rounds keep their due time)."""
    actor.require(Perm.TICKETS_SETTINGS)
    errors = FieldErrors()
    if kind not in set(Kind) or kind == Kind.ANONYMOUS:  # seed 004: anonymous feedback is never called back
        errors.add("kind", "tickets.kind_setting_locked")
    text = str(callback_days).strip()
    if needs_callback and (not text.isdigit() or not 1 <= int(text) <= MAX_CALLBACK_DAYS):
        errors.add("callback_days", "tickets.callback_days_invalid", max=MAX_CALLBACK_DAYS)
    errors.raise_if_any()
    existing = session.get(KindSetting, kind)
    before = existing.model_dump() if existing else None
    setting = existing or KindSetting(kind=kind)
    setting.needs_callback = bool(needs_callback)
    setting.callback_days = int(text) if text.isdigit() else setting.callback_days
    session.add(setting)
    session.flush()
    record(session, action="ticket_kind.save", actor=actor, entity_type="ticket_kind", entity_id=kind,
           before=before, after=setting.model_dump())
    return setting
