"""Errors a handler can meet that are not the user's fault become messages, not stack traces."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pm_admin.core.errors import ConcurrencyConflict
from pm_admin.core.guard import _as_domain_error
from pm_admin.core.i18n import translate


def test_a_lost_race_for_a_unique_value_reads_as_saved_meanwhile():
    error = _as_domain_error(IntegrityError("INSERT INTO room …", {}, Exception("UNIQUE constraint failed")))
    assert error.key == "error.saved_meanwhile"
    assert "他人" in translate(error.key, "zh-CN") and "someone else" in translate(error.key, "en")


def test_a_stale_row_is_a_conflict_and_a_bug_stays_a_bug():
    assert isinstance(_as_domain_error(StaleDataError()), ConcurrencyConflict)
    assert _as_domain_error(ZeroDivisionError()) is None
