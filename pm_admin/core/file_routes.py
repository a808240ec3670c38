"""HTTP routes for private uploads and one-time downloads (session cookie required)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from pm_admin.auth.http import principal_of, same_origin
from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied
from pm_admin.core.files import UPLOAD_PURPOSES, redeem_download, store_upload
from pm_admin.core.guard import audit_refusal
from pm_admin.core.i18n import bilingual


async def upload(request: Request) -> Response:
    purpose = request.path_params["purpose"]
    if not same_origin(request):
        return JSONResponse({"ok": False, "error": "error.permission_denied"}, status_code=403)
    if purpose not in UPLOAD_PURPOSES:
        return JSONResponse({"ok": False, "error": "error.not_found"}, status_code=404)
    # The purpose's own limit is the only one: the body is read up to it, and the message names it.
    limit = UPLOAD_PURPOSES[purpose].max_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:
        return JSONResponse({"ok": False, "error": "files.too_large", "max_mb": limit // (1024 * 1024)},
                            status_code=413)
    try:
        form = await request.form()
    except MultiPartException:
        return JSONResponse({"ok": False, "error": "files.too_large", "max_mb": limit // (1024 * 1024)},
                            status_code=413)
    try:
        file = form.get("file")
        if file is None or not hasattr(file, "read"):
            return JSONResponse({"ok": False, "error": "files.empty"}, status_code=400)
        data = await file.read(limit + 1)  # one byte over, so store_upload refuses rather than truncates
        with unit_of_work() as session:
            principal = principal_of(session, request)
            if principal is None:
                return JSONResponse({"ok": False, "error": "error.not_signed_in"}, status_code=401)
            try:
                stored = store_upload(session, principal=principal, purpose_name=purpose, filename=file.filename or "",
                                      data=data)
            except PermissionDenied:
                audit_refusal(principal, action=f"upload.refused:{purpose}"[:64], reason="missing_permission")
                return JSONResponse({"ok": False, "error": "error.permission_denied"}, status_code=403)
            except DomainError as error:
                return JSONResponse({"ok": False, "error": error.key, **error.params}, status_code=400)
        return JSONResponse({"ok": True, "upload_id": stored.id, "filename": stored.filename, "size": stored.size})
    finally:
        await form.close()


async def download(request: Request) -> Response:
    with unit_of_work() as session:
        principal = principal_of(session, request)
        if principal is None:
            return Response(bilingual("error.not_signed_in"), status_code=401)
        try:
            file = redeem_download(session, principal=principal, ticket_id=request.path_params["ticket"])
            chunks = list(file.chunks)  # produced inside the transaction that checked the ticket
        except NotFound:
            return Response(bilingual("files.download_invalid"), status_code=404)
        except PermissionDenied:
            audit_refusal(principal, action="download.refused", reason="not_the_ticket_owner")
            return Response(bilingual("error.permission_denied"), status_code=403)
    disposition = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    return StreamingResponse(iter(chunks), media_type=file.media_type,
                             headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


routes = [
    Route("/files/upload/{purpose}", upload, methods=["POST"]),
    Route("/files/download/{ticket}", download, methods=["GET"]),
]
