"""Console errors, all under the project's root so the console boundary can map them to pages."""

from __future__ import annotations

from typing import Any

from markwatch.errors import ExecutionError, InputError, MarkwatchError


class SignInRequired(MarkwatchError):
    """No valid console session: the browser is sent to the sign-in page."""


class ConsoleForbidden(MarkwatchError):
    """Signed in, or trying to, but not allowed: wrong role, bad CSRF token, foreign origin."""


class PdfRenderError(ExecutionError):
    """The PDF of a notice could not be made (Chromium missing, failed or too slow)."""


class FormError(InputError):
    """A form field the console refuses, with the catalogue text (and its values) that explains it to the
    inspector in the UI language; the English message stays the technical detail."""

    def __init__(self, message: str, *, where: str, key: str, **values: Any) -> None:
        super().__init__(message, where=where)
        self.key = key
        self.values = values
