"""Imports the modules that register listeners, upload purposes and download kinds.

Whatever runs services (the app, the command line, the tests) imports this once.
"""

from pm_admin.archives import files as archive_files  # noqa: F401 - the catalog export
from pm_admin.archives import owner_timeline as archive_timeline  # noqa: F401 - documents on the owner timeline
from pm_admin.archives import services as archive_services  # noqa: F401 - tracks owner events
from pm_admin.arrears import files as arrears_files  # noqa: F401 - the arrears import upload
from pm_admin.arrears import owner_timeline as arrears_timeline  # noqa: F401 - arrears on the owner timeline
from pm_admin.census import owner_timeline as census_timeline  # noqa: F401 - census results on the owner timeline
from pm_admin.dashboards import files as dashboard_files  # noqa: F401 - chart data downloads
from pm_admin.dashboards import rollups as dashboard_rollups  # noqa: F401 - keeps the KPI rollups current
from pm_admin.household_work import services as household_work  # noqa: F401 - open work follows role/steward changes
from pm_admin.owners import files as owner_files  # noqa: F401 - owner import/export files
from pm_admin.surveys import files as survey_files  # noqa: F401 - links and results workbooks
from pm_admin.surveys import owner_timeline as survey_timeline  # noqa: F401 - answers on the owner timeline
from pm_admin.tickets import evidence as ticket_evidence  # noqa: F401 - the evidence upload
from pm_admin.tickets import files as ticket_files  # noqa: F401 - the daily review export
from pm_admin.tickets import owner_timeline as ticket_timeline  # noqa: F401 - tickets and callbacks too
