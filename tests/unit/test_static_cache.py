"""The built frontend's cache policy: hashed assets kept a year, pages revalidated, nothing else touched."""

from __future__ import annotations

import pytest

from pm_admin.web.static_cache import static_cache
from tests.support.loop import run


def response_headers(path: str, *, status: int = 200, content_type: bytes = b"text/javascript",
                     method: str = "GET", own: tuple[bytes, bytes] | None = None) -> dict[bytes, bytes]:
    sent: list[dict] = []

    async def app(scope, receive, send):
        headers = [(b"content-type", content_type), *([own] if own else [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        sent.append(message)

    run(static_cache(app)({"type": "http", "method": method, "path": path}, None, send))
    return dict(sent[0]["headers"])


def test_hashed_assets_are_kept_for_a_year():
    assert response_headers("/assets/entry.client-xwjv4LTW.js")[b"cache-control"] == \
        b"public, max-age=31536000, immutable"
    assert response_headers("/assets/root-DEJOkKEf.js", status=304)[b"cache-control"].endswith(b"immutable")


@pytest.mark.parametrize("status", [404, 500])
def test_a_missing_asset_is_not_remembered(status):
    assert b"cache-control" not in response_headers("/assets/gone-1234.js", status=status)


def test_pages_are_revalidated_and_other_responses_untouched():
    assert response_headers("/owners/", content_type=b"text/html; charset=utf-8")[b"cache-control"] == b"no-cache"
    assert b"cache-control" not in response_headers("/auth/session", content_type=b"application/json")
    assert b"cache-control" not in response_headers("/assets/x-1.js", method="POST")


def test_a_route_that_chose_its_own_policy_keeps_it():
    headers = response_headers("/files/download/abc", content_type=b"text/html", own=(b"Cache-Control", b"no-store"))
    assert b"cache-control" not in headers and headers[b"Cache-Control"] == b"no-store"
