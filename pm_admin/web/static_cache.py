"""How long browsers keep the built frontend.

The build names every file under ``/assets/`` after a hash of its content, so what an address serves never changes:
browsers keep those files for a year without asking again. Without it they ask the server about each of the ~50
scripts of a page whenever the heuristic freshness of a fresh build has run out, one round trip each, on every page
opened in a new tab. The pages themselves name the assets of the build being served, so they are asked for every
time (``no-cache``: revalidated with their ETag), and a new build reaches the next page opened.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASSETS = "/assets/"
CACHE_CONTROL = b"cache-control"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"


def _policy(path: str, status: int, headers: list[tuple[bytes, bytes]]) -> bytes | None:
    if any(name.lower() == CACHE_CONTROL for name, _ in headers):
        return None  # a route that chose its own
    if path.startswith(ASSETS):
        return IMMUTABLE if status in (200, 304) else None  # a missing file may exist after the next build
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    return REVALIDATE if content_type.startswith(b"text/html") else None


def static_cache(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if (policy := _policy(scope["path"], message["status"], headers)) is not None:
                    message["headers"] = [*headers, (CACHE_CONTROL, policy)]
            await send(message)

        await app(scope, receive, send_with_policy)

    return wrapped
