"""Imports every table module so SQLModel.metadata is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from pm_admin.activities import models as activities_models  # noqa: F401
from pm_admin.api import models as api_models  # noqa: F401
from pm_admin.archives import models as archives_models  # noqa: F401
from pm_admin.arrears import models as arrears_models  # noqa: F401
from pm_admin.auth import models as auth_models  # noqa: F401
from pm_admin.billing import models as billing_models  # noqa: F401
from pm_admin.census import models as census_models  # noqa: F401
from pm_admin.comms import models as comms_models  # noqa: F401
from pm_admin.core import audit, files, saved_views  # noqa: F401
from pm_admin.dashboards import models as dashboards_models  # noqa: F401
from pm_admin.faq import models as faq_models  # noqa: F401
from pm_admin.groups import models as groups_models  # noqa: F401
from pm_admin.inspections import models as inspections_models  # noqa: F401
from pm_admin.meetings import models as meetings_models  # noqa: F401
from pm_admin.notify import models as notify_models  # noqa: F401
from pm_admin.owners import models as owners_models  # noqa: F401
from pm_admin.places import models as places_models  # noqa: F401
from pm_admin.portal import models as portal_models  # noqa: F401
from pm_admin.reports import models as reports_models  # noqa: F401
from pm_admin.suggestions import models as suggestions_models  # noqa: F401
from pm_admin.surveys import models as surveys_models  # noqa: F401
from pm_admin.tickets import models as tickets_models  # noqa: F401
from pm_admin.visits import models as visits_models  # noqa: F401

metadata = SQLModel.metadata
