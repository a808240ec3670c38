"""Arranging API callers on the live server: owners activated through the API itself, integration tokens from the
command line (run with the server's keys, as an operator would)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.notify.models import OutboxMessage
from pm_admin.owners.models import HouseholdMember, OwnerPhone, Ownership
from pm_admin.places.models import Community
from pm_admin.portal.models import OwnerAccount
from tests.support.server import PROJECT_ROOT, server_environment

PASSWORD = "接口测试密码2026"


def cli(live_server, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pm_admin.cli", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, env=server_environment(live_server.data_dir, live_server.database_url))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def owners_without_account(db, community_code: str = "C01", count: int = 2) -> list[int]:
    """Sole owners of one room each in ``community_code`` (no co-owner, no household member who could share it),
    with a phone and no portal account yet."""
    current = col(Ownership.ended_on).is_(None)
    sole_rooms = select(Ownership.room_id).where(current).group_by(Ownership.room_id).having(sa.func.count() == 1)
    one_room_owners = select(Ownership.owner_id).where(current).group_by(Ownership.owner_id).having(
        sa.func.count() == 1)
    with Session(db) as session:
        return list(session.exec(
            select(Ownership.owner_id).join(Community, Community.id == Ownership.community_id)
            .where(Community.code == community_code, current, col(Ownership.room_id).in_(sole_rooms),
                   col(Ownership.owner_id).in_(one_room_owners),
                   col(Ownership.owner_id).in_(select(OwnerPhone.owner_id)),
                   col(Ownership.owner_id).not_in(select(OwnerAccount.person_id)),
                   col(Ownership.owner_id).not_in(select(HouseholdMember.owner_id)))
            .order_by(Ownership.owner_id.desc()).limit(count)).all())


def owner_token(live_server, db, owner_id: int) -> str:
    invitation = cli(live_server, "invite-owner", "--person-id", str(owner_id), "--token-only")
    api = httpx.Client(base_url=live_server.base_url + "/api/v1", timeout=20)
    assert api.post("/auth/activation-code", json={"invitation": invitation}).status_code == 202
    with Session(db) as session:
        account = session.exec(select(OwnerAccount).where(OwnerAccount.person_id == owner_id)).one()
        code = session.exec(select(OutboxMessage.params).where(
            OutboxMessage.recipient_id == account.id, OutboxMessage.template == "notify.portal_code")
            .order_by(OutboxMessage.id.desc())).first()["code"]
    answer = api.post("/auth/activate", json={"invitation": invitation, "code": code, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]
