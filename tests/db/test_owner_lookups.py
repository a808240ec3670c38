"""Exact lookups by phone or ID number are audited personal-data reads with a per-user budget."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import utcnow
from pm_admin.core.paging import PageRequest
from pm_admin.home.queries import home_figures
from pm_admin.owners import lookups, queries
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services.owner_input import OwnerInput
from tests.support import factories

ID_ZHANG = "11010519491231002X"
ID_UNKNOWN = "411422195204273095"


def audit(session, principal, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action,
                                                      AuditEvent.actor_user_id == principal.user_id)
                             .order_by(AuditEvent.id)).all())


def test_phone_guesses_are_audited_and_stop_after_the_budget_with_one_flag(session):
    community, _, _, room = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))
    owner_registry.create_owner(session, actor=manager, room_id=room.id,
                          data=OwnerInput(name="张三", id_number=ID_ZHANG, phones=["13812345678"]))
    # Guessing the 4 hidden digits of 138****5678: each guess is one lookup.
    guesses = [f"138{n:04d}5678" for n in range(lookups.LIMIT)]
    found = [lookups.grid_lookup(session, cs, PageRequest(), queries.OwnerFilter(search=guess)).total
             for guess in guesses[:-1] + ["13812345678"]]
    assert found == [0] * (lookups.LIMIT - 1) + [1]
    rows = audit(session, cs, "owner.pii_lookup")
    assert len(rows) == lookups.LIMIT
    assert rows[-1].changes == {"kind": "phone", "search": "138****5678", "results": 1, "where": "owner_grid"}
    assert not any("13812345678" in str(row.changes) for row in rows)  # the audit keeps the number masked
    # The budget is used up: refused, flagged once, the search not run.
    assert lookups.grid_lookup(session, cs, PageRequest(), queries.OwnerFilter(search="13900000000")) is None
    assert lookups.grid_lookup(session, cs, PageRequest(), queries.OwnerFilter(search="13900000001")) is None
    assert len(audit(session, cs, "owner.pii_lookup_burst")) == 1
    assert len(audit(session, cs, "owner.pii_lookup")) == lookups.LIMIT
    # Another user has a budget of their own; after the window the user has one again.
    assert lookups.lookup_allowed(session, manager)
    assert lookups.lookup_allowed(session, cs, now=utcnow() + lookups.WINDOW + timedelta(seconds=1))


def test_an_id_number_typed_into_an_owner_form_is_a_lookup_unless_it_is_the_owners_own(session):
    community, _, unit, room = factories.place_tree(session)
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))
    owner = owner_registry.create_owner(session, actor=cs, room_id=room.id,
                                  data=OwnerInput(name="张三", id_number=ID_ZHANG, phones=["13812345678"]))
    assert lookups.form_id_lookup(session, cs, id_number=ID_ZHANG, owner_id=owner.id)  # unchanged: no lookup
    assert lookups.form_id_lookup(session, cs, id_number="")
    assert audit(session, cs, "owner.pii_lookup") == []
    assert lookups.form_id_lookup(session, cs, id_number=ID_ZHANG)  # a new owner with a registered number
    assert lookups.form_id_lookup(session, cs, id_number=ID_UNKNOWN.lower())
    assert [(row.changes["results"], row.changes["search"], row.changes["where"])
            for row in audit(session, cs, "owner.pii_lookup")] == [(1, "1101**********002X", "owner_form"),
                                                                    (0, "4114**********3095", "owner_form")]
    for _ in range(lookups.LIMIT - 2):
        lookups.record_lookup(session, cs, text=ID_UNKNOWN, results=0, where="owner_form")
    assert not lookups.form_id_lookup(session, cs, id_number=ID_UNKNOWN)
    assert lookups.throttled_field("id_number").fields["id_number"][0] == "owners.lookup_throttled"


def test_admins_see_lookup_bursts_on_their_home_page(session):
    community, _, _, _ = factories.place_tree(session)
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))

    def bursts() -> str:
        figures = [f for section in home_figures(session, admin).sections for f in section.figures]
        return next(f.value for f in figures if f.key == "home.pii_lookup_bursts")

    before = int(bursts())
    for _ in range(lookups.LIMIT):
        lookups.record_lookup(session, cs, text="13812345678", results=0, where="owner_grid")
    assert not lookups.lookup_allowed(session, cs)
    assert int(bursts()) == before + 1
    assert session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "owner.pii_lookup_burst", AuditEvent.outcome == "denied")) >= 1
