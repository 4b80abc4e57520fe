"""The contract's vocabulary (``talemate:visual@0.2.0``, ``wit/since_v0.2.0/types.wit``) as plain Python.

Enums are ``str`` subclasses holding the WIT case names, so ``"landscape"``
and ``ImageFormat.LANDSCAPE`` are interchangeable wherever a host passes one.
Results are frozen dataclasses, built by the native extension: safe to hand to
other threads and to cache. Images are ``bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Optional, Tuple, Union

if TYPE_CHECKING:
    from .errors import VisualBackendError


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
    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"


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


#: A setting's or option's value: text (``text``, ``secret``, ``url``,
#: ``choice``), a number, a duration in milliseconds (``int``), a flag, a list
#: of texts, or name/value pairs.
Value = Union[str, float, int, bool, Tuple[str, ...], Tuple[Tuple[str, str], ...]]


@dataclass(frozen=True)
class ValueKind:
    """What a field holds: ``name`` is the WIT case (``text``, ``secret``,
    ``url``, ``number``, ``duration``, ``flag``, ``choice``, ``text-list``,
    ``pairs``); ``range`` is set for numbers, ``choices`` for choices."""

    name: str
    range: Optional[NumberRange] = None
    choices: Optional[Tuple[str, ...]] = None


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
class ModelInfo:
    id: str
    label: str
    note: Optional[str]
    lifecycle: Optional[Lifecycle]
    sizes: SizeRule
    qualities: Tuple[str, ...]
    default_quality: Optional[str]
    options: Tuple[FieldSpec, ...]
    max_reference_images: int
    max_prompt_chars: int
    max_images: int
    streams_partial_images: bool

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


@dataclass(frozen=True)
class Image:
    data: bytes = field(repr=False)
    mime_type: str
    width: int
    height: int

    @property
    def size(self) -> Size:
        return Size(self.width, self.height)

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(self.mime_type, "bin")


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_text_tokens: Optional[int] = None
    input_image_tokens: Optional[int] = None


@dataclass(frozen=True)
class Generation:
    model: str
    images: Tuple[Image, ...]
    revised_prompt: Optional[str] = None
    usage: Optional[Usage] = None


@dataclass(frozen=True)
class Analysis:
    text: str
    model: str
    finish_reason: str
    truncated: bool
    usage: Optional[Usage] = None


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
