"""Owner accounts: invitation → code through the outbox → password → session; sign-in by password or code;
throttling; rooms follow the registry (an owner change ends access that day); disabling ends sessions."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.errors import DomainError, PermissionDenied, ValidationFailed
from pm_admin.core.permissions import ClientInfo
from pm_admin.notify.models import Channel, OutboxMessage
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.services.registry import change_room_owner
from pm_admin.portal.models import AccountStatus, OwnerAccount
from pm_admin.portal.services import accounts, invitations, sessions, sign_in
from tests.support import factories
from tests.support.owners_portal import CLIENT, PASSWORD, activated, last_code, new_owner, six_digits
from tests.support.ticket_desk import NOW


def test_activation_sends_a_code_through_the_outbox_and_opens_a_session(session, desk):
    owner = new_owner(session, desk)
    issued = invitations.invite(session, actor=desk["cs"], person_kind="owner", person_id=owner.id, now=NOW)
    assert sign_in.activation_phone(session, issued.token) == "138****8000"
    assert sign_in.send_activation_code(session, issued.token, NOW)
    message = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == issued.account_id)).one()
    assert message.channel == Channel.SMS and message.address_masked == "138****8000"
    assert "13800138000" not in (message.address_enc or "")  # encrypted at rest
    assert six_digits(message.params["code"])
    wrong = "000000" if message.params["code"] != "000000" else "111111"
    refused = sign_in.activate(session, token=issued.token, code=wrong, password=PASSWORD, client=CLIENT, now=NOW)
    assert refused.message_key == "portal.code_invalid"  # returned, so the failure counts commit
    with pytest.raises(ValidationFailed):  # a weak password is refused beside its field before anything is written
        sign_in.activate(session, token=issued.token, code=message.params["code"], password="123", client=CLIENT,
                         now=NOW)
    owner_principal = activated_from(session, issued, message.params["code"])
    assert owner_principal.room_ids == {desk["room"].id}
    assert session.get(OwnerAccount, issued.account_id).status == AccountStatus.ACTIVE
    with pytest.raises(DomainError):  # the link is spent
        sign_in.send_activation_code(session, issued.token, NOW)


def activated_from(session, issued, code):
    outcome = sign_in.activate(session, token=issued.token, code=code, password=PASSWORD, client=CLIENT, now=NOW)
    assert outcome.ok
    return sessions.resolve(session, sessions.exchange_ticket(session, outcome.ticket, NOW), CLIENT, NOW)


def test_a_new_invitation_voids_the_earlier_link(session, desk):
    owner = new_owner(session, desk)
    first = invitations.invite(session, actor=desk["cs"], person_kind="owner", person_id=owner.id, now=NOW)
    invitations.invite(session, actor=desk["cs"], person_kind="owner", person_id=owner.id, now=NOW)
    with pytest.raises(DomainError) as refused:
        sign_in.send_activation_code(session, first.token, NOW)
    assert refused.value.key == "portal.invitation_invalid"


def test_staff_outside_the_community_or_without_the_permission_cannot_invite(session, desk):
    owner = new_owner(session, desk)
    other_community = factories.community(session)
    outsider = factories.sign_in(session, factories.user(session, "cs", communities=(other_community,)))
    with pytest.raises(PermissionDenied):
        invitations.invite(session, actor=outsider, person_kind="owner", person_id=owner.id)
    with pytest.raises(PermissionDenied):
        invitations.invite(session, actor=desk["tech"], person_kind="owner", person_id=owner.id)


def test_sign_in_by_password_and_by_code_and_wrong_passwords_are_throttled(session, desk):
    owner = new_owner(session, desk)
    activated(session, desk, owner, now=NOW)
    assert sign_in.sign_in_with_password(session, phone="138 0013 8000", password=PASSWORD, client=CLIENT, now=NOW).ok
    later = NOW + timedelta(minutes=2)
    sign_in.send_sign_in_code(session, phone="13800138000", now=later)
    account = session.exec(select(OwnerAccount)).one()
    assert sign_in.sign_in_with_code(session, phone="13800138000", code=last_code(session, account.id),
                                     client=CLIENT, now=later).ok
    outcomes = [sign_in.sign_in_with_password(session, phone="13800138000", password="wrong-password",
                                              client=CLIENT, now=later) for _ in range(7)]
    assert outcomes[0].message_key == "portal.invalid_credentials"
    assert outcomes[-1].message_key == "auth.throttled" and outcomes[-1].wait_seconds > 0
    # An unknown phone answers like a wrong password: nobody learns which phones have accounts.
    unknown = sign_in.sign_in_with_password(session, phone="13900139000", password=PASSWORD,
                                            client=ClientInfo(ip="10.9.9.9"), now=later)
    assert unknown.message_key == "portal.invalid_credentials"


def test_codes_are_rate_limited_per_account(session, desk):
    owner = new_owner(session, desk)
    activated(session, desk, owner, now=NOW)
    later = NOW + timedelta(minutes=5)
    sign_in.send_sign_in_code(session, phone="13800138000", now=later)
    sign_in.send_sign_in_code(session, phone="13800138000", now=later + timedelta(seconds=10))  # too soon: not sent
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.portal_code")).all()
    assert len(sent) == 2  # activation + one sign-in code


def test_an_owner_change_ends_the_old_owners_access_that_day(session, desk):
    owner = new_owner(session, desk)
    principal = activated(session, desk, owner, now=NOW)
    assert principal.room_ids == {desk["room"].id}
    change_room_owner(session, actor=desk["manager"], room_id=desk["room"].id, transfer_date=local_today(),
                      new_owner=OwnerInput(name="新业主", phones=["13700137000"]))
    token_principal = sessions.resolve(session, _token_of(session, desk, owner), CLIENT)
    assert token_principal.room_ids == frozenset()


def _token_of(session, desk, owner):
    outcome = sign_in.sign_in_with_password(session, phone="13800138000", password=PASSWORD, client=CLIENT)
    return sessions.exchange_ticket(session, outcome.ticket)


def test_disabling_ends_sessions_and_is_audited(session, desk):
    owner = new_owner(session, desk)
    principal = activated(session, desk, owner)
    token = _token_of(session, desk, owner)
    with pytest.raises(ValidationFailed):
        accounts.disable(session, actor=desk["manager"], account_id=principal.account_id, reason=" ")
    accounts.disable(session, actor=desk["manager"], account_id=principal.account_id, reason="业主要求注销")
    assert sessions.resolve(session, token, CLIENT) is None
    assert not sign_in.sign_in_with_password(session, phone="13800138000", password=PASSWORD, client=CLIENT).ok
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "portal.account_disabled")).one()
    assert audit.changes["status"] == ["active", "disabled"] and audit.changes["reason"] == "业主要求注销"
    with pytest.raises(PermissionDenied):
        accounts.disable(session, actor=desk["tech"], account_id=principal.account_id, reason="x")
