"""The client address behind reverse proxies (PM_TRUSTED_PROXY_HOPS)."""

import dataclasses

import pytest
from starlette.requests import Request

from pm_admin.auth.http import client_of
from pm_admin.core.guard import client_address, client_info
from pm_admin.settings import get_settings

PEER = "10.0.0.5"


@pytest.mark.parametrize(
    ("forwarded_for", "hops", "expected"),
    [
        ("203.0.113.9", 0, PEER),  # no proxy configured: the header is the client's own claim
        ("203.0.113.9", 1, "203.0.113.9"),
        ("1.1.1.1, 203.0.113.9", 1, "203.0.113.9"),  # a forged first entry is ignored
        ("1.1.1.1, 203.0.113.9, 192.0.2.1", 2, "203.0.113.9"),  # CDN then nginx
        ("203.0.113.9", 2, PEER),  # shorter than the chain: did not come through it
        (None, 1, PEER),
        ("", 1, PEER),
        ("unknown", 1, PEER),
        ("2001:db8::1", 1, "2001:db8::1"),
        (" 1.1.1.1 ,  203.0.113.9 ", 1, "203.0.113.9"),
    ],
)
def test_client_address_trusts_only_the_configured_hops(forwarded_for, hops, expected):
    assert client_address(PEER, forwarded_for, hops) == expected


@pytest.fixture
def behind_one_proxy(monkeypatch):
    settings = dataclasses.replace(get_settings(), trusted_proxy_hops=1)
    monkeypatch.setattr("pm_admin.core.guard.get_settings", lambda: settings)
    monkeypatch.setattr("pm_admin.auth.http.get_settings", lambda: settings)


def test_websocket_events_see_the_client_not_the_proxy(behind_one_proxy):
    info = client_info({"ip": PEER, "headers": {"x-forwarded-for": "1.1.1.1, 203.0.113.9", "user-agent": "ua"}})
    assert (info.ip, info.user_agent) == ("203.0.113.9", "ua")


def test_http_routes_see_the_client_not_the_proxy(behind_one_proxy):
    # A header sent as two lines (one per proxy) is one list.
    request = Request({"type": "http", "client": (PEER, 5000), "headers": [
        (b"x-forwarded-for", b"1.1.1.1"), (b"x-forwarded-for", b"203.0.113.9"), (b"user-agent", b"ua")]})
    assert client_of(request).ip == "203.0.113.9"


def test_without_trusted_proxies_the_header_is_ignored():
    info = client_info({"ip": PEER, "headers": {"x-forwarded-for": "203.0.113.9"}})
    assert info.ip == PEER
