import os
import stat
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from pm_admin.settings import PROJECT_ROOT, SettingsError, load_settings

STRONG = "x" * 40
FIELD_KEY = Fernet.generate_key().decode()


def production(tmp_path, **overrides):
    environ = {"PM_ENV": "production", "PM_DATA_DIR": str(tmp_path), "PM_SECRET_KEY": STRONG,
               "PM_FIELD_KEYS": FIELD_KEY, "PM_BLIND_INDEX_KEY": "b" * 40, "PM_PUBLIC_ORIGINS": "https://pm.example.com"}
    environ.update(overrides)
    return {key: value for key, value in environ.items() if value is not None}


def test_development_generates_secrets_once_with_owner_only_permissions(tmp_path):
    first = load_settings({"PM_DATA_DIR": str(tmp_path)})
    second = load_settings({"PM_DATA_DIR": str(tmp_path)})
    secrets_file = tmp_path / "secrets.json"
    assert first.secret_key == second.secret_key and first.field_keys == second.field_keys
    assert len(first.secret_key) >= 32 and len(first.blind_index_key) >= 32
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600


def test_default_database_is_sqlite_under_data_dir(tmp_path):
    settings = load_settings({"PM_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/pm_admin.db"
    assert settings.redis_url is None


@pytest.mark.parametrize("secret", [None, "", "change-me", "secret", "short-but-not-default"])
def test_production_refuses_missing_default_or_short_secret(tmp_path, secret):
    with pytest.raises(SettingsError) as error:
        load_settings(production(tmp_path, PM_SECRET_KEY=secret))
    assert "PM_SECRET_KEY" in str(error.value)
    assert not (tmp_path / "secrets.json").exists()


def test_production_accepts_a_real_secret_and_redis(tmp_path):
    settings = load_settings(production(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0",
                                        DATABASE_URL="postgresql+psycopg://x/y"))
    assert settings.is_production and settings.redis_url == "redis://127.0.0.1:6379/0"
    assert not settings.is_sqlite and settings.field_keys == (FIELD_KEY,)


def test_public_origins_are_the_configured_addresses_and_production_must_name_them(tmp_path):
    assert load_settings(production(tmp_path, PM_PUBLIC_ORIGINS="https://pm.example.com/, http://10.0.0.5:3000")
                         ).public_origins == ("https://pm.example.com", "http://10.0.0.5:3000")
    assert load_settings({"PM_DATA_DIR": str(tmp_path)}).public_origins == ("http://localhost:3000",
                                                                             "http://127.0.0.1:3000")
    with pytest.raises(SettingsError, match="PM_PUBLIC_ORIGINS"):
        load_settings(production(tmp_path, PM_PUBLIC_ORIGINS=None))
    for wrong in ("*", "pm.example.com", "https://pm.example.com/app", "ftp://pm.example.com"):
        with pytest.raises(SettingsError, match="scheme://host"):
            load_settings(production(tmp_path, PM_PUBLIC_ORIGINS=wrong))


@pytest.mark.parametrize("name", ["PM_FIELD_KEYS", "PM_BLIND_INDEX_KEY"])
def test_production_needs_the_personal_data_keys(tmp_path, name):
    with pytest.raises(SettingsError) as error:
        load_settings(production(tmp_path, **{name: None}))
    assert name in str(error.value)


def test_field_keys_must_be_fernet_keys_newest_first(tmp_path):
    with pytest.raises(SettingsError):
        load_settings(production(tmp_path, PM_FIELD_KEYS="y" * 44))
    older = Fernet.generate_key().decode()
    settings = load_settings(production(tmp_path, PM_FIELD_KEYS=f"{FIELD_KEY}, {older}"))
    assert settings.field_keys == (FIELD_KEY, older)


def test_bcrypt_cost_below_12_is_refused(tmp_path):
    with pytest.raises(SettingsError):
        load_settings({"PM_DATA_DIR": str(tmp_path), "PM_BCRYPT_ROUNDS": "10"})


@pytest.mark.parametrize("environ", [{}, {"PM_ENV": "development"}, "production"], ids=["default", "development",
                                                                                         "production"])
def test_bcrypt_cost_below_12_is_refused_outside_the_test_environment(tmp_path, environ):
    environ = production(tmp_path) if environ == "production" else {"PM_DATA_DIR": str(tmp_path), **environ}
    for cheap in ("4", "11"):
        with pytest.raises(SettingsError) as error:
            load_settings({**environ, "PM_BCRYPT_ROUNDS": cheap})
        assert f"PM_BCRYPT_ROUNDS must be a whole number from 12 to 31 (got '{cheap}')" in str(error.value)
    assert load_settings({**environ, "PM_BCRYPT_ROUNDS": "12"}).bcrypt_rounds == 12
    assert load_settings({key: value for key, value in environ.items() if key != "PM_BCRYPT_ROUNDS"}).bcrypt_rounds == 12


def test_only_the_test_environment_may_lower_the_bcrypt_cost_to_4(tmp_path):
    test_env = {"PM_ENV": "test", "PM_DATA_DIR": str(tmp_path)}
    assert load_settings({**test_env, "PM_BCRYPT_ROUNDS": "4"}).bcrypt_rounds == 4
    assert load_settings(test_env).bcrypt_rounds == 12  # the default stays; the suite asks for 4 (tests/conftest.py)
    with pytest.raises(SettingsError) as error:
        load_settings({**test_env, "PM_BCRYPT_ROUNDS": "3"})  # below what bcrypt itself accepts
    assert "PM_BCRYPT_ROUNDS must be a whole number from 4 to 31 (got '3')" in str(error.value)


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(SettingsError):
        load_settings({"PM_ENV": "staging", "PM_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("PM_SESSION_IDLE_MINUTES", "0", "from 1 to 720"),
        ("PM_SESSION_IDLE_MINUTES", "721", "from 1 to 720"),
        ("PM_SESSION_IDLE_MINUTES", "thirty", "from 1 to 720"),
        ("PM_SESSION_ABSOLUTE_HOURS", "0", "from 1 to 72"),
        ("PM_SESSION_ABSOLUTE_HOURS", "73", "from 1 to 72"),
        ("PM_TRUSTED_PROXY_HOPS", "-1", "of at least 0"),
        ("PM_BCRYPT_ROUNDS", "32", "from 12 to 31"),
    ],
)
def test_numbers_out_of_range_are_refused_with_the_allowed_range(tmp_path, name, value, allowed):
    with pytest.raises(SettingsError) as error:
        load_settings({"PM_DATA_DIR": str(tmp_path), name: value})
    assert f"{name} must be a whole number {allowed} (got {value!r})" in str(error.value)
    assert f"{name} 必须是" in str(error.value)


def test_session_limits_and_proxy_hops_within_range_are_used(tmp_path):
    settings = load_settings({"PM_DATA_DIR": str(tmp_path), "PM_SESSION_IDLE_MINUTES": "720",
                              "PM_SESSION_ABSOLUTE_HOURS": "1", "PM_TRUSTED_PROXY_HOPS": "2"})
    assert (settings.session_idle_minutes, settings.session_absolute_hours, settings.trusted_proxy_hops) == (720, 1, 2)
    defaults = load_settings({"PM_DATA_DIR": str(tmp_path)})
    assert (defaults.session_idle_minutes, defaults.session_absolute_hours, defaults.trusted_proxy_hops) == (30, 12, 0)


@pytest.mark.parametrize("command", [["-m", "pm_admin.cli", "create-admin"], ["-m", "alembic", "upgrade", "head"]])
def test_entry_points_refuse_production_without_secrets_with_a_message_not_a_traceback(tmp_path, command):
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PM_")}
    environ.update({"PM_ENV": "production", "PM_DATA_DIR": str(tmp_path),
                    "DATABASE_URL": f"sqlite:///{tmp_path}/refused.db"})
    finished = subprocess.run([sys.executable, *command], env=environ, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode != 0
    assert "PM_SECRET_KEY 未设置或仍是默认值" in finished.stderr and "production needs a real secret" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "refused.db").exists()  # nothing was migrated or written


def test_the_data_folder_and_what_entry_points_write_into_it_are_private(tmp_path):
    """A data folder left open by an older version is closed, and the database Alembic creates is 0600."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    (data_dir / "old-scan.pdf").write_bytes(b"%PDF")
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PM_")}
    environ.update({"PM_ENV": "test", "PM_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{data_dir}/pm.db"})
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], env=environ, cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=120)
    mode = lambda path: path.stat().st_mode & 0o777  # noqa: E731
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "pm.db") == 0o600 and mode(data_dir / "secrets.json") == 0o600
