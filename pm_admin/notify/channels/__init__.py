"""The channels the dispatcher sends through, one module each, built from the settings."""

from __future__ import annotations

from pm_admin.notify.channels.base import Outcome, Outgoing, Result, Sender
from pm_admin.notify.channels.inbox import InboxSender
from pm_admin.notify.channels.sms import AliyunSmsSender
from pm_admin.notify.channels.smtp import SmtpSender
from pm_admin.notify.channels.wecom import WecomSender
from pm_admin.notify.models import Channel
from pm_admin.settings import NotifySettings

__all__ = ["Outcome", "Outgoing", "Result", "Sender", "senders_from"]


def senders_from(settings: NotifySettings) -> dict[Channel, Sender]:
    timeout = settings.send_timeout_seconds
    return {
        Channel.INBOX: InboxSender(),
        Channel.EMAIL: SmtpSender(settings.smtp_url, settings.smtp_from, timeout),
        Channel.SMS: AliyunSmsSender(settings, timeout),
        Channel.WECOM: WecomSender(settings.wecom_robots, timeout),
    }
