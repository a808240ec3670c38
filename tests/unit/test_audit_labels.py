"""Every action code and entity type the application writes to the audit log has a label in both languages."""

import re
from pathlib import Path

import pytest

from pm_admin.audit.queries import ACTION_PREFIX, ENTITY_PREFIX, action_codes, action_label, entity_types
from pm_admin.core.i18n import LANGUAGES, catalog
from pm_admin.surveys.models import PlanStatus

SOURCE = Path(__file__).resolve().parents[2] / "pm_admin"
CODE = r"[a-z_]+\.[a-z_]+"
# How ``record(session, action=…)`` is called; any other form fails the scan until it is taught here.
RECORD_CALL = re.compile(r"\brecord\(\s*session,\s*action=([^,]+),")
KNOWN_FORMS = {
    'f"ticket.{action}"',  # tickets.services.audit_ticket
    'f"notice.{action}"',  # comms.notices._audit
    'f"surveys.{status}"',  # surveys.services.plans._set_status
    '"archive.access_" + ("approve" if approve else "reject")',
    "action",  # core.refusals.audit_refusal, called with the codes found below (guard.refused:…, upload.refused:…)
}


def sources() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in SOURCE.rglob("*.py")]


def recorded_actions() -> set[str]:
    codes: set[str] = set()
    for text in sources():
        for form in RECORD_CALL.findall(text):
            assert form.startswith('"') or form in KNOWN_FORMS, f"unrecognised action argument: {form}"
        codes.update(re.findall(rf"\baction=\"({CODE})\"(?! \+)", text))
        codes.update(re.findall(rf"\baction=f\"({CODE}):", text))  # guard.refused:<event>, upload.refused:<purpose>
        codes.update(f"ticket.{a}" for pair in re.findall(
            r"\baudit_ticket\(session, ticket, actor, \"(\w+)\"(?: if \w+ else \"(\w+)\")?", text) for a in pair if a)
        codes.update(f"notice.{a}" for a in re.findall(r"\b_audit\(session, notice, actor, \"(\w+)\"", text))
        codes.update(f"surveys.{PlanStatus[name]}" for name in re.findall(
            r"\b_set_status\(session, actor, plan, PlanStatus\.(\w+)\)", text))
        for base, first, second in re.findall(rf"\baction=\"({CODE})\" \+ \(\"(\w+)\" if \w+ else \"(\w+)\"\)", text):
            codes.update({base + first, base + second})
    return codes


def recorded_entity_types() -> set[str]:
    return {name for text in sources() for name in re.findall(r"\bentity_type=\"(\w+)\"", text)}


def test_the_scan_finds_literal_and_composed_codes():
    codes = recorded_actions()
    assert {"auth.login_failed", "owner.update", "guard.refused", "upload.refused", "ticket.move", "ticket.reply",
            "ticket.note", "surveys.published", "archive.access_approve", "archive.access_reject"} <= codes
    assert {"owner", "ticket", "survey_plan"} <= recorded_entity_types()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_recorded_action_and_entity_type_has_a_label(language):
    labels = catalog(language)
    assert sorted(code for code in recorded_actions() if ACTION_PREFIX + code not in labels) == []
    assert sorted(name for name in recorded_entity_types() if ENTITY_PREFIX + name not in labels) == []


def test_the_pickers_offer_every_recorded_code():
    assert set(action_codes()) >= recorded_actions()
    assert set(entity_types()) >= recorded_entity_types()


def test_labels_read_in_the_readers_language_and_keep_details():
    assert action_label("auth.login_failed") == "登录失败"
    assert action_label("auth.login_failed", "en") == "Failed sign-in"
    assert action_label("guard.refused:apply_filters", "en") == "Request refused · apply_filters"
    assert action_label("test.unknown") == "test.unknown"  # an unlabelled code shows as stored
