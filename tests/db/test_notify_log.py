"""What staff see and do with the outbox: the delivery log (scoped, filtered, paged in SQL), retrying a dead
message (audited), and an inbox read receipt that only the recipient can give."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import Perm
from pm_admin.notify.models import Channel, Delivery, OutboxMessage, Recipient
from pm_admin.notify.queries import DeliveryFilter, delivery_log
from pm_admin.notify.services import mark_read, retry
from tests.support import factories
from tests.support.outbox import queue


@pytest.fixture
def world(session):
    north, south = factories.community(session), factories.community(session)
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(north,)))
    steward = factories.sign_in(session, factories.user(session, "steward", communities=(north,)))
    north_mail = queue(session, Channel.EMAIL, [f"n{n}@example.com" for n in range(25)], prefix="north",
                       community_id=north.id)
    south_sms = queue(session, Channel.SMS, ["13800138000", "13800138001"], prefix="south", community_id=south.id)
    company = queue(session, Channel.INBOX, [None], prefix="company")  # a staff notice of no community
    return {"north": north, "south": south, "admin": admin, "manager": manager, "steward": steward,
            "north_mail": north_mail, "south_sms": south_sms, "company": company}


def set_status(session, ids, status: Delivery, **values) -> None:
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(status=status, **values))
    session.flush()


def test_the_roles_that_hold_the_delivery_log_permissions(session, world):
    assert world["admin"].has(Perm.NOTIFY_VIEW) and world["admin"].has(Perm.NOTIFY_MANAGE)
    assert world["manager"].has(Perm.NOTIFY_VIEW) and world["manager"].has(Perm.NOTIFY_MANAGE)
    assert not world["steward"].has(Perm.NOTIFY_VIEW)
    with pytest.raises(PermissionDenied):
        delivery_log(session, world["steward"], DeliveryFilter(), PageRequest())


def test_the_log_is_scoped_to_the_readers_communities_and_paged_in_sql(session, world):
    everything = delivery_log(session, world["admin"], DeliveryFilter(cause=""), PageRequest(page_size=200))
    mine = {world["north_mail"][0], world["south_sms"][0], world["company"][0]}
    assert mine <= {row.id for row in everything.rows}
    managers = delivery_log(session, world["manager"], DeliveryFilter(), PageRequest(page=2, page_size=10))
    assert managers.total == 25 and len(managers.rows) == 10 and managers.pages == 3
    first = delivery_log(session, world["manager"], DeliveryFilter(), PageRequest(page=1, page_size=10))
    assert [row.id for row in first.rows] == sorted(world["north_mail"], reverse=True)[:10]  # newest first
    assert {row.community_id for row in managers.rows} == {world["north"].id}
    # Naming another community does not widen the scope.
    assert delivery_log(session, world["manager"], DeliveryFilter(community_id=world["south"].id),
                        PageRequest()).total == 0
    row = first.rows[0]
    assert row.address.startswith("n") and "***@example.com" in row.address
    assert (row.channel_label, row.status_label, row.title) == ("电子邮件", "待发送", "测试消息")


def test_the_log_filters_by_status_channel_cause_and_the_development_outbox(session, world):
    admin = world["admin"]
    set_status(session, world["north_mail"][:3], Delivery.DEAD, last_error="smtp 550 recipient refused: no")
    set_status(session, world["south_sms"][:1], Delivery.DELIVERED, provider_message_id="dev")

    def ids(**filters):
        return {row.id for row in delivery_log(session, admin, DeliveryFilter(**filters), PageRequest(page_size=200)).rows}

    assert ids(status="dead", cause="test:north") == set(world["north_mail"][:3])
    assert ids(channel="sms", cause="test:south") == set(world["south_sms"])
    assert ids(development=True) >= {world["south_sms"][0]} and world["south_sms"][1] not in ids(development=True)
    assert ids(status="nonsense") == set() and ids(channel="fax") == set()
    dead = delivery_log(session, admin, DeliveryFilter(status="dead", cause="test:north"), PageRequest(),
                        language="en").rows[0]
    assert dead.can_retry and dead.status_label == "Given up" and dead.last_error.startswith("smtp 550")


def test_a_manager_retries_a_dead_message_of_their_community_audited(session, world):
    dead = world["north_mail"][0]
    set_status(session, [dead], Delivery.DEAD, attempts=8, last_error="gave up after 8 attempts: timeout")
    message = retry(session, world["manager"], dead)
    assert (message.status, message.attempts, message.claimed_by) == (Delivery.QUEUED, 0, "")
    event = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "notify.retry",
                                                        AuditEvent.entity_id == str(dead))).scalar_one()
    assert event.community_id == world["north"].id and event.changes["status"] == ["dead", "queued"]
    assert event.changes["attempts"] == [8, 0]
    with pytest.raises(DomainError) as refused:
        retry(session, world["manager"], dead)  # queued now: nothing to retry
    assert refused.value.key == "notify.cannot_retry"


def test_retry_is_refused_outside_the_scope_and_without_the_permission(session, world):
    south = world["south_sms"][0]
    set_status(session, [south], Delivery.DEAD)
    with pytest.raises(PermissionDenied):
        retry(session, world["manager"], south)
    with pytest.raises(PermissionDenied):
        retry(session, world["steward"], world["north_mail"][0])
    with pytest.raises(NotFound):
        retry(session, world["admin"], 0)
    assert session.get(OutboxMessage, south).status == Delivery.DEAD


def test_only_the_recipient_marks_an_inbox_message_read(session, world):
    (notice,) = queue(session, Channel.INBOX, [None], prefix="portal", kind=Recipient.OWNER_ACCOUNT)
    owner = session.get(OutboxMessage, notice).recipient_id
    for kind, recipient in ((Recipient.OWNER_ACCOUNT, owner + 1), (Recipient.USER, owner)):
        with pytest.raises(NotFound):
            mark_read(session, kind, recipient, notice)
    with pytest.raises(NotFound):  # an e-mail is not an inbox message, whoever asks
        mark_read(session, Recipient.USER, 1, world["north_mail"][0])
    message = mark_read(session, Recipient.OWNER_ACCOUNT, owner, notice)
    first_read = message.read_at
    assert message.status == Delivery.READ and first_read is not None
    assert mark_read(session, "owner_account", owner, notice).read_at == first_read  # the first reading stays


def test_key_rotation_moves_the_outbox_addresses_to_the_new_key(session, world, monkeypatch):
    from cryptography.fernet import Fernet

    from pm_admin.core import crypto
    from pm_admin.notify.keys import rotate_addresses
    from pm_admin.settings import get_settings

    old_key = get_settings().field_keys[0]
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("PM_FIELD_KEYS", f"{new_key},{old_key}")
    get_settings.cache_clear()
    try:
        with_address = session.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.address_enc.is_not(None))).scalar()
        assert rotate_addresses(session) == with_address >= 27
        monkeypatch.setenv("PM_FIELD_KEYS", new_key)  # the old key is gone
        get_settings.cache_clear()
        session.expire_all()
        assert crypto.decrypt(session.get(OutboxMessage, world["south_sms"][1]).address_enc) == "13800138001"
    finally:
        get_settings.cache_clear()
