"""The suggestion box 意见箱 through the REST API on the production server: an owner writes a suggestion for their
own room (idempotently) and follows it, a room that is not theirs reads as missing and writes nothing, empty content
and an unknown category are refused next to the field, nobody else's suggestions are ever listed, and staff's
triage and reply (services in this process, as the desk would) show up in the owner's list."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.api import cursors
from pm_admin.auth.models import User
from pm_admin.core.ids import MAX_ID
from pm_admin.portal.models import OwnerAccount
from pm_admin.suggestions.models import Suggestion, SuggestionChannel
from pm_admin.suggestions.services import triage
from pm_admin.tickets.models import TicketCategory
from tests.server.api_support import owner_token, owners_without_account
from tests.server.test_api import assert_refusal, bearer, repair_category, room_of
from tests.support import factories

pytestmark = pytest.mark.server



@pytest.fixture(scope="module")
def owners(live_server, db):
    """Two C01 owners of one room each, activated through the API: (owner id, room id, token)."""
    return [(owner_id, room_of(db, owner_id), owner_token(live_server, db, owner_id))
            for owner_id in owners_without_account(db, "C01", count=2)]


def suggestion_count(db) -> int:
    with Session(db) as session:
        return session.scalar(sa.select(sa.func.count(Suggestion.id)))


def account_of(db, owner_id: int) -> int:
    with Session(db) as session:
        return session.exec(select(OwnerAccount.id).where(OwnerAccount.person_id == owner_id)).one()


def listed(api, token: str, **params) -> dict:
    answer = api.get("/suggestions", headers=bearer(token), params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def post(api, token: str, body: dict, **headers) -> httpx.Response:
    return api.post("/suggestions", json=body, headers={**bearer(token), **headers})


def test_an_owner_writes_a_suggestion_for_their_room_once_and_follows_it(api, db, owners):
    (owner_id, room, token), _ = owners
    category = repair_category(db)
    body = {"room_id": room, "category_id": category, "content": "  楼道灯晚上十点后太暗，建议加装感应灯。 "}
    before = suggestion_count(db)
    first = post(api, token, body, **{"Idempotency-Key": "suggestion-lights-1"})
    assert first.status_code == 201, first.text
    made = first.json()
    assert made["room_id"] == room and made["room"] and made["category_id"] == category and made["category"]
    assert made["content"] == "楼道灯晚上十点后太暗，建议加装感应灯。"  # stored trimmed
    assert (made["status"], made["outcome"], made["reply"], made["replied_at"]) == ("new", "", "", "")
    assert made["reply_due_on"] and made["received_at"]
    again = post(api, token, body, **{"Idempotency-Key": "suggestion-lights-1"})
    assert (again.status_code, again.json()) == (201, made)  # the retry gets the first answer, writes nothing
    assert suggestion_count(db) == before + 1
    with Session(db) as session:
        stored = session.get(Suggestion, made["id"])
        assert (stored.channel, stored.room_id, stored.account_id) == (SuggestionChannel.PORTAL, room,
                                                                         account_of(db, owner_id))
    reused = post(api, token, {**body, "content": "另一条"}, **{"Idempotency-Key": "suggestion-lights-1"})
    assert_refusal(reused, 422, "api.idempotency_key_reused")

    second = post(api, token, {**body, "content": "小区门口的快递柜不够用"})
    assert second.status_code == 201, second.text
    mine = listed(api, token)
    assert [s["id"] for s in mine["items"]][:2] == [second.json()["id"], made["id"]]  # newest first
    assert mine["items"][1] == made and mine["next_cursor"] is None
    page = listed(api, token, limit=1)
    assert [s["id"] for s in page["items"]] == [second.json()["id"]] and page["next_cursor"]
    rest = listed(api, token, limit=1, cursor=page["next_cursor"])
    assert [s["id"] for s in rest["items"]] == [made["id"]]
    with Session(db) as session:
        names = session.get(TicketCategory, category)
    assert made["category"].endswith(names.name_zh)
    assert api.get("/suggestions", headers={**bearer(token), "Accept-Language": "en"}).json()["items"][0][
        "category"].endswith(names.name_en)


def test_a_room_that_is_not_mine_reads_as_missing_and_writes_nothing(api, db, owners):
    (_, _, token), (_, other_room, _) = owners
    before = suggestion_count(db)
    answer = post(api, token, {"room_id": other_room, "category_id": repair_category(db), "content": "邻居家漏水"},
                  **{"Idempotency-Key": "suggestion-foreign-room"})
    assert_refusal(answer, 404, "error.not_found")
    assert_refusal(post(api, token, {"room_id": MAX_ID, "category_id": repair_category(db), "content": "x"}), 404,
                   "error.not_found")
    assert suggestion_count(db) == before
    with Session(db) as session:
        assert session.exec(select(Suggestion).where(Suggestion.room_id == other_room)).first() is None


def test_empty_content_and_an_unknown_category_are_refused_next_to_the_field(api, db, owners):
    (_, room, token), _ = owners
    before = suggestion_count(db)
    for content in ("", "   \n "):
        error = assert_refusal(post(api, token, {"room_id": room, "category_id": repair_category(db),
                                                 "content": content}), 422, "error.validation_failed")
        assert set(error["fields"]) == {"content"} and error["fields"]["content"]["code"] == "error.required"
        assert all(error["fields"]["content"]["message"].values())
    error = assert_refusal(post(api, token, {"room_id": room, "category_id": MAX_ID, "content": ""}), 422,
                           "error.validation_failed")
    assert error["fields"]["category_id"]["code"] == "suggestions.choose_category"
    assert error["fields"]["content"]["code"] == "error.required"
    missing = assert_refusal(post(api, token, {"room_id": room, "category_id": repair_category(db)}), 422,
                             "error.validation_failed")
    assert "content" in missing["fields"]
    assert suggestion_count(db) == before


def test_nobody_else_sees_my_suggestions(api, db, owners):
    (_, room, token), (_, other_room, other_token) = owners
    mine = post(api, token, {"room_id": room, "category_id": repair_category(db), "content": "只给物业看的建议"})
    assert mine.status_code == 201, mine.text
    theirs = post(api, other_token, {"room_id": other_room, "category_id": repair_category(db),
                                     "content": "另一位业主的建议"})
    assert theirs.status_code == 201, theirs.text
    others = [s["id"] for s in listed(api, other_token)["items"]]
    assert theirs.json()["id"] in others and mine.json()["id"] not in others
    assert all(s["room_id"] == other_room for s in listed(api, other_token)["items"])
    assert theirs.json()["id"] not in [s["id"] for s in listed(api, token)["items"]]
    # a cursor naming another owner's suggestion continues nothing of theirs
    assert listed(api, other_token, cursor=cursors.encode(mine.json()["id"]))["items"] == []


def test_staffs_triage_and_reply_show_in_my_list(api, db, owners):
    (_, room, token), _ = owners
    made = post(api, token, {"room_id": room, "category_id": repair_category(db), "content": "垃圾分类点异味较重"})
    assert made.status_code == 201, made.text
    suggestion_id = made.json()["id"]
    with Session(db) as session:
        manager = factories.sign_in(session, session.exec(select(User).where(User.username == "demo.manager")).one())
        accepted = triage.accept(session, actor=manager, suggestion_id=suggestion_id,
                                 expected_version=session.get(Suggestion, suggestion_id).version, note="合理")
        session.commit()
        entry = next(s for s in listed(api, token)["items"] if s["id"] == suggestion_id)
        assert (entry["status"], entry["outcome"], entry["reply"]) == ("triaged", "accepted", "")
        triage.reply(session, actor=manager, suggestion_id=suggestion_id, expected_version=accepted.version,
                     text="已安排每日两次清洗，感谢您的建议。")
        session.commit()
    entry = next(s for s in listed(api, token)["items"] if s["id"] == suggestion_id)
    assert (entry["status"], entry["outcome"]) == ("replied", "accepted")
    assert entry["reply"] == "已安排每日两次清洗，感谢您的建议。" and entry["replied_at"]
