"""The header's global search: groups by permission, community scope, masked phones, audited exact lookups, and the
bell's counts."""

from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.home import reminders, search
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services.owner_input import OwnerInput
from tests.support import factories

ID_ZHANG = "11010519491231002X"


def _world(session):
    c1, _, _, room1 = factories.place_tree(session)
    c2, _, _, room2 = factories.place_tree(session)
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    owner_registry.create_owner(session, actor=admin, room_id=room1.id,
                                data=OwnerInput(name="张三丰", id_number=ID_ZHANG, phones=["13812345678"]))
    owner_registry.create_owner(session, actor=admin, room_id=room2.id,
                                data=OwnerInput(name="张三娘", phones=["13987654321"]))
    return c1, c2, room1, room2


def _hits(result, key):
    return next((g.hits for g in result.groups if g.key == key), ())


def test_a_cs_finds_owners_of_its_own_community_only_with_phones_masked(session):
    c1, _c2, room1, room2 = _world(session)
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(c1,)))
    result = search.global_search(session, cs, "张三")
    owners = _hits(result, "owners")
    assert [h.title for h in owners] == ["张三丰"]
    assert owners[0].href.startswith("/owners/")
    assert "138****5678" in owners[0].detail and "13812345678" not in owners[0].detail
    assert ID_ZHANG not in str(result) and "13987654321" not in str(result)
    # pinyin and room codes, the other community's never
    assert [h.title for h in _hits(search.global_search(session, cs, "zs"), "owners")] == ["张三丰"]
    rooms = _hits(search.global_search(session, cs, room1.code), "rooms")
    assert [h.title for h in rooms] == [room1.code]
    assert _hits(search.global_search(session, cs, room2.code), "rooms") == ()


def test_an_exact_phone_is_an_audited_lookup_and_finds_the_owner_only_in_scope(session):
    c1, _c2, _room1, _room2 = _world(session)
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(c1,)))
    assert search.needs_writing("138 1234 5678")
    found = search.global_search(session, cs, "13812345678")
    assert [h.title for h in _hits(found, "owners")] == ["张三丰"]
    assert all(not g.hits for g in found.groups if g.key != "owners")
    assert _hits(search.global_search(session, cs, "13987654321"), "owners") == ()  # C02's owner
    rows = list(session.exec(select(AuditEvent).where(AuditEvent.action == "owner.pii_lookup",
                                                      AuditEvent.actor_user_id == cs.user_id)).all())
    assert [r.changes["where"] for r in rows] == ["global_search", "global_search"]
    assert "13812345678" not in str([r.changes for r in rows])


def test_groups_follow_permissions(session):
    c1, *_ = _world(session)
    technician = factories.sign_in(session, factories.user(session, "technician", communities=(c1,)))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    archivist = factories.sign_in(session, factories.user(session, "archivist", communities=(c1,)))
    assert search.searched_groups(technician) == ("rooms",)
    assert "owners" not in search.searched_groups(executive) and "tickets" not in search.searched_groups(executive)
    assert search.searched_groups(archivist) == ("owners", "rooms", "archives")
    # A phone search by someone who may not see owners finds nothing and looks nothing up.
    assert search.global_search(session, technician, "13812345678").empty
    assert not search.needs_writing("张三")


def test_the_bell_counts_zero_for_a_quiet_world_and_only_what_the_role_may_open(session):
    c1, *_ = _world(session)
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(c1,)))
    keys = {r.key for r in reminders.reminders(session, cs)}
    assert {"bell.tickets_overdue", "bell.callbacks_due", "bell.census_due", "bell.arrears_due"} <= keys
    assert "bell.plans_waiting" not in keys
    assert all(r.count == 0 for r in reminders.reminders(session, cs))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    assert reminders.reminders(session, executive) == []
