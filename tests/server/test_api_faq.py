"""The FAQ assistant through the REST API (a WeCom bot asks with the owner's token): a sure match answers, a near one
proposes three, a repair offers a ticket prefilled with the question; every question is logged on the API channel;
another community's index is refused as missing; blank text is refused beside the field; an integration token is
not an owner."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from pm_admin.faq.models import AskChannel, Band, FaqQuery
from pm_admin.places.models import Community, Room
from tests.server.api_support import cli, owner_token, owners_without_account
from tests.server.test_api import assert_refusal, bearer, room_of

pytestmark = pytest.mark.server



@pytest.fixture(scope="module")
def owner(live_server, db):
    """A C01 owner activated through the API: (community id, token)."""
    (owner_id,) = owners_without_account(db, "C01", count=1)
    with Session(db) as session:
        community_id = session.get(Room, room_of(db, owner_id)).community_id
    return community_id, owner_token(live_server, db, owner_id)


def ask(api, token: str, body: dict) -> httpx.Response:
    return api.post("/faq/ask", json=body, headers=bearer(token))


def test_a_sure_match_answers_and_is_logged_on_the_api_channel(api, db, owner):
    community_id, token = owner
    answer = ask(api, token, {"community_id": community_id, "text": "管理费在哪交"})
    assert answer.status_code == 200, answer.text
    reply = answer.json()
    assert reply["band"] == "high" and reply["ticket"] is None and reply["proposals"] == []
    assert reply["answer"]["question"] == "物业费怎么缴纳？" and "业主端" in reply["answer"]["answer"]
    with Session(db) as session:
        logged = session.get(FaqQuery, reply["query_id"])
        assert (logged.channel, logged.band, logged.community_id, logged.asked) == (
            AskChannel.API, Band.HIGH, community_id, "管理费在哪交")
        assert logged.asker.startswith("api:")
    # Without a community: the one of the owner's room.
    again = ask(api, token, {"text": "门禁卡丢了怎么办"})
    assert again.status_code == 200 and again.json()["band"] == "high", again.text


def test_a_near_match_proposes_three_and_a_repair_offers_a_ticket(api, owner):
    community_id, token = owner
    middle = ask(api, token, {"community_id": community_id, "text": "业主委员会换届选举什么时候开始报名"}).json()
    assert middle["band"] == "middle" and middle["answer"] is None and len(middle["proposals"]) == 3
    assert all(p["entry_id"] and p["question"] and p["answer"] for p in middle["proposals"])
    repair = ask(api, token, {"community_id": community_id, "text": "水管漏水了"}).json()
    assert repair["band"] == "ticket" and repair["answer"] is None
    assert repair["ticket"] == {"community_id": community_id, "title": "水管漏水了", "description": "水管漏水了"}


def test_another_community_blank_text_and_an_integration_token_are_refused(api, live_server, db, owner):
    community_id, token = owner
    with Session(db) as session:
        other = session.exec(select(Community.id).where(Community.id != community_id)).first()
    before = _count(db)
    assert_refusal(ask(api, token, {"community_id": other, "text": "物业费怎么交"}), 404, "error.not_found")
    refused = assert_refusal(ask(api, token, {"community_id": community_id, "text": "   "}), 422,
                             "error.validation_failed")
    assert refused["fields"]["text"]["code"] == "error.required"
    assert _count(db) == before  # refused questions are not logged
    integration = cli(live_server, "api-token", "--name", "faq-bot-wrong", "--scope", "tickets:read", "--community",
                      "C01")
    assert ask(api, integration, {"community_id": community_id, "text": "物业费怎么交"}).status_code in (401, 403)


def _count(db) -> int:
    with Session(db) as session:
        return len(session.exec(select(FaqQuery.id)).all())
