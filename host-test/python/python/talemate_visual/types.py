"""The contract's vocabulary (``talemate:visual@0.3.0``, ``wit/since_v0.3.0/types.wit``) as plain Python.

Enums are ``str`` subclasses holding the WIT case names, so ``"landscape"``
and ``ImageFormat.LANDSCAPE`` are interchangeable wherever a host passes one.
Results are frozen dataclasses, built by the native extension: safe to hand to
other threads and to cache. Images are ``bytes``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

# This module's enums, defined below it and errors.py (which needs TimeoutPhase).
from ._enums import Capability, ImageFormat, ModelState, OutputFormat, PromptStyle, StatusLevel, TimeoutPhase

if TYPE_CHECKING:
    from .errors import VisualBackendError


@dataclass(frozen=True)
class Size:
    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class FormatSize:
    format: ImageFormat
    size: Size


@dataclass(frozen=True)
class FreeSizes:
    """Limits on the sizes a model makes besides its per-format ones."""

    step: int
    min_side: int
    max_long_side: int
    max_short_side: int
    max_aspect_ratio: int


@dataclass(frozen=True)
class SizeRule:
    formats: Tuple[FormatSize, ...]
    free: Optional[FreeSizes] = None


@dataclass(frozen=True)
class Lifecycle:
    state: ModelState
    #: ``YYYY-MM-DD``: when a deprecated model stops, or when a retired one stopped.
    shutdown_date: Optional[str] = None
    replacement: Optional[str] = None


@dataclass(frozen=True)
class NumberRange:
    min: Optional[float] = None
    max: Optional[float] = None
    integer: bool = False
    #: Values go up in steps of this from ``min`` (from 0 without a ``min``).
    step: Optional[float] = None


#: A setting's or option's value: text (``text``, ``secret``, ``url``,
#: ``choice``), a number, a duration in milliseconds (``int``), a flag, a list
#: of texts, name/value pairs, an image (``bytes``), or a JSON document (the
#: ``dict`` or ``list`` it holds).
Value = Union[str, float, int, bool, bytes, Tuple[str, ...], Tuple[Tuple[str, str], ...], Dict[str, Any], List[Any]]


@dataclass(frozen=True)
class ValueKind:
    """What a field holds: ``name`` is the WIT case (``text``, ``secret``,
    ``url``, ``number``, ``duration``, ``flag``, ``choice``, ``text-list``,
    ``pairs``, ``image``, ``json``); ``range`` is set for numbers,
    ``choices`` for choices, ``media_types`` for images (the types it
    takes, such as ``("image/png",)``; empty when any image will do)."""

    name: str
    range: Optional[NumberRange] = None
    choices: Optional[Tuple[str, ...]] = None
    media_types: Optional[Tuple[str, ...]] = None


@dataclass(frozen=True)
class FieldSpec:
    """A setting a backend takes (``info().settings``) or an option a model takes."""

    name: str
    label: str
    kind: ValueKind
    default: Optional[Value] = None
    help: Optional[str] = None
    required: bool = False

    @property
    def python_name(self) -> str:
        """The keyword ``open()`` takes it as (``api-key`` -> ``api_key``)."""
        return self.name.replace("-", "_")


@dataclass(frozen=True)
class Prices:
    """What a model costs at the service, in US dollars per million tokens,
    by class of tokens (``None`` where the class does not apply or the price
    is not published)."""

    text_input: Optional[float] = None
    text_input_cached: Optional[float] = None
    image_input: Optional[float] = None
    image_input_cached: Optional[float] = None
    text_output: Optional[float] = None
    image_output: Optional[float] = None
    #: Where the prices were published.
    source: str = ""


@dataclass(frozen=True)
class ModelInfo:
    id: str
    label: str
    note: Optional[str]
    lifecycle: Optional[Lifecycle]
    sizes: SizeRule
    qualities: Tuple[str, ...]
    default_quality: Optional[str]
    #: The encodings a request may ask for (``png``, ``jpeg``, ``webp``,
    #: ``gif``, ``svg``, ...); empty when the model takes no choice.
    output_formats: Tuple[str, ...]
    default_output_format: Optional[str]
    options: Tuple[FieldSpec, ...]
    max_reference_images: int
    max_prompt_chars: int
    max_images: int
    streams_partial_images: bool
    prices: Optional[Prices] = None

    def option(self, name: str) -> Optional[FieldSpec]:
        """A declared option by its name (``frame-count``) or keyword (``frame_count``)."""
        name = name.replace("_", "-")
        return next((o for o in self.options if o.name == name), None)

    def size_for(self, format: Union[ImageFormat, str]) -> Optional[Size]:
        """The size this model draws ``format`` at, if it draws images."""
        format = ImageFormat(format)
        return next((fs.size for fs in self.sizes.formats if fs.format == format), None)


@dataclass(frozen=True)
class CapabilityInfo:
    capability: Capability
    supported: bool
    models: Tuple[ModelInfo, ...]
    default_model: Optional[str]
    accepts_unknown_models: bool
    max_reference_images: int
    #: Whether requests may carry ``extra=`` parameters for the service.
    accepts_extra_parameters: bool = False

    def model(self, id: Optional[str] = None) -> Optional[ModelInfo]:
        """A known model by id (default: the default model)."""
        id = id if id is not None else self.default_model
        return next((m for m in self.models if m.id == id), None)


@dataclass(frozen=True)
class BackendInfo:
    name: str
    label: str
    description: str
    version: str
    prompt_style: PromptStyle
    capabilities: Tuple[CapabilityInfo, ...]
    #: The settings ``open()`` takes, in the order a settings panel shows them.
    settings: Tuple[FieldSpec, ...]

    def capability(self, capability: Union[Capability, str]) -> Optional[CapabilityInfo]:
        capability = Capability(capability)
        return next((c for c in self.capabilities if c.capability == capability), None)

    def supports(self, capability: Union[Capability, str]) -> bool:
        found = self.capability(capability)
        return bool(found and found.supported)

    def setting(self, name: str) -> Optional[FieldSpec]:
        """A declared setting by its name (``api-key``) or keyword (``api_key``)."""
        name = name.replace("_", "-")
        return next((s for s in self.settings if s.name == name), None)


@dataclass(frozen=True)
class ModelEntry:
    """A model as the service offers it to this key now (``Client.models``)."""

    id: str
    capability: Capability
    #: False for a model the backend knows that the service does not list.
    listed: bool
    lifecycle: Optional[Lifecycle]
    label: str
    note: Optional[str] = None


#: File extensions by media type (``Image.extension``).
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/svg+xml": "svg",
}


@dataclass(frozen=True)
class Image:
    """One image, described from its own bytes: ``mime_type`` is
    ``image/png``, ``image/jpeg``, ``image/webp``, ``image/gif`` (an
    animation, perhaps) or ``image/svg+xml`` (markup: never inline it into a
    page); an SVG's width and height are what its ``width``/``height`` (or
    ``viewBox``) say."""

    data: bytes = field(repr=False)
    mime_type: str
    width: int
    height: int

    @property
    def size(self) -> Size:
        return Size(self.width, self.height)

    @property
    def extension(self) -> str:
        """The file extension for its type, without the dot (``png``, ``gif``, ``svg``, ...)."""
        return EXTENSIONS.get(self.mime_type, "bin")

    @property
    def is_vector(self) -> bool:
        """An SVG: text markup rather than pixels."""
        return self.mime_type == "image/svg+xml"

    def save(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Writes the bytes to ``path``; a path without a suffix gets the
        extension of the image's type (``save("out/lighthouse")`` writes
        ``out/lighthouse.gif`` for a GIF). Returns the path written."""
        target = Path(path)
        if not target.suffix:
            target = target.with_name(f"{target.name}.{self.extension}")
        target.write_bytes(self.data)
        return target


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_text_tokens: Optional[int] = None
    input_image_tokens: Optional[int] = None
    #: Input tokens the service served from its cache (billed lower).
    input_cached_tokens: Optional[int] = None
    output_text_tokens: Optional[int] = None
    output_image_tokens: Optional[int] = None


@dataclass(frozen=True)
class HelperUsage:
    """The tokens of a second model the service ran for a call (the model
    that wrote an SVG)."""

    model: Optional[str]
    usage: Usage


@dataclass(frozen=True)
class CostItem:
    """One class of tokens in a cost estimate (``text input``, ``image
    output``, ``SVG author gpt-6-luna: text output``, ...)."""

    what: str
    tokens: int
    usd_per_million: float
    usd: float


@dataclass(frozen=True)
class Cost:
    """What a call cost, in US dollars, estimated from its usage and the
    model's prices (the service's invoice is the authority). ``complete`` is
    false when part of the usage could not be priced: ``usd`` is then a
    lower bound."""

    usd: float
    items: Tuple[CostItem, ...]
    complete: bool

    def __str__(self) -> str:
        return f"${self.usd:.4f}" + ("" if self.complete else " (at least)")


@dataclass(frozen=True)
class Generation:
    model: str
    images: Tuple[Image, ...]
    revised_prompt: Optional[str] = None
    usage: Optional[Usage] = None
    #: The tokens of the model that wrote an SVG, when one did.
    svg_usage: Optional[HelperUsage] = None
    #: ``None`` when the model's prices are unknown or no usage was reported.
    cost: Optional[Cost] = None


@dataclass(frozen=True)
class Analysis:
    text: str
    model: str
    finish_reason: str
    truncated: bool
    usage: Optional[Usage] = None
    #: ``None`` when the model's prices are unknown or no usage was reported.
    cost: Optional[Cost] = None


@dataclass(frozen=True)
class PartialImage:
    image_index: int
    partial_index: int
    image: Image


@dataclass(frozen=True)
class Status:
    level: StatusLevel
    message: str
    model: str
    problem: Optional["VisualBackendError"] = None

    @property
    def ok(self) -> bool:
        return self.level == StatusLevel.OK


@dataclass(frozen=True)
class TimeoutLimits:
    """Caps the host puts on the waits a plugin asks for, in seconds (``None``:
    the plugin's own). The plugin's timeouts are clamped to these."""

    connect: Optional[float] = None
    first_byte: Optional[float] = None
    between_bytes: Optional[float] = None
