"""Mirrors src/talemate/agents/visual/schema.py (a1d209a9): the enums and the
request, response and status models a backend sees."""

from __future__ import annotations

import base64
import enum
import time
import uuid
from typing import Any, Callable, ClassVar

import pydantic

from talemate.context import active_scene


class ChoiceMixin:
    """schema.py:42-49."""

    @classmethod
    def choices(cls) -> list[dict[str, str]]:
        return [{"label": member.value.title(), "value": member.value} for member in cls]


class VIS_TYPE(ChoiceMixin, enum.StrEnum):  # schema.py:52-63
    UNSPECIFIED = "UNSPECIFIED"
    CHARACTER_CARD = "CHARACTER_CARD"
    CHARACTER_PORTRAIT = "CHARACTER_PORTRAIT"
    SCENE_CARD = "SCENE_CARD"
    SCENE_BACKGROUND = "SCENE_BACKGROUND"
    SCENE_ILLUSTRATION = "SCENE_ILLUSTRATION"


class GEN_TYPE(ChoiceMixin, enum.StrEnum):  # schema.py:66-69
    TEXT_TO_IMAGE = "TEXT_TO_IMAGE"
    IMAGE_EDIT = "IMAGE_EDIT"
    UPLOAD = "UPLOAD"


class PROMPT_TYPE(ChoiceMixin, enum.StrEnum):  # schema.py:72-74
    KEYWORDS = "KEYWORDS"
    DESCRIPTIVE = "DESCRIPTIVE"


class FORMAT_TYPE(ChoiceMixin, enum.StrEnum):  # schema.py:77-80
    LANDSCAPE = "LANDSCAPE"
    PORTRAIT = "PORTRAIT"
    SQUARE = "SQUARE"


class BackendStatusType(enum.Enum):  # schema.py:83-87 (a plain Enum)
    OK = "ok"
    ERROR = "error"
    WARNING = "warning"
    DISCONNECTED = "disconnected"


class BackendStatus(pydantic.BaseModel):
    """schema.py:180-191: equal when type and message are (not the time)."""

    type: BackendStatusType
    message: str | None = None
    timestamp: float = pydantic.Field(default_factory=time.time)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BackendStatus) and (self.type, self.message) == (other.type, other.message)

    def __ne__(self, other: object) -> bool:
        return not self == other


class BackendBase(pydantic.BaseModel):
    """schema.py:194-213: the class variables every backend sets, and its
    status, generation type and prompt type."""

    name: ClassVar[str]
    label: ClassVar[str]
    image_create: ClassVar[bool]
    image_edit: ClassVar[bool]
    image_analyzation: ClassVar[bool]
    description: ClassVar[str]

    status: BackendStatus = pydantic.Field(default=BackendStatus(type=BackendStatusType.DISCONNECTED))
    gen_type: GEN_TYPE = GEN_TYPE.TEXT_TO_IMAGE
    prompt_type: PROMPT_TYPE = PROMPT_TYPE.KEYWORDS


class Resolution(pydantic.BaseModel):  # schema.py:216-218
    width: int
    height: int


# schema.py:221-228: the default resolution of every request is SDXL portrait.
RESOLUTION_MAP = {
    "sdxl": {
        "portrait": Resolution(width=832, height=1216),
        "landscape": Resolution(width=1216, height=832),
        "square": Resolution(width=1024, height=1024),
    }
}


class GenerationRequest(pydantic.BaseModel):
    """schema.py:279-319 (without the tag extraction, :321-340)."""

    prompt: str | None = None
    negative_prompt: str | None = None
    gen_type: GEN_TYPE = GEN_TYPE.TEXT_TO_IMAGE
    vis_type: VIS_TYPE = VIS_TYPE.UNSPECIFIED
    format: FORMAT_TYPE = FORMAT_TYPE.LANDSCAPE
    resolution: Resolution = pydantic.Field(default=RESOLUTION_MAP["sdxl"]["portrait"])
    id: str = pydantic.Field(default_factory=lambda: str(uuid.uuid4()))
    agent_config: dict[str, Any] = pydantic.Field(default={})
    reference_assets: list[str] = pydantic.Field(default_factory=list)
    inline_reference: str | None = None
    callback: Callable | None = pydantic.Field(default=None, exclude=True)

    @property
    def reference_bytes(self) -> list[bytes]:
        """schema.py:307-319: from the active scene (none without one); the
        inline reference first; unknown assets dropped."""
        scene = active_scene.get()
        if not scene:
            return []
        found = scene.assets.get_asset_bytes_many(self.reference_assets)
        if self.inline_reference:
            found.insert(0, scene.assets.bytes_from_image_data(self.inline_reference))
        return found


class GenerationResponse(pydantic.BaseModel):
    """schema.py:343-361: ``generated`` holds the image file's bytes, which
    Talemate treats as PNG everywhere (``image_data``)."""

    generated: bytes | None = pydantic.Field(default=None, exclude=True)
    request: GenerationRequest | None = None
    id: str | None = None
    backend_name: str | None = None
    saved: bool = False

    @property
    def image_data(self) -> str | None:
        if not self.generated:
            return None
        return "data:image/png;base64," + base64.b64encode(self.generated).decode()


class AnalysisRequest(pydantic.BaseModel):
    """schema.py:364-376."""

    prompt: str
    id: str = pydantic.Field(default_factory=lambda: str(uuid.uuid4()))
    asset_id: str
    save: bool = False

    @property
    def reference_bytes(self) -> list[bytes]:
        scene = active_scene.get()
        if not scene:
            return []
        found = scene.assets.get_asset_bytes(self.asset_id)
        return [found] if found else []


class AnalysisResponse(pydantic.BaseModel):
    """schema.py:379-383."""

    analysis: str | None = None
    request: AnalysisRequest | None = None
    id: str | None = None
    backend_name: str | None = None


class ReadyCheckResult(pydantic.BaseModel):
    """schema.py:386-400."""

    backend: BackendStatus | None = None
    backend_image_edit: BackendStatus | None = None
    backend_image_analyzation: BackendStatus | None = None
    error: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReadyCheckResult) and (
            self.backend,
            self.backend_image_edit,
            self.backend_image_analyzation,
        ) == (other.backend, other.backend_image_edit, other.backend_image_analyzation)
