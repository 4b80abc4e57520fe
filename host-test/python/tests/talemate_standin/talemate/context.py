"""Mirrors src/talemate/context.py (a1d209a9): the active scene."""

from contextvars import ContextVar

# src/talemate/context.py:35
active_scene = ContextVar("active_scene", default=None)
