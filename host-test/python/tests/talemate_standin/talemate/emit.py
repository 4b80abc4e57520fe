"""Mirrors src/talemate/emit/__init__.py (a1d209a9): ``emit`` sends an event to
the frontend. Here the events are recorded in ``EMITTED`` for the tests."""

from typing import Any, Dict, List

#: Every event emitted, in order: ``{"typ", "message", **kwargs}``.
EMITTED: List[Dict[str, Any]] = []


def emit(typ: str, message: Any = None, **kwargs: Any) -> None:
    """src/talemate/emit/base.py ``emit(typ, message=None, ...)``."""
    EMITTED.append({"typ": typ, "message": message, **kwargs})
