"""Backend components in Talemate's Visualizer.

One call, made before Talemate builds its agents, turns every backend
``.wasm`` in a folder (and the OpenAI backend this package ships) into a
Talemate visual backend::

    from pathlib import Path
    from talemate_visual.talemate import install

    install(Path(__file__).parent)

Each component becomes one backend, named ``wasm_<its name>`` (Talemate
already has an ``openai``), offered in the Visualizer agent's three backend
selections for the capabilities it declares, with a settings panel per
selection: the model (the live list once a key is set, else the models the
backend knows; retired ones left out, deprecated ones saying when they stop),
every setting the backend declares, and the OpenAI key from Talemate's own
settings for the OpenAI backend. See "Use it in Talemate" in the package's
README for where the call goes.

Talemate itself is imported only when :func:`install` runs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from ._spec import NAME_PREFIX, Component, describe, status_for_check, status_for_error, talemate_name

log = logging.getLogger("talemate_visual.talemate")

#: Keyword arguments for ``VisualBackend.load`` of every component installed
#: (``cache``, ``memory_limit``, ``today``); tests fix ``today``.
LOAD_OPTIONS: Dict[str, Any] = {}

PathLike = Union[str, Path]


def bundled_folder() -> Path:
    """The folder of backend components shipped inside this package (the
    OpenAI backend, ``openai_visual_backend.wasm``)."""
    return Path(__file__).parent.parent / "backends"


def find_components(*folders: PathLike, bundled: bool = True) -> List[Path]:
    """The ``.wasm`` files to offer: the bundled ones first (with
    ``bundled``), then each folder's, by name; each file once."""
    out: List[Path] = []
    seen = set()
    search = ([bundled_folder()] if bundled else []) + [Path(f) for f in folders]
    for folder in search:
        if not folder.is_dir():
            if folder != bundled_folder():
                log.warning("%s is not a folder; no backends loaded from it", folder)
            continue
        for path in sorted(folder.glob("*.wasm")):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(path)
    return out


def load_components(paths: Iterable[PathLike], **load_options: Any) -> List[Tuple[Path, Any]]:
    """Loads each component (compiled once, then from the host's on-disk
    cache); one that fails to load is logged and left out. Two with the same
    machine name: the first is kept."""
    from .. import VisualBackend

    options = {**LOAD_OPTIONS, **load_options}
    out: List[Tuple[Path, Any]] = []
    names = set()
    for path in paths:
        path = Path(path)
        try:
            backend = VisualBackend.load(path, **options)
            name = backend.info().name
        except Exception as e:
            log.error("%s: not loaded as a visual backend: %s", path, e)
            continue
        if name in names:
            log.warning("%s: a backend named %r is loaded already; skipped", path, name)
            continue
        names.add(name)
        out.append((path, backend))
    return out


def install(
    *folders: PathLike,
    bundled: bool = True,
    agent_class: Optional[type] = None,
    **load_options: Any,
) -> List[type]:
    """Registers every backend component in ``folders`` (and, with
    ``bundled``, the ones this package ships) with Talemate's Visualizer:
    one backend class each in Talemate's backend registry, the agent's
    ``{name}_backend...`` methods, and their settings panels. Call it before
    Talemate builds its agents (a package in ``talemate/agents/custom/`` is
    imported in time). Calling it again registers only what is new.

    Returns the backend classes, in the order their components were found.
    """
    from ._agent import install_components

    components = load_components(find_components(*folders, bundled=bundled), **load_options)
    return install_components(components, agent_class)


__all__ = [
    "LOAD_OPTIONS",
    "NAME_PREFIX",
    "Component",
    "bundled_folder",
    "describe",
    "find_components",
    "install",
    "load_components",
    "status_for_check",
    "status_for_error",
    "talemate_name",
]
