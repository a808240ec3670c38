"""One settings object, read from the environment.

Development generates its secrets into ``data/secrets.json`` on first use so that
``make run`` works on a fresh machine; production refuses to start without real ones.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values that appear in docs and examples; a production deployment using one is misconfigured.
KNOWN_DEFAULT_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development", "test"})
MIN_SECRET_LENGTH = 32
MIN_BCRYPT_ROUNDS = 12
MIN_TEST_BCRYPT_ROUNDS = 4
ENVIRONMENTS = ("development", "test", "production")
DEFAULT_REPORT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # Debian's fonts-wqy-microhei


class SettingsError(RuntimeError):
    """Configuration that the app must not start with."""


@dataclasses.dataclass(frozen=True)
class Settings:
    env: str
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    # Fernet keys for personal data, newest first (older ones still decrypt until rotated).
    field_keys: tuple[str, ...]
    blind_index_key: str
    bcrypt_rounds: int
    session_idle_minutes: int
    session_absolute_hours: int
    trusted_proxy_hops: int
    # Where browsers load the app from (scheme://host[:port]); the event websocket accepts no other Origin.
    public_origins: tuple[str, ...]
    # REST API requests a minute per owner account (integration tokens carry their own budget).
    api_owner_per_minute: int = 60
    # Days within which a suggestion of the suggestion box must be answered (from the day it was received).
    suggestion_reply_days: int = 7
    # The CJK font embedded in printed reports (a TrueType .ttf, or the first face of a .ttc); when the file is
    # missing the PDFs fall back to the reader's built-in STSong-Light (``reports.fonts``).
    report_font: str = DEFAULT_REPORT_FONT
    # The outbox's channels, throttles and retries (``PM_SMTP_*``, ``PM_SMS_*``, ``PM_WECOM_*``, ``PM_NOTIFY_*``).
    notify: NotifySettings = dataclasses.field(default_factory=lambda: NotifySettings())

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _new_secrets() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "PM_SECRET_KEY": secrets.token_urlsafe(48),
        "PM_FIELD_KEYS": Fernet.generate_key().decode(),
        "PM_BLIND_INDEX_KEY": secrets.token_urlsafe(48),
    }


def _read_or_create_dev_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        missing = {k: v for k, v in _new_secrets().items() if k not in stored}
        if missing:  # a data dir from before a secret existed gets it added once
            stored.update(missing)
            path.write_text(json.dumps(stored), encoding="utf-8")
        return stored
    data_dir.mkdir(parents=True, exist_ok=True)
    generated = _new_secrets()
    # Created with owner-only permissions before the secret is written.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(generated, handle)
    return generated


def _require_secret(name: str, value: str | None) -> str:
    if value is None or value.strip().lower() in KNOWN_DEFAULT_SECRETS:
        raise SettingsError(
            f"{name} 未设置或仍是默认值：生产环境必须提供真实密钥。 "
            f"{name} is missing or a default value: production needs a real secret "
            f"(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if len(value) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"{name} 太短（至少 {MIN_SECRET_LENGTH} 个字符）。 "
            f"{name} is too short (at least {MIN_SECRET_LENGTH} characters)."
        )
    return value


def _check_field_keys(keys: tuple[str, ...]) -> None:
    from cryptography.fernet import Fernet

    try:
        for key in keys:
            Fernet(key)
    except ValueError as error:
        raise SettingsError(
            "PM_FIELD_KEYS 必须是逗号分隔的 Fernet 密钥（最新的在前）。 PM_FIELD_KEYS must be comma-separated "
            "Fernet keys, newest first (python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        ) from error
    if not keys:
        raise SettingsError("PM_FIELD_KEYS 为空 / PM_FIELD_KEYS is empty.")


DEFAULT_ORIGINS = ("http://localhost:3000", "http://127.0.0.1:3000")


def _public_origins(raw: str | None, env: str) -> tuple[str, ...]:
    """``PM_PUBLIC_ORIGINS``: comma-separated ``scheme://host[:port]``; ``make run`` sets its own address."""
    if not raw or not raw.strip():
        if env == "production":
            raise SettingsError("PM_PUBLIC_ORIGINS 未设置：生产环境须给出浏览器访问的地址，如 https://pm.example.com。 "
                                "PM_PUBLIC_ORIGINS is missing: production needs the address browsers use, "
                                "e.g. https://pm.example.com.")
        return DEFAULT_ORIGINS
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
            raise SettingsError(f"PM_PUBLIC_ORIGINS 中的 {origin!r} 不是 scheme://host[:port]。 "
                                f"{origin!r} in PM_PUBLIC_ORIGINS is not scheme://host[:port].")
    return origins


def _int_setting(env_vars: dict[str, str], name: str, default: int, low: int, high: int | None = None) -> int:
    """A whole number within [low, high]; anything else stops the start, naming the allowed range."""
    raw = env_vars.get(name, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        range_zh = f" {low} 到 {high} 之间" if high is not None else f"不小于 {low} "
        range_en = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise SettingsError(f"{name} 必须是{range_zh}的整数（现在是 {raw!r}）。 "
                            f"{name} must be a whole number {range_en} (got {raw!r}).")
    return value


# ---------------------------------------------------------------- the outbox's channels

SMS_PROVIDERS = ("aliyun",)


@dataclasses.dataclass(frozen=True)
class NotifySettings:
    """How the dispatcher reaches people. A channel with nothing configured is "not configured": outside
    production its messages go to the development outbox (shown as delivered, provider id ``dev``), in
    production they are dead with a message saying which setting is missing."""

    smtp_url: str | None = None  # smtp://user:password@host:587?starttls=1, smtps://…:465
    smtp_from: str = ""
    sms_provider: str = ""  # "aliyun" (Alibaba Cloud SMS, dysmsapi 2017-05-25)
    sms_endpoint: str = "dysmsapi.aliyuncs.com"  # host[:port]
    sms_scheme: str = "https"
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_sign_name: str = ""
    # catalog template (e.g. notify.ticket.registered) -> the provider's approved template code (SMS_123456789)
    sms_templates: tuple[tuple[str, str], ...] = ()
    wecom_robots: tuple[tuple[str, str], ...] = ()  # robot name -> webhook URL
    wecom_robot_per_minute: int = 20  # WeCom's own limit per robot
    # messages per minute per channel; 0: no limit of our own
    email_per_minute: int = 0
    sms_per_minute: int = 0
    wecom_per_minute: int = 0
    send_timeout_seconds: int = 15
    max_attempts: int = 8
    backoff_base_seconds: int = 30
    backoff_cap_seconds: int = 3600
    lease_seconds: int = 300

    @property
    def sms_configured(self) -> bool:
        return bool(self.sms_provider)

    def robot_url(self, name: str) -> str | None:
        return dict(self.wecom_robots).get(name)

    def sms_template_code(self, template: str) -> str | None:
        return dict(self.sms_templates).get(template)


def _pairs(env_vars: dict[str, str], name: str) -> tuple[tuple[str, str], ...]:
    """``a=x, b=y`` → ((a, x), (b, y)); a part without ``=`` or with an empty side stops the start."""
    raw = env_vars.get(name, "").strip()
    pairs = []
    for part in (part.strip() for part in raw.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SettingsError(f"{name} 的 {part!r} 不是 名称=值。 {part!r} in {name} is not name=value.")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def _notify_settings(env_vars: dict[str, str], env: str) -> NotifySettings:
    smtp_url = env_vars.get("PM_SMTP_URL", "").strip() or None
    smtp_from = env_vars.get("PM_SMTP_FROM", "").strip()
    if smtp_url:
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SettingsError("PM_SMTP_URL 须形如 smtp://用户:密码@主机:587?starttls=1 或 smtps://…:465。 "
                                "PM_SMTP_URL must look like smtp://user:password@host:587?starttls=1 or smtps://…:465.")
        if not smtp_from:
            if env == "production":
                raise SettingsError("PM_SMTP_FROM 未设置：邮件须有发件人，如 物业服务中心 <noreply@pm.example.com>。 "
                                    "PM_SMTP_FROM is missing: e-mail needs a sender, e.g. "
                                    "Service Centre <noreply@pm.example.com>.")
            smtp_from = f"pm_admin <noreply@{parts.hostname}>"
    provider = env_vars.get("PM_SMS_PROVIDER", "").strip().lower()
    if provider and provider not in SMS_PROVIDERS:
        raise SettingsError(f"PM_SMS_PROVIDER 须是 {SMS_PROVIDERS} 之一（现在是 {provider!r}）。 "
                            f"PM_SMS_PROVIDER must be one of {SMS_PROVIDERS} (got {provider!r}).")
    scheme = env_vars.get("PM_SMS_SCHEME", "").strip().lower() or "https"
    if scheme not in ("http", "https"):
        raise SettingsError(f"PM_SMS_SCHEME 须是 http 或 https（现在是 {scheme!r}）。 "
                            f"PM_SMS_SCHEME must be http or https (got {scheme!r}).")
    sms = {name: env_vars.get(name, "").strip()
           for name in ("PM_SMS_ACCESS_KEY_ID", "PM_SMS_ACCESS_KEY_SECRET", "PM_SMS_SIGN_NAME")}
    if provider:
        if missing := [name for name, value in sms.items() if not value]:
            raise SettingsError(f"PM_SMS_PROVIDER={provider} 还需要 {', '.join(missing)}。 "
                                f"PM_SMS_PROVIDER={provider} also needs {', '.join(missing)}.")
        if env == "production" and scheme != "https":
            raise SettingsError("生产环境的短信接口须用 https（PM_SMS_SCHEME）：访问密钥不可明文传输。 "
                                "PM_SMS_SCHEME must be https in production: the access key must not travel in clear.")
    robots = _pairs(env_vars, "PM_WECOM_ROBOTS")
    for name, url in robots:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise SettingsError(f"PM_WECOM_ROBOTS 中 {name} 的地址不是 http(s) 网址。 "
                                f"The address of {name} in PM_WECOM_ROBOTS is not an http(s) URL.")
    if len({name for name, _ in robots}) != len(robots):
        raise SettingsError("PM_WECOM_ROBOTS 中有重名的机器人。 PM_WECOM_ROBOTS names a robot twice.")
    base = _int_setting(env_vars, "PM_NOTIFY_BACKOFF_BASE_SECONDS", 30, 1, 3600)
    timeout = _int_setting(env_vars, "PM_NOTIFY_SEND_TIMEOUT_SECONDS", 15, 1, 120)
    return NotifySettings(
        smtp_url=smtp_url,
        smtp_from=smtp_from,
        sms_provider=provider,
        sms_endpoint=env_vars.get("PM_SMS_ENDPOINT", "").strip() or NotifySettings.sms_endpoint,
        sms_scheme=scheme,
        sms_access_key_id=sms["PM_SMS_ACCESS_KEY_ID"],
        sms_access_key_secret=sms["PM_SMS_ACCESS_KEY_SECRET"],
        sms_sign_name=sms["PM_SMS_SIGN_NAME"],
        sms_templates=_pairs(env_vars, "PM_SMS_TEMPLATES"),
        wecom_robots=robots,
        wecom_robot_per_minute=_int_setting(env_vars, "PM_WECOM_ROBOT_PER_MINUTE", 20, 1, 20),
        email_per_minute=_int_setting(env_vars, "PM_NOTIFY_EMAIL_PER_MINUTE", 0, 0),
        sms_per_minute=_int_setting(env_vars, "PM_NOTIFY_SMS_PER_MINUTE", 0, 0),
        wecom_per_minute=_int_setting(env_vars, "PM_NOTIFY_WECOM_PER_MINUTE", 0, 0),
        send_timeout_seconds=timeout,
        max_attempts=_int_setting(env_vars, "PM_NOTIFY_MAX_ATTEMPTS", 8, 1, 50),
        backoff_base_seconds=base,
        backoff_cap_seconds=_int_setting(env_vars, "PM_NOTIFY_BACKOFF_CAP_SECONDS", 3600, base, 7 * 24 * 3600),
        # The lease must outlast one send (a few network steps, each within the timeout): a shorter one would let
        # another dispatcher take over a message still being sent.
        lease_seconds=_int_setting(env_vars, "PM_NOTIFY_LEASE_SECONDS", 300, 4 * timeout, 3600),
    )


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env_vars = dict(os.environ if environ is None else environ)
    env = env_vars.get("PM_ENV", "development")
    if env not in ENVIRONMENTS:
        raise SettingsError(f"PM_ENV 必须是 {ENVIRONMENTS} 之一 / PM_ENV must be one of {ENVIRONMENTS}, got {env!r}.")
    data_dir = Path(env_vars.get("PM_DATA_DIR") or PROJECT_ROOT / "data").resolve()
    database_url = env_vars.get("DATABASE_URL") or f"sqlite:///{data_dir / 'pm_admin.db'}"
    names = ("PM_SECRET_KEY", "PM_FIELD_KEYS", "PM_BLIND_INDEX_KEY")
    values = {name: env_vars.get(name) for name in names}
    if env == "production":
        values = {name: _require_secret(name, value) for name, value in values.items()}
    elif not all(values.values()):
        generated = _read_or_create_dev_secrets(data_dir)
        values = {name: value or generated[name] for name, value in values.items()}
    field_keys = tuple(key.strip() for key in values["PM_FIELD_KEYS"].split(",") if key.strip())
    _check_field_keys(field_keys)
    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env_vars.get("REDIS_URL") or None,
        secret_key=values["PM_SECRET_KEY"],
        field_keys=field_keys,
        blind_index_key=values["PM_BLIND_INDEX_KEY"],
        # bcrypt's own maximum is 31; below 12 is too cheap to guess offline. Only the test environment may go
        # down to bcrypt's minimum of 4: its hashes guard throwaway accounts, and the suite signs in often.
        bcrypt_rounds=_int_setting(env_vars, "PM_BCRYPT_ROUNDS", 12, MIN_TEST_BCRYPT_ROUNDS if env == "test"
                                   else MIN_BCRYPT_ROUNDS, 31),
        # Idle up to a working day (720 min), absolute up to three days: 0 would end every session at once.
        session_idle_minutes=_int_setting(env_vars, "PM_SESSION_IDLE_MINUTES", 30, 1, 720),
        session_absolute_hours=_int_setting(env_vars, "PM_SESSION_ABSOLUTE_HOURS", 12, 1, 72),
        # Reverse proxies in front of the app that append to X-Forwarded-For (see guard.client_address).
        trusted_proxy_hops=_int_setting(env_vars, "PM_TRUSTED_PROXY_HOPS", 0, 0),
        public_origins=_public_origins(env_vars.get("PM_PUBLIC_ORIGINS"), env),
        api_owner_per_minute=_int_setting(env_vars, "PM_API_OWNER_PER_MINUTE", 60, 1, 100_000),
        suggestion_reply_days=_int_setting(env_vars, "PM_SUGGESTION_REPLY_DAYS", 7, 1, 60),
        report_font=env_vars.get("PM_REPORT_FONT", "").strip() or DEFAULT_REPORT_FONT,
        notify=_notify_settings(env_vars, env),
    )


@functools.cache
def get_settings() -> Settings:
    return load_settings()


def keep_files_private(data_dir: Path) -> None:
    """Whatever this process writes (database, archive scans, uploads, backups, logs) is readable by its own
    user only: files 0600, folders 0700. The data folder itself is closed to others too, which also covers
    files an older version left readable inside it."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)


def settings_or_exit() -> Settings:
    """For entry points (CLI, Alembic, rxconfig, so also the server): a refused configuration ends the process
    with its two-language message instead of a traceback; the process's files are kept private."""
    try:
        settings = get_settings()
    except SettingsError as error:
        raise SystemExit(f"配置错误 / configuration error: {error}") from None
    keep_files_private(settings.data_dir)
    return settings
