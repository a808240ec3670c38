"""WeCom (企业微信) group robots: ``POST <webhook>`` with ``{"msgtype": "markdown", …}`` over ``httpx``.

``PM_WECOM_ROBOTS=工程部=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, 客服=…``: a message's address is the
robot's name (so the key stays in the settings, not in the outbox). Each robot takes at most 20 messages a minute;
the dispatcher keeps to that with a throttle per robot (``throttle_key``), and when WeCom answers "too fast"
anyway (errcode 45009, or 130101 as some gateways report it) the message waits a minute.

Idempotency: the webhook has no message id and no idempotency key — WeCom cannot recognise a repeated message.
The one message in flight when a dispatcher was killed may therefore appear twice in the group; the outbox key
is not shown in the text (it would only be noise to the people reading the group).
"""

from __future__ import annotations

import httpx

from pm_admin.notify.channels.base import Outcome, Outgoing

TOO_FAST = frozenset({45009, 130101})  # "api freq out of limit": wait for the robot's minute to pass
PASSING = frozenset({-1})  # "system busy"
REFUSED = frozenset({
    93000,  # invalid webhook url (the key is wrong or the robot was removed)
    93004,  # the robot is disabled
    93008,  # the robot is not in the group any more
    40008,  # invalid message type
    44004,  # empty content
    45002,  # content too long
})
MARKDOWN_LIMIT = 4096  # bytes, WeCom's own limit for markdown content


def markdown(title: str, body: str) -> str:
    text = f"**{title}**\n{body}"
    encoded = text.encode("utf-8")
    if len(encoded) <= MARKDOWN_LIMIT:
        return text
    return encoded[:MARKDOWN_LIMIT - 3].decode("utf-8", "ignore") + "…"


class WecomSender:
    def __init__(self, robots: tuple[tuple[str, str], ...], timeout: float) -> None:
        self.robots = dict(robots)
        self.configured = bool(self.robots)
        self.missing = "" if self.configured else "wecom: PM_WECOM_ROBOTS is not set"
        self.timeout = timeout
        self._client: httpx.Client | None = None

    def throttle_key(self, message: Outgoing) -> str | None:
        return f"wecom:{message.address}"

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, trust_env=False)
        return self._client

    def send(self, message: Outgoing) -> Outcome:
        url = self.robots.get(message.address or "")
        if url is None:
            return Outcome.permanent(f"wecom: no robot named {message.address!r} in PM_WECOM_ROBOTS")
        payload = {"msgtype": "markdown", "markdown": {"content": markdown(message.title, message.body)}}
        try:
            response = self.client().post(url, json=payload)
        except httpx.TimeoutException as error:
            return Outcome.retry(f"wecom: timed out ({type(error).__name__})")
        except httpx.HTTPError as error:
            return Outcome.retry(f"wecom: {type(error).__name__}: {error}")
        if response.status_code >= 500 or response.status_code == 429:
            return Outcome.retry(f"wecom: HTTP {response.status_code}")
        if response.status_code >= 400:
            return Outcome.permanent(f"wecom: HTTP {response.status_code}")
        try:
            answer = response.json()
            errcode = int(answer.get("errcode", -1))
        except (ValueError, AttributeError, TypeError):
            return Outcome.retry(f"wecom: not the webhook's answer: {response.text[:200]!r}")
        text = f"wecom {errcode}: {answer.get('errmsg', '')}"[:500]
        if errcode == 0:
            return Outcome.sent()
        if errcode in TOO_FAST:
            return Outcome.retry(text, retry_after=60)
        if errcode in REFUSED:
            return Outcome.permanent(text)
        # Anything else is retried with backoff, and given up (dead, with this error) after the last attempt.
        return Outcome.retry(text)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
