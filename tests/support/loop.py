"""Running a coroutine from a synchronous test."""

from __future__ import annotations

import asyncio
import concurrent.futures


def run(coroutine):
    """Its own thread and loop: Playwright's sync API may hold this thread's loop (browser tests run earlier in the
    same pytest process), and asyncio.run refuses to start inside it."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
