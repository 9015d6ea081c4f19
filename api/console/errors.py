"""Console errors, all under the project's root so the console boundary can map them to pages."""

from __future__ import annotations

from markwatch.errors import ExecutionError, MarkwatchError


class SignInRequired(MarkwatchError):
    """No valid console session: the browser is sent to the sign-in page."""


class ConsoleForbidden(MarkwatchError):
    """Signed in, or trying to, but not allowed: wrong role, bad CSRF token, foreign origin."""


class PdfRenderError(ExecutionError):
    """The PDF of a notice could not be made (Chromium missing, failed or too slow)."""
