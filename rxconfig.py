import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from pm_admin.settings import settings_or_exit

settings = settings_or_exit()

config = rx.Config(
    app_name="pm_admin",
    # Reflex's own database integration is unused: pm_admin.core.db owns the engine.
    redis_url=settings.redis_url,
    state_manager_mode="redis" if settings.redis_url else "memory",
    # A tab's state stays in Redis as long as its session may sit idle (Reflex's own hour at least), so a tab
    # left open within the session never finds its state gone. The lock (10 s, Reflex's default) stays.
    redis_token_expiration=max(3600, settings.session_idle_minutes * 60),
    telemetry_enabled=False,
    # The event websocket (and the backend's CORS) accept only the app's own address, not Reflex's "*".
    cors_allowed_origins=settings.public_origins,
    show_built_with_reflex=False,
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium", scaling="100%")
        )
    ],
)
