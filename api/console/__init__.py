"""The inspector web console (issue 7): server-rendered pages on the API app, under /console."""

from api.console.router import build_console_router, console_router

__all__ = ["build_console_router", "console_router"]
