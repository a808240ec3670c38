"""The FastAPI application mounted at ``/api/v1`` (OpenAPI document at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from fastapi import FastAPI

from pm_admin.api import (
    activity_routes,
    errors,
    faq_routes,
    integration_routes,
    owner_routes,
    suggestion_routes,
    survey_routes,
)

VERSION = "1"


def create_api() -> FastAPI:
    api = FastAPI(
        title="pm_admin API", version=VERSION, openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
        description="Owners: `POST /auth/token` with phone and password (or a texted code) gives a bearer token for "
                    "their own rooms, tickets, notices, surveys, community activities and suggestions, and ask the FAQ. Integrations: "
                    "a `pmi_` token an administrator issued, limited to its scopes (tickets:create, tickets:read, "
                    "kpis:read) and communities. Lists page with `cursor`; POSTs accept `Idempotency-Key`; every "
                    "refusal has one shape with Chinese and English messages; each caller has a request budget per "
                    "minute (429 with Retry-After).")
    errors.install(api)
    api.include_router(owner_routes.router)
    api.include_router(survey_routes.router)
    api.include_router(activity_routes.router)
    api.include_router(suggestion_routes.router)
    api.include_router(faq_routes.router)
    api.include_router(integration_routes.router)
    return api
