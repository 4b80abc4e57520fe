"""One exception class per case of the contract's ``error`` variant.

A host catches :class:`VisualBackendError` for "the backend said no" and a
subclass when it can do something specific: ask for a new key on
:class:`Authentication`, wait ``retry_after_ms`` on :class:`RateLimited`,
offer another model on :class:`Unsupported`. Messages never contain the key:
the backend redacts them before they leave the component. The native
extension raises these, mapping each case of the contract's ``error`` to its
class by ``kind``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

from ._enums import TimeoutPhase


class VisualBackendError(Exception):
    """A call failed. ``kind`` is the WIT case name (``rate-limited``, ...)."""

    kind: str = "error"

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: The HTTP status, when there was a response.
        self.status = status
        #: The service's error code (e.g. ``model_not_found``), when it gave one.
        self.code = code
        #: The service's request id, for support tickets.
        self.request_id = request_id

    def __reduce__(self):  # keeps the keyword fields through pickling
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in (("status", self.status), ("code", self.code)) if v is not None)
        return f"{type(self).__name__}({self.message!r}{extra})"


def _rebuild(cls: "Type[VisualBackendError]", message: str, fields: Dict[str, Any]) -> "VisualBackendError":
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(fields)
    return error


class InvalidInput(VisualBackendError):
    """The request is wrong; nothing was sent."""

    kind = "invalid-input"


class Unsupported(VisualBackendError):
    """This backend or model cannot do that (e.g. edits with dall-e-3); nothing was sent."""

    kind = "unsupported"


class Authentication(VisualBackendError):
    """The key is missing, wrong or revoked (401)."""

    kind = "authentication"


class PermissionDenied(VisualBackendError):
    """The key may not do this (403), e.g. the organization must be verified."""

    kind = "permission-denied"


class NotFound(VisualBackendError):
    """The model or resource does not exist, or no longer does (404); a
    retired model's message says since when and what replaced it."""

    kind = "not-found"


class ContentPolicy(VisualBackendError):
    """The prompt or image was refused by the service's safety system."""

    kind = "content-policy"


class RateLimited(VisualBackendError):
    """Too many requests; try again after ``retry_after_ms`` (when the service said)."""

    kind = "rate-limited"

    def __init__(self, message: str, *, retry_after_ms: Optional[int] = None, **failure: Any) -> None:
        super().__init__(message, **failure)
        self.retry_after_ms = retry_after_ms


class QuotaExceeded(VisualBackendError):
    """The account has no credit left; retrying will not help."""

    kind = "quota-exceeded"


class Timeout(VisualBackendError):
    """A configured time limit ran out; ``phase`` says which."""

    kind = "timeout"

    def __init__(self, message: str, *, phase: "TimeoutPhase | str", **failure: Any) -> None:
        super().__init__(message, **failure)
        self.phase = TimeoutPhase(phase)


class Network(VisualBackendError):
    """The service could not be reached (DNS, refused, reset, or not allowed by the host)."""

    kind = "network"


class Upstream(VisualBackendError):
    """The service failed (5xx) or answered with an unexpected status."""

    kind = "upstream"


class MalformedResponse(VisualBackendError):
    """The response was not what the API promises."""

    kind = "malformed-response"


class Cancelled(VisualBackendError):
    """The host dropped or cancelled the call."""

    kind = "cancelled"


class BackendTrapped(VisualBackendError):
    """Not a contract error: the component itself crashed (a WebAssembly trap,
    such as a growth past the memory cap), or a stream outlived its instance.

    The instance is discarded; the client's next call starts a fresh one.
    """

    kind = "trap"


class LoadError(VisualBackendError):
    """Not a contract error: the file is not a backend this host can load
    (missing, not a component, or a contract version this host does not speak)."""

    kind = "load"


#: WIT case name -> exception class, for the cases of the contract's ``error``.
ERROR_CLASSES: Dict[str, Type[VisualBackendError]] = {
    cls.kind: cls
    for cls in (
        InvalidInput,
        Unsupported,
        Authentication,
        PermissionDenied,
        NotFound,
        ContentPolicy,
        RateLimited,
        QuotaExceeded,
        Timeout,
        Network,
        Upstream,
        MalformedResponse,
        Cancelled,
    )
}
