"""The owner's profile: a contact change is a request (phones encrypted while it waits, masked to staff) that staff
of the community with ``owners.edit`` approve — applied through the registry: owner history, archive change record,
audit, a new sign-in phone — or reject with a reason the owner reads; the owner is told through the outbox inbox.
Channel preferences switch SMS / e-mail off, never emergencies. Another owner's request, other communities and
crafted ids are refused."""

import dataclasses
from datetime import timedelta

import pytest
from sqlmodel import col, select

from pm_admin.archives.models import Archive, ArchiveChange
from pm_admin.core.audit import AuditEvent
from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.notify.models import ChannelPreference, Delivery, OutboxMessage
from pm_admin.owners.models import Owner, OwnerChange
from pm_admin.owners.services import household
from pm_admin.owners.services.records import owner_phones
from pm_admin.portal import profile, staff_queries
from pm_admin.portal.keys import rotate_portal_data
from pm_admin.portal.models import ContactRequest, OwnerAccount, RequestStatus
from pm_admin.portal.services import codes, invitations, sessions, sign_in
from pm_admin.portal.services import profile as services
from pm_admin.portal.services.profile import ContactChange
from pm_admin.portal.staff_queries import RequestFilter
from tests.support import factories
from tests.support.owners_portal import CLIENT, PASSWORD, activated, last_code, new_owner
from tests.support.ticket_desk import NOW, new_ticket

NEW_PHONE = "13911112222"


@pytest.fixture
def owner(session, desk):
    return activated(session, desk, new_owner(session, desk), now=NOW)


def staff_rows(session, actor, **filters):
    return staff_queries.contact_requests(session, actor, PageRequest(), RequestFilter(**filters)).rows


def test_the_profile_shows_the_name_the_masked_phone_the_rooms_and_the_contact_data(session, desk, owner):
    me = profile.profile(session, owner)
    assert (me["name"], me["phone"], me["phone1"], me["phone2"]) == ("王业主", "138****8000", "138****8000", "")
    assert [room["value"] for room in me["rooms"]] == [str(desk["room"].id)] and desk["room"].code in me["rooms"][0][
        "label"]
    assert me["can_request"] and not me["has_waiting"] and not me["has_decided"] and me["sms"] and me["email"]
    assert "13800138000" not in str(me)


def test_a_request_waits_masked_and_approved_lands_in_the_registry_history_archive_and_sign_in(session, desk, owner):
    request = services.request_change(session, owner=owner, data=ContactChange(phone=NEW_PHONE, phone2="010-62345678",
                                                                               address="翠湖花园 3 栋 1502"))
    stored = session.get(ContactRequest, request.id)
    assert decrypt(stored.phone_enc) == NEW_PHONE and NEW_PHONE not in stored.phone_enc  # encrypted at rest
    assert (stored.phone_masked, stored.phone2_masked, stored.address) == ("139****2222", "010-****5678",
                                                                          "翠湖花园 3 栋 1502")
    assert owner_phones(session, owner.owner_id) == ["13800138000"]  # a request, not a change
    assert profile.profile(session, owner)["waiting"]["phone"] == "139****2222"
    with pytest.raises(DomainError) as again:  # one waiting request at a time
        services.request_change(session, owner=owner, data=ContactChange(address="别处"))
    assert again.value.key == "portal.request_waiting"
    [row] = staff_rows(session, desk["cs"])
    assert (row["phone"], row["current_phone"], row["address"], row["status"]) == (
        "139****2222", "138****8000", "翠湖花园 3 栋 1502", "pending")
    audits = session.exec(select(AuditEvent).where(col(AuditEvent.action).like("portal.contact%"))).all()
    assert [a.action for a in audits] == ["portal.contact_requested"]
    assert not any(NEW_PHONE in str(row) or "62345678" in str(row) for row in [*audits, row])

    services.approve(session, actor=desk["cs"], request_id=request.id, expected_version=row["version"])
    assert owner_phones(session, owner.owner_id) == [NEW_PHONE, "010-62345678"]
    assert session.get(Owner, owner.owner_id).address == "翠湖花园 3 栋 1502"
    history = session.exec(select(OwnerChange.field, OwnerChange.actor_name, OwnerChange.new_value)
                           .where(OwnerChange.owner_id == owner.owner_id, OwnerChange.kind == "contact")).all()
    assert {(f, a) for f, a, _ in history} == {("phones", desk["cs"].username), ("address", desk["cs"].username)}
    assert all(NEW_PHONE not in value for *_, value in history)  # masked in the history too
    archived = session.exec(select(ArchiveChange.kind, ArchiveChange.detail).join(
        Archive, Archive.id == ArchiveChange.archive_id).where(Archive.room_id == desk["room"].id,
                                                               ArchiveChange.kind == "contact")).all()
    assert len(archived) == 2 and any("139****2222" in detail for _, detail in archived)
    actions = [a.action for a in session.exec(select(AuditEvent).where(
        AuditEvent.entity_type == "owner", AuditEvent.entity_id == str(owner.owner_id))
        .order_by(AuditEvent.id)).all()]
    assert actions[-2:] == ["owner.update", "portal.contact_approved"]
    decided = session.get(ContactRequest, request.id)
    assert (decided.status, decided.phone_enc, decided.phone2_enc, decided.decided_by_name) == (
        RequestStatus.APPROVED, None, None, desk["cs"].display_name)
    [told] = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == owner.account_id,
                                                      OutboxMessage.template == "notify.contact_approved")).all()
    assert told.channel == "inbox" and told.params["path"] == "/portal/profile"
    # The new phone is the sign-in phone now; the old one no longer signs in.
    account = session.get(OwnerAccount, owner.account_id)
    assert decrypt(account.phone_enc) == NEW_PHONE
    assert sign_in.sign_in_with_password(session, phone=NEW_PHONE, password=PASSWORD, client=CLIENT).ok
    assert not sign_in.sign_in_with_password(session, phone="13800138000", password=PASSWORD, client=CLIENT).ok
    me = profile.profile(session, owner)
    assert (me["phone"], me["has_waiting"], me["decided"]["status"]) == ("139****2222", False, "approved")
    with pytest.raises(DomainError) as twice:
        services.approve(session, actor=desk["cs"], request_id=request.id, expected_version=decided.version)
    assert twice.value.key == "portal.request_decided"


def test_a_rejected_request_tells_the_owner_why_and_changes_nothing(session, desk, owner):
    request = services.request_change(session, owner=owner, data=ContactChange(phone=NEW_PHONE))
    with pytest.raises(ValidationFailed) as no_reason:
        services.reject(session, actor=desk["manager"], request_id=request.id, expected_version=request.version,
                        reason=" ")
    assert set(no_reason.value.fields) == {"reason"}
    services.reject(session, actor=desk["manager"], request_id=request.id, expected_version=request.version,
                    reason="请到服务中心核验身份")
    assert owner_phones(session, owner.owner_id) == ["13800138000"]
    assert decrypt(session.get(OwnerAccount, owner.account_id).phone_enc) == "13800138000"
    decided = session.get(ContactRequest, request.id)
    assert (decided.status, decided.phone_enc, decided.phone_masked) == (RequestStatus.REJECTED, None, "139****2222")
    me = profile.profile(session, owner)
    assert (me["decided"]["status"], me["decided"]["reason"], me["has_waiting"]) == ("rejected", "请到服务中心核验身份",
                                                                                  False)
    told = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.contact_rejected")).one()
    assert (told.recipient_id, told.channel, told.params["reason"]) == (owner.account_id, "inbox", "请到服务中心核验身份")
    assert staff_rows(session, desk["manager"], status="pending") == []
    [row] = staff_rows(session, desk["manager"], status="rejected")
    assert row["reason"] == "请到服务中心核验身份" and row["current_phone"] == ""  # decided: nothing more to compare
    # Then a new request may be filed.
    services.request_change(session, owner=owner, data=ContactChange(address="新地址"))


def test_staff_outside_the_community_or_without_owners_edit_or_with_crafted_ids_cannot_decide(session, desk, owner):
    request = services.request_change(session, owner=owner, data=ContactChange(phone=NEW_PHONE))
    other_community, *_ = factories.place_tree(session)
    outsider = factories.sign_in(session, factories.user(session, "manager", communities=(other_community,)))
    with pytest.raises(PermissionDenied):
        services.approve(session, actor=outsider, request_id=request.id, expected_version=request.version)
    with pytest.raises(PermissionDenied):
        services.reject(session, actor=outsider, request_id=request.id, expected_version=request.version, reason="不行")
    assert staff_rows(session, outsider) == []
    with pytest.raises(PermissionDenied):  # a technician has no owners.edit
        services.approve(session, actor=desk["tech"], request_id=request.id, expected_version=request.version)
    with pytest.raises(PermissionDenied):
        staff_rows(session, desk["tech"])
    for crafted in ("1 OR 1=1", "-1", None, "99999999999999999999", 99999999):
        with pytest.raises(NotFound):
            services.approve(session, actor=desk["cs"], request_id=crafted, expected_version=request.version)
    with pytest.raises(ConcurrencyConflict):  # decided on an older copy
        services.approve(session, actor=desk["cs"], request_id=request.id, expected_version=request.version + 1)
    assert session.get(ContactRequest, request.id).status == RequestStatus.PENDING
    assert owner_phones(session, owner.owner_id) == ["13800138000"]


def test_only_the_owner_withdraws_their_own_waiting_request(session, desk, owner):
    neighbour = activated(session, desk, new_owner(session, desk, room="other_room", name="李邻居",
                                                   phone="13900139000"), now=NOW)
    request = services.request_change(session, owner=owner, data=ContactChange(address="新地址"))
    for crafted in (request.id, str(request.id), "1 OR 1=1", None, 99999999):
        with pytest.raises(NotFound):
            services.withdraw(session, owner=neighbour, request_id=crafted)
    assert neighbour.account_id not in {r.account_id for r in session.exec(select(ContactRequest)).all()}
    assert not profile.profile(session, neighbour)["has_waiting"]  # never another's request
    services.withdraw(session, owner=owner, request_id=request.id)
    assert session.get(ContactRequest, request.id).status == RequestStatus.WITHDRAWN
    with pytest.raises(NotFound):
        services.withdraw(session, owner=owner, request_id=request.id)
    with pytest.raises(DomainError):  # withdrawn: staff cannot apply it any more
        services.approve(session, actor=desk["cs"], request_id=request.id,
                         expected_version=session.get(ContactRequest, request.id).version)
    me = profile.profile(session, owner)
    assert not me["has_waiting"] and not me["has_decided"]  # a withdrawn request is not shown


def test_what_a_request_may_say(session, desk, owner):
    neighbour = activated(session, desk, new_owner(session, desk, room="other_room", name="李邻居",
                                                   phone="13900139000"), now=NOW)

    def refused(**typed) -> dict:
        with pytest.raises(ValidationFailed) as error:
            services.request_change(session, owner=owner, data=ContactChange(**typed))
        return {field: key for field, (key, _) in error.value.fields.items()}

    assert refused(phone="010-62345678") == {"phone": "portal.phone_mobile_required"}  # the sign-in needs a mobile
    assert refused(phone="12345") == {"phone": "portal.phone_mobile_required"}
    assert refused(phone2="abc") == {"phone2": "owners.phone_invalid"}
    assert refused(phone="13900139000") == {"phone": "portal.phone_has_account"}  # the neighbour signs in with it
    assert refused(phone="138 0013 8000") == {"form": "portal.nothing_changed"}  # what is stored already
    assert refused() == {"form": "portal.nothing_changed"}
    assert refused(address="长" * 201) == {"address": "error.too_long"}
    assert refused(drop_phone2=True) == {"form": "portal.nothing_changed"}  # there is no second phone to drop
    assert session.exec(select(ContactRequest)).all() == []
    assert neighbour.account_id  # untouched

    # A household member or a tenant reads the profile but asks nothing of the owner's record.
    member = household.add_member(session, actor=desk["manager"], owner_id=owner.owner_id, relation="spouse",
                                  name="王太太", phone="13600136000")
    issued = invitations.invite(session, actor=desk["cs"], person_kind="member", person_id=member.id, now=NOW)
    assert sign_in.send_activation_code(session, issued.token, NOW)
    outcome = sign_in.activate(session, token=issued.token, code=last_code(session, issued.account_id),
                               password=PASSWORD, client=CLIENT, now=NOW)
    spouse = sessions.resolve(session, sessions.exchange_ticket(session, outcome.ticket, NOW), CLIENT, NOW)
    assert not profile.profile(session, spouse)["can_request"]
    with pytest.raises(PermissionDenied):
        services.request_change(session, owner=spouse, data=ContactChange(address="别处"))
    with pytest.raises(PermissionDenied):  # without the portal permission
        services.request_change(session, owner=dataclasses.replace(owner, permissions=frozenset({"portal.home"})),
                                data=ContactChange(address="别处"))


def test_an_owner_switches_sms_and_email_off_but_not_emergencies_or_the_inbox(session, desk, owner):
    services.set_channel(session, owner=owner, channel="sms", enabled=False)
    services.set_channel(session, owner=owner, channel="sms", enabled=False)  # no change, no second audit row
    services.set_channel(session, owner=owner, channel="email", enabled=False)
    services.set_channel(session, owner=owner, channel="email", enabled=True)
    rows = {(p.channel, p.enabled) for p in session.exec(select(ChannelPreference).where(
        ChannelPreference.recipient_id == owner.account_id)).all()}
    assert rows == {("sms", False), ("email", True)}
    me = profile.profile(session, owner)
    assert (me["sms"], me["email"]) == (False, True)
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "portal.channel_preference")).all()) == 3
    for channel in ("inbox", "fax", "", None):
        with pytest.raises(DomainError):
            services.set_channel(session, owner=owner, channel=channel, enabled=False)

    # Ticket progress: the SMS is skipped, the inbox message kept; a code (an emergency for the owner) still goes.
    ticket = new_ticket(session, desk, kind="repair", code="home_repair")
    sent = {m.channel: m.status for m in session.exec(select(OutboxMessage).where(
        OutboxMessage.cause == f"ticket:{ticket.id}", OutboxMessage.recipient_id == owner.account_id)).all()}
    assert sent == {"inbox": Delivery.QUEUED, "sms": Delivery.SKIPPED}
    assert codes.send_code(session, session.get(OwnerAccount, owner.account_id), "sign_in",
                          NOW + timedelta(minutes=5))
    code = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.portal_code")
                        .order_by(col(OutboxMessage.id).desc())).first()
    assert code.status == Delivery.QUEUED and code.urgent


def test_key_rotation_moves_waiting_request_phones_and_sign_in_phones(session, desk, owner):
    request = services.request_change(session, owner=owner, data=ContactChange(phone=NEW_PHONE))
    before = session.get(ContactRequest, request.id).phone_enc
    counts = rotate_portal_data(session)
    assert counts["owner_contact_request.phone_enc"] == 1 and counts["owner_account.phone_enc"] >= 1
    assert decrypt(session.get(ContactRequest, request.id).phone_enc) == NEW_PHONE and before
    assert sign_in.sign_in_with_password(session, phone="13800138000", password=PASSWORD, client=CLIENT).ok
