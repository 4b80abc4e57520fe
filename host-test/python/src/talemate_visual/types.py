"""The contract's vocabulary (``wit/types.wit``) as plain Python.

Enums are ``str`` subclasses holding the WIT case names, so ``"landscape"``
and ``ImageFormat.LANDSCAPE`` are interchangeable wherever a host passes one.
Results are frozen dataclasses: safe to hand to other threads and to cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Optional, Tuple

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


class Quality(str, Enum):
    AUTO = "auto"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    STANDARD = "standard"
    HD = "hd"


class OutputFormat(str, Enum):
    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"


class Background(str, Enum):
    AUTO = "auto"
    TRANSPARENT = "transparent"
    OPAQUE = "opaque"


class Moderation(str, Enum):
    AUTO = "auto"
    LOW = "low"


class Style(str, Enum):
    VIVID = "vivid"
    NATURAL = "natural"


class InputFidelity(str, Enum):
    LOW = "low"
    HIGH = "high"


class Detail(str, Enum):
    AUTO = "auto"
    LOW = "low"
    HIGH = "high"


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
class ModelInfo:
    id: str
    label: str
    note: Optional[str]
    sizes: Tuple[FormatSize, ...]
    max_reference_images: int
    max_prompt_chars: int
    max_images: int
    streams_partial_images: bool

    def size_for(self, format: "ImageFormat | str") -> Optional[Size]:
        """The size this model draws ``format`` at, if it draws images."""
        format = ImageFormat(format)
        return next((fs.size for fs in self.sizes if fs.format == format), None)


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

    def capability(self, capability: "Capability | str") -> Optional[CapabilityInfo]:
        capability = Capability(capability)
        return next((c for c in self.capabilities if c.capability == capability), None)

    def supports(self, capability: "Capability | str") -> bool:
        found = self.capability(capability)
        return bool(found and found.supported)


@dataclass(frozen=True)
class Header:
    name: str
    value: str


@dataclass(frozen=True)
class AzureSettings:
    endpoint: str
    api_version: str = "2025-04-01-preview"
    text_to_image_deployment: Optional[str] = None
    image_edit_deployment: Optional[str] = None
    image_analysis_deployment: Optional[str] = None


@dataclass(frozen=True)
class Settings:
    """How to reach the service; every field but the key has a default."""

    api_key: str = ""
    base_url: Optional[str] = None
    organization: Optional[str] = None
    project: Optional[str] = None
    extra_headers: Tuple[Header, ...] = ()
    azure: Optional[AzureSettings] = None
    connect_timeout_ms: Optional[int] = None
    generation_timeout_ms: Optional[int] = None
    between_bytes_timeout_ms: Optional[int] = None
    max_retries: Optional[int] = None
    max_response_bytes: Optional[int] = None

    def __repr__(self) -> str:
        # The key never reaches a log through a repr.
        shown = "'***'" if self.api_key else "''"
        return f"Settings(api_key={shown}, base_url={self.base_url!r}, azure={self.azure!r})"


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
