"""Every user-facing string lives in the catalogs, in both languages."""

import json
import re
import string
from pathlib import Path

import pytest

from pm_admin.archives.models import DocType, RequestStatus
from pm_admin.archives.routes import REFUSALS
from pm_admin.arrears.models import Channel, ReasonCategory
from pm_admin.audit.states.audit import OUTCOMES
from pm_admin.census.models import TaskStatus
from pm_admin.core.i18n import LANGUAGES, catalog, translate
from pm_admin.core.permissions import Role
from pm_admin.dashboards.cards import CARD_KEYS
from pm_admin.dashboards.feedback import CHANNELS as FEEDBACK_CHANNELS
from pm_admin.dashboards.periods import PERIOD_KEYS
from pm_admin.dashboards.round_kpis import TTR_BUCKETS
from pm_admin.dashboards.tables import CHARTS
from pm_admin.owners.models import Gender, OccupantKind, Relation
from pm_admin.owners.states.owners import COLUMNS as OWNER_COLUMNS
from pm_admin.places.models import Occupancy
from pm_admin.shell.nav import NAV_ITEMS
from pm_admin.surveys import models as surveys
from pm_admin.tickets import models as tickets
from pm_admin.tickets.services.callbacks import SCORES
from pm_admin.tickets.services.workflow import ACTIONS
from pm_admin.tickets.states.orders import STEPS

# Field names the owner history stores (see owners.services snapshots and record_changes callers).
HISTORY_FIELDS = ("name", "gender", "birth_date", "id_number", "phones", "address", "is_vip", "tags", "tag", "notes",
                  "room", "member", "member_phone", "member_id_number", "occupant", "occupant_phone")
SOURCE = Path(__file__).resolve().parents[2] / "pm_admin"
KEY_PATTERNS = [
    r"\b(?:t|_tr|translate|bilingual)\(\s*\"([^\"]+)\"",
    r"errors\.add\([^,]+,\s*\"([^\"]+)\"",
    r"\b(?:label_key|hint_key|placeholder_key|all_key|message_key|title_key)\s*=\s*\"([^\"]+)\"",
    r"\bColumn\(\"[^\"]+\",\s*\"([^\"]+)\"",
    r"\bfield\(\s*\"([^\"]+)\"",
    r"\"key\":\s*\"([^\"]+)\"",
    r"\b(?:PermissionDenied|super\(\)\.__init__)\(\s*\"([^\"]+)\"",
    r"\bframe\(\s*\"([^\"]+)\"",
    r"return \"([a-z]+\.[a-z_]+)\"",
    r"\b(?:ImportRejected|DomainError|NotFound)\(\s*\"([a-z]+\.[a-z_]+)\"",
    r"\bValidationFailed\(\{\"\w+\": \(\"([^\"]+)\"",
    r"\b(?:fail|RowError)\([^,]+,\s*\"[^\"]+\",\s*\"([^\"]+)\"",
    r"\bfail\(\"[^\"]+\",\s*\"([^\"]+)\"",
]


def keys_used_in_code() -> set[str]:
    keys: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in KEY_PATTERNS:
            keys.update(re.findall(pattern, text))
    keys.update(f"nav.{item.key}" for item in NAV_ITEMS)
    keys.update(f"role.{role}" for role in Role)
    keys.update(f"occupancy.{o}" for o in Occupancy)
    keys.update(f"audit.outcome.{o}" for o in OUTCOMES)
    keys.update(f"owners.col.{c}" for c in OWNER_COLUMNS)
    keys.update(f"gender.{g}" for g in Gender)
    keys.update(f"relation.{r}" for r in Relation)
    keys.update(f"occupant.{k}" for k in OccupantKind)
    keys.update(f"owners.{f}_{v}" for f in ("vip", "arrears") for v in ("yes", "no"))
    keys.update(f"timeline.change_{kind}" for kind in ("profile", "contact", "identity", "household", "ownership",
                                                        "occupant"))
    keys.update(f"field.{name}" for name in HISTORY_FIELDS)
    keys.update(f"doc.{d}" for d in DocType)
    keys.update(f"archives.status.{s}" for s in (*RequestStatus, "expired"))
    keys.update(f"archives.change.{k}" for k in ("contact", "owner_change", "entry_added", "entry_voided", "file_replaced"))
    keys.update(f"archives.action.{a}" for a in ("view", "download"))
    keys.update(f"archives.refusal.{r}" for r in REFUSALS)
    keys.update(f"arrears.channel.{c}" for c in Channel)
    keys.update(f"arrears.reason.{r}" for r in ReasonCategory)
    keys.update(f"census.status.{s}" for s in TaskStatus)
    keys.update(f"tickets.{field}.{value}" for field, values in (
        ("kind", tickets.Kind), ("tier", tickets.Tier), ("channel", tickets.Channel), ("status", tickets.Status))
        for value in values)
    keys.update(f"tickets.{field}_invalid" for field in ("kind", "tier", "channel"))
    keys.update(f"tickets.action.{name}" for name in (*ACTIONS, "reassign"))
    keys.update(f"tickets.sla.{state}" for state in ("ok", "soon", "breached", "paused", "done"))
    keys.update(f"tickets.event.{kind}" for kind in tickets.TicketEventKind)
    keys.update(f"tickets.callback_done.{outcome}" for outcome in ("satisfied", "unsatisfied", "unreachable"))
    keys.update(f"tickets.milestone.{m}" for m in ("respond", "onsite", "resolve"))
    keys.update(f"tickets.score.{score}" for score in SCORES)
    keys.update(f"tickets.step.{step}" for step in STEPS)
    keys.update(f"tickets.method.{m}" for m in ("phone", "visit", "wechat"))
    keys.update(f"surveys.{field}.{value}" for field, values in (
        ("status", surveys.PlanStatus), ("kind", surveys.QuestionKind), ("indicator", surveys.Indicator),
        ("action", surveys.ActionStatus), ("method", surveys.Method), ("period_kind", surveys.PeriodKind),
        ("period", surveys.PeriodKind)) for value in values)
    keys.update(f"dashboard.card.{card}" for card in CARD_KEYS)
    keys.update(f"dashboard.chart.{chart}" for chart in CHARTS)
    keys.update(f"dashboard.feedback.channel.{channel}" for channel in FEEDBACK_CHANNELS)
    keys.update(f"dashboard.period.{period}" for period in PERIOD_KEYS)
    keys.update(f"dashboard.ttr.{bucket}" for bucket, _ in TTR_BUCKETS)
    keys.update(f"dashboard.axis.month_name.{month}" for month in range(1, 13))
    keys.update(page_literals())
    return keys


def page_literals() -> set[str]:
    """Every key-shaped string literal in page modules (headers passed as lists, card labels …)."""
    namespaces = {key.split(".")[0] for key in catalog("zh-CN")}
    found = set()
    for path in SOURCE.rglob("*.py"):
        if path.name == "pages.py" or path.parent.name == "pages" or path.parent.name == "ui":
            for literal in re.findall(r"\"([a-z_]+\.[a-z_.]+)\"", path.read_text(encoding="utf-8")):
                if literal.split(".")[0] in namespaces and not literal.endswith((".", "_")):  # prefixes
                    found.add(literal)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_keys_in_code():
    used = keys_used_in_code()
    assert len(used) > 100
    assert "places.room_number_taken" in used and "nav.rooms" in used


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_used_in_code_is_translated(language):
    missing = sorted(keys_used_in_code() - set(catalog(language)))
    assert missing == []


def test_catalogs_have_the_same_keys_and_placeholders():
    zh, en = catalog("zh-CN"), catalog("en")
    assert set(zh) == set(en)
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_chinese_is_the_default_and_params_are_filled():
    assert translate("auth.throttled", seconds=30) == "登录失败次数过多，请 30 秒后再试"
    assert translate("auth.throttled", "en", seconds=30) == "Too many failed sign-ins; try again in 30 s"
    assert translate("nav.rooms", "fr") == "房屋"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_key_is_written_once_in_its_catalog(language):
    """json.loads keeps the last of two equal keys: a second definition would silently win."""
    from pm_admin.core.i18n import LOCALES_DIR

    def refuse_twice(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
        return dict(pairs)

    json.loads((LOCALES_DIR / f"{language}.json").read_text(encoding="utf-8"), object_pairs_hook=refuse_twice)
