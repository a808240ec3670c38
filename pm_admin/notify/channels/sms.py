"""SMS through Alibaba Cloud SMS (短信服务, API ``dysmsapi`` 2017-05-25) with its official SDK
``alibabacloud_dysmsapi20170525``.

Settings: ``PM_SMS_PROVIDER=aliyun``, ``PM_SMS_ACCESS_KEY_ID`` / ``PM_SMS_ACCESS_KEY_SECRET``, ``PM_SMS_SIGN_NAME``
(the approved signature, e.g. 翠湖物业), ``PM_SMS_TEMPLATES`` (catalog template → approved template code, e.g.
``notify.ticket.registered=SMS_476360123``), and ``PM_SMS_ENDPOINT`` / ``PM_SMS_SCHEME`` (default
``dysmsapi.aliyuncs.com`` over https). The SDK builds its URL from endpoint and protocol, so the tests point it at
``http://127.0.0.1:<port>`` and the provider's answer is the real SDK's parsing of a real HTTP response.

Mainland SMS only carries approved templates: the message's catalog text is not sent, its params are the
template's variables. A template with no code configured is a permanent error naming it.

Idempotency: the outbox key goes as ``OutId``, which the provider hands back in its delivery receipts and in
``QuerySendDetails``. The provider does not drop a second request with the same OutId by itself: a message resent
after a crash (only the one in flight at the kill) can reach the phone twice, and the receipts show which key it
was.
"""

from __future__ import annotations

import json
from typing import Any

from pm_admin.notify.channels.base import Outcome, Outgoing
from pm_admin.settings import NotifySettings

# Answers that pass: the provider's system errors and its rate limits (per number per minute/hour/day).
RETRY_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isv.OUT_OF_SERVICE", "isv.DAY_LIMIT_CONTROL",
                         "SignatureNonceUsed", "ServiceUnavailable", "InternalError"})


def _passing(code: str) -> bool:
    return code in RETRY_CODES or code.startswith(("isp.", "Throttling"))


class AliyunSmsSender:
    def __init__(self, settings: NotifySettings, timeout: float) -> None:
        self.settings = settings
        self.configured = settings.sms_configured
        self.missing = "" if self.configured else "sms: PM_SMS_PROVIDER is not set"
        self.timeout_ms = int(timeout * 1000)
        self._client = None

    def throttle_key(self, message: Outgoing) -> str | None:
        return None

    def client(self):
        if self._client is None:
            from alibabacloud_dysmsapi20170525.client import Client
            from alibabacloud_tea_openapi import models as open_api

            self._client = Client(open_api.Config(
                access_key_id=self.settings.sms_access_key_id, access_key_secret=self.settings.sms_access_key_secret,
                endpoint=self.settings.sms_endpoint, protocol=self.settings.sms_scheme,
                read_timeout=self.timeout_ms, connect_timeout=self.timeout_ms))
        return self._client

    def request(self, message: Outgoing, template_code: str) -> Any:
        from alibabacloud_dysmsapi20170525 import models

        return models.SendSmsRequest(
            phone_numbers=message.address, sign_name=self.settings.sms_sign_name, template_code=template_code,
            template_param=json.dumps({name: str(value) for name, value in message.params.items()},
                                      ensure_ascii=False),
            out_id=message.key)

    def send(self, message: Outgoing) -> Outcome:
        from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
        from alibabacloud_tea_util import models as util
        from Tea.exceptions import TeaException

        template_code = self.settings.sms_template_code(message.template)
        if not template_code:
            return Outcome.permanent(f"sms: no approved template code for {message.template} (PM_SMS_TEMPLATES)")
        # The dispatcher retries with backoff: the SDK's own immediate retries would only add duplicates.
        runtime = util.RuntimeOptions(read_timeout=self.timeout_ms, connect_timeout=self.timeout_ms, autoretry=False,
                                      max_attempts=0)
        try:
            response = self.client().send_sms_with_options(self.request(message, template_code), runtime)
        except ServerException as error:  # HTTP 5xx
            return Outcome.retry(f"sms {error.code}: {error.message}")
        except ClientException as error:  # HTTP 4xx: a wrong key or signature, or throttling
            text = f"sms {error.code}: {error.message}"
            return Outcome.retry(text) if _passing(str(error.code)) else Outcome.permanent(text)
        except TeaException as error:  # no connection, a timeout, an answer that is not the API's
            return Outcome.retry(f"sms: {error.message or error}"[:500])
        body = response.body
        if body.code == "OK":
            return Outcome.sent(body.biz_id or "")
        text = f"sms {body.code}: {body.message}"
        return Outcome.retry(text) if _passing(body.code or "") else Outcome.permanent(text)

    def close(self) -> None:
        self._client = None
