"""A Python host for ``talemate:visual`` backends (WebAssembly components).

    from talemate_visual import VisualBackend, ImageFormat

    backend = VisualBackend.load("openai_visual_backend.wasm")
    print(backend.info().label)
    with backend.open(api_key=key) as client:
        generation = client.generate("a lighthouse at dusk", ImageFormat.LANDSCAPE)
        open("lighthouse.png", "wb").write(generation.images[0].data)

Any component exporting ``talemate:visual/visual-backend@0.1.x`` loads the
same way; the host never knows which service sits behind it.
"""

from .backend import (
    CONTRACT_VERSION,
    DEFAULT_MEMORY_LIMIT,
    Client,
    GenerationStream,
    VisualBackend,
)
from .errors import (
    Authentication,
    BackendTrapped,
    Cancelled,
    ContentPolicy,
    InvalidInput,
    LoadError,
    MalformedResponse,
    Network,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    Timeout,
    Unsupported,
    Upstream,
    VisualBackendError,
)
from .types import (
    Analysis,
    AzureSettings,
    Background,
    BackendInfo,
    Capability,
    CapabilityInfo,
    Detail,
    FormatSize,
    Generation,
    Header,
    Image,
    ImageFormat,
    InputFidelity,
    ModelInfo,
    Moderation,
    OutputFormat,
    PartialImage,
    PromptStyle,
    Quality,
    Settings,
    Size,
    Status,
    StatusLevel,
    Style,
    TimeoutPhase,
    Usage,
)

__all__ = [
    "CONTRACT_VERSION",
    "DEFAULT_MEMORY_LIMIT",
    "Client",
    "GenerationStream",
    "VisualBackend",
    "Authentication",
    "BackendTrapped",
    "Cancelled",
    "ContentPolicy",
    "InvalidInput",
    "LoadError",
    "MalformedResponse",
    "Network",
    "NotFound",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "Timeout",
    "Unsupported",
    "Upstream",
    "VisualBackendError",
    "Analysis",
    "AzureSettings",
    "Background",
    "BackendInfo",
    "Capability",
    "CapabilityInfo",
    "Detail",
    "FormatSize",
    "Generation",
    "Header",
    "Image",
    "ImageFormat",
    "InputFidelity",
    "ModelInfo",
    "Moderation",
    "OutputFormat",
    "PartialImage",
    "PromptStyle",
    "Quality",
    "Settings",
    "Size",
    "Status",
    "StatusLevel",
    "Style",
    "TimeoutPhase",
    "Usage",
]
