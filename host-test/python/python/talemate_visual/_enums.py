"""The contract's enums (``talemate:visual@0.3.0``), ``str`` subclasses
holding the WIT case names. They are :mod:`talemate_visual.types`'s, which
re-exports them and by whose name they go; they are defined here, below both
``types`` and ``errors`` (a ``Timeout`` error's ``phase`` is a
:class:`TimeoutPhase`), so that ``errors`` needs nothing from ``types``.
"""

from __future__ import annotations

from enum import Enum


class Capability(str, Enum):
    TEXT_TO_IMAGE = "text-to-image"
    IMAGE_EDIT = "image-edit"
    IMAGE_ANALYSIS = "image-analysis"


class PromptStyle(str, Enum):
    DESCRIPTIVE = "descriptive"
    KEYWORDS = "keywords"


class ImageFormat(str, Enum):
    LANDSCAPE = "landscape"
    PORTRAIT = "portrait"
    SQUARE = "square"


class OutputFormat(str, Enum):
    """The encodings models commonly declare (``ModelInfo.output_formats``).
    ``output_format=`` takes any string: a model may declare others."""

    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"
    #: An animated GIF (with options such as ``frame_count``).
    GIF = "gif"
    #: An SVG: markup, never to be inlined into a page.
    SVG = "svg"


class ModelState(str, Enum):
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class StatusLevel(str, Enum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class TimeoutPhase(str, Enum):
    CONNECT = "connect"
    FIRST_BYTE = "first-byte"
    BETWEEN_BYTES = "between-bytes"


# Named by the module a user imports them from (`help`, `pickle`).
for _enum in (Capability, PromptStyle, ImageFormat, OutputFormat, ModelState, StatusLevel, TimeoutPhase):
    _enum.__module__ = "talemate_visual.types"
del _enum
