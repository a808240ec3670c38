"""A community's ticket desk for database tests: a manager, a cs specialist and a technician, two rooms."""

from datetime import UTC, datetime

from sqlmodel import select

from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def category(session, code: str) -> TicketCategory:
    return session.exec(select(TicketCategory).where(TicketCategory.code == code)).one()


def make_desk(session):
    community, _, unit, room = factories.place_tree(session)
    other_room = factories.room(session, unit, number="102")
    manager_user = factories.user(session, "manager", communities=(community,))
    cs_user = factories.user(session, "cs", communities=(community,))
    tech_user = factories.user(session, "technician", communities=(community,))
    return {
        "community": community, "room": room, "other_room": other_room, "manager_user": manager_user,
        "manager": factories.sign_in(session, manager_user), "cs": factories.sign_in(session, cs_user),
        "tech_user": tech_user, "tech": factories.sign_in(session, tech_user),
    }


def new_ticket(session, desk, *, kind="complaint", tier="normal", code="cleaning", room="room", now=NOW, **extra):
    data = TicketInput(kind=kind, category_id=category(session, code).id, tier=tier, channel="hotline",
                       title=extra.pop("title", "楼道垃圾未清运"), room_id=desk[room].id if room else None, **extra)
    return registration.create_ticket(session, actor=desk["cs"], data=data, now=now)
