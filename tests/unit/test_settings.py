import os
import stat

import pytest

from pm_admin.settings import SettingsError, load_settings

STRONG = "x" * 40


def test_development_generates_secrets_once_with_owner_only_permissions(tmp_path):
    first = load_settings({"PM_DATA_DIR": str(tmp_path)})
    second = load_settings({"PM_DATA_DIR": str(tmp_path)})
    secrets_file = tmp_path / "secrets.json"
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600


def test_default_database_is_sqlite_under_data_dir(tmp_path):
    settings = load_settings({"PM_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/pm_admin.db"
    assert settings.redis_url is None


@pytest.mark.parametrize("secret", [None, "", "change-me", "secret", "short-but-not-default"])
def test_production_refuses_missing_default_or_short_secret(tmp_path, secret):
    environ = {"PM_ENV": "production", "PM_DATA_DIR": str(tmp_path)}
    if secret is not None:
        environ["PM_SECRET_KEY"] = secret
    with pytest.raises(SettingsError) as error:
        load_settings(environ)
    assert "PM_SECRET_KEY" in str(error.value)
    assert not (tmp_path / "secrets.json").exists()


def test_production_accepts_a_real_secret_and_redis(tmp_path):
    settings = load_settings({"PM_ENV": "production", "PM_SECRET_KEY": STRONG, "PM_DATA_DIR": str(tmp_path),
                              "REDIS_URL": "redis://127.0.0.1:6379/0", "DATABASE_URL": "postgresql+psycopg://x/y"})
    assert settings.is_production and settings.redis_url == "redis://127.0.0.1:6379/0"
    assert not settings.is_sqlite


def test_bcrypt_cost_below_12_is_refused(tmp_path):
    with pytest.raises(SettingsError):
        load_settings({"PM_DATA_DIR": str(tmp_path), "PM_BCRYPT_ROUNDS": "10"})


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(SettingsError):
        load_settings({"PM_ENV": "staging", "PM_DATA_DIR": str(tmp_path)})
