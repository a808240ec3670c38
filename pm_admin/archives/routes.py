"""Serving archive scans: only with an approved, unexpired grant; every attempt is logged."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from pm_admin.archives.services.access import open_document
from pm_admin.auth.http import client_of, principal_of
from pm_admin.core.db import unit_of_work
from pm_admin.core.i18n import bilingual
from pm_admin.core.ids import route_id

REFUSALS = {
    "not_signed_in": (401, "error.not_signed_in"),
    "no_permission": (403, "error.permission_denied"),
    "no_such_document": (404, "error.not_found"),
    # Another community's document answers like a missing one, so ids cannot be probed.
    "out_of_scope": (404, "error.not_found"),
    "no_grant": (403, "archives.need_grant"),
    "grant_expired_or_revoked": (403, "archives.grant_expired"),
}


def document(request: Request) -> Response:  # plain: Starlette runs it in a worker thread
    raw_id = request.path_params["file_id"]
    download = request.query_params.get("download") == "1"
    with unit_of_work() as session:  # the log row commits whether or not access is granted
        principal = principal_of(session, request)
        access = open_document(session, principal=principal, file_id=route_id(raw_id),
                               action="download" if download else "view", client=client_of(request))
    if not access.allowed:
        status, key = REFUSALS[access.reason]
        return Response(bilingual(key), status_code=status, media_type="text/plain; charset=utf-8",
                        headers={"Cache-Control": "no-store"})
    disposition = "attachment" if download else "inline"
    return FileResponse(access.path, media_type=access.file.content_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(access.file.filename)}",
        "Cache-Control": "no-store, private",
    })


routes = [Route("/archives/file/{file_id}", document, methods=["GET"])]
