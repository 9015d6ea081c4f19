"""`markwatch serve`: run the HTTP API and console with uvicorn, in one process or several."""

from __future__ import annotations

import os

import click

from markwatch.cli.options import db_option

APP_FACTORY = "api.served:create_served_app"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (about one per CPU core); see docs/deployment.md.",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    help="Proxy addresses trusted to name the client in X-Forwarded-For (per-address throttles need it "
    "behind a proxy), e.g. 127.0.0.1.",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
@db_option
def serve(
    host: str, port: int, workers: int, forwarded_allow_ips: str | None, access_log: bool, db_url: str | None
) -> None:
    """Serve the API under /v1 and the inspector console under /console (settings: MARKWATCH_*)."""
    import uvicorn

    from api.connections import HeaderDeadlineProtocol, raise_open_files_limit
    from api.served import create_served_app

    if db_url:
        # Worker processes build their own app from the environment: hand the URL down that way.
        os.environ["MARKWATCH_DB"] = db_url
    # Build one app here even with several workers: bad settings fail now, once, with a clear message,
    # and the schema is upgraded before the workers race to do it.
    app = create_served_app()
    target: object = app if workers == 1 else APP_FACTORY
    # Before the socket opens: the workers inherit the limit.
    raise_open_files_limit()
    uvicorn.run(
        target,  # type: ignore[arg-type]
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=host,
        port=port,
        server_header=False,
        # Closes connections that do not finish a request's headers in time (uvicorn alone never does).
        http=HeaderDeadlineProtocol,
        access_log=access_log,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips,
    )
