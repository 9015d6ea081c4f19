"""One exception root for the whole project; the CLI and the API map it at their boundary."""

from __future__ import annotations


class MarkwatchError(Exception):
    """Root of every error markwatch raises on purpose."""

    exit_code = 2


# --- Input errors: the user gave us something we refuse. Always name the file/line/field. ---


class InputError(MarkwatchError):
    """Bad input from a user: a file, a field, an argument."""

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None) -> None:
        self.source = source
        self.where = where
        prefix = ": ".join(part for part in (source, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.detail = message


class CodeParseError(InputError):
    """A text is not a standard code we can read."""


class RegistryImportError(InputError):
    """A registry import file is invalid; nothing was written."""


class RuleFileError(InputError):
    """A rule file (rules/*.yaml) is invalid; the ruleset is refused."""


class TargetsFileError(InputError):
    """A sweep targets file is invalid."""


class NotFoundError(InputError):
    """The thing asked for does not exist."""

    exit_code = 1


# --- Execution errors: input was fine, something failed while running. ---


class ExecutionError(MarkwatchError):
    """Something failed while running on valid input."""


class EngineError(ExecutionError):
    """The rules engine failed (load error, an action raised, a session leak)."""


class FetchError(ExecutionError):
    """A page could not be fetched (network, size, time, or a refused address)."""


class ContentCodingError(FetchError):
    """A response body whose Content-Encoding cannot be undone whole; `kind` is truncated, corrupt, too_large
    or encoding (one markwatch does not decode)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class SitemapError(FetchError):
    """A fetched sitemap cannot be read; `reason` names why in the sweep's ledger."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DatabaseError(ExecutionError):
    """The database could not be reached or is at an unexpected schema version."""


class NotReady(ExecutionError):
    """No correct answer can be given until an operator acts (e.g. the registry is empty); the API's 503."""


class RegistryEmpty(NotReady):
    """The designation registry holds no record: every designated code would be judged unregistered (SHS001).

    `str()` is the command line's one line (the database, how to fill it, the flag that allows it); `detail`
    is what an operator must do, for the API's answer and the scheduler's log."""

    reason = "registry_empty"

    def __init__(self, message: str, *, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


class ConflictError(MarkwatchError):
    """The request conflicts with the current state (e.g. an illegal case transition)."""
