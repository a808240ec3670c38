"""Security headers on every HTTP response of the backend, the built pages included.

The Content-Security-Policy allows what the production build needs and nothing else:

* scripts from the app itself, plus the inline scripts of the pre-rendered pages by their SHA-256 (the
  React Router boot code, the theme and back/forward-cache scripts; an injected script has no listed
  hash), plus ``'unsafe-eval'``: Reflex runs what the server sends as ``call_script`` / ``call_function``
  (toasts, downloads, the session cookie exchange) through ``eval`` in ``utils/state.js``;
* styles from the app and inline (Radix and Emotion write style tags and attributes at run time);
* connections to the app's own origin only (its event websocket and HTTP routes);
* no plugins, no framing by other sites, forms and ``<base>`` only to the app itself.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"same-origin",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(static_dir: Path) -> list[str]:
    """The CSP source of each distinct inline script of the built pages."""
    found: set[str] = set()
    for page in sorted(static_dir.rglob("*.html")) if static_dir.is_dir() else []:
        for body in INLINE_SCRIPT.findall(page.read_text(encoding="utf-8", errors="replace")):
            if body:
                digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
                found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(script_hashes: list[str]) -> str:
    return "; ".join((
        "default-src 'self'",
        " ".join(["script-src 'self' 'unsafe-eval'", *script_hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def built_pages_dir() -> Path:
    from reflex.utils import prerequisites
    from reflex_base import constants

    return prerequisites.get_web_dir() / constants.Dirs.STATIC


@functools.lru_cache(maxsize=2)
def _policy_for(build_stamp: int) -> bytes:
    return content_security_policy(inline_script_hashes(built_pages_dir())).encode("ascii")


def _policy() -> bytes:
    """The policy of the build being served. The server answers (``/ping``) while ``reflex run`` may still be
    building the pages, so the policy follows the build's modification time (two ``stat``s a response)."""
    folder = built_pages_dir()
    try:
        stamp = max(folder.stat().st_mtime_ns, (folder / "index.html").stat().st_mtime_ns)
    except OSError:
        stamp = 0
    return _policy_for(stamp)


def security_headers(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {name.lower() for name, _ in message.get("headers", [])}
                added = {**HEADERS, b"content-security-policy": _policy()}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in added.items() if name not in existing
                ]
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
