"""An owner of the ticket desk's room, invited to the portal and activated, for portal and API tests."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlmodel import select

from pm_admin.core.permissions import ClientInfo, OwnerPrincipal
from pm_admin.notify.models import OutboxMessage
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.services.registry import create_owner
from pm_admin.portal.services import invitations, sessions, sign_in

CLIENT = ClientInfo(ip="10.0.0.8", user_agent="phone")
PASSWORD = "业主的密码2026"


def new_owner(session, desk, *, room="room", name="王业主", phone="13800138000", started_on=date(2020, 1, 1)):
    return create_owner(session, actor=desk["manager"], room_id=desk[room].id, started_on=started_on,
                        data=OwnerInput(name=name, phones=[phone]))


def last_code(session, account_id: int) -> str:
    """The code the outbox holds for the account (what the SMS would carry)."""
    message = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == account_id,
                                                       OutboxMessage.template == "notify.portal_code")
                           .order_by(OutboxMessage.id.desc())).first()
    return message.params["code"]


def activated(session, desk, owner, *, now: datetime | None = None) -> OwnerPrincipal:
    issued = invitations.invite(session, actor=desk["cs"], person_kind="owner", person_id=owner.id, now=now)
    assert sign_in.send_activation_code(session, issued.token, now)
    outcome = sign_in.activate(session, token=issued.token, code=last_code(session, issued.account_id),
                               password=PASSWORD, client=CLIENT, now=now)
    assert outcome.ok, outcome
    token = sessions.exchange_ticket(session, outcome.ticket, now)
    return sessions.resolve(session, token, CLIENT, now)


def six_digits(text: str) -> bool:
    return re.fullmatch(r"\d{6}", text) is not None
