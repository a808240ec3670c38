"""The REST API on the production server: owners reach exactly their own rooms, POSTs are idempotent, lists page
with cursors, every refusal has one shape in both languages, integrations stay within scopes, communities and their
request budget."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from pm_admin.api.models import ApiToken
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Ticket, TicketCategory
from tests.server.api_support import cli, owner_token, owners_without_account

pytestmark = pytest.mark.server



@pytest.fixture(scope="module")
def owners(live_server, db):
    first, second = owners_without_account(db)
    return {"first": (first, owner_token(live_server, db, first)), "second": (second, owner_token(live_server, db,
                                                                                                   second))}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def repair_category(db) -> int:
    with Session(db) as session:
        return session.exec(select(TicketCategory.id).where(TicketCategory.code == "home_repair")).one()


def room_of(db, owner_id: int) -> int:
    with Session(db) as session:
        return session.exec(select(Ownership.room_id).where(Ownership.owner_id == owner_id)).first()


def assert_refusal(answer: httpx.Response, status: int, code: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error["message"]) == {"zh-CN", "en"} and all(error["message"].values())
    if code:
        assert error["code"] == code
    return error


def test_an_owner_reports_idempotently_and_pages_their_tickets(api, db, owners):
    owner_id, token = owners["first"]
    me = api.get("/me", headers=bearer(token)).json()
    assert [room["id"] for room in me["rooms"]] == [room_of(db, owner_id)]
    body = {"kind": "repair", "room_id": me["rooms"][0]["id"], "category_id": repair_category(db),
            "description": "阳台地漏反水（接口）"}
    first = api.post("/tickets", json=body, headers={**bearer(token), "Idempotency-Key": "report-1"})
    again = api.post("/tickets", json=body, headers={**bearer(token), "Idempotency-Key": "report-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    with Session(db) as session:
        assert len(session.exec(select(Ticket).where(Ticket.description == body["description"])).all()) == 1
        assert session.get(Ticket, first.json()["id"]).channel == "online"
    assert_refusal(api.post("/tickets", json={**body, "description": "另一件事"},
                            headers={**bearer(token), "Idempotency-Key": "report-1"}), 422,
                   "api.idempotency_key_reused")
    for n in range(2):
        assert api.post("/tickets", json={**body, "description": f"第 {n} 件"}, headers=bearer(token)).status_code == 201
    ids, cursor = [], None
    while True:  # two at a time to the end: every ticket once, newest first (earlier ones of the room included)
        page = api.get("/tickets", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                       headers=bearer(token)).json()
        ids += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(ids) == len(set(ids)) >= 3 and ids == sorted(ids, reverse=True)
    assert first.json()["id"] == ids[2]  # the two reported after it come first
    assert_refusal(api.get("/tickets", params={"cursor": "not-a-cursor"}, headers=bearer(token)), 400,
                   "api.cursor_invalid")


def test_another_owners_room_and_ticket_are_not_there(api, db, owners):
    (first_id, first), (_, second) = owners["first"], owners["second"]
    room = room_of(db, first_id)
    mine = api.post("/tickets", headers=bearer(first), json={"kind": "inquiry", "room_id": room,
                                                              "category_id": repair_category(db),
                                                              "description": "咨询（接口）"}).json()
    assert_refusal(api.get(f"/tickets/{mine['id']}", headers=bearer(second)), 404, "error.not_found")
    assert_refusal(api.post(f"/tickets/{mine['id']}/rating", headers=bearer(second), json={"satisfied": True}), 404)
    assert_refusal(api.post("/tickets", headers=bearer(second), json={
        "kind": "repair", "room_id": room, "category_id": repair_category(db), "description": "冒名报修"}), 404)
    assert mine["id"] not in [t["id"] for t in api.get("/tickets", headers=bearer(second)).json()["items"]]
    for crafted in ("0", "-1", "99999999999999999999", "1%20OR%201=1", "abc"):
        answer = api.get(f"/tickets/{crafted}", headers=bearer(first))
        assert answer.status_code in (404, 422) and "error" in answer.json(), crafted


def test_without_a_valid_token_every_endpoint_refuses_in_one_shape(api, owners):
    assert_refusal(api.get("/me"), 401, "error.not_signed_in")
    assert_refusal(api.get("/me", headers=bearer("forged")), 401)
    assert_refusal(api.get("/integration/tickets", headers=bearer(owners["first"][1])), 403,
                   "api.integration_endpoint")  # an owner's token never reaches staff data
    wrong = api.post("/auth/token", json={"phone": "13800000000", "password": "wrong-password"})
    assert_refusal(wrong, 401, "portal.invalid_credentials")
    assert_refusal(api.post("/tickets", headers=bearer(owners["first"][1]), json={"kind": "bogus"}), 422,
                   "error.validation_failed")


def test_signing_out_ends_the_token(api, live_server, db):
    (owner_id,) = owners_without_account(db, count=1)
    token = owner_token(live_server, db, owner_id)
    assert api.get("/me", headers=bearer(token)).status_code == 200
    assert api.delete("/auth/token", headers=bearer(token)).status_code == 204
    assert_refusal(api.get("/me", headers=bearer(token)), 401)


def test_an_integration_stays_within_its_scopes_communities_and_budget(api, live_server, db, owners):
    call_centre = cli(live_server, "api-token", "--name", "呼叫中心", "--scope", "tickets:create", "--community", "C01")
    with Session(db) as session:
        room = session.exec(select(Ownership.room_id).where(Ownership.owner_id == owners["first"][0])).first()
        code = session.get(Room, room).code
    created = api.post("/integration/tickets", headers={**bearer(call_centre), "Idempotency-Key": "cc-1"}, json={
        "kind": "complaint", "category_id": repair_category(db), "room_code": code, "title": "来电：楼道灯不亮",
        "contact": {"name": "王先生", "phone": "13912345678", "relation": "owner"}})
    assert created.status_code == 201, created.text
    assert "13912345678" not in created.text and created.json()["code"].startswith("TS-")
    assert_refusal(api.get("/integration/kpis", headers=bearer(call_centre)), 403, "api.scope_missing")
    assert_refusal(api.get("/me", headers=bearer(call_centre)), 403, "api.owner_endpoint")

    bi = cli(live_server, "api-token", "--name", "BI", "--scope", "tickets:read", "--scope", "kpis:read",
             "--community", "C02", "--per-minute", "3")
    listed = api.get("/integration/tickets", params={"limit": 100}, headers=bearer(bi)).json()["items"]
    with Session(db) as session:
        c02 = session.exec(select(Community.id).where(Community.code == "C02")).one()
    assert listed and {t["community_id"] for t in listed} == {c02}
    assert_refusal(api.get("/integration/kpis", params={"community": "C01"}, headers=bearer(bi)), 404)
    assert api.get("/integration/kpis", params={"community": "C02"}, headers=bearer(bi)).status_code == 200
    refused = api.get("/integration/kpis", headers=bearer(bi))  # the 4th request of the minute, budget 3
    assert_refusal(refused, 429, "api.too_many_requests")
    assert int(refused.headers["Retry-After"]) > 0

    token_id = cli(live_server, "api-token", "--name", "临时", "--scope", "tickets:read", "--community", "C01")
    assert api.get("/integration/tickets", headers=bearer(token_id)).status_code == 200
    with Session(db) as session:
        revoked = session.exec(select(ApiToken.id).where(ApiToken.name == "临时")).one()
    cli(live_server, "api-token", "--revoke", str(revoked))
    assert_refusal(api.get("/integration/tickets", headers=bearer(token_id)), 401)


def test_an_owner_answers_a_survey_for_their_own_room_only(api, db, owners):
    (first_id, first), (_, second) = owners["first"], owners["second"]
    tasks = api.get("/surveys", headers=bearer(first)).json()
    assert all(task["room_id"] == room_of(db, first_id) for task in tasks)
    if tasks:  # the demo's open plan asks this household
        task = tasks[0]
        path = f"/surveys/{task['plan_id']}/rooms/{task['room_id']}"
        assert_refusal(api.get(path, headers=bearer(second)), 404)  # another owner's room reads as missing
        assert_refusal(api.post(path + "/answers", headers=bearer(second), json={"answers": {}}), 404)
        questions = api.get(path, headers=bearer(first)).json()["questions"]
        assert questions and not api.get(path, headers=bearer(first)).json()["answered"]
        assert_refusal(api.post(path + "/answers", headers=bearer(first), json={"answers": {}}), 422)
    assert isinstance(api.get("/surveys/results", headers=bearer(second)).json(), list)
