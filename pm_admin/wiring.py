"""Every cross-domain link in one place: event subscriptions, the kinds of household work, owner timeline
sources, upload purposes and download kinds, and the KPI rollup upkeep.

A lower domain never imports a higher one; it publishes an event or offers a registry, and ``install`` connects
them. The app, the command line and the tests call ``install()`` before anything else; until then publishing
and creating an engine raise (``core.events.NotWired``), so no script can silently skip a subscriber.
"""

from __future__ import annotations

from pm_admin.activities import owner_timeline as activity_timeline
from pm_admin.activities import publication as activity_publication
from pm_admin.archives import files as archive_files
from pm_admin.archives import owner_timeline as archive_timeline
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.archives.services import common as archive_common
from pm_admin.archives.services import tracking as archive_tracking
from pm_admin.arrears import files as arrears_files
from pm_admin.arrears import owner_timeline as arrears_timeline
from pm_admin.arrears.models import ArrearsCase, CaseStatus
from pm_admin.auth import session_cache
from pm_admin.census import owner_timeline as census_timeline
from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.comms.community_notices import publisher
from pm_admin.comms.models import NoticeKind
from pm_admin.core import change_watch, events
from pm_admin.core.files import register_download, register_upload_purpose
from pm_admin.dashboards import files as dashboard_files
from pm_admin.dashboards import rollups
from pm_admin.dashboards import view as dashboard_view
from pm_admin.groups.services import moderation as group_moderation
from pm_admin.household_work import services as household_work
from pm_admin.inspections.services import common as inspection_common
from pm_admin.meetings import publication as meeting_publication
from pm_admin.meetings.services import meetings as meeting_services
from pm_admin.owners import files as owner_files
from pm_admin.owners import queries as owner_queries
from pm_admin.owners import timeline as owner_timeline
from pm_admin.owners.events import OwnerEvent
from pm_admin.owners.models import Ownership, OwnerTag
from pm_admin.owners.services import registry as owner_registry
from pm_admin.places import queries as place_queries
from pm_admin.places.events import HouseholdWorkChanged, RoomRenumbered
from pm_admin.places.models import Community
from pm_admin.portal import files as portal_files
from pm_admin.portal import progress as portal_progress
from pm_admin.portal import visit_replies as portal_visit_replies
from pm_admin.reports import files as report_files
from pm_admin.suggestions import publication as suggestion_publication
from pm_admin.suggestions.services import intake as suggestion_intake
from pm_admin.surveys import files as survey_files
from pm_admin.surveys import owner_timeline as survey_timeline
from pm_admin.tickets import files as ticket_files
from pm_admin.tickets import owner_timeline as ticket_timeline
from pm_admin.tickets.events import TicketProgress
from pm_admin.tickets.models import KindSetting
from pm_admin.tickets.services import evidence as ticket_evidence
from pm_admin.tickets.services import rounds as ticket_rounds
from pm_admin.visits import files as visit_files
from pm_admin.visits import owner_timeline as visit_timeline
from pm_admin.visits.events import IssueNews


def install() -> None:
    """Connect the domains (idempotent)."""
    if events.is_installed():
        return
    # Owner registry changes append to the rooms' archive change records (seed 001 4.4.1).
    events.subscribe(OwnerEvent, archive_tracking.track_owner_event, batch=archive_tracking.track_owner_events)
    # A renumbered room: the owner grid's sort key and the room's archive number follow.
    events.subscribe(RoomRenumbered, owner_registry.follow_room)
    events.subscribe(RoomRenumbered, archive_catalog.follow_room)
    # Open census tasks and arrears cases follow the community's choice of who does household work.
    events.subscribe(HouseholdWorkChanged, household_work.follow_change)
    # Ticket progress reaches the owner's portal inbox (and SMS for the code and the request to rate).
    events.subscribe(TicketProgress, portal_progress.tell_owner)
    # A reply date promised on a visit, and the reply, reach the household's portal inbox.
    events.subscribe(IssueNews, portal_visit_replies.tell_owner)
    # Published minutes become a notice of kind 会议纪要 to the community's owners.
    meeting_publication.set_publisher(publisher(NoticeKind.MINUTES))
    # An activity opening for sign-up drafts its 活动通知 (a notice of kind "activity") to the community's owners.
    activity_publication.set_publisher(publisher(NoticeKind.ACTIVITY))
    # An accepted suggestion's improvement action is published as 整改公示 to the community's owners.
    suggestion_publication.set_publisher(publisher(NoticeKind.RECTIFICATION))
    household_work.register_work(CensusTask, CensusTask.status == TaskStatus.PENDING)
    household_work.register_work(ArrearsCase, ArrearsCase.status == CaseStatus.OPEN)

    owner_timeline.add_sources(*ticket_timeline.SOURCES, *archive_timeline.SOURCES, *survey_timeline.SOURCES,
                               *arrears_timeline.SOURCES, *census_timeline.SOURCES,
                               *activity_timeline.SOURCES, *visit_timeline.SOURCES)

    register_upload_purpose(owner_files.IMPORT_PURPOSE, owner_files.IMPORT_UPLOAD)
    register_upload_purpose(archive_common.DOCUMENT_PURPOSE, archive_common.DOCUMENT_UPLOAD)
    register_upload_purpose(arrears_files.ARREARS_PURPOSE, arrears_files.ARREARS_UPLOAD)
    register_upload_purpose(ticket_evidence.EVIDENCE_PURPOSE, ticket_evidence.EVIDENCE_UPLOAD)
    register_upload_purpose(meeting_services.ATTACHMENT_PURPOSE, meeting_services.ATTACHMENT_UPLOAD)
    register_upload_purpose(suggestion_intake.SLIP_PURPOSE, suggestion_intake.SLIP_UPLOAD)
    register_upload_purpose(group_moderation.EVIDENCE_PURPOSE, group_moderation.EVIDENCE_UPLOAD)
    register_upload_purpose(inspection_common.PHOTO_PURPOSE, inspection_common.PHOTO_UPLOAD)
    for module in (owner_files, archive_files, dashboard_files, survey_files, ticket_files, portal_files,
                   meeting_services, suggestion_intake, group_moderation, report_files,
                   inspection_common, visit_files):
        for kind, producer in module.DOWNLOADS.items():
            register_download(kind, producer)

    rollups.install()
    change_watch.install()
    session_cache.install()
    dashboard_view.install()
    change_watch.watch(owner_queries.TAGS_TOPIC, OwnerTag)
    change_watch.watch(place_queries.COMMUNITIES_TOPIC, Community)
    change_watch.watch(ticket_rounds.SETTINGS_TOPIC, KindSetting)
    change_watch.watch(owner_queries.TAGS_TOPIC, Ownership)
    events.mark_installed()
