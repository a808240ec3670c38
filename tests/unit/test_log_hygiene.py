"""Records about client events are one short line, and a flood of them is cut off."""

import logging

from pm_admin.core.log_hygiene import MAX_CHARS, PER_MINUTE, ClientTextFilter


def record(message: str, error: Exception | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, None) if error else None
    return logging.LogRecord("reflex.app", logging.ERROR, __file__, 1, message, (), exc_info)


def test_a_made_up_handler_name_is_one_warning_line_without_a_traceback():
    made_up = record("Error processing event queue entry for Event(payload={'x': 'a\\nINFO fake'})",
                     KeyError("No registered handler found for event: reflex___state____state.evil\nINFO fake"))
    assert ClientTextFilter().filter(made_up)
    assert made_up.exc_info is None and made_up.levelname == "WARNING"
    assert "\n" not in made_up.getMessage() and "\\n" in made_up.getMessage()


def test_client_text_is_capped_and_a_flood_is_cut_off():
    kept = ClientTextFilter()
    long = record("Event data: " + "A" * 50_000 + "\r\n\x1b[31m")
    assert kept.filter(long) and len(long.getMessage()) <= MAX_CHARS + 1
    results = [kept.filter(record("again")) for _ in range(PER_MINUTE + 5)]
    assert results.count(True) == PER_MINUTE  # the budget's rest, then one line saying so, then nothing
    assert results[-1] is False
