"""The Reflex app: pages, HTTP routes and the guard middleware. Nothing else."""

import reflex as rx
from starlette.applications import Starlette
from starlette.routing import Mount

from pm_admin import wiring
from pm_admin.api.app import create_api
from pm_admin.archives.routes import routes as archive_routes
from pm_admin.auth.routes import routes as auth_routes
from pm_admin.core import log_hygiene
from pm_admin.core.unexpected import log_frontend_exception, unexpected_error_toast
from pm_admin.dashboards.keywords import load_dictionary
from pm_admin.pages import register_pages
from pm_admin.portal.routes import routes as portal_routes
from pm_admin.tickets.routes import routes as ticket_routes
from pm_admin.web.file_routes import routes as file_routes
from pm_admin.web.guard_middleware import GuardMiddleware
from pm_admin.web.security_headers import security_headers
from pm_admin.web.static_cache import static_cache

wiring.install()

app = rx.App(
    stylesheets=["/app.css"],
    # A file, not inline code: the Content-Security-Policy runs scripts of the app's own origin only.
    head_components=[rx.script(src="/reload_from_bfcache.js"), rx.script(src="/shortcuts.js")],
    backend_exception_handler=unexpected_error_toast,
    frontend_exception_handler=log_frontend_exception,
    api_transformer=[Starlette(routes=[*auth_routes, *portal_routes, *file_routes, *archive_routes, *ticket_routes,
                                       Mount("/api/v1", app=create_api())]), security_headers, static_cache],
)
app.add_middleware(GuardMiddleware())
register_pages(app)
load_dictionary()
log_hygiene.install()
