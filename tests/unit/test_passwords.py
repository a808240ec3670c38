from pm_admin.auth import passwords
from pm_admin.auth.passwords import hash_password, hash_rounds, password_problems, verify_password
from pm_admin.settings import get_settings, load_settings

# 64 Chinese characters: 192 bytes of UTF-8, far beyond bcrypt's 72-byte input limit.
LONG_CHINESE = "物业管理后台安全密码测试" * 5 + "长度足够"


def test_long_chinese_password_round_trips():
    assert len(LONG_CHINESE) == 64 and len(LONG_CHINESE.encode()) == 192
    stored = hash_password(LONG_CHINESE)
    assert verify_password(LONG_CHINESE, stored)


def test_characters_beyond_72_bytes_still_matter():
    stored = hash_password(LONG_CHINESE)
    # Same first 63 characters (189 bytes): plain bcrypt would see identical input.
    assert not verify_password(LONG_CHINESE[:-1] + "错", stored)


def test_cost_is_at_least_12(tmp_path, monkeypatch):
    """Outside the test environment (whose suite asks for cost 4, see tests/conftest.py)."""
    for environ in ({"PM_DATA_DIR": str(tmp_path)}, {"PM_ENV": "development", "PM_DATA_DIR": str(tmp_path)}):
        monkeypatch.setattr(passwords, "get_settings", lambda environ=environ: load_settings(environ))
        assert hash_rounds(hash_password("Abcdefgh1")) >= 12


def test_the_suite_hashes_at_the_cost_its_settings_name():
    assert hash_rounds(hash_password("Abcdefgh1")) == get_settings().bcrypt_rounds == 4


def test_unicode_normalization_matches_composed_and_decomposed_forms():
    composed, decomposed = "Café-密码-2026", "Cafe\u0301-密码-2026"
    assert verify_password(decomposed, hash_password(composed))


def test_garbage_hash_does_not_raise():
    assert not verify_password("whatever1", "not-a-bcrypt-hash")


def test_password_policy():
    assert password_problems("short") == "auth.password_too_short"
    assert password_problems("x" * 300) == "auth.password_too_long"
    assert password_problems("八个汉字的密码啊") is None
