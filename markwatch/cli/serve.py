"""`markwatch serve`: run the HTTP API with uvicorn."""

from __future__ import annotations

import click

from markwatch.cli.options import db_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@db_option
def serve(host: str, port: int, db_url: str | None) -> None:
    """Serve the API under /v1 and the inspector console under /console (settings: MARKWATCH_*)."""
    import uvicorn

    from api.app import create_app
    from api.console import console_router
    from api.console.settings import ConsoleSettings
    from api.settings import Settings

    app = create_app(Settings.from_env(database_url=db_url), extra_routers=(console_router,))
    # Read now, so a bad MARKWATCH_CONSOLE_* value stops the start with one line, not the first page.
    app.state.console_settings = ConsoleSettings.from_env()
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False)
