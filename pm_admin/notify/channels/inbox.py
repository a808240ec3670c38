"""The portal inbox and the staff bell: the row itself is the message, so it is delivered when the dispatcher
reaches it (the portal and the bell read ``outbox_message`` rows of channel ``inbox``)."""

from __future__ import annotations

from pm_admin.notify.channels.base import Outcome, Outgoing


class InboxSender:
    configured = True
    missing = ""

    def send(self, message: Outgoing) -> Outcome:
        return Outcome.delivered()

    def throttle_key(self, message: Outgoing) -> str | None:
        return None

    def close(self) -> None:
        pass
