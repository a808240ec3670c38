"""Where the login page may send a user afterwards: a path of this app, never another site.

Browsers repair what they are given before following it (they drop tabs and newlines anywhere in a URL,
read ``\\`` as ``/``, and treat ``//host`` as another site), so a check of the raw text is not enough:
``/\\t/evil.example`` passes a naive "starts with one slash" test and lands on evil.example. Only paths
made of the characters the app's own routes use are accepted, with an optional plain query string.
"""

from __future__ import annotations

import re

# Segments of letters, digits, '-' and '_' (the app's routes and their ids), an optional query string of
# the same plus '=', '&', '%', '.', ',' and '+'. No '//', no '.' segments, no scheme, no control characters.
SAME_APP_PATH = re.compile(r"/(?:[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+)*/?)?(?:\?[A-Za-z0-9_\-=&%.,+]*)?")
MAX_LENGTH = 512


def safe_next(path: str | None) -> str:
    """``path`` when it is a path of this app, else ``/``."""
    if not isinstance(path, str) or len(path) > MAX_LENGTH or not SAME_APP_PATH.fullmatch(path):
        return "/"
    return path
