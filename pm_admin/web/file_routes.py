"""HTTP routes for private uploads and one-time downloads (session cookie required)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Message, Receive

from pm_admin.auth.http import client_of, principal_of, same_origin
from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied
from pm_admin.core.files import UPLOAD_PURPOSES, may_upload, redeem_download, store_upload
from pm_admin.core.guard import PORTAL_COOKIE
from pm_admin.core.i18n import bilingual
from pm_admin.core.refusals import audit_refusal
from pm_admin.portal.services import photos
from pm_admin.portal.services import sessions as portal_sessions


class BodyTooLarge(Exception):
    """The client sent more than the purpose allows (also a chunked body that declared no length)."""


def _capped(receive: Receive, limit: int) -> Receive:
    """The request body, refused as soon as it grows past ``limit`` bytes: never read in full first."""
    seen = 0

    async def capped_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return capped_receive


def _refuse(key: str, status: int, **params) -> JSONResponse:
    return JSONResponse({"ok": False, "error": key, **params}, status_code=status)


async def upload(request: Request) -> Response:
    """Who and what first (session, permission, declared size), then the body, streamed and capped."""
    purpose_name = request.path_params["purpose"]
    if not same_origin(request):
        return _refuse("error.permission_denied", 403)
    purpose = UPLOAD_PURPOSES.get(purpose_name)
    if purpose is None:
        return _refuse("error.not_found", 404)
    with unit_of_work() as session:
        principal = principal_of(session, request)
    if principal is None:
        return _refuse("error.not_signed_in", 401)
    if not may_upload(principal, purpose):
        audit_refusal(principal, action=f"upload.refused:{purpose_name}"[:64], reason="missing_permission",
                      client=client_of(request))
        return _refuse("error.permission_denied", 403)
    # The purpose's own limit is the only one (plus room for the multipart framing); the message names it.
    too_large = {"max_mb": purpose.max_bytes // (1024 * 1024)}
    body_limit = purpose.max_bytes + 64 * 1024
    declared = request.headers.get("content-length") or "0"
    if not declared.isdigit() or int(declared) > body_limit:
        return _refuse("files.too_large", 413, **too_large)
    capped = Request(request.scope, _capped(request.receive, body_limit))
    try:
        form = await capped.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
    except (MultiPartException, BodyTooLarge):
        return _refuse("files.too_large", 413, **too_large)
    try:
        file = form.get("file")
        if file is None or not hasattr(file, "read"):
            return _refuse("files.empty", 400)
        data = await file.read(purpose.max_bytes + 1)  # one byte over, so store_upload refuses rather than truncates
        with unit_of_work() as session:
            try:
                stored = store_upload(session, principal=principal, purpose_name=purpose_name,
                                      filename=file.filename or "", data=data)
            except DomainError as error:
                return _refuse(error.key, 400, **error.params)
        return JSONResponse({"ok": True, "upload_id": stored.id, "filename": stored.filename, "size": stored.size})
    finally:
        await form.close()


def download(request: Request) -> Response:  # plain: Starlette runs it in a worker thread
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
            audit_refusal(principal, action="download.refused", reason="not_the_ticket_owner",
                          client=client_of(request))
            return Response(bilingual("error.permission_denied"), status_code=403)
    disposition = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    return StreamingResponse(iter(chunks), media_type=file.media_type,
                             headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


async def portal_photo(request: Request) -> Response:
    """An owner's photo for a report: the portal session first, then the body, capped and checked by content."""
    if not same_origin(request):
        return _refuse("error.permission_denied", 403)
    client = client_of(request)

    def resolve():
        with unit_of_work() as session:
            return portal_sessions.resolve(session, request.cookies.get(PORTAL_COOKIE), client)
    owner = await asyncio.to_thread(resolve)
    if owner is None:
        return _refuse("error.not_signed_in", 401)
    too_large = {"max_mb": photos.MAX_PHOTO_BYTES // (1024 * 1024)}
    body_limit = photos.MAX_PHOTO_BYTES + 64 * 1024
    declared = request.headers.get("content-length") or "0"
    if not declared.isdigit() or int(declared) > body_limit:
        return _refuse("files.too_large", 413, **too_large)
    capped = Request(request.scope, _capped(request.receive, body_limit))
    try:
        form = await capped.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
    except (MultiPartException, BodyTooLarge):
        return _refuse("files.too_large", 413, **too_large)
    try:
        file = form.get("file")
        if file is None or not hasattr(file, "read"):
            return _refuse("files.empty", 400)
        data = await file.read(photos.MAX_PHOTO_BYTES + 1)

        def store():
            with unit_of_work() as session:
                return photos.store_photo(session, owner=owner, filename=file.filename or "", data=data).id
        try:
            upload_id = await asyncio.to_thread(store)
        except DomainError as error:
            return _refuse(error.key, 400, **error.params)
        return JSONResponse({"ok": True, "upload_id": upload_id})
    finally:
        await form.close()


routes = [
    Route("/files/upload/{purpose}", upload, methods=["POST"]),
    Route("/portal/photos", portal_photo, methods=["POST"]),
    Route("/files/download/{ticket}", download, methods=["GET"]),
]
