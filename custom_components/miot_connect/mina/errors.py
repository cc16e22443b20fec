"""Exceptions of the MiNA connector. Messages never hold a secret or a response body."""

from __future__ import annotations


class MinaError(Exception):
    """Base class of every MiNA connector error."""


class MinaAuthError(MinaError):
    """The service token was refused and renewal from the passToken failed: sign in again."""


class MinaRateLimitedError(MinaError):
    """The service asked us to slow down (HTTP 429, or too many verification codes sent)."""


class MinaCloudUnavailableError(MinaError):
    """The service cannot be reached or answered with a server error or garbage."""


class MinaTimeoutError(MinaCloudUnavailableError):
    """The service did not answer in time."""


class MinaCodeError(MinaError):
    """The service answered with a non-zero code (kept in `code`)."""

    def __init__(self, code: int, message: str) -> None:
        """Keep the code."""
        self.code = code
        super().__init__(message)


class MinaSignInError(MinaCodeError):
    """The account service gave an answer the sign-in does not know (code -1: no code)."""


class MinaFlowError(MinaError, RuntimeError):
    """A sign-in step was called in a state that does not allow it."""
