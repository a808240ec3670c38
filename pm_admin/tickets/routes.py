"""Serving ticket evidence to staff who may see the ticket."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from pm_admin.auth.http import principal_of
from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import NotFound, PermissionDenied
from pm_admin.core.i18n import bilingual
from pm_admin.core.ids import route_id
from pm_admin.tickets.services.evidence import open_evidence


def _refuse(status: int, key: str) -> Response:
    return Response(bilingual(key), status_code=status, media_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def evidence_file(request: Request) -> Response:  # plain: Starlette runs it in a worker thread
    raw_id = request.path_params["evidence_id"]
    try:
        with unit_of_work() as session:
            principal = principal_of(session, request)
            found = open_evidence(session, principal=principal, evidence_id=route_id(raw_id))
    except NotFound:
        return _refuse(404, "error.not_found")
    except PermissionDenied as refused:
        return _refuse(401 if refused.key == "error.not_signed_in" else 403, refused.key)
    return FileResponse(found.path, media_type=found.content_type, headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(found.filename)}",
        "Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff",
    })


routes = [Route("/tickets/evidence/{evidence_id}", evidence_file, methods=["GET"])]
