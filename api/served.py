"""The app as `markwatch serve` runs it: API and console, settings from MARKWATCH_* (one per worker)."""

from __future__ import annotations

from fastapi import FastAPI


def create_served_app() -> FastAPI:
    """The API with the console mounted, configured from the environment."""
    from api.app import create_app
    from api.console import console_router
    from api.console.settings import ConsoleSettings
    from api.settings import Settings

    app = create_app(Settings.from_env(), extra_routers=(console_router,))
    # Read now, so a bad MARKWATCH_CONSOLE_* value stops the start with one line, not the first page.
    app.state.console_settings = ConsoleSettings.from_env()
    return app
