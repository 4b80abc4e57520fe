"""Mirrors src/talemate/agents/custom/__init__.py (a1d209a9:13-34): every
directory beside this file whose name does not start with ``__`` is imported
as a submodule, when ``talemate.agents.custom`` is imported (server/run.py:155)."""

import importlib
import os

_here = os.path.dirname(__file__)
for _name in sorted(os.listdir(_here)):
    if os.path.isdir(os.path.join(_here, _name)) and not _name.startswith("__"):
        importlib.import_module(f".{_name}", __package__)
