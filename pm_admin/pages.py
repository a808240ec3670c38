"""Every route of the app, with the on_load events that fetch its data."""

from __future__ import annotations

import reflex as rx

from pm_admin.auth.pages.login import login_page
from pm_admin.home.pages.home import home_page
from pm_admin.home.state import HomeState
from pm_admin.shell.state import ShellState


def register_pages(app: rx.App) -> None:
    app.add_page(login_page, route="/login", title="登录 · pm_admin")
    app.add_page(home_page, route="/", title="pm_admin", on_load=[ShellState.load, HomeState.load])
