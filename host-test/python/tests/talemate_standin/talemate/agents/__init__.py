"""Mirrors src/talemate/agents/__init__.py (a1d209a9): importing the package
imports every agent; for the Visualizer that is ``.visual.agent`` (:11), which
imports the built-in backends and so fills ``BACKENDS``."""

from .registry import AGENT_CLASSES, get_agent_class, register  # noqa: F401
from .visual.agent import VisualAgent  # noqa: F401
