"""Survey workbooks: the one-time owner links of a community (issued when downloaded, so the only copy of
each token is that file) and the results of a plan."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from pm_admin.core.files import Download
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Principal
from pm_admin.core.tables import TextSheet, export_workbook, workbook_bytes
from pm_admin.surveys import queries
from pm_admin.surveys.services.responses import issue_links

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def links_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    language = params.get("language", "zh-CN")
    links = issue_links(session, actor=principal, plan_id=int(params["plan_id"]),
                        community_id=int(params["community_id"]))
    workbook = export_workbook()
    sheet = TextSheet(workbook, translate("surveys.links", language))
    sheet.append([translate("owners.col.room_code", language), translate("surveys.link", language)])
    for link in links:
        sheet.append([link.room_code, f"{params['origin']}/s/{link.token}"])
    return Download(f"survey-links-{params['plan_id']}-{params['community_id']}.xlsx", XLSX,
                    [workbook_bytes(workbook)])


def results_xlsx(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    language, plan_id = params.get("language", "zh-CN"), int(params["plan_id"])
    summary = queries.plan_summary(session, principal, plan_id)
    result = queries.results(session, principal, plan_id, language)
    tr = lambda key: translate(key, language)  # noqa: E731
    workbook = export_workbook()
    sheet = TextSheet(workbook, tr("surveys.results"))
    sheet.append([summary["title"], summary["period"]])
    sheet.append([tr("surveys.index"), result["index"], tr("surveys.previous"), result["previous_index"]])
    sheet.append([])
    sheet.append([tr("surveys.indicator"), tr("surveys.weight"), tr("surveys.score"), tr("surveys.previous"),
                  tr("surveys.delta")])
    for row in result["indicators"]:
        sheet.append([row["name"], row["weight"], row["score"], row["previous"], row["delta"]])
    for title_key, rows in (("surveys.by_community", result["communities"]), ("surveys.by_building",
                                                                              result["buildings"]),
                            ("surveys.by_steward", result["stewards"])):
        sheet.append([])
        sheet.append([tr(title_key), tr("surveys.index")])
        for row in rows:
            sheet.append([row["name"], row["index"]])
    actions = TextSheet(workbook, tr("surveys.actions"))
    actions.append([tr("places.community"), tr("surveys.indicator"), tr("surveys.score"), tr("surveys.measure"),
                    tr("surveys.department"), tr("surveys.due_on"), tr("surveys.action_status"),
                    tr("surveys.action_result")])
    for row in queries.actions(session, principal, plan_id, language):
        actions.append([row["community"], row["indicator_name"], row["score"], row["measure"], row["department"],
                        row["due_on"], tr(f"surveys.action.{row['status']}"), row["result"]])
    return Download(f"survey-results-{summary['period']}.xlsx", XLSX, [workbook_bytes(workbook)])


DOWNLOADS = {"survey_links": links_xlsx, "survey_results": results_xlsx}
